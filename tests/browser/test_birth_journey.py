"""The birth journey on a phone: a father applies once for his newborn; a department approves it."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from tests.browser.conftest import LiveServer, assert_accessible, sign_in_context, wait_for_app
from tests.browser.journeys import complete_wizard, officer_decides, run_worker

pytestmark = pytest.mark.browser


def test_birth_from_home_to_an_approved_certificate(server: LiveServer, context: BrowserContext, page: Page,
                                                     new_desktop_context: Callable[[], BrowserContext]) -> None:
    page.goto("/")
    wait_for_app(page)
    page.get_by_role("link", name="出生一件事").click()
    expect(page.locator("h1")).to_have_text("出生一件事")
    expect(page.get_by_role("heading", name="为您省去")).to_be_visible()
    expect(page.get_by_text("视情况办理")).to_be_visible()  # maternity benefits: only if the mother is insured
    assert_accessible(page)

    page.get_by_role("link", name="开始申请").first.click()
    expect(page.locator("h1")).to_have_text("请先登录")
    assert_accessible(page)
    sign_in_context(server, context, "zhangwei")
    page.reload()

    expect(page.locator("h1")).to_have_text("新生儿信息")  # the applicant's step, all prefilled, is done
    expect(page.locator(".steps-done")).to_contain_text("已完成：申请人（无需填写）")
    page.get_by_role("link", name="查看申请人").click()
    expect(page.locator("h1")).to_have_text("申请人")
    expect(page.locator(".locked").first).to_contain_text("人口综合库")  # prefilled, locked, with its source
    page.get_by_role("button", name="继续").click()
    expect(page.locator("h1")).to_have_text("新生儿信息")
    page.get_by_role("button", name="继续").click()  # nothing typed yet: the error summary takes focus
    summary = page.locator(".error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("请填写姓名")
    assert_accessible(page)
    summary.get_by_role("link", name="请填写姓名").click()
    expect(page.locator("ot-field[data-key='subject.name'] input")).to_be_focused()

    titles = complete_wizard(page, {"subject.name": "张小宝"})
    assert titles[0] == "新生儿信息" and "授权与承诺" in titles

    expect(page.locator("h1")).to_have_text("检查您的申请")
    expect(page.get_by_text("张小宝")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="确认提交").click()

    expect(page.locator("h1")).to_have_text("申请已提交")
    number = page.locator(".panel__number").inner_text()
    assert number.startswith("YJ")
    expect(page.locator("img.receipt-qr")).to_have_js_property("complete", True)
    assert page.locator("img.receipt-qr").evaluate("img => img.naturalWidth") > 0
    assert_accessible(page)

    page.get_by_role("link", name="查看办理进度").click()
    expect(page.locator("ot-step-view li")).to_have_count(6)
    assert_accessible(page)

    run_worker(server.app)  # the cases go to the departments' workbenches
    officer = new_desktop_context().new_page()
    sign_in_context(server, officer.context, "officer-health")
    officer_decides(officer, server.url, "出生医学证明")

    certificate = page.locator("ot-step-view li[data-item='birth-medical-certificate']")
    expect(certificate).to_contain_text("已办结", timeout=20000)  # live: the stream (or the poller) refreshed it
    expect(certificate.get_by_role("link", name="查看电子证照")).to_be_visible()
    expect(page.get_by_role("heading", name="电子证照")).to_be_visible()
    assert_accessible(page)

    page.goto("/app/applications")
    wait_for_app(page)
    expect(page.get_by_role("link", name="出生一件事")).to_be_visible()
    assert_accessible(page)
