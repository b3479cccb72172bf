"""Events: the many-at-once INSERT of a batch's events, and a person's events in id order."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any, NamedTuple

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from bff.store.models import Event, utcnow


class InsertedEvent(NamedTuple):
    """What the after-commit announcement needs of an event written without the ORM."""

    id: int
    name: str
    subject_user_id: int | None
    application_id: int | None


EventOfSubject = tuple[int | None, int | None, dict[str, Any]]  # (subject user id, application id, data)


def insert_events_of_subjects(session: Session, name: str, items: Sequence[EventOfSubject]) -> list[Any]:
    """Write events of one ``name`` at once; each item is (subject user id, application id, data).

    PostgreSQL: one INSERT … SELECT FROM unnest(…) RETURNING, no ORM objects (a batch of pushes'
    outcomes may be hundreds). SQLite has no arrays: the same rows as ORM objects, one flush.
    Returns what was written, each with ``id``, ``name``, ``subject_user_id``, ``application_id``.
    """
    if not items:
        return []
    if session.get_bind().dialect.name == "postgresql":
        return _insert_with_unnest(session, name, items)
    rows = [Event(name=name, subject_user_id=subject, application_id=application, data=data)
            for subject, application, data in items]
    session.add_all(rows)
    session.flush()
    return rows


_INSERT_OF_SUBJECTS = text(
    "INSERT INTO events (occurred_at, name, subject_user_id, application_id, data) "
    "SELECT :occurred_at, :name, subject, application, data "
    "FROM unnest(CAST(:subjects AS bigint[]), CAST(:applications AS bigint[]), CAST(:datas AS jsonb[])) "
    "AS item(subject, application, data) "
    "RETURNING id, subject_user_id, application_id")


def _insert_with_unnest(session: Session, name: str, items: Sequence[EventOfSubject]) -> list[Any]:
    inserted = session.execute(_INSERT_OF_SUBJECTS, {
        "occurred_at": utcnow(), "name": name, "subjects": [subject for subject, _, _ in items],
        "applications": [application for _, application, _ in items],
        "datas": [json.dumps(data) for _, _, data in items]})
    return [InsertedEvent(event_id, name, subject, application) for event_id, subject, application in inserted]


def events_of_subject_after(session: Session, user_id: int, after: int, limit: int = 100) -> list[Event]:
    """The person's events with id > ``after``, oldest first."""
    return list(session.scalars(select(Event).where(Event.subject_user_id == user_id, Event.id > after)
                                .order_by(Event.id).limit(limit)))


def latest_event_id_of_subject(session: Session, user_id: int) -> int:
    """The id of the person's latest event (0 if none)."""
    return session.scalar(select(func.max(Event.id)).where(Event.subject_user_id == user_id)) or 0
