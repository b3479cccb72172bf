"""Kiosk QR login with two browsers: the hall kiosk shows a code, the resident's phone approves it."""

from __future__ import annotations

import http.client
import json
from collections.abc import Callable
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from bff.demo import DEMO_KIOSK_DEVICE, DEMO_KIOSK_HALL
from bff.extensions import db
from bff.services.demo import seed_demo_kiosk
from tests.browser.conftest import LiveServer, assert_accessible, wait_for_app

pytestmark = pytest.mark.browser


def test_the_phone_signs_the_kiosk_in_and_the_kiosk_signs_out_when_idle(
        server: LiveServer, new_desktop_context: Callable[[], BrowserContext],
        signed_in_page: Callable[..., Page]) -> None:
    credential = seed_demo_kiosk(db.session, secret_key=server.app.config["SECRET_KEY"])  # as `make run` does
    kiosk = new_desktop_context().new_page()
    kiosk.clock.install()
    kiosk.goto(f"/kiosk#kiosk-credential={credential}")  # the enrolment's setup link, opened once
    wait_for_app(kiosk)
    assert kiosk.evaluate("() => location.hash") == ""  # the credential leaves the address bar
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
    expect(phone.locator(".summary")).to_contain_text(f"{DEMO_KIOSK_HALL} {DEMO_KIOSK_DEVICE}")
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
    # Nothing of hers is left; the kiosk's own credential stays, so its next code still names the hall.
    assert set(kiosk.evaluate("() => Object.keys(localStorage)")) <= {"lang", "onething-kiosk-credential"}
    assert kiosk.evaluate("() => localStorage.getItem('onething-kiosk-credential')") == credential


def test_an_unregistered_device_is_named_so_on_the_phone_and_not_me_is_the_default(
        server: LiveServer, new_desktop_context: Callable[[], BrowserContext],
        signed_in_page: Callable[..., Page]) -> None:
    desktop = new_desktop_context().new_page()  # never enrolled: any browser opening /kiosk
    desktop.goto("/kiosk")
    wait_for_app(desktop)
    link = desktop.locator("ot-qr").get_attribute("value")
    assert link

    phone = signed_in_page("liuxiuying")
    phone.goto(link.removeprefix(server.url))
    wait_for_app(phone)

    expect(phone.locator("h1")).to_have_text("确认在其他设备上登录")
    summary = phone.locator(".summary")
    expect(summary).to_contain_text("未登记的设备")
    expect(summary).to_contain_text("127.0.0.0/24")  # the requester's network, masked
    expect(phone.get_by_role("button", name="不是我，拒绝登录")).to_be_focused()
    expect(phone.get_by_role("alert")).to_have_count(0)  # same network as the phone here: no alarm
    assert_accessible(phone)
    phone.keyboard.press("Enter")  # the default action refuses
    expect(phone.locator("h1")).to_have_text("已拒绝")


def test_the_phone_alerts_when_the_device_asking_is_on_another_network(
        server: LiveServer, signed_in_page: Callable[..., Page]) -> None:
    # The relaying attacker asks from elsewhere: here, another loopback network (127.0.1.0/24) than
    # the phone's browser (127.0.0.1), through a plain HTTP client as an attacker's script would.
    host, port = urlsplit(server.url).hostname, urlsplit(server.url).port
    connection = http.client.HTTPConnection(host, port, timeout=10, source_address=("127.0.1.1", 0))
    connection.request("POST", "/api/v1/auth/qr-tickets", body=json.dumps({"place": "杭州市民之家 1楼 自助机 A-03"}),
                       headers={"Content-Type": "application/json", "X-OneThing-CSRF": "1"})
    forged = connection.getresponse()
    assert forged.status == 422  # it cannot name a place
    forged.read()
    connection.request("POST", "/api/v1/auth/qr-tickets", body="{}",
                       headers={"Content-Type": "application/json", "X-OneThing-CSRF": "1",
                                "User-Agent": "Mozilla/5.0 (X11; Linux x86_64) Firefox/133.0"})
    answer = connection.getresponse()
    assert answer.status == 201
    link = json.loads(answer.read())["qr_url"]
    connection.close()

    phone = signed_in_page("liuxiuying")
    phone.goto(link.removeprefix(server.url))
    wait_for_app(phone)

    alert = phone.get_by_role("alert")
    expect(alert).to_contain_text("扫码的手机与请求登录的设备不在同一网络")
    summary = phone.locator(".summary")
    expect(summary).to_contain_text("未登记的设备")
    expect(summary).to_contain_text("Firefox on Linux")
    expect(summary).to_contain_text("127.0.1.0/24")
    expect(summary).not_to_contain_text("自助机")
    expect(phone.get_by_role("button", name="不是我，拒绝登录")).to_be_focused()
    assert_accessible(phone)
    phone.get_by_role("button", name="不是我，拒绝登录").click()
    expect(phone.locator("h1")).to_have_text("已拒绝")
