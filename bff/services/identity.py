"""Identity use cases: completing a login, ending sessions, QR login, preferences.

``auth/`` does the protocol work (OIDC, sessions, tickets); these functions join
it to the system of record: they upsert the user, create the session, and
record each step as an event in the person's history.
"""

from __future__ import annotations

import hashlib
import secrets
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
from bff.store.kiosk_models import Kiosk
from bff.store.models import User
from bff.store.queries.kiosks import kiosk_by_credential_hash


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

def create_qr_ticket(db: Session, tickets: QrTickets, *, ip: str, device: str,
                     kiosk_credential: str | None = None) -> tuple[Ticket, str]:
    """A kiosk or desktop browser asks for a ticket; returns it with the secret for its binding cookie.

    Only a browser presenting an enrolled kiosk's credential gets a ``kiosk`` ticket, whose place
    is the enrolment's; anyone else gets a ``desktop`` ticket with no place. A credential that is
    presented but unknown or revoked is refused rather than quietly downgraded, so a kiosk whose
    enrolment ended says so instead of showing desktop codes in a hall.
    """
    kiosk = None
    if kiosk_credential:
        kiosk = kiosk_by_credential_hash(db, credential_hash(kiosk_credential))
        if kiosk is None:
            raise PermissionDenied(Text("这台自助机未登记或登记已撤销，请联系管理员重新登记。",
                                        "This kiosk is not enrolled or its enrolment was revoked; ask an administrator "
                                        "to enrol it again."), code="kiosk_not_enrolled")
    ticket, secret = tickets.create(ip=ip, device=device, kind="kiosk" if kiosk else "desktop",
                                    place=kiosk.place if kiosk else "")
    record_event(db, "qr_ticket_created", ticket=ticket.reference, kind=ticket.kind, device=ticket.device,
                 place=ticket.place, **({"kiosk": kiosk.id} if kiosk else {}))
    db.commit()
    return ticket, secret


def credential_hash(credential: str) -> str:
    """The stored form of a kiosk credential (a 256-bit random secret, so a plain hash suffices)."""
    return hashlib.sha256(credential.encode()).hexdigest()


def enrol_kiosk(db: Session, *, hall: str, device_name: str, enrolled_by: int | None,
                credential: str | None = None) -> tuple[Kiosk, str]:
    """An administrator enrols a kiosk; returns it with its credential, shown this once only.

    ``credential`` is for the demo world's kiosk only (``bff.services.demo``); otherwise a fresh
    random one. An already enrolled credential is not enrolled twice: that kiosk is returned.
    """
    secret = credential or secrets.token_urlsafe(32)
    existing = kiosk_by_credential_hash(db, credential_hash(secret))
    if existing is not None:
        return existing, secret
    kiosk = Kiosk(hall=hall.strip(), device_name=device_name.strip(), credential_hash=credential_hash(secret),
                  enrolled_by=enrolled_by)
    db.add(kiosk)
    db.flush()
    record_event(db, "kiosk_enrolled", actor_user_id=enrolled_by, kiosk=kiosk.id,
                 hall=kiosk.hall, device=kiosk.device_name)
    db.commit()
    return kiosk, secret


def scan_qr_ticket(db: Session, tickets: QrTickets, ticket_id: str, principal: Principal) -> Ticket:
    """The resident's phone opened the QR: the ticket is now theirs to approve or deny."""
    _refuse_kiosk(principal, SCOPE_QR_APPROVE)
    before = tickets.get(ticket_id)
    ticket = tickets.scan(ticket_id, principal.user_id)
    if before.status == "pending":
        _record_qr(db, "qr_ticket_scanned", ticket, principal.user_id)
    return ticket


def approve_qr_ticket(db: Session, tickets: QrTickets, ticket_id: str, principal: Principal, match: str) -> Ticket:
    """The resident picked a number on the phone: approve if it is the kiosk's, else the ticket is denied."""
    from auth.qr import QrError

    _refuse_kiosk(principal, SCOPE_QR_APPROVE)
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
    _refuse_kiosk(principal, SCOPE_QR_APPROVE)
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
    record = sessions.create(user.id, ["resident"], None, kind="kiosk", device=ticket.device, place=ticket.place,
                             via_qr=True)
    return user, record


def _record_qr(db: Session, name: str, ticket: Ticket, user_id: int) -> None:
    record_event(db, name, actor_user_id=user_id, subject_user_id=user_id, ticket=ticket.reference,
                 device=ticket.device, place=ticket.place)
    db.commit()


# -- the reduced scope of a QR-login session ------------------------------------------------------
# The phone approved the login, but the browser holding the session may be a relaying attacker's:
# what would let it keep or widen its hold, or take the person's documents away, stays on the phone.

SCOPE_SECURITY = Text("扫码登录的会话不能管理登录设备或账户安全设置，请在手机上操作。",
                      "A session signed in by QR code cannot manage signed-in devices or account security; "
                      "do this on your phone.")
SCOPE_CONTACT = Text("扫码登录的会话不能修改个人资料或联系方式，请在手机上操作。",
                     "A session signed in by QR code cannot change your profile or contact details; do this on your phone.")
SCOPE_QR_APPROVE = Text("扫码登录的会话不能确认其他设备的扫码登录，请在手机上操作。",
                        "A session signed in by QR code cannot approve another QR login; do this on your phone.")
SCOPE_REVEAL = Text("扫码登录的会话不能查看完整证件号码，请在手机上操作。",
                    "A session signed in by QR code cannot reveal full ID numbers; do this on your phone.")
SCOPE_CERTIFICATE = Text("扫码登录的会话不能下载证照，请在手机上操作。",
                         "A session signed in by QR code cannot download certificates; do this on your phone.")


def refuse_qr_session(principal: Principal | None, reason: Text) -> None:
    """Refuse (403, reason ``qr_session_scope``) when the session came from a QR login."""
    if principal is not None and principal.via_qr:
        raise PermissionDenied(reason, code="qr_session_scope")


def _refuse_kiosk(principal: Principal, reason: Text) -> None:
    refuse_qr_session(principal, reason)
    if principal.kind == "kiosk":
        raise PermissionDenied(Text("请用您自己手机上的“一件事”扫码确认，不能用自助机确认。",
                                    "Approve with OneThing on your own phone, not on a kiosk."))
