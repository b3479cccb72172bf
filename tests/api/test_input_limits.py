"""Bad input gets a 4xx in the error envelope, never a 500: ids beyond 64 bits, deep JSON, drafts."""

from __future__ import annotations

import json
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


# -- drafts hold only answers of the form's shape ------------------------------------------------

def started_draft(client: Any, answers: dict[str, Any] | None = None) -> Any:
    response = client.post("/api/v1/applications", json={"bundle": "birth", "answers": answers or {}})
    assert response.status_code == 201, response.json
    return response


def autosave(client: Any, draft: Any, answers: dict[str, Any], **headers: str) -> Any:
    # Written by the standard library, which (unlike the app's orjson) writes any integer, as an attacker can.
    return client.patch(f"/api/v1/applications/{draft.json['number']}", data=json.dumps({"answers": answers}),
                        content_type="application/json", headers={"If-Match": draft.headers["ETag"], **headers})


def assert_refused(response: Any, key: str) -> None:
    assert_envelope(response, 422)
    assert key in response.json["errors"]["json"], response.json
    assert response.json["reason"] == "draft_answers_invalid"


@pytest.mark.parametrize(("key", "value"), [
    ("applicant.unknown_question", "x"),                 # a key the form does not ask
    ("__proto__", "x"),
    ("applicant.name", {"nested": "object"}),             # an object for a name
    ("applicant.name", ["a", "list"]),
    ("applicant.name", 42),
    ("applicant.name", "张\x00三"),                        # NUL and other control characters
    ("applicant.mobile", "138\x1b[31m0000"),
    ("applicant.name", "张" * 1001),                       # longer than any answer
    ("subject.birth_weight_grams", 2**64),                # beyond 64 bits
    ("subject.birth_weight_grams", -(2**63)),
    ("subject.birth_weight_grams", 3.5),
    ("subject.birth_weight_grams", True),
    ("applicant.relation", "emperor"),                    # not one of the choices
    ("applicant.id_number", "110101199003071234"),        # complete, with a wrong check character
])
def test_autosave_refuses_what_no_answer_could_be_and_keeps_the_draft(app: Flask, key: str, value: Any) -> None:
    client, _ = signed_in_client(app, "zhangwei")
    draft = started_draft(client, {"applicant.name": "张三"})
    response = autosave(client, draft, {key: value})
    assert_refused(response, key)
    assert "message" in response.json and response.json["message"]
    kept = client.get(f"/api/v1/applications/{draft.json['number']}")
    assert kept.status_code == 200
    assert kept.headers["ETag"] == draft.headers["ETag"]  # nothing saved, nothing lost
    assert kept.json["answers"]["applicant.name"] == "张三"
    assert client.get("/api/v1/applications/drafts").status_code == 200


def test_starting_a_draft_refuses_the_same(app: Flask) -> None:
    client, _ = signed_in_client(app, "zhangwei")
    response = client.post("/api/v1/applications", content_type="application/json", data=json.dumps({
        "bundle": "birth", "answers": {"subject.birth_weight_grams": 2**64, "applicant.name": "ok"}}))
    assert_refused(response, "subject.birth_weight_grams")
    assert client.get("/api/v1/applications/drafts").json["drafts"] == []


def test_refusals_are_bilingual(app: Flask) -> None:
    client, _ = signed_in_client(app, "zhangwei")
    draft = started_draft(client)
    chinese = autosave(client, draft, {"applicant.id_number": "110101199003071234"})
    english = autosave(client, draft, {"applicant.id_number": "110101199003071234"}, **{"X-Language": "en"})
    assert "校验位" in chinese.json["errors"]["json"]["applicant.id_number"][0]
    assert "check character" in english.json["errors"]["json"]["applicant.id_number"][0]


def test_unfinished_answers_still_save(app: Flask) -> None:
    client, _ = signed_in_client(app, "zhangwei")
    draft = started_draft(client)
    partial = {"applicant.id_number": "1101011990", "applicant.mobile": "138", "subject.birth_date": "2026-1",
               "subject.birth_weight_grams": "32", "applicant.name": "", "applicant.relation": "",
               "subject.death_place_address": None}
    response = autosave(client, draft, partial)
    assert response.status_code == 200, response.json
    assert response.json["version"] == 2
    again = client.patch(f"/api/v1/applications/{draft.json['number']}", json={"answers": {
        "subject.birth_weight_grams": 3200, "applicant.notes_with_newline": None}},
        headers={"If-Match": response.headers["ETag"]})
    assert again.status_code == 200, again.json


def test_a_draft_cannot_grow_past_its_size_limit(app: Flask) -> None:
    from bff.core.catalog import default_catalog
    from bff.core.drafts import MAX_ANSWERS_BYTES, MAX_TEXT_CHARS
    from bff.services.catalog_adapter import check_bundle

    client, _ = signed_in_client(app, "zhangwei")
    draft = started_draft(client)
    fields = default_catalog().fields
    keys = sorted({key for item in check_bundle("birth").items for key in item.fields
                   if fields[key].type in ("text", "address", "name")})
    # Each answer within its own limit, together far above the draft's: the 2 MB draft of the attack.
    stuffing = dict.fromkeys(keys, "𠀀" * MAX_TEXT_CHARS)  # four bytes each in UTF-8
    assert len(str(stuffing).encode()) > MAX_ANSWERS_BYTES
    response = autosave(client, draft, stuffing)
    assert_envelope(response, 422)
    assert "answers" in response.json["errors"]["json"]
    assert client.get(f"/api/v1/applications/{draft.json['number']}").json["version"] == 1


def test_a_supplement_with_an_object_or_control_characters_is_refused(app: Flask, client: Any) -> None:
    from tests.api.application_helpers import application_in_state, case_of, officer_client

    submitted = application_in_state(app, client)
    number, reference = submitted["number"], case_of(submitted["receipt"], "birth-medical-certificate")
    officer = officer_client(app, "health")
    officer.post(f"/api/v1/officer/cases/{reference}/accept")
    officer.post(f"/api/v1/officer/cases/{reference}/supplement-request",
                 json={"message": "请核对新生儿姓名", "fields": ["subject.name"], "materials": []})
    url = f"/api/v1/applications/{number}/cases/{reference}/supplement"
    for bad in ({"x": {"y": 1}}, "张\x00小宝", 2**64):
        response = client.post(url, data=json.dumps({"answers": {"subject.name": bad}}),
                               content_type="application/json")
        assert_envelope(response, 422)
        assert "subject.name" in response.json["errors"]["json"]
    assert client.get(f"/api/v1/applications/{number}").status_code == 200
    assert client.post(url, json={"answers": {"subject.name": "张小宝"}}).status_code == 200
