"""One timeline per resident: everything about them and their applications, filtered and paged."""

from __future__ import annotations

import json
import threading
import time

import pytest
import requests
from sqlalchemy import select
from werkzeug.serving import make_server

from bff.extensions import db, redis
from bff.outbox import CHANNEL_PREFIX
from bff.services.events import record_event
from bff.services.service_desk import access as staff_access
from bff.store.models import Application, Event
from bff.store.notification_models import PushSubscription
from tests.api.staff_helpers import grant_headers, resident_with_application, signed_in_client
from tests.api.test_notifications_stream import SseReader
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


# --- The live path: SSE hints ---------------------------------------------------------------------

@pytest.fixture
def streaming(app, monkeypatch):
    monkeypatch.setitem(app.config, "SSE_KEEPALIVE_SECONDS", 0.3)
    monkeypatch.setitem(app.config, "SSE_MAX_STREAM_SECONDS", 20.0)


def stream_url(world, rid=None) -> str:
    return f"/api/v1/staff/residents/{rid or world['rid']}/timeline/stream"


def open_staff_stream(world, **headers):
    response = world["staff"].get(stream_url(world), headers={**world["headers"], **headers}, buffered=False)
    assert response.status_code == 200
    return response, SseReader(response.response)


def happen(world, to: str) -> int:
    event = record_event(db.session, "case_transitioned", subject_user_id=world["rid"],
                         application_id=world["application"].id, case=f"{world['resident'].number}-01",
                         department="health", to=to, **{"from": "accepted"})
    db.session.commit()
    return event.id


def viewed_count() -> int:
    db.session.expire_all()
    return len(list(db.session.scalars(select(Event).where(Event.name == "staff_viewed"))))


def test_the_stream_needs_the_grant_for_this_resident_in_the_header(world, streaming):
    staff, other_rid = world["staff"], world["other"].user.id
    refused = [staff.get(stream_url(world)),
               staff.get(stream_url(world), headers=grant_headers(staff, other_rid)),  # another resident's
               staff.get(f"{stream_url(world)}?grant={world['headers']['X-Staff-Grant']}")]  # never in a URL
    for response in refused:
        assert response.status_code == 403 and response.json["reason"] == "access_reason_required"
    anonymous = type(staff)(staff.application)
    assert anonymous.get(stream_url(world), headers=world["headers"]).status_code == 401


def test_the_stream_is_uncached_and_unbuffered_and_starts_at_the_residents_latest_event(world, streaming):
    get(world)  # the page's first look (the audited view)
    latest = happen(world, "processing")
    response, reader = open_staff_stream(world)
    assert response.mimetype == "text/event-stream"
    assert response.headers["Cache-Control"] == "no-store" and response.headers["X-Accel-Buffering"] == "no"
    assert reader.block() == {"retry": "3000"}
    assert reader.block() == {"id": str(latest)}
    response.close()


def test_a_live_event_arrives_as_a_hint_with_only_its_id_and_name(world, streaming):
    resident = world["resident"]
    response, reader = open_staff_stream(world)
    reader.block(), reader.block()
    event_id = happen(world, "approved")
    raw = reader.block()
    assert raw["id"] == str(event_id) and raw["event"] == "case_transitioned"
    assert json.loads(raw["data"]) == {"id": event_id, "name": "case_transitioned"}  # no data, no PII
    for secret in (resident.user.name, resident.id_number, resident.mobile, resident.number, "health", "approved"):
        assert secret not in raw["data"]
    # The page renders through the audited read it already has: timeline?after=.
    assert [item["id"] for item in get(world, f"?after={event_id - 1}")["items"]] == [event_id]
    response.close()


def test_reconnecting_with_last_event_id_replays_hints_without_gaps_or_duplicates(world, streaming):
    response, reader = open_staff_stream(world)
    reader.block(), reader.block()
    seen = happen(world, "processing")
    assert reader.message() == {"id": seen, "event": "case_transitioned", "name": "case_transitioned"}
    response.close()
    missed = [happen(world, "supplement_requested"), happen(world, "supplemented")]
    response, reader = open_staff_stream(world, **{"Last-Event-ID": str(seen)})
    assert [reader.message()["id"], reader.message()["id"]] == missed
    # An announcement of an event already replayed is skipped; the next one arrives once.
    redis.client.publish(f"{CHANNEL_PREFIX}{world['rid']}", json.dumps({"id": missed[-1], "name": "case_transitioned"}))
    after = happen(world, "approved")
    assert reader.message() == {"id": after, "event": "case_transitioned", "name": "case_transitioned"}
    response.close()


def test_another_residents_events_never_reach_the_stream(world, streaming):
    other = world["other"].user.id
    response, reader = open_staff_stream(world)
    reader.block(), reader.block()
    record_event(db.session, "login", actor_user_id=other, subject_user_id=other, method="oidc")
    db.session.commit()
    mine = happen(world, "processing")
    assert reader.message()["id"] == mine
    response.close()


def test_opening_the_stream_again_and_again_records_no_new_view(world, streaming):
    get(world)  # the first look at the timeline: recorded once for this grant
    before = viewed_count()
    for _ in range(3):
        response, reader = open_staff_stream(world)
        reader.block()
        response.close()
    assert viewed_count() == before


def test_the_stream_alone_records_the_timeline_view_once_per_grant(world, streaming):
    before = viewed_count()
    for _ in range(2):
        response, reader = open_staff_stream(world)
        reader.block()
        response.close()
    assert viewed_count() == before + 1


def test_the_stream_ends_when_the_grant_is_closed(world, streaming):
    response, reader = open_staff_stream(world)
    reader.block(), reader.block()
    closed = world["staff"].delete(f"/api/v1/staff/residents/{world['rid']}/access", headers=world["headers"])
    assert closed.status_code == 204
    with pytest.raises(StopIteration):
        for _ in range(20):
            reader.block()
    response.close()


def test_the_stream_lives_no_longer_than_what_remains_of_the_grant(world, streaming):
    token = world["headers"]["X-Staff-Grant"]
    key = staff_access._key(token)
    stored = json.loads(redis.client.get(key))
    redis.client.set(key, json.dumps({**stored, "expires_at": time.time() + 0.5}), keepttl=True)
    started = time.monotonic()
    response, reader = open_staff_stream(world)
    with pytest.raises(StopIteration):
        for _ in range(20):
            reader.block()
    assert time.monotonic() - started < 5  # not the 20 s of SSE_MAX_STREAM_SECONDS
    response.close()


def test_over_real_http_a_live_event_arrives_while_streaming(app, world, streaming):
    cookie_name = app.config["SESSION_COOKIE_NAME"]
    cookie = {cookie_name: world["staff"].get_cookie(cookie_name).value}
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_port}{stream_url(world)}"
    try:
        with requests.get(url, cookies=cookie, headers=world["headers"], stream=True, timeout=10) as response:
            assert response.status_code == 200
            reader = SseReader(response.iter_content(chunk_size=None))
            reader.block(), reader.block()
            event_id = happen(world, "approved")
            assert reader.message() == {"id": event_id, "event": "case_transitioned", "name": "case_transitioned"}
    finally:
        server.shutdown()
        server.server_close()
