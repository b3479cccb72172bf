"""Notification jobs that wait for a time: a quiet-hours delivery, a push retry after Retry-After.

Each is an outbox row of ``bff.outbox.LATER_TOPIC`` whose ``next_attempt_at`` is its due time,
written in the transaction that decided it. The relay marks due rows and queues a job each; the
job leases its row, runs, and marks it done in the commit that records the outcome. A lost job
(Redis restarted, worker killed) leaves the row due again when its grace or lease ends, so a
scheduled message survives anything but the loss of the database.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from bff.outbox import LATER_TOPIC
from bff.services.notifications import channels
from bff.store import Session
from bff.store.queries import outbox as queries

log = logging.getLogger("bff.notify")

TOPICS = (LATER_TOPIC,)
MAX_ATTEMPTS = 5  # a job that keeps failing is set aside as dead, for staff, instead of retried forever


def due(session: Session, *, limit: int = 500, grace: float = 60.0) -> list[tuple[int, datetime]]:
    """Due rows, each marked as queued until ``grace`` seconds from now (its token)."""
    return queries.relay_due(session, TOPICS, limit=limit, grace=grace)


def run(session: Session, message_id: int, token: datetime | None, notifier: channels.Notifier) -> str:
    """Run one due row's job, once: ``skipped`` when another worker holds it or it is done."""
    payload = queries.claim_payload(session, message_id, TOPICS, notifier.lease, token)
    if payload is None:
        return "skipped"
    job, args = payload.get("job"), [int(arg) for arg in payload.get("args", [])]
    try:
        if job == "deliver_notification" and len(args) == 1:
            return channels.deliver_notification(session, args[0], notifier, done=[message_id])
        if job == "retry_push" and len(args) == 3:
            notification_id, device_id, attempt = args
            return channels.retry_push(session, notification_id, device_id, attempt, notifier, done=[message_id])
    except Exception as error:
        session.rollback()
        queries.count_failure(session, message_id, type(error).__name__, retry_in=timedelta(seconds=30),
                              max_attempts=MAX_ATTEMPTS)
        session.commit()
        raise
    log.warning("outbox row %s names no known job (%r %s): set aside", message_id, job, len(args))
    queries.set_aside_as_dead(session, [message_id], f"unknown job {job!r}")
    session.commit()
    return "dead"
