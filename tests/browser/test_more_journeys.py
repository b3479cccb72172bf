"""The after-death journey (a son in another city, for his father) and retirement in English, large text."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, timedelta

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from tests.browser.conftest import LiveServer, assert_accessible, sign_in_context, wait_for_app
from tests.browser.journeys import approved_by_its_department, complete_wizard, officer_decides, run_worker

pytestmark = pytest.mark.browser


def test_after_death_the_son_applies_from_another_city_for_his_father(
        server: LiveServer, context: BrowserContext, page: Page,
        new_desktop_context: Callable[[], BrowserContext]) -> None:
    sign_in_context(server, context, "chenming")
    page.goto("/")
    wait_for_app(page)
    page.get_by_role("button", name="身后").click()  # the category filters the bundles
    expect(page.locator("ot-bundle-card")).to_have_count(1)
    page.get_by_role("link", name="身后一件事").click()
    expect(page.locator("h1")).to_have_text("身后一件事")
    assert_accessible(page)
    page.get_by_role("link", name="开始申请").first.click()

    expect(page.locator("h1")).to_have_text("逝者信息")  # the relative's own step is all prefilled: done
    yesterday = (date.today() - timedelta(days=1)).isoformat()
    complete_wizard(page, {"subject.cremation_date": yesterday})

    expect(page.locator("h1")).to_have_text("检查您的申请")
    expect(page.get_by_text("陈国华").first).to_be_visible()
    not_needed = page.get_by_role("heading", name="不需要办理（3 项）")
    expect(not_needed).to_be_visible()  # e.g. no housing-fund inheritance: he had no account
    page.get_by_role("button", name="确认提交").click()
    expect(page.locator("h1")).to_have_text("申请已提交")
    page.get_by_role("link", name="查看办理进度").click()
    expect(page.locator("ot-step-view li")).to_have_count(9)
    assert_accessible(page)

    case = page.locator("ot-step-view li[data-item='hukou-cancellation']")
    expect(case).to_contain_text("等待「死亡医学证明」办结")

    run_worker(server.app)
    number = re.search(r"/app/applications/([A-Z0-9]+)", page.url)[1]  # type: ignore[index]
    # The hukou cancellation waits for the hospital's death certificate (health, the first case).
    approved_by_its_department(server.app, f"{number}-01", "health")
    officer = new_desktop_context().new_page()
    sign_in_context(server, officer.context, "officer-public-security")
    officer_decides(officer, server.url, "户口注销")
    expect(case).to_contain_text("已办结", timeout=20000)
    assert_accessible(page)


def test_retirement_in_english_with_large_text(server: LiveServer, context: BrowserContext, page: Page) -> None:
    sign_in_context(server, context, "lijianguo")
    page.goto("/app/settings")
    wait_for_app(page)
    page.get_by_label("English").check()
    expect(page.locator("html")).to_have_attribute("lang", "en")  # the choice is kept before leaving the page
    page.get_by_label("Use large text").check()
    expect(page.locator("html")).to_have_class("elder")
    page.get_by_role("link", name="Home").click()
    expect(page.locator("h1")).to_have_text("Life events, done in one go")
    assert page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)") >= 20
    assert_accessible(page)
    page.get_by_role("link", name="Retiring").click()
    expect(page.get_by_text(re.compile(r"^Trips: \d+ separately → none with OneThing$"))).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Start now").first.click()

    expect(page.locator("h1")).to_have_text("About you")  # the contact step is all prefilled: done
    titles = complete_wizard(page, {})
    assert "Consent and declaration" in titles
    expect(page.locator("h1")).to_have_text("Check your answers")
    assert_accessible(page)
    page.get_by_role("button", name="Submit").click()
    expect(page.locator("h1")).to_have_text("Application submitted")
    assert_accessible(page)
    page.get_by_role("link", name="Follow progress").click()
    expect(page.locator("ot-step-view li")).to_have_count(6)
    expect(page.get_by_role("heading", name="History")).to_be_visible()
    assert_accessible(page)
