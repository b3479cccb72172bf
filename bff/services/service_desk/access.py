"""Access with a purpose: a staff member opens a resident with a reason and gets a grant.

Flow:
1. ``grant_access`` takes a checked reason (``bff.core.service_desk.check_reason``), records a
   ``staff_viewed`` Event (who, whom, why) and stores a grant in Redis for 15 minutes,
   bound to the staff member's session and to that one resident.
2. Every other staff call about the resident presents the grant (``X-Staff-Grant``);
   ``check_grant`` refuses a missing, expired, or someone else's grant, so nothing happens
   to a resident without a recorded reason.
3. ``record_view`` audits each distinct thing looked at within a grant once (profile,
   timeline, application N, notes); continuation pages and live polls are covered by it.

Redis holds the grant under a hash of its token only; losing Redis just ends the grants.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import time
from dataclasses import dataclass
from typing import Any

import redis as redis_lib

from auth.permissions import Principal
from auth.sessions import session_handle
from bff.core.errors import NotFound, PermissionDenied
from bff.core.service_desk import GRANT_SECONDS, Reason
from bff.core.text import Text
from bff.services.events import record_event
from bff.store import Session
from bff.store.models import User

GRANT_HEADER = "X-Staff-Grant"
GRANT_REQUIRED = Text("请先说明查看原因并打开该居民（查看授权缺失或已过期）。",
                      "Open this resident with a reason first (the access grant is missing or expired).")
NOT_A_RESIDENT = Text("找不到该居民。", "No such resident.")


@dataclass(frozen=True)
class Grant:
    """A staff member's short-lived, reasoned access to one resident."""

    token: str
    staff_user_id: int
    session: str  # the public handle of the staff member's session
    resident_user_id: int
    access_event_id: int
    reason: Reason
    expires_at: float

    def audit(self) -> dict[str, Any]:
        """What every staff Event about this resident carries: the opening event's id."""
        return {"access": self.access_event_id}

    def reason_data(self) -> dict[str, Any]:
        """The reason given at the opening, as staff Events that show it to the resident carry it."""
        return self.reason.event_data()


def _key(token: str) -> str:
    return "staff-grant:" + hashlib.sha256(token.encode()).hexdigest()


def resident_of(session: Session, resident_user_id: int) -> User:
    """The resident with this id; staff, officers and unknown ids are "not found"."""
    user = session.get(User, resident_user_id)
    if user is None or "resident" not in (user.roles or []):
        raise NotFound(NOT_A_RESIDENT, code="resident_not_found")
    return user


def grant_access(session: Session, client: redis_lib.Redis, principal: Principal, resident_user_id: int,
                 reason: Reason, *, clock: Any = time.time) -> tuple[Grant, User]:
    """Record why the staff member opens the resident, and grant them access for 15 minutes."""
    resident = resident_of(session, resident_user_id)
    opened = record_event(session, "staff_viewed", actor_user_id=principal.user_id,
                          subject_user_id=resident.id, view="profile", **reason.event_data())
    session.commit()
    grant = Grant(token=secrets.token_urlsafe(24), staff_user_id=principal.user_id,
                  session=session_handle(principal.session_id), resident_user_id=resident.id,
                  access_event_id=opened.id, reason=reason, expires_at=clock() + GRANT_SECONDS)
    client.set(_key(grant.token), json.dumps({
        "staff": grant.staff_user_id, "session": grant.session, "resident": grant.resident_user_id,
        "access": grant.access_event_id, "ticket": reason.ticket, "purpose": reason.purpose,
        "text": reason.text, "expires_at": grant.expires_at}), ex=GRANT_SECONDS)
    client.sadd(_seen_key(grant.token), _seen("profile"))
    client.expire(_seen_key(grant.token), GRANT_SECONDS)
    return grant, resident


def check_grant(client: redis_lib.Redis, principal: Principal, resident_user_id: int, token: str | None) -> Grant:
    """The live grant of this staff session for this resident, or :class:`PermissionDenied`."""
    raw = client.get(_key(token)) if token and len(token) < 100 else None
    stored = json.loads(raw) if raw else None
    if (stored is None or stored["resident"] != resident_user_id or stored["staff"] != principal.user_id
            or not secrets.compare_digest(stored["session"], session_handle(principal.session_id))):
        raise PermissionDenied(GRANT_REQUIRED, code="access_reason_required")
    return Grant(token=token or "", staff_user_id=stored["staff"], session=stored["session"],
                 resident_user_id=stored["resident"], access_event_id=stored["access"],
                 reason=Reason(ticket=stored["ticket"], purpose=stored["purpose"], text=stored["text"]),
                 expires_at=stored["expires_at"])


def close_grant(client: redis_lib.Redis, grant: Grant) -> None:
    """End the grant before it expires (the call is over)."""
    client.delete(_key(grant.token), _seen_key(grant.token))


def is_open(client: redis_lib.Redis, grant: Grant) -> bool:
    """Whether the grant still lives (not closed, not expired): a live stream checks it now and then."""
    return bool(client.exists(_key(grant.token)))


def _seen(view: str, application: str | None = None) -> str:
    return f"{view}:{application or ''}"


def _seen_key(token: str) -> str:
    return _key(token) + ":seen"


def record_view(session: Session, client: redis_lib.Redis, grant: Grant, view: str, *,
                application_id: int | None = None, application: str | None = None) -> None:
    """Audit a look at ``view`` (and ``application``) once per grant; commits when it records."""
    what = _seen(view, application)
    if not client.sadd(_seen_key(grant.token), what):
        return
    client.expire(_seen_key(grant.token), GRANT_SECONDS)
    extra = {"application": application} if application else {}
    try:
        record_event(session, "staff_viewed", actor_user_id=grant.staff_user_id,
                     subject_user_id=grant.resident_user_id, application_id=application_id, view=view,
                     **grant.reason_data(), **grant.audit(), **extra)
        session.commit()
    except Exception:
        client.srem(_seen_key(grant.token), what)  # not recorded: the next look records it
        raise
