"""Identity figures: completed logins per second and QR tickets created per second.

A completed login is the whole browser flow over real HTTP: ``/auth/login`` on the BFF, the
persona's button on the development identity provider, and ``/auth/callback`` (code exchange,
ID-token checks, user upsert, a new session).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import requests

from bench.harness import Result, Scenario, load_flow


def scenarios(ctx: Any) -> list[Scenario]:
    kiosk = {"X-OneThing-CSRF": "1", "Content-Type": "application/json",
             "User-Agent": "Mozilla/5.0 (X11; Linux x86_64) Chrome/130.0 Safari/537.36"}
    return [
        Scenario("identity: create QR login ticket", "POST", "/api/v1/auth/qr-tickets", kiosk, b"{}",
                 expect=(200, 201)),
        Scenario("identity: GET /api/v1/me", "GET", "/api/v1/me", ctx.sign_in("zhangwei")),
    ]


def custom(ctx: Any, port: int, seconds: float, concurrency: int) -> list[Result]:
    base = f"http://127.0.0.1:{port}"

    def one_login(_number: int) -> bool:
        browser = requests.Session()
        started = browser.get(f"{base}/auth/login", params={"next": "/"}, allow_redirects=False, timeout=30)
        authorize = started.headers["Location"]
        chosen = requests.post(authorize, data={"persona": "zhangwei"}, allow_redirects=False, timeout=30)
        callback = urlsplit(chosen.headers["Location"])
        finished = browser.get(f"{base}{callback.path}?{callback.query}", allow_redirects=False, timeout=30)
        return finished.status_code == 302 and bool(browser.cookies)

    return [load_flow("identity: completed login (3 requests, 2 servers)", one_login,
                      seconds=seconds, concurrency=concurrency)]
