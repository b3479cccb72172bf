"""Offline drafts and push: answers typed offline are kept and synced; a push refreshes the view."""

from __future__ import annotations

import json
from typing import Any

import pytest
from playwright.sync_api import BrowserContext, Locator, Page, expect

from tests.browser.conftest import (
    LiveServer,
    assert_accessible,
    eventually,
    sign_in_context,
    wait_for_app,
    wait_for_service_worker,
)
from tests.browser.journeys import run_worker
from tests.factories import create_user, sign_in

pytestmark = pytest.mark.browser


def test_a_draft_typed_offline_is_kept_and_synced_when_back_online(server: LiveServer, context: BrowserContext,
                                                                   page: Page) -> None:
    sign_in_context(server, context, "wangfang")
    page.goto("/app/apply/birth")
    expect(page.locator("h1")).to_have_text("新生儿信息")  # after the applicant's step, nothing to fill there
    wait_for_service_worker(page)
    number = page.url.split("/app/drafts/")[1].split("/")[0]

    context.set_offline(True)
    page.get_by_label("姓名", exact=True).fill("王小花")
    expect(page.locator("ot-autosave")).to_have_text("已保存在本机，联网后自动同步")
    expect(page.locator("#offline-banner")).to_be_visible()
    assert_accessible(page)

    page.reload()  # offline: the service worker serves the shell, IndexedDB the draft
    expect(page.locator("h1")).to_have_text("新生儿信息")
    expect(page.get_by_label("姓名", exact=True)).to_have_value("王小花")

    context.set_offline(False)
    eventually(page, lambda: draft_answers(page, number).get("subject.name") == "王小花")
    page.reload()
    expect(page.get_by_label("姓名", exact=True)).to_have_value("王小花")


def draft_answers(page: Page, number: str) -> dict[str, Any]:
    response = page.request.get(f"/api/v1/applications/{number}")
    return response.json()["answers"] if response.ok else {}


def submit_birth_application(server: LiveServer, page: Page, user_id: int) -> str:
    from tests.api.application_helpers import complete_answers

    answers = complete_answers("birth", user_id)
    headers = {"X-OneThing-CSRF": "1"}
    draft = page.request.post("/api/v1/applications", data={"bundle": "birth", "answers": answers}, headers=headers)
    assert draft.ok, draft.text()
    number = draft.json()["number"]
    receipt = page.request.post(f"/api/v1/applications/{number}/submit", data={"version": draft.json()["version"]},
                                headers={**headers, "Idempotency-Key": "pushtest" + number})
    assert receipt.ok, receipt.text()
    run_worker(server.app)
    return str(number)


def test_a_push_delivered_to_the_service_worker_refreshes_the_application(server: LiveServer, context: BrowserContext,
                                                                          page: Page) -> None:
    user = sign_in_context(server, context, "zhangwei")
    page.goto("/")
    wait_for_service_worker(page)
    number = submit_birth_application(server, page, user.id)
    first = open_without_live_updates(page, number)
    accept_first_case(server, number)
    page.wait_for_timeout(1000)
    expect(first).to_contain_text("已提交")  # nothing told the page yet

    deliver_push(server, context, page, {"id": 1, "kind": "case_accepted", "title": "办件已受理", "number": number,
                                         "url": f"/app/applications/{number}", "urgent": False})
    expect(first).to_contain_text("已受理")
    expect(page.locator("main [role=status]").first).to_contain_text("进度已更新")
    assert_accessible(page)


def open_without_live_updates(page: Page, number: str) -> Locator:
    """The application's page with its live stream and poller cut, so that only a push can tell it
    something changed; returns its first case, still "submitted"."""
    page.route("**/api/v1/events**", lambda route: route.abort())
    page.goto(f"/app/applications/{number}")
    wait_for_app(page)
    first = page.locator("ot-step-view li").first
    expect(first).to_contain_text("已提交")
    return first


def accept_first_case(server: LiveServer, number: str) -> None:
    officer = server.app.test_client()
    sign_in(server.app, officer, create_user("officer-health"))
    assert officer.post(f"/api/v1/officer/cases/{number}-01/accept", headers={"X-OneThing-CSRF": "1"}).status_code == 200


def deliver_push(server: LiveServer, context: BrowserContext, page: Page, payload: dict[str, Any]) -> None:
    """Hand ``payload`` to the page's service worker as a push message (Chrome DevTools Protocol)."""
    cdp = context.new_cdp_session(page)
    registrations: dict[str, str] = {}
    cdp.on("ServiceWorker.workerRegistrationUpdated",
           lambda event: registrations.update({r["scopeURL"]: r["registrationId"] for r in event["registrations"]}))
    cdp.send("ServiceWorker.enable")
    eventually(page, lambda: f"{server.url}/" in registrations)
    cdp.send("ServiceWorker.deliverPushMessage", {"origin": server.url, "registrationId": registrations[f"{server.url}/"],
                                                  "data": json.dumps(payload, ensure_ascii=False)})
