"""好差评 on the phone: after every department has finished, the resident rates the service; a bad
rating gets a call-back from the service desk, after which the resident may rate once more."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from tests.api.rating_helpers import completed_application
from tests.browser.conftest import LiveServer, assert_accessible, sign_in_context, wait_for_app
from tests.conftest import ApiClient

pytestmark = pytest.mark.browser


def test_a_bad_rating_gets_a_call_back_from_the_service_desk_and_then_one_more_rating(
        server: LiveServer, signed_in_page: Callable[..., Page], new_desktop_context: Callable[[], BrowserContext]) -> None:
    server.app.test_client_class = ApiClient
    finished = completed_application(server.app, server.app.test_client())
    number = finished["number"]
    page = signed_in_page("zhangwei")
    page.goto(f"/app/applications/{number}#rating")
    wait_for_app(page)
    expect(page.get_by_role("heading", name="评价这次服务（好差评）")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("button", name="提交评价").click()  # no score yet: the form says so
    expect(page.get_by_text("请选择满意度")).to_be_visible()
    page.get_by_label("不满意", exact=True).check()
    page.get_by_label("等待时间长").check()
    page.get_by_label("其他意见（选填）").fill("等了很久才受理")
    page.get_by_role("button", name="提交评价").click()
    expect(page.get_by_text("谢谢您的评价！")).to_be_focused()
    expect(page.get_by_text("服务专员将在1个工作日内联系您")).to_be_visible()
    expect(page.get_by_role("button", name="提交新的评价")).to_have_count(0)  # not before the call-back
    assert_accessible(page)

    desk = new_desktop_context().new_page()
    sign_in_context(server, desk.context, "zhoumin")
    desk.goto("/staff")
    wait_for_app(desk)
    desk.get_by_role("button", name="待回访的差评").click()  # the service desk's work list
    work_list = desk.get_by_role("table", name="待回访的差评")
    expect(work_list.locator("tbody tr")).to_have_count(1)
    expect(work_list).to_contain_text(number)
    expect(work_list).not_to_contain_text("张伟")  # masked until opened with a reason
    assert_accessible(desk)
    work_list.get_by_role("button", name="查看 张*").click()
    expect(desk.get_by_label("或选择事由")).to_have_value("rating_follow_up")  # chosen already
    desk.get_by_label("说明", exact=True).fill("回访不满意评价")
    desk.get_by_role("button", name="打开居民信息").click()
    desk.get_by_label("评价").check()  # the timeline filtered to ratings
    timeline = desk.locator("ol.staff-timeline")
    expect(timeline).to_contain_text("差评，需1个工作日内回访")
    expect(timeline).to_contain_text("评价：2 分")
    assert_accessible(desk)
    timeline.get_by_role("button", name=f"记录已回访 {number}").click()
    desk.locator("dialog").get_by_role("button", name="记录已回访").click()
    expect(desk.get_by_role("status").filter(has_text="已记录回访")).to_be_visible()
    desk.get_by_role("button", name="待回访的差评").click()
    expect(desk.get_by_text("目前没有待回访的差评。")).to_be_visible()

    page.reload()
    wait_for_app(page)
    expect(page.get_by_text("您的评价：不满意")).to_be_visible()
    expect(page.get_by_text("问题解决了吗？您可以重新评价一次。")).to_be_visible()
    page.get_by_label("非常满意").check()
    page.get_by_role("button", name="提交新的评价").click()
    expect(page.get_by_text("您的评价：非常满意")).to_be_visible()
    page.reload()
    wait_for_app(page)
    expect(page.get_by_text("您的评价：非常满意")).to_be_visible()
    expect(page.get_by_role("button", name="提交新的评价")).to_have_count(0)  # one re-rating only
    expect(page.locator(".timeline-groups")).to_contain_text("服务专员已就您的评价回访")
    assert_accessible(page)
