"""Liveness and readiness probes for load balancers and orchestrators."""

from __future__ import annotations

from flask import Blueprint, jsonify
from flask.typing import ResponseReturnValue

from auth.permissions import access
from bff.errors import RETRY_AFTER_SECONDS
from bff.extensions import db, redis
from bff.services import readiness

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
    # The autocommit pool: no BEGIN and ROLLBACK around the one SELECT.
    database, migrations = readiness.check_database(lambda: db.read_connection)
    checks = {"database": database, "migrations": migrations, "redis": readiness.check_redis(redis.client)}
    ready = all(value == "ok" for value in checks.values())
    response = jsonify(status="ok" if ready else "unavailable", checks=checks)
    response.status_code = 200 if ready else 503
    if not ready:
        response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response
