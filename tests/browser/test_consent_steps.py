"""The step view of a held inheritance item says what it waits for: 陈明 reads that the pension item
waits for his family's consent until the deadline; once 陈丽 declines, it waits for him to upload the
notarised certificate, and its link takes him to the upload form further down the page."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask.testing import FlaskClient
from playwright.sync_api import BrowserContext, Page, expect
from sqlalchemy import select

from bff.extensions import db
from bff.store.consent_models import HeirConsent
from tests.browser.conftest import LiveServer, assert_accessible, sign_in_context, wait_for_app
from tests.browser.test_consent import answer_in_my_applications, chenming_applies, heir_page

pytestmark = pytest.mark.browser

PENSION = 'li[data-item="pension-stop-inheritance"]'


def test_the_pension_step_waits_for_the_familys_consent_then_for_the_upload(
        server: LiveServer, client: FlaskClient, new_context: Callable[..., BrowserContext], page: Page) -> None:
    applied = chenming_applies(server, client)
    [deadline] = {consent.deadline for consent in db.session.scalars(select(HeirConsent))}
    chenming = sign_in_context(server, page.context, "chenming")
    chenming.elder_mode = True  # he reads it in large text
    db.session.commit()
    page.goto(f"/app/applications/{applied['number']}")
    wait_for_app(page)
    step = page.locator(PENSION)
    expect(step).to_contain_text(f"等待家人同意（截止 {deadline.month}月{deadline.day}日）")
    expect(step).not_to_contain_text("等待其他条件满足后开始办理")
    assert step.locator(".step-view__line").first.evaluate("e => parseFloat(getComputedStyle(e).fontSize)") >= 20
    assert_accessible(page)

    sister = heir_page(server, new_context, "chenli")
    answer_in_my_applications(sister, "不同意")
    expect(sister.get_by_text("已记录您不同意")).to_be_visible()

    page.reload()
    wait_for_app(page)
    expect(step).to_contain_text("等待您上传「继承权公证书」")
    expect(step).not_to_contain_text("等待家人同意")
    step.get_by_role("link", name="去上传").click()
    expect(page.get_by_label("选择文件")).to_be_focused()
    expect(page).to_have_url(f"{server.url}/app/applications/{applied['number']}")  # the same page, no reload
    assert_accessible(page)
