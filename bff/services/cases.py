"""Moving a case through its status machine: the one place transitions are applied.

Officers, department callbacks and residents all call :func:`transition_case`, so every
transition is checked by ``bff.core.applications``, recorded as a ``case_transitioned``
Event, and re-derives the application's status in the same transaction.
"""

from __future__ import annotations

from typing import Any

from bff.core import applications as rules
from bff.core.calendar import due_date
from bff.services import graph
from bff.services.events import record_event
from bff.store import Session
from bff.store.models import Application, Case, utcnow
from bff.store.queries import cases as store


def transition_case(session: Session, case: Case, target: str, *, actor_user_id: int | None,
                    source: str, locked_application: Application | None = None, cascade: bool = True,
                    refresh: bool = True, **details: Any) -> None:
    """Apply ``case.status → target`` (checked), record it, and refresh the application.

    The application's row is locked here, unless the caller already holds it (``locked_application``,
    e.g. read ``FOR UPDATE`` together with the case). A case that ends releases or ends the cases
    that need it (``bff.services.graph.case_ended``), unless ``cascade`` is false (the caller
    ends them itself: a whole application's withdrawal, the cascade's own moves). ``refresh=False``
    leaves the application's status to the caller (several moves, one refresh)."""
    rules.check_case_transition(case.status, target)
    application = locked_application or session.get(Application, case.application_id, with_for_update=True)
    assert application is not None and application.id == case.application_id
    previous, now = case.status, utcnow()
    case.status, case.updated_at = target, now
    if target == rules.ACCEPTED:
        case.accepted_at = now
        # The statutory limit runs from acceptance (受理之日起).
        case.due_on = due_date(now, case.time_limit_days)
        case.flag = None
    if target in rules.TERMINAL:
        case.decided_at = now
        case.flag = None
    if actor_user_id is not None and source == "workbench":
        case.officer_user_id = actor_user_id
    record_event(session, "case_transitioned", actor_user_id=actor_user_id,
                 subject_user_id=application.user_id, application_id=application.id,
                 case=case.reference, department=case.department, to=target, source=source,
                 **{"from": previous}, **{k: v for k, v in details.items() if v not in (None, [], "")})
    if refresh:
        refresh_application_status(session, application)
    if cascade and target in rules.TERMINAL:
        graph.case_ended(session, case, application)


def refresh_application_status(session: Session, application: Application) -> str:
    """Derive the application's status from its cases' (the caller holds the application's lock).

    A case this transaction changed counts as it is in the session, unflushed, so the changes
    are written together at the caller's commit."""
    status = rules.derive_application_status(store.case_statuses_in_session(session, application.id))
    if status != application.status:
        application.status, application.updated_at = status, utcnow()
        if status in (rules.COMPLETED, rules.PARTIALLY_REJECTED):
            record_event(session, "application_completed", subject_user_id=application.user_id,
                         application_id=application.id, number=application.number, status=status)
    return status


def walk_case_to(session: Session, case: Case, target: str, *, actor_user_id: int | None,
                 source: str, locked_application: Application | None = None, **details: Any) -> list[str]:
    """Apply the department-side chain to ``target`` (e.g. approve straight from accepted).

    Returns the statuses passed through; ``[]`` if already there. Raises
    :class:`~bff.core.errors.InvalidTransition` when ``target`` cannot be reached.
    """
    path = rules.path_to(case.status, target)
    if path is None:
        rules.check_case_transition(case.status, target)  # raises with the user-facing message
        return []
    for step in path:
        transition_case(session, case, step, actor_user_id=actor_user_id, source=source,
                        locked_application=locked_application, **(details if step == target else {}))
    return path
