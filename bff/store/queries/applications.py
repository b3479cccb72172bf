"""Applications and their Idempotency-Keys: the statements of drafts, submission and withdrawal."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, defer

from bff.store.models import Application, IdempotencyKey, User


def own_application(session: Session, user_id: int, number: str, *, lock: bool = False,
                    with_answers: bool = True) -> Application | None:
    """Application ``number`` if ``user_id`` owns it (``FOR UPDATE`` with ``lock``).

    ``with_answers=False`` defers the (encrypted) answers: they are read only if used."""
    query = select(Application).where(Application.number == number, Application.user_id == user_id)
    if not with_answers:
        query = query.options(defer(Application.answers))
    return session.scalar(query.with_for_update() if lock else query)


def lock_application(session: Session, number: str) -> Application | None:
    """Application ``number``, whoever owns it, locked ``FOR UPDATE``."""
    return session.scalar(select(Application).where(Application.number == number).with_for_update())


def application_by_number(session: Session, number: str) -> Application | None:
    """Application ``number``, whoever owns it (for the public receipt check)."""
    return session.scalar(select(Application).where(Application.number == number))


def drafts_of(session: Session, user_id: int, draft_status: str) -> list[Application]:
    """The user's drafts, the most recently changed first."""
    return list(session.scalars(select(Application).where(
        Application.user_id == user_id, Application.status == draft_status).order_by(Application.updated_at.desc())))


def lock_draft_with_applicant(session: Session, user_id: int, number: str) -> tuple[Application, str | None] | None:
    """The user's application ``number``, locked, and the applicant's ID number (for the prefill),
    in one round trip; ``None`` if the user has no such application."""
    found = session.execute(
        select(Application, User.id_number).join(User, User.id == Application.user_id)
        .where(Application.number == number, Application.user_id == user_id)
        .with_for_update(of=Application)).one_or_none()
    return None if found is None else (found[0], found[1])


# --- Idempotency-Keys -------------------------------------------------------------------------

def claim_idempotency_key(session: Session, user_id: int, key: str, fingerprint: str, now: datetime) -> bool:
    """Insert the key as in flight; ``False`` (the session rolled back) if the user holds it already.

    One Core INSERT, no unit of work: this runs on every submission. The caller commits."""
    try:
        session.execute(insert(IdempotencyKey.__table__).values(  # type: ignore[arg-type]
            user_id=user_id, key=key, fingerprint=fingerprint, completed=False, created_at=now))
    except IntegrityError:
        session.rollback()
        return False
    return True


def idempotency_key(session: Session, user_id: int, key: str) -> IdempotencyKey | None:
    """The user's stored key ``key``."""
    return session.scalar(select(IdempotencyKey).where(IdempotencyKey.user_id == user_id, IdempotencyKey.key == key))


def take_over_idempotency_key(session: Session, stored: IdempotencyKey, now: datetime) -> bool:
    """Restart an abandoned in-flight key as ours; ``False`` if another request took it first
    (its ``created_at`` changed) or it completed meanwhile."""
    taken = session.execute(update(IdempotencyKey).where(
        IdempotencyKey.id == stored.id, IdempotencyKey.created_at == stored.created_at,
        IdempotencyKey.completed.is_(False)).values(created_at=now))
    return bool(taken.rowcount)  # type: ignore[attr-defined]


def free_idempotency_key(session: Session, user_id: int, key: str) -> None:
    """Forget the key (its request changed nothing), so a corrected request may use it."""
    session.execute(delete(IdempotencyKey).where(IdempotencyKey.user_id == user_id, IdempotencyKey.key == key))


def complete_idempotency_key(session: Session, user_id: int, key: str, status: int, response: dict[str, Any]) -> None:
    """Store the response on the key, in the transaction of the change it answers."""
    session.execute(update(IdempotencyKey).where(IdempotencyKey.user_id == user_id, IdempotencyKey.key == key)
                    .values(completed=True, response_status=status, response=response))
