"""People known to the BFF: created or updated from identity-provider claims at login."""

from __future__ import annotations

from typing import Any

from bff.store import Session
from bff.store.crypto import lookup_hash
from bff.store.models import User, utcnow
from bff.store.queries import family as family_store
from bff.store.queries import users as store


def upsert_user_from_claims(session: Session, issuer: str, subject: str, claims: dict[str, Any], *,
                            roles_claim: str = "roles", department_claim: str = "department",
                            logging_in: bool = True) -> User:
    """The user keyed by (issuer, subject), refreshed from the claims and admin role grants; at the
    first sign-in, the family invitations that waited for their ID number become theirs."""
    user = store.user_by_login(session, issuer, subject)
    first_sign_in = user is None
    if user is None:
        user = User(issuer=issuer, subject=subject)
        session.add(user)
    user.name = str(claims.get("name") or "")[:100]
    id_number = claims.get("id_number")
    if id_number:
        user.id_number = str(id_number).upper()
        user.id_number_hash = lookup_hash(str(id_number))
    mobile = claims.get("phone_number")
    if mobile and user.mobile_verified_at is None:
        user.mobile = str(mobile)
        user.mobile_hash = lookup_hash(str(mobile))
    roles, department = _roles_from(session, issuer, subject, claims, roles_claim, department_claim)
    user.roles = roles
    user.department = department
    if logging_in:
        user.last_login_at = utcnow()
    session.flush()
    if first_sign_in:  # a relative invited them to a family case before they had an account
        family_store.claim_invitations(session, user.id, user.id_number_hash)
    return user


def _roles_from(session: Session, issuer: str, subject: str, claims: dict[str, Any],
                roles_claim: str, department_claim: str) -> tuple[list[str], str | None]:
    from auth.permissions import ROLES

    claimed = claims.get(roles_claim) or []
    roles = {r for r in (claimed if isinstance(claimed, list) else [claimed]) if r in ROLES}
    department = claims.get(department_claim) or None
    for grant in store.role_grants_of(session, issuer, subject):
        roles.add(grant.role)
        department = grant.department or department
    return sorted(roles or {"resident"}), department
