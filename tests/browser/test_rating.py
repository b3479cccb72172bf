"""好差评 on the phone: after every department has finished, the resident rates the service."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from tests.api.rating_helpers import completed_application
from tests.browser.conftest import LiveServer, assert_accessible, wait_for_app
from tests.conftest import ApiClient

pytestmark = pytest.mark.browser


def test_a_bad_rating_promises_a_call_back_and_allows_one_more_rating(server: LiveServer,
                                                                      signed_in_page: Callable[..., Page]) -> None:
    server.app.test_client_class = ApiClient
    finished = completed_application(server.app, server.app.test_client())
    page = signed_in_page("zhangwei")
    page.goto(f"/app/applications/{finished['number']}#rating")
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
    assert_accessible(page)

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
    expect(page.locator(".timeline")).to_contain_text("您评价了这次服务")
    assert_accessible(page)
