"""A resident's inbox: the list behind the bell, the unread count, marking read.

Every function takes the signed-in user's id and only ever touches that user's rows:
another person's entry is "not found", never "forbidden".
"""

from __future__ import annotations

from bff.core.errors import NotFound
from bff.core.text import Text
from bff.store import Session
from bff.store.models import utcnow
from bff.store.notification_models import Notification
from bff.store.queries import notifications as queries

NOT_FOUND = Text("找不到这条记录。", "We could not find that.")


def list_inbox(session: Session, user_id: int, *, before: int | None, limit: int) -> list[Notification]:
    """Newest first; page back with ``before`` = the last id seen."""
    return queries.inbox_page(session, user_id, before=before, limit=limit)


def unread_count(session: Session, user_id: int) -> int:
    """How many of the resident's entries are unread (the badge)."""
    return queries.unread_count(session, user_id)


def mark_read(session: Session, user_id: int, notification_id: int) -> Notification:
    """Mark one entry read (it keeps its first read time); committed."""
    row = session.get(Notification, notification_id)
    if row is None or row.user_id != user_id:
        raise NotFound(NOT_FOUND)
    row.read_at = row.read_at or utcnow()
    session.commit()
    return row


def mark_all_read(session: Session, user_id: int) -> int:
    """Mark every entry of the resident read; how many were unread. Committed."""
    count = queries.mark_all_read(session, user_id)
    session.commit()
    return count
