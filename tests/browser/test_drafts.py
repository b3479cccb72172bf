"""Drafts follow the person: resume on another device; edits on two devices are merged."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import LiveServer, assert_accessible, eventually, wait_for_app
from tests.browser.test_offline_and_push import draft_answers

pytestmark = pytest.mark.browser


def test_a_draft_resumes_on_another_device_and_concurrent_edits_are_merged(
        server: LiveServer, signed_in_page: Callable[..., Page]) -> None:
    phone = signed_in_page("wangfang")
    phone.goto("/app/apply/birth")
    expect(phone.locator("h1")).to_have_text("申请人")
    number = phone.url.split("/app/drafts/")[1].split("/")[0]
    phone.get_by_role("button", name="继续").click()
    expect(phone.locator("h1")).to_have_text("新生儿信息")
    phone.get_by_label("姓名", exact=True).fill("王小花")
    expect(phone.locator("ot-autosave")).to_contain_text("已自动保存")

    tablet = signed_in_page("wangfang")  # another device, the same person
    tablet.goto("/")
    expect(tablet.get_by_role("heading", name="继续填写")).to_be_visible()
    assert_accessible(tablet)
    tablet.goto("/app/applications")
    wait_for_app(tablet)
    expect(tablet.get_by_role("heading", name="未提交的草稿")).to_be_visible()
    assert_accessible(tablet)
    tablet.get_by_role("link", name="出生一件事").click()
    expect(tablet.locator("h1")).to_have_text("申请人")
    tablet.get_by_role("button", name="继续").click()
    expect(tablet.locator("h1")).to_have_text("新生儿信息")
    expect(tablet.get_by_label("姓名", exact=True)).to_have_value("王小花")
    tablet.get_by_label("姓名", exact=True).fill("王大花")
    expect(tablet.locator("ot-autosave")).to_contain_text("已自动保存")

    phone.get_by_label("随母落户").check()  # the phone's ETag is stale now: 412, then merged
    expect(phone.locator("ot-autosave")).to_contain_text("已自动保存")
    answers = eventually(phone, lambda: (a := draft_answers(phone, number)).get("subject.hukou_choice") and a)
    assert answers["subject.name"] == "王大花" and answers["subject.hukou_choice"] == "mother"
