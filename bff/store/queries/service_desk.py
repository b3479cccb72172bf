"""Queries of the service desk (客服): finding residents, their applications, notes and timeline.

Search is an exact match through the keyed hash (``lookup_hash``) or the unique application
number, never a LIKE over plaintext. The timeline is every Event about the resident
(``subject_user_id``) or about one of their applications (``application_id``), keyset-paginated
by event id, so a page costs the same whether the resident has ten events or ten thousand.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, Literal

from sqlalchemy import ColumnElement, Row, false, not_, or_, select, union_all
from sqlalchemy.orm import Session

from bff.core import applications as rules
from bff.core.service_desk import KIND_GROUPS, KIND_PREFIXES
from bff.store.crypto import lookup_hash
from bff.store.models import Application, Case, Event, User
from bff.store.notification_models import PushSubscription
from bff.store.staff_models import StaffNote

# The timeline reads one indexed branch per application up to this many; the rest share one IN query.
MAX_APPLICATION_BRANCHES = 20

NoteRow = tuple[StaffNote, str, str | None, str | None]


# --- Search -----------------------------------------------------------------------------------

def owner_of_application_number(session: Session, number: str) -> int | None:
    """The user id of the applicant of application ``number`` (exact, normalised), or None."""
    return session.scalar(select(Application.user_id).where(Application.number == number))


def users_with_number(session: Session, kind: Literal["id_number", "mobile"], value: str, limit: int) -> list[User]:
    """Users whose ID number or mobile is exactly ``value``, found through its keyed hash."""
    column = User.id_number_hash if kind == "id_number" else User.mobile_hash
    return list(session.scalars(select(User).where(column == lookup_hash(value)).limit(limit)))


# --- The resident and their applications ------------------------------------------------------

def recent_drafts(session: Session, user_id: int, limit: int) -> list[Application]:
    """The user's drafts, the most recently saved first."""
    return list(session.scalars(select(Application)
                                .where(Application.user_id == user_id, Application.status == rules.DRAFT)
                                .order_by(Application.updated_at.desc()).limit(limit)))


def application_by_number(session: Session, number: str) -> Application | None:
    """The application with this (normalised) number, whoever it belongs to."""
    return session.scalar(select(Application).where(Application.number == number))


def case_by_reference(session: Session, reference: str) -> Case | None:
    """The case with this (normalised) reference, whoever it belongs to."""
    return session.scalar(select(Case).where(Case.reference == reference))


def cases_of_application(session: Session, application_id: int) -> list[Case]:
    """The application's cases in the order of its bundle."""
    return list(session.scalars(select(Case).where(Case.application_id == application_id)
                                .order_by(Case.position)))


def application_events_named(session: Session, application_id: int, names: Iterable[str]) -> list[Event]:
    """The application's events with one of ``names``, oldest first."""
    return list(session.scalars(select(Event)
                                .where(Event.application_id == application_id, Event.name.in_(tuple(names)))
                                .order_by(Event.id)))


# --- Notes and escalations --------------------------------------------------------------------

def notes_about_resident(session: Session, resident_user_id: int, limit: int) -> list[NoteRow]:
    """The resident's notes and escalations, newest first: (note, author name, application number, case)."""
    rows = session.execute(
        select(StaffNote, User.name, Application.number, Case.reference)
        .join(User, User.id == StaffNote.author_user_id)
        .outerjoin(Application, Application.id == StaffNote.application_id)
        .outerjoin(Case, Case.id == StaffNote.case_id)
        .where(StaffNote.resident_user_id == resident_user_id)
        .order_by(StaffNote.id.desc()).limit(limit)).all()
    return [(note, author, number, reference) for note, author, number, reference in rows]


def escalations_of_department(session: Session, department: str, limit: int) -> list[NoteRow]:
    """The department's escalations, newest first: (note, author name, application number, case)."""
    rows = session.execute(
        select(StaffNote, User.name, Application.number, Case.reference)
        .join(User, User.id == StaffNote.author_user_id)
        .join(Application, Application.id == StaffNote.application_id)
        .join(Case, Case.id == StaffNote.case_id)
        .where(StaffNote.kind == "escalation", StaffNote.department == department)
        .order_by(StaffNote.id.desc()).limit(limit)).all()
    return [(note, author, number, reference) for note, author, number, reference in rows]


# --- Timeline ---------------------------------------------------------------------------------

def application_numbers_of_user(session: Session, user_id: int) -> dict[int, str]:
    """The user's applications as ``{id: number}``, the newest first."""
    rows = session.execute(select(Application.id, Application.number).where(Application.user_id == user_id)
                           .order_by(Application.id.desc())).all()
    return {row.id: row.number for row in rows}


def application_numbers(session: Session, application_ids: Iterable[int]) -> dict[int, str]:
    """``{id: number}`` of these applications."""
    rows = session.execute(select(Application.id, Application.number)
                           .where(Application.id.in_(tuple(application_ids)))).all()
    return {row.id: row.number for row in rows}


def device_names(session: Session, subscription_ids: Iterable[int]) -> dict[int, str]:
    """``{id: device name}`` of these push subscriptions (e.g. "Chrome on Android")."""
    rows = session.execute(select(PushSubscription.id, PushSubscription.device)
                           .where(PushSubscription.id.in_(tuple(subscription_ids)))).all()
    return {row.id: row.device for row in rows}


def kinds_filter(kinds: Sequence[str]) -> ColumnElement[bool] | None:
    """The SQL condition on ``Event.name`` for the chosen kind groups (None: no filter)."""
    if not kinds:
        return None
    chosen = [k for k in kinds if k != "other"]
    parts = [_names_in_groups(chosen)] if chosen else []
    if "other" in kinds:
        parts.append(not_(_names_in_groups(list(KIND_GROUPS))))
    return or_(*parts)


def _names_in_groups(groups: list[str]) -> ColumnElement[bool]:
    names = sorted(name for group in groups for name in KIND_GROUPS.get(group, ()))
    prefixes = [prefix for prefix, group in KIND_PREFIXES.items() if group in groups]
    parts: list[ColumnElement[bool]] = [Event.name.in_(names)] if names else []
    parts += [Event.name.startswith(prefix, autoescape=True) for prefix in prefixes]
    return or_(*parts) if parts else false()


def resident_events(session: Session, resident_user_id: int, application_ids: list[int], *, kinds: Sequence[str],
                    before: int | None, after: int | None, limit: int) -> tuple[list[Row[Any]], bool]:
    """A page of the resident's events, newest first, and whether more lie beyond it.

    Rows carry the event's columns plus ``actor_name`` and ``actor_roles``. One branch about the
    resident and one per application (a resident has a few), each a range scan of its ``(…, id)``
    index stopping after ``limit + 1`` rows: ``application_id IN (their applications)`` would make
    PostgreSQL hash-join the whole events table. The same statement runs on SQLite.
    """
    bounds = _id_bounds(before, after)
    condition = kinds_filter(kinds)
    where = [*bounds, condition] if condition is not None else bounds
    # The live path (only ``after``) takes the oldest new events first, so a burst is never skipped.
    ascending = after is not None and before is None
    order = Event.id.asc() if ascending else Event.id.desc()
    # Each branch picks ids only (a short index range); then one query loads the page's rows
    # with their actors. Wrapped in subqueries so SQLite accepts the inner ORDER BY/LIMIT too.
    candidates = union_all(*[
        select(select(Event.id).where(branch, *where).order_by(order).limit(limit + 1).subquery().c.id)
        for branch in _event_branches(resident_user_id, application_ids)])
    rows = session.execute(
        select(Event.id, Event.occurred_at, Event.name, Event.actor_user_id, Event.application_id, Event.data,
               User.name.label("actor_name"), User.roles.label("actor_roles"))
        .outerjoin(User, User.id == Event.actor_user_id)
        # The bounds again, so a merge with the primary key starts at the page, not at the newest event.
        .where(Event.id.in_(candidates), *bounds).order_by(order).limit(limit + 1)).all()
    page, more = list(rows[:limit]), len(rows) > limit
    return sorted(page, key=lambda row: row.id, reverse=True), more


def _id_bounds(before: int | None, after: int | None) -> list[ColumnElement[bool]]:
    bounds: list[ColumnElement[bool]] = []
    if before is not None:
        bounds.append(Event.id < before)
    if after is not None:
        bounds.append(Event.id > after)
    return bounds


def _event_branches(resident_user_id: int, application_ids: list[int]) -> list[ColumnElement[bool]]:
    branches = [Event.subject_user_id == resident_user_id]
    branches += [Event.application_id == application_id
                 for application_id in application_ids[:MAX_APPLICATION_BRANCHES]]
    if len(application_ids) > MAX_APPLICATION_BRANCHES:
        branches.append(Event.application_id.in_(application_ids[MAX_APPLICATION_BRANCHES:]))
    return branches


def staff_access_events(session: Session, resident_user_id: int, names: Iterable[str], *,
                        before: int | None, limit: int) -> list[tuple[Event, str, list[str] | None, str | None]]:
    """Staff events of ``names`` about the resident, newest first, with the staff member's name, roles
    and department (an officer's)."""
    query = select(Event, User.name, User.roles, User.department).join(User, User.id == Event.actor_user_id).where(
        Event.subject_user_id == resident_user_id, Event.name.in_(tuple(names)))
    if before is not None:
        query = query.where(Event.id < before)
    rows = session.execute(query.order_by(Event.id.desc()).limit(limit)).all()
    return [(event, name, roles, department) for event, name, roles, department in rows]


def case_titles(session: Session, references: Iterable[str]) -> dict[str, dict[str, str]]:
    """The item titles of cases, by reference (what an officer's look at a case names)."""
    references = set(references)
    if not references:
        return {}
    rows = session.execute(select(Case.reference, Case.item_title).where(Case.reference.in_(references)))
    return {reference: title or {} for reference, title in rows}
