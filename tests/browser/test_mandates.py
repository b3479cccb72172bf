"""委托代办 on two phones: 刘秀英 (80, elder mode) authorises her son 陈明 for the after-death bundle; he
chooses to act for her and opens her application; she revokes it, and his next action is refused."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import LiveServer, assert_accessible, wait_for_app
from tests.factories import ApplicationFactory

pytestmark = pytest.mark.browser


def grant_from_settings(mother: Page) -> None:
    mother.goto("/app/settings")
    wait_for_app(mother)
    expect(mother.get_by_role("heading", name="委托代办")).to_be_visible()
    mother.get_by_label("陈明（子女）").check()
    mother.get_by_label("委托事项").select_option(label="身后一件事")
    mother.get_by_label("代为办理并查看进度").check()
    mother.get_by_role("button", name="确认委托").click()
    expect(mother.get_by_text("委托已生效。")).to_be_visible()
    expect(mother.locator(".mandate").filter(has_text="陈明（子女）")).to_contain_text("有效")
    assert_accessible(mother)


def test_a_son_acts_for_his_mother_until_she_revokes_the_mandate(server: LiveServer,
                                                                 signed_in_page: Callable[..., Page]) -> None:
    number = ApplicationFactory(bundle="after-death", persona="liuxiuying").number
    mother = signed_in_page("liuxiuying")
    mother.goto("/")
    wait_for_app(mother)
    mother.get_by_role("button", name="长辈版").click()
    expect(mother.locator("html")).to_have_class("elder")
    grant_from_settings(mother)

    son = signed_in_page("chenming")
    son.goto("/")
    wait_for_app(son)
    expect(son.get_by_role("heading", name="您要为谁办理？")).to_be_visible()
    assert_accessible(son)
    son.get_by_role("button", name="代 刘秀英 办理").click()
    son.wait_for_url("**/app/applications")
    expect(son.get_by_text("正在代 刘秀英 办理")).to_be_visible()
    son.get_by_role("link", name="身后一件事").click()
    son.wait_for_url(f"**/app/applications/{number}")
    wait_for_app(son)
    expect(son.get_by_text(number)).to_be_visible()

    mother.get_by_role("button", name="撤销委托: 陈明（子女）").click()
    expect(mother.get_by_text("委托已撤销，立即生效。")).to_be_visible()
    expect(mother.locator(".mandate").filter(has_text="陈明（子女）")).to_contain_text("已撤销")

    son.get_by_role("link", name="我的办件").click()  # his next action
    expect(son.get_by_role("alert").first).to_contain_text("该委托已撤销或已过期，已为您切换回本人办理。")
    expect(son.get_by_text("正在代 刘秀英 办理")).to_have_count(0)
    log = mother.request.get("/api/v1/me/access-log").json()["items"]
    assert {(item["staff_name"], item["what"]) for item in log} >= {("陈明", "acting_started")}
