"""Signing in through the real login page: the PWA → /auth/login → the identity provider's page → back.

The BFF and the development identity provider each run on their own socket; Chromium follows the
real redirects, so this covers the same path a resident takes (PKCE, state, nonce, session cookie).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from flask import Flask
from playwright.sync_api import BrowserContext, Page, expect
from werkzeug.serving import make_server

from auth.devidp import create_devidp_app, make_devidp_server
from bench.harness import free_port
from bff.app import create_app
from bff.cli import demo_persona_dicts
from tests.browser.conftest import assert_accessible

pytestmark = pytest.mark.browser
CLIENT_ID, CLIENT_SECRET = "onething", "onething-dev-secret"


@dataclass
class LoginWorld:
    bff_url: str
    idp_url: str
    app: Flask


def _serve(server: Any) -> threading.Thread:
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return thread


@pytest.fixture
def world(app: Flask, base_config: dict[str, Any]) -> Iterator[LoginWorld]:
    bff_port = free_port()
    bff_url = f"http://127.0.0.1:{bff_port}"
    idp_app = create_devidp_app(demo_persona_dicts(), issuer="http://pending", client_id=CLIENT_ID,
                                client_secret=CLIENT_SECRET, redirect_uris=[f"{bff_url}/auth/callback"],
                                post_logout_redirect_uris=[f"{bff_url}/"])
    idp_server = make_devidp_server(idp_app, "127.0.0.1", 0)
    idp_url = f"http://127.0.0.1:{idp_server.server_port}"
    idp_app.extensions["devidp"].issuer = idp_url
    bff_app = create_app({**base_config, "OIDC_ISSUER": idp_url, "PUBLIC_URL": bff_url})
    bff_server = make_server("127.0.0.1", bff_port, bff_app, threaded=True)
    threads = [_serve(idp_server), _serve(bff_server)]
    yield LoginWorld(bff_url, idp_url, bff_app)
    for server in (bff_server, idp_server):
        server.shutdown()
        server.server_close()
    for thread in threads:
        thread.join(timeout=5)


@pytest.fixture
def phone(new_context: Any) -> BrowserContext:
    return new_context()  # a Pixel 7 (see tests/browser/conftest.py), closed by pytest-playwright


def test_a_resident_signs_in_through_the_real_login_page_and_lands_back_where_she_started(
        world: LoginWorld, phone: BrowserContext) -> None:
    page: Page = phone.new_page()
    page.goto(f"{world.bff_url}/app/bundles/birth")
    page.goto(f"{world.bff_url}/auth/login?next=/app/bundles/birth")

    expect(page).to_have_url(re.compile("^" + re.escape(world.idp_url)))
    expect(page.get_by_text("王芳")).to_be_visible()
    page.locator('button[data-persona="wangfang"]').click()

    page.wait_for_url(f"{world.bff_url}/app/bundles/birth")
    me = page.request.get(f"{world.bff_url}/api/v1/me")
    assert me.ok
    profile = me.json()
    assert profile["name"] == "王芳"
    assert "*" in profile["id_number"], "the ID number is masked even for its owner"
    cookies = {c["name"]: c for c in phone.cookies(world.bff_url)}
    session = cookies[world.app.config["SESSION_COOKIE_NAME"]]
    assert session["httpOnly"] and session["sameSite"] == "Lax"
    assert_accessible(page)


def test_cancelling_on_the_login_page_leaves_the_resident_signed_out(
        world: LoginWorld, phone: BrowserContext) -> None:
    page = phone.new_page()
    page.goto(f"{world.bff_url}/auth/login?next=/")
    page.locator('button[value="__deny__"]').click()
    page.wait_for_url(lambda url: url.startswith(world.bff_url))  # type: ignore[arg-type]
    assert page.request.get(f"{world.bff_url}/api/v1/me").status == 401
