"""Settings from the environment, with embedded defaults for development.

Every setting is read from an environment variable prefixed ``ONETHING_``
(``app.config.from_prefixed_env("ONETHING")``); ``DATABASE_URL`` and
``REDIS_URL`` are also honoured unprefixed because platforms set them so.
Each one is documented in ``.env.example``. Production mode refuses to start
on any development default (see :func:`check_production`).
"""

from __future__ import annotations

import ipaddress
import os
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from bff.core.devices import is_loopback_host, parse_hosts

ROOT = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("ONETHING_VAR_DIR", ROOT / "var"))

DEV_SECRET_KEY = "dev-only-secret-key-do-not-use-in-production"
# 32-byte keys, base64; development only.
DEV_PII_KEY = "ZGV2LW9ubHktcGlpLWtleS0zMi1ieXRlcy1sb25nISE="
DEV_PII_HASH_KEY = "ZGV2LW9ubHktcGlpLWhhc2gta2V5LTMyLWJ5dGVzLi4="

DEFAULTS: dict[str, Any] = {
    "ENV": "development",
    "SECRET_KEY": DEV_SECRET_KEY,
    "DATABASE_URL": f"sqlite:///{VAR_DIR / 'onething.db'}",
    "REDIS_URL": "",
    # The session-level advisory lock of the active cron needs PostgreSQL itself, not a
    # transaction-pooling proxy; empty: DATABASE_URL.
    "LEADER_DATABASE_URL": "",
    # Connections per process (docs/operations.md, "Connection budget"): the write pool and the
    # autocommit read pool, each a steady size plus a burst; a request that waits longer than the
    # timeout for one answers 503 instead of queueing without bound. `flask db-budget` derives them.
    "DB_POOL_SIZE": 10,
    "DB_MAX_OVERFLOW": 20,
    "DB_READ_POOL_SIZE": 5,
    "DB_READ_MAX_OVERFLOW": 20,
    "DB_POOL_TIMEOUT_SECONDS": 10.0,
    # False behind PgBouncer in transaction mode: server-side prepared statements belong to one
    # server connection, which the next transaction may not get.
    "DB_PREPARED_STATEMENTS": True,
    "EMBEDDED_REDIS": False,
    # A paused or unreachable Redis fails a request within these bounds (a 503 the client retries)
    # instead of holding it, and a gevent worker's connections, until Redis answers again.
    "REDIS_SOCKET_TIMEOUT_SECONDS": 5.0,
    "REDIS_CONNECT_TIMEOUT_SECONDS": 2.0,
    "PUBLIC_URL": "http://127.0.0.1:8000",
    "PII_KEY": DEV_PII_KEY,
    "PII_HASH_KEY": DEV_PII_HASH_KEY,
    "OIDC_ISSUER": "http://127.0.0.1:8001",
    "OIDC_CLIENT_ID": "onething",
    "OIDC_CLIENT_SECRET": "onething-dev-secret",
    "OIDC_ROLES_CLAIM": "roles",
    "OIDC_DEPARTMENT_CLAIM": "department",
    "DEVIDP_ENABLED": None,  # None: on in development, off in production
    "MAX_CONTENT_LENGTH": 2 * 1024 * 1024,
    "JSON_MAX_BYTES": 256 * 1024,
    "JSON_MAX_DEPTH": 32,
    "TRUSTED_PROXIES": 0,  # how many reverse proxies set X-Forwarded-For/-Proto in front of the BFF
    "LOG_FORMAT": "text",
    # The bearer token the monitoring system sends to /metrics; production refuses to start without one.
    "METRICS_TOKEN": "",
    "LOG_LEVEL": "INFO",
    "SESSION_COOKIE_NAME": "onething_session",
    "SESSION_COOKIE_SECURE": False,
    "RATE_LIMIT_QR_TICKETS_PER_MINUTE": 20,
    "RATE_LIMIT_LOGINS_PER_MINUTE": 20,
    "RATE_LIMIT_MOBILE_CODES_PER_10_MINUTES": 3,  # one-time codes texted to a new mobile, per account
    "DEPARTMENT_SIMULATOR_URL": "",
    # Prefill: "sample" (the demo world's registry) or "http" (the JSON contract in docs/).
    "PREFILL_BACKEND": "sample",
    "PREFILL_URL": "",
    "PREFILL_TIMEOUT": 2.0,
    "PREFILL_FAILURES_TO_OPEN": 5,
    "PREFILL_OPEN_SECONDS": 30.0,
    "SIGNALS_BACKEND": "sample",
    "SIGNALS_URL": "",
    "SIGNALS_TIMEOUT": 5.0,
    "SIGNALS_POLL_SECONDS": 300,
    # Applications: department routing, dispatch retries, sweeper, simulator.
    # DEPARTMENTS: JSON {code: "workbench" | {"url": ..., "secret": ...}}; unlisted codes use the
    # workbench, or the simulator when DEPARTMENT_SIMULATOR_URL is set and the code is simulated.
    "DEPARTMENTS": "{}",
    "SIMULATED_DEPARTMENTS": "hrss,medical-insurance,housing-fund,traffic-police,veterans-affairs,water,power,gas",
    "DEPARTMENT_SIMULATOR_SECRET": "dev-only-simulator-secret",
    "RQ_QUEUE": "onething",
    # Notifications: VAPID key (PEM or base64; generated under var/ in development).
    "VAPID_PRIVATE_KEY": "",
    "VAPID_SUBJECT": "mailto:ops@onething.example",
    "PUSH_TIMEOUT_SECONDS": 10.0,
    "PUSH_RETRY_AFTER_SECONDS": 30.0,
    "PUSH_MAX_ATTEMPTS": 5,
    "PUSH_PRUNE_AFTER_DAYS": 90,
    "PUSH_MAX_FAILURES": 10,
    # Push services beyond the browsers' own (bff/core/devices.py: PUSH_SERVICE_HOSTS), comma-separated
    # host names or *.suffix patterns; tests name their local fake here (never loopback in production).
    "PUSH_EXTRA_HOSTS": "",
    "NOTIFY_BATCH_WAIT_SECONDS": 0.05,
    "SSE_KEEPALIVE_SECONDS": 15.0,
    "SSE_RETRY_MILLISECONDS": 3000,
    "SSE_MAX_STREAM_SECONDS": 300.0,
    "DISPATCH_MAX_ATTEMPTS": 8,
    "DISPATCH_BACKOFF_BASE_SECONDS": 10.0,
    "DISPATCH_BACKOFF_CAP_SECONDS": 3600.0,
    "DISPATCH_TIMEOUT_SECONDS": 10.0,
    "DISPATCH_LEASE_SECONDS": 60.0,
    "CIRCUIT_FAILURE_THRESHOLD": 5,
    "CIRCUIT_OPEN_SECONDS": 30.0,
    "SWEEP_INTERVAL_SECONDS": 60,
    "OUTBOX_RETENTION_DAYS": 30,
    "NOTIFICATION_RETENTION_DAYS": 365,
    "RECONCILE_BATCH": 20,
    "RECONCILE_EVERY_HOURS": 24,
    "SWEEP_STUCK_AFTER_SECONDS": 600,
    "SIMULATOR_ACCEPT_DELAY_SECONDS": 2.0,
    "SIMULATOR_DECIDE_DELAY_SECONDS": 8.0,
    "SIMULATOR_SUPPLEMENT_SHARE": 0.2,
    "SIMULATOR_REJECT_SHARE": 0.05,
    "SIMULATOR_FAILURE_SHARE": 0.1,
    "SIMULATOR_FORGET_SHARE": 0.0,
    # Uploads (documents the law needs): where their encrypted bytes live, the size limit, the scanner
    # (none: accept; eicar: refuse the EICAR test signature; a deployment names its own).
    "STORAGE_DIR": str(VAR_DIR / "uploads"),
    "UPLOAD_MAX_BYTES": 10 * 1024 * 1024,
    "VIRUS_SCANNER": "none",
    # The catalog directory (bundles, items, fields, departments); empty: the one shipped in bff/catalog.
    # A province serves its own copy, checked first with `flask catalog check DIR` (docs/catalog.md).
    "CATALOG_DIR": "",
}


# Fixed framework settings: part of the code, not of a deployment's configuration.
FRAMEWORK: dict[str, Any] = {
    "API_TITLE": "OneThing BFF",
    "API_VERSION": "v1",
    "OPENAPI_VERSION": "3.1.0",
    "OPENAPI_URL_PREFIX": "/api",
    "OPENAPI_JSON_PATH": "openapi.json",
    "COMPRESS_MIMETYPES": [
        "text/html",
        "text/css",
        "text/javascript",
        "application/javascript",
        "application/json",
        "application/manifest+json",
        "image/svg+xml",
    ],
    "COMPRESS_ALGORITHM": ["br", "gzip"],
    "COMPRESS_MIN_SIZE": 500,
}


def load_config(app: Any, overrides: dict[str, Any] | None = None) -> None:
    """Fill ``app.config``: defaults, then the environment, then ``overrides``."""
    app.config.update(FRAMEWORK)
    app.config.update(DEFAULTS)
    for plain in ("DATABASE_URL", "REDIS_URL"):
        if os.environ.get(plain):
            app.config[plain] = os.environ[plain]
    app.config.from_prefixed_env("ONETHING")
    if overrides:
        app.config.update(overrides)
    app.config["SQLALCHEMY_URL"] = normalise_database_url(app.config["DATABASE_URL"])
    production = app.config["ENV"] == "production"
    if app.config["DEVIDP_ENABLED"] is None:
        app.config["DEVIDP_ENABLED"] = not production
    if production:
        app.config["SESSION_COOKIE_SECURE"] = True
        if not app.config["SESSION_COOKIE_NAME"].startswith("__Host-"):  # Secure, Path=/, no Domain
            app.config["SESSION_COOKIE_NAME"] = "__Host-" + app.config["SESSION_COOKIE_NAME"]
        app.config["LOG_FORMAT"] = "json"
        check_production(app.config)


def normalise_database_url(url: str) -> str:
    """Use the psycopg 3 driver for plain ``postgresql://`` URLs."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def identity_problems(config: dict[str, Any]) -> list[str]:
    """The development identity provider, and plain http where a browser or a token travels."""
    problems = []
    if config["DEVIDP_ENABLED"] or config["OIDC_ISSUER"] == DEFAULTS["OIDC_ISSUER"] \
            or on_this_machine(config["OIDC_ISSUER"]):
        problems.append("the development identity provider is enabled or is the OIDC issuer "
                        "(an issuer on this machine is taken for it)")
    for name in ("OIDC_ISSUER", "PUBLIC_URL"):
        if urlsplit(str(config[name])).scheme != "https":
            problems.append(f"ONETHING_{name} is not an https:// URL")
    return problems


def department_problems(config: dict[str, Any]) -> list[str]:
    """The demo department simulator, and its secret (published in the code)."""
    problems = []
    if config["DEPARTMENT_SIMULATOR_URL"]:
        problems.append("ONETHING_DEPARTMENT_SIMULATOR_URL is set: departments would be the demo simulator")
    if config["DEPARTMENT_SIMULATOR_SECRET"] == DEFAULTS["DEPARTMENT_SIMULATOR_SECRET"]:
        problems.append("ONETHING_DEPARTMENT_SIMULATOR_SECRET is the public development secret")
    return problems


def on_this_machine(url: str) -> bool:
    """A URL whose host is a loopback or unspecified address or a ``localhost`` name.

    The development identity provider serves on this machine (``bff.devserver``); a real one
    never does. Wherever it runs, it also announces itself in its discovery document
    (``auth.oidc.DEVELOPMENT_MARKER``), which production's relying party refuses at sign-in."""
    host = (urlsplit(str(url)).hostname or "").rstrip(".").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return address.is_loopback or address.is_unspecified


class ConfigurationError(RuntimeError):
    """The configuration is unsafe or incomplete for the chosen mode."""


def check_production(config: dict[str, Any]) -> None:
    """Refuse every development default in production mode."""
    problems = []
    if config["SECRET_KEY"] in ("", DEV_SECRET_KEY):
        problems.append("ONETHING_SECRET_KEY is the development key")
    if config["PII_KEY"] == DEV_PII_KEY or config["PII_HASH_KEY"] == DEV_PII_HASH_KEY:
        problems.append("ONETHING_PII_KEY / ONETHING_PII_HASH_KEY are the development keys")
    if config["SQLALCHEMY_URL"].startswith("sqlite"):
        problems.append("DATABASE_URL is SQLite; production needs PostgreSQL")
    if not config["REDIS_URL"] or config["EMBEDDED_REDIS"] or str(VAR_DIR) in config["REDIS_URL"]:
        problems.append("REDIS_URL is unset or points at the embedded development Redis")
    problems += identity_problems(config) + department_problems(config)
    if not config["VAPID_PRIVATE_KEY"]:
        problems.append("ONETHING_VAPID_PRIVATE_KEY is unset (development generates one under var/)")
    if len(config["METRICS_TOKEN"]) < 16:
        problems.append("ONETHING_METRICS_TOKEN is unset or shorter than 16 characters (/metrics would be open)")
    if config["PREFILL_BACKEND"] == "sample":
        problems.append("PREFILL_BACKEND is the demo world's sample registry")
    if config["SIGNALS_BACKEND"] == "sample":
        problems.append("SIGNALS_BACKEND is the demo world's sample registry feed")
    if config["OIDC_CLIENT_SECRET"] == DEFAULTS["OIDC_CLIENT_SECRET"]:
        problems.append("ONETHING_OIDC_CLIENT_SECRET is the development secret")
    local = sorted(host for host in parse_hosts(config["PUSH_EXTRA_HOSTS"]) if is_loopback_host(host))
    if local:
        problems.append(f"ONETHING_PUSH_EXTRA_HOSTS names this machine ({', '.join(local)}): pushes would reach "
                        "local services")
    if problems:
        raise ConfigurationError("refusing to start in production: " + "; ".join(problems))
