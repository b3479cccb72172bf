"""Notes and escalations: what staff write about a resident, and what they ask a department to do.

A note is internal (residents never see notes). An escalation is a note on one overdue case that
its department's officers see in their queue (:func:`escalations_for_department`).
"""

from __future__ import annotations

from datetime import date
from typing import Any

import redis as redis_lib

from bff.core.errors import Conflict, NotFound
from bff.core.service_desk import normalise_query
from bff.core.text import Text
from bff.services.events import record_event
from bff.services.officer import officer_department
from bff.services.service_desk.access import Grant, record_view
from bff.services.service_desk.resident import application_of, is_overdue
from bff.store import Session
from bff.store.models import Application, Case, User
from bff.store.queries import service_desk as queries
from bff.store.staff_models import StaffNote

NOTES_LIMIT = 200
NO_CASE = Text("该居民的申请中没有这个子件。", "No such case in this resident's applications.")
NOT_OVERDUE = Text("该子件未超期，不能督办。", "Only an overdue case can be escalated.")


def add_note(session: Session, grant: Grant, text: str, application_number: str | None = None) -> dict[str, Any]:
    """An internal note about the resident (residents never see notes)."""
    application = application_of(session, grant, application_number) if application_number else None
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
    """The resident's notes and escalations, newest first (a look recorded once per grant)."""
    record_view(session, client, grant, "notes")
    rows = queries.notes_about_resident(session, grant.resident_user_id, NOTES_LIMIT)
    return [note_view(note, author, number, reference) for note, author, number, reference in rows]


def note_view(note: StaffNote, author: str, number: str | None, reference: str | None) -> dict[str, Any]:
    """A note as the console and the officer queue show it."""
    return {"id": note.id, "kind": note.kind, "text": note.text, "author": author, "created_at": note.created_at,
            "application": number, "case": reference, "department": note.department}


def escalate_case(session: Session, grant: Grant, reference: str, text: str, today: date) -> dict[str, Any]:
    """Ask the case's department to act on an overdue case; the officer queue shows it."""
    case, application = _granted_case(session, grant, reference)
    if not is_overdue(case, today):
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


def _granted_case(session: Session, grant: Grant, reference: str) -> tuple[Case, Application]:
    """The case ``reference`` of one of the granted resident's applications, or :class:`NotFound`."""
    case = queries.case_by_reference(session, normalise_query(reference))
    application = session.get(Application, case.application_id) if case else None
    if case is None or application is None or application.user_id != grant.resident_user_id:
        raise NotFound(NO_CASE, code="case_not_found")
    return case, application


def _name_of(session: Session, user_id: int) -> str:
    user = session.get(User, user_id)
    return user.name if user else ""


def escalations_for_department(session: Session, department: str | None, limit: int = 100) -> list[dict[str, Any]]:
    """The department's escalations, newest first: for the officer workbench."""
    department = officer_department(department)
    rows = queries.escalations_of_department(session, department, limit)
    return [note_view(note, author, number, reference) for note, author, number, reference in rows]
