"""E-certificates: found by case, by owner, by number and by the token of their QR code."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from bff.store.models import Certificate
from bff.store.queries.family import is_member


def certificate_of_case(session: Session, case_id: int) -> Certificate | None:
    """The certificate the case issued, if any (a case issues at most one)."""
    return session.scalar(select(Certificate).where(Certificate.case_id == case_id))


def certificates_of_application(session: Session, application_id: int) -> list[Certificate]:
    """The application's certificates, in the order they were issued."""
    return list(session.scalars(select(Certificate).where(Certificate.application_id == application_id)
                                .order_by(Certificate.id)))


def certificates_of_user(session: Session, user_id: int) -> list[Certificate]:
    """Every certificate the user's applications produced, the newest first."""
    return list(session.scalars(select(Certificate).where(Certificate.user_id == user_id)
                                .order_by(Certificate.id.desc())))


def own_certificate(session: Session, user_id: int, number: str) -> Certificate | None:
    """Certificate ``number`` if it was issued to ``user_id`` or to an application of which they are
    an active member (the family handling it)."""
    return session.scalar(select(Certificate).where(
        Certificate.number == number,
        (Certificate.user_id == user_id) | is_member(user_id, Certificate.application_id)))


def certificate_by_token(session: Session, token: str) -> Certificate | None:
    """The certificate whose verification QR code carries ``token``."""
    return session.scalar(select(Certificate).where(Certificate.token == token))
