"""The outbox rows: the relay's marking, a job's lease, a batch's claim, and their end.

Rows are written in the same transaction as the change they announce (``bff.outbox.add``). The
relay marks due rows as queued with a token (their new ``next_attempt_at``) before queueing a job
each; a job then leases its row. A lost job (Redis restarted, worker killed) leaves its row due
again once the grace or the lease is over, so nothing is lost and nothing is done twice at once.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime, timedelta
from typing import Any, NamedTuple

from sqlalchemy import case, select, update
from sqlalchemy.orm import Session

from bff.store.models import OutboxMessage, utcnow


def relay_due(session: Session, topics: Collection[str], *, limit: int = 500,
              grace: float = 60.0) -> list[tuple[int, datetime]]:
    """Due rows of ``topics``, each marked as queued until ``grace`` seconds from now (its token)."""
    now = utcnow()
    ids = list(session.scalars(
        select(OutboxMessage.id).where(OutboxMessage.status == "pending", OutboxMessage.topic.in_(topics),
                                       OutboxMessage.next_attempt_at <= now)
        .order_by(OutboxMessage.next_attempt_at).limit(limit).with_for_update(skip_locked=True)))
    token = now + timedelta(seconds=grace)
    if ids:
        session.execute(update(OutboxMessage).where(OutboxMessage.id.in_(ids)).values(next_attempt_at=token))
    session.commit()
    return [(message_id, token) for message_id in ids]


def claim(session: Session, message_id: int, topics: Collection[str], lease: float,
          token: datetime | None = None) -> bool:
    """Lease one row to this worker: it must be due, or still carry the relay's ``token``.

    ``False`` if it is done, dead, or leased by another worker (a duplicate job).
    """
    return claim_payload(session, message_id, topics, lease, token) is not None


def claim_payload(session: Session, message_id: int, topics: Collection[str], lease: float,
                  token: datetime | None = None) -> dict[str, Any] | None:
    """:func:`claim`, returning the row's payload when leased (``None`` otherwise) in the same statement."""
    now = utcnow()
    ready = OutboxMessage.next_attempt_at <= now
    if token is not None:
        ready = ready | (OutboxMessage.next_attempt_at == token)
    result = session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id, OutboxMessage.status == "pending",
               OutboxMessage.topic.in_(topics), ready)
        .values(next_attempt_at=now + timedelta(seconds=lease))
        .returning(OutboxMessage.payload))
    payload = result.scalar_one_or_none()
    session.commit()
    return None if payload is None else dict(payload)


class Claimed(NamedTuple):
    id: int
    payload: dict[str, Any]
    event_id: int | None
    attempts: int  # this claim included


def claim_batch(session: Session, topics: Collection[str], lease: float, limit: int, *,
                retried: bool | None = None) -> list[Claimed]:
    """Lease up to ``limit`` due rows of ``topics`` to this worker in one statement, oldest first,
    counting the attempt; only rows claimed before (``retried``) or only new ones, if asked.

    Rows another worker holds are skipped, not waited for (``SKIP LOCKED``), so several batch jobs
    drain a backlog side by side; a leased row is due again when its lease ends (a dead worker)."""
    now = utcnow()
    due = (select(OutboxMessage.id)
           .where(OutboxMessage.status == "pending", OutboxMessage.topic.in_(topics),
                  OutboxMessage.next_attempt_at <= now)
           .order_by(OutboxMessage.id).limit(limit).with_for_update(skip_locked=True))
    if retried is not None:
        due = due.where(OutboxMessage.attempts > 0 if retried else OutboxMessage.attempts == 0)
    rows = session.execute(update(OutboxMessage).where(OutboxMessage.id.in_(due))
                           .values(next_attempt_at=now + timedelta(seconds=lease), attempts=OutboxMessage.attempts + 1)
                           .returning(OutboxMessage.id, OutboxMessage.payload, OutboxMessage.event_id,
                                      OutboxMessage.attempts)).all()
    session.commit()
    return sorted(Claimed(message_id, dict(payload or {}), event_id, attempts)
                  for message_id, payload, event_id, attempts in rows)


def any_due(session: Session, topics: Collection[str]) -> bool:
    """Whether a row of ``topics`` waits (new, or its lease over): the relay's check."""
    now = utcnow()
    found = session.scalar(select(OutboxMessage.id).where(OutboxMessage.status == "pending",
                                                          OutboxMessage.topic.in_(topics),
                                                          OutboxMessage.next_attempt_at <= now).limit(1))
    session.commit()
    return found is not None


def set_aside_as_dead(session: Session, message_ids: Sequence[int], reason: str) -> None:
    """Mark rows ``dead`` (no job takes them again); not committed."""
    session.execute(update(OutboxMessage).where(OutboxMessage.id.in_(message_ids))
                    .values(status="dead", last_error=reason))


def mark_done(session: Session, message_ids: Sequence[int]) -> None:
    """Mark rows ``done`` in the caller's transaction (with the outcome of their work); not committed."""
    session.execute(update(OutboxMessage).where(OutboxMessage.id.in_(message_ids))
                    .values(status="done", done_at=utcnow()).execution_options(synchronize_session=False))


def count_failure(session: Session, message_id: int, error: str, *, retry_in: timedelta, max_attempts: int) -> None:
    """Count a failed run of a row: due again after ``retry_in``, or ``dead`` at ``max_attempts``; not committed."""
    session.execute(update(OutboxMessage).where(OutboxMessage.id == message_id).values(
        attempts=OutboxMessage.attempts + 1, last_error=error[:200], next_attempt_at=utcnow() + retry_in,
        status=case((OutboxMessage.attempts + 1 >= max_attempts, "dead"), else_="pending")))
