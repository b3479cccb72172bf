"""The service desk (客服): find a resident, open them with a reason, look, and help.

Search is an exact match through the keyed hash (``lookup_hash``) or the unique application
number, never a LIKE over plaintext; results are masked. Everything about one resident
needs the grant from :func:`bff.services.staff_access.open_resident`, and every look and
every action is an Event about the resident, naming the staff member and the opening.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import redis as redis_lib
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from auth.permissions import Principal
from auth.sessions import SessionStore
from bff.core import applications as rules
from bff.core.calendar import due_status
from bff.core.catalog import default_catalog
from bff.core.errors import Conflict, NotFound, ValidationFailed
from bff.core.pii import mask_field, mask_id_number, mask_mobile, mask_name
from bff.core.service_desk import REVEALABLE_FIELDS, check_reason, normalise_query, search_kind
from bff.core.text import Text
from bff.services import progress, staff_access
from bff.services.events import NOTIFY_HINTS, record_event
from bff.services.officer import officer_department
from bff.services.staff_access import Grant, record_view, resident_of
from bff.store.crypto import lookup_hash
from bff.store.models import Application, Case, Event, OutboxMessage, User
from bff.store.notification_models import Notification
from bff.store.staff_models import StaffNote

SEARCH_LIMIT = 20
NOTES_LIMIT = 200
NO_APPLICATION = Text("该居民没有这个申请。", "This resident has no such application.")
NO_CASE = Text("该居民的申请中没有这个子件。", "No such case in this resident's applications.")
NO_NOTIFICATION = Text("该居民没有这条消息。", "This resident has no such notification.")
NOT_RESENDABLE = Text("这条消息不能重发。", "This notification cannot be sent again.")
NOT_OVERDUE = Text("该子件未超期，不能督办。", "Only an overdue case can be escalated.")


# --- Search -----------------------------------------------------------------------------------

def search_residents(session: Session, staff_user_id: int, query: str) -> dict[str, Any]:
    """Residents matching an application number, ID number or mobile exactly; masked."""
    kind = search_kind(query)
    value = normalise_query(query)
    matched_application: dict[int, str] = {}
    if kind == "application":
        found = session.execute(select(Application.user_id, Application.number)
                                .where(Application.number == value)).first()
        users = [session.get(User, found.user_id)] if found else []
        if found:
            matched_application[found.user_id] = found.number
    else:
        column = User.id_number_hash if kind == "id_number" else User.mobile_hash
        users = list(session.scalars(select(User).where(column == lookup_hash(value)).limit(SEARCH_LIMIT)))
    residents = [u for u in users if u is not None and "resident" in (u.roles or [])]
    record_event(session, "staff_searched", actor_user_id=staff_user_id, kind=kind, results=len(residents))
    if session.get_bind().dialect.name == "postgresql":
        # The search's audit row is written without waiting for the WAL flush: a crash could lose
        # the last fraction of a second of searches (never a view: opening a resident waits), and
        # the search answers in a couple of milliseconds instead of a disk flush.
        session.execute(text("SET LOCAL synchronous_commit TO OFF"))
    session.commit()
    return {"kind": kind, "results": [{**masked_summary(u), "application": matched_application.get(u.id)}
                                      for u in residents]}


def masked_summary(user: User) -> dict[str, Any]:
    return {"id": user.id, "name": mask_name(user.name), "id_number": mask_id_number(user.id_number),
            "mobile": mask_mobile(user.mobile)}


# --- Looking at the resident ------------------------------------------------------------------

def resident_profile(session: Session, sessions: SessionStore, user: User, today: date) -> dict[str, Any]:
    """The opened resident: name, masked numbers, sessions, applications and drafts."""
    drafts = session.scalars(select(Application).where(Application.user_id == user.id,
                                                       Application.status == rules.DRAFT)
                             .order_by(Application.updated_at.desc()).limit(progress.LIST_LIMIT))
    return {"id": user.id, "name": user.name, "id_number": mask_id_number(user.id_number),
            "mobile": mask_mobile(user.mobile), "language": user.language, "elder_mode": user.elder_mode,
            "created_at": user.created_at, "last_login_at": user.last_login_at,
            "sessions": [record.public_view() for record in sessions.list_for_user(user.id)],
            "applications": progress.list_my_applications(session, user.id, today),
            "drafts": [{"number": d.number, "bundle": d.bundle, "updated_at": d.updated_at} for d in drafts]}


def open_resident(session: Session, client: redis_lib.Redis, sessions: SessionStore, principal: Principal,
                  resident_user_id: int, reason: dict[str, Any], today: date) -> dict[str, Any]:
    """Open a resident with a reason: the audited grant, and the profile to show at once."""
    checked = check_reason(reason.get("ticket"), reason.get("purpose"), reason.get("text"))
    grant, resident = staff_access.open_resident(session, client, principal, resident_user_id, checked)
    return {"grant": grant.token, "expires_at": grant.expires_at,
            "resident": resident_profile(session, sessions, resident, today)}


def view_profile(session: Session, client: redis_lib.Redis, sessions: SessionStore, grant: Grant,
                 today: date) -> dict[str, Any]:
    record_view(session, client, grant, "profile")
    return resident_profile(session, sessions, resident_of(session, grant.resident_user_id), today)


def reveal_field(session: Session, grant: Grant, field: str) -> dict[str, Any]:
    """One masked field in full, for this one response; the reveal is recorded first."""
    if field not in REVEALABLE_FIELDS:
        raise ValidationFailed(Text("不能查看该项。", "This field cannot be revealed."), code="not_revealable",
                               errors={"field": [Text("可查看：身份证号、手机号。", "One of: id_number, mobile.")]})
    user = resident_of(session, grant.resident_user_id)
    record_event(session, "staff_revealed", actor_user_id=grant.staff_user_id, subject_user_id=user.id,
                 field=field, **grant.reason_data(), **grant.audit())
    session.commit()
    return {"field": field, "value": getattr(user, field)}


def view_application(session: Session, client: redis_lib.Redis, grant: Grant, number: str, today: date,
                     public_url: str) -> dict[str, Any]:
    """The application as the resident sees it, plus dispatch attempts, callbacks and flags."""
    application = _application_of(session, grant, number)
    record_view(session, client, grant, "application", application_id=application.id,
                application=application.number)
    resident_view = progress.application_detail(session, grant.resident_user_id, application.number,
                                                today, public_url)
    if isinstance(resident_view.get("answers"), dict):  # a draft: the resident sees their own numbers
        resident_view["answers"] = mask_answers_for_staff(resident_view["answers"])
    return {"application": resident_view, "staff": staff_only_view(session, application, today)}


STAFF_MASKED_TYPES = ("id_number", "bank_card", "mobile", "address")


def mask_answers_for_staff(answers: dict[str, Any]) -> dict[str, Any]:
    """Answers as staff see them: mobiles and addresses masked too (the resident's view masks ID numbers and cards)."""
    fields = default_catalog().fields
    return {key: mask_field(fields[key].type, value, types=STAFF_MASKED_TYPES) if key in fields else value
            for key, value in answers.items()}


def staff_only_view(session: Session, application: Application, today: date) -> dict[str, Any]:
    cases = list(session.scalars(select(Case).where(Case.application_id == application.id).order_by(Case.position)))
    events = list(session.scalars(select(Event).where(
        Event.application_id == application.id,
        Event.name.in_(("case_dispatched", "case_dispatch_failed", "callback_received", "staff_escalated")))
        .order_by(Event.id)))
    by_case: dict[str, list[Event]] = {}
    for event in events:
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
            "overdue": due == "overdue" or case.flag == "overdue", "can_escalate": _is_overdue(case, today),
            "gateway": case.gateway, "dispatched_at": case.dispatched_at, "external_id": case.external_id,
            "last_callback_at": case.last_callback_at, "officer_user_id": case.officer_user_id,
            "dispatch_attempts": entries("case_dispatched", "case_dispatch_failed"),
            "callbacks": entries("callback_received"), "escalations": entries("staff_escalated")}


def _is_overdue(case: Case, today: date) -> bool:
    if case.status in rules.TERMINAL:
        return False
    return case.flag == "overdue" or bool(case.due_on and due_status(case.due_on, today) == "overdue")


def _application_of(session: Session, grant: Grant, number: str) -> Application:
    application = session.scalar(select(Application).where(Application.number == normalise_query(number)))
    if application is None or application.user_id != grant.resident_user_id:
        raise NotFound(NO_APPLICATION, code="application_not_found")
    return application


# --- Notes and escalations --------------------------------------------------------------------

def add_note(session: Session, grant: Grant, text: str, application_number: str | None = None) -> dict[str, Any]:
    """An internal note about the resident (residents never see notes)."""
    application = _application_of(session, grant, application_number) if application_number else None
    note = StaffNote(kind="note", resident_user_id=grant.resident_user_id, author_user_id=grant.staff_user_id,
                     application_id=application.id if application else None, text=text.strip())
    session.add(note)
    session.flush()
    extra = {"application": application.number} if application else {}
    record_event(session, "staff_note_added", actor_user_id=grant.staff_user_id,
                 subject_user_id=grant.resident_user_id, application_id=note.application_id,
                 note=note.id, **grant.audit(), **extra)
    session.commit()
    return note_view(note, _name_of(session, grant.staff_user_id), application.number if application else None, None)


def list_notes(session: Session, client: redis_lib.Redis, grant: Grant) -> list[dict[str, Any]]:
    record_view(session, client, grant, "notes")
    rows = session.execute(
        select(StaffNote, User.name, Application.number, Case.reference)
        .join(User, User.id == StaffNote.author_user_id)
        .outerjoin(Application, Application.id == StaffNote.application_id)
        .outerjoin(Case, Case.id == StaffNote.case_id)
        .where(StaffNote.resident_user_id == grant.resident_user_id)
        .order_by(StaffNote.id.desc()).limit(NOTES_LIMIT)).all()
    return [note_view(note, author, number, reference) for note, author, number, reference in rows]


def note_view(note: StaffNote, author: str, number: str | None, reference: str | None) -> dict[str, Any]:
    return {"id": note.id, "kind": note.kind, "text": note.text, "author": author, "created_at": note.created_at,
            "application": number, "case": reference, "department": note.department}


def escalate_case(session: Session, grant: Grant, reference: str, text: str, today: date) -> dict[str, Any]:
    """Ask the case's department to act on an overdue case; the officer queue shows it."""
    case = session.scalar(select(Case).where(Case.reference == normalise_query(reference)))
    application = session.get(Application, case.application_id) if case else None
    if case is None or application is None or application.user_id != grant.resident_user_id:
        raise NotFound(NO_CASE, code="case_not_found")
    if not _is_overdue(case, today):
        raise Conflict(NOT_OVERDUE, code="not_overdue")
    note = StaffNote(kind="escalation", resident_user_id=grant.resident_user_id,
                     author_user_id=grant.staff_user_id, application_id=application.id, case_id=case.id,
                     department=case.department, text=text.strip())
    session.add(note)
    session.flush()
    record_event(session, "staff_escalated", actor_user_id=grant.staff_user_id,
                 subject_user_id=grant.resident_user_id, application_id=application.id,
                 case=case.reference, department=case.department, application=application.number,
                 note=note.id, **grant.audit())
    session.commit()
    return note_view(note, _name_of(session, grant.staff_user_id), application.number, case.reference)


def _name_of(session: Session, user_id: int) -> str:
    user = session.get(User, user_id)
    return user.name if user else ""


def escalations_for_department(session: Session, department: str | None, limit: int = 100) -> list[dict[str, Any]]:
    """The department's escalations, newest first: for the officer workbench."""
    department = officer_department(department)
    rows = session.execute(
        select(StaffNote, User.name, Application.number, Case.reference)
        .join(User, User.id == StaffNote.author_user_id)
        .join(Application, Application.id == StaffNote.application_id)
        .join(Case, Case.id == StaffNote.case_id)
        .where(StaffNote.kind == "escalation", StaffNote.department == department)
        .order_by(StaffNote.id.desc()).limit(limit)).all()
    return [note_view(note, author, number, reference) for note, author, number, reference in rows]


# --- Helping ----------------------------------------------------------------------------------

def end_resident_sessions(session: Session, sessions: SessionStore, grant: Grant) -> int:
    """Sign the resident out everywhere, at their request (e.g. a lost phone)."""
    count = sessions.revoke_all(grant.resident_user_id)
    record_event(session, "staff_ended_sessions", actor_user_id=grant.staff_user_id,
                 subject_user_id=grant.resident_user_id, count=count, **grant.audit())
    session.commit()
    return count


def resend_notification(session: Session, grant: Grant, notification_id: int) -> dict[str, Any]:
    """Send one of the resident's notifications again (push to each device, or SMS).

    The send leaves through the outbox in this transaction, as every notification does: a
    ``notify`` row for the notification's event, which the notify job turns back into the
    same inbox entry and delivers again (quiet hours and preferences still apply).
    """
    from bff.outbox import NOTIFY_TOPIC

    notification = session.get(Notification, notification_id)
    if notification is None or notification.user_id != grant.resident_user_id:
        raise NotFound(NO_NOTIFICATION, code="notification_not_found")
    if notification.event_id is None:
        raise Conflict(NOT_RESENDABLE, code="not_resendable")
    session.add(OutboxMessage(topic=NOTIFY_TOPIC, payload={}, event_id=notification.event_id))
    # The same after-commit wake-up record_event gives its own notify rows; the relay is the safety net.
    session.info[NOTIFY_HINTS] = True
    record_event(session, "staff_resent_notification", actor_user_id=grant.staff_user_id,
                 subject_user_id=grant.resident_user_id, application_id=notification.application_id,
                 notification=notification.id, **grant.audit())
    session.commit()
    return {"notification": notification.id, "queued": True}
