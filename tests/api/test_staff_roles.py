"""Every staff endpoint, walked from the URL map: who may call it, and masking in every answer."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from bff.core.notifications import is_notifiable
from bff.extensions import db
from bff.services.applications import today_in_china
from bff.store.models import Case, Event
from tests.api.application_helpers import start
from tests.api.staff_helpers import Resident, grant_headers, resident_with_application, signed_in_client
from tests.conftest import ApiClient

# Each staff endpoint with a valid body; a new endpoint must be added here (the walk checks).
BODIES: dict[str, Any] = {
    "staff.purposes": None,
    "staff.search": {"query": "{mobile}"},
    "staff.follow_ups": None,
    "staff.open_resident": {"ticket": "KF-0001"},
    "staff.close_resident": None,
    "staff.profile": None,
    "staff.reveal": {"field": "mobile"},
    "staff.timeline": None,
    "staff.timeline_stream": None,
    "staff.application": None,
    "staff.notes": None,
    "staff.add_note": {"text": "来电人要求回电"},
    "staff.escalate": {"text": "已超期，请尽快办理"},
    "staff.resend_notification": None,
    "staff.end_sessions": None,
}
FULL_ID = re.compile(r"(?<![0-9A-Z])\d{17}[\dX](?![0-9A-Z])")
FULL_MOBILE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")


def staff_routes(app: Flask) -> list[tuple[str, str, str]]:
    routes = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("staff."):
            for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
                routes.append((rule.endpoint, method, rule.rule))
    return routes


@pytest.fixture(autouse=True)
def short_streams(app, monkeypatch):
    # The timeline's event stream ends at once here, so reading its whole answer does not wait.
    monkeypatch.setitem(app.config, "SSE_MAX_STREAM_SECONDS", 0.2)


@pytest.fixture
def world(app):
    from bff.services.notifications.delivery import create_notification

    resident = resident_with_application(app)
    case = db.session.scalar(select(Case).order_by(Case.id))
    case.due_on, case.flag = today_in_china() - timedelta(days=2), "overdue"
    event = next(e for e in db.session.scalars(select(Event).where(Event.subject_user_id == resident.user.id))
                 if is_notifiable(e.name, e.data))
    notification = create_notification(db.session, event)
    db.session.commit()
    return {"resident": resident, "reference": case.reference, "notification": notification.id}


def path_for(rule: str, world: dict[str, Any]) -> str:
    resident: Resident = world["resident"]
    return (rule.replace("<int:resident_id>", str(resident.user.id))
            .replace("<string:number>", resident.number).replace("<string:reference>", world["reference"])
            .replace("<int:notification_id>", str(world["notification"])))


def body_for(endpoint: str, world: dict[str, Any]) -> Any:
    body = BODIES[endpoint]
    if body and "query" in body:
        return {"query": world["resident"].mobile}
    return body


def call(client: Any, method: str, path: str, body: Any, headers: dict[str, str] | None = None) -> Any:
    return client.open(path, method=method, json=body, headers=headers or {})


def test_the_matrix_below_covers_every_staff_endpoint(app):
    assert {endpoint for endpoint, _, _ in staff_routes(app)} == set(BODIES)


def test_anonymous_callers_get_401_on_every_staff_endpoint(app, world):
    app.test_client_class = ApiClient
    anonymous = app.test_client()
    for endpoint, method, rule in staff_routes(app):
        response = call(anonymous, method, path_for(rule, world), body_for(endpoint, world))
        assert response.status_code == 401, (endpoint, method)


@pytest.mark.parametrize("persona", ["chenming", "officer-health"])
def test_residents_and_officers_get_403_on_every_staff_endpoint(app, world, persona):
    client, _ = signed_in_client(app, persona)
    for endpoint, method, rule in staff_routes(app):
        response = call(client, method, path_for(rule, world), body_for(endpoint, world))
        assert response.status_code == 403, (endpoint, method)
        assert response.json.get("reason") != "access_reason_required", "refused by role, before any grant check"


@pytest.mark.parametrize("persona", ["zhoumin", "admin"])
def test_staff_and_admins_may_call_every_staff_endpoint(app, world, persona):
    client, _ = signed_in_client(app, persona)
    for endpoint, method, rule in staff_routes(app):
        headers = grant_headers(client, world["resident"].user.id)
        response = call(client, method, path_for(rule, world), body_for(endpoint, world), headers)
        assert 200 <= response.status_code < 300, (endpoint, method, response.json)


def test_no_staff_call_about_a_resident_happens_without_a_grant(app, world):
    client, _ = signed_in_client(app, "zhoumin")
    for endpoint, method, rule in staff_routes(app):
        if "<int:resident_id>" not in rule or endpoint == "staff.open_resident":
            continue
        before = db.session.scalar(select(Event.id).order_by(Event.id.desc()).limit(1))
        response = call(client, method, path_for(rule, world), body_for(endpoint, world))
        assert response.status_code == 403 and response.json["reason"] == "access_reason_required", endpoint
        db.session.expire_all()
        after = db.session.scalar(select(Event.id).order_by(Event.id.desc()).limit(1))
        assert after == before, f"{endpoint} changed something without a reason"


def test_masking_holds_in_every_staff_response_unless_revealed(app, world):
    """A whole call: search, open, look at everything, act; only the reveal shows a full number."""
    resident: Resident = world["resident"]
    client, _ = signed_in_client(app, "zhoumin")
    bodies: list[str] = []
    for query in (resident.id_number, resident.mobile, resident.number):
        bodies.append(client.post("/api/v1/staff/search", json={"query": query}).get_data(as_text=True))
    draft = start(resident.client, answers={"applicant.mobile": resident.mobile,  # a draft holds numbers
                                            "applicant.id_number": resident.id_number})["number"]
    draft_view = client.get(f"/api/v1/staff/residents/{resident.user.id}/applications/{draft}",
                            headers=grant_headers(client, resident.user.id))
    assert draft_view.status_code == 200 and draft_view.json["application"]["answers"]
    bodies.append(draft_view.get_data(as_text=True))
    revealed: list[str] = []
    for endpoint, method, rule in staff_routes(app):
        headers = grant_headers(client, resident.user.id)
        response = call(client, method, path_for(rule, world), body_for(endpoint, world), headers)
        assert response.headers["Cache-Control"] == "no-store"
        (revealed if endpoint == "staff.reveal" else bodies).append(response.get_data(as_text=True))
    for body in bodies:
        assert resident.id_number not in body and resident.mobile not in body
        assert not FULL_ID.search(body), FULL_ID.search(body)
        assert not FULL_MOBILE.search(body), FULL_MOBILE.search(body)
    assert revealed and all(resident.mobile in body for body in revealed)


def test_staff_events_never_carry_the_resident_numbers(app, world):
    resident: Resident = world["resident"]
    client, _ = signed_in_client(app, "zhoumin")
    client.post("/api/v1/staff/search", json={"query": resident.id_number})
    for endpoint, method, rule in staff_routes(app):
        call(client, method, path_for(rule, world), body_for(endpoint, world),
             grant_headers(client, resident.user.id))
    data = " ".join(str(e.data) for e in db.session.scalars(select(Event).where(Event.name.startswith("staff_"))))
    assert "staff_revealed" in {e.name for e in db.session.scalars(select(Event))}
    assert resident.id_number not in data and resident.mobile not in data
