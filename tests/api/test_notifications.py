"""Devices, inbox, preferences and the polling fallback, through the HTTP API."""

from __future__ import annotations

import base64

import pytest
from rq import SimpleWorker
from sqlalchemy import select

from bff.core import notifications as rules
from bff.extensions import db
from bff.jobs.queue import queue_for
from bff.services.events import record_event
from bff.store.notification_models import Notification
from tests.factories import create_user, sign_in
from tests.fakes.push_service import FakePushService

NUMBER = "YJ202611260000017"


def subscription(endpoint: str = "https://fcm.googleapis.com/fcm/send/send/abc") -> dict:
    info = FakePushService().new_subscriber().subscription_info()
    return {**info, "endpoint": endpoint, "device": "Pixel 7"}


def run_worker(app) -> None:
    queue = queue_for(app)
    SimpleWorker([queue], connection=queue.connection).work(burst=True)


def signed_in(app, client, key="zhangwei"):
    user = create_user(key)
    sign_in(app, client, user)
    return user


def another_client(app, key="wangfang"):
    other = app.test_client()
    return other, signed_in(app, other, key)


def notify(user, to="supplement_requested") -> None:
    record_event(db.session, "case_transitioned", subject_user_id=user.id, case="C1", department="health",
                 to=to, **{"from": "accepted"})
    db.session.commit()


# --- Devices ----------------------------------------------------------------------------------

def test_the_public_key_is_served_to_anyone_as_base64url(client):
    response = client.get("/api/v1/push/public-key")
    assert response.status_code == 200
    key = response.json["public_key"]
    assert len(base64.urlsafe_b64decode(key + "=" * (-len(key) % 4))) == 65


def test_a_resident_registers_lists_and_removes_their_devices(app, client):
    signed_in(app, client)
    first = client.post("/api/v1/push/subscriptions", json=subscription("https://fcm.googleapis.com/fcm/send/a"))
    second = client.post("/api/v1/push/subscriptions", json=subscription("https://fcm.googleapis.com/fcm/send/b"))
    assert first.status_code == second.status_code == 201
    assert [d["device"] for d in client.get("/api/v1/push/subscriptions").json["devices"]] == ["Pixel 7", "Pixel 7"]
    assert client.delete(f"/api/v1/push/subscriptions/{first.json['id']}").status_code == 204
    assert [d["id"] for d in client.get("/api/v1/push/subscriptions").json["devices"]] == [second.json["id"]]


def test_registering_the_same_browser_again_refreshes_it_instead_of_adding_a_device(app, client):
    signed_in(app, client)
    body = subscription()
    first = client.post("/api/v1/push/subscriptions", json=body).json
    again = client.post("/api/v1/push/subscriptions", json={**body, "device": "Pixel 7 (renamed)"}).json
    assert first["id"] == again["id"]
    assert len(client.get("/api/v1/push/subscriptions").json["devices"]) == 1


def test_no_one_sees_or_removes_another_persons_device(app, client):
    signed_in(app, client)
    mine = client.post("/api/v1/push/subscriptions", json=subscription()).json
    other, _ = another_client(app)
    assert other.get("/api/v1/push/subscriptions").json["devices"] == []
    assert other.delete(f"/api/v1/push/subscriptions/{mine['id']}", headers={"X-OneThing-CSRF": "1"}).status_code == 404
    assert len(client.get("/api/v1/push/subscriptions").json["devices"]) == 1


def test_a_browser_that_changes_hands_tells_only_the_person_signed_in_now(app, client):
    signed_in(app, client)
    body = subscription()
    client.post("/api/v1/push/subscriptions", json=body)
    other, _ = another_client(app)
    other.post("/api/v1/push/subscriptions", json=body, headers={"X-OneThing-CSRF": "1"})
    assert client.get("/api/v1/push/subscriptions").json["devices"] == []
    assert len(other.get("/api/v1/push/subscriptions").json["devices"]) == 1


def test_bad_keys_or_endpoints_get_field_errors(app, client):
    signed_in(app, client)
    body = subscription()
    bad_keys = client.post("/api/v1/push/subscriptions", json={**body, "keys": {"p256dh": "AAAA", "auth": "AAAA"}})
    assert bad_keys.status_code == 422 and "keys" in str(bad_keys.json)
    bad_endpoint = client.post("/api/v1/push/subscriptions", json={**body, "endpoint": "ftp://push.example.net/x"})
    assert bad_endpoint.status_code == 422 and "endpoint" in str(bad_endpoint.json)


# Endpoints an attacker registers to make the worker call inside the network (and read, from
# their own events, whether something answered there).
INTERNAL_ENDPOINTS = [
    "https://169.254.169.254/latest/meta-data/iam/security-credentials/",
    "https://10.0.0.5:8443/admin",
    "https://localhost/",
    "https://localhost:6379/",
    "https://[::1]/",
    "https://[::ffff:127.0.0.1]:5432/",
    "https://192.168.1.1/",
    "https://100.100.100.200/latest/meta-data/",
    "https://fcm.googleapis.com@10.0.0.5/fcm/send/x",
    "https://intranet.example/fcm.googleapis.com/fcm/send/x",
]


@pytest.mark.parametrize("endpoint", INTERNAL_ENDPOINTS)
def test_a_subscription_to_anything_but_a_push_service_is_refused_when_it_is_made(app, client, endpoint):
    signed_in(app, client)
    response = client.post("/api/v1/push/subscriptions", json=subscription(endpoint))
    assert response.status_code == 422
    assert response.json["errors"]["json"]["endpoint"] == ["推送地址不属于已知的推送服务，请使用浏览器自带的通知功能。"]
    english = client.post("/api/v1/push/subscriptions", json=subscription(endpoint),
                          headers={"Accept-Language": "en"})
    assert english.json["errors"]["json"]["endpoint"] == [
        "The push endpoint is not one of the known push services; use the browser's own notifications."]
    assert client.get("/api/v1/push/subscriptions").json["devices"] == []


def test_without_extra_hosts_even_the_local_fake_push_service_is_refused(app, client, monkeypatch):
    signed_in(app, client)
    assert client.post("/api/v1/push/subscriptions",
                       json=subscription("http://127.0.0.1/push/t")).status_code == 201  # the tests' extra
    monkeypatch.setitem(app.config, "PUSH_EXTRA_HOSTS", "")
    response = client.post("/api/v1/push/subscriptions", json=subscription("http://127.0.0.1/push/u"))
    assert response.status_code == 422 and "endpoint" in response.json["errors"]["json"]


def test_devices_need_a_signed_in_person(client):
    assert client.get("/api/v1/push/subscriptions").status_code == 401
    assert client.post("/api/v1/push/subscriptions", json=subscription()).status_code == 401


# --- Inbox ------------------------------------------------------------------------------------

def test_each_notification_lands_in_the_inbox_with_an_unread_count(app, client):
    user = signed_in(app, client)
    notify(user, "accepted")
    notify(user, "supplement_requested")
    run_worker(app)
    inbox = client.get("/api/v1/inbox", headers={"Accept-Language": "en"}).json
    assert inbox["unread"] == 2
    assert [n["kind"] for n in inbox["notifications"]] == ["supplement_requested", "case_accepted"]
    assert inbox["notifications"][0]["title"] == rules.KINDS["supplement_requested"].title.en
    assert inbox["notifications"][0]["urgency"] == "high"
    assert client.get("/api/v1/inbox/unread-count").json == {"unread": 2}


def test_the_inbox_title_follows_the_language_of_the_request(app, client):
    user = signed_in(app, client)
    notify(user, "approved")
    run_worker(app)
    assert client.get("/api/v1/inbox").json["notifications"][0]["title"] == rules.KINDS["case_approved"].title.zh


def test_marking_read_lowers_the_unread_count(app, client):
    user = signed_in(app, client)
    notify(user, "accepted")
    notify(user, "approved")
    run_worker(app)
    first = client.get("/api/v1/inbox").json["notifications"][0]
    read = client.post(f"/api/v1/inbox/{first['id']}/read")
    assert read.status_code == 200 and read.json["read_at"] is not None
    assert client.get("/api/v1/inbox/unread-count").json == {"unread": 1}
    assert client.post("/api/v1/inbox/read-all").json == {"unread": 0}
    assert client.get("/api/v1/inbox/unread-count").json == {"unread": 0}


def test_the_inbox_pages_back_with_before(app, client):
    user = signed_in(app, client)
    for to in ("accepted", "supplement_requested", "approved"):
        notify(user, to)
    run_worker(app)
    page = client.get("/api/v1/inbox?limit=2").json["notifications"]
    rest = client.get(f"/api/v1/inbox?limit=2&before={page[-1]['id']}").json["notifications"]
    assert [n["kind"] for n in page + rest] == ["case_approved", "supplement_requested", "case_accepted"]


def test_no_one_reads_or_marks_another_persons_inbox(app, client):
    user = signed_in(app, client)
    notify(user)
    run_worker(app)
    [mine] = client.get("/api/v1/inbox").json["notifications"]
    other, _ = another_client(app)
    assert other.get("/api/v1/inbox").json == {"notifications": [], "unread": 0}
    assert other.post(f"/api/v1/inbox/{mine['id']}/read", headers={"X-OneThing-CSRF": "1"}).status_code == 404
    assert client.get("/api/v1/inbox/unread-count").json == {"unread": 1}


def test_a_qr_login_tells_the_resident_of_a_new_sign_in(app, client):
    user = signed_in(app, client)
    record_event(db.session, "login", actor_user_id=user.id, subject_user_id=user.id, method="qr",
                 device="Chrome on Windows", place="Hangzhou")
    db.session.commit()
    run_worker(app)
    [item] = client.get("/api/v1/inbox").json["notifications"]
    assert item["kind"] == "new_sign_in" and item["link"] == "/app/settings" and item["urgency"] == "high"


# --- Preferences ------------------------------------------------------------------------------

def test_preferences_default_to_every_kind_on_push_with_sms_fallback(app, client):
    signed_in(app, client)
    prefs = client.get("/api/v1/notifications/preferences").json
    assert set(prefs["kinds"]) == set(rules.KINDS) and set(prefs["channels"]) == {"push", "sms"}
    assert prefs["quiet_hours"] is None
    assert {k["kind"] for k in prefs["available_kinds"] if not k["can_turn_off"]} == {"new_sign_in"}


def test_a_kind_turned_off_makes_no_inbox_entry_but_a_new_sign_in_always_does(app, client):
    user = signed_in(app, client)
    saved = client.put("/api/v1/notifications/preferences", json={
        "kinds": ["case_approved"], "channels": ["push"], "quiet_hours": {"start": "22:00:00", "end": "07:00"}})
    assert saved.status_code == 200
    assert saved.json["quiet_hours"] == {"start": "22:00", "end": "07:00"} and saved.json["channels"] == ["push"]
    notify(user, "accepted")
    record_event(db.session, "login", subject_user_id=user.id, method="oidc")
    db.session.commit()
    run_worker(app)
    assert [n.kind for n in db.session.scalars(select(Notification))] == ["new_sign_in"]


def test_bad_preferences_get_field_errors(app, client):
    signed_in(app, client)
    unknown = client.put("/api/v1/notifications/preferences", json={"kinds": ["gossip"], "channels": ["push"]})
    assert unknown.status_code == 422
    bad_time = client.put("/api/v1/notifications/preferences", json={
        "kinds": [], "channels": [], "quiet_hours": {"start": "10pm", "end": "07:00"}})
    assert bad_time.status_code == 422 and "quiet_hours.start" in str(bad_time.json)


# --- Polling fallback -------------------------------------------------------------------------

def test_polling_returns_only_my_events_after_the_given_id(app, client):
    user = signed_in(app, client)
    _, other = another_client(app)
    notify(user, "accepted")
    notify(other, "accepted")
    notify(user, "approved")
    everything = client.get("/api/v1/events").json
    assert [e["data"]["to"] for e in everything["events"]] == ["accepted", "approved"]
    later = client.get(f"/api/v1/events?after={everything['events'][0]['id']}").json
    assert [e["data"]["to"] for e in later["events"]] == ["approved"]
    assert later["last_id"] == everything["events"][1]["id"]
    assert client.get(f"/api/v1/events?after={later['last_id']}").json == {"events": [], "last_id": later["last_id"]}
