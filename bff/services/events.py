"""The one event recorder. Events are written in the caller's transaction and
announced on Redis after commit (a hint for SSE; the database stays the truth)."""

from __future__ import annotations

import json
import logging
from typing import Any, NamedTuple

from flask import current_app, has_app_context
from sqlalchemy import event as sa_event
from sqlalchemy import text
from sqlalchemy.orm import Session

from bff.core.events import check_event
from bff.core.notifications import is_notifiable
from bff.store.models import Event, OutboxMessage, utcnow

log = logging.getLogger("bff.events")
CHANNEL_PREFIX = "events:user:"
# Case messages awaiting their after-commit delivery hint (filled by bff.services.dispatch).
DELIVERY_HINTS = "outbox_delivery_hints"
# Set when the transaction wrote a ``notify`` outbox row: the notifier is woken after commit.
NOTIFY_HINTS = "notify_rows_written"


def record_event(session: Session, name: str, /, *, actor_user_id: int | None = None,
                 subject_user_id: int | None = None, application_id: int | None = None,
                 **data: Any) -> Event:
    """Add an Event to ``session`` (checked against its schema); published after commit.

    An event that tells the resident something also gets a ``notify`` outbox row in the
    same transaction, so the notification can never be lost nor sent for a rolled-back change.

    Nothing is written yet: the caller's next flush (or commit) writes every event of the
    transaction in one INSERT, then their outbox rows in another. Flush first to read ``id``.
    """
    check_event(name, data)
    row = Event(name=name, actor_user_id=actor_user_id, subject_user_id=subject_user_id,
                application_id=application_id, data=data, occurred_at=utcnow())
    session.add(row)
    session.info.setdefault("events_to_publish", []).append(row)
    if subject_user_id is not None and is_notifiable(name, data):
        # All keys given, as for other outbox rows, so that one INSERT writes them all.
        session.add(OutboxMessage(topic="notify", payload={}, event=row))  # the notifier is woken after commit
        session.info[NOTIFY_HINTS] = True
    return row


class Announced(NamedTuple):
    """What the after-commit announcement needs of an event written without the ORM."""

    id: int
    name: str
    subject_user_id: int | None
    application_id: int | None


def record_events_of_subjects(session: Session, name: str,
                              items: list[tuple[int | None, int | None, dict[str, Any]]], /) -> None:
    """Many events of one name, each (subject user id, application id, data), in one INSERT
    (a batch of notifications and their pushes' outcomes); none may notify."""
    for subject_user_id, _, data in items:
        check_event(name, data)
        if subject_user_id is not None and is_notifiable(name, data):
            raise ValueError(f"{name} notifies: use record_event")
    if not items:
        return
    if session.get_bind().dialect.name == "postgresql":
        inserted = session.execute(_INSERT_OF_SUBJECTS, {
            "occurred_at": utcnow(), "name": name, "subjects": [subject for subject, _, _ in items],
            "applications": [application for _, application, _ in items],
            "datas": [json.dumps(data) for _, _, data in items]})
        announced: list[Any] = [Announced(event_id, name, subject, application)
                                for event_id, subject, application in inserted]
    else:
        announced = [Event(name=name, subject_user_id=subject, application_id=application, data=data)
                     for subject, application, data in items]
        session.add_all(announced)
        session.flush()
    session.info.setdefault("events_to_publish", []).extend(announced)


_INSERT_OF_SUBJECTS = text(
    "INSERT INTO events (occurred_at, name, subject_user_id, application_id, data) "
    "SELECT :occurred_at, :name, subject, application, data "
    "FROM unnest(CAST(:subjects AS bigint[]), CAST(:applications AS bigint[]), CAST(:datas AS jsonb[])) "
    "AS item(subject, application, data) "
    "RETURNING id, subject_user_id, application_id")

_installed: list[bool] = []


def install_event_publisher() -> None:
    """Announce each committed event on ``events:user:<subject>`` (installed once per process)."""
    if not _installed:
        sa_event.listen(Session, "after_commit", _publish)
        sa_event.listen(Session, "after_rollback", _discard)
        _installed.append(True)


def _publish(session: Session) -> None:
    rows = session.info.pop("events_to_publish", [])
    notify = bool(session.info.pop(NOTIFY_HINTS, None))
    if not has_app_context():
        return
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    from bff.tasks import enqueue_deliveries, enqueue_notify_batch, wake_notifier  # hints; the outbox relay is the safety net

    # The case messages' delivery hints (bff.services.dispatch) go in one RQ pipeline.
    case_messages = [message.id for message in session.info.pop(DELIVERY_HINTS, []) if message.id is not None]
    if case_messages:
        enqueue_deliveries(app, case_messages)
    announced = [row for row in rows if row.subject_user_id is not None]
    if not announced and not notify:
        return
    try:
        with app.extensions["redis"].pipeline(transaction=False) as pipe:  # one round trip
            for row in announced:
                pipe.publish(f"{CHANNEL_PREFIX}{row.subject_user_id}",
                             json.dumps({"id": row.id, "name": row.name, "application_id": row.application_id}))
            if notify:
                wake_notifier(pipe)
            answers = pipe.execute()
        if notify and answers[-1]:  # this hint found the notifier asleep: its job (others' rows ride along)
            enqueue_notify_batch(app)
    except Exception as error:  # noqa: BLE001 - hints only: clients re-fetch from the database, the relay re-queues
        log.warning("could not announce events or wake the notifier (the relay will): %s", type(error).__name__)


def _discard(session: Session) -> None:
    session.info.pop("events_to_publish", None)
    session.info.pop(NOTIFY_HINTS, None)
