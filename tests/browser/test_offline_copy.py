"""Offline reloads show what the server holds, and who is signed in; the device keeps no ID numbers."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from tests.browser.conftest import LiveServer, assert_accessible, eventually, sign_in_context, wait_for_service_worker
from tests.browser.test_offline_and_push import draft_answers

pytestmark = pytest.mark.browser

FULL_ID_NUMBER = re.compile(r"\d{17}[\dXx]")

# Everything this origin keeps in IndexedDB and the service worker's caches, as text (a function, not
# an expression: the CSP forbids the eval Playwright would use for a string).
DEVICE_COPY = """async () => {
  const db = await new Promise((resolve, reject) => {
    const request = indexedDB.open('onething', 1);
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
  const values = await new Promise((resolve) => {
    const request = db.transaction('kv').objectStore('kv').getAll();
    request.onsuccess = () => resolve(request.result);
  });
  const cached = [];
  for (const name of await caches.keys()) {
    const cache = await caches.open(name);
    for (const request of await cache.keys()) cached.push({ url: request.url, text: await (await cache.match(request)).text() });
  }
  return { store: JSON.stringify(values), cached };
}"""

LANGUAGES = {
    "zh-CN": {"saved": "已自动保存", "who": "王芳（离线）", "sign_in": "登录", "sign_out": "退出"},
    "en": {"saved": "Saved automatically", "who": "王芳 (offline)", "sign_in": "Sign in",
           "sign_out": "Sign out"},
}


@pytest.mark.parametrize(("language", "elder"), [("zh-CN", False), ("en", True)])
def test_an_offline_reload_shows_the_name_saved_on_the_server_and_who_is_signed_in(
        server: LiveServer, context: BrowserContext, page: Page, language: str, elder: bool) -> None:
    words = LANGUAGES[language]
    user = sign_in_context(server, context, "wangfang")
    page.goto("/")
    saved = page.request.patch("/api/v1/me", data={"language": language, "elder_mode": elder},
                               headers={"X-OneThing-CSRF": "1"})
    assert saved.ok, saved.text()
    page.goto("/app/apply/birth")
    page.wait_for_selector("ot-field[data-key='subject.name']")  # the first step, all prefilled, is skipped
    wait_for_service_worker(page)
    number = page.url.split("/app/drafts/")[1].split("/")[0]
    name = page.locator("ot-field[data-key='subject.name'] input")
    name.fill("王小花")
    expect(page.locator("ot-autosave")).to_contain_text(words["saved"])  # online: saved on the server
    assert draft_answers(page, number)["subject.name"] == "王小花"

    context.set_offline(True)
    page.reload()  # the service worker serves the shell; the device's copy of the draft answers
    expect(name).to_have_value("王小花")
    header = page.locator("ot-header")
    expect(header).to_contain_text(words["who"])
    expect(header.get_by_role("button", name=words["sign_out"])).to_be_visible()
    expect(header.get_by_role("link", name=words["sign_in"])).to_have_count(0)
    expect(page.locator("html")).to_have_attribute("lang", language)
    if elder:
        expect(page.locator("html")).to_have_class(re.compile(r"\belder\b"))
    assert_accessible(page)

    device = page.evaluate(DEVICE_COPY)
    assert "王小花" in device["store"]  # the draft is there …
    everything = device["store"] + "".join(entry["text"] for entry in device["cached"])
    assert user.id_number not in everything and not FULL_ID_NUMBER.search(everything)  # … and no ID number
    assert not [entry["url"] for entry in device["cached"] if "/api/" in entry["url"]]  # no API answer cached
    context.set_offline(False)
    eventually(page, lambda: page.evaluate("() => navigator.onLine"))
