"""One timeline per resident, and the resident's own "who viewed my data".

The timeline is every Event about the resident (``subject_user_id``) or about one of
their applications (``application_id``), newest first, keyset-paginated by event id:
``before=<id>`` pages back, ``after=<id>`` fetches what is new (the staff page's live
path). Each branch is one backwards scan of its ``(…, id)`` index, so a page costs
the same whether the resident has ten events or ten thousand.
"""

from __future__ import annotations

from typing import Any

import redis as redis_lib
from sqlalchemy import ColumnElement, false, not_, or_, select, union_all
from sqlalchemy.orm import Session

from bff.core.pii import mask_name
from bff.core.service_desk import ACCESS_LOG_EVENTS, KIND_GROUPS, KIND_PREFIXES, describe_reason, kind_of
from bff.services.staff_access import Grant, record_view
from bff.store.models import Application, Event, User
from bff.store.notification_models import PushSubscription

PAGE_DEFAULT, PAGE_MAX = 50, 200
MAX_APPLICATIONS = 20  # one indexed query each; the rest share one IN query


def kinds_filter(kinds: list[str]) -> ColumnElement[bool] | None:
    """The SQL condition on ``Event.name`` for the chosen kind groups (None: no filter)."""
    if not kinds:
        return None

    def condition(groups: list[str]) -> ColumnElement[bool]:
        names = sorted(name for group in groups for name in KIND_GROUPS.get(group, ()))
        prefixes = [prefix for prefix, group in KIND_PREFIXES.items() if group in groups]
        parts: list[ColumnElement[bool]] = [Event.name.in_(names)] if names else []
        parts += [Event.name.startswith(prefix, autoescape=True) for prefix in prefixes]
        return or_(*parts) if parts else false()

    chosen = [k for k in kinds if k != "other"]
    parts = [condition(chosen)] if chosen else []
    if "other" in kinds:
        parts.append(not_(condition(list(KIND_GROUPS))))
    return or_(*parts)


def resident_events(session: Session, resident_user_id: int, application_ids: list[int], *, kinds: list[str],
                    before: int | None, after: int | None, limit: int) -> tuple[list[Any], bool]:
    """A page of the resident's events, newest first, and whether more lie beyond it.

    Rows carry the event's columns plus ``actor_name`` and ``actor_roles``. One branch about the resident and one per
    application (a resident has a few), each a range scan of its ``(…, id)`` index stopping
    after ``limit + 1`` rows. (``application_id IN (their applications)`` would make
    PostgreSQL hash-join the whole events table.)
    """
    bounds: list[ColumnElement[bool]] = []
    if before is not None:
        bounds.append(Event.id < before)
    if after is not None:
        bounds.append(Event.id > after)
    condition = kinds_filter(kinds)
    where = [*bounds, condition] if condition is not None else bounds
    # The live path (only ``after``) takes the oldest new events first, so a burst is never skipped.
    ascending = after is not None and before is None
    order = Event.id.asc() if ascending else Event.id.desc()
    branches = [Event.subject_user_id == resident_user_id]
    branches += [Event.application_id == application_id for application_id in application_ids[:MAX_APPLICATIONS]]
    if len(application_ids) > MAX_APPLICATIONS:
        branches.append(Event.application_id.in_(application_ids[MAX_APPLICATIONS:]))
    # Each branch picks ids only (a short index range); then one query loads the page's rows
    # with their actors. Wrapped in subqueries so SQLite accepts the inner ORDER BY/LIMIT too.
    candidates = union_all(*[
        select(select(Event.id).where(branch, *where).order_by(order).limit(limit + 1).subquery().c.id)
        for branch in branches])
    rows = session.execute(
        select(Event.id, Event.occurred_at, Event.name, Event.actor_user_id, Event.application_id, Event.data,
               User.name.label("actor_name"), User.roles.label("actor_roles"))
        .outerjoin(User, User.id == Event.actor_user_id)
        # The bounds again, so a merge with the primary key starts at the page, not at the newest event.
        .where(Event.id.in_(candidates), *bounds).order_by(order).limit(limit + 1)).all()
    page, more = rows[:limit], len(rows) > limit
    return sorted(page, key=lambda row: row.id, reverse=True), more


def timeline(session: Session, client: redis_lib.Redis, grant: Grant, *, kinds: list[str],
             before: int | None = None, after: int | None = None, limit: int = PAGE_DEFAULT,
             reader: Session | None = None) -> dict[str, Any]:
    """The resident's timeline page for staff (the first page of a grant is an audited view).

    ``reader``, if given, is the session the page is read through (e.g. an autocommit one:
    no transaction round trips); the audit event is written through ``session``."""
    if before is None and after is None:
        record_view(session, client, grant, "timeline")
    session = reader or session
    resident_id = grant.resident_user_id
    numbers: dict[int, str] = dict(session.execute(  # type: ignore[arg-type]
        select(Application.id, Application.number).where(Application.user_id == resident_id)
        .order_by(Application.id.desc())).all())
    rows, more = resident_events(session, resident_id, list(numbers), kinds=kinds, before=before, after=after,
                                 limit=min(max(limit, 1), PAGE_MAX))
    missing = {e.application_id for e in rows if e.application_id and e.application_id not in numbers}
    if missing:
        numbers.update(session.execute(select(Application.id, Application.number)
                                       .where(Application.id.in_(missing))).all())
    devices = _device_names(session, rows)
    items = [{"id": e.id, "occurred_at": e.occurred_at, "name": e.name, "kind": kind_of(e.name),
              "application": numbers.get(e.application_id) if e.application_id else None,
              "actor": actor_view(e.actor_user_id, e.actor_name, e.actor_roles, resident_id),
              "device": devices.get((e.data or {}).get("device")) if e.name.startswith("push_") else None,
              "data": e.data or {}} for e in rows]
    newest = max((e.id for e in rows), default=after)
    return {"items": items, "has_more": more,
            "next_before": rows[-1].id if more and after is None and rows else None,
            "latest": newest}


def _device_names(session: Session, events: list[Any]) -> dict[Any, str]:
    """Per-device delivery: the resident's device names (e.g. "Chrome on Android") by id."""
    ids = {(e.data or {}).get("device") for e in events if e.name.startswith("push_")}
    ids = {i for i in ids if isinstance(i, int)}
    if not ids:
        return {}
    return dict(session.execute(select(PushSubscription.id, PushSubscription.device)
                                .where(PushSubscription.id.in_(ids))).all())


def actor_view(user_id: int | None, name: str | None, roles: list[str] | None, resident_id: int) -> dict[str, Any]:
    """Who did it: the resident themselves, staff or officers by name, other people masked."""
    if user_id is None:
        return {"role": "system", "name": None}
    if user_id == resident_id:
        return {"role": "self", "name": None}
    role = next((r for r in ("staff", "officer", "admin") if r in (roles or [])), None)
    if role:
        return {"role": role, "name": name}
    return {"role": "resident", "name": mask_name(name)}


# --- "Who viewed my data" -----------------------------------------------------------------------

def access_log(session: Session, resident_user_id: int, *, before: int | None = None,
               limit: int = PAGE_DEFAULT) -> dict[str, Any]:
    """The resident's own list of staff views and reveals: who, when, why, what."""
    query = select(Event, User.name).join(User, User.id == Event.actor_user_id).where(
        Event.subject_user_id == resident_user_id, Event.name.in_(ACCESS_LOG_EVENTS))
    if before is not None:
        query = query.where(Event.id < before)
    limit = min(max(limit, 1), PAGE_MAX)
    rows = session.execute(query.order_by(Event.id.desc()).limit(limit + 1)).all()
    more = len(rows) > limit
    items = [access_entry(event, staff_name) for event, staff_name in rows[:limit]]
    return {"items": items, "next_before": items[-1]["id"] if more else None}


def access_entry(event: Event, staff_name: str) -> dict[str, Any]:
    data = event.data or {}
    return {"id": event.id, "at": event.occurred_at, "staff_name": staff_name,
            "action": "revealed" if event.name == "staff_revealed" else "viewed",
            "what": data.get("field") or data.get("view") or "profile", "application": data.get("application"),
            "purpose": data.get("purpose"),
            "purpose_text": describe_reason(data.get("purpose"), data.get("ticket")).as_dict(),
            "ticket": data.get("ticket"), "reason": data.get("reason") or ""}
