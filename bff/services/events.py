"""The one event recorder. Events are written in the caller's transaction and
announced on Redis after commit (a hint for SSE; the database stays the truth)."""

from __future__ import annotations

import json
from typing import Any

from flask import current_app, has_app_context
from sqlalchemy import event as sa_event
from sqlalchemy import text
from sqlalchemy.orm import Session

from bff.core.events import check_event
from bff.core.notifications import is_notifiable
from bff.store.models import Event, OutboxMessage, utcnow

CHANNEL_PREFIX = "events:user:"
# Case messages awaiting their after-commit delivery hint (filled by bff.services.dispatch).
DELIVERY_HINTS = "outbox_delivery_hints"


def record_event(session: Session, name: str, /, *, actor_user_id: int | None = None,
                 subject_user_id: int | None = None, application_id: int | None = None,
                 **data: Any) -> Event:
    """Add an Event to ``session`` (checked against its schema); published after commit.

    An event that tells the resident something also gets a ``notify`` outbox row in the
    same transaction, so the notification can never be lost nor sent for a rolled-back change.
    """
    check_event(name, data)
    row = Event(name=name, actor_user_id=actor_user_id, subject_user_id=subject_user_id,
                application_id=application_id, data=data)
    session.add(row)
    session.flush()
    session.info.setdefault("events_to_publish", []).append(row)
    if subject_user_id is not None and is_notifiable(name, data):
        # Written by the caller's next flush or commit, with any other outbox rows in one INSERT;
        # its id is read after the commit (the delivery hint).
        message = OutboxMessage(topic="notify", payload={"event_id": row.id})
        session.add(message)
        session.info.setdefault("outbox_to_enqueue", []).append(message)
    return row


def record_events(session: Session, name: str, items: list[dict[str, Any]], /, *,
                  subject_user_id: int | None = None, application_id: int | None = None) -> list[Event]:
    """Many events of one name in one flush (a push's outcome on each device); none may notify."""
    for data in items:
        check_event(name, data)
        if subject_user_id is not None and is_notifiable(name, data):
            raise ValueError(f"{name} notifies: use record_event")
    if items and session.get_bind().dialect.name == "postgresql":
        # One short statement whatever the number (the ORM's flush builds a VALUES list per row).
        ids = session.execute(_INSERT_MANY, {"occurred_at": utcnow(), "name": name, "subject": subject_user_id,
                                             "application": application_id,
                                             "datas": [json.dumps(data) for data in items]}).scalars()
        rows = [Event(id=event_id, name=name, subject_user_id=subject_user_id, application_id=application_id)
                for event_id in ids]  # for the after-commit announcement only (data not loaded)
    else:
        rows = [Event(name=name, subject_user_id=subject_user_id, application_id=application_id, data=data)
                for data in items]
        session.add_all(rows)
        session.flush()
    session.info.setdefault("events_to_publish", []).extend(rows)
    return rows


_INSERT_MANY = text(
    "INSERT INTO events (occurred_at, name, subject_user_id, application_id, data) "
    "SELECT :occurred_at, :name, :subject, :application, data FROM unnest(CAST(:datas AS jsonb[])) AS data "
    "RETURNING id")


_installed: list[bool] = []


def install_event_publisher() -> None:
    """Announce each committed event on ``events:user:<subject>`` (installed once per process)."""
    if not _installed:
        sa_event.listen(Session, "after_commit", _publish)
        sa_event.listen(Session, "after_rollback", _discard)
        _installed.append(True)


def _publish(session: Session) -> None:
    rows = session.info.pop("events_to_publish", [])
    outbox_ids = session.info.pop("outbox_to_enqueue", [])
    if not has_app_context():
        return
    # The case messages' delivery hints (bff.services.dispatch) go in the same RQ pipeline.
    case_messages = session.info.pop(DELIVERY_HINTS, [])
    outbox_ids = [message if isinstance(message, int) else message.id
                  for message in [*case_messages, *outbox_ids] if message is not None]
    outbox_ids = [message_id for message_id in outbox_ids if message_id is not None]
    if outbox_ids:
        from bff.tasks import enqueue_deliveries  # a hint; the outbox relay is the safety net

        enqueue_deliveries(current_app._get_current_object(), outbox_ids)  # type: ignore[attr-defined]
    announced = [row for row in rows if row.subject_user_id is not None]
    if not announced:
        return
    try:
        with current_app.extensions["redis"].pipeline(transaction=False) as pipe:  # one round trip
            for row in announced:
                pipe.publish(f"{CHANNEL_PREFIX}{row.subject_user_id}",
                             json.dumps({"id": row.id, "name": row.name, "application_id": row.application_id}))
            pipe.execute()
    except Exception:  # noqa: BLE001 - a hint only: clients re-fetch from the database
        pass


def _discard(session: Session) -> None:
    session.info.pop("events_to_publish", None)
    session.info.pop("outbox_to_enqueue", None)
