"""What a metrics scrape reads of the database: the outbox's backlog and dead letters by topic."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bff.store.models import OutboxMessage, utcnow


def outbox_state(session: Session) -> tuple[dict[str, int], dict[str, float], dict[str, int]]:
    """(due rows, age in seconds of the oldest due row, dead rows), each by topic; two statements on
    the (status, next_attempt_at) index. Rows scheduled for later are not yet due, so not backlog."""
    now = utcnow()
    backlog: dict[str, int] = {}
    oldest: dict[str, float] = {}
    for topic, number, first in session.execute(
            select(OutboxMessage.topic, func.count(), func.min(OutboxMessage.next_attempt_at))
            .where(OutboxMessage.status == "pending", OutboxMessage.next_attempt_at <= now)
            .group_by(OutboxMessage.topic)):
        backlog[topic] = int(number)
        oldest[topic] = max((now - _aware(first)).total_seconds(), 0.0)
    dead = {topic: int(number) for topic, number in session.execute(
        select(OutboxMessage.topic, func.count()).where(OutboxMessage.status == "dead").group_by(OutboxMessage.topic))}
    return backlog, oldest, dead


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=utcnow().tzinfo)
