"""Browser-test infrastructure: the real BFF on a free port, Debian's Chromium, a phone, axe.

- ``live_server``: the app of ``create_app(base_config)`` (per-run PostgreSQL + Redis) served by
  werkzeug's threaded server in a thread; ``server`` is the per-test view of it (data reset after).
- Chromium is ``/usr/bin/chromium`` (never downloaded); every context is a Pixel 7 phone unless a
  test asks for another viewport (``new_context(viewport=…)``).
- ``assert_accessible(page)`` runs axe-core (WCAG 2.1 A/AA rules) and fails with its report.
- ``signed_in_page("zhangwei")`` creates the persona's user, gives the context a real session cookie
  (a server-side session in Redis, as a login would) and returns a page.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from flask import Flask
from playwright.sync_api import Browser, BrowserContext, Page, Playwright
from werkzeug.serving import make_server

from tests.factories import create_user, sign_in

CHROMIUM = "/usr/bin/chromium"
PHONE = "Pixel 7"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


@dataclass
class LiveServer:
    app: Flask
    url: str

    def has_route(self, rule: str) -> bool:
        """Whether the BFF serves ``rule`` yet (journeys skip, with a reason, until their API lands)."""
        return any(r.rule == rule for r in self.app.url_map.iter_rules())


@pytest.fixture(scope="session")
def live_server(session_app: Flask) -> Iterator[LiveServer]:
    # Event streams notice a closed browser only when they next write: keep-alives every second let
    # them end soon after each test, and before the per-run database is dropped.
    session_app.config["SSE_KEEPALIVE_SECONDS"] = 1.0
    httpd = make_server("127.0.0.1", 0, session_app, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, name="live-bff", daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{httpd.server_port}"
    # The live server is the public origin: QR login codes and receipts point here.
    session_app.config["PUBLIC_URL"] = url
    session_app.extensions["qr_tickets"].public_url = url
    yield LiveServer(session_app, url)
    httpd.shutdown()
    thread.join(timeout=10)
    time.sleep(2)  # streams still open finish their last keep-alive


@pytest.fixture
def server(app: Flask, live_server: LiveServer) -> LiveServer:
    """The live server for one test; the ``app`` fixture truncates tables and flushes Redis after it."""
    return live_server


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_type_launch_args, "executable_path": CHROMIUM,
            "args": ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                     "--disable-component-update", "--no-first-run"]}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any], playwright: Playwright,
                         live_server: LiveServer) -> dict[str, Any]:
    phone = {k: v for k, v in playwright.devices[PHONE].items() if k != "default_browser_type"}
    return {**browser_context_args, **phone, "base_url": live_server.url, "locale": "zh-CN",
            "timezone_id": "Asia/Shanghai", "service_workers": "allow"}


@pytest.fixture
def new_desktop_context(browser: Browser, live_server: LiveServer) -> Iterator[Callable[[], BrowserContext]]:
    """Desktop browser contexts (staff and officers work on desktops), closed after the test."""
    contexts: list[BrowserContext] = []

    def make() -> BrowserContext:
        context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900},
                                      locale="zh-CN", timezone_id="Asia/Shanghai")
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


def assert_accessible(page: Page, context: str | None = None) -> None:
    """axe-core's WCAG 2.1 A/AA rules find no violation on the page as it is now."""
    results = Axe().run(page, context=context, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}})
    assert results.violations_count == 0, results.generate_report()


@pytest.fixture
def axe() -> Callable[..., None]:
    return assert_accessible


class _ContextCookies:
    """Lets tests.factories.sign_in set its cookie on a browser context instead of a test client."""

    def __init__(self, context: BrowserContext, url: str) -> None:
        self.context, self.url = context, url

    def set_cookie(self, name: str, value: str) -> None:
        self.context.add_cookies([{"name": name, "value": value, "url": self.url}])


def sign_in_context(server: LiveServer, context: BrowserContext, persona_key: str) -> Any:
    user = create_user(persona_key)
    sign_in(server.app, _ContextCookies(context, server.url), user)  # type: ignore[arg-type]
    return user


@pytest.fixture
def signed_in_page(server: LiveServer, new_context: Callable[..., BrowserContext]) -> Callable[..., Page]:
    def open_page(persona_key: str, **context_args: Any) -> Page:
        context = new_context(**context_args)
        sign_in_context(server, context, persona_key)
        return context.new_page()

    return open_page


def wait_for_app(page: Page) -> None:
    """The shell has rendered its first route."""
    page.wait_for_selector("html[data-ready='1']", state="attached")


def eventually(page: Page, check: Callable[[], Any], *, timeout: float = 15.0) -> Any:
    """Polls ``check`` until it returns something truthy. Waits through ``page`` so that Playwright keeps
    dispatching events (CDP, console) meanwhile; time.sleep would starve them."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result or time.monotonic() > deadline:
            assert result, f"still {result!r} after {timeout} s"
            return result
        page.wait_for_timeout(250)


def wait_for_service_worker(page: Page) -> None:
    # A function, not an expression: the CSP forbids the eval Playwright would use for a string.
    page.wait_for_function("() => navigator.serviceWorker.controller !== null", timeout=15000)
