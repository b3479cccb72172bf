"""A signed-in kiosk says who is signed in (masked), how long until it signs out by itself, and offers
to sign out, with no scanner entry; a login refused on the phone, or a code that ran out while the
resident was confirming, is announced before a new code."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from bff.extensions import db
from bff.services.demo import seed_demo_kiosk
from bff.store.models import User
from tests.browser.conftest import LiveServer, assert_accessible, wait_for_app
from tests.factories import create_user

pytestmark = pytest.mark.browser

WORDS = {
    "zh-CN": {"who": "已登录：刘**", "idle": r"^无操作 (2:00|1:5\d) 后自动退出$", "later": r"^无操作 1:[0-3]\d 后自动退出$",
              "sign_out": "退出", "scan": "扫一扫", "title": "用手机扫码登录", "not_me": "不是我，拒绝登录",
              "refused": "手机上已拒绝登录，本机未登录。", "scanned": "已扫码，请在手机上选择数字并确认。",
              "expired": "二维码已过期，本机未登录。"},
    "en": {"who": "Signed in: 刘**", "idle": r"^Signs out after (2:00|1:5\d) without activity$",
           "later": r"^Signs out after 1:[0-3]\d without activity$", "sign_out": "Sign out", "scan": "Scan",
           "title": "Sign in with your phone", "not_me": "Not me, refuse",
           "refused": "The sign-in was refused on the phone; this kiosk is not signed in.",
           "scanned": "Scanned. Pick the number on your phone and confirm.",
           "expired": "The code expired; this kiosk is not signed in."},
}


def kiosk_showing_a_code(server: LiveServer, context: BrowserContext, language: str, *, clock: bool) -> Page:
    credential = seed_demo_kiosk(db.session, secret_key=server.app.config["SECRET_KEY"])
    kiosk = context.new_page()
    if clock:
        kiosk.clock.install()
    kiosk.goto(f"/kiosk#kiosk-credential={credential}")
    wait_for_app(kiosk)
    if language == "en":
        kiosk.get_by_role("button", name="English").click()
    expect(kiosk.locator("h1")).to_have_text(WORDS[language]["title"])
    expect(kiosk.locator("ot-qr svg[role=img]")).to_be_visible()
    return kiosk


def phone_opening(server: LiveServer, signed_in_page: Callable[..., Page], kiosk: Page, language: str) -> Page:
    user = create_user("liuxiuying")
    db.session.query(User).filter_by(id=user.id).update({"language": language})
    db.session.commit()
    phone = signed_in_page("liuxiuying")
    link = kiosk.locator("ot-qr").get_attribute("value") or ""
    phone.goto(link.removeprefix(server.url))
    wait_for_app(phone)
    return phone


@pytest.mark.parametrize("language", ["zh-CN", "en"])
def test_the_signed_in_kiosk_shows_the_masked_name_the_idle_countdown_and_sign_out(
        server: LiveServer, new_desktop_context: Callable[[], BrowserContext],
        signed_in_page: Callable[..., Page], language: str) -> None:
    words = WORDS[language]
    kiosk = kiosk_showing_a_code(server, new_desktop_context(), language, clock=True)
    digits = kiosk.locator(".kiosk__digits").inner_text()
    phone = phone_opening(server, signed_in_page, kiosk, language)
    phone.get_by_role("button", name=digits, exact=True).click()

    bar = kiosk.get_by_role("complementary")
    expect(bar.get_by_text(words["who"])).to_be_visible(timeout=15000)
    expect(bar.get_by_role("timer")).to_have_text(re.compile(words["idle"]))  # 1:30 idle + the 0:30 warning
    expect(kiosk.get_by_text("刘秀英")).to_have_count(0)  # the screen faces a hall: never the full name
    expect(kiosk.get_by_role("navigation").get_by_role("link", name=words["scan"])).to_have_count(0)
    expect(kiosk.get_by_role("button", name=words["sign_out"])).to_have_count(1)
    assert_accessible(kiosk)
    kiosk.clock.fast_forward("00:30")
    expect(bar.get_by_role("timer")).to_have_text(re.compile(words["later"]))

    bar.get_by_role("button", name=words["sign_out"]).click()
    expect(kiosk.locator("h1")).to_have_text(WORDS["zh-CN"]["title"], timeout=15000)  # the next person starts afresh
    assert kiosk.request.get("/api/v1/me").status == 401


@pytest.mark.parametrize("language", ["zh-CN", "en"])
def test_a_login_refused_on_the_phone_is_announced_before_a_new_code(
        server: LiveServer, new_desktop_context: Callable[[], BrowserContext],
        signed_in_page: Callable[..., Page], language: str) -> None:
    words = WORDS[language]
    kiosk = kiosk_showing_a_code(server, new_desktop_context(), language, clock=False)
    first = kiosk.locator("ot-qr").get_attribute("value")
    phone = phone_opening(server, signed_in_page, kiosk, language)
    phone.get_by_role("button", name=words["not_me"]).click()

    alert = kiosk.get_by_role("alert")
    expect(alert).to_contain_text(words["refused"])
    expect(kiosk.locator("ot-qr")).to_be_hidden()  # no new code while the refusal is read out
    assert_accessible(kiosk)
    expect(kiosk.locator("ot-qr svg[role=img]")).to_be_visible(timeout=15000)
    assert kiosk.locator("ot-qr").get_attribute("value") != first
    expect(kiosk.get_by_role("alert")).to_have_count(0)


@pytest.mark.parametrize("language", ["zh-CN", "en"])
def test_a_code_that_expires_while_the_phone_confirms_is_announced_not_silently_replaced(
        server: LiveServer, new_desktop_context: Callable[[], BrowserContext],
        signed_in_page: Callable[..., Page], language: str) -> None:
    words = WORDS[language]
    kiosk = kiosk_showing_a_code(server, new_desktop_context(), language, clock=True)
    first = kiosk.locator("ot-qr").get_attribute("value")
    phone_opening(server, signed_in_page, kiosk, language)  # scanned; she has not picked the number yet
    expect(kiosk.locator("main [role=status]")).to_have_text(words["scanned"])
    kiosk.clock.fast_forward("01:50")  # past the usual renewal: kept while she confirms
    assert kiosk.locator("ot-qr").get_attribute("value") == first
    expect(kiosk.get_by_role("alert")).to_have_count(0)
    kiosk.clock.fast_forward("00:15")  # past its 120 s
    expect(kiosk.get_by_role("alert")).to_contain_text(words["expired"])
    expect(kiosk.locator("ot-qr")).to_be_hidden()
    assert_accessible(kiosk)
    expect(kiosk.locator("ot-qr svg[role=img]")).to_be_visible(timeout=15000)
    assert kiosk.locator("ot-qr").get_attribute("value") != first
