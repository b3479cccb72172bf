"""Readiness of the dependencies a request needs: the database, migrated to head, and Redis.

A probe reports and never raises: a failure is a state of the answer, logged by its kind only
(the message may hold a connection string).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from redis import Redis

from bff.store.migrate import head_revision
from bff.store.queries.schema_version import Connection, migrated_revision

log = logging.getLogger("bff.api.health")

HEAD = head_revision()


def check_database(connect: Callable[[], Connection]) -> tuple[str, str]:
    """Whether the database answers, and whether it is at the Alembic head: ``(ok|unreachable,
    ok|behind|unknown)``. One round trip answers both; taking the connection counts as the check."""
    try:
        revision = migrated_revision(connect())
    except Exception as error:  # noqa: BLE001 - a probe reports, it does not raise
        log.warning("readiness: database check failed: %s", type(error).__name__)
        return "unreachable", "unknown"
    return "ok", "ok" if revision == HEAD else "behind"


def check_redis(client: Redis) -> str:
    """``ok`` when Redis answers a PING, else ``unreachable``."""
    try:
        client.ping()
        return "ok"
    except Exception as error:  # noqa: BLE001
        log.warning("readiness: redis unreachable: %s", type(error).__name__)
        return "unreachable"
