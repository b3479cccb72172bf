"""Notifications: what a batch needs to tell its events, devices and their bookkeeping, the inbox."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import Row, delete, func, select, update
from sqlalchemy.orm import Session

from bff.store.family_models import ApplicationMember
from bff.store.models import Application, Case, Event, User, utcnow
from bff.store.notification_models import Notification, NotificationPreference, PushSubscription

_UNSYNCED = {"synchronize_session": False}  # the rows touched are never loaded as objects here


class EventToTell(NamedTuple):
    """An event with what telling it needs: the application number, the person's language and
    preferences, and the inbox entry already made for it (by a batch whose worker died)."""

    event: Event
    number: str | None
    language: str | None
    preference: NotificationPreference | None
    existing: Notification | None


def events_to_tell(session: Session, event_ids: Collection[int]) -> dict[int, EventToTell]:
    """Each event of ``event_ids`` with what telling it needs, read in one statement."""
    rows = session.execute(
        select(Event, Application.number, User.language, NotificationPreference, Notification)
        .outerjoin(Application, Application.id == Event.application_id)
        .outerjoin(User, User.id == Event.subject_user_id)
        .outerjoin(NotificationPreference, NotificationPreference.user_id == Event.subject_user_id)
        .outerjoin(Notification, (Notification.event_id == Event.id) & (Notification.user_id == Event.subject_user_id))
        .where(Event.id.in_(set(event_ids))))
    return {row[0].id: EventToTell(*row) for row in rows}


class MemberToTell(NamedTuple):
    """An active member of an application's family, with their language and preferences."""

    application_id: int
    user_id: int
    language: str | None
    preference: NotificationPreference | None


def family_to_tell(session: Session, application_ids: Collection[int],
                   event_ids: Collection[int]) -> tuple[list[MemberToTell], dict[tuple[int, int], Notification]]:
    """The active members of ``application_ids`` with what telling them needs, and the inbox entries
    already made for them of ``event_ids`` (by a batch whose worker died), by (event id, user id)."""
    if not application_ids:
        return [], {}
    rows = session.execute(
        select(ApplicationMember.application_id, ApplicationMember.user_id, User.language, NotificationPreference)
        .join(User, User.id == ApplicationMember.user_id)
        .outerjoin(NotificationPreference, NotificationPreference.user_id == ApplicationMember.user_id)
        .where(ApplicationMember.application_id.in_(set(application_ids)), ApplicationMember.status == "active"))
    members = [MemberToTell(*row) for row in rows]  # type: ignore[arg-type]  # inner join: user_id is set
    existing = {(n.event_id, n.user_id): n for n in session.scalars(
        select(Notification).where(Notification.event_id.in_(set(event_ids))))} if members else {}
    return members, existing  # type: ignore[return-value]


def cases_named(session: Session, references: Collection[str]) -> dict[str, tuple[dict[str, Any], str]]:
    """Each case of ``references``: its item's title and its department's code (what a notification
    about it names)."""
    if not references:
        return {}
    rows = session.execute(select(Case.reference, Case.item_title, Case.department)
                           .where(Case.reference.in_(set(references))))
    return {reference: (title or {}, department) for reference, title, department in rows}


def bundles_of(session: Session, application_ids: Collection[int]) -> dict[int, str]:
    """Each application's bundle code, by application id."""
    if not application_ids:
        return {}
    rows = session.execute(select(Application.id, Application.bundle).where(Application.id.in_(set(application_ids))))
    return {row.id: row.bundle for row in rows}


def notification_of_event(session: Session, event_id: int, user_id: int) -> Notification | None:
    """The inbox entry made for an event for ``user_id``, if any."""
    return session.scalar(select(Notification).where(Notification.event_id == event_id,
                                                     Notification.user_id == user_id))


def application_number(session: Session, application_id: int | None) -> str | None:
    """An application's number (``None`` if there is no such application)."""
    return session.scalar(select(Application.number).where(Application.id == application_id))


def language_of(session: Session, user_id: int) -> str | None:
    """The person's language (``None`` if unset)."""
    return session.scalar(select(User.language).where(User.id == user_id))


# --- Devices ----------------------------------------------------------------------------------

def device_rows_of(session: Session, user_ids: Collection[int]) -> Iterable[Row[Any]]:
    """The push subscriptions of ``user_ids`` as plain rows (a batch may reach hundreds), by id."""
    table = PushSubscription
    return session.execute(select(table.id, table.user_id, table.endpoint, table.p256dh, table.auth,
                                  table.failure_count, table.last_success_at, table.created_at,
                                  table.last_seen_at)
                           .where(table.user_id.in_(user_ids)).order_by(table.id))


def delete_devices(session: Session, device_ids: Collection[int]) -> None:
    """Drop subscriptions (pruned, or gone at the push service); not committed."""
    session.execute(delete(PushSubscription).where(PushSubscription.id.in_(device_ids))
                    .execution_options(**_UNSYNCED))


def record_device_successes(session: Session, device_ids: Collection[int], at: datetime) -> None:
    """A push reached these devices: their failures are forgiven; not committed."""
    session.execute(update(PushSubscription).where(PushSubscription.id.in_(device_ids))
                    .values(last_success_at=at, failure_count=0).execution_options(**_UNSYNCED))


def count_device_failures(session: Session, device_ids: Collection[int]) -> None:
    """One more failure in a row for each of these devices; not committed."""
    session.execute(update(PushSubscription).where(PushSubscription.id.in_(device_ids))
                    .values(failure_count=PushSubscription.failure_count + 1).execution_options(**_UNSYNCED))


def subscription_by_endpoint(session: Session, endpoint: str) -> PushSubscription | None:
    """The subscription of a browser's push endpoint, whoever it belongs to now."""
    return session.scalar(select(PushSubscription).where(PushSubscription.endpoint == endpoint))


def devices_of(session: Session, user_id: int) -> list[PushSubscription]:
    """The person's subscriptions, oldest first."""
    return list(session.scalars(select(PushSubscription).where(PushSubscription.user_id == user_id)
                                .order_by(PushSubscription.id)))


# --- Inbox ------------------------------------------------------------------------------------

def inbox_page(session: Session, user_id: int, *, before: int | None, limit: int) -> list[Notification]:
    """The person's inbox entries, newest first, older than ``before`` if given."""
    query = select(Notification).where(Notification.user_id == user_id)
    if before is not None:
        query = query.where(Notification.id < before)
    return list(session.scalars(query.order_by(Notification.id.desc()).limit(limit)))


def unread_count(session: Session, user_id: int) -> int:
    """How many of the person's inbox entries are unread."""
    return session.scalar(select(func.count()).select_from(Notification)
                          .where(Notification.user_id == user_id, Notification.read_at.is_(None))) or 0


def mark_all_read(session: Session, user_id: int) -> int:
    """Mark every unread entry of the person read; how many were. Not committed."""
    result = session.execute(update(Notification)
                             .where(Notification.user_id == user_id, Notification.read_at.is_(None))
                             .values(read_at=utcnow()))
    return int(result.rowcount)  # type: ignore[attr-defined]
