"""What the resident reads of their applications: the list, one application's detail, its timeline.

The detail is read in one prebuilt statement. On PostgreSQL it runs straight through psycopg
(prepared on the server after a few uses, types converted in C, no result metadata built per
call): every progress view runs it. SQLite, the embedded default, runs the same statement
through SQLAlchemy. Both are behind :func:`application_detail`, and one test runs it on each.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from functools import lru_cache
from typing import Any, NamedTuple

from sqlalchemy import bindparam, func, select
from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.orm import Session

from bff.store.consent_models import HeirConsent
from bff.store.family_models import ApplicationMember
from bff.store.models import Application, Case, Certificate, Event, User
from bff.store.queries.family import readable_by, role_of


class DetailHead(NamedTuple):
    """The application's own columns in a detail row (what a summary reads of an Application)."""

    id: int
    number: str
    bundle: str
    status: str
    subject: str
    submitted_at: datetime | None
    updated_at: datetime | None
    catalog_version: str  # the catalog it was submitted with: names and labels come from that one
    my_role: str  # the reader's: lead or co_handler
    consent_deadline: date | None  # when the heirs' answers are due, if any heir was asked


class DetailCase(NamedTuple):
    """A case's columns in a detail row (what a progress view reads of a Case)."""

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
    needs: list[str] | None
    ready_at: datetime | None
    decided_at: datetime | None
    hold: dict[str, Any] | None


class DetailCertificate(NamedTuple):
    """A certificate's columns in a detail row (what a certificate's description reads)."""

    number: str
    kind: str
    title_zh: str
    title_en: str
    issuer: str
    issued_at: datetime
    revoked_at: datetime | None
    token: str


class ApplicationDetail(NamedTuple):
    """One application, its cases in form order, each with its certificate if issued."""

    head: DetailHead
    cases: list[tuple[DetailCase, DetailCertificate | None]]


_A, _C, _X = Application.__table__.c, Case.__table__.c, Certificate.__table__.c
_HEAD = [_A.id, _A.number, _A.bundle, _A.status, _A.subject, _A.submitted_at, _A.updated_at, _A.catalog_version]
_CERTIFICATE = [_X.number, _X.kind, _X.title_zh, _X.title_en, _X.issuer, _X.issued_at, _X.revoked_at, _X.token]
# Built once: only the columns the page shows (no answers, no certificate content), addressed by
# position (DetailHead, DetailCase, DetailCertificate).
_DETAIL = (
    select(*[column.label(f"a_{column.name}") for column in _HEAD], role_of(bindparam("user_id")).label("a_my_role"),
           # In the same statement: a second query for it cost the detail read about a fifth more.
           select(func.min(HeirConsent.deadline)).where(HeirConsent.application_id == _A.id)
           .scalar_subquery().label("a_consent_deadline"),
           _C.id.label("case_id"), _C.reference, _C.item, _C.item_title, _C.department, _C.status, _C.due_on,
           _C.time_limit_days, _C.dispatched_at, _C.supplement, _C.decision, _C.needs, _C.ready_at, _C.decided_at,
           _C.hold,
           *[column.label(f"x_{column.name}") for column in _CERTIFICATE])
    .select_from(Application.__table__)
    .outerjoin(Case.__table__, _C.application_id == _A.id)
    .outerjoin(Certificate.__table__, _X.case_id == _C.id)
    .where(_A.number == bindparam("number"), readable_by(bindparam("user_id")))
    .order_by(_C.position))
_CASE_AT = len(DetailHead._fields)
_CERTIFICATE_AT = _CASE_AT + len(DetailCase._fields)


def application_detail(connection: Connection, user_id: int, number: str) -> ApplicationDetail | None:
    """The application ``number`` with its cases and certificates, in one statement, if the user may
    read it (their own, or a submitted one of which they are an active member); else ``None``."""
    rows = _detail_rows(connection, {"number": number, "user_id": user_id})
    if not rows:
        return None
    cases = [(DetailCase(*row[_CASE_AT:_CERTIFICATE_AT]),
              DetailCertificate(*row[_CERTIFICATE_AT:]) if row[_CERTIFICATE_AT] is not None else None)
             for row in rows if row[_CASE_AT] is not None]
    return ApplicationDetail(DetailHead(*rows[0][:_CASE_AT]), cases)


def application_answers(connection: Connection, application_id: int) -> dict[str, Any]:
    """The application's answers (decrypted): read apart from the detail, only when shown."""
    answers = connection.execute(select(_A.answers).where(_A.id == application_id)).scalar()
    return dict(answers or {})


def _detail_rows(connection: Connection, params: dict[str, Any]) -> Sequence[Sequence[Any]]:
    """On PostgreSQL straight through psycopg: the values are those SQLAlchemy would give there
    (its types add no processing on psycopg). Elsewhere (SQLite) through SQLAlchemy."""
    if connection.dialect.name != "postgresql":
        return connection.execute(_DETAIL, params).all()
    sql = _compiled_detail(connection.dialect)
    return connection.connection.driver_connection.execute(sql, params).fetchall()  # type: ignore[union-attr]


@lru_cache(maxsize=4)
def _compiled_detail(dialect: Dialect) -> str:
    return str(_DETAIL.compile(dialect=dialect))


def submitted_applications(session: Session, user_id: int, draft_status: str, limit: int) -> list[Application]:
    """The applications that are not drafts which the user applied for or is an active member of,
    the most recently submitted first."""
    return list(session.scalars(
        select(Application).where(readable_by(user_id), Application.status != draft_status)
        .order_by(Application.submitted_at.desc()).limit(limit)))


def cases_of_applications(session: Session, application_ids: Sequence[int]) -> Mapping[int, list[Case]]:
    """The cases of each application, in their order on the form (one statement)."""
    by_application: dict[int, list[Case]] = {}
    if application_ids:
        for case in session.scalars(select(Case).where(Case.application_id.in_(application_ids))
                                    .order_by(Case.position)):
            by_application.setdefault(case.application_id, []).append(case)
    return by_application


def events_of_application(session: Session, application_id: int, limit: int) -> list[Event]:
    """The application's events, oldest first."""
    return list(session.scalars(select(Event).where(Event.application_id == application_id)
                                .order_by(Event.id).limit(limit)))


def events_of_application_with_actors(session: Session, application_id: int,
                                      limit: int) -> list[tuple[Event, str | None]]:
    """The application's events, oldest first, each with the name of who acted when that person is
    its applicant or a member of its family (staff and officers stay unnamed)."""
    family = (select(ApplicationMember.user_id).where(ApplicationMember.application_id == application_id)
              .union(select(Application.user_id).where(Application.id == application_id)))
    rows = session.execute(
        select(Event, User.name).outerjoin(User, (User.id == Event.actor_user_id) & User.id.in_(family))
        .where(Event.application_id == application_id).order_by(Event.id).limit(limit))
    return [(row[0], row[1]) for row in rows]
