"""Telling residents: events become inbox entries, pushes and SMS.

The flow (at-least-once, never inside a request)::

    record_event(notifiable) ──(same transaction)──► outbox row (topic "notify")
    relay / after-commit hint ──► RQ job ──► process_notify_message:
        inbox row + notification_created ──► deliver_notification (now, or when quiet hours end)
            push: every device of the resident ─► push_delivered | push_failed per device
                  429/5xx/no answer ─► retry_push later (Retry-After), 404/410 ─► device pruned
            SMS:  only for residents push cannot reach ─► sms_sent

``Later`` is how this module asks for a job to run later (RQ's ``enqueue_in`` in
production, the same in tests with a real worker); it never sleeps.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from bff.adapters.push.sender import PushMessage, PushResult, WebPushSender
from bff.adapters.sms.base import SmsSender
from bff.core import notifications as rules
from bff.services import outbox
from bff.services.events import record_event, record_events
from bff.store.models import Application, Event, OutboxMessage, User, utcnow
from bff.store.notification_models import Notification, NotificationPreference, PushSubscription

log = logging.getLogger("bff.notify")
NOTIFY_TOPIC = "notify"


class Later(Protocol):
    def __call__(self, delay: timedelta, job: str, *args: Any) -> None:
        """Run the job named ``job`` (``deliver_notification`` or ``retry_push``) after ``delay``."""


@dataclass
class Notifier:
    """What the notify jobs need: the senders, the scheduler, and the limits from config."""

    push: WebPushSender
    sms: SmsSender
    later: Later
    public_url: str
    max_push_attempts: int = 5
    prune_after: timedelta = timedelta(days=90)
    max_failures: int = 10
    lease: float = 60.0
    clock: Callable[[], datetime] = utcnow

    def send_all(self, infos: Sequence[dict[str, Any]], message: PushMessage) -> list[PushResult]:
        """Send to many devices at once: the sender keeps many in flight from this one thread, over
        connections kept alive for the worker's lifetime."""
        return self.push.send_many(infos, message)


# --- The outbox rows of topic "notify" ---------------------------------------------------------

def relay_due_notify_messages(session: Session, limit: int = 500, grace: float = 60.0) -> list[tuple[int, datetime]]:
    """Due ``notify`` rows for the relay, each marked queued (its token) for ``grace`` seconds."""
    return outbox.relay_due(session, (NOTIFY_TOPIC,), limit=limit, grace=grace)


# --- From event to inbox ----------------------------------------------------------------------

def process_notify_message(session: Session, message_id: int, notifier: Notifier,
                           token: datetime | None = None, claimer: Session | None = None) -> str:
    """Turn one outbox row into an inbox entry, then deliver it (now or after quiet hours).

    The claim is one statement, on ``claimer`` if given (an autocommit session: no BEGIN/COMMIT).
    Then one transaction: the inbox row, the row marked done and what the push needs (devices,
    language) are written and read together, committed before any network call."""
    payload = outbox.claim_payload(claimer or session, message_id, (NOTIFY_TOPIC,), notifier.lease, token)
    if payload is None:
        return "skipped"
    row = session.execute(select(Event, Application.number, User.language)
                          .outerjoin(Application, Application.id == Event.application_id)
                          .outerjoin(User, User.id == Event.subject_user_id)
                          .where(Event.id == payload["event_id"])).first()
    if row is None:
        return "skipped"
    event, number, language = row
    preferences = rules.DEFAULT_PREFERENCES
    if event.subject_user_id is not None:
        preferences = preferences_of(session, event.subject_user_id)
    notification = create_notification(session, event, preferences=preferences, number=number)
    session.execute(update(OutboxMessage).where(OutboxMessage.id == message_id)
                    .values(status="done", done_at=utcnow(), attempts=OutboxMessage.attempts + 1))
    if notification is None:
        session.commit()
        return "muted"
    now = notifier.clock()
    allowed = rules.push_allowed_at(now, preferences, notification.urgency)
    if allowed > now:
        notification_id = notification.id
        session.commit()
        notifier.later(allowed - now, "deliver_notification", notification_id)
        return "deferred"
    return _deliver(session, notification, preferences, language or "zh-CN", notifier)


def create_notification(session: Session, event: Event, *, preferences: rules.Preferences | None = None,
                        number: str | None = None) -> Notification | None:
    """The inbox entry an event makes, if it tells the resident something they want to know.

    ``preferences`` and the application's ``number`` are read here unless the caller has them."""
    kind_name = rules.notification_kind(event.name, event.data)
    if kind_name is None or event.subject_user_id is None:
        return None
    if preferences is None:
        preferences = preferences_of(session, event.subject_user_id)
    if not rules.wants(preferences, kind_name):
        return None
    existing = session.scalar(select(Notification).where(Notification.event_id == event.id))
    if existing is not None:
        return existing  # a retried job: the inbox row is already there
    kind = rules.KINDS[kind_name]
    number = event.data.get("number") or number or application_number(session, event)
    notification = Notification(
        user_id=event.subject_user_id, event_id=event.id, kind=kind_name, title_zh=kind.title.zh,
        title_en=kind.title.en, application_id=event.application_id, application_number=number,
        link=rules.link_for(kind_name, number), urgency=kind.urgency)
    session.add(notification)
    session.flush()
    extra: dict[str, Any] = {"number": number} if number else {}
    record_event(session, "notification_created", subject_user_id=event.subject_user_id,
                 application_id=event.application_id, notification=notification.id, kind=kind_name, **extra)
    return notification


def application_number(session: Session, event: Event) -> str | None:
    if event.data.get("number"):
        return str(event.data["number"])
    if event.application_id is None:
        return None
    return session.scalar(select(Application.number).where(Application.id == event.application_id))


# --- Channels ---------------------------------------------------------------------------------

def deliver_notification(session: Session, notification_id: int, notifier: Notifier) -> str:
    """Push to every device of the resident, or SMS when push cannot reach them."""
    notification = session.get(Notification, notification_id)
    if notification is None:
        return "skipped"
    language = session.scalar(select(User.language).where(User.id == notification.user_id)) or "zh-CN"
    return _deliver(session, notification, preferences_of(session, notification.user_id), language, notifier)


def _deliver(session: Session, notification: Notification, preferences: rules.Preferences, language: str,
             notifier: Notifier) -> str:
    devices = live_devices(session, notification.user_id, notifier)
    channels = rules.channels_to_use(preferences, bool(devices))
    if "push" in channels:
        send_pushes(session, notification, devices, notifier, attempt=1, language=language)
    if "sms" in channels:
        send_sms(session, notification, notifier)
    session.commit()
    return "+".join(channels) or "inbox-only"


def live_devices(session: Session, user_id: int, notifier: Notifier) -> list[PushSubscription]:
    """The resident's devices, after dropping the ones silent for too long."""
    devices = list(session.scalars(select(PushSubscription).where(PushSubscription.user_id == user_id)))
    now = notifier.clock()
    alive = []
    for device in devices:
        if rules.should_prune(failures=device.failure_count,
                              last_contact_at=max(device.last_success_at or device.created_at, device.last_seen_at),
                              now=now, silence=notifier.prune_after, max_failures=notifier.max_failures):
            log.info("pruning push subscription %s (silent or failing)", device.id)
            session.delete(device)
        else:
            alive.append(device)
    return alive


def push_message_for(session: Session, notification: Notification, language: str | None = None) -> PushMessage:
    kind = rules.KINDS[notification.kind]
    if language is None:
        language = session.scalar(select(User.language).where(User.id == notification.user_id)) or "zh-CN"
    payload = rules.push_payload(notification_id=notification.id, kind=notification.kind,
                                 number=notification.application_number, language=language)
    return PushMessage(payload=payload, ttl=kind.ttl, urgency=kind.urgency,
                       topic=rules.topic_for(notification.kind, notification.application_id))


@dataclass(frozen=True)
class Sent:
    """What the outcome's record needs of a notification (read before the commit that expires it)."""

    id: int
    user_id: int
    application_id: int | None


def send_pushes(session: Session, notification: Notification, devices: Sequence[PushSubscription],
                notifier: Notifier, *, attempt: int, language: str | None = None) -> list[PushResult]:
    """Send to every device at once, then record every outcome."""
    if not devices:
        return []
    message = push_message_for(session, notification, language)
    infos = [device.info() for device in devices]
    device_ids = [device.id for device in devices]
    sent = Sent(notification.id, notification.user_id, notification.application_id)
    session.commit()  # no transaction stays open during the network calls
    results = notifier.send_all(infos, message)
    record_push_results(session, sent, device_ids, results, attempt, notifier)
    session.commit()
    return results


def record_push_results(session: Session, notification: Sent, device_ids: Sequence[int],
                        results: Sequence[PushResult], attempt: int, notifier: Notifier) -> None:
    """One event per device; the devices' bookkeeping in three statements whatever their number."""
    outcomes = list(zip(device_ids, results, strict=True))
    where = {"subject_user_id": notification.user_id, "application_id": notification.application_id}
    delivered_events = [{"notification": notification.id, "device": device_id}
                        for device_id, result in outcomes if result.delivered]
    failed_events = [{"notification": notification.id, "device": device_id, "status": result.status,
                      "error": result.error or ""} for device_id, result in outcomes if not result.delivered]
    if delivered_events:
        record_events(session, "push_delivered", delivered_events, **where)
    if failed_events:
        record_events(session, "push_failed", failed_events, **where)
    delivered = [device_id for device_id, result in outcomes if result.delivered]
    gone = [device_id for device_id, result in outcomes if result.gone]
    failed = [device_id for device_id, result in outcomes if not result.delivered and not result.gone]
    unsynced = {"synchronize_session": False}
    if delivered:
        session.execute(update(PushSubscription).where(PushSubscription.id.in_(delivered))
                        .values(last_success_at=notifier.clock(), failure_count=0).execution_options(**unsynced))
    if failed:
        session.execute(update(PushSubscription).where(PushSubscription.id.in_(failed))
                        .values(failure_count=PushSubscription.failure_count + 1).execution_options(**unsynced))
    if gone:
        session.execute(delete(PushSubscription).where(PushSubscription.id.in_(gone)).execution_options(**unsynced))
    for device_id, result in outcomes:
        if result.retry_after is not None and attempt < notifier.max_push_attempts:
            notifier.later(timedelta(seconds=result.retry_after), "retry_push", notification.id, device_id, attempt + 1)


def retry_push(session: Session, notification_id: int, device_id: int, attempt: int, notifier: Notifier) -> str:
    """One more try at one device, after the wait the push service asked for."""
    notification = session.get(Notification, notification_id)
    device = session.get(PushSubscription, device_id)
    if notification is None or device is None:
        return "skipped"  # the device was deleted or pruned meanwhile
    [result] = send_pushes(session, notification, [device], notifier, attempt=attempt)
    return "delivered" if result.delivered else f"failed {result.status}"


def send_sms(session: Session, notification: Notification, notifier: Notifier) -> bool:
    user = session.get(User, notification.user_id)
    if user is None or not user.mobile:
        return False
    language = user.language or "zh-CN"
    text = rules.sms_text(notification.kind, notification.application_number, language, notifier.public_url)
    notifier.sms.send(user.mobile, text, reference=f"notification-{notification.id}")
    record_event(session, "sms_sent", subject_user_id=user.id, application_id=notification.application_id,
                 notification=notification.id)
    return True


# --- Preferences ------------------------------------------------------------------------------

def preferences_of(session: Session, user_id: int) -> rules.Preferences:
    row = session.get(NotificationPreference, user_id)
    if row is None:
        return rules.DEFAULT_PREFERENCES
    quiet = {"start": row.quiet_start, "end": row.quiet_end} if row.quiet_start and row.quiet_end else None
    return rules.preferences_from(row.kinds, row.channels, quiet)
