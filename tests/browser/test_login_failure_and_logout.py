"""Against the real identity provider: a failed sign-in lands on a page that says so; signing out
forgets the browser's copies and ends the session at the provider, which brings the person home."""

from __future__ import annotations

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from tests.browser.conftest import assert_accessible, wait_for_app
from tests.browser.test_login import LoginWorld, phone, world  # noqa: F401  (fixtures shared with the sign-in test)

pytestmark = pytest.mark.browser

STORE = """async () => {
  const src = document.querySelector('script[type=module]').src.replace(/app\\.js$/, 'store.js');
  return import(src);
}"""


def sign_in(page: Page, where: LoginWorld, persona: str) -> None:
    page.goto(f"{where.bff_url}/auth/login?next=/app/settings")
    page.locator(f'button[data-persona="{persona}"]').click()
    page.wait_for_url(f"{where.bff_url}/app/settings")
    wait_for_app(page)


def test_cancelling_at_the_provider_shows_a_page_that_says_so(world: LoginWorld, phone: BrowserContext) -> None:  # noqa: F811
    page = phone.new_page()
    page.goto(f"{world.bff_url}/auth/login?next=/")
    page.locator('button[value="__deny__"]').click()
    page.wait_for_url(f"{world.bff_url}/app/login-failed?reason=provider_error")
    wait_for_app(page)
    expect(page.locator("h1")).to_have_text("登录没有完成")
    expect(page.get_by_text("您在统一身份认证页面取消了登录")).to_be_visible()
    expect(page.get_by_role("link", name="重新登录")).to_be_visible()
    assert_accessible(page)


def test_a_callback_opened_again_explains_the_sign_in_expired(world: LoginWorld, phone: BrowserContext) -> None:  # noqa: F811
    page = phone.new_page()
    page.goto(f"{world.bff_url}/auth/callback?code=used&state=old")
    expect(page).to_have_url(f"{world.bff_url}/app/login-failed?reason=login_expired")
    expect(page.get_by_text("这次登录已过期或已经用过")).to_be_visible()
    api = page.request.get(f"{world.bff_url}/auth/callback?code=used&state=old", headers={"Accept": "application/json"})
    assert api.status == 400 and api.json()["reason"] == "login_expired"  # API clients keep the JSON envelope


def test_signing_out_clears_local_drafts_and_ends_the_session_at_the_provider(
        world: LoginWorld, phone: BrowserContext) -> None:  # noqa: F811
    page = phone.new_page()
    sign_in(page, world, "wangfang")
    page.evaluate("async () => { const s = await (" + STORE + ")(); await s.set('pending:YJ1', {a: 1}); }")
    visited: list[str] = []
    page.on("request", lambda request: visited.append(request.url) if request.is_navigation_request() else None)

    page.get_by_role("banner").get_by_role("button", name="退出").click()
    page.wait_for_url(f"{world.bff_url}/")
    wait_for_app(page)
    assert any(url.startswith(f"{world.idp_url}/end_session") for url in visited), visited
    assert page.request.get(f"{world.bff_url}/api/v1/me").status == 401
    left = page.evaluate("async () => { const s = await (" + STORE + ")(); return s.entries(''); }")
    assert left == []
