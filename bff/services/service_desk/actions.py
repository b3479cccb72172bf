"""What staff do for an opened resident: reveal a masked number, resend a notification, sign out.

Each action is recorded as an Event about the resident, naming the staff member and the opening
(``grant.audit()``), so the resident's timeline and the audit trail show who did what and why.
"""

from __future__ import annotations

from typing import Any

from auth.sessions import SessionStore
from bff import outbox
from bff.core.errors import Conflict, NotFound, ValidationFailed
from bff.core.service_desk import REVEALABLE_FIELDS
from bff.core.text import Text
from bff.services.events import record_event
from bff.services.service_desk.access import Grant, resident_of
from bff.store import Session
from bff.store.notification_models import Notification

NO_NOTIFICATION = Text("该居民没有这条消息。", "This resident has no such notification.")
NOT_RESENDABLE = Text("这条消息不能重发。", "This notification cannot be sent again.")


def reveal_field(session: Session, grant: Grant, field: str) -> dict[str, Any]:
    """One masked field in full, for this one response; the reveal is recorded first."""
    if field not in REVEALABLE_FIELDS:
        raise ValidationFailed(Text("不能查看该项。", "This field cannot be revealed."), code="not_revealable",
                               errors={"field": [Text("可查看：身份证号、手机号。", "One of: id_number, mobile.")]})
    user = resident_of(session, grant.resident_user_id)
    record_event(session, "staff_revealed", actor_user_id=grant.staff_user_id, subject_user_id=user.id,
                 field=field, **grant.reason_data(), **grant.audit())
    session.commit()
    return {"field": field, "value": getattr(user, field)}


def end_resident_sessions(session: Session, sessions: SessionStore, grant: Grant) -> int:
    """Sign the resident out everywhere, at their request (e.g. a lost phone)."""
    count = sessions.revoke_all(grant.resident_user_id)
    record_event(session, "staff_ended_sessions", actor_user_id=grant.staff_user_id,
                 subject_user_id=grant.resident_user_id, count=count, **grant.audit())
    session.commit()
    return count


def resend_notification(session: Session, grant: Grant, notification_id: int) -> dict[str, Any]:
    """Send one of the resident's notifications again (push to each device, or SMS).

    The send leaves through the outbox in this transaction, as every notification does: a
    ``notify`` row for the notification's event, which the notify job turns back into the
    same inbox entry and delivers again (quiet hours and preferences still apply).
    """
    notification = session.get(Notification, notification_id)
    if notification is None or notification.user_id != grant.resident_user_id:
        raise NotFound(NO_NOTIFICATION, code="notification_not_found")
    if notification.event_id is None:
        raise Conflict(NOT_RESENDABLE, code="not_resendable")
    _notify_again(session, notification.event_id)
    record_event(session, "staff_resent_notification", actor_user_id=grant.staff_user_id,
                 subject_user_id=grant.resident_user_id, application_id=notification.application_id,
                 notification=notification.id, **grant.audit())
    session.commit()
    return {"notification": notification.id, "queued": True}


def _notify_again(session: Session, event_id: int) -> None:
    """Add a ``notify`` outbox row for ``event_id``: the notify job turns it back into the same
    inbox entry and delivers it again, woken after commit like any other notify row."""
    outbox.add(session, outbox.NOTIFY_TOPIC, {}, event_id=event_id)
