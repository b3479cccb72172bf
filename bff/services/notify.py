"""Telling residents: events become inbox entries, pushes and SMS.

The flow (at-least-once, never inside a request)::

    record_event(notifiable) ──(same transaction)──► outbox row (topic "notify")
    after-commit wake-up / relay ──► ONE RQ batch job ──► process_notify_batch:
        claims every due row (up to a limit), and for each:
        inbox row + notification_created ──► delivered now, or deliver_notification when quiet hours end
            push: every device of the resident ─► push_delivered | push_failed per device
                  429/5xx/no answer ─► retry_push later (Retry-After), 404/410 ─► device pruned
            SMS:  only for residents push cannot reach ─► sms_sent

A wake-up is a Redis flag set with NX: only the hint that finds it unset queues a batch job,
and the job clears it before claiming, so under load one job serves many status changes
(its cost is per batch, not per notification) and at rest each change still gets its own.

``Later`` is how this module asks for a job to run later (RQ's ``enqueue_in`` in
production, the same in tests with a real worker); it never sleeps.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from bff.adapters.push.sender import PushMessage, PushResult, WebPushSender
from bff.adapters.sms.base import SmsSender
from bff.core import notifications as rules
from bff.services import outbox
from bff.services.events import record_event, record_events_of_subjects
from bff.store.models import Application, Event, OutboxMessage, User, utcnow
from bff.store.notification_models import Notification, NotificationPreference, PushSubscription, subscription_info

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


# --- The outbox rows of topic "notify" ---------------------------------------------------------

BATCH_LIMIT = 100  # rows one claim takes: a batch's pushes are in flight together from one thread
MAX_ATTEMPTS = 5  # claims of one row (each a worker that died or failed before it was done)


def notify_rows_due(session: Session) -> bool:
    """Whether a ``notify`` row waits (a lost hint, or a dead worker's lease over): the relay's check."""
    return outbox.any_due(session, (NOTIFY_TOPIC,))


# --- From event to inbox ----------------------------------------------------------------------

@dataclass
class _Pending:
    """One claimed row's inbox entry (new, or made by a batch whose worker died) and how to tell it."""

    event: Event
    notification: Notification
    language: str
    preferences: rules.Preferences


def process_notify_batch(session: Session, notifier: Notifier, *, claimer: Session | None = None,
                         limit: int = BATCH_LIMIT) -> dict[str, int]:
    """Claim up to ``limit`` due ``notify`` rows and turn each into an inbox entry, then deliver
    them all (now, or when quiet hours end). Returns how many went which way.

    A batch costs the same few statements whatever its size: the claim (on ``claimer``, an
    autocommit session, if given); one read of the events with what they need (number, language,
    preferences, an inbox row of a retried batch); one INSERT of the inbox rows, one of their
    ``notification_created`` events, one read of the devices; a commit before any network call;
    then the pushes all in flight together, and their outcomes (one INSERT of events, up to three
    UPDATEs of devices) committed with the rows marked done. A worker that dies before that leaves
    the rows leased: they are claimed again when the lease ends, the inbox rows already made are
    reused and the pushes sent again (at least once; the Topic header lets the newer replace the
    older on the device)."""
    counts: Counter[str] = Counter()
    claimed = _claim(session, claimer or session, notifier, limit, counts)
    if not claimed:
        return dict(counts)
    pending = _pending_of(session, claimed, counts)
    created = [item for item in pending if item.notification.id is None]
    session.add_all([item.notification for item in created])
    session.flush()  # one INSERT … RETURNING for all of them
    record_events_of_subjects(session, "notification_created", [
        (item.event.subject_user_id, item.event.application_id, _created_event_data(item.notification))
        for item in created])
    now = notifier.clock()
    deferred: list[tuple[timedelta, int]] = []
    now_items: list[_Pending] = []
    for item in pending:
        allowed = rules.push_allowed_at(now, item.preferences, item.notification.urgency)
        if allowed > now:
            deferred.append((allowed - now, item.notification.id))
        else:
            now_items.append(item)
    counts.update(_deliver_many(session, [(item.notification, item.preferences, item.language) for item in now_items],
                                notifier, before_sending=deferred, done=[message_id for message_id, _ in claimed]))
    counts["deferred"] += len(deferred)
    return {outcome: number for outcome, number in counts.items() if number}


def _claim(session: Session, claimer: Session, notifier: Notifier, limit: int,
           counts: Counter[str]) -> list[tuple[int, int]]:
    """The batch's (outbox row id, event id).

    A row claimed before and not done (its worker died, or its batch failed) is retried alone
    (``counts["retried"]``), so that a row that makes a batch fail cannot take a hundred others
    down with it every time; after ``MAX_ATTEMPTS`` claims it is set aside as dead."""
    claimed = outbox.claim_batch(claimer, (NOTIFY_TOPIC,), notifier.lease, 1, retried=True)
    if claimed:
        counts["retried"] = 1
    else:
        claimed = outbox.claim_batch(claimer, (NOTIFY_TOPIC,), notifier.lease, limit, retried=False)
    dead = [row.id for row in claimed if row.attempts > MAX_ATTEMPTS]
    if dead:
        log.error("notify outbox rows %s failed %d times: set aside as dead", dead, MAX_ATTEMPTS)
        session.execute(update(OutboxMessage).where(OutboxMessage.id.in_(dead))
                        .values(status="dead", last_error="failed too many times"))
        session.commit()
        counts["dead"] = len(dead)
    # The event is named by the row's column (or, in rows written before it existed, its payload).
    return [(row.id, row.event_id or int(row.payload.get("event_id") or 0))
            for row in claimed if row.attempts <= MAX_ATTEMPTS]


def _pending_of(session: Session, claimed: list[tuple[int, int]], counts: Counter[str]) -> list[_Pending]:
    """Each claimed row's event with what telling it needs, read in one statement, and its inbox
    entry (already made by a batch whose worker died, or new and not yet added); muted ones left out."""
    found = {row[0].id: row for row in session.execute(
        select(Event, Application.number, User.language, NotificationPreference, Notification)
        .outerjoin(Application, Application.id == Event.application_id)
        .outerjoin(User, User.id == Event.subject_user_id)
        .outerjoin(NotificationPreference, NotificationPreference.user_id == Event.subject_user_id)
        .outerjoin(Notification, Notification.event_id == Event.id)
        .where(Event.id.in_({event_id for _, event_id in claimed})))}
    pending: list[_Pending] = []
    seen: set[int] = set()
    for _, event_id in claimed:
        row = found.get(event_id)
        if row is None or event_id in seen:  # no such event (cannot happen), or told once in this batch
            counts["skipped"] += 1  # (a resend queued before the first was sent)
            continue
        seen.add(event_id)
        event, number, language, preference_row, existing = row
        preferences = _preferences(preference_row)
        notification = existing or _new_notification(event, preferences, number)
        if notification is None:
            counts["muted"] += 1
        else:
            pending.append(_Pending(event, notification, language or "zh-CN", preferences))
    return pending


def _preferences(row: NotificationPreference | None) -> rules.Preferences:
    if row is None:
        return rules.DEFAULT_PREFERENCES
    quiet = {"start": row.quiet_start, "end": row.quiet_end} if row.quiet_start and row.quiet_end else None
    return rules.preferences_from(row.kinds, row.channels, quiet)


def _new_notification(event: Event, preferences: rules.Preferences, number: str | None) -> Notification | None:
    """The inbox entry ``event`` makes (not yet added), or ``None`` if it tells the resident nothing they want."""
    kind_name = rules.notification_kind(event.name, event.data)
    if kind_name is None or event.subject_user_id is None or not rules.wants(preferences, kind_name):
        return None
    kind = rules.KINDS[kind_name]
    number = event.data.get("number") or number
    return Notification(user_id=event.subject_user_id, event_id=event.id, kind=kind_name, title_zh=kind.title.zh,
                        title_en=kind.title.en, application_id=event.application_id, application_number=number,
                        link=rules.link_for(kind_name, number), urgency=kind.urgency)


def _created_event_data(notification: Notification) -> dict[str, Any]:
    """The ``notification_created`` event's data (the inbox entry, its kind, the number if any)."""
    number = {"number": notification.application_number} if notification.application_number else {}
    return {"notification": notification.id, "kind": notification.kind, **number}


def create_notification(session: Session, event: Event) -> Notification | None:
    """The inbox entry ``event`` makes (flushed, with its ``notification_created`` event), if it
    tells the resident something they want to know; the one already made if there is one."""
    if event.subject_user_id is None:
        return None
    existing = session.scalar(select(Notification).where(Notification.event_id == event.id))
    if existing is not None:
        return existing
    number = event.data.get("number") or session.scalar(select(Application.number)
                                                        .where(Application.id == event.application_id))
    notification = _new_notification(event, preferences_of(session, event.subject_user_id), number)
    if notification is None:
        return None
    session.add(notification)
    session.flush()
    record_event(session, "notification_created", subject_user_id=event.subject_user_id,
                 application_id=event.application_id, **_created_event_data(notification))
    return notification


# --- Channels ---------------------------------------------------------------------------------

def deliver_notification(session: Session, notification_id: int, notifier: Notifier) -> str:
    """Push to every device of the resident, or SMS when push cannot reach them (when quiet hours end)."""
    notification = session.get(Notification, notification_id)
    if notification is None:
        return "skipped"
    language = session.scalar(select(User.language).where(User.id == notification.user_id)) or "zh-CN"
    [outcome] = _deliver_many(session, [(notification, preferences_of(session, notification.user_id), language)],
                              notifier)
    return outcome


def _deliver_many(session: Session, items: Sequence[tuple[Notification, rules.Preferences, str]],
                  notifier: Notifier, *, before_sending: Sequence[tuple[timedelta, int]] = (),
                  done: Sequence[int] = ()) -> list[str]:
    """Deliver each (notification, preferences, language) on its channels; one outcome each.

    Commits what the session holds before the pushes leave (no transaction stays open during
    network calls); ``before_sending`` are (delay, notification id) to schedule once that is
    committed; the outbox rows ``done`` are marked done with the pushes' outcomes."""
    devices = live_devices_of(session, {notification.user_id for notification, _, _ in items}, notifier)
    pushes: list[tuple[Sent, int, dict[str, Any], PushMessage]] = []
    marked = {device.id for mine in devices.values() for device in mine if device.marked_recently}
    texting: list[Notification] = []
    outcomes = []
    for notification, preferences, language in items:
        mine = devices.get(notification.user_id, [])
        channels = rules.channels_to_use(preferences, bool(mine))
        if "push" in channels:
            message = push_message_for(session, notification, language)
            sent = Sent(notification.id, notification.user_id, notification.application_id)
            pushes.extend((sent, device.id, device.info(), message) for device in mine)
        if "sms" in channels:
            texting.append(notification)
        outcomes.append("+".join(channels) or "inbox-only")
    for notification in texting:
        send_sms(session, notification, notifier)
    if pushes or before_sending:
        session.commit()
    for delay, notification_id in before_sending:
        notifier.later(delay, "deliver_notification", notification_id)
    if pushes:
        results = notifier.push.send_each([(info, message) for _, _, info, message in pushes])
        record_push_results(session, [(sent, device_id, result)
                                      for (sent, device_id, _, _), result in zip(pushes, results, strict=True)],
                            attempt=1, notifier=notifier, marked_recently=marked)
    if done:
        session.execute(update(OutboxMessage).where(OutboxMessage.id.in_(done))
                        .values(status="done", done_at=utcnow()).execution_options(synchronize_session=False))
    session.commit()
    return outcomes


@dataclass(frozen=True)
class Device:
    """What a push needs of a device (read without loading ORM objects: a batch may reach hundreds)."""

    id: int
    user_id: int
    endpoint: str
    p256dh: str
    auth: str
    marked_recently: bool = False  # rules.success_recorded_recently

    def info(self) -> dict[str, Any]:
        return subscription_info(self.endpoint, self.p256dh, self.auth)


def live_devices_of(session: Session, user_ids: Collection[int], notifier: Notifier) -> dict[int, list[Device]]:
    """The residents' devices (one read), after dropping the ones silent or failing for too long."""
    if not user_ids:
        return {}
    now = notifier.clock()
    alive: dict[int, list[Device]] = {}
    pruned = []
    table = PushSubscription
    for row in session.execute(select(table.id, table.user_id, table.endpoint, table.p256dh, table.auth,
                                      table.failure_count, table.last_success_at, table.created_at,
                                      table.last_seen_at)
                               .where(table.user_id.in_(user_ids)).order_by(table.id)):
        if rules.should_prune(failures=row.failure_count,
                              last_contact_at=max(row.last_success_at or row.created_at, row.last_seen_at),
                              now=now, silence=notifier.prune_after, max_failures=notifier.max_failures):
            pruned.append(row.id)
        else:
            recent = rules.success_recorded_recently(failures=row.failure_count, last_success_at=row.last_success_at,
                                                     now=now)
            alive.setdefault(row.user_id, []).append(Device(row.id, row.user_id, row.endpoint, row.p256dh, row.auth,
                                                            recent))
    if pruned:
        log.info("pruning push subscriptions %s (silent or failing)", pruned)
        session.execute(delete(table).where(table.id.in_(pruned)).execution_options(synchronize_session=False))
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


def record_push_results(session: Session, outcomes: Sequence[tuple[Sent, int, PushResult]], *, attempt: int,
                        notifier: Notifier, marked_recently: Collection[int] = ()) -> None:
    """One event per (notification, device) in one INSERT; the devices' bookkeeping in up to three
    statements, whatever their number; a retry scheduled where the push service asked for one.

    A success is written to a device only if it is not ``marked_recently``
    (:func:`bff.core.notifications.success_recorded_recently`)."""
    record_events_of_subjects(session, "push_delivered", [
        (sent.user_id, sent.application_id, {"notification": sent.id, "device": device_id})
        for sent, device_id, result in outcomes if result.delivered])
    record_events_of_subjects(session, "push_failed", [
        (sent.user_id, sent.application_id, {"notification": sent.id, "device": device_id, "status": result.status,
                                             "error": result.error or ""})
        for sent, device_id, result in outcomes if not result.delivered])
    delivered = [device_id for _, device_id, result in outcomes
                 if result.delivered and device_id not in marked_recently]
    gone = [device_id for _, device_id, result in outcomes if result.gone]
    failed = [device_id for _, device_id, result in outcomes if not result.delivered and not result.gone]
    unsynced = {"synchronize_session": False}
    if delivered:
        session.execute(update(PushSubscription).where(PushSubscription.id.in_(delivered))
                        .values(last_success_at=notifier.clock(), failure_count=0).execution_options(**unsynced))
    if failed:
        session.execute(update(PushSubscription).where(PushSubscription.id.in_(failed))
                        .values(failure_count=PushSubscription.failure_count + 1).execution_options(**unsynced))
    if gone:
        session.execute(delete(PushSubscription).where(PushSubscription.id.in_(gone)).execution_options(**unsynced))
    for sent, device_id, result in outcomes:
        if result.retry_after is not None and attempt < notifier.max_push_attempts:
            notifier.later(timedelta(seconds=result.retry_after), "retry_push", sent.id, device_id, attempt + 1)


def retry_push(session: Session, notification_id: int, device_id: int, attempt: int, notifier: Notifier) -> str:
    """One more try at one device, after the wait the push service asked for."""
    notification = session.get(Notification, notification_id)
    device = session.get(PushSubscription, device_id)
    if notification is None or device is None:
        return "skipped"  # the device was deleted or pruned meanwhile
    message = push_message_for(session, notification)
    info, sent = device.info(), Sent(notification.id, notification.user_id, notification.application_id)
    session.commit()  # no transaction stays open during the network call
    [result] = notifier.push.send_each([(info, message)])
    record_push_results(session, [(sent, device_id, result)], attempt=attempt, notifier=notifier)
    session.commit()
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
    return _preferences(session.get(NotificationPreference, user_id))
