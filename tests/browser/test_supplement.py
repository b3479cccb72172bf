"""A department asks for a supplement on its workbench; the resident supplies it on the phone."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from tests.browser.conftest import LiveServer, assert_accessible, sign_in_context, wait_for_app
from tests.browser.journeys import approved_by_its_department, officer_decides
from tests.browser.test_offline_and_push import submit_birth_application

pytestmark = pytest.mark.browser


def zhangwei_submits_a_birth_application(server: LiveServer, context: BrowserContext, page: Page) -> str:
    user = sign_in_context(server, context, "zhangwei")
    page.goto("/")
    wait_for_app(page)
    return submit_birth_application(server, page, user.id)


CORRECTION = {
    "zh-CN": {"title": "补正：出生医学证明", "asked": "请提供新的邮寄地址", "label": "邮寄地址", "go": "去补正",
              "send": "提交补正", "done": "已补正", "waits": "「出生医学证明」正在等待补充材料"},
    "en": {"title": "Correction: Medical birth certificate", "asked": "Please give your new postal address",
           "label": "Postal address", "go": "Correct it", "send": "Send the correction", "done": "Supplement provided",
           "waits": "“Medical birth certificate” is waiting for more information"},
}


@pytest.mark.parametrize(("language", "elder"), [("zh-CN", False), ("en", True)])
def test_the_resident_corrects_what_the_officer_asked_for_at_the_top_of_the_application(
        server: LiveServer, context: BrowserContext, page: Page, new_desktop_context: Callable[[], BrowserContext],
        language: str, elder: bool) -> None:
    words = CORRECTION[language]
    number = zhangwei_submits_a_birth_application(server, context, page)
    held = saved_answers(server, number)["delivery.address"]
    saved = page.request.patch("/api/v1/me", data={"language": language, "elder_mode": elder},
                               headers={"X-OneThing-CSRF": "1"})
    assert saved.ok, saved.text()

    officer = new_desktop_context().new_page()
    sign_in_context(server, officer.context, "officer-health")
    officer.goto(f"/officer?case={number}-01")
    wait_for_app(officer)
    officer.get_by_role("button", name="受理").click()
    expect(officer.get_by_text("已受理，法定时限开始计算。")).to_be_visible()
    officer.get_by_role("button", name="要求补正").click()
    officer.get_by_label("需要申请人补充什么（申请人可见）").fill("请提供新的邮寄地址")
    officer.get_by_label("英文说明（可选）").fill("Please give your new postal address")
    officer.get_by_label("邮寄地址").check()  # the catalog label, no longer the raw key
    assert_accessible(officer)
    officer.locator("form").get_by_role("button", name="要求补正").click()
    expect(officer.get_by_text("已请申请人补正。")).to_be_visible()

    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"/app/applications/{number}")
    wait_for_app(page)
    correction = page.locator("form.supplement")
    expect(correction.get_by_role("heading", name=words["title"])).to_be_in_viewport()  # no scrolling to find it
    expect(correction).to_contain_text(words["asked"])
    address = correction.get_by_label(words["label"])
    expect(address).to_be_in_viewport()
    expect(address).to_have_value(held)  # the value the application holds now, ready to correct
    expect(page.locator("ot-step-view li[data-item='birth-registration']")).to_contain_text(words["waits"])
    assert "补充材料" not in correction.inner_text()
    assert_accessible(page)

    page.locator("ot-step-view li").first.get_by_role("button", name=words["go"]).click()
    expect(correction.get_by_role("heading", name=words["title"])).to_be_focused()
    address.fill("上海市黄浦区南京东路1号")
    correction.get_by_role("button", name=words["send"]).click()
    expect(page.locator("ot-step-view li").first).to_contain_text(words["done"])
    expect(page.locator("form.supplement")).to_have_count(0)
    assert_accessible(page)

    assert saved_answers(server, number)["delivery.address"] == "上海市黄浦区南京东路1号"
    officer.reload()  # the department has the corrected value
    wait_for_app(officer)
    expect(officer.locator("main")).to_contain_text("上海市黄浦区南京东路1号")


def saved_answers(server: LiveServer, number: str) -> dict[str, Any]:
    from sqlalchemy import select

    from bff.extensions import db
    from bff.store.models import Application

    with server.app.app_context():
        return dict(db.session.scalar(select(Application.answers).where(Application.number == number)) or {})


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
