"""Turning notifications on when the browser's push service never answers: after 10 s the resident is
told so, in their language, and may try again.

Headless Chromium refuses to subscribe at all (it has no vendor push service), so the page's
``PushManager.subscribe`` is pointed at the local fake push service instead — the browser's side of
the protocol, not ours — and the fake is told to hang. Everything of ours (the settings page, push.js,
the BFF) runs as it is.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from playwright.sync_api import Page, Route, expect

from bff.extensions import db
from bff.store.models import User
from tests.browser.conftest import LiveServer, assert_accessible, eventually, wait_for_app
from tests.factories import create_user
from tests.fakes.push_service import FakePushService

pytestmark = pytest.mark.browser

BROWSER_PUSH_SERVICE = "/__browser-push-service/registrations"
# What a browser does on subscribe(): ask its push service for an endpoint and keys.
SUBSCRIBE_THROUGH_THE_FAKE = f"""
PushManager.prototype.subscribe = async function () {{
  const info = await (await fetch('{BROWSER_PUSH_SERVICE}', {{ method: 'POST' }})).json();
  return {{ endpoint: info.endpoint, toJSON: () => info, unsubscribe: async () => true }};
}};
"""

MESSAGES = {
    "zh-CN": ("开启通知", "浏览器的推送服务 10 秒内没有响应，通知未开启。请检查网络后再试。"),
    "en": ("Turn on notifications", "Your browser's push service did not answer within 10 seconds, so "
                                    "notifications are still off. Check your connection and try again."),
}


@pytest.fixture
def hanging_push_service() -> Iterator[FakePushService]:
    service = FakePushService().start()
    service.hang_registrations = True
    yield service
    service.stop()


@pytest.mark.parametrize("language", ["zh-CN", "en"])
def test_turning_on_notifications_gives_up_after_10_seconds_with_a_message(
        server: LiveServer, signed_in_page: Callable[..., Page], hanging_push_service: FakePushService,
        language: str) -> None:
    user = create_user("zhangwei")
    db.session.query(User).filter_by(id=user.id).update({"language": language})
    db.session.commit()
    page = signed_in_page("zhangwei")
    page.context.grant_permissions(["notifications"], origin=server.url)
    page.context.add_init_script(SUBSCRIBE_THROUGH_THE_FAKE)

    def to_the_fake(route: Route) -> None:
        route.continue_(url=f"{hanging_push_service.url}/registrations")

    page.route(f"**{BROWSER_PUSH_SERVICE}", to_the_fake)
    page.clock.install()
    page.goto("/app/settings")
    wait_for_app(page)
    turn_on, timed_out = MESSAGES[language]
    button = page.get_by_role("button", name=turn_on)
    button.click()
    eventually(page, lambda: hanging_push_service.registration_requests == 1)
    expect(button).to_be_disabled()  # one attempt at a time

    page.clock.run_for(9000)
    expect(page.get_by_text(timed_out)).to_have_count(0)
    page.clock.run_for(1500)
    status = page.get_by_role("status").filter(has_text=timed_out)
    expect(status).to_be_visible()
    expect(button).to_be_enabled()  # and may try again
    assert_accessible(page)
