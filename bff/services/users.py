"""People known to the BFF: created or updated from identity-provider claims at login."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bff.store.crypto import lookup_hash
from bff.store.models import RoleGrant, User, utcnow


def upsert_user_from_claims(session: Session, issuer: str, subject: str, claims: dict[str, Any], *,
                            roles_claim: str = "roles", department_claim: str = "department",
                            logging_in: bool = True) -> User:
    """The user keyed by (issuer, subject), refreshed from the claims and admin role grants."""
    user = session.scalar(select(User).where(User.issuer == issuer, User.subject == subject))
    if user is None:
        user = User(issuer=issuer, subject=subject)
        session.add(user)
    user.name = str(claims.get("name") or "")[:100]
    id_number = claims.get("id_number")
    if id_number:
        user.id_number = str(id_number).upper()
        user.id_number_hash = lookup_hash(str(id_number))
    mobile = claims.get("phone_number")
    if mobile:
        user.mobile = str(mobile)
        user.mobile_hash = lookup_hash(str(mobile))
    roles, department = _roles_from(session, issuer, subject, claims, roles_claim, department_claim)
    user.roles = roles
    user.department = department
    if logging_in:
        user.last_login_at = utcnow()
    session.flush()
    return user


def _roles_from(session: Session, issuer: str, subject: str, claims: dict[str, Any],
                roles_claim: str, department_claim: str) -> tuple[list[str], str | None]:
    from auth.permissions import ROLES

    claimed = claims.get(roles_claim) or []
    roles = {r for r in (claimed if isinstance(claimed, list) else [claimed]) if r in ROLES}
    department = claims.get(department_claim) or None
    grants = session.scalars(select(RoleGrant).where(RoleGrant.issuer == issuer, RoleGrant.subject == subject))
    for grant in grants:
        roles.add(grant.role)
        department = grant.department or department
    return sorted(roles or {"resident"}), department
