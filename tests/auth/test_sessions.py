"""Sessions: idle and absolute expiry, "my sessions", revocation, CSRF and preferences."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import select

from bff import config as config_module
from bff.extensions import db
from bff.store.models import Event, User
from tests.api.test_config import SAFE as PRODUCTION  # kept complete by the production-config tests
from tests.auth.conftest import new_browser
from tests.auth.flows import log_in
from tests.factories import create_user, sign_in


def signed_in(client):
    return client.get("/api/v1/me").status_code == 200


def test_a_resident_session_survives_29_idle_minutes_but_not_31(app, client, clock):
    log_in(client, "zhangwei")

    clock.advance(minutes=29)
    assert signed_in(client)
    clock.advance(minutes=31)
    assert not signed_in(client)


def test_staff_and_officer_sessions_end_after_15_idle_minutes(app, client, clock):
    log_in(client, "zhoumin")
    officer = new_browser(app)
    log_in(officer, "officer-health")

    clock.advance(minutes=16)

    assert not signed_in(client)
    assert not signed_in(officer)


def test_a_busy_session_still_ends_12_hours_after_it_began(app, client, clock):
    log_in(client, "zhangwei")

    for _ in range(35):  # active every 20 minutes: never idle, 11 h 40 min in all
        clock.advance(minutes=20)
        assert signed_in(client)
    clock.advance(minutes=21)

    assert not signed_in(client)


def test_an_expired_session_answers_401_in_the_error_envelope(app, client, clock):
    log_in(client, "zhangwei")
    clock.advance(minutes=31)

    response = client.get("/api/v1/me", headers={"Accept-Language": "en"})

    assert response.status_code == 401
    assert response.get_json()["message"] == "Please sign in first."


def test_my_sessions_lists_device_place_and_last_seen_with_the_current_one_marked(app, client):
    log_in(client, "zhangwei")
    laptop = new_browser(app)
    log_in(laptop, "zhangwei")

    listed = client.get("/api/v1/me/sessions").get_json()["sessions"]

    assert len(listed) == 2
    assert sorted(s["current"] for s in listed) == [False, True]
    for item in listed:
        assert item["device"] == "Chrome on Android"
        assert item["place"] == "127.0.0.*"
        assert item["last_seen"] and item["created_at"]
        assert len(item["id"]) == 16
    sid = client.get_cookie(app.config["SESSION_COOKIE_NAME"]).value
    assert all(sid[:8] not in item["id"] for item in listed)  # handles, never the secret id


def test_revoking_one_session_signs_that_device_out_only(app, client):
    log_in(client, "zhangwei")
    laptop = new_browser(app)
    log_in(laptop, "zhangwei")
    other = next(s for s in client.get("/api/v1/me/sessions").get_json()["sessions"] if not s["current"])

    response = client.delete(f"/api/v1/me/sessions/{other['id']}")

    assert response.status_code == 204
    assert not signed_in(laptop)
    assert signed_in(client)
    [revoked] = db.session.scalars(select(Event).where(Event.name == "session_revoked")).all()
    assert revoked.data == {"session": other["id"], "by": "self"}


def test_signing_out_everywhere_else_keeps_this_session(app, client):
    log_in(client, "zhangwei")
    others = [new_browser(app), new_browser(app)]
    for browser in others:
        log_in(browser, "zhangwei")

    response = client.delete("/api/v1/me/sessions")

    assert response.get_json() == {"revoked": 2}
    assert signed_in(client)
    assert not any(signed_in(b) for b in others)


def test_one_person_can_neither_list_nor_revoke_another_persons_sessions(app, client):
    log_in(client, "zhangwei")
    intruder = new_browser(app)
    log_in(intruder, "wangfang")
    victims = client.get("/api/v1/me/sessions").get_json()["sessions"]

    listed_by_intruder = intruder.get("/api/v1/me/sessions").get_json()["sessions"]
    attempt = intruder.delete(f"/api/v1/me/sessions/{victims[0]['id']}")

    assert {s["id"] for s in listed_by_intruder}.isdisjoint({s["id"] for s in victims})
    assert attempt.status_code == 404
    assert signed_in(client)


def test_state_changing_calls_without_the_csrf_header_are_forbidden(app, client):
    log_in(client, "zhangwei")

    for method, path in [("PATCH", "/api/v1/me"), ("DELETE", "/api/v1/me/sessions"), ("POST", "/auth/logout")]:
        response = client.open(path, method=method, json={}, csrf=False)
        assert response.status_code == 403, path
    assert signed_in(client)


def test_preferences_are_saved_and_recorded(app, client):
    log_in(client, "liuxiuying")

    response = client.patch("/api/v1/me", json={"language": "en", "elder_mode": True})

    assert response.status_code == 200
    assert response.get_json()["language"] == "en"
    assert response.get_json()["elder_mode"] is True
    [updated] = db.session.scalars(select(Event).where(Event.name == "profile_updated")).all()
    assert updated.data == {"fields": ["elder_mode", "language"]}


def test_an_unknown_language_is_refused_with_a_field_error(app, client):
    log_in(client, "zhangwei")

    response = client.patch("/api/v1/me", json={"language": "fr"})

    assert response.status_code == 422
    assert "language" in response.get_json()["errors"]["json"]


def test_signed_out_callers_get_401_from_every_profile_route(app, client):
    for method, path in [("GET", "/api/v1/me"), ("PATCH", "/api/v1/me"), ("GET", "/api/v1/me/sessions"),
                         ("DELETE", "/api/v1/me/sessions")]:
        assert client.open(path, method=method, json={}).status_code == 401, path


def test_a_factory_signed_in_user_sees_their_own_profile(app, client):
    user = create_user("lijianguo")
    sign_in(app, client, user)

    assert client.get("/api/v1/me").get_json()["name"] == "李建国"
    assert db.session.get(User, user.id).name == "李建国"


def test_production_names_the_session_cookie_with_the_host_prefix(base_config):
    app = Flask("production-config-check")

    config_module.load_config(app, {**base_config, **PRODUCTION})

    assert app.config["SESSION_COOKIE_NAME"] == "__Host-onething_session"
    assert app.config["SESSION_COOKIE_SECURE"] is True


def test_in_production_every_identity_cookie_is_secure_and_host_prefixed(base_config, provider):
    from bff.app import create_app
    from bff.store import crypto

    production = create_app({**base_config, **PRODUCTION, "PUBLIC_URL": "https://onething.example.gov.cn"})
    # Production refuses an issuer on this machine and the development provider itself: here the
    # running provider stands in for the configured https one, to start a real sign-in.
    relying_party = production.extensions["oidc"]
    relying_party.issuer, relying_party.refuse_development_provider = provider.url, False
    try:
        browser = production.test_client()
        login = browser.get("/auth/login")
        ticket = browser.post("/api/v1/auth/qr-tickets", json={}, headers={"X-OneThing-CSRF": "1"})
    finally:
        crypto.configure(config_module.DEV_PII_KEY, config_module.DEV_PII_HASH_KEY)

    cookies = login.headers.getlist("Set-Cookie") + ticket.headers.getlist("Set-Cookie")
    assert [c.split("=")[0] for c in cookies] == ["__Host-onething_login", "__Host-onething_qr"]
    assert all("Secure" in c and "Path=/" in c and "HttpOnly" in c and "Domain" not in c for c in cookies)
    assert ticket.get_json()["qr_url"].startswith("https://onething.example.gov.cn/app/qr/")
