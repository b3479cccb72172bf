"""Bad input gets a 4xx in the error envelope, never a 500: ids beyond 64 bits, deep JSON, drafts."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

from tests.api.staff_helpers import grant_headers, resident_with_application, signed_in_client

TOO_BIG = str(2**63)  # one more than PostgreSQL's BIGINT holds
HUGE = "9" * 40


def assert_envelope(response: Any, status: int) -> None:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.json["code"] == status
    assert response.json["message"]


@pytest.mark.parametrize("value", [TOO_BIG, HUGE, "-1"])
@pytest.mark.parametrize(("path", "arg"), [
    ("/api/v1/events", "after"),
    ("/api/v1/inbox", "before"),
    ("/api/v1/me/access-log", "before"),
])
def test_cursors_beyond_64_bits_are_refused_not_a_server_error(app: Flask, path, arg, value) -> None:
    client, _ = signed_in_client(app, "zhangwei")
    response = client.get(f"{path}?{arg}={value}")
    assert_envelope(response, 422)
    assert arg in response.json["errors"]["query"]


def test_the_largest_64_bit_cursor_is_a_valid_empty_page(app: Flask) -> None:
    client, _ = signed_in_client(app, "zhangwei")
    assert client.get(f"/api/v1/inbox?before={2**63 - 1}").status_code == 200
    assert client.get(f"/api/v1/events?after={2**63 - 1}").status_code == 200


@pytest.mark.parametrize("value", [TOO_BIG, HUGE, "0"])
@pytest.mark.parametrize(("method", "template"), [
    ("POST", "/api/v1/inbox/{}/read"),
    ("DELETE", "/api/v1/push/subscriptions/{}"),
])
def test_path_ids_beyond_64_bits_are_not_found(app: Flask, method, template, value) -> None:
    client, _ = signed_in_client(app, "zhangwei")
    response = client.open(template.format(value), method=method)
    assert_envelope(response, 404)


def test_staff_paths_and_cursors_beyond_64_bits(app: Flask) -> None:
    resident = resident_with_application(app)
    staff, _ = signed_in_client(app, "zhoumin")
    assert_envelope(staff.get(f"/api/v1/staff/residents/{TOO_BIG}"), 404)
    assert_envelope(staff.post(f"/api/v1/staff/residents/{TOO_BIG}/access", json={"ticket": "KF-1"}), 404)
    headers = grant_headers(staff, resident.user.id)
    timeline = staff.get(f"/api/v1/staff/residents/{resident.user.id}/timeline?before={HUGE}", headers=headers)
    assert_envelope(timeline, 422)
    assert "before" in timeline.json["errors"]["query"]


def test_a_forged_last_event_id_replays_from_the_start(app: Flask) -> None:
    from bff.api.notifications import last_event_id_of

    assert last_event_id_of({"Last-Event-ID": HUGE}, {}) is None
    assert last_event_id_of({"Last-Event-ID": str(2**63 - 1)}, {}) == 2**63 - 1


@pytest.mark.parametrize("depth", [33, 900, 5000])
def test_deeply_nested_json_is_a_400_not_a_recursion_error(app: Flask, depth: int) -> None:
    client, _ = signed_in_client(app, "zhangwei")
    started = client.post("/api/v1/applications", json={"bundle": "birth"})
    body = '{"bundle": "birth", "answers": {"applicant.name": ' + '['*depth + ']'*depth + '}}'
    response = client.post("/api/v1/applications", data=body, content_type="application/json")
    assert_envelope(response, 400)
    body = '{"answers": {"applicant.name": ' + '{"a": ' * depth + '1' + '}' * depth + '}}'
    patch = client.patch(f"/api/v1/applications/{started.json['number']}", data=body,
                         content_type="application/json", headers={"If-Match": started.headers["ETag"]})
    assert_envelope(patch, 400)


def test_an_oversize_json_body_is_413(app: Flask) -> None:
    client, _ = signed_in_client(app, "zhangwei")
    body = {"bundle": "birth", "answers": {"applicant.name": "张" * 300_000}}
    assert_envelope(client.post("/api/v1/applications", json=body), 413)
