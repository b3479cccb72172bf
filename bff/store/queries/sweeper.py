"""The sweeper's reads: cases left undelivered, cases near or past their due date; old submission keys."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, datetime

from sqlalchemy import ScalarResult, delete, func, or_, select
from sqlalchemy.orm import Session

from bff.core.applications import TERMINAL
from bff.store.models import Case, IdempotencyKey, OutboxMessage
from bff.store.notification_models import Notification


def undelivered_cases(session: Session, created_before: datetime) -> ScalarResult[Case]:
    """Submitted cases never dispatched, ready (submitted, or released from waiting) before
    ``created_before``, with no pending ``case.submitted`` row (it went dead, or was lost); locked,
    others' locks skipped."""
    live = select(OutboxMessage.id).where(
        OutboxMessage.status == "pending", OutboxMessage.topic == "case.submitted",
        OutboxMessage.payload["case_id"].as_integer() == Case.id)
    return session.scalars(
        select(Case).where(Case.dispatched_at.is_(None), Case.status == "submitted",
                           func.coalesce(Case.ready_at, Case.created_at) < created_before, ~live.exists())
        .with_for_update(skip_locked=True))


def delete_idempotency_keys_before(session: Session, cutoff: datetime) -> int:
    """Forget submission keys made before ``cutoff``; how many. Not committed."""
    result = session.execute(delete(IdempotencyKey).where(IdempotencyKey.created_at < cutoff))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def cases_to_flag(session: Session, horizon: date) -> ScalarResult[Case]:
    """Open cases due by ``horizon`` not yet flagged overdue (by the due-date index): the only ones a
    sweep can flag, so a sweep reads a day's worth of cases, not every open one."""
    return session.scalars(select(Case).where(Case.due_on <= horizon, Case.status.not_in(TERMINAL),
                                              or_(Case.flag.is_(None), Case.flag != "overdue")))


def overdue_to_check(session: Session, today: date, checked_before: datetime, departments: Collection[str],
                     limit: int) -> list[Case]:
    """Dispatched open cases of ``departments`` past their due date whose department was not asked
    about them since ``checked_before``; most overdue first; locked, others' locks skipped."""
    if not departments:
        return []
    return list(session.scalars(
        select(Case).where(Case.due_on < today, Case.status.not_in(TERMINAL), Case.dispatched_at.is_not(None),
                           Case.department.in_(departments),
                           or_(Case.status_checked_at.is_(None), Case.status_checked_at < checked_before))
        .order_by(Case.due_on).limit(limit).with_for_update(skip_locked=True)))


def case_by_reference(session: Session, reference: str) -> Case | None:
    return session.scalar(select(Case).where(Case.reference == reference))


def open_dispatched_cases_of(session: Session, department: str) -> list[Case]:
    """A department's dispatched cases not yet finished, oldest first (an operator's resync or redelivery)."""
    return list(session.scalars(select(Case).where(Case.department == department, Case.status.not_in(TERMINAL),
                                                   Case.dispatched_at.is_not(None)).order_by(Case.id)))


def purge_done_outbox(session: Session, done_before: datetime, limit: int) -> int:
    """Delete up to ``limit`` outbox rows done before ``done_before``, oldest first (by the primary
    key, so the scan stops where recent rows begin); how many. Not committed."""
    oldest = (select(OutboxMessage.id).where(OutboxMessage.status == "done", OutboxMessage.done_at < done_before)
              .order_by(OutboxMessage.id).limit(limit))
    result = session.execute(delete(OutboxMessage).where(OutboxMessage.id.in_(oldest.scalar_subquery())))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def purge_read_notifications(session: Session, created_before: datetime, limit: int) -> int:
    """Delete up to ``limit`` inbox entries read and made before ``created_before``, oldest first; how many."""
    oldest = (select(Notification.id).where(Notification.read_at.is_not(None), Notification.created_at < created_before)
              .order_by(Notification.id).limit(limit))
    result = session.execute(delete(Notification).where(Notification.id.in_(oldest.scalar_subquery())))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
