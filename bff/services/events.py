"""The one event recorder. Events are written in the caller's transaction and
announced on Redis after commit (a hint for live streams; the database stays the truth)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from bff import outbox
from bff.core.events import ON_BEHALF_OF, check_event
from bff.core.notifications import is_notifiable
from bff.store import Session
from bff.store.models import Event, utcnow
from bff.store.queries import events as queries

# (agent user id, principal user id) while the current request acts for someone: set by the
# caller's edge (the API layer), so services record who really acted without knowing of requests.
_acting: ContextVar[tuple[int, int] | None] = ContextVar("acting", default=None)


def set_acting(agent_user_id: int | None, principal_user_id: int | None = None) -> None:
    """Events recorded from now on in this context are by the agent, for the principal (None: no one)."""
    _acting.set((agent_user_id, principal_user_id) if agent_user_id and principal_user_id else None)


@contextmanager
def acting(agent_user_id: int, principal_user_id: int) -> Iterator[None]:
    """Record the events of a block as the agent's, for the principal."""
    token = _acting.set((agent_user_id, principal_user_id))
    try:
        yield
    finally:
        _acting.reset(token)


def record_event(session: Session, name: str, /, *, actor_user_id: int | None = None,
                 subject_user_id: int | None = None, application_id: int | None = None,
                 **data: Any) -> Event:
    """Add an Event to ``session`` (checked against its schema); announced after commit.

    An event that tells the resident something also gets a ``notify`` outbox row in the
    same transaction, so the notification can never be lost nor sent for a rolled-back change.

    Nothing is written yet: the caller's next flush (or commit) writes every event of the
    transaction in one INSERT, then their outbox rows in another. Flush first to read ``id``.
    """
    who = _acting.get()
    if who is not None:  # done by an agent for the principal: the agent is the actor
        if actor_user_id is None or actor_user_id == who[1]:
            actor_user_id = who[0]
        data[ON_BEHALF_OF] = who[1]
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
