"""The service-desk page: 周敏 takes a call from 陈明 about his father's after-death application."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from typing import Any

import pytest
from playwright.sync_api import BrowserContext, Page, expect
from sqlalchemy import select

from bff.core.pii import mask_id_number
from bff.extensions import db
from bff.services.sweeper import sweep_cases
from bff.store.models import Event
from tests.api.application_helpers import officer_client, run_worker, submitted_application
from tests.browser.conftest import LiveServer, assert_accessible, eventually, sign_in_context, wait_for_app
from tests.conftest import ApiClient

pytestmark = pytest.mark.browser
TICKET = "KF-20261126-0042"


def names_of(event_name: str) -> list[Event]:
    db.session.expire_all()
    return list(db.session.scalars(select(Event).where(Event.name == event_name)))


@pytest.fixture
def after_death(server: LiveServer) -> dict[str, Any]:
    """陈明's after-death application: submitted, delivered, its first case (the death certificate, which
    every other item waits for) accepted and approved, and every open case overdue by the sweeper's own
    rule (its 'today' three months on)."""
    server.app.test_client_class = ApiClient
    submitted = submitted_application(server.app, server.app.test_client(), "after-death")
    first = submitted["receipt"]["cases"][0]
    officer = officer_client(server.app, first["department"])
    assert officer.post(f"/api/v1/officer/cases/{first['reference']}/accept").status_code == 200
    assert officer.post(f"/api/v1/officer/cases/{first['reference']}/approve").status_code == 200
    run_worker(server.app)  # what the approval released goes out
    flagged = sweep_cases(db.session, stuck_after_seconds=10**6, today=date.today() + timedelta(days=90))
    db.session.expire_all()
    transitions = db.session.scalars(select(Event).where(Event.name == "case_transitioned")).all()
    released = {e.data["case"] for e in transitions if e.data["to"] == "submitted"}
    assert flagged["overdue"] == len(released) > 0  # the released ones; the rest wait for them
    return submitted


@pytest.fixture
def staff_page(server: LiveServer, new_desktop_context: Callable[[], BrowserContext]) -> Iterator[Page]:
    context = new_desktop_context()
    sign_in_context(server, context, "zhoumin")
    page = context.new_page()
    yield page


def open_by_application_number(page: Page, number: str) -> None:
    page.goto("/staff")
    wait_for_app(page)
    page.get_by_label("申请编号、手机号或身份证号").fill(number)
    page.get_by_role("button", name="查找", exact=True).click()
    row = page.locator("table.staff-results tbody tr")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("陈*")
    expect(row).to_contain_text(number)
    row.get_by_role("button", name="查看 陈*").click()
    expect(page.get_by_role("heading", name="查看 陈* 的信息前，请说明原因")).to_be_focused()


def open_for_account_security(page: Page, number: str) -> None:
    """Find the resident by application number and open them with the purpose 账号安全协助."""
    open_by_application_number(page, number)
    page.get_by_label("或选择事由").select_option(label="账号安全协助")
    page.get_by_label("说明", exact=True).fill("核对本人身份")
    page.get_by_role("button", name="打开居民信息").click()


def test_a_call_about_the_after_death_application_is_handled_and_the_son_sees_who_looked(
        server: LiveServer, after_death: dict[str, Any], staff_page: Page, signed_in_page: Callable[..., Page]) -> None:
    page, number = staff_page, after_death["number"]
    open_by_application_number(page, number)
    assert_accessible(page)

    page.get_by_role("button", name="打开居民信息").click()  # no reason yet: refused on the page
    expect(page.locator(".error-summary")).to_contain_text("请填写来电工单号")
    page.get_by_label("来电工单号").fill(TICKET)
    page.get_by_role("button", name="打开居民信息").click()

    expect(page.get_by_role("heading", name="居民：陈明")).to_be_focused()
    profile = page.locator("dl.summary")
    expect(profile).to_contain_text(mask_id_number(after_death["user"].id_number))
    expect(profile).not_to_contain_text(after_death["user"].id_number)  # masked until asked
    timeline = page.locator("ol.staff-timeline")
    expect(timeline).to_contain_text("杭州市公安局：已超期")  # a department's progress, by name
    expect(timeline).to_contain_text("杭州市公安局：已送达部门")
    shown = timeline.locator("li").count()
    page.get_by_role("button", name="加载更早的记录").click()  # keyset paging back in time
    expect(timeline.locator("li")).not_to_have_count(shown)
    expect(timeline).to_contain_text("提交申请")
    expect(timeline).to_contain_text("开始填写")  # the very first event of the application
    application = page.locator(".staff-application")
    expect(application).to_contain_text(number)  # opened straight away: the call is about it
    expect(application.locator("td.overdue").first).to_be_visible()
    assert_accessible(page)

    page.get_by_label("新增备注").fill("儿子来电询问进度，已告知各部门在办。")
    page.get_by_role("button", name="添加备注").click()
    expect(page.get_by_role("status").filter(has_text="已添加内部备注。")).to_be_visible()

    application.get_by_role("button", name="督办").first.click()
    page.get_by_label("督办说明（部门工作人员可见）").fill("家属来电，已超期，请尽快办理。")
    application.locator("form").get_by_role("button", name="督办").click()
    dialog = page.locator("dialog")
    expect(dialog).to_contain_text("把这个超期办件督办给部门？")
    assert_accessible(page)
    dialog.get_by_role("button", name="督办").click()
    expect(page.get_by_role("status").filter(has_text="已督办")).to_be_visible()
    expect(application).to_contain_text("已督办 1 次")
    expect(timeline).to_contain_text("督办超期办件", timeout=15000)  # the live path brings the new events
    assert_accessible(page)

    timeline_filter = page.get_by_role("group", name="只看")
    timeline_filter.get_by_label("通知").check()
    expect(timeline.locator("li[data-kind=staff]")).to_have_count(0)
    timeline.get_by_role("button", name="重新发送").first.click()
    page.locator("dialog").get_by_role("button", name="重新发送").click()
    expect(page.get_by_role("status").filter(has_text="通知已重新发送。")).to_be_visible()

    assert names_of("staff_revealed") == []  # nothing was revealed: nobody asked
    assert len(names_of("staff_note_added")) == 1 and len(names_of("staff_escalated")) == 1
    assert len(names_of("staff_resent_notification")) == 1
    assert not page.evaluate("() => JSON.stringify(localStorage) + JSON.stringify(sessionStorage)").count("KF")

    son = signed_in_page("chenming")
    son.goto("/app/settings")
    wait_for_app(son)
    log = son.locator("ul[aria-labelledby=access-log-title]")
    # One call, one ticket: the looks at his profile, timeline and application read as one line.
    expect(log.locator("li")).to_have_count(1)
    expect(log).to_contain_text("周敏（客服） 查看了您的基本信息")
    expect(log).to_contain_text(TICKET)
    expect(log).to_contain_text("申请")
    assert_accessible(son)


def test_what_happens_to_the_application_while_the_resident_is_open_appears_live_through_the_stream(
        server: LiveServer, after_death: dict[str, Any], staff_page: Page) -> None:
    page, number = staff_page, after_death["number"]
    open_by_application_number(page, number)
    page.get_by_label("来电工单号").fill(TICKET)
    with page.expect_request(lambda request: request.url.endswith(f"/residents/{after_death['user'].id}/timeline/stream")
                             and request.headers.get("x-staff-grant") is not None) as streamed:
        page.get_by_role("button", name="打开居民信息").click()
    assert "grant" not in streamed.value.url  # the grant is a header, never in a URL
    assert streamed.value.response().status == 200
    timeline = page.locator("ol.staff-timeline")
    expect(timeline).to_contain_text("已超期")
    shown = timeline.locator("li[data-id]").count()
    polls: list[str] = []
    page.on("request", lambda request: polls.append(request.url) if "/timeline?" in request.url else None)

    # While 周敏 is on the call, the department accepts the next case (through the real officer API).
    second = after_death["receipt"]["cases"][1]
    officer = officer_client(server.app, second["department"])
    assert officer.post(f"/api/v1/officer/cases/{second['reference']}/accept").status_code == 200
    [accepted] = [e for e in names_of("case_transitioned")
                  if e.data["case"] == second["reference"] and e.data["to"] == "accepted"]

    # It appears without a reload, well before the 5 s poller would have asked: the stream's hint did.
    expect(timeline.locator(f"li[data-id='{accepted.id}']")).to_contain_text("已受理", timeout=4000)
    expect(timeline.locator("li[data-id]")).not_to_have_count(shown)
    assert any("after=" in url for url in polls)  # the hint was rendered through the audited ?after= read
    assert page.url.endswith("/staff")


def test_when_the_server_ends_the_stream_the_page_reopens_it_with_last_event_id(
        server: LiveServer, after_death: dict[str, Any], staff_page: Page, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(server.app.config, "SSE_MAX_STREAM_SECONDS", 1.5)
    monkeypatch.setitem(server.app.config, "SSE_RETRY_MILLISECONDS", 200)
    page = staff_page
    streams: list[dict[str, str]] = []
    page.on("request", lambda request: streams.append(request.headers) if "/timeline/stream" in request.url else None)
    open_by_application_number(page, after_death["number"])
    page.get_by_label("来电工单号").fill(TICKET)
    page.get_by_role("button", name="打开居民信息").click()
    eventually(page, lambda: len(streams) >= 2)
    assert "last-event-id" not in streams[0] and streams[1]["last-event-id"].isdigit()
    second = after_death["receipt"]["cases"][1]
    officer = officer_client(server.app, second["department"])
    assert officer.post(f"/api/v1/officer/cases/{second['reference']}/accept").status_code == 200
    [accepted] = [e for e in names_of("case_transitioned")
                  if e.data["case"] == second["reference"] and e.data["to"] == "accepted"]
    expect(page.locator(f"ol.staff-timeline li[data-id='{accepted.id}']")).to_be_visible(timeout=4000)


def test_without_streaming_support_the_page_falls_back_to_the_polite_poll(
        server: LiveServer, after_death: dict[str, Any], staff_page: Page) -> None:
    page, number = staff_page, after_death["number"]
    page.add_init_script("delete window.TextDecoderStream")  # a browser that cannot read the stream
    streams: list[str] = []
    page.on("request", lambda request: streams.append(request.url) if "/timeline/stream" in request.url else None)
    open_by_application_number(page, number)
    page.get_by_label("来电工单号").fill(TICKET)
    page.get_by_role("button", name="打开居民信息").click()
    timeline = page.locator("ol.staff-timeline")
    expect(timeline).to_contain_text("已超期")
    second = after_death["receipt"]["cases"][1]
    officer = officer_client(server.app, second["department"])
    assert officer.post(f"/api/v1/officer/cases/{second['reference']}/accept").status_code == 200
    [accepted] = [e for e in names_of("case_transitioned")
                  if e.data["case"] == second["reference"] and e.data["to"] == "accepted"]
    expect(timeline.locator(f"li[data-id='{accepted.id}']")).to_contain_text("已受理", timeout=15000)
    assert streams == []


def test_a_reveal_is_confirmed_and_recorded_and_sessions_end_on_request(server: LiveServer, after_death: dict[str, Any],
                                                             staff_page: Page) -> None:
    page = staff_page
    open_for_account_security(page, after_death["number"])
    page.get_by_role("button", name="显示完整手机号").click()
    page.locator("dialog").get_by_role("button", name="取消").click()
    assert names_of("staff_revealed") == []
    page.get_by_role("button", name="显示完整手机号").click()
    page.locator("dialog").get_by_role("button", name="显示完整号码").click()
    expect(page.locator("dl.summary")).to_contain_text(after_death["user"].mobile)
    [revealed] = names_of("staff_revealed")
    assert revealed.data["field"] == "mobile" and revealed.data["purpose"] == "account_security"

    page.get_by_role("button", name="结束全部登录").click()  # the caller lost his phone
    page.locator("dialog").get_by_role("button", name="结束全部登录").click()
    expect(page.get_by_role("status").filter(has_text="已结束 1 个登录。")).to_be_visible()
    assert server.app.extensions["sessions"].list_for_user(after_death["user"].id) == []


def test_a_resident_opening_the_staff_page_is_told_it_is_not_for_them(server: LiveServer,
                                                                       signed_in_page: Callable[..., Page]) -> None:
    page = signed_in_page("chenming")
    page.goto("/staff")
    wait_for_app(page)
    expect(page.get_by_text("此页面仅供政务服务热线和大厅客服人员使用")).to_be_visible()
    expect(page.get_by_label("申请编号、手机号或身份证号")).to_have_count(0)
    assert_accessible(page)


def test_after_fifteen_idle_minutes_the_page_says_the_staff_member_was_signed_out(
        server: LiveServer, after_death: dict[str, Any], staff_page: Page) -> None:
    page = staff_page
    page.goto("/staff")
    wait_for_app(page)
    page.get_by_label("申请编号、手机号或身份证号").fill(after_death["number"])
    sessions = server.app.extensions["sessions"]
    sessions.clock = lambda: time.time() + 16 * 60  # the session store's clock: 16 minutes on
    try:
        page.get_by_role("button", name="查找", exact=True).click()
        expect(page.get_by_role("heading", name="您已退出客服工作台")).to_be_visible()
        expect(page.get_by_role("link", name="登录")).to_be_visible()
        assert_accessible(page)
    finally:
        sessions.clock = time.time


def test_switching_language_keeps_the_opened_resident_and_its_grant(server: LiveServer, after_death: dict[str, Any],
                                                                    staff_page: Page) -> None:
    page = staff_page
    open_for_account_security(page, after_death["number"])
    expect(page.get_by_role("heading", name="全部记录")).to_be_visible()

    page.locator("ot-header").get_by_role("button", name="English").click()

    expect(page.get_by_role("heading", name="Timeline")).to_be_visible()  # the same resident, now in English
    page.get_by_role("button", name="Show the whole mobile number").click()  # the grant still works
    page.locator("dialog").get_by_role("button", name="Show in full").click()
    expect(page.locator("dl.summary")).to_contain_text(after_death["user"].mobile)
    openings = [e for e in names_of("staff_viewed") if e.data.get("view") == "profile"]
    assert len(openings) == 1, "one opening with its reason: no second grant, no new reason asked"
    assert [e.data["field"] for e in names_of("staff_revealed")] == ["mobile"]
