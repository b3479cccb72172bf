"""The resident's side of notifications: devices, inbox, preferences, and missed events.

Every function takes the signed-in user's id and only ever touches that user's rows:
another person's device or inbox entry is "not found", never "forbidden".
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping, Sequence
from datetime import time
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from bff.core import notifications as rules
from bff.core.errors import NotFound, ValidationFailed
from bff.core.text import Text
from bff.store.models import Event, utcnow
from bff.store.notification_models import Notification, NotificationPreference, PushSubscription

NOT_FOUND = Text("找不到这条记录。", "We could not find that.")
BAD_ENDPOINT = Text("推送地址无效。", "The push endpoint is not valid.")
BAD_KEYS = Text("推送密钥无效，请重新开启通知。", "The push keys are not valid; turn notifications on again.")
BAD_QUIET_HOURS = Text("免打扰时间格式应为 HH:MM。", "Quiet hours must be given as HH:MM.")


# --- Devices ----------------------------------------------------------------------------------

def subscribe_device(session: Session, user_id: int, subscription: Mapping[str, Any], device: str, *,
                     allow_http: bool) -> PushSubscription:
    """Save (or refresh) this browser's subscription for ``user_id``.

    An endpoint belongs to one browser: if someone else signed in on it before, the device
    now tells only the person signed in now.
    """
    endpoint, keys = subscription["endpoint"], subscription["keys"]
    check_endpoint(endpoint, allow_http)
    check_keys(keys["p256dh"], keys["auth"])
    row = session.scalar(select(PushSubscription).where(PushSubscription.endpoint == endpoint))
    if row is None:
        row = PushSubscription(endpoint=endpoint, user_id=user_id)
        session.add(row)
    row.user_id, row.p256dh, row.auth, row.device = user_id, keys["p256dh"], keys["auth"], device[:100]
    row.last_seen_at, row.failure_count = utcnow(), 0
    session.commit()
    return row


def check_endpoint(endpoint: str, allow_http: bool) -> None:
    parts = urlsplit(endpoint)
    plain_http_ok = allow_http and parts.scheme == "http"
    if not parts.netloc or (parts.scheme != "https" and not plain_http_ok) or len(endpoint) > 2000:
        raise ValidationFailed(BAD_ENDPOINT, errors={"endpoint": [BAD_ENDPOINT]})


def check_keys(p256dh: str, auth: str) -> None:
    try:
        point, secret = _b64url(p256dh), _b64url(auth)
    except (binascii.Error, ValueError):
        point, secret = b"", b""
    if len(point) != 65 or point[0] != 4 or len(secret) != 16:
        raise ValidationFailed(BAD_KEYS, errors={"keys": [BAD_KEYS]})


def _b64url(value: str) -> bytes:
    return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))


def list_devices(session: Session, user_id: int) -> list[PushSubscription]:
    return list(session.scalars(select(PushSubscription).where(PushSubscription.user_id == user_id)
                                .order_by(PushSubscription.id)))


def remove_device(session: Session, user_id: int, device_id: int) -> None:
    row = session.get(PushSubscription, device_id)
    if row is None or row.user_id != user_id:
        raise NotFound(NOT_FOUND)
    session.delete(row)
    session.commit()


# --- Inbox ------------------------------------------------------------------------------------

def list_inbox(session: Session, user_id: int, *, before: int | None, limit: int) -> list[Notification]:
    """Newest first; page back with ``before`` = the last id seen."""
    query = select(Notification).where(Notification.user_id == user_id)
    if before is not None:
        query = query.where(Notification.id < before)
    return list(session.scalars(query.order_by(Notification.id.desc()).limit(limit)))


def unread_count(session: Session, user_id: int) -> int:
    return session.scalar(select(func.count()).select_from(Notification)
                          .where(Notification.user_id == user_id, Notification.read_at.is_(None))) or 0


def mark_read(session: Session, user_id: int, notification_id: int) -> Notification:
    row = session.get(Notification, notification_id)
    if row is None or row.user_id != user_id:
        raise NotFound(NOT_FOUND)
    row.read_at = row.read_at or utcnow()
    session.commit()
    return row


def mark_all_read(session: Session, user_id: int) -> int:
    result = session.execute(update(Notification)
                             .where(Notification.user_id == user_id, Notification.read_at.is_(None))
                             .values(read_at=utcnow()))
    session.commit()
    return int(result.rowcount)  # type: ignore[attr-defined]


# --- Preferences ------------------------------------------------------------------------------

def get_preferences(session: Session, user_id: int) -> dict[str, Any]:
    row = session.get(NotificationPreference, user_id)
    if row is None:
        prefs = rules.DEFAULT_PREFERENCES
        return {"kinds": sorted(prefs.kinds), "channels": sorted(prefs.channels), "quiet_hours": None}
    quiet = {"start": row.quiet_start, "end": row.quiet_end} if row.quiet_start and row.quiet_end else None
    return {"kinds": list(row.kinds), "channels": list(row.channels), "quiet_hours": quiet}


def save_preferences(session: Session, user_id: int, kinds: Sequence[str], channels: Sequence[str],
                     quiet_hours: Mapping[str, str] | None) -> dict[str, Any]:
    quiet = {key: _hh_mm(quiet_hours[key], key) for key in ("start", "end")} if quiet_hours else None
    row = session.get(NotificationPreference, user_id) or NotificationPreference(user_id=user_id)
    row.kinds = sorted(set(kinds) & set(rules.KINDS))
    row.channels = sorted(set(channels) & set(rules.CHANNELS))
    row.quiet_start = quiet["start"] if quiet else None
    row.quiet_end = quiet["end"] if quiet else None
    row.updated_at = utcnow()
    session.add(row)
    session.commit()
    return get_preferences(session, user_id)


def _hh_mm(value: str, key: str) -> str:
    """``22:00`` (or ``22:00:00``, as some browsers' time inputs give it) → ``22:00``."""
    try:
        return time.fromisoformat(value).strftime("%H:%M")
    except ValueError:
        raise ValidationFailed(BAD_QUIET_HOURS, errors={f"quiet_hours.{key}": [BAD_QUIET_HOURS]}) from None


# --- Events (the polling fallback of the live stream) -----------------------------------------

def events_after(session: Session, user_id: int, after: int, limit: int = 100) -> list[Event]:
    """The user's events with id > ``after``, oldest first."""
    return list(session.scalars(select(Event).where(Event.subject_user_id == user_id, Event.id > after)
                                .order_by(Event.id).limit(limit)))


def latest_event_id(session: Session, user_id: int) -> int:
    return session.scalar(select(func.max(Event.id)).where(Event.subject_user_id == user_id)) or 0


def event_view(event: Event) -> dict[str, Any]:
    """What a resident sees of one of their events (data never carries plaintext PII)."""
    return {"id": event.id, "name": event.name, "occurred_at": event.occurred_at.isoformat(),
            "application_id": event.application_id, "data": event.data}
