"""Starting sign-ins is limited per client address: an anonymous flood cannot fill Redis."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

from auth.oidc import PENDING_SECONDS
from bff.app import create_app

LIMIT = 5


@pytest.fixture
def proxied_app(app: Flask, identity_config: dict[str, Any]) -> Flask:
    """Behind one trusted reverse proxy, which sets X-Forwarded-For (flushed with ``app``'s Redis)."""
    return create_app({**identity_config, "TRUSTED_PROXIES": 1, "RATE_LIMIT_LOGINS_PER_MINUTE": LIMIT})


def pending_logins(app: Flask) -> list[bytes]:
    return list(app.extensions["redis"].scan_iter("oidc-login:*"))


def test_a_flood_of_anonymous_logins_gets_429_and_stores_nothing_more(proxied_app: Flask) -> None:
    browser = proxied_app.test_client()
    attacker = {"X-Forwarded-For": "203.0.113.7"}
    answers = [browser.get("/auth/login", headers=attacker) for _ in range(100)]

    assert [r.status_code for r in answers[:LIMIT]] == [302] * LIMIT
    refused = answers[LIMIT:]
    assert {r.status_code for r in refused} == {429}
    body = refused[0].get_json()
    assert body["code"] == 429 and body["reason"] == "rate_limited" and "频繁" in body["message"]
    assert 1 <= int(refused[0].headers["Retry-After"]) <= 60
    assert len(pending_logins(proxied_app)) == LIMIT  # bounded: one per allowed start, not 100

    english = browser.get("/auth/login", headers={**attacker, "X-Language": "en"})
    assert english.status_code == 429 and "Too many" in english.get_json()["message"]

    # Another address, behind the same proxy, still signs in.
    assert browser.get("/auth/login", headers={"X-Forwarded-For": "198.51.100.20"}).status_code == 302


def test_pending_logins_expire_in_minutes(proxied_app: Flask) -> None:
    browser = proxied_app.test_client()
    assert browser.get("/auth/login", headers={"X-Forwarded-For": "203.0.113.8"}).status_code == 302
    [key] = pending_logins(proxied_app)
    assert 0 < proxied_app.extensions["redis"].ttl(key) <= PENDING_SECONDS <= 300
