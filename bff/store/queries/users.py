"""People: found by their identity-provider key, their admin role grants, their ID number."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from bff.store.models import RoleGrant, User


def user_by_login(session: Session, issuer: str, subject: str) -> User | None:
    """The user keyed by the identity provider's (issuer, subject)."""
    return session.scalar(select(User).where(User.issuer == issuer, User.subject == subject))


def role_grants_of(session: Session, issuer: str, subject: str) -> list[RoleGrant]:
    """The roles an administrator granted to the (issuer, subject) login."""
    return list(session.scalars(select(RoleGrant).where(RoleGrant.issuer == issuer, RoleGrant.subject == subject)))


def verified_mobile_of(session: Session, user_id: int) -> str | None:
    """The mobile the user proved with an SMS code here (decrypted), if they did."""
    return session.scalar(select(User.mobile).where(User.id == user_id, User.mobile_verified_at.is_not(None)))


def id_number_of(session: Session, user_id: int) -> str | None:
    """The user's ID number (decrypted), without loading the rest of the user."""
    return session.scalar(select(User.id_number).where(User.id == user_id))
