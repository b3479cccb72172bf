"""The sweeper's reads: cases left undelivered, open cases with a due date; old submission keys."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ScalarResult, delete, func, select
from sqlalchemy.orm import Session

from bff.core.applications import TERMINAL
from bff.store.models import Case, IdempotencyKey, OutboxMessage


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


def open_cases_with_due_date(session: Session) -> ScalarResult[Case]:
    """Cases not yet finished that have a due date."""
    return session.scalars(select(Case).where(Case.status.not_in(TERMINAL), Case.due_on.is_not(None)))


def delete_idempotency_keys_before(session: Session, cutoff: datetime) -> int:
    """Forget submission keys made before ``cutoff``; how many. Not committed."""
    result = session.execute(delete(IdempotencyKey).where(IdempotencyKey.created_at < cutoff))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
