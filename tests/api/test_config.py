"""Production mode refuses every development default."""

from __future__ import annotations

import pytest

from bff.app import create_app
from bff.config import DEFAULTS, ConfigurationError

SAFE = {
    "ENV": "production",
    "SECRET_KEY": "a-real-secret-from-the-vault",
    "PII_KEY": "cHJvZC1waWkta2V5LTMyLWJ5dGVzLWxvbmctLS0tLSE=",
    "PII_HASH_KEY": "cHJvZC1oYXNoLWtleS0zMi1ieXRlcy1sb25nLS0tLSE=",
    "OIDC_ISSUER": "https://id.example.gov.cn",
    "OIDC_CLIENT_SECRET": "from-the-vault",
    "DEVIDP_ENABLED": False,
    "PREFILL_BACKEND": "http",
    "PREFILL_URL": "https://registry.example.gov.cn/prefill",
    "SIGNALS_BACKEND": "http",
    "SIGNALS_URL": "https://registry.example.gov.cn/signals",
    "VAPID_PRIVATE_KEY": "a-vapid-key-from-the-vault",
    "PUSH_EXTRA_HOSTS": "push.example.gov.cn",  # the tests' own names this machine
    "PUBLIC_URL": "https://yiwu.example.gov.cn",
    "DEPARTMENT_SIMULATOR_SECRET": "",
    "METRICS_TOKEN": "a-monitoring-token-from-the-vault",
}


def production(base_config, **changes):
    return create_app({**base_config, **SAFE, **changes})


def test_production_starts_with_real_settings(base_config):
    app = production(base_config)
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert "Strict-Transport-Security" in app.test_client().get("/healthz").headers


@pytest.mark.parametrize(("change", "complaint"), [
    ({"SECRET_KEY": "dev-only-secret-key-do-not-use-in-production"}, "SECRET_KEY"),
    ({"DATABASE_URL": "sqlite:////tmp/x.db"}, "SQLite"),
    ({"EMBEDDED_REDIS": True}, "embedded"),
    ({"DEVIDP_ENABLED": True}, "identity provider"),
    ({"OIDC_ISSUER": DEFAULTS["OIDC_ISSUER"]}, "identity provider"),
    ({"PII_KEY": "ZGV2LW9ubHktcGlpLWtleS0zMi1ieXRlcy1sb25nISE="}, "PII"),
    ({"PREFILL_BACKEND": "sample"}, "sample registry"),
    ({"SIGNALS_BACKEND": "sample"}, "SIGNALS_BACKEND"),
    ({"VAPID_PRIVATE_KEY": ""}, "VAPID"),
    ({"METRICS_TOKEN": ""}, "METRICS_TOKEN"),
    # a push service on this machine: every resident's pushes would be POSTed to local services
    ({"PUSH_EXTRA_HOSTS": "127.0.0.1"}, "PUSH_EXTRA_HOSTS"),
    ({"PUSH_EXTRA_HOSTS": "push.example.gov.cn, localhost"}, "PUSH_EXTRA_HOSTS"),
    ({"PUSH_EXTRA_HOSTS": "*.localhost"}, "PUSH_EXTRA_HOSTS"),
    ({"PUSH_EXTRA_HOSTS": "::1"}, "PUSH_EXTRA_HOSTS"),
    ({"PUSH_EXTRA_HOSTS": "127.8.9.10"}, "PUSH_EXTRA_HOSTS"),
    # The department simulator, and callbacks signed with its secret, which is in the code.
    ({"DEPARTMENT_SIMULATOR_URL": "https://simulator.example.net"}, "DEPARTMENT_SIMULATOR_URL"),
    ({"DEPARTMENT_SIMULATOR_SECRET": "dev-only-simulator-secret"}, "DEPARTMENT_SIMULATOR_SECRET"),
    # Tokens and session cookies over plain http.
    ({"OIDC_ISSUER": "http://id.example.gov.cn"}, "OIDC_ISSUER is not an https"),
    ({"PUBLIC_URL": "http://yiwu.example.gov.cn"}, "PUBLIC_URL is not an https"),
    # The development identity provider on another port, address or name of this machine.
    ({"OIDC_ISSUER": "https://127.0.0.1:9443"}, "identity provider"),
    ({"OIDC_ISSUER": "https://127.8.9.10"}, "identity provider"),
    ({"OIDC_ISSUER": "https://[::1]:8001"}, "identity provider"),
    ({"OIDC_ISSUER": "https://localhost:8001"}, "identity provider"),
    ({"OIDC_ISSUER": "https://idp.localhost"}, "identity provider"),
    ({"OIDC_ISSUER": "https://0.0.0.0:8001"}, "identity provider"),
])
def test_production_refuses_development_defaults(base_config, change, complaint):
    with pytest.raises(ConfigurationError, match=complaint):
        production(base_config, **change)


def test_production_refuses_the_development_provider_wherever_it_runs(base_config):
    """Served under a real-looking https name (a tunnel, a proxy), the development provider still
    says what it is in its discovery document, and production's relying party will not sign in
    with it; a development app still does."""
    import requests

    from auth.oidc import LoginFailed
    from tests.auth.conftest import RunningProvider

    provider = RunningProvider()
    try:
        url = provider.url
        assert requests.get(f"{url}/.well-known/openid-configuration", timeout=5).json()["x_onething_development_only"]
        app = production(base_config)
        relying_party = app.extensions["oidc"]
        relying_party.issuer = url  # as if a proxy answered for it under the configured https name
        with pytest.raises(LoginFailed) as refused:
            relying_party.begin_login("/")
        assert refused.value.reason == "provider_refused"
        development = create_app({**base_config, "OIDC_ISSUER": url})
        login_url, _ = development.extensions["oidc"].begin_login("/")
        assert login_url.startswith(f"{url}/authorize")
    finally:
        provider.stop()
