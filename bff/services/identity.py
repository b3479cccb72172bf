"""Identity use cases: completing a login, ending sessions, QR login, preferences.

``auth/`` does the protocol work (OIDC, sessions, tickets); these functions join
it to the system of record: they upsert the user, create the session, and
record each step as an event in the person's history.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from auth.oidc import LoginResult
from auth.permissions import Principal
from auth.qr import QrTickets, Ticket
from auth.sessions import SessionRecord, SessionStore
from bff.core.errors import NotFound, PermissionDenied
from bff.core.text import LANGUAGES, Text
from bff.services.events import record_event
from bff.services.users import upsert_user_from_claims
from bff.store import Session
from bff.store.models import User


@dataclass(frozen=True)
class Where:
    """The device and place a request came from, as the person will see them in "my sessions"."""

    device: str
    place: str


def complete_login(db: Session, sessions: SessionStore, result: LoginResult, where: Where, *,
                   previous_sid: str | None = None, roles_claim: str = "roles",
                   department_claim: str = "department") -> tuple[User, SessionRecord]:
    """Upsert the user from the ID token's claims, record ``login``, and start a fresh session.

    The browser's previous session, if any, is ended: a login always rotates the session id.
    """
    user = upsert_user_from_claims(db, result.issuer, result.subject, result.claims,
                                   roles_claim=roles_claim, department_claim=department_claim)
    record_event(db, "login", actor_user_id=user.id, subject_user_id=user.id, method="oidc",
                 device=where.device, place=where.place, issuer=result.issuer)
    db.commit()
    _end_previous(sessions, previous_sid)
    record = sessions.create(user.id, list(user.roles), user.department, device=where.device,
                             place=where.place, tokens=result.tokens)
    return user, record


def _end_previous(sessions: SessionStore, sid: str | None) -> None:
    previous = sessions.get(sid, touch=False) if sid else None
    if previous is not None:
        sessions.revoke(previous.user_id, previous.id)


def log_out(db: Session, sessions: SessionStore, record: SessionRecord) -> dict[str, Any]:
    """End ``record`` here and record ``logout``; returns the tokens the provider may want back."""
    sessions.revoke(record.user_id, record.id)
    record_event(db, "logout", actor_user_id=record.user_id, subject_user_id=record.user_id, device=record.device)
    db.commit()
    return record.tokens


def list_sessions(sessions: SessionStore, principal: Principal) -> list[dict[str, Any]]:
    """The live sessions of the signed-in person, newest first, the current one marked."""
    return [{**r.public_view(), "current": r.id == principal.session_id}
            for r in sessions.list_for_user(principal.user_id)]


def revoke_session(db: Session, sessions: SessionStore, principal: Principal, handle: str) -> None:
    """End one of the signed-in person's own sessions; another person's is "not found"."""
    if sessions.revoke_by_handle(principal.user_id, handle) is None:
        raise NotFound(Text("找不到该登录设备，可能已退出。", "We could not find that session; it may have ended already."))
    record_event(db, "session_revoked", actor_user_id=principal.user_id, subject_user_id=principal.user_id,
                 session=handle, by="self")
    db.commit()


def revoke_other_sessions(db: Session, sessions: SessionStore, principal: Principal) -> int:
    """End every session of the signed-in person except this one; returns how many ended."""
    ended = [r.handle for r in sessions.list_for_user(principal.user_id) if r.id != principal.session_id]
    count = sessions.revoke_all(principal.user_id, except_sid=principal.session_id)
    for handle in ended[:count]:
        record_event(db, "session_revoked", actor_user_id=principal.user_id, subject_user_id=principal.user_id,
                     session=handle, by="self")
    db.commit()
    return count


def own_profile(db: Session, user_id: int) -> User:
    """The signed-in person's own record."""
    user = db.get(User, user_id)
    if user is None:
        raise NotFound(Text("找不到该用户。", "We could not find this person."))
    return user


def update_preferences(db: Session, user_id: int, changes: dict[str, Any]) -> User:
    """Save the person's language and elder-mode choices; records ``profile_updated``."""
    user = db.get(User, user_id)
    if user is None:
        raise NotFound(Text("找不到该用户。", "We could not find this person."))
    if "language" in changes and changes["language"] not in LANGUAGES:
        changes.pop("language")
    for key, value in changes.items():
        setattr(user, key, value)
    if changes:
        record_event(db, "profile_updated", actor_user_id=user_id, subject_user_id=user_id, fields=sorted(changes))
    db.commit()
    return user


# -- QR login -----------------------------------------------------------------------------------

def create_qr_ticket(db: Session, tickets: QrTickets, *, ip: str, where: Where) -> tuple[Ticket, str]:
    """A kiosk asks for a ticket; returns it with the secret for the kiosk's binding cookie."""
    ticket, secret = tickets.create(ip=ip, device=where.device, place=where.place)
    record_event(db, "qr_ticket_created", ticket=ticket.reference, device=ticket.device, place=ticket.place)
    db.commit()
    return ticket, secret


def scan_qr_ticket(db: Session, tickets: QrTickets, ticket_id: str, principal: Principal) -> Ticket:
    """The resident's phone opened the QR: the ticket is now theirs to approve or deny."""
    _refuse_kiosk(principal)
    before = tickets.get(ticket_id)
    ticket = tickets.scan(ticket_id, principal.user_id)
    if before.status == "pending":
        _record_qr(db, "qr_ticket_scanned", ticket, principal.user_id)
    return ticket


def approve_qr_ticket(db: Session, tickets: QrTickets, ticket_id: str, principal: Principal, match: str) -> Ticket:
    """The resident picked a number on the phone: approve if it is the kiosk's, else the ticket is denied."""
    from auth.qr import QrError

    _refuse_kiosk(principal)
    try:
        ticket = tickets.approve(ticket_id, principal.user_id, match)
    except QrError as error:
        if error.reason == "mismatch":
            _record_qr(db, "qr_ticket_denied", tickets.get(ticket_id), principal.user_id)
        raise
    _record_qr(db, "qr_ticket_approved", ticket, principal.user_id)
    return ticket


def deny_qr_ticket(db: Session, tickets: QrTickets, ticket_id: str, principal: Principal) -> Ticket:
    """The resident refused the kiosk's request."""
    _refuse_kiosk(principal)
    ticket = tickets.deny(ticket_id, principal.user_id)
    _record_qr(db, "qr_ticket_denied", ticket, principal.user_id)
    return ticket


def complete_qr_login(db: Session, tickets: QrTickets, sessions: SessionStore, ticket_id: str,
                      binding: str | None, *, previous_sid: str | None = None) -> tuple[User, SessionRecord]:
    """The kiosk that asked for an approved ticket takes its own fresh kiosk session (single use)."""
    ticket = tickets.consume(ticket_id, binding)
    user = db.get(User, ticket.user_id)
    if user is None:
        raise PermissionDenied(Text("该登录请求无效。", "This login request is not valid."))
    _record_qr(db, "qr_ticket_consumed", ticket, user.id)
    record_event(db, "login", actor_user_id=user.id, subject_user_id=user.id, method="qr",
                 device=ticket.device, place=ticket.place)
    db.commit()
    _end_previous(sessions, previous_sid)
    # A kiosk is shared: it acts for the resident only, whatever other roles they hold.
    record = sessions.create(user.id, ["resident"], None, kind="kiosk", device=ticket.device, place=ticket.place)
    return user, record


def _record_qr(db: Session, name: str, ticket: Ticket, user_id: int) -> None:
    record_event(db, name, actor_user_id=user_id, subject_user_id=user_id, ticket=ticket.reference,
                 device=ticket.device, place=ticket.place)
    db.commit()


def _refuse_kiosk(principal: Principal) -> None:
    if principal.kind == "kiosk":
        raise PermissionDenied(Text("请用您自己手机上的“一件事”扫码确认，不能用自助机确认。",
                                    "Approve with OneThing on your own phone, not on a kiosk."))
