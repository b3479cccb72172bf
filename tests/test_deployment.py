"""The deployment files say what docs/operations.md promises."""

from __future__ import annotations

from pathlib import Path

import yaml

from bff.config import DEV_SECRET_KEY

ROOT = Path(__file__).resolve().parent.parent
LONG_RUNNING = ("bff", "worker", "cron", "edge", "pgbouncer", "postgres", "redis")


def compose() -> dict:
    return yaml.safe_load((ROOT / "compose.yaml").read_text(encoding="utf-8"))


def test_every_long_running_process_restarts_and_has_a_health_check_of_its_own_kind():
    services = compose()["services"]
    for name in LONG_RUNNING:
        assert services[name]["restart"] == "unless-stopped", name
    for name in ("bff", "worker", "cron", "pgbouncer", "postgres", "redis"):
        assert services[name]["healthcheck"]["test"], name
    assert "healthz" in " ".join(services["bff"]["healthcheck"]["test"])
    assert services["worker"]["healthcheck"]["test"][-2:] == ["check", "worker"]
    assert services["cron"]["healthcheck"]["test"][-2:] == ["check", "cron"]
    assert "HEALTHCHECK" not in [line.split()[0] for line in (ROOT / "Dockerfile").read_text().splitlines() if line]


def test_redis_keeps_sessions_through_a_restart_and_the_database_goes_through_pgbouncer():
    services = compose()["services"]
    assert "--appendonly" in services["redis"]["command"] and "redisdata:/data" in services["redis"]["volumes"]
    assert services["pgbouncer"]["environment"]["POOL_MODE"] == "transaction"
    app_env = services["bff"]["environment"]
    assert "@pgbouncer:5432/" in app_env["DATABASE_URL"]
    assert "@postgres:5432/" in app_env["ONETHING_LEADER_DATABASE_URL"]  # the advisory lock needs a session
    assert app_env["ONETHING_DB_PREPARED_STATEMENTS"] == "false"
    assert "@postgres:5432/" in services["migrate"]["environment"]["DATABASE_URL"]
    assert services["cron"]["deploy"]["replicas"] == 2
    assert services["edge"]["image"].startswith("caddy")


def test_the_production_env_example_is_a_production_one_without_development_values():
    lines = (ROOT / ".env.production.example").read_text(encoding="utf-8").splitlines()
    settings = dict(line.split("#")[0].strip().split("=", 1) for line in lines if line and not line.startswith("#"))
    assert settings["ONETHING_ENV"] == "production"
    assert settings["ONETHING_SECRET_KEY"] == "" and DEV_SECRET_KEY not in "\n".join(lines)
    assert settings["ONETHING_PUBLIC_URL"].startswith("https://")
    assert "dev-only" not in "\n".join(lines)
