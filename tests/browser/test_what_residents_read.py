"""What a resident reads on the phone: the application's changes grouped by item in plain words with the
rating on top once done; inbox entries that name the item and department; an unread badge that appears
and clears (elder mode keeps 消息); no deadline alarm after submitting; "who viewed my data" in words."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import update

from bff.core.calendar import add_working_days
from bff.core.clock import china_date
from bff.extensions import db
from bff.services.sweeper import sweep_cases
from bff.store.models import Case, User, utcnow
from tests.api.application_helpers import (
    approval_body,
    case_of,
    officer_client,
    run_worker,
    submitted_application,
)
from tests.api.rating_helpers import completed_application
from tests.browser.conftest import LiveServer, assert_accessible, wait_for_app
from tests.conftest import ApiClient

pytestmark = pytest.mark.browser

RAW_CODE = re.compile(r"\b[a-z]+_[a-z_]+\b")  # callback_received, case_work, case_dispatch_failed …


def reads_as(key: str, *, language: str = "zh-CN", elder: bool = False) -> None:
    """The persona's saved settings: the app applies them once signed in."""
    db.session.execute(update(User).where(User.subject == key).values(language=language, elder_mode=elder))
    db.session.commit()


def test_a_finished_birth_bundle_reads_grouped_by_item_with_the_rating_first(
        server: LiveServer, signed_in_page: Callable[..., Page]) -> None:
    server.app.test_client_class = ApiClient
    finished = completed_application(server.app, server.app.test_client())
    run_worker(server.app)  # the notifications, their SMS and events: none of it belongs on this page
    number, cases = finished["number"], finished["receipt"]["cases"]
    page = signed_in_page("zhangwei")
    page.goto(f"/app/applications/{number}")
    wait_for_app(page)
    rating = page.get_by_role("heading", name="评价这次服务（好差评）")
    story = page.get_by_role("heading", name="办理记录", exact=True)
    expect(rating).to_be_visible()
    assert rating.evaluate("(r, s) => !!(r.compareDocumentPosition(s) & Node.DOCUMENT_POSITION_FOLLOWING)",
                           story.element_handle())  # the rating comes before the timeline
    groups = page.locator(".timeline-group")
    expect(groups).to_have_count(1 + len(cases))
    expect(groups.first.locator("h3")).to_have_text("整件申请")
    certificate = groups.filter(has=page.get_by_role("heading", name="出生医学证明（卫健）"))
    expect(certificate.locator("li").first).to_contain_text("已办结，电子证照可查看")
    text = page.locator(".timeline-groups").inner_text()
    assert not RAW_CODE.search(text), RAW_CODE.findall(text)
    assert "已发短信" not in text and "已通知您" not in text
    assert page.locator(".timeline-groups li").count() <= 2 + 3 * len(cases)
    assert_accessible(page)

    reads_as("zhangwei", language="en", elder=True)
    page.reload()
    wait_for_app(page)
    expect(page.locator("html")).to_have_class("elder")
    expect(page.get_by_role("heading", name="Medical birth certificate (Health)")).to_be_visible()
    expect(page.locator(".timeline-groups")).to_contain_text("Approved: the e-certificate is ready")
    assert not RAW_CODE.search(page.locator(".timeline-groups").inner_text())
    assert not re.search(r"[\u4e00-\u9fff]", page.locator(".timeline-group h3").first.inner_text())
    assert_accessible(page)


def test_the_inbox_names_item_and_department_and_the_badge_appears_and_clears_in_elder_mode(
        server: LiveServer, client: Any, signed_in_page: Callable[..., Page]) -> None:
    submitted = submitted_application(server.app, client)
    reference = case_of(submitted["receipt"], "birth-medical-certificate")
    officer = officer_client(server.app, "health")
    officer.post(f"/api/v1/officer/cases/{reference}/accept")
    # A department's time limit near but not passed: the workbench flags it, the resident hears nothing.
    db.session.execute(update(Case).values(due_on=add_working_days(china_date(utcnow()), 1))
                       .where(Case.reference == reference))
    db.session.commit()
    sweep_cases(db.new_session(), stuck_after_seconds=600)
    run_worker(server.app)
    reads_as("zhangwei", elder=True)
    page = signed_in_page("zhangwei")
    page.goto("/")
    wait_for_app(page)
    nav = page.get_by_role("navigation", name="主导航")
    inbox_link = nav.get_by_role("link", name=re.compile("^消息"))
    expect(inbox_link).to_be_visible()  # elder mode keeps 消息
    expect(inbox_link.locator(".nav__badge")).to_have_attribute("data-count", "2")  # submitted, accepted
    expect(inbox_link).to_have_accessible_name("消息 2 条未读")
    assert_accessible(page)
    page.set_viewport_size({"width": 320, "height": 700})  # the smallest phone: 消息 still on screen
    expect(inbox_link).to_be_in_viewport()
    page.set_viewport_size({"width": 390, "height": 844})

    officer.post(f"/api/v1/officer/cases/{reference}/approve", json=approval_body("birth-medical-certificate"))
    run_worker(server.app)
    expect(inbox_link.locator(".nav__badge")).to_have_attribute("data-count", "3", timeout=20000)  # live
    inbox_link.click()
    entries = page.locator("main .task-list__item")
    expect(entries.first).to_contain_text("出生医学证明（卫健）已办结，电子证照可查看")
    expect(page.locator("main")).to_contain_text("出生医学证明（卫健）已受理")
    expect(page.locator("main")).not_to_contain_text("时限")  # no "办理时限将到" alarm
    assert_accessible(page)
    page.get_by_role("button", name="全部标为已读").click()
    expect(inbox_link.locator(".nav__badge")).to_have_count(0)
    expect(inbox_link).to_have_accessible_name("消息")


def test_an_english_inbox_names_the_item_and_its_department(
        server: LiveServer, client: Any, signed_in_page: Callable[..., Page]) -> None:
    submitted = submitted_application(server.app, client)
    reference = case_of(submitted["receipt"], "birth-medical-certificate")
    officer = officer_client(server.app, "health")
    officer.post(f"/api/v1/officer/cases/{reference}/accept")
    officer.post(f"/api/v1/officer/cases/{reference}/approve", json=approval_body("birth-medical-certificate"))
    run_worker(server.app)
    reads_as("zhangwei", language="en")
    page = signed_in_page("zhangwei")
    page.goto("/app/inbox")
    wait_for_app(page)
    expect(page.locator("main .task-list__item").first).to_contain_text(
        "Medical birth certificate (Health) approved: your e-certificate is ready")
    expect(page.get_by_role("navigation").get_by_role("link", name=re.compile("^Messages"))).to_have_accessible_name(
        "Messages 3 unread")
    assert_accessible(page)


def test_who_viewed_my_data_names_the_department_and_the_reason_and_folds_repeated_looks(
        server: LiveServer, client: Any, signed_in_page: Callable[..., Page]) -> None:
    submitted = submitted_application(server.app, client)
    reference = case_of(submitted["receipt"], "birth-medical-certificate")
    officer = officer_client(server.app, "health")
    for _ in range(3):  # the officer reloads the case three times
        assert officer.get(f"/api/v1/officer/cases/{reference}").status_code == 200
    page = signed_in_page("zhangwei")
    page.goto("/app/settings")
    wait_for_app(page)
    log = page.locator("ul[aria-labelledby=access-log-title]")
    expect(log.locator("li")).to_have_count(1)
    expect(log).to_contain_text("（卫健） 查看了您的申请")
    expect(log).to_contain_text("原因：办理“出生医学证明”")
    expect(log).to_contain_text("共 3 次")
    expect(log).not_to_contain_text("case_work")
    assert_accessible(page)

    reads_as("zhangwei", language="en")
    page.reload()
    wait_for_app(page)
    expect(log).to_contain_text("(Health) viewed your")
    expect(log).to_contain_text("Why: Handling “Medical birth certificate”")
    expect(log).to_contain_text("3 times")
    assert_accessible(page)
