"""Heirs' consents and uploaded documents: the reads and locks of heirs, applicants, officers and the sweep."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import insert, or_, select, update
from sqlalchemy.orm import Session

from bff.store.consent_models import HeirConsent, Upload
from bff.store.models import Application, Case, User


def insert_consents(session: Session, rows: list[dict[str, Any]]) -> None:
    """Write the application's consent rows in one INSERT (the ORM encrypts names and mobiles)."""
    session.execute(insert(HeirConsent), rows)


def users_by_id_hash(session: Session, hashes: list[str]) -> dict[str, int]:
    """The accounts (user id) whose ID number has one of these keyed hashes."""
    if not hashes:
        return {}
    rows = session.execute(select(User.id_number_hash, User.id).where(User.id_number_hash.in_(hashes))).all()
    return {str(found): int(user_id) for found, user_id in rows}


def consents_of(session: Session, application_id: int, *, lock: bool = False) -> list[HeirConsent]:
    """The application's consents in the order the heirs were asked (``FOR UPDATE`` with ``lock``:
    then read afresh, so a row this session saw before the lock shows what the lock protects)."""
    query = select(HeirConsent).where(HeirConsent.application_id == application_id).order_by(HeirConsent.id)
    if lock:
        query = query.with_for_update().execution_options(populate_existing=True)
    return list(session.scalars(query))


def consent_with_application(session: Session, consent_id: int) -> tuple[HeirConsent, Application] | None:
    """One consent and its application (read only)."""
    row = session.execute(select(HeirConsent, Application)
                          .join(Application, Application.id == HeirConsent.application_id)
                          .where(HeirConsent.id == consent_id)).first()
    return (row[0], row[1]) if row else None


def consents_addressed_to(session: Session, user_id: int, id_hash: str | None) -> list[tuple[HeirConsent, Application]]:
    """The consents asked of this person (by account, or by ID number for heirs who signed up
    after being asked), newest first."""
    who = HeirConsent.heir_user_id == user_id
    if id_hash:
        who = or_(who, HeirConsent.heir_id_hash == id_hash)
    rows = session.execute(select(HeirConsent, Application).join(Application, Application.id == HeirConsent.application_id)
                           .where(who).order_by(HeirConsent.id.desc()).limit(100)).all()
    return [(consent, application) for consent, application in rows]


def link_consents_to_user(session: Session, user_id: int, id_hash: str) -> None:
    """Heirs asked before they had an account: their consents now name it."""
    session.execute(update(HeirConsent).where(HeirConsent.heir_id_hash == id_hash, HeirConsent.heir_user_id.is_(None))
                    .values(heir_user_id=user_id))


def applications_with_expired_consents(session: Session, today: date) -> list[int]:
    """Applications with a pending consent whose deadline is before ``today``."""
    return list(session.scalars(select(HeirConsent.application_id).distinct()
                                .where(HeirConsent.decision == "pending", HeirConsent.deadline < today)))


def consents_to_text(session: Session, limit: int = 100) -> list[HeirConsent]:
    """Pending consents of heirs with no account, not yet told by SMS (locked, skipped if taken)."""
    return list(session.scalars(select(HeirConsent).where(
        HeirConsent.decision == "pending", HeirConsent.heir_user_id.is_(None), HeirConsent.sms_sent_at.is_(None),
        HeirConsent.heir_mobile.is_not(None)).order_by(HeirConsent.id).limit(limit)
        .with_for_update(skip_locked=True)))


def lock_application(session: Session, application_id: int) -> Application | None:
    """The application, locked ``FOR UPDATE`` and read afresh."""
    return session.get(Application, application_id, with_for_update=True, populate_existing=True)


def applicant_name(session: Session, user_id: int) -> str:
    return str(session.scalar(select(User.name).where(User.id == user_id)) or "")


# --- Uploads ---------------------------------------------------------------------------------

def uploads_of(session: Session, application_id: int) -> list[Upload]:
    return list(session.scalars(select(Upload).where(Upload.application_id == application_id).order_by(Upload.id)))


def upload_with_application(session: Session, upload_id: int) -> tuple[Upload, Application] | None:
    row = session.execute(select(Upload, Application).join(Application, Application.id == Upload.application_id)
                          .where(Upload.id == upload_id)).first()
    return (row[0], row[1]) if row else None


def department_items_of(session: Session, application_id: int, department: str) -> list[str]:
    """The items of the application that ``department`` handles (what its officer may look at)."""
    return list(session.scalars(select(Case.item).where(Case.application_id == application_id,
                                                        Case.department == department)))
