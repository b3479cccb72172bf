"""Signing in and out through the development identity provider, over real HTTP."""

from __future__ import annotations

import json
import re
import secrets
from html import escape
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from sqlalchemy import select, text

from bff.app import create_app
from bff.demo import persona
from bff.extensions import db
from bff.store.models import Event, RoleGrant, User
from tests.auth.conftest import PUBLIC_URL, RunningProvider
from tests.auth.flows import choose_persona, log_in, return_to_bff, start_login


def session_cookie(browser, app):
    return browser.get_cookie(app.config["SESSION_COOKIE_NAME"])


def events_named(name):
    return db.session.scalars(select(Event).where(Event.name == name).order_by(Event.id)).all()


def test_a_resident_logs_in_through_the_provider_and_returns_where_they_were_going(app, client):
    response = log_in(client, "zhangwei", next_url="/app/applications?tab=open")

    assert response.status_code == 302
    assert response.headers["Location"] == "/app/applications?tab=open"
    me = client.get("/api/v1/me").get_json()
    assert me["name"] == "张伟"
    assert me["roles"] == ["resident"]
    assert me["session"]["kind"] == "browser"


def test_the_profile_masks_the_id_number_and_mobile(app, client):
    log_in(client, "zhangwei")

    me = client.get("/api/v1/me").get_json()

    who = persona("zhangwei")
    assert me["id_number"] == who.id_number[:6] + "********" + who.id_number[-4:]
    assert re.fullmatch(r"\d{6}\*{8}\d{3}[\dX]", me["id_number"])
    assert me["mobile"] == "138****0001"
    assert who.id_number not in json.dumps(me)


def test_the_id_number_is_encrypted_at_rest_with_a_keyed_hash_for_lookups(app, client):
    log_in(client, "zhangwei")

    stored = db.session.execute(text("SELECT id_number, id_number_hash FROM users")).one()
    assert stored.id_number.startswith("v1.")
    assert persona("zhangwei").id_number not in stored.id_number
    assert len(stored.id_number_hash) == 64


def test_the_browser_holds_only_an_opaque_httponly_lax_session_cookie(app, client):
    response = log_in(client, "zhangwei")

    cookie_header = next(h for h in response.headers.getlist("Set-Cookie") if h.startswith("onething_session="))
    assert "HttpOnly" in cookie_header
    assert "SameSite=Lax" in cookie_header
    assert "Path=/" in cookie_header
    sid = session_cookie(client, app).value
    assert "." not in sid  # not a JWT
    record = app.extensions["sessions"].get(sid, touch=False)
    assert record.tokens["access_token"]  # the tokens stay on the server
    assert record.tokens["access_token"] not in client.get("/api/v1/me").get_data(as_text=True)
    assert "id_token" not in record.tokens  # validated, then dropped: it carries the ID number
    assert persona("zhangwei").id_number not in str(app.extensions["redis"].hgetall(f"sess:{sid}"))


def test_the_authorization_request_uses_pkce_s256_with_a_fresh_state_and_nonce(app, client, provider):
    first = parse_qs(urlsplit(start_login(client)).query)
    second = parse_qs(urlsplit(start_login(client)).query)

    assert first["code_challenge_method"] == ["S256"]
    assert len(first["code_challenge"][0]) >= 43
    assert first["scope"][0].split() == ["openid", "profile", "phone"]
    assert first["redirect_uri"] == [f"{PUBLIC_URL}/auth/callback"]
    for key in ("state", "nonce", "code_challenge"):
        assert first[key] != second[key]


def test_the_pending_login_lives_in_redis_under_an_httponly_cookie_not_in_a_flask_session(app, client):
    response = client.get("/auth/login")

    login_cookie = next(h for h in response.headers.getlist("Set-Cookie") if h.startswith("onething_login="))
    assert "HttpOnly" in login_cookie
    assert not any(h.startswith("session=") for h in response.headers.getlist("Set-Cookie"))
    login_id = client.get_cookie("onething_login").value
    assert app.extensions["redis"].get(f"oidc-login:{login_id}") is not None


def test_the_login_is_recorded_as_an_event_without_personal_data(app, client):
    log_in(client, "zhangwei")

    [login] = events_named("login")
    user = db.session.scalar(select(User).where(User.subject == "zhangwei"))
    assert login.subject_user_id == user.id
    assert login.data["method"] == "oidc"
    assert login.data["device"] == "Chrome on Android"
    assert persona("zhangwei").id_number not in json.dumps(login.data)
    assert persona("zhangwei").mobile not in json.dumps(login.data)


def test_users_are_keyed_by_issuer_and_subject_so_a_second_login_updates_the_same_user(app, client):
    log_in(client, "zhangwei")
    log_in(client, "zhangwei")

    users = db.session.scalars(select(User).where(User.subject == "zhangwei")).all()
    assert len(users) == 1
    assert users[0].issuer == app.config["OIDC_ISSUER"]


@pytest.mark.parametrize("offsite", ["https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:alert(1)"])
def test_a_next_address_off_this_site_is_replaced_by_the_home_page(app, client, offsite):
    response = log_in(client, "zhangwei", next_url=offsite)

    assert response.headers["Location"] == "/"


def test_a_replayed_callback_is_refused_with_a_clear_message(app, client):
    authorization = choose_persona(start_login(client), "zhangwei")
    assert return_to_bff(client, authorization.callback).status_code == 302

    replay = return_to_bff(client, authorization.callback)

    assert replay.status_code == 400
    assert replay.get_json()["reason"] == "login_expired"
    assert "重新登录" in replay.get_json()["message"]


def test_a_callback_whose_state_does_not_match_is_refused_and_the_login_is_used_up(app, client):
    authorization = choose_persona(start_login(client), "zhangwei")
    forged = authorization.callback.replace(authorization.params["state"], "forged-state")

    refused = return_to_bff(client, forged)
    genuine_afterwards = return_to_bff(client, authorization.callback)

    assert refused.status_code == 400
    assert refused.get_json()["reason"] == "state_mismatch"
    assert genuine_afterwards.get_json()["reason"] == "login_expired"
    assert client.get("/api/v1/me").status_code == 401


def test_a_callback_carried_into_another_browser_is_refused(app, client, kiosk):
    authorization = choose_persona(start_login(client), "zhangwei")

    stolen = return_to_bff(kiosk, authorization.callback)

    assert stolen.status_code == 400
    assert stolen.get_json()["reason"] == "login_expired"
    assert kiosk.get("/api/v1/me").status_code == 401


def test_an_id_token_whose_nonce_is_not_the_one_sent_is_refused(app, client):
    authorization = choose_persona(start_login(client), "zhangwei")
    redis = app.extensions["redis"]
    key = f"oidc-login:{client.get_cookie('onething_login').value}"
    pending = json.loads(redis.get(key))
    redis.set(key, json.dumps({**pending, "nonce": "a-nonce-this-login-never-sent"}))

    refused = return_to_bff(client, authorization.callback)

    assert refused.status_code == 400
    assert refused.get_json()["reason"] == "nonce_mismatch"
    assert client.get("/api/v1/me").status_code == 401


def test_a_provider_announcing_another_issuer_is_refused(base_config):
    impostor = RunningProvider(announced_issuer="https://login.somewhere-else.example")
    try:
        app = create_app({**base_config, "OIDC_ISSUER": impostor.url, "PUBLIC_URL": PUBLIC_URL})
        browser = app.test_client()

        response = browser.get("/auth/login", headers={"Accept-Language": "en"})

        assert response.status_code == 400
        assert response.get_json()["reason"] == "issuer_mismatch"
        assert "identity provider we do not trust" in response.get_json()["message"]
    finally:
        impostor.stop()


def test_cancelling_at_the_provider_explains_that_the_sign_in_did_not_finish(app, client):
    authorize_url = start_login(client)
    answer = requests.post(authorize_url, data={"persona": "__deny__"}, allow_redirects=False, timeout=10)
    callback = urlsplit(answer.headers["Location"])

    response = client.get(f"{callback.path}?{callback.query}", headers={"Accept-Language": "en"})

    assert response.status_code == 400
    assert response.get_json()["reason"] == "provider_error"
    assert "did not complete" in response.get_json()["message"]


def test_an_officer_gets_the_role_and_department_from_the_provider_claims(app, client):
    log_in(client, "officer-health")

    me = client.get("/api/v1/me").get_json()

    assert me["roles"] == ["officer"]
    assert me["department"] == "health"


def test_an_admin_maintained_role_grant_is_added_to_the_claimed_roles(app, client):
    db.session.add(RoleGrant(issuer=app.config["OIDC_ISSUER"], subject="zhangwei", role="staff"))
    db.session.commit()

    log_in(client, "zhangwei")

    assert client.get("/api/v1/me").get_json()["roles"] == ["resident", "staff"]


def test_signing_in_again_in_the_same_browser_rotates_the_session(app, client):
    log_in(client, "zhangwei")
    first = session_cookie(client, app).value

    log_in(client, "wangfang")

    assert session_cookie(client, app).value != first
    assert app.extensions["sessions"].get(first) is None
    assert client.get("/api/v1/me").get_json()["name"] == "王芳"


def test_logout_ends_the_session_here_and_gives_the_providers_end_session_url(app, client, provider):
    log_in(client, "zhangwei")

    response = client.post("/auth/logout")

    assert response.status_code == 200
    end_session_url = response.get_json()["end_session_url"]
    assert end_session_url.startswith(f"{provider.url}/end_session?")
    assert "id_token_hint" not in end_session_url
    assert client.get("/api/v1/me").status_code == 401
    at_provider = requests.get(end_session_url, allow_redirects=False, timeout=10)
    assert at_provider.status_code == 302
    assert at_provider.headers["Location"] == f"{PUBLIC_URL}/"
    assert [e.name for e in events_named("logout")] == ["logout"]


def test_logout_without_the_pwas_csrf_header_is_forbidden(app, client):
    log_in(client, "zhangwei")

    response = client.post("/auth/logout", csrf=False)

    assert response.status_code == 403
    assert client.get("/api/v1/me").status_code == 200


def test_the_login_page_offers_every_persona_who_can_log_in_in_both_languages(provider):
    from bff.demo import personas

    logged_in = [p for p in personas() if p.can_log_in]
    app_page = provider.app.test_client().get(
        "/authorize", query_string={"response_type": "code", "client_id": "onething", "scope": "openid", "state": "s",
                                    "redirect_uri": f"{PUBLIC_URL}/auth/callback", "nonce": secrets.token_urlsafe(16)})
    html = app_page.get_data(as_text=True)
    for who in logged_in:
        assert f'value="{who.key}"' in html
        assert escape(who.name) in html and escape(who.name_en) in html
    assert 'value="chenguohua"' not in html  # the deceased cannot sign in
    assert "选择登录身份" in html and "Choose who to sign in as" in html


def test_a_readable_signed_in_hint_follows_the_session_and_holds_nothing_else(app, client):
    login = log_in(client, "zhangwei")

    hint = next(h for h in login.headers.getlist("Set-Cookie") if h.startswith("onething_signed_in="))
    assert hint.startswith("onething_signed_in=1;") and "HttpOnly" not in hint and "SameSite=Lax" in hint
    assert client.get_cookie("onething_signed_in").value == "1"
    logout = client.post("/auth/logout")
    assert any(h.startswith("onething_signed_in=;") for h in logout.headers.getlist("Set-Cookie"))
    assert client.get_cookie("onething_signed_in") is None


def test_a_stale_hint_is_cleared_and_a_missing_one_restored(app, client):
    client.set_cookie("onething_signed_in", "1")  # the session behind it has ended
    assert client.get("/api/v1/bundles").status_code == 200
    assert client.get_cookie("onething_signed_in") is None

    log_in(client, "zhangwei")
    client.delete_cookie("onething_signed_in")  # a session from before the hint existed
    assert client.get("/api/v1/me").status_code == 200
    assert client.get_cookie("onething_signed_in").value == "1"


def test_signing_in_again_over_a_stale_hint_keeps_the_new_one(app, client):
    client.set_cookie("onething_signed_in", "1")  # left from a session that has ended
    callback = log_in(client, "zhangwei")
    hints = [h for h in callback.headers.getlist("Set-Cookie") if h.startswith("onething_signed_in=")]
    assert len(hints) == 1 and hints[0].startswith("onething_signed_in=1;")  # set, not set then cleared
