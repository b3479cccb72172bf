"""Settings on a phone: preferences remembered per user, sessions, notifications."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import LiveServer, assert_accessible, wait_for_app

pytestmark = pytest.mark.browser


def test_elder_mode_and_english_are_remembered_for_the_user(server: LiveServer,
                                                            signed_in_page: Callable[..., Page]) -> None:
    page = signed_in_page("liuxiuying")
    page.goto("/app/settings")
    wait_for_app(page)
    expect(page.get_by_role("heading", name="设置")).to_be_visible()
    expect(page.get_by_text("刘秀英")).to_be_visible()
    expect(page.get_by_text("本设备")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("使用长辈版").check()
    expect(page.locator("html")).to_have_class("elder")
    page.get_by_label("English").check()
    expect(page.get_by_role("heading", name="Settings")).to_be_visible()
    assert_accessible(page)
    me = page.request.get("/api/v1/me").json()
    assert me["elder_mode"] is True and me["language"] == "en"

    other_device = signed_in_page("liuxiuying")  # a fresh browser: nothing in localStorage
    other_device.goto("/")
    wait_for_app(other_device)
    expect(other_device.locator("html")).to_have_class("elder")
    expect(other_device.locator("html")).to_have_attribute("lang", "en")


def test_notification_preferences_are_saved(server: LiveServer, signed_in_page: Callable[..., Page]) -> None:
    page = signed_in_page("chenming")
    page.goto("/app/settings")
    wait_for_app(page)
    page.get_by_label("短信").uncheck()
    page.get_by_label("开始", exact=True).fill("22:00")
    page.get_by_label("结束", exact=True).fill("07:00")
    page.get_by_role("button", name="保存通知设置").click()
    expect(page.get_by_text("通知设置已保存。")).to_be_visible()
    assert_accessible(page)
    saved = page.request.get("/api/v1/notifications/preferences").json()
    assert saved["channels"] == ["push"] and saved["quiet_hours"] == {"start": "22:00", "end": "07:00"}
