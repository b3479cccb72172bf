"""The push the BFF really sends, handed to the PWA's service worker through CDP.

Headless Chromium cannot subscribe to a real push service, so the test joins two halves:
the BFF encrypts and sends to the local fake push service (which decrypts it as the browser
would), and that exact plaintext is delivered to the service worker with
``ServiceWorker.deliverPushMessage``; the open page must show the new status.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from tests.browser.conftest import LiveServer, eventually, sign_in_context, wait_for_service_worker
from tests.browser.journeys import run_worker
from tests.browser.test_offline_and_push import (
    accept_first_case,
    deliver_push,
    open_without_live_updates,
    submit_birth_application,
)
from tests.fakes.push_service import FakePushService

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def push_service():
    service = FakePushService().start()
    yield service
    service.stop()


def test_the_push_the_bff_sends_is_handled_by_the_service_worker(server: LiveServer, context: BrowserContext,
                                                                  page: Page, push_service: FakePushService) -> None:
    user = sign_in_context(server, context, "zhangwei")
    page.goto("/")
    wait_for_service_worker(page)
    subscriber = push_service.new_subscriber()
    device = page.request.post("/api/v1/push/subscriptions", headers={"X-OneThing-CSRF": "1"},
                               data={**subscriber.subscription_info(), "device": "Pixel 7"})
    assert device.ok, device.text()
    number = submit_birth_application(server, page, user.id)

    first = open_without_live_updates(page, number)  # only the push may tell the page
    accept_first_case(server, number)
    run_worker(server.app)  # the notify job: inbox entry, then the encrypted push
    sent = eventually(page, lambda: [r for r in push_service.delivered(subscriber)
                                     if r.payload["kind"] == "case_accepted"])
    payload = sent[-1].payload
    assert payload["number"] == number and payload["url"] == f"/app/applications/{number}"

    deliver_push(server, context, page, payload)
    expect(first).to_contain_text("已受理")
    expect(page.locator("main [role=status]").first).to_contain_text("进度已更新")
