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
    "VAPID_PRIVATE_KEY": "a-vapid-key-from-the-vault",
    "PUSH_EXTRA_HOSTS": "push.example.gov.cn",  # the tests' own names this machine
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
    ({"VAPID_PRIVATE_KEY": ""}, "VAPID"),
    # a push service on this machine: every resident's pushes would be POSTed to local services
    ({"PUSH_EXTRA_HOSTS": "127.0.0.1"}, "PUSH_EXTRA_HOSTS"),
    ({"PUSH_EXTRA_HOSTS": "push.example.gov.cn, localhost"}, "PUSH_EXTRA_HOSTS"),
    ({"PUSH_EXTRA_HOSTS": "*.localhost"}, "PUSH_EXTRA_HOSTS"),
    ({"PUSH_EXTRA_HOSTS": "::1"}, "PUSH_EXTRA_HOSTS"),
    ({"PUSH_EXTRA_HOSTS": "127.8.9.10"}, "PUSH_EXTRA_HOSTS"),
])
def test_production_refuses_development_defaults(base_config, change, complaint):
    with pytest.raises(ConfigurationError, match=complaint):
        production(base_config, **change)
