"""Access matrix: no one reads or changes another person's application, draft or certificate."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.api.application_helpers import case_of, officer_client, start, submitted_application
from tests.factories import create_user, sign_in


def owner_world(app: Any, client: Any) -> dict[str, str]:
    submitted = submitted_application(app, client)
    number, receipt = submitted["number"], submitted["receipt"]
    reference = case_of(receipt, "birth-medical-certificate")
    officer = officer_client(app, "health")
    officer.post(f"/api/v1/officer/cases/{reference}/accept")
    certificate = officer.post(f"/api/v1/officer/cases/{reference}/approve").json["certificate"]
    draft = start(client, "birth", user_id=submitted["user"].id)["number"]
    return {"number": number, "reference": reference, "certificate": certificate, "draft": draft,
            "qr": receipt["qr_path"]}


REQUESTS = [
    ("GET", "/api/v1/applications/{number}", None),
    ("GET", "/api/v1/applications/{draft}", None),
    ("PATCH", "/api/v1/applications/{draft}", {"answers": {"subject.name": "X"}}),
    ("DELETE", "/api/v1/applications/{draft}", None),
    ("POST", "/api/v1/applications/{draft}/submit", {"version": 1}),
    ("GET", "/api/v1/applications/{number}/timeline", None),
    ("GET", "{qr}", None),
    ("POST", "/api/v1/applications/{number}/withdraw", {}),
    ("POST", "/api/v1/applications/{number}/cases/{reference}/supplement", {"answers": {}}),
    ("GET", "/api/v1/certificates/{certificate}/download", None),
]


def call(client: Any, method: str, template: str, body: Any, world: dict[str, str]) -> Any:
    headers = {"If-Match": '"1"', "Idempotency-Key": "access-matrix-key"}
    return client.open(template.format(**world), method=method, json=body, headers=headers)


@pytest.mark.parametrize(("method", "template", "body"), REQUESTS)
def test_another_resident_gets_not_found_and_changes_nothing(app, client, method, template, body) -> None:
    world = owner_world(app, client)
    stranger = app.test_client()
    sign_in(app, stranger, create_user("wangfang"))
    assert call(stranger, method, template, body, world).status_code == 404
    assert client.get(f"/api/v1/applications/{world['draft']}").json["version"] == 1
    assert client.get(f"/api/v1/applications/{world['number']}").json["status"] != "withdrawn"


@pytest.mark.parametrize(("method", "template", "body"), REQUESTS)
def test_nobody_signed_in_gets_401(app, client, method, template, body) -> None:
    world = owner_world(app, client)
    assert call(app.test_client(), method, template, body, world).status_code == 401


@pytest.mark.parametrize(("method", "template", "body"), REQUESTS)
def test_an_officer_cannot_use_the_residents_doors(app, client, method, template, body) -> None:
    world = owner_world(app, client)
    assert call(officer_client(app, "health"), method, template, body, world).status_code == 403


def test_another_residents_lists_stay_empty(app, client) -> None:
    owner_world(app, client)
    stranger = app.test_client()
    sign_in(app, stranger, create_user("wangfang"))
    assert stranger.get("/api/v1/applications").json["applications"] == []
    assert stranger.get("/api/v1/applications/drafts").json["drafts"] == []
    assert stranger.get("/api/v1/certificates").json["certificates"] == []


def test_the_public_certificate_check_shows_nothing_about_the_person(app, client) -> None:
    owner_world(app, client)
    url = client.get("/api/v1/certificates").json["certificates"][0]["verify_url"]
    page = app.test_client().get(urlsplit(url).path)
    assert page.status_code == 200
    assert "有效" in page.text and "张" not in page.text and "330106" not in page.text
