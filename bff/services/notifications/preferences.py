"""A resident's notification preferences: which kinds, on which channels, and quiet hours."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import time
from typing import Any

from bff.core import notifications as rules
from bff.core.errors import ValidationFailed
from bff.core.text import Text
from bff.store import Session
from bff.store.models import utcnow
from bff.store.notification_models import NotificationPreference

BAD_QUIET_HOURS = Text("免打扰时间格式应为 HH:MM。", "Quiet hours must be given as HH:MM.")


def preferences_of(session: Session, user_id: int) -> rules.Preferences:
    """The resident's preferences as the rules read them (the defaults if never saved)."""
    return preferences_from(session.get(NotificationPreference, user_id))


def preferences_from(row: NotificationPreference | None) -> rules.Preferences:
    """The rules' view of a saved preferences row (``None``: the defaults)."""
    if row is None:
        return rules.DEFAULT_PREFERENCES
    quiet = {"start": row.quiet_start, "end": row.quiet_end} if row.quiet_start and row.quiet_end else None
    return rules.preferences_from(row.kinds, row.channels, quiet)


def get_preferences(session: Session, user_id: int) -> dict[str, Any]:
    """The resident's preferences as the API shows them."""
    row = session.get(NotificationPreference, user_id)
    if row is None:
        prefs = rules.DEFAULT_PREFERENCES
        return {"kinds": sorted(prefs.kinds), "channels": sorted(prefs.channels), "quiet_hours": None}
    quiet = {"start": row.quiet_start, "end": row.quiet_end} if row.quiet_start and row.quiet_end else None
    return {"kinds": list(row.kinds), "channels": list(row.channels), "quiet_hours": quiet}


def save_preferences(session: Session, user_id: int, kinds: Sequence[str], channels: Sequence[str],
                     quiet_hours: Mapping[str, str] | None) -> dict[str, Any]:
    """Replace the resident's preferences (unknown kinds and channels are dropped); committed."""
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
