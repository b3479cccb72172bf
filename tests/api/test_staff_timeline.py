"""One timeline per resident: everything about them and their applications, filtered and paged."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bff.extensions import db
from bff.services.events import record_event
from bff.store.models import Application, Event
from bff.store.notification_models import PushSubscription
from tests.api.staff_helpers import grant_headers, resident_with_application, signed_in_client
from tests.factories import create_user


@pytest.fixture
def world(app):
    """A resident with a submitted application and one event of every kind, and a staff member."""
    resident = resident_with_application(app)
    other = resident_with_application(app, "chenming")
    staff, _ = signed_in_client(app, "zhoumin")
    officer = create_user("officer-health")
    rid = resident.user.id
    application = db.session.scalar(select(Application).where(Application.number == resident.number))
    device = PushSubscription(user_id=rid, endpoint="https://push.example/1", p256dh="k", auth="a",
                              device="Chrome on Android")
    db.session.add(device)
    db.session.flush()
    record_event(db.session, "login", actor_user_id=rid, subject_user_id=rid, method="qr", device="Kiosk")
    record_event(db.session, "case_transitioned", actor_user_id=officer.id, subject_user_id=rid,
                 application_id=application.id, case=f"{resident.number}-01", department="health",
                 to="accepted", source="workbench", officer=officer.id, **{"from": "submitted"})
    record_event(db.session, "push_delivered", subject_user_id=rid, application_id=application.id,
                 notification=1, device=device.id)
    record_event(db.session, "supplement_provided", actor_user_id=rid, subject_user_id=rid,
                 application_id=application.id, case=f"{resident.number}-01")
    record_event(db.session, "rating_given", actor_user_id=rid, subject_user_id=rid, application_id=application.id,
                 number=resident.number, score=5)
    # About the application without naming the resident as subject (e.g. a department callback).
    record_event(db.session, "callback_received", application_id=application.id, case=f"{resident.number}-01",
                 department="health", event_id="cb-9")
    record_event(db.session, "login", actor_user_id=other.user.id, subject_user_id=other.user.id, method="oidc")
    db.session.commit()
    headers = grant_headers(staff, rid)
    return {"resident": resident, "other": other, "staff": staff, "headers": headers, "rid": rid,
            "officer": officer, "application": application}


def get(world, query=""):
    response = world["staff"].get(f"/api/v1/staff/residents/{world['rid']}/timeline{query}",
                                  headers=world["headers"])
    assert response.status_code == 200, response.json
    return response.json


def all_event_ids_about(world) -> list[int]:
    rid, application = world["rid"], world["application"]
    return sorted(db.session.scalars(select(Event.id).where(
        (Event.subject_user_id == rid) | (Event.application_id == application.id))), reverse=True)


def test_the_timeline_shows_every_event_about_the_resident_and_their_applications_newest_first(world):
    body = get(world, "?limit=200")
    ids = [item["id"] for item in body["items"]]
    assert ids == all_event_ids_about(world)
    assert {"login", "application_submitted", "case_transitioned", "push_delivered", "callback_received",
            "staff_viewed", "rating_given"} <= {item["name"] for item in body["items"]}
    assert body["latest"] == ids[0] and body["has_more"] is False


def test_another_residents_events_never_appear(world):
    other_id = world["other"].user.id
    items = get(world, "?limit=200")["items"]
    assert all(item["application"] != world["other"].number for item in items)
    ids = {item["id"] for item in items}
    assert not ids & set(db.session.scalars(select(Event.id).where(Event.subject_user_id == other_id)))


@pytest.mark.parametrize("kinds, names", [
    ("logins", {"login"}),
    ("cases", {"case_transitioned", "callback_received"}),
    ("notifications", {"push_delivered"}),
    ("supplements", {"supplement_provided"}),
    ("ratings", {"rating_given"}),
    ("staff", {"staff_viewed"}),
    ("submissions,ratings", {"application_submitted", "rating_given"}),
])
def test_the_timeline_filters_by_kind_groups(world, kinds, names):
    items = get(world, f"?kinds={kinds}")["items"]
    assert {item["name"] for item in items} == names
    assert {item["kind"] for item in items} == set(kinds.split(","))


def test_the_drafts_filter_shows_the_draft_history(world):
    items = get(world, "?kinds=drafts")["items"]
    assert items and all(item["name"].startswith("draft_") for item in items)


def test_an_unknown_kind_is_refused(world):
    response = world["staff"].get(f"/api/v1/staff/residents/{world['rid']}/timeline?kinds=secrets",
                                  headers=world["headers"])
    assert response.status_code == 422


def test_pages_going_back_with_before_cover_every_event_exactly_once(world):
    for index in range(20):
        record_event(db.session, "draft_saved", actor_user_id=world["rid"], subject_user_id=world["rid"],
                     application_id=world["application"].id, version=index + 2)
    db.session.commit()
    seen, query = [], "?limit=7"
    while True:
        body = get(world, query)
        seen += [item["id"] for item in body["items"]]
        if not body["has_more"]:
            break
        query = f"?limit=7&before={body['next_before']}"
    assert seen == all_event_ids_about(world)


def test_after_returns_only_newer_events_for_the_live_path(world):
    latest = get(world)["latest"]
    assert get(world, f"?after={latest}") == {"items": [], "has_more": False, "next_before": None, "latest": latest}
    for index in range(5):
        record_event(db.session, "draft_saved", actor_user_id=world["rid"], subject_user_id=world["rid"],
                     application_id=world["application"].id, version=100 + index)
    db.session.commit()
    first = get(world, f"?after={latest}&limit=3")
    assert [item["data"]["version"] for item in first["items"]] == [102, 101, 100]  # oldest new first
    assert first["has_more"] is True
    second = get(world, f"?after={first['latest']}&limit=3")
    assert [item["data"]["version"] for item in second["items"]] == [104, 103]
    assert second["has_more"] is False


def test_case_transitions_show_department_and_officer_and_pushes_name_the_device(world):
    items = get(world)["items"]
    transition = next(item for item in items if item["name"] == "case_transitioned")
    assert transition["data"]["department"] == "health"
    assert transition["actor"] == {"role": "officer", "name": world["officer"].name}
    assert transition["application"] == world["resident"].number
    push = next(item for item in items if item["name"] == "push_delivered")
    assert push["device"] == "Chrome on Android" and push["kind"] == "notifications"
    login = next(item for item in items if item["name"] == "login")
    assert login["actor"]["role"] == "self" and login["data"]["method"] == "qr"
    callback = next(item for item in items if item["name"] == "callback_received")
    assert callback["actor"]["role"] == "system"
