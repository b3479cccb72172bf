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
    expect(phone.locator("h1")).to_have_text("新生儿信息")  # after the applicant's step, nothing to fill there
    number = phone.url.split("/app/drafts/")[1].split("/")[0]
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
    expect(tablet.locator("h1")).to_have_text("新生儿信息")
    expect(tablet.get_by_label("姓名", exact=True)).to_have_value("王小花")
    tablet.get_by_label("姓名", exact=True).fill("王大花")
    expect(tablet.locator("ot-autosave")).to_contain_text("已自动保存")

    phone.get_by_label("随母落户").check()  # the phone's ETag is stale now: 412, then merged
    expect(phone.locator("ot-autosave")).to_contain_text("已自动保存")
    answers = eventually(phone, lambda: (a := draft_answers(phone, number)).get("subject.hukou_choice") and a)
    assert answers["subject.name"] == "王大花" and answers["subject.hukou_choice"] == "mother"


def test_a_draft_over_the_compression_threshold_saves_twice_in_a_row(
        server: LiveServer, signed_in_page: Callable[..., Page]) -> None:
    """The browser asks for compressed responses, so the draft's ETag comes back as "1:br" or
    "1:gzip"; autosave sends exactly that back in If-Match and must not be refused as stale."""
    from tests.api.application_helpers import complete_answers

    page = signed_in_page("wangfang")
    page.goto("/")
    wait_for_app(page)
    # every field answered: far over the 500-byte compression threshold
    made = page.request.post("/api/v1/applications", data={"bundle": "birth", "answers": complete_answers("birth")},
                             headers={"X-OneThing-CSRF": "1"})
    assert made.ok, made.text()
    number = made.json()["number"]
    saves: list[tuple[int, str | None, str | None]] = []
    page.on("response", lambda r: saves.append((r.status, r.headers.get("content-encoding"), r.request.headers.get(
        "if-match"))) if r.request.method == "PATCH" and number in r.url else None)

    page.goto(f"/app/drafts/{number}")
    expect(page.locator("h1")).to_have_text("新生儿信息")
    for name in ("王小花", "王大花"):
        page.get_by_label("姓名", exact=True).fill(name)
        expect(page.locator("ot-autosave")).to_contain_text("已自动保存")
        eventually(page, lambda name=name: draft_answers(page, number).get("subject.name") == name)

    assert len(saves) == 2, saves
    assert all(status == 200 for status, _, _ in saves), saves  # no 412, no retry
    assert all(coding in ("br", "gzip") for _, coding, _ in saves), saves
    assert all(if_match and ":" in if_match for _, _, if_match in saves), saves  # the suffixed ETag went back
