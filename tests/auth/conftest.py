"""Identity tests run against the development identity provider over real HTTP.

The provider runs in a background thread on a free port; the app under test is
configured with it as ``OIDC_ISSUER``, exactly as ``make run`` configures it.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from auth.devidp import create_devidp_app, make_devidp_server
from bff.app import create_app
from bff.cli import demo_persona_dicts
from tests.conftest import ApiClient

PUBLIC_URL = "http://localhost"  # what Flask's test client calls itself
CLIENT_ID, CLIENT_SECRET = "onething", "onething-dev-secret"


class RunningProvider:
    """A development identity provider served on a real socket in a daemon thread."""

    def __init__(self, *, announced_issuer: str | None = None, minimal_id_token: bool = False) -> None:
        self.app = create_devidp_app(
            demo_persona_dicts(), issuer="http://pending", client_id=CLIENT_ID, client_secret=CLIENT_SECRET,
            redirect_uris=[f"{PUBLIC_URL}/auth/callback"], post_logout_redirect_uris=[f"{PUBLIC_URL}/"],
            minimal_id_token=minimal_id_token)
        self.server = make_devidp_server(self.app, "127.0.0.1", 0)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.app.extensions["devidp"].issuer = announced_issuer or self.url
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="session")
def provider() -> Iterator[RunningProvider]:
    running = RunningProvider()
    yield running
    running.stop()


@pytest.fixture(scope="session")
def identity_config(base_config: dict[str, Any], provider: RunningProvider) -> dict[str, Any]:
    return {**base_config, "OIDC_ISSUER": provider.url, "PUBLIC_URL": PUBLIC_URL,
            "OIDC_CLIENT_ID": CLIENT_ID, "OIDC_CLIENT_SECRET": CLIENT_SECRET}


@pytest.fixture(scope="session")
def session_app(identity_config: dict[str, Any]) -> Flask:
    """Overrides the root fixture: the app of every test here talks to the running provider."""
    return create_app(identity_config)


class MovableClock:
    """Time as the session store and QR tickets see it; tests move it forward."""

    def __init__(self, start: float) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, *, seconds: float = 0, minutes: float = 0, hours: float = 0) -> None:
        self.now += seconds + 60 * minutes + 3600 * hours


@pytest.fixture
def clock(app: Flask) -> Iterator[MovableClock]:
    import time

    moving = MovableClock(time.time())
    stores = [app.extensions["sessions"], app.extensions["qr_tickets"]]
    originals = [store.clock for store in stores]
    for store in stores:
        store.clock = moving
    yield moving
    for store, original in zip(stores, originals, strict=True):
        store.clock = original


def new_browser(app: Flask) -> FlaskClient:
    """An independent browser: its own cookie jar, sending the PWA's CSRF header."""
    app.test_client_class = ApiClient
    return app.test_client()


@pytest.fixture
def kiosk(app: Flask) -> FlaskClient:
    return new_browser(app)


@pytest.fixture
def phone(app: Flask) -> FlaskClient:
    return new_browser(app)
