"""Kiosk QR login with two browsers: the hall kiosk shows a code, the resident's phone approves it."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from tests.browser.conftest import LiveServer, assert_accessible, wait_for_app

pytestmark = pytest.mark.browser


def test_the_phone_signs_the_kiosk_in_and_the_kiosk_signs_out_when_idle(
        server: LiveServer, new_desktop_context: Callable[[], BrowserContext],
        signed_in_page: Callable[..., Page]) -> None:
    kiosk = new_desktop_context().new_page()
    kiosk.clock.install()
    kiosk.goto("/kiosk")
    wait_for_app(kiosk)
    code = kiosk.locator("ot-qr")
    expect(code.locator("svg[role=img]")).to_be_visible()
    assert_accessible(kiosk)
    link, digits = code.get_attribute("value"), kiosk.locator(".kiosk__digits").inner_text()
    assert link and link.startswith(server.url + "/app/qr/")

    phone = signed_in_page("liuxiuying")
    phone.goto("/app/scan")
    wait_for_app(phone)
    assert_accessible(phone)
    phone.get_by_label("二维码链接或编码").fill(link)  # headless Chromium has no camera: the typed fallback
    phone.get_by_role("button", name="打开").click()
    expect(phone.locator("h1")).to_have_text("确认在其他设备上登录")
    expect(kiosk.locator("main [role=status]")).to_have_text("已扫码，请在手机上选择数字并确认。")
    assert_accessible(phone)
    phone.get_by_role("button", name=digits, exact=True).click()
    expect(phone.locator("h1")).to_have_text("已登录")

    expect(kiosk.get_by_role("button", name="退出")).to_be_visible(timeout=15000)  # the kiosk took its own session
    assert kiosk.request.get("/api/v1/me").json()["name"] == "刘秀英"

    expect(kiosk.locator("html[data-kiosk-idle=watching]")).to_have_count(1)  # its timer is set (loaded lazily)
    kiosk.clock.fast_forward("01:35")
    warning = kiosk.get_by_role("alertdialog")
    expect(warning).to_contain_text("秒后将自动退出")
    assert_accessible(kiosk)
    kiosk.clock.run_for("00:31")  # every tick of the countdown
    expect(kiosk.locator("h1")).to_have_text("用手机扫码登录", timeout=15000)
    assert kiosk.request.get("/api/v1/me").status == 401
    assert set(kiosk.evaluate("() => Object.keys(localStorage)")) <= {"lang"}  # nothing of hers is left
