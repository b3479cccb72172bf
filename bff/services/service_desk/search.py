"""Finding a resident: by a whole application number, ID number or mobile number, never a part.

The match is exact (the keyed hash of a number, or the unique application number), so staff
cannot browse residents; results are masked, and every search is recorded (kind and count, never
the number searched for).
"""

from __future__ import annotations

from typing import Any

from bff.core.pii import mask_id_number, mask_mobile, mask_name
from bff.core.service_desk import normalise_query, search_kind
from bff.services.events import record_event
from bff.store import Session
from bff.store.models import User
from bff.store.queries import service_desk as queries

SEARCH_LIMIT = 20


def search_residents(session: Session, staff_user_id: int, query: str) -> dict[str, Any]:
    """Residents matching an application number, ID number or mobile exactly; masked."""
    kind = search_kind(query)
    value = normalise_query(query)
    users, application = _matching_users(session, kind, value)
    residents = [u for u in users if u is not None and "resident" in (u.roles or [])]
    record_event(session, "staff_searched", actor_user_id=staff_user_id, kind=kind, results=len(residents))
    # An audit row waits for the disk like any other: a search that answered must stay on record
    # after a crash, or a staff member could look people up unseen.
    session.commit()
    return {"kind": kind, "results": [{**masked_summary(u), "application": application} for u in residents]}


def _matching_users(session: Session, kind: str, value: str) -> tuple[list[User | None], str | None]:
    """The users found, and the application number that found them (if one did)."""
    if kind == "application":
        owner = queries.owner_of_application_number(session, value)
        return ([session.get(User, owner)], value) if owner is not None else ([], None)
    return list(queries.users_with_number(session, "id_number" if kind == "id_number" else "mobile", value,
                                          SEARCH_LIMIT)), None


def masked_summary(user: User) -> dict[str, Any]:
    """A resident as a list shows them: id, and name and numbers masked."""
    return {"id": user.id, "name": mask_name(user.name), "id_number": mask_id_number(user.id_number),
            "mobile": mask_mobile(user.mobile)}
