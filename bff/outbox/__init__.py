"""One home for side effects: work is added in the caller's transaction, handed off after commit.

A service never calls another system inside a request. It adds an outbox row with :func:`add`
(department messages, notifications) in the transaction of the change it announces, so the work
can be neither lost nor done for a rolled-back change. After the commit that wrote it, the rows'
ids (and the events to announce on Redis, see :func:`announce`) go to the :class:`AfterCommit`
port that ``create_app`` wires with :func:`connect` (RQ, in ``bff.jobs``). That hand-off is a hint
for speed only: the relay finds every due row within seconds anyway, and live clients re-read
events from the database.

Nothing here flushes: the caller's next flush (or commit) writes a transaction's rows of one
shape in one INSERT.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple, Protocol

from sqlalchemy import event as sa_event
from sqlalchemy.orm import sessionmaker

from bff import request_id
from bff.store import Session
from bff.store.models import Event, OutboxMessage

log = logging.getLogger("bff.outbox")

NOTIFY_TOPIC = "notify"  # a row naming an event that tells the resident something
CASE_TOPICS = ("case.submitted", "case.supplemented", "case.withdrawn")  # a department's message about a case
SMS_CODE_TOPIC = "sms.mobile_code"  # a one-time code to text to a new mobile number (payload: the user id)
TOPICS = (*CASE_TOPICS, NOTIFY_TOPIC, SMS_CODE_TOPIC)
# A notification job to run at a time (quiet hours' end, a push service's Retry-After). A row, not a
# job in Redis's schedule: a Redis restart loses no scheduled message, and the relay finds it when due.
LATER_TOPIC = "later"
LATER_JOBS = ("deliver_notification", "retry_push")
CHANNEL_PREFIX = "events:user:"  # committed events are announced on CHANNEL_PREFIX + subject user id

# What a transaction wrote, kept in ``session.info`` until its commit (or rollback).
_CASE_MESSAGES = "outbox_case_messages"
NOTIFY_WRITTEN = "outbox_notify_written"  # true once a ``notify`` row was added
_SMS_CODES = "outbox_sms_codes"
_EVENTS = "outbox_events_to_announce"


class Announced(NamedTuple):
    """An event as announced on Redis: its id, and who and what it is about."""

    id: int
    name: str
    subject_user_id: int | None
    application_id: int | None


@dataclass(frozen=True)
class HandOff:
    """What one commit wrote that other processes should hear of at once."""

    case_messages: tuple[int, ...] = ()  # outbox ids of department messages, to deliver
    notify: bool = False  # a ``notify`` row was written: wake the notifier
    events: tuple[Announced, ...] = ()  # events with a subject, to announce to their live streams
    sms_codes: tuple[int, ...] = ()  # outbox ids of one-time codes to text (a code lives 5 minutes: no relay)


class AfterCommit(Protocol):
    """Where :class:`HandOff` goes after each commit that wrote something (the port)."""

    def hand_off(self, work: HandOff) -> None:
        """Queue or announce ``work``. Best effort: what is lost here the relay and the database
        recover, so an implementation logs its failures instead of raising them."""


def add(session: Session, topic: str, payload: Mapping[str, Any], *, event: Event | None = None,
        event_id: int | None = None) -> OutboxMessage:
    """Add an outbox row of ``topic`` to the caller's transaction (ids only in ``payload``: it is
    kept in the database and its job's arguments in Redis, so never personal data).

    A ``notify`` row names its event: ``event`` (not yet flushed: the flush writes events first
    and fills in their ids) or ``event_id``. Handed off after commit, nothing on rollback."""
    assert topic in TOPICS, topic
    origin = request_id.current.get()
    if origin and topic != NOTIFY_TOPIC:  # a department message carries it into X-Request-Id
        payload = {**payload, "request_id": origin}
    if event is not None:  # one shape per kind of row, so that one INSERT writes a flush's rows
        message = OutboxMessage(topic=topic, payload=dict(payload), event=event)
    elif event_id is not None:
        message = OutboxMessage(topic=topic, payload=dict(payload), event_id=event_id)
    else:
        message = OutboxMessage(topic=topic, payload=dict(payload))
    session.add(message)
    if topic == NOTIFY_TOPIC:
        session.info[NOTIFY_WRITTEN] = True
    elif topic == SMS_CODE_TOPIC:
        session.info.setdefault(_SMS_CODES, []).append(message)
    else:
        session.info.setdefault(_CASE_MESSAGES, []).append(message)
    return message


def add_later(session: Session, due: datetime, job: str, *args: int) -> OutboxMessage:
    """Add to the caller's transaction a row that runs the notification job ``job`` with ``args``
    (ids only) once ``due`` has come; the relay queues it then (``bff.services.notifications.later``)."""
    assert job in LATER_JOBS, job
    message = OutboxMessage(topic=LATER_TOPIC, payload={"job": job, "args": list(args)}, next_attempt_at=due)
    session.add(message)
    return message


def announce(session: Session, events: Iterable[Any]) -> None:
    """Announce ``events`` (each with ``id``, ``name``, ``subject_user_id``, ``application_id``;
    ids may be filled in by a later flush) on Redis after the commit; forgotten on rollback."""
    session.info.setdefault(_EVENTS, []).extend(events)


def connect(factory: sessionmaker[Session], port: AfterCommit) -> None:
    """Hand the work of every commit of ``factory``'s sessions to ``port`` (once per factory)."""
    sa_event.listen(factory, "after_commit", lambda session: _hand_off(session, port))
    sa_event.listen(factory, "after_rollback", _forget)


def written(session: Session) -> HandOff:
    """What the session's transaction wrote so far for the hand-off (and forget it)."""
    messages = session.info.pop(_CASE_MESSAGES, [])
    events = session.info.pop(_EVENTS, [])
    codes = session.info.pop(_SMS_CODES, [])
    return HandOff(
        case_messages=tuple(message.id for message in messages if message.id is not None),
        notify=bool(session.info.pop(NOTIFY_WRITTEN, False)),
        events=tuple(Announced(row.id, row.name, row.subject_user_id, row.application_id)
                     for row in events if row.subject_user_id is not None),
        sms_codes=tuple(message.id for message in codes if message.id is not None))


def _hand_off(session: Session, port: AfterCommit) -> None:
    work = written(session)
    if not (work.case_messages or work.notify or work.events or work.sms_codes):
        return
    try:
        port.hand_off(work)
    except Exception as error:  # noqa: BLE001 - the change is committed; the relay does the rest
        log.warning("after-commit hand-off failed (the relay will queue the work): %s", type(error).__name__)


def _forget(session: Session) -> None:
    for key in (_CASE_MESSAGES, NOTIFY_WRITTEN, _EVENTS, _SMS_CODES):
        session.info.pop(key, None)
