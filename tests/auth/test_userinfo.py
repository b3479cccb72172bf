"""A provider that puts only ``sub`` in the ID token: the profile comes from its userinfo endpoint."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask

from auth.devidp import UserInfo
from bff.app import create_app
from bff.demo import persona
from tests.auth.conftest import RunningProvider
from tests.auth.flows import choose_persona, return_to_bff, start_login
from tests.conftest import ApiClient


@pytest.fixture(scope="module")
def minimal_provider() -> Iterator[RunningProvider]:
    running = RunningProvider(minimal_id_token=True)
    yield running
    running.stop()


@pytest.fixture
def minimal_app(app: Flask, identity_config: dict[str, Any], minimal_provider: RunningProvider) -> Flask:
    """The BFF on the minimal provider (``app`` resets the shared database and Redis after the test)."""
    bff = create_app({**identity_config, "OIDC_ISSUER": minimal_provider.url})
    bff.test_client_class = ApiClient
    return bff


def test_the_profile_is_read_from_userinfo_when_the_id_token_has_only_sub(minimal_app, minimal_provider):
    client = minimal_app.test_client()
    authorization = choose_persona(start_login(client), "zhangwei")
    assert return_to_bff(client, authorization.callback).status_code == 302

    me = client.get("/api/v1/me").get_json()
    who = persona("zhangwei")
    assert me["name"] == who.name
    assert me["mobile"] == "138****0001"
    assert me["id_number"] == who.id_number[:6] + "********" + who.id_number[-4:]


def test_a_userinfo_answer_about_another_person_refuses_the_login(minimal_app, minimal_provider, monkeypatch):
    provider = minimal_provider.app.extensions["devidp"]
    original = provider.user_info
    someone_else = persona("wangfang")
    # a provider (or a token mix-up) answering userinfo with another person's profile
    monkeypatch.setattr(provider, "user_info", lambda sub: UserInfo({**original(sub), "sub": "someone-else",
                                                                      "name": someone_else.name}))
    client = minimal_app.test_client()
    authorization = choose_persona(start_login(client), "zhangwei")
    refused = return_to_bff(client, authorization.callback)
    assert refused.status_code == 400
    assert "不属于本次登录的用户" in refused.get_data(as_text=True)
    assert client.get("/api/v1/me").status_code == 401
