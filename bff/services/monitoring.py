"""The deployment's state for a metrics scrape, read at scrape time (``bff.metrics``)."""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from typing import Any

from bff.store import Session
from bff.store.queries import monitoring as queries

log = logging.getLogger("bff.monitoring")

HEARTBEAT_PREFIX = "heartbeat:"  # heartbeat:<kind>:<name> = unix time; kept HEARTBEAT_TTL seconds
HEARTBEAT_TTL = 600
PUSH_COUNTS_KEY = "metrics:push"  # outcome -> count since Redis started
CIRCUIT_PREFIX = "circuit:"  # bff.services.dispatch.CircuitBreaker's keys
# RQ keeps a queue's waiting job ids in this list (its key layout since RQ 0.x); read here so that
# the web process needs no RQ import.
RQ_QUEUE_KEY = "rq:queue:{name}"


def beat(redis_client: Any, kind: str, name: str) -> None:
    """Record that the process ``kind``/``name`` is alive (read as its heartbeat's age)."""
    redis_client.set(f"{HEARTBEAT_PREFIX}{kind}:{name}", f"{time.time():.3f}", ex=HEARTBEAT_TTL)


def count_push_outcomes(redis_client: Any, counts: Mapping[str, int]) -> None:
    """Add a batch's push outcomes to the deployment's counters (one round trip)."""
    counted = {outcome: number for outcome, number in counts.items() if number}
    if not counted:
        return
    with redis_client.pipeline(transaction=False) as pipe:
        for outcome, number in counted.items():
            pipe.hincrby(PUSH_COUNTS_KEY, outcome, number)
        pipe.execute()


def snapshot(session: Session, redis_client: Any, queue_name: str) -> dict[str, Any]:
    """Every figure the scrape reports besides the processes' own. A Redis that does not answer
    leaves its figures out (and ``redis_up`` 0): the database's figures still come."""
    backlog, oldest, dead = queries.outbox_state(session)
    state: dict[str, Any] = {"outbox_backlog": backlog, "outbox_oldest_age": oldest, "outbox_dead": dead,
                             "queue_depth": 0, "circuits": {}, "heartbeats": {}, "push_outcomes": {},
                             "redis_up": 1}
    try:
        now = time.time()
        state["queue_depth"] = int(redis_client.llen(RQ_QUEUE_KEY.format(name=queue_name)))
        for key in redis_client.scan_iter(match=f"{CIRCUIT_PREFIX}*", count=200):
            if key.endswith(":trial"):
                continue
            open_until = redis_client.hget(key, "open_until")
            state["circuits"][key.removeprefix(CIRCUIT_PREFIX)] = int(bool(open_until) and float(open_until) > now)
        keys = list(redis_client.scan_iter(match=f"{HEARTBEAT_PREFIX}*", count=200))
        for key, value in zip(keys, redis_client.mget(keys) if keys else [], strict=True):
            if value is not None:
                state["heartbeats"][key.removeprefix(HEARTBEAT_PREFIX)] = round(max(now - float(value), 0.0), 3)
        state["push_outcomes"] = {outcome: int(number)
                                  for outcome, number in redis_client.hgetall(PUSH_COUNTS_KEY).items()}
    except Exception as error:  # noqa: BLE001 - a scrape reports Redis as down instead of failing
        log.warning("metrics: Redis unreachable (%s)", type(error).__name__)
        state["redis_up"] = 0
    return state
