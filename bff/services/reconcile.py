"""Reconciliation with the departments' systems: what they acknowledged and then lost.

Delivery is at-least-once and callbacks are idempotent, but a department can still acknowledge a
case and lose it (a restore from an old backup, a bug), leaving it "in progress" here forever.
So a case past its due date with a department system of its own is asked about (the status query
of the department protocol, at most once per ``RECONCILE_EVERY_HOURS``):
- a status ahead of ours is applied as its callback would have been;
- "no such case" makes the case delivered again (its message id is the same, so a department
  that still has it answers "duplicate");
- an unreachable department is asked again at the next sweep.
An operator does the same for one case or a whole department: ``flask cases resync|redeliver``.
"""

from __future__ import annotations

import json
import logging
from datetime import date, timedelta
from typing import Any

from bff.core.applications import TERMINAL
from bff.services.callbacks import receive_callback
from bff.services.dispatch import DispatchSettings, add_case_message, gateway_for
from bff.services.events import record_event
from bff.store import Session
from bff.store.models import Application, Case, utcnow
from bff.store.queries import sweeper as queries

log = logging.getLogger("bff.reconcile")


def resync_case(session: Session, case: Case, settings: DispatchSettings) -> str:
    """Ask the case's department for its status and act on the answer; the outcome (committed)."""
    if settings.endpoint_for(case.department) is None:
        return "local"  # the workbench is ours: nothing to reconcile
    if case.status in TERMINAL:
        return "finished"
    reference, department, case_id = case.reference, case.department, case.id
    case.status_checked_at = utcnow()
    session.commit()  # no transaction stays open during the network call
    answer = gateway_for(settings, department).query(reference)
    if not answer.reachable:
        log.info("status of %s from %s: unreachable (%s)", reference, department, answer.error)
        return "unreachable"
    if not answer.known:
        fresh = session.get(Case, case_id)
        assert fresh is not None
        return redeliver_case(session, fresh, reason="unknown_to_department")
    data: dict[str, Any] = dict(answer.data or {})
    if data.get("status") == case.status:
        return "in_step"
    event_id = f"status.{reference}.{data.get('status')}.{data.get('occurred_at', '')}"[:100]
    result = receive_callback(session, department, event_id, json.dumps(data).encode())
    return f"applied:{result['outcome']}"


def redeliver_case(session: Session, case: Case, *, reason: str = "operator") -> str:
    """Send the case to its department again (committed)."""
    if case.status in TERMINAL:
        return "finished"
    if case.dispatched_at is None:
        return "undelivered"  # its first delivery is still under way: the sweeper sees to it
    application = session.get(Application, case.application_id)
    assert application is not None
    add_case_message(session, case, "case.submitted", {"redeliver": True})
    record_event(session, "case_redelivered", subject_user_id=application.user_id, application_id=application.id,
                 case=case.reference, department=case.department, reason=reason)
    session.commit()
    return "redelivered"


def reconcile_overdue(session: Session, settings: DispatchSettings, *, today: date, batch: int,
                      every: timedelta) -> dict[str, int]:
    """Ask about up to ``batch`` cases past their due date that were not asked about within ``every``."""
    departments = departments_with_systems(settings)
    counts: dict[str, int] = {}
    for case in queries.overdue_to_check(session, today, utcnow() - every, departments, batch):
        outcome = resync_case(session, case, settings).split(":")[0]
        counts[outcome] = counts.get(outcome, 0) + 1
    session.commit()
    return {f"reconcile_{outcome}": number for outcome, number in counts.items()}


def departments_with_systems(settings: DispatchSettings) -> list[str]:
    """The departments that run a system of their own (configured, or simulated in development)."""
    configured = {code for code, target in settings.departments.items() if isinstance(target, dict)}
    simulated = set(settings.simulated) if settings.simulator_url else set()
    return sorted(configured | simulated)


def cases_named(session: Session, reference: str | None, department: str | None) -> list[Case]:
    """One case by its reference, or a department's dispatched open cases."""
    if reference:
        case = queries.case_by_reference(session, reference)
        return [case] if case is not None else []
    return queries.open_dispatched_cases_of(session, department or "")
