"""Retirement: the first step, nothing to fill, is skipped; a wrong mobile is changed with a texted code."""

from __future__ import annotations

import logging
import re

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from tests.browser.conftest import LiveServer, assert_accessible, sign_in_context
from tests.browser.journeys import run_worker

pytestmark = pytest.mark.browser

WORDS = {
    "zh-CN": {"second": "退休人员信息", "step": "第 2 步，共 5 步", "done": "已完成：联系方式（无需填写）",
              "view": "查看联系方式",
              "first": "联系方式", "change": "更换手机号码", "new": "新手机号码", "send": "获取验证码", "code": "短信验证码",
              "confirm": "确认更换", "wrong": "验证码不正确，还可以再试 4 次。", "changed": "手机号码已更换为 139****5678。",
              "back": "返回申请", "sent": "验证码已发送至 139****5678"},
    "en": {"second": "About you", "step": "Step 2 of 5", "done": "Done: Contact (nothing to fill in)", "view": "View Contact",
           "first": "Contact", "change": "Change your mobile number", "new": "New mobile number", "send": "Text me a code",
           "code": "Code from the text message", "confirm": "Change my number",
           "wrong": "That code is not right; 4 tries left.", "changed": "Your mobile number is now 139****5678.",
           "back": "Back to the application", "sent": "A code was texted to 139****5678"},
}


def prefer(page: Page, language: str, elder: bool) -> None:
    page.goto("/")
    saved = page.request.patch("/api/v1/me", data={"language": language, "elder_mode": elder},
                               headers={"X-OneThing-CSRF": "1"})
    assert saved.ok, saved.text()


@pytest.mark.parametrize(("language", "elder"), [("zh-CN", False), ("en", True)])
def test_the_retirement_wizard_skips_its_first_step_with_nothing_to_fill(
        server: LiveServer, context: BrowserContext, page: Page, language: str, elder: bool) -> None:
    words = WORDS[language]
    sign_in_context(server, context, "lijianguo")
    prefer(page, language, elder)
    page.goto("/app/apply/retirement")
    expect(page.locator("h1")).to_have_text(words["second"], timeout=20000)  # the draft is started on the way
    expect(page.locator(".steps")).to_contain_text(words["step"])
    expect(page.locator(".steps-done")).to_contain_text(words["done"])
    assert_accessible(page)
    page.get_by_role("link", name=words["view"]).click()  # it is still there to look at
    expect(page.locator("h1")).to_have_text(words["first"])
    expect(page.locator("ot-field[data-key='applicant.mobile']")).to_contain_text("138****0003")


def texted_code(server: LiveServer, caplog: pytest.LogCaptureFixture) -> str:
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="bff.sms"):
        run_worker(server.app)
    texts = [record.getMessage() for record in caplog.records if record.name == "bff.sms"]
    assert len(texts) == 1, texts
    return re.search(r"\b(\d{6})\b", texts[0].split(":", 1)[1]).group(1)  # type: ignore[union-attr]


@pytest.mark.parametrize(("language", "elder"), [("zh-CN", False), ("en", True)])
def test_a_wrong_mobile_is_changed_with_the_code_texted_to_the_new_number(
        server: LiveServer, context: BrowserContext, page: Page, caplog: pytest.LogCaptureFixture,
        language: str, elder: bool) -> None:
    words = WORDS[language]
    sign_in_context(server, context, "lijianguo")
    prefer(page, language, elder)
    page.goto("/app/apply/retirement")
    page.get_by_role("link", name=words["view"]).click(timeout=20000)
    expect(page.locator("h1")).to_have_text(words["first"])
    page.get_by_role("link", name=words["change"]).click()
    expect(page.locator("h1")).to_have_text(words["change"])

    page.get_by_label(words["new"]).fill("139 1234 5678")
    page.get_by_role("button", name=words["send"]).click()
    expect(page.get_by_role("status")).to_contain_text(words["sent"])
    code = texted_code(server, caplog)
    assert_accessible(page)

    page.get_by_label(words["code"]).fill("000000" if code != "000000" else "111111")
    page.get_by_role("button", name=words["confirm"]).click()
    expect(page.locator("ot-error-summary")).to_contain_text(words["wrong"])  # refused, the tries left said
    expect(page.locator(".field--error")).to_contain_text(words["wrong"])
    assert_accessible(page)

    page.get_by_label(words["code"]).fill(code)
    page.get_by_role("button", name=words["confirm"]).click()
    expect(page.get_by_text(words["changed"])).to_be_focused()
    page.get_by_role("link", name=words["back"]).click()
    expect(page.locator("h1")).to_have_text(words["first"])
    expect(page.locator("ot-field[data-key='applicant.mobile']")).to_contain_text("139****5678")  # the new number
    assert_accessible(page)
