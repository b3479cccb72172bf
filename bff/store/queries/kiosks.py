"""Enrolled kiosks, found by the hash of the credential they present."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from bff.store.kiosk_models import Kiosk


def kiosk_by_credential_hash(session: Session, credential_hash: str) -> Kiosk | None:
    """The enrolled, not revoked kiosk holding the credential with this hash."""
    return session.scalar(select(Kiosk).where(Kiosk.credential_hash == credential_hash, Kiosk.revoked_at.is_(None)))
