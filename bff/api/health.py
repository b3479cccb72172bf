"""Liveness and readiness probes for load balancers and orchestrators."""

from __future__ import annotations

import logging

from flask import Blueprint, jsonify
from flask.typing import ResponseReturnValue
from sqlalchemy import text

from auth.permissions import access
from bff.extensions import db, redis
from bff.store.migrate import current_revision, head_revision

log = logging.getLogger(__name__)
blp = Blueprint("health", __name__)


@blp.get("/healthz")
@access("public")
def healthz() -> ResponseReturnValue:
    """The process is up. No dependency is checked, so a slow database never restarts it."""
    return jsonify(status="ok")


@blp.get("/readyz")
@access("public")
def readyz() -> ResponseReturnValue:
    """Ready to serve: the database answers and is migrated to head, and Redis answers."""
    checks = {"database": _check_database(), "migrations": _check_migrations(), "redis": _check_redis()}
    ready = all(value == "ok" for value in checks.values())
    response = jsonify(status="ok" if ready else "unavailable", checks=checks)
    response.status_code = 200 if ready else 503
    return response


def _check_database() -> str:
    try:
        with db.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        return "ok"
    except Exception as error:  # noqa: BLE001 - a probe reports, it does not raise
        log.warning("readiness: database unreachable: %s", type(error).__name__)
        return "unreachable"


def _check_migrations() -> str:
    try:
        return "ok" if current_revision(db.engine) == _HEAD else "behind"
    except Exception:  # noqa: BLE001
        return "unknown"


def _check_redis() -> str:
    try:
        redis.client.ping()
        return "ok"
    except Exception as error:  # noqa: BLE001
        log.warning("readiness: redis unreachable: %s", type(error).__name__)
        return "unreachable"


_HEAD = head_revision()
