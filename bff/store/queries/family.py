"""The family of an application: its members, the applications a person may read as a member,
and the one active application of a subject.

Reading rules (``member_application``): the applicant of record (``applications.user_id``) and
every *active* member read a submitted application; a draft is read by its author only.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import and_, case, exists, func, literal_column, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, defer
from sqlalchemy.sql.elements import ColumnElement

from bff.store.family_models import ONE_PER_SUBJECT, ApplicationMember
from bff.store.models import Application, User

ACTIVE = "active"
DRAFT = "draft"
# As SQL literals: the progress detail is compiled once and run by psycopg with only its own
# parameters (number, user id), so the constants of these conditions must not become parameters.
_ACTIVE_SQL: ColumnElement[str] = literal_column(f"'{ACTIVE}'")
_DRAFT_SQL: ColumnElement[str] = literal_column(f"'{DRAFT}'")
_LEAD_SQL: ColumnElement[str] = literal_column("'lead'")
_CO_HANDLER_SQL: ColumnElement[str] = literal_column("'co_handler'")


class SubjectTaken(Exception):
    """Another application of the same bundle is already active for this subject."""


def is_member(user_id: Any, application_id: Any = Application.id) -> ColumnElement[bool]:
    """SQL: ``user_id`` is an active member of the application (a column, or a bound id)."""
    return exists().where(ApplicationMember.application_id == application_id,
                          ApplicationMember.user_id == user_id, ApplicationMember.status == _ACTIVE_SQL)


def readable_by(user_id: Any) -> ColumnElement[bool]:
    """SQL: the application is the user's own, or a submitted one they are an active member of."""
    return or_(Application.user_id == user_id, and_(Application.status != _DRAFT_SQL, is_member(user_id)))


def role_of(user_id: Any) -> ColumnElement[str]:
    """SQL: the user's role in the application (``lead`` or ``co_handler``): their active membership's,
    else ``lead`` for the applicant of record (whose row is written the first time the family is
    looked at); only meaningful where ``readable_by`` holds."""
    membership = (select(ApplicationMember.role)
                  .where(ApplicationMember.application_id == Application.id, ApplicationMember.user_id == user_id,
                         ApplicationMember.status == _ACTIVE_SQL)
                  .scalar_subquery())  # one row at most: unique per application and user
    return func.coalesce(membership, case((Application.user_id == user_id, _LEAD_SQL), else_=_CO_HANDLER_SQL))


def member_application(session: Session, user_id: int, number: str, *, lock: bool = False,
                       with_answers: bool = True) -> Application | None:
    """Application ``number`` if ``user_id`` may read it: their own (a draft too), or a submitted one
    they are an active member of (``FOR UPDATE`` with ``lock``)."""
    query = select(Application).where(Application.number == number, readable_by(user_id))
    if not with_answers:
        query = query.options(defer(Application.answers))
    return session.scalar(query.with_for_update(of=Application) if lock else query)


def flush_submission(session: Session) -> None:
    """Write what the submission changed so far; :class:`SubjectTaken` (the transaction rolled
    back) when the one-application-per-subject index refuses it."""
    try:
        session.flush()
    except IntegrityError as error:
        if ONE_PER_SUBJECT not in str(error.orig) and "applications.bundle, applications.subject_ref" not in str(error.orig):
            raise
        session.rollback()
        raise SubjectTaken from error


class ActiveCase(NamedTuple):
    """The active application of a subject, with the name of its lead (shown to the family)."""

    number: str
    subject_ref: str
    submitted_at: datetime | None
    lead_user_id: int
    lead_name: str


def active_cases_of_subjects(session: Session, bundle: str, subject_refs: Collection[str],
                             draft: str = DRAFT, withdrawn: str = "withdrawn") -> dict[str, ActiveCase]:
    """The active application of each subject of ``subject_refs`` for ``bundle``, by subject ref."""
    refs = [ref for ref in subject_refs if ref and ref != "self"]
    if not refs:
        return {}
    lead = (select(ApplicationMember.user_id).where(ApplicationMember.application_id == Application.id,
                                                    ApplicationMember.role == "lead",
                                                    ApplicationMember.status == ACTIVE)
            .limit(1).scalar_subquery())
    lead_id = lead.label("lead_id")
    rows = session.execute(
        select(Application.number, Application.subject_ref, Application.submitted_at, Application.user_id, lead_id)
        .where(Application.bundle == bundle, Application.subject_ref.in_(refs),
               Application.status.not_in((draft, withdrawn)))).all()
    leads = {row.lead_id or row.user_id for row in rows}
    names = user_names(session, leads)
    return {row.subject_ref: ActiveCase(row.number, row.subject_ref, row.submitted_at, row.lead_id or row.user_id,
                                        names.get(row.lead_id or row.user_id, ""))
            for row in rows}


# --- Members ----------------------------------------------------------------------------------

def members_of(session: Session, application_id: int, *, lock: bool = False) -> list[ApplicationMember]:
    """Every member row of the application (any status), oldest first."""
    query = select(ApplicationMember).where(ApplicationMember.application_id == application_id) \
        .order_by(ApplicationMember.id)
    return list(session.scalars(query.with_for_update() if lock else query))


def active_member_ids(session: Session, application_ids: Collection[int]) -> dict[int, set[int]]:
    """The active members' user ids of each application (one statement)."""
    found: dict[int, set[int]] = {}
    if application_ids:
        rows = session.execute(select(ApplicationMember.application_id, ApplicationMember.user_id).where(
            ApplicationMember.application_id.in_(set(application_ids)), ApplicationMember.status == ACTIVE,
            ApplicationMember.user_id.is_not(None)))
        for application_id, user_id in rows:
            found.setdefault(application_id, set()).add(user_id)  # type: ignore[arg-type]  # NULLs filtered above
    return found


def user_names(session: Session, user_ids: Collection[int]) -> dict[int, str]:
    """The names of ``user_ids`` (as their identity provider gave them)."""
    if not user_ids:
        return {}
    return dict(session.execute(select(User.id, User.name).where(User.id.in_(set(user_ids)))).all())  # type: ignore[arg-type]


def user_by_id_hash(session: Session, id_hash: str) -> User | None:
    """The user whose ID number has this keyed hash (the first one, should there be several logins)."""
    return session.scalar(select(User).where(User.id_number_hash == id_hash).order_by(User.id).limit(1))


def claim_invitations(session: Session, user_id: int, id_hash: str | None) -> int:
    """Give the invitations that waited for this ID number's first sign-in to ``user_id``."""
    if not id_hash:
        return 0
    claimed = session.execute(update(ApplicationMember).where(
        ApplicationMember.invitee_hash == id_hash, ApplicationMember.user_id.is_(None))
        .values(user_id=user_id).execution_options(synchronize_session=False))
    return int(claimed.rowcount or 0)  # type: ignore[attr-defined]


def roles_in(session: Session, user_id: int, application_ids: Collection[int]) -> dict[int, str]:
    """The user's role in each of ``application_ids`` where they are an active member."""
    if not application_ids:
        return {}
    return dict(session.execute(select(ApplicationMember.application_id, ApplicationMember.role).where(
        ApplicationMember.application_id.in_(set(application_ids)), ApplicationMember.user_id == user_id,
        ApplicationMember.status == ACTIVE)).all())  # type: ignore[arg-type]


def pending_for_user(session: Session, user_id: int) -> list[tuple[ApplicationMember, Application]]:
    """Invitations waiting for the user's answer, with their applications, newest first."""
    return [(row[0], row[1]) for row in session.execute(
        select(ApplicationMember, Application).join(Application, Application.id == ApplicationMember.application_id)
        .options(defer(Application.answers))
        .where(ApplicationMember.user_id == user_id, ApplicationMember.status == "invited")
        .order_by(ApplicationMember.id.desc()))]
