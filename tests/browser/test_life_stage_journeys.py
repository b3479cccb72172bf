"""From the home tile to the receipt: assistance, treatment elsewhere, old age, leaving the armed forces and
moving one's insurance, each by the persona the sample registry knows."""

from __future__ import annotations

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from tests.browser.conftest import LiveServer, assert_accessible, sign_in_context, wait_for_app
from tests.browser.journeys import reach_review_from_the_home_tile

pytestmark = pytest.mark.browser


def submit_and_see_the_cases(page: Page, cases: int, *, send: str = "确认提交", sent: str = "申请已提交",
                             follow: str = "查看办理进度") -> None:
    page.get_by_role("button", name=send).click()
    expect(page.locator("h1")).to_have_text(sent)
    assert page.locator(".panel__number").inner_text().startswith("YJ")
    assert_accessible(page)
    page.get_by_role("link", name=follow).click()
    expect(page.locator("ot-step-view li")).to_have_count(cases)


def test_a_single_mother_applies_for_assistance_without_proving_her_income(
        server: LiveServer, context: BrowserContext, page: Page) -> None:
    sign_in_context(server, context, "wuxiulan")
    titles = reach_review_from_the_home_tile(page, "救助", "困难群众救助一件事", {})
    assert "家庭情况" in titles
    submit_and_see_the_cases(page, 3)  # the allowance, temporary and medical assistance
    medical = page.locator("ot-step-view li[data-item='medical-assistance']")
    expect(medical).to_contain_text("等待「最低生活保障」办结")


def test_a_diabetic_retiree_files_for_treatment_in_shanghai(
        server: LiveServer, context: BrowserContext, page: Page) -> None:
    sign_in_context(server, context, "sunjianhua")
    reach_review_from_the_home_tile(page, "就医", "异地就医一件事", {"subject.destination_city": "上海市浦东新区"})
    expect(page.get_by_text("上海市浦东新区")).to_be_visible()
    submit_and_see_the_cases(page, 2)


def test_an_80_year_old_applies_for_her_allowance_and_care_without_a_second_senior_card(
        server: LiveServer, context: BrowserContext, page: Page) -> None:
    sign_in_context(server, context, "liuxiuying")
    reach_review_from_the_home_tile(page, "养老", "养老服务一件事", {})
    expect(page.get_by_role("heading", name="不需要办理（1 项）")).to_be_visible()  # she holds a senior card
    submit_and_see_the_cases(page, 3)


def test_a_discharged_soldier_applies_once_in_english_on_a_small_phone(
        server: LiveServer, context: BrowserContext, page: Page) -> None:
    sign_in_context(server, context, "wanglei")
    page.set_viewport_size({"width": 320, "height": 640})
    page.goto("/app/settings")
    wait_for_app(page)
    page.get_by_label("English").check()
    expect(page.locator("html")).to_have_attribute("lang", "en")  # the choice is kept before leaving the page
    titles = reach_review_from_the_home_tile(page, "Work", "Leaving the armed forces", {}, start="Start now",
                                             review="Check your answers")
    assert "Your service" in titles
    expect(page.get_by_role("heading", name="Not needed (1)")).to_be_visible()  # no job placement: he finds his own
    submit_and_see_the_cases(page, 6, send="Submit", sent="Application submitted", follow="Follow progress")


def test_a_worker_from_shanghai_moves_her_insurance_to_hangzhou(
        server: LiveServer, context: BrowserContext, page: Page) -> None:
    sign_in_context(server, context, "linxiaoyan")
    reach_review_from_the_home_tile(page, "就业", "社保医保关系转移接续一件事", {})
    submit_and_see_the_cases(page, 2)
