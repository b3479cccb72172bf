"""The one event recorder. Events are written in the caller's transaction and
announced on Redis after commit (a hint for live streams; the database stays the truth)."""

from __future__ import annotations

from typing import Any

from bff import outbox
from bff.core.events import check_event
from bff.core.notifications import is_notifiable
from bff.store import Session
from bff.store.models import Event, utcnow
from bff.store.queries import events as queries


def record_event(session: Session, name: str, /, *, actor_user_id: int | None = None,
                 subject_user_id: int | None = None, application_id: int | None = None,
                 **data: Any) -> Event:
    """Add an Event to ``session`` (checked against its schema); announced after commit.

    An event that tells the resident something also gets a ``notify`` outbox row in the
    same transaction, so the notification can never be lost nor sent for a rolled-back change.

    Nothing is written yet: the caller's next flush (or commit) writes every event of the
    transaction in one INSERT, then their outbox rows in another. Flush first to read ``id``.
    """
    check_event(name, data)
    row = Event(name=name, actor_user_id=actor_user_id, subject_user_id=subject_user_id,
                application_id=application_id, data=data, occurred_at=utcnow())
    session.add(row)
    outbox.announce(session, [row])
    if subject_user_id is not None and is_notifiable(name, data):
        outbox.add(session, outbox.NOTIFY_TOPIC, {}, event=row)
    return row


def record_events_of_subjects(session: Session, name: str,
                              items: list[tuple[int | None, int | None, dict[str, Any]]], /) -> None:
    """Many events of one name, each (subject user id, application id, data), in one INSERT
    (a batch of notifications and their pushes' outcomes); none may notify."""
    for subject_user_id, _, data in items:
        check_event(name, data)
        if subject_user_id is not None and is_notifiable(name, data):
            raise ValueError(f"{name} notifies: use record_event")
    outbox.announce(session, queries.insert_events_of_subjects(session, name, items))
