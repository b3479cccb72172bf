"""Telling residents: events become inbox entries, pushes and SMS, a batch at a time.

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
The channels themselves are in :mod:`bff.services.notifications.channels`.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from bff.core import notifications as rules
from bff.core.text import Text
from bff.outbox import NOTIFY_TOPIC
from bff.services import catalog_adapter as catalog
from bff.services.events import record_event, record_events_of_subjects
from bff.services.notifications.channels import Notifier, deliver_many
from bff.services.notifications.preferences import preferences_from, preferences_of
from bff.store import Session
from bff.store.models import Event
from bff.store.notification_models import Notification
from bff.store.queries import notifications as queries
from bff.store.queries import outbox as outbox_queries

log = logging.getLogger("bff.notify")

# --- The outbox rows of topic "notify" ---------------------------------------------------------

BATCH_LIMIT = 100  # rows one claim takes: a batch's pushes are in flight together from one thread
MAX_ATTEMPTS = 5  # claims of one row (each a worker that died or failed before it was done)


def notify_rows_due(session: Session) -> bool:
    """Whether a ``notify`` row waits (a lost hint, or a dead worker's lease over): the relay's check."""
    return outbox_queries.any_due(session, (NOTIFY_TOPIC,))


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
    preferences, an inbox row of a retried batch), and of the cases and bundles their words name
    (:func:`_titles_of`, at most two); one INSERT of the inbox rows, one of their
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
        (item.notification.user_id, item.event.application_id, _created_event_data(item.notification))
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
    counts.update(deliver_many(session, [(item.notification, item.preferences, item.language) for item in now_items],
                               notifier, before_sending=deferred, done=[message_id for message_id, _ in claimed]))
    counts["deferred"] += len(deferred)
    return {outcome: number for outcome, number in counts.items() if number}


def _claim(session: Session, claimer: Session, notifier: Notifier, limit: int,
           counts: Counter[str]) -> list[tuple[int, int]]:
    """The batch's (outbox row id, event id).

    A row claimed before and not done (its worker died, or its batch failed) is retried alone
    (``counts["retried"]``), so that a row that makes a batch fail cannot take a hundred others
    down with it every time; after ``MAX_ATTEMPTS`` claims it is set aside as dead."""
    claimed = outbox_queries.claim_batch(claimer, (NOTIFY_TOPIC,), notifier.lease, 1, retried=True)
    if claimed:
        counts["retried"] = 1
    else:
        claimed = outbox_queries.claim_batch(claimer, (NOTIFY_TOPIC,), notifier.lease, limit, retried=False)
    dead = [row.id for row in claimed if row.attempts > MAX_ATTEMPTS]
    if dead:
        log.error("notify outbox rows %s failed %d times: set aside as dead", dead, MAX_ATTEMPTS)
        outbox_queries.set_aside_as_dead(session, dead, "failed too many times")
        session.commit()
        counts["dead"] = len(dead)
    # The event is named by the row's column (or, in rows written before it existed, its payload).
    return [(row.id, row.event_id or int(row.payload.get("event_id") or 0))
            for row in claimed if row.attempts <= MAX_ATTEMPTS]


def _pending_of(session: Session, claimed: list[tuple[int, int]], counts: Counter[str]) -> list[_Pending]:
    """Each claimed row's event with what telling it needs, read in one statement, and its inbox
    entry (already made by a batch whose worker died, or new and not yet added); muted ones left out."""
    found = queries.events_to_tell(session, {event_id for _, event_id in claimed})
    titles = _titles_of(session, [row.event for row in found.values()])
    pending: list[_Pending] = []
    seen: set[int] = set()
    for _, event_id in claimed:
        row = found.get(event_id)
        if row is None or event_id in seen:  # no such event (cannot happen), or told once in this batch
            counts["skipped"] += 1  # (a resend queued before the first was sent)
            continue
        seen.add(event_id)
        event, number, language, preference_row, existing = row
        preferences = preferences_from(preference_row)
        notification = existing or _new_notification(event, preferences, number, titles.get(event.id))
        if notification is None:
            counts["muted"] += 1
        else:
            pending.append(_Pending(event, notification, language or "zh-CN", preferences))
    return pending + _family_pending(session, [row for row in found.values() if row.event.id in seen], counts, titles)


def _titles_of(session: Session, events: list[Event]) -> dict[int, Text]:
    """What each event's notification says, naming the item and its department (or the bundle):
    the cases and bundles they are about read in at most two statements."""
    kinds = {event.id: kind for event in events if (kind := rules.notification_kind(event.name, event.data or {}))}
    told = [event for event in events if event.id in kinds]
    cases = queries.cases_named(session, {str(event.data["case"]) for event in told
                                          if isinstance((event.data or {}).get("case"), str)})
    bundles = queries.bundles_of(session, {event.application_id for event in told if event.application_id
                                           and kinds[event.id] in rules.BUNDLE_KINDS and "bundle" not in event.data})
    titles: dict[int, Text] = {}
    for event in told:
        kind = kinds[event.id]
        case = cases.get(str((event.data or {}).get("case")))
        item = Text(case[0].get("zh-CN", ""), case[0].get("en", "")) if case and case[0] else None
        bundle_code = (event.data or {}).get("bundle") or bundles.get(event.application_id or 0)
        titles[event.id] = rules.title_for(kind, item=item,
                                           department=catalog.department_short_name(case[1]) if case else None,
                                           bundle=catalog.bundle_name(bundle_code) if bundle_code else None,
                                           data=event.data or {})
    return titles


def _family_pending(session: Session, told: list[queries.EventToTell], counts: Counter[str],
                    titles: dict[int, Text]) -> list[_Pending]:
    """The inbox entries of the same events for the rest of each application's family (its other
    active members), each by their own preferences and language; all read in one statement."""
    family_events = [row for row in told if row.event.application_id is not None
                     and rules.notification_kind(row.event.name, row.event.data) in rules.FAMILY_KINDS]
    members, existing = queries.family_to_tell(session, {row.event.application_id or 0 for row in family_events},
                                               {row.event.id for row in family_events})
    pending: list[_Pending] = []
    for row in family_events:
        for member in members:
            if member.application_id != row.event.application_id or member.user_id == row.event.subject_user_id:
                continue
            preferences = preferences_from(member.preference)
            notification = existing.get((row.event.id, member.user_id)) or _new_notification(
                row.event, preferences, row.number, titles.get(row.event.id), user_id=member.user_id)
            if notification is None:
                counts["muted"] += 1
            else:
                pending.append(_Pending(row.event, notification, member.language or "zh-CN", preferences))
    return pending


def _new_notification(event: Event, preferences: rules.Preferences, number: str | None, title: Text | None, *,
                      user_id: int | None = None) -> Notification | None:
    """The inbox entry ``event`` makes (not yet added) for the person it is about (or ``user_id``, a
    member of the application's family), or ``None`` if it tells them nothing they want."""
    kind_name = rules.notification_kind(event.name, event.data)
    user_id = user_id or event.subject_user_id
    if kind_name is None or user_id is None or not rules.wants(preferences, kind_name):
        return None
    kind = rules.KINDS[kind_name]
    title = title or rules.title_of(kind_name, event.data)
    number = event.data.get("number") or number
    return Notification(user_id=user_id, event_id=event.id, kind=kind_name, title_zh=title.zh[:200],
                        title_en=title.en[:200], application_id=event.application_id, application_number=number,
                        link=rules.link_for(kind_name, number, event.data), urgency=kind.urgency)


def _created_event_data(notification: Notification) -> dict[str, Any]:
    """The ``notification_created`` event's data (the inbox entry, its kind, the number if any)."""
    number = {"number": notification.application_number} if notification.application_number else {}
    return {"notification": notification.id, "kind": notification.kind, **number}


def create_notification(session: Session, event: Event) -> Notification | None:
    """The inbox entry ``event`` makes (flushed, with its ``notification_created`` event), if it
    tells the resident something they want to know; the one already made if there is one."""
    if event.subject_user_id is None:
        return None
    existing = queries.notification_of_event(session, event.id, event.subject_user_id)
    if existing is not None:
        return existing
    number = event.data.get("number") or queries.application_number(session, event.application_id)
    notification = _new_notification(event, preferences_of(session, event.subject_user_id), number,
                                     _titles_of(session, [event]).get(event.id))
    if notification is None:
        return None
    session.add(notification)
    session.flush()
    record_event(session, "notification_created", subject_user_id=event.subject_user_id,
                 application_id=event.application_id, **_created_event_data(notification))
    return notification
