"""Liveness and readiness probes for load balancers and orchestrators."""

from __future__ import annotations

import logging

from flask import Blueprint, jsonify
from flask.typing import ResponseReturnValue
from sqlalchemy import text

from auth.permissions import access
from bff.extensions import db, redis
from bff.store.migrate import head_revision

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
    database, migrations = _check_database()
    checks = {"database": database, "migrations": migrations, "redis": _check_redis()}
    ready = all(value == "ok" for value in checks.values())
    response = jsonify(status="ok" if ready else "unavailable", checks=checks)
    response.status_code = 200 if ready else 503
    return response


def _check_database() -> tuple[str, str]:
    """One round trip answers both: is the database there, and is it at the Alembic head."""
    try:
        # The autocommit pool: no BEGIN and ROLLBACK around the one SELECT.
        revision = db.read_connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
    except Exception as error:  # noqa: BLE001 - a probe reports, it does not raise
        log.warning("readiness: database check failed: %s", type(error).__name__)
        return "unreachable", "unknown"
    return "ok", "ok" if revision == HEAD else "behind"


def _check_redis() -> str:
    try:
        redis.client.ping()
        return "ok"
    except Exception as error:  # noqa: BLE001
        log.warning("readiness: redis unreachable: %s", type(error).__name__)
        return "unreachable"


HEAD = head_revision()
