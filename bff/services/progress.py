"""What the resident reads: my applications, one application's progress, its timeline."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from functools import lru_cache
from typing import Any, NamedTuple

from sqlalchemy import bindparam, select
from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.orm import Session

from bff.core import applications as rules
from bff.core.calendar import due_status
from bff.core.errors import NotFound
from bff.services import catalog_adapter as catalog
from bff.services.applications import NOT_FOUND, own_application
from bff.services.certificates import describe
from bff.store.models import Application, Case, Certificate, Event

LIST_LIMIT = 100
TIMELINE_LIMIT = 500
# The bilingual labels every progress read repeats, built once (shared: serialise, never change).
_STATUS_TEXT = {status: text.as_dict() for status, text in rules.STATUS_TEXT.items()}
_APPLICATION_STATUS_TEXT = {status: text.as_dict() for status, text in rules.APPLICATION_STATUS_TEXT.items()}


@lru_cache(maxsize=256)
def _department_name(code: str) -> dict[str, str]:
    return catalog.department_name(code).as_dict()


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
            "status_text": _APPLICATION_STATUS_TEXT[status],
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


class _Head(NamedTuple):
    """The application's own columns in a detail row (what :func:`summary` reads)."""

    id: int
    number: str
    bundle: str
    status: str
    subject: str
    submitted_at: datetime | None
    updated_at: datetime | None


class _CaseColumns(NamedTuple):
    """A case's columns in a detail row (what :func:`case_progress` and :func:`summary` read)."""

    case_id: int
    reference: str
    item: str
    item_title: dict[str, str]
    department: str
    status: str
    due_on: date | None
    time_limit_days: int
    dispatched_at: datetime | None
    supplement: dict[str, Any] | None
    decision: dict[str, Any] | None


class _CertificateColumns(NamedTuple):
    """A certificate's columns in a detail row (what :func:`describe` reads)."""

    number: str
    kind: str
    title_zh: str
    title_en: str
    issuer: str
    issued_at: datetime
    revoked_at: datetime | None
    token: str


_A, _C, _X = Application.__table__.c, Case.__table__.c, Certificate.__table__.c
_HEAD = [_A.id, _A.number, _A.bundle, _A.status, _A.subject, _A.submitted_at, _A.updated_at]
_CERTIFICATE = [_X.number, _X.kind, _X.title_zh, _X.title_en, _X.issuer, _X.issued_at, _X.revoked_at, _X.token]
# Built once: only the columns the page shows (no answers, no certificate content), addressed by
# position (_Head, _CaseColumns, _CertificateColumns).
_DETAIL = (
    select(*[column.label(f"a_{column.name}") for column in _HEAD],
           _C.id.label("case_id"), _C.reference, _C.item, _C.item_title, _C.department, _C.status, _C.due_on,
           _C.time_limit_days, _C.dispatched_at, _C.supplement, _C.decision,
           *[column.label(f"x_{column.name}") for column in _CERTIFICATE])
    .select_from(Application.__table__)
    .outerjoin(Case.__table__, _C.application_id == _A.id)
    .outerjoin(Certificate.__table__, _X.case_id == _C.id)
    .where(_A.number == bindparam("number"), _A.user_id == bindparam("user_id"))
    .order_by(_C.position))
_CASE_AT = len(_HEAD)
_CERTIFICATE_AT = len(_HEAD) + 11


def application_detail(session: Session, user_id: int, number: str, today: date, public_url: str) -> dict[str, Any]:
    """The caller's application: a draft (its answers masked), or the progress of a submitted one."""
    body = submitted_detail(session.connection(), user_id, number, today, public_url)
    return draft_view(own_application(session, user_id, number)) if body is None else body


def submitted_detail(connection: Connection, user_id: int, number: str, today: date,
                     public_url: str) -> dict[str, Any] | None:
    """The caller's submitted application with its cases and certificates, read in one statement;
    None when it is still a draft (:func:`draft_view` shows that)."""
    rows = _detail_rows(connection, {"number": number, "user_id": user_id})
    if not rows:
        raise NotFound(NOT_FOUND)
    head = _Head(*rows[0][:_CASE_AT])
    if head.status == rules.DRAFT:
        return None
    cases = [(_CaseColumns(*row[_CASE_AT:_CERTIFICATE_AT]), row) for row in rows if row[_CASE_AT] is not None]
    # The named tuples carry the attributes these read from a Case, Application and Certificate.
    certificates = {case.case_id: describe(_CertificateColumns(*row[_CERTIFICATE_AT:]), public_url)  # type: ignore[arg-type]
                    for case, row in cases if row[_CERTIFICATE_AT] is not None}
    return {**summary(head, [case for case, _ in cases], today), "subject": head.subject,  # type: ignore[arg-type, misc]
            "cases": [case_progress(case, certificates.get(case.case_id), today)  # type: ignore[arg-type]
                      for case, _ in cases],
            "certificates": list(certificates.values())}


def _detail_rows(connection: Connection, params: dict[str, Any]) -> Sequence[Sequence[Any]]:
    """The detail statement's rows. On PostgreSQL straight through psycopg (prepared on the server
    after a few uses, types converted in C; no result metadata built per call): every progress
    view runs it. The values are those SQLAlchemy would give there (its types add no processing
    on psycopg). Elsewhere (SQLite under ``make run``) through SQLAlchemy."""
    if connection.dialect.name != "postgresql":
        return connection.execute(_DETAIL, params).all()
    sql = _compiled_detail(connection.dialect)
    return connection.connection.driver_connection.execute(sql, params).fetchall()  # type: ignore[union-attr]


@lru_cache(maxsize=4)
def _compiled_detail(dialect: Dialect) -> str:
    return str(_DETAIL.compile(dialect=dialect))


def case_progress(case: Case, certificate: dict[str, Any] | None, today: date) -> dict[str, Any]:
    open_case = case.status not in rules.TERMINAL
    supplement = None
    if case.status == rules.SUPPLEMENT_REQUESTED and case.supplement:
        supplement = {**case.supplement, "field_labels": {key: catalog.field_label(key).as_dict()
                                                          for key in case.supplement.get("fields", [])}}
    return {"reference": case.reference, "item": case.item, "title": case.item_title,
            "department": case.department, "department_name": _department_name(case.department),
            "status": case.status, "status_text": _STATUS_TEXT[case.status],
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


