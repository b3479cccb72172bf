"""Looking at one resident: open them with a reason, then their profile and applications.

Everything here needs the grant that :func:`open_resident` hands out
(:mod:`bff.services.service_desk.access`); each distinct look is recorded once per grant.
Staff see more than the resident about an application (dispatch attempts, callbacks, overdue
flags) and less of its answers (mobiles and addresses masked too).
"""

from __future__ import annotations

from datetime import date
from typing import Any

import redis as redis_lib

from auth.permissions import Principal
from auth.sessions import SessionStore
from bff.core import applications as rules
from bff.core.calendar import due_status
from bff.core.catalog import default_catalog
from bff.core.errors import NotFound
from bff.core.pii import mask_field, mask_id_number, mask_mobile
from bff.core.service_desk import check_reason, normalise_query
from bff.core.text import Text
from bff.services import progress
from bff.services.service_desk.access import Grant, grant_access, record_view, resident_of
from bff.store import Session
from bff.store.models import Application, Case, Event, User
from bff.store.queries import service_desk as queries

NO_APPLICATION = Text("该居民没有这个申请。", "This resident has no such application.")
STAFF_MASKED_TYPES = ("id_number", "bank_card", "mobile", "address")
# What staff see per case beyond the resident's view: how it left, what came back, who pushed it.
STAFF_CASE_EVENTS = ("case_dispatched", "case_dispatch_failed", "callback_received", "staff_escalated")


def open_resident(session: Session, client: redis_lib.Redis, sessions: SessionStore, principal: Principal,
                  resident_user_id: int, reason: dict[str, Any], today: date) -> dict[str, Any]:
    """Open a resident with a reason: the audited grant, and the profile to show at once."""
    checked = check_reason(reason.get("ticket"), reason.get("purpose"), reason.get("text"))
    grant, resident = grant_access(session, client, principal, resident_user_id, checked)
    return {"grant": grant.token, "expires_at": grant.expires_at,
            "resident": resident_profile(session, sessions, resident, today)}


def resident_profile(session: Session, sessions: SessionStore, user: User, today: date) -> dict[str, Any]:
    """The opened resident: name, masked numbers, sessions, applications and drafts."""
    drafts = queries.recent_drafts(session, user.id, progress.LIST_LIMIT)
    return {"id": user.id, "name": user.name, "id_number": mask_id_number(user.id_number),
            "mobile": mask_mobile(user.mobile), "language": user.language, "elder_mode": user.elder_mode,
            "created_at": user.created_at, "last_login_at": user.last_login_at,
            "sessions": [record.public_view() for record in sessions.list_for_user(user.id)],
            "applications": progress.list_my_applications(session, user.id, today),
            "drafts": [{"number": d.number, "bundle": d.bundle, "updated_at": d.updated_at} for d in drafts]}


def view_profile(session: Session, client: redis_lib.Redis, sessions: SessionStore, grant: Grant,
                 today: date) -> dict[str, Any]:
    """The opened resident's profile again (recorded once per grant)."""
    record_view(session, client, grant, "profile")
    return resident_profile(session, sessions, resident_of(session, grant.resident_user_id), today)


def view_application(session: Session, client: redis_lib.Redis, grant: Grant, number: str, today: date,
                     public_url: str) -> dict[str, Any]:
    """The application as the resident sees it, plus dispatch attempts, callbacks and flags."""
    application = application_of(session, grant, number)
    record_view(session, client, grant, "application", application_id=application.id,
                application=application.number)
    resident_view = progress.application_detail(session, grant.resident_user_id, application.number,
                                                today, public_url)
    if isinstance(resident_view.get("answers"), dict):  # a draft: the resident sees their own numbers
        resident_view["answers"] = mask_answers_for_staff(resident_view["answers"])
    return {"application": resident_view, "staff": staff_only_view(session, application, today)}


def mask_answers_for_staff(answers: dict[str, Any]) -> dict[str, Any]:
    """Answers as staff see them: mobiles and addresses masked too (the resident's view masks ID numbers and cards)."""
    fields = default_catalog().fields
    return {key: mask_field(fields[key].type, value, types=STAFF_MASKED_TYPES) if key in fields else value
            for key, value in answers.items()}


def staff_only_view(session: Session, application: Application, today: date) -> dict[str, Any]:
    """Per case, what only staff see: due status, gateway, dispatch attempts, callbacks, escalations."""
    cases = queries.cases_of_application(session, application.id)
    by_case: dict[str, list[Event]] = {}
    for event in queries.application_events_named(session, application.id, STAFF_CASE_EVENTS):
        by_case.setdefault(str((event.data or {}).get("case")), []).append(event)
    return {"cases": [_case_for_staff(case, by_case.get(case.reference, []), today) for case in cases]}


def _case_for_staff(case: Case, events: list[Event], today: date) -> dict[str, Any]:
    open_case = case.status not in rules.TERMINAL
    due = due_status(case.due_on, today) if case.due_on and open_case else None

    def entries(*names: str) -> list[dict[str, Any]]:
        return [{"id": e.id, "name": e.name, "occurred_at": e.occurred_at, "data": e.data}
                for e in events if e.name in names]

    return {"reference": case.reference, "department": case.department, "status": case.status,
            "flag": case.flag, "due_on": case.due_on, "due_status": due,
            "overdue": due == "overdue" or case.flag == "overdue", "can_escalate": is_overdue(case, today),
            "gateway": case.gateway, "dispatched_at": case.dispatched_at, "external_id": case.external_id,
            "last_callback_at": case.last_callback_at, "officer_user_id": case.officer_user_id,
            "dispatch_attempts": entries("case_dispatched", "case_dispatch_failed"),
            "callbacks": entries("callback_received"), "escalations": entries("staff_escalated")}


def is_overdue(case: Case, today: date) -> bool:
    """Whether an open case is past its due date (or flagged so by the sweeper): it may be escalated."""
    if case.status in rules.TERMINAL:
        return False
    return case.flag == "overdue" or bool(case.due_on and due_status(case.due_on, today) == "overdue")


def application_of(session: Session, grant: Grant, number: str) -> Application:
    """The granted resident's application ``number``; someone else's is "not found" like a missing one."""
    application = queries.application_by_number(session, normalise_query(number))
    if application is None or application.user_id != grant.resident_user_id:
        raise NotFound(NO_APPLICATION, code="application_not_found")
    return application
