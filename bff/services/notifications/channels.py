"""The channels of a notification: Web Push to each of the resident's devices, or SMS.

Pushes of a batch leave together (``WebPushSender.send_each``); their outcomes are written in a
few statements whatever their number. A push service that asks to be tried later gets a
``retry_push`` job after its ``Retry-After``; quiet hours defer a notification with a
``deliver_notification`` job. Those jobs are outbox rows with a due time, written in the same
transaction as the outcome that asks for them (``bff.outbox.add_later``), so losing Redis loses
none of them; this module never sleeps.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from bff import outbox
from bff.adapters.push.sender import PushMessage, PushResult, WebPushSender
from bff.adapters.sms.base import SmsSender
from bff.core import notifications as rules
from bff.core.text import Text
from bff.services.events import record_event, record_events_of_subjects
from bff.services.notifications.preferences import preferences_of
from bff.store import Session
from bff.store.models import User, utcnow
from bff.store.notification_models import Notification, PushSubscription, subscription_info
from bff.store.queries import notifications as queries
from bff.store.queries import outbox as outbox_queries

log = logging.getLogger("bff.notify")


@dataclass
class Notifier:
    """What the notify jobs need: the senders and the limits from config."""

    push: WebPushSender
    sms: SmsSender
    public_url: str
    max_push_attempts: int = 5
    prune_after: timedelta = timedelta(days=90)
    max_failures: int = 10
    lease: float = 60.0
    clock: Callable[[], datetime] = utcnow
    # Where a batch's push outcomes are counted for the metrics (bff.services.monitoring).
    count_outcomes: Callable[[Mapping[str, int]], None] = lambda _counts: None


def deliver_notification(session: Session, notification_id: int, notifier: Notifier,
                         done: Sequence[int] = ()) -> str:
    """Push to every device of the resident, or SMS when push cannot reach them (when quiet hours end);
    the outbox rows ``done`` are marked done in the commit that records the outcome."""
    notification = session.get(Notification, notification_id)
    if notification is None:
        _finish(session, done)
        return "skipped"
    language = queries.language_of(session, notification.user_id) or "zh-CN"
    [outcome] = deliver_many(session, [(notification, preferences_of(session, notification.user_id), language)],
                             notifier, done=done)
    return outcome


def deliver_many(session: Session, items: Sequence[tuple[Notification, rules.Preferences, str]],
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
    now = notifier.clock()
    for delay, notification_id in before_sending:
        outbox.add_later(session, now + delay, "deliver_notification", notification_id)
    if pushes or before_sending:
        session.commit()
    if pushes:
        results = notifier.push.send_each([(info, message) for _, _, info, message in pushes])
        record_push_results(session, [(sent, device_id, result)
                                      for (sent, device_id, _, _), result in zip(pushes, results, strict=True)],
                            attempt=1, notifier=notifier, marked_recently=marked)
    if done:
        outbox_queries.mark_done(session, done)
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
    for row in queries.device_rows_of(session, user_ids):
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
        queries.delete_devices(session, pruned)
    return alive


def push_message_for(session: Session, notification: Notification, language: str | None = None) -> PushMessage:
    kind = rules.KINDS[notification.kind]
    if language is None:
        language = queries.language_of(session, notification.user_id) or "zh-CN"
    payload = rules.push_payload(notification_id=notification.id, kind=notification.kind,
                                 number=notification.application_number, language=language,
                                 title=Text(notification.title_zh, notification.title_en), url=notification.link)
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
                                             "reason": result.reason})
        for sent, device_id, result in outcomes if not result.delivered])
    for sent, device_id, result in outcomes:
        if not result.delivered:  # the detail stays here: ids and the sender's words, no endpoint
            log.info("push of notification %s to device %s not delivered: %s (%s)", sent.id, device_id,
                     result.reason, result.error or result.status)
    delivered = [device_id for _, device_id, result in outcomes
                 if result.delivered and device_id not in marked_recently]
    gone = [device_id for _, device_id, result in outcomes if result.gone]
    failed = [device_id for _, device_id, result in outcomes if not result.delivered and not result.gone]
    try:
        notifier.count_outcomes({"delivered": sum(1 for _, _, r in outcomes if r.delivered), "gone": len(gone),
                                 "failed": len(failed)})
    except Exception as error:  # noqa: BLE001 - a counter never stops a delivery
        log.warning("could not count push outcomes: %s", type(error).__name__)
    if delivered:
        queries.record_device_successes(session, delivered, notifier.clock())
    if failed:
        queries.count_device_failures(session, failed)
    if gone:
        queries.delete_devices(session, gone)
    now = notifier.clock()
    for sent, device_id, result in outcomes:
        if result.retry_after is not None and attempt < notifier.max_push_attempts:
            outbox.add_later(session, now + timedelta(seconds=result.retry_after), "retry_push",
                             sent.id, device_id, attempt + 1)


def retry_push(session: Session, notification_id: int, device_id: int, attempt: int, notifier: Notifier,
               done: Sequence[int] = ()) -> str:
    """One more try at one device, after the wait the push service asked for (the outbox rows
    ``done`` are marked done in the commit that records the outcome)."""
    notification = session.get(Notification, notification_id)
    device = session.get(PushSubscription, device_id)
    if notification is None or device is None:
        _finish(session, done)
        return "skipped"  # the device was deleted or pruned meanwhile
    message = push_message_for(session, notification)
    info, sent = device.info(), Sent(notification.id, notification.user_id, notification.application_id)
    session.commit()  # no transaction stays open during the network call
    [result] = notifier.push.send_each([(info, message)])
    record_push_results(session, [(sent, device_id, result)], attempt=attempt, notifier=notifier)
    _finish(session, done)
    return "delivered" if result.delivered else f"failed {result.status}"


def _finish(session: Session, done: Sequence[int]) -> None:
    if done:
        outbox_queries.mark_done(session, done)
    session.commit()


def send_sms(session: Session, notification: Notification, notifier: Notifier) -> bool:
    user = session.get(User, notification.user_id)
    if user is None or not user.mobile:
        return False
    language = user.language or "zh-CN"
    text = rules.sms_text(notification.kind, notification.application_number, language, notifier.public_url,
                          Text(notification.title_zh, notification.title_en))
    notifier.sms.send(user.mobile, text, reference=f"notification-{notification.id}")
    record_event(session, "sms_sent", subject_user_id=user.id, application_id=notification.application_id,
                 notification=notification.id)
    return True
