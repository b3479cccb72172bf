"""The school, work, marriage and home bundles on a phone: from the life-stage tile to the receipt."""

from __future__ import annotations

from datetime import date

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from bff.core.catalog import default_catalog
from tests.browser.conftest import LiveServer, assert_accessible, sign_in_context, wait_for_app
from tests.browser.journeys import complete_wizard

pytestmark = pytest.mark.browser


CATEGORY_OF = {"上学": "schooling", "就业": "employment", "婚育": "marriage", "置业": "housing"}


def apply_from_the_tile(server: LiveServer, context: BrowserContext, page: Page, persona: str, tile: str,
                        bundle: str) -> None:
    """Signed in as ``persona``: the home tile of the life stage, its one bundle, then "start"."""
    sign_in_context(server, context, persona)
    page.goto("/")
    wait_for_app(page)
    page.get_by_role("button", name=tile).click()  # the life stage filters the bundles
    expect(page.locator("ot-bundle-card")).to_have_count(len(default_catalog().bundles_in(CATEGORY_OF[tile])))
    page.get_by_role("link", name=bundle).click()
    expect(page.locator("h1")).to_have_text(bundle)
    assert_accessible(page)
    page.get_by_role("link", name="开始申请").first.click()


def submit_and_see_the_receipt(page: Page, cases: int) -> None:
    expect(page.locator("h1")).to_have_text("检查您的申请")
    assert_accessible(page)
    page.get_by_role("button", name="确认提交").click()
    expect(page.locator("h1")).to_have_text("申请已提交")
    assert page.locator(".panel__number").inner_text().startswith("YJ")
    assert_accessible(page)
    page.get_by_role("link", name="查看办理进度").click()
    expect(page.locator("ot-step-view li")).to_have_count(cases)


def test_school_a_father_enrols_his_daughter(server: LiveServer, context: BrowserContext, page: Page) -> None:
    apply_from_the_tile(server, context, page, "sunlei", "上学", "入学一件事")
    expect(page.locator("h1")).to_have_text("入学儿童")  # the guardian's step held only locked registry data
    expect(page.get_by_text("已完成：监护人（无需填写）")).to_be_visible()
    complete_wizard(page, {})
    expect(page.get_by_text("孙小雨").first).to_be_visible()
    expect(page.get_by_role("heading", name="不需要办理（1 项）")).to_be_visible()  # Hangzhou hukou: no permit check
    submit_and_see_the_receipt(page, 3)


def test_employment_a_graduate_starts_her_first_job(server: LiveServer, context: BrowserContext, page: Page) -> None:
    apply_from_the_tile(server, context, page, "linxiao", "就业", "就业一件事")
    expect(page.locator("h1")).to_have_text("就业信息")  # contact details came locked from the registry
    complete_wizard(page, {"subject.new_employer_name": "杭州西湖数据服务有限公司",
                           "subject.new_employer_credit_code": "91330106MA2H3K4L5P",
                           "subject.employment_start_date": date.today().isoformat()})
    expect(page.get_by_text("杭州西湖数据服务有限公司").first).to_be_visible()
    submit_and_see_the_receipt(page, 4)


def test_marriage_a_couple_from_two_cities(server: LiveServer, context: BrowserContext, page: Page) -> None:
    apply_from_the_tile(server, context, page, "liuyang", "婚育", "婚育一件事")
    expect(page.locator("h1")).to_have_text("对方")  # her own details came locked from the registry
    titles = complete_wizard(page, {})
    assert "对方" in titles and "声明与承诺" in titles
    expect(page.get_by_text("赵静").first).to_be_visible()
    submit_and_see_the_receipt(page, 3)  # registration, hukou move (Ningbo → Hangzhou), birth planning


def test_home_a_buyer_registers_his_new_flat_with_a_fund_loan(server: LiveServer, context: BrowserContext,
                                                              page: Page) -> None:
    apply_from_the_tile(server, context, page, "wuhao", "置业", "购房一件事")
    expect(page.locator("h1")).to_have_text("购房信息")  # contact details came locked from the registry
    complete_wizard(page, {"subject.loan_amount_yuan": "800000", "subject.loan_term_years": "25"})
    submit_and_see_the_receipt(page, 5)


def test_marriage_in_english_with_large_text_on_a_small_phone(server: LiveServer, context: BrowserContext,
                                                              page: Page) -> None:
    page.set_viewport_size({"width": 320, "height": 640})
    sign_in_context(server, context, "zhaojing")
    page.goto("/app/settings")
    wait_for_app(page)
    page.get_by_label("English").check()
    expect(page.locator("html")).to_have_attribute("lang", "en")  # the choice is kept before leaving the page
    page.get_by_label("Use large text").check()
    expect(page.locator("html")).to_have_class("elder")
    page.get_by_role("link", name="Home").click()
    page.get_by_role("button", name="Marriage and children").click()
    page.get_by_role("link", name="Getting married").click()
    # The one trip left: both partners sign in front of the registrar.
    expect(page.get_by_text("Trips: 4 separately → 1 with OneThing")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    assert_accessible(page)
    page.get_by_role("link", name="Start now").first.click()
    expect(page.locator("h1")).to_have_text("Your partner")  # her own step held only locked registry data
    expect(page.get_by_text("刘洋").first).to_be_visible()  # the other party of her booking
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    assert_accessible(page)
