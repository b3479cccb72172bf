"""A department asks for a supplement on its workbench; the resident supplies it on the phone."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from tests.browser.conftest import LiveServer, assert_accessible, sign_in_context, wait_for_app
from tests.browser.journeys import approved_by_its_department, officer_decides, run_worker
from tests.browser.test_offline_and_push import submit_birth_application

pytestmark = pytest.mark.browser


def zhangwei_submits_a_birth_application(server: LiveServer, context: BrowserContext, page: Page) -> str:
    user = sign_in_context(server, context, "zhangwei")
    page.goto("/")
    wait_for_app(page)
    return submit_birth_application(server, page, user.id)


def test_the_resident_supplies_what_the_officer_asked_for(server: LiveServer, context: BrowserContext, page: Page,
                                                          new_desktop_context: Callable[[], BrowserContext]) -> None:
    number = zhangwei_submits_a_birth_application(server, context, page)

    officer = new_desktop_context().new_page()
    sign_in_context(server, officer.context, "officer-health")
    officer.goto(f"/officer?case={number}-01")
    wait_for_app(officer)
    officer.get_by_role("button", name="受理").click()
    expect(officer.get_by_text("已受理，法定时限开始计算。")).to_be_visible()
    officer.get_by_role("button", name="要求补正").click()
    officer.get_by_label("需要申请人补充什么（申请人可见）").fill("请提供新的邮寄地址")
    officer.get_by_label("邮寄地址").check()  # the catalog label, no longer the raw key
    assert_accessible(officer)
    officer.locator("form").get_by_role("button", name="要求补正").click()
    expect(officer.get_by_text("已请申请人补正。")).to_be_visible()

    run_worker(server.app)  # the notify jobs fill the inbox
    page.goto("/app/inbox")
    wait_for_app(page)
    expect(page.locator("main").get_by_text("条未读")).to_be_visible()  # the nav's badge says it too
    expect(page.locator("main .task-list a").first).to_contain_text("出生医学证明（卫健）需要您补正信息")
    assert_accessible(page)
    page.locator(".task-list a").first.click()
    expect(page.locator("ot-step-view li")).to_have_count(6)
    assert f"/app/applications/{number}" in page.url
    case = page.locator("ot-step-view li").first
    expect(case).to_contain_text("请提供新的邮寄地址")
    hukou = page.locator("ot-step-view li[data-item='birth-registration']")
    expect(hukou).to_contain_text("「出生医学证明」正在等待补充材料")  # what waits on it says so
    assert_accessible(page)
    case.get_by_role("button", name="补充材料").click()
    expect(page.get_by_role("heading", name="补充材料：出生医学证明")).to_be_focused()
    page.get_by_label("邮寄地址").fill("上海市黄浦区南京东路1号")
    page.get_by_role("button", name="提交补充").click()
    expect(case).to_contain_text("已补正")
    assert_accessible(page)


def test_a_rejection_reaches_the_resident_with_its_reason(server: LiveServer, context: BrowserContext, page: Page,
                                                          new_desktop_context: Callable[[], BrowserContext]) -> None:
    number = zhangwei_submits_a_birth_application(server, context, page)
    approved_by_its_department(server.app, f"{number}-01", "health")  # the hukou waits for the birth certificate
    officer = new_desktop_context().new_page()
    sign_in_context(server, officer.context, "officer-public-security")
    officer.goto("/officer?flag=")
    wait_for_app(officer)
    expect(officer.get_by_role("link", name="出生登记（户口）")).to_be_visible()
    officer_decides(officer, server.url, "出生登记（户口）", approve=False)

    page.goto(f"/app/applications/{number}")
    wait_for_app(page)
    case = page.locator("ot-step-view li[data-item='birth-registration']")
    expect(case).to_contain_text("不予批准")
    expect(case).to_contain_text("原因：材料不全")
    expect(page.locator("ot-step-view li[data-item='social-security-card']")).to_contain_text("无法办理")  # it needed the hukou
    assert_accessible(page)
