"""Changing the account's mobile number, proved by a one-time code sent to the new number.

Flow: :func:`request_mobile_code` keeps the pending change in Redis for five minutes (the new
number encrypted, the code's hash and nonce, the tries) and adds an outbox row; after the commit a
job (:func:`send_mobile_code`) derives the code again and texts it through the SMS port. The
resident types it into :func:`confirm_mobile_change`, which counts the try, checks it
(:mod:`bff.core.mobile_change`) and changes the account: ``users.mobile`` and its lookup hash, with
``mobile_verified_at`` so that the identity provider's number no longer replaces it at sign-in, and
an audited ``mobile_changed`` event. A pending change can be lost (Redis): the resident asks again.
"""

from __future__ import annotations

import json
import secrets
from typing import Any

from bff import outbox
from bff.adapters.sms.base import SmsSender
from bff.core import mobile_change as rules
from bff.core.errors import NotFound, ValidationFailed
from bff.core.text import Text
from bff.services.events import record_event
from bff.store import Session
from bff.store.crypto import cipher, lookup_hash
from bff.store.models import OutboxMessage, User, utcnow
from bff.store.queries import outbox as outbox_queries

KEY = "mobile-change:{}"
NO_USER = Text("找不到您的账号。", "We could not find your account.")


def _key(user_id: int) -> str:
    return KEY.format(user_id)


def request_mobile_code(session: Session, redis_client: Any, secret: str, user_id: int, mobile: str,
                        language: str | None) -> dict[str, Any]:
    """Start a change to ``mobile``: a new code replaces any earlier one; committed."""
    user = _user(session, user_id)
    new = rules.normalised_mobile(mobile, user.mobile)
    nonce = secrets.token_urlsafe(16)
    code_hash = rules.hash_code(rules.code_for(secret, nonce), nonce)
    pending = {"nonce": nonce, "code_hash": code_hash, "mobile": cipher().encrypt(new), "language": language or "zh-CN"}
    with redis_client.pipeline() as pipe:  # the new code and a fresh count of tries, together
        pipe.delete(_key(user_id))
        pipe.hset(_key(user_id), mapping={"pending": json.dumps(pending), "tries": 0})
        pipe.expire(_key(user_id), rules.CODE_SECONDS)
        pipe.execute()
    outbox.add(session, outbox.SMS_CODE_TOPIC, {"user_id": user_id, "nonce": nonce})
    record_event(session, "mobile_code_requested", actor_user_id=user_id, subject_user_id=user_id,
                 language=language or "zh-CN")
    session.commit()
    return {"expires_in": rules.CODE_SECONDS, "max_tries": rules.MAX_TRIES}


def confirm_mobile_change(session: Session, redis_client: Any, user_id: int, code: str) -> User:
    """Change the account's mobile when ``code`` is the one sent; a wrong code uses up a try."""
    user = _user(session, user_id)
    pending, tries = _pending_and_try(redis_client, user_id)
    try:
        rules.check_code(rules.Pending(pending["nonce"], pending["code_hash"], tries) if pending else None, code)
    except ValidationFailed as refused:
        if refused.code in ("wrong_code", "too_many_tries"):
            record_event(session, "mobile_change_refused", actor_user_id=user_id, subject_user_id=user_id,
                         reason=refused.code, tries=tries)
            session.commit()
        raise
    assert pending is not None  # check_code refused a missing one
    redis_client.delete(_key(user_id))
    user.mobile = cipher().decrypt(pending["mobile"])
    user.mobile_hash = lookup_hash(user.mobile)
    user.mobile_verified_at = utcnow()
    record_event(session, "mobile_changed", actor_user_id=user_id, subject_user_id=user_id, method="sms_code")
    session.commit()
    return user


def _pending_and_try(redis_client: Any, user_id: int) -> tuple[dict[str, Any] | None, int]:
    """The pending change and this try's number (counted before the check, so racing tries count too)."""
    key = _key(user_id)
    with redis_client.pipeline() as pipe:
        pipe.hget(key, "pending")
        pipe.hincrby(key, "tries", 1)
        pipe.ttl(key)
        raw, tries, ttl = pipe.execute()
    if raw is None:
        redis_client.delete(key)  # the count above made a key of its own: it must not linger
        return None, int(tries)
    if int(ttl) < 0:
        redis_client.expire(key, rules.CODE_SECONDS)
    return json.loads(raw), int(tries)


def send_mobile_code(session: Session, redis_client: Any, sms: SmsSender, secret: str, message_id: int) -> str:
    """Text the code of a pending change (the outbox row's job); nothing once it expired or was replaced."""
    message = session.get(OutboxMessage, message_id)
    if message is None or message.status == "done":
        return "skipped"
    raw = redis_client.hget(_key(int(message.payload["user_id"])), "pending")
    pending = json.loads(raw) if raw else None
    outcome = "expired"
    if pending is not None and pending["nonce"] == message.payload["nonce"]:
        code = rules.code_for(secret, pending["nonce"])
        sms.send(cipher().decrypt(pending["mobile"]), rules.sms_text(code, pending.get("language")),
                 reference=f"mobile-code-{message_id}")
        outcome = "sent"
    message.status, message.done_at = "done", utcnow()
    session.commit()
    return outcome


def codes_due(session: Session) -> list[int]:
    """Code rows whose job was lost (the hand-off is a hint): queued again by the relay, so that a
    row never stays pending; the job texts the code only while it is still the pending one."""
    return [message_id for message_id, _ in outbox_queries.relay_due(session, (outbox.SMS_CODE_TOPIC,))]


def _user(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(NO_USER)
    return user
