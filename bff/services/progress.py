"""What the resident reads: my applications, one application's progress, its timeline."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, defer

from bff.core import applications as rules
from bff.core.calendar import due_status
from bff.core.errors import NotFound
from bff.services import catalog_adapter as catalog
from bff.services.applications import NOT_FOUND, own_application
from bff.services.certificates import describe
from bff.store.models import Application, Case, Certificate, Event

LIST_LIMIT = 100
TIMELINE_LIMIT = 500


def list_my_applications(session: Session, user_id: int, today: date) -> list[dict[str, Any]]:
    """Submitted applications, newest first, each with its derived status, next action and due dates."""
    applications = list(session.scalars(
        select(Application).where(Application.user_id == user_id, Application.status != rules.DRAFT)
        .order_by(Application.submitted_at.desc()).limit(LIST_LIMIT)))
    by_application: dict[int, list[Case]] = {}
    if applications:
        for case in session.scalars(select(Case).where(Case.application_id.in_([a.id for a in applications]))
                                    .order_by(Case.position)):
            by_application.setdefault(case.application_id, []).append(case)
    return [summary(application, by_application.get(application.id, []), today) for application in applications]


def summary(application: Application, cases: list[Case], today: date) -> dict[str, Any]:
    status = rules.derive_application_status([case.status for case in cases]) if cases else application.status
    open_dues = [case.due_on for case in cases if case.due_on and case.status not in rules.TERMINAL]
    action = rules.next_action(status)
    return {"number": application.number, "bundle": application.bundle, "status": status,
            "status_text": rules.APPLICATION_STATUS_TEXT[status].as_dict(),
            "next_action": {"code": action.code, "text": action.text.as_dict()},
            "submitted_at": _iso(application.submitted_at), "updated_at": _iso(application.updated_at),
            "cases_total": len(cases), "cases_done": sum(case.status in rules.TERMINAL for case in cases),
            "next_due_on": _iso(min(open_dues)) if open_dues else None,
            "overdue": any(due_status(due, today) == "overdue" for due in open_dues)}


def draft_view(application: Application) -> dict[str, Any]:
    return {"number": application.number, "bundle": application.bundle, "status": application.status,
            "subject": application.subject, "subject_ref": application.subject_ref,
            "relation": application.relation, "channel": application.channel,
            "version": application.version, "answers": catalog.mask_answers(application.answers or {}),
            "catalog_version": application.catalog_version, "created_at": _iso(application.created_at),
            "updated_at": _iso(application.updated_at)}


def application_detail(session: Session, user_id: int, number: str, today: date, public_url: str) -> dict[str, Any]:
    """The caller's application with its cases and certificates, read in one statement."""
    rows = session.execute(
        select(Application, Case, Certificate)
        .outerjoin(Case, Case.application_id == Application.id)
        .outerjoin(Certificate, Certificate.case_id == Case.id)
        .where(Application.number == number, Application.user_id == user_id)
        .order_by(Case.position)
        .options(defer(Application.answers), defer(Certificate.content))).all()
    if not rows:
        raise NotFound(NOT_FOUND)
    application = rows[0][0]
    if application.status == rules.DRAFT:
        return draft_view(application)
    pairs = [(case, certificate) for _, case, certificate in rows if case is not None]
    cases = [case for case, _ in pairs]
    certificates = {case.id: describe(certificate, public_url) for case, certificate in pairs if certificate}
    return {**summary(application, cases, today), "subject": application.subject,
            "cases": [case_progress(case, certificates.get(case.id), today) for case in cases],
            "certificates": list(certificates.values())}


def case_progress(case: Case, certificate: dict[str, Any] | None, today: date) -> dict[str, Any]:
    open_case = case.status not in rules.TERMINAL
    supplement = None
    if case.status == rules.SUPPLEMENT_REQUESTED and case.supplement:
        supplement = {**case.supplement, "field_labels": {key: catalog.field_label(key).as_dict()
                                                          for key in case.supplement.get("fields", [])}}
    return {"reference": case.reference, "item": case.item, "title": case.item_title,
            "department": case.department, "department_name": catalog.department_name(case.department).as_dict(),
            "status": case.status, "status_text": rules.STATUS_TEXT[case.status].as_dict(),
            "due_on": _iso(case.due_on), "time_limit_days": case.time_limit_days,
            "due_status": due_status(case.due_on, today) if case.due_on and open_case else None,
            "delivered": case.dispatched_at is not None, "supplement": supplement,
            "decision": case.decision, "certificate": certificate}


def timeline(session: Session, user_id: int, number: str) -> list[dict[str, Any]]:
    """Every event of the application, oldest first (event data never carries personal data)."""
    application = own_application(session, user_id, number)
    events = session.scalars(select(Event).where(Event.application_id == application.id)
                             .order_by(Event.id).limit(TIMELINE_LIMIT))
    return [{"id": event.id, "name": event.name, "occurred_at": _iso(event.occurred_at),
             "by_me": event.actor_user_id == user_id, "data": _public_data(event)} for event in events]


def _public_data(event: Event) -> dict[str, Any]:
    hidden = {"officer", "event_id"}  # who in the department and their system's ids stay inside
    return {key: value for key, value in (event.data or {}).items() if key not in hidden}


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


