"""No test depends on a fixed port being free or busy: `make run` may be serving beside the tests."""

from __future__ import annotations

import socket
from urllib.parse import urlsplit

from bff.config import DEFAULTS
from tests.conftest import DEVELOPMENT_PORTS
from tests.factories import ResidentFactory, sign_in


def test_the_test_apps_identity_provider_is_not_the_development_default_and_refuses_connections(app) -> None:
    issuer = app.config["OIDC_ISSUER"]
    assert issuer != DEFAULTS["OIDC_ISSUER"] and urlsplit(issuer).port not in DEVELOPMENT_PORTS
    with socket.socket() as probe:
        probe.settimeout(2)
        assert probe.connect_ex(("127.0.0.1", urlsplit(issuer).port)) != 0  # refused: nobody can listen there


def test_logout_sends_the_browser_home_while_the_development_ports_answer(app, client, development_ports_busy) -> None:
    sign_in(app, client, ResidentFactory())
    response = client.post("/auth/logout")
    assert response.status_code == 200
    assert response.json == {"end_session_url": None, "redirect": "/"}  # our provider is unreachable, not `make run`'s
