"""The sweeper: nothing submitted stays stuck silently.

- A case still undelivered past the threshold with no live outbox row gets a fresh one
  (its earlier row went dead, or was lost) — the relay then re-queues it.
- Open cases due within one working day are flagged ``due_soon``, past their due date
  ``overdue``; each flag is recorded once as an event.
- Submission Idempotency-Keys older than 24 hours are forgotten.
- Outbox rows done more than ``OUTBOX_RETENTION_DAYS`` ago, and inbox entries read and older than
  ``NOTIFICATION_RETENTION_DAYS``, are deleted, a bounded batch per sweep. Events are the audit
  record and are never deleted here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from bff.core.applications import KEY_RETENTION
from bff.core.calendar import china_date, due_status, flag_horizon
from bff.services.dispatch import add_case_message
from bff.services.events import record_event
from bff.store import Session
from bff.store.models import Application, utcnow
from bff.store.queries import sweeper as queries

PURGE_BATCH = 5000  # rows of each kind deleted per sweep at most: a sweep stays short on a large backlog


def sweep_cases(session: Session, *, stuck_after_seconds: int, today: date | None = None,
                retention: Retention | None = None) -> dict[str, Any]:
    """One sweep, committed: re-queue, flag, forget, purge; returns the counts."""
    requeued = requeue_undelivered_cases(session, stuck_after_seconds)
    flagged = flag_due_cases(session, today or china_date(utcnow()))
    expired = forget_old_idempotency_keys(session)
    purged = purge(session, retention or Retention())
    session.commit()
    return {"requeued_cases": requeued, **flagged, "expired_keys": expired, **purged}


@dataclass(frozen=True)
class Retention:
    outbox_days: float = 30.0
    notification_days: float = 365.0


def purge(session: Session, retention: Retention) -> dict[str, int]:
    now = utcnow()
    return {"purged_outbox": queries.purge_done_outbox(session, now - timedelta(days=retention.outbox_days),
                                                       PURGE_BATCH),
            "purged_notifications": queries.purge_read_notifications(
                session, now - timedelta(days=retention.notification_days), PURGE_BATCH)}


def forget_old_idempotency_keys(session: Session) -> int:
    """Submission keys are kept for :data:`KEY_RETENTION` (24 h), then forgotten."""
    return queries.delete_idempotency_keys_before(session, utcnow() - KEY_RETENTION)


def requeue_undelivered_cases(session: Session, stuck_after_seconds: int) -> int:
    """A fresh ``case.submitted`` row for each case undelivered past the threshold with none pending."""
    count = 0
    for case in queries.undelivered_cases(session, utcnow() - timedelta(seconds=stuck_after_seconds)):
        add_case_message(session, case, "case.submitted", {"requeued": True})
        count += 1
    return count


def flag_due_cases(session: Session, today: date) -> dict[str, int]:
    """Flag open cases ``due_soon`` or ``overdue`` (an event each time a flag is set)."""
    counts = {"due_soon": 0, "overdue": 0}
    for case in queries.cases_to_flag(session, flag_horizon(today)):
        status = due_status(case.due_on, today)  # type: ignore[arg-type]
        if status == "on_time" or case.flag in (status, "overdue"):
            continue
        case.flag = status
        application = session.get(Application, case.application_id)
        assert application is not None
        record_event(session, f"case_{status}", subject_user_id=application.user_id,
                     application_id=application.id, case=case.reference, department=case.department,
                     due=case.due_on.isoformat())  # type: ignore[union-attr]
        counts[status] += 1
    return counts
