"""The development identity provider behaves as a real OpenID Connect provider, and only in development."""

from __future__ import annotations

import secrets

import pytest
import requests

from auth.devidp import CLAIM_KEYS, DevIdpRefused, create_devidp_app
from bff.app import create_app
from bff.cli import demo_persona_dicts
from bff.demo import persona
from tests.auth.flows import log_in


def test_discovery_announces_the_endpoints_pkce_and_signing_algorithm(provider):
    document = requests.get(f"{provider.url}/.well-known/openid-configuration", timeout=10).json()

    assert document["issuer"] == provider.url
    for endpoint in ("authorization", "token", "userinfo", "end_session"):
        assert document[f"{endpoint}_endpoint"].startswith(provider.url)
    assert document["code_challenge_methods_supported"] == ["S256"]
    assert document["id_token_signing_alg_values_supported"] == ["RS256"]


def test_the_jwks_publishes_only_the_public_key(provider):
    jwks = requests.get(f"{provider.url}/jwks.json", timeout=10).json()

    [key] = jwks["keys"]
    assert key["kty"] == "RSA" and key["kid"]
    assert "d" not in key and "p" not in key


def test_userinfo_serves_the_personas_claims_to_the_holder_of_the_access_token(app, client, provider):
    log_in(client, "officer-health")
    sid = client.get_cookie(app.config["SESSION_COOKIE_NAME"]).value
    access_token = app.extensions["sessions"].get(sid, touch=False).tokens["access_token"]

    claims = requests.get(f"{provider.url}/userinfo", headers={"Authorization": f"Bearer {access_token}"},
                          timeout=10).json()
    refused = requests.get(f"{provider.url}/userinfo", headers={"Authorization": "Bearer nonsense"}, timeout=10)

    who = persona("officer-health")
    assert set(claims) == set(CLAIM_KEYS)
    assert claims["id_number"] == who.id_number and claims["phone_number"] == who.mobile
    assert claims["roles"] == ["officer"] and claims["department"] == "health"
    assert refused.status_code == 401


def test_a_code_cannot_be_exchanged_without_the_pkce_verifier(provider):
    from tests.auth.flows import choose_persona

    nonce = secrets.token_urlsafe(16)  # the provider refuses a nonce it has seen
    authorize = (f"{provider.url}/authorize?response_type=code&client_id=onething&scope=openid&state=s&nonce={nonce}"
                 "&redirect_uri=http%3A%2F%2Flocalhost%2Fauth%2Fcallback"
                 "&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM&code_challenge_method=S256")
    code = choose_persona(authorize, "zhangwei").params["code"]

    answer = requests.post(f"{provider.url}/token", auth=("onething", "onething-dev-secret"), timeout=10,
                           data={"grant_type": "authorization_code", "code": code,
                                 "redirect_uri": "http://localhost/auth/callback"})

    assert answer.status_code == 400
    assert answer.json()["error"] == "invalid_request"


def test_the_provider_refuses_to_exist_in_production_mode(monkeypatch):
    with pytest.raises(DevIdpRefused):
        create_devidp_app(demo_persona_dicts(), issuer="http://127.0.0.1:8001", client_id="c", client_secret="s",
                          redirect_uris=["http://127.0.0.1:8000/auth/callback"], production=True)
    monkeypatch.setenv("ONETHING_ENV", "production")
    with pytest.raises(DevIdpRefused):
        create_devidp_app(demo_persona_dicts(), issuer="http://127.0.0.1:8001", client_id="c", client_secret="s",
                          redirect_uris=["http://127.0.0.1:8000/auth/callback"])


def test_the_devidp_command_refuses_when_the_provider_is_disabled(base_config):
    app = create_app({**base_config, "DEVIDP_ENABLED": False})

    with app.app_context():  # `flask` pushes one; the bare command group does not
        result = app.test_cli_runner().invoke(args=["devidp", "--port", "0"])

    assert result.exit_code != 0
    assert "disabled" in result.output


def test_the_provider_serves_exactly_the_demo_personas_who_can_log_in():
    from bff.demo import personas

    served = demo_persona_dicts()

    assert [p["sub"] for p in served] == [p.key for p in personas()]
    chen = next(p for p in served if p["sub"] == "chenguohua")
    assert chen["can_log_in"] is False
