"""One timeline per resident, and the resident's own "who viewed my data".

The timeline is every Event about the resident (``subject_user_id``) or about one of
their applications (``application_id``), newest first, keyset-paginated by event id:
``before=<id>`` pages back, ``after=<id>`` fetches what is new (the staff page's live
path). The page's query is :func:`bff.store.queries.service_desk.resident_events`.
"""

from __future__ import annotations

from typing import Any

import redis as redis_lib

from bff.core import access_log as looks
from bff.core import mandates as mandate_rules
from bff.core.events import ON_BEHALF_OF
from bff.core.pii import mask_name
from bff.core.service_desk import ACCESS_LOG_EVENTS, describe_reason, kind_of
from bff.core.text import Text
from bff.services import catalog_adapter as catalog
from bff.services.service_desk.access import Grant, record_view
from bff.store import Session
from bff.store.models import Event
from bff.store.queries import mandates as mandate_queries
from bff.store.queries import service_desk as queries

PAGE_DEFAULT, PAGE_MAX = 50, 200


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
    numbers = queries.application_numbers_of_user(session, resident_id)
    rows, more = queries.resident_events(session, resident_id, list(numbers), kinds=kinds, before=before,
                                         after=after, limit=min(max(limit, 1), PAGE_MAX))
    # An event about the resident may concern an application that is not theirs: named all the same.
    missing = {e.application_id for e in rows if e.application_id and e.application_id not in numbers}
    if missing:
        numbers.update(queries.application_numbers(session, missing))
    devices = _device_names(session, rows)
    items = [{"id": e.id, "occurred_at": e.occurred_at, "name": e.name, "kind": kind_of(e.name),
              "application": numbers.get(e.application_id) if e.application_id else None,
              "actor": actor_view(e.actor_user_id, e.actor_name, e.actor_roles, resident_id,
                                  on_behalf=ON_BEHALF_OF in (e.data or {})),
              "device": devices.get((e.data or {}).get("device")) if e.name.startswith("push_") else None,
              "data": e.data or {}} for e in rows]
    newest = max((e.id for e in rows), default=after)
    return {"items": items, "has_more": more,
            "next_before": rows[-1].id if more and after is None and rows else None,
            "latest": newest}


def _device_names(session: Session, events: list[Any]) -> dict[Any, str]:
    """Per-device delivery: the resident's device names (e.g. "Chrome on Android") by id."""
    devices = {(e.data or {}).get("device") for e in events if e.name.startswith("push_")}
    ids = {i for i in devices if isinstance(i, int)}
    if not ids:
        return {}
    return queries.device_names(session, ids)


def actor_view(user_id: int | None, name: str | None, roles: list[str] | None, resident_id: int, *,
               on_behalf: bool = False) -> dict[str, Any]:
    """Who did it: the resident themselves, staff or officers by name, other people masked (an agent
    acting under the resident's mandate says so)."""
    if user_id is None:
        return {"role": "system", "name": None}
    if user_id == resident_id:
        return {"role": "self", "name": None}
    if on_behalf:
        return {"role": "agent", "name": mask_name(name)}
    role = next((r for r in ("staff", "officer", "admin") if r in (roles or [])), None)
    if role:
        return {"role": role, "name": name}
    return {"role": "resident", "name": mask_name(name)}


# --- "Who viewed my data" -----------------------------------------------------------------------

# Looks read per page to fold into lines: a busy day of one officer's page loads is one line.
LOOKS_PER_LINE = 5


def access_log(session: Session, resident_user_id: int, *, before: int | None = None,
               limit: int = PAGE_DEFAULT) -> dict[str, Any]:
    """The resident's own list of staff and officer views and reveals, and what agents did under
    their mandates: who (and from where), when, why, what; repeated looks folded into one line
    (:func:`bff.core.access_log.fold`). ``next_before`` pages back below every look shown."""
    limit = min(max(limit, 1), PAGE_MAX)
    reading = limit * LOOKS_PER_LINE + 1
    rows: list[tuple[Event, tuple[str, list[str] | None, str | None]]] = [
        (event, (name, roles, department)) for event, name, roles, department in queries.staff_access_events(
            session, resident_user_id, ACCESS_LOG_EVENTS, before=before, limit=reading)]
    # What agents did under the resident's mandates, merged in: both pages are newest first.
    rows += [(event, (name, None, None)) for event, name in mandate_queries.acts_for(
        session, resident_user_id, mandate_rules.ACCESS_LOG_EVENTS, before=before, limit=reading)
        if (event.data or {}).get(ON_BEHALF_OF) == resident_user_id]
    rows = sorted(rows, key=lambda row: row[0].id, reverse=True)
    cut = len(rows) >= reading  # more looks than read: the oldest line read may go on below
    rows = rows[:reading]
    items = _items(session, rows)
    lines = looks.fold([item["look"] for item in items])
    if cut and len(lines) > 1:  # the oldest line read may go on below: the next page shows it whole
        lines = lines[:-1]
    # Lines are runs of the log: the next page starts below the last line shown, nothing skipped.
    more = cut or len(lines) > limit
    lines = lines[:limit]
    by_id = {item["look"].id: item for item in items}
    shown = [_line_view(line, by_id) for line in lines]
    lowest = min((look.id for line in lines for look in line.looks), default=None)
    return {"items": shown, "next_before": lowest if more else None}


def _items(session: Session, rows: list[tuple[Event, Any]]) -> list[dict[str, Any]]:
    """Each row as the resident reads it, with its :class:`bff.core.access_log.Look` to fold by."""
    references = {str((e.data or {}).get("purpose")) for e, _ in rows if (e.data or {}).get("reason") == looks.CASE_WORK}
    items = {reference: Text(title.get("zh-CN", ""), title.get("en", ""))
             for reference, title in queries.case_titles(session, references).items()}
    return [access_entry(event, name, who=looks.who_of(roles, _department(department)), items=items)
            for event, (name, roles, department) in rows]


def _department(code: str | None) -> Text | None:
    return catalog.department_short_name(code) if code else None


def _line_view(line: looks.Line, by_id: dict[int, dict[str, Any]]) -> dict[str, Any]:
    entry = {key: value for key, value in by_id[line.newest.id].items() if key != "look"}
    return {**entry, "count": line.count, "first_at": line.first_at, "whats": line.whats}


def access_entry(event: Event, staff_name: str, *, who: Text | None = None,
                 items: dict[str, Text] | None = None) -> dict[str, Any]:
    """One look of "who viewed my data": who, from where, when, why, and what they looked at or
    revealed (``items``: item names by case reference, for an officer's look at a case)."""
    data = event.data or {}
    if ON_BEHALF_OF in data:  # an agent acting under the resident's mandate
        entry = {"id": event.id, "at": event.occurred_at, "staff_name": staff_name, "who": None,
                 "action": "acted", "what": event.name, "application": data.get("number"), "purpose": "mandate",
                 "purpose_text": mandate_rules.ACTED_PURPOSE.as_dict(), "ticket": None, "reason": ""}
        return {**entry, "look": _look(event, entry)}
    purpose, reason, ticket = data.get("purpose"), data.get("reason") or "", data.get("ticket")
    what = data.get("field") or data.get("view") or "profile"
    if reason == looks.CASE_WORK:  # an officer opened a case of the application: the item, not the raw code
        text = looks.case_work_purpose((items or {}).get(str(purpose)))
        purpose, reason, ticket, what = looks.CASE_WORK, "", None, "application"
    else:
        text = describe_reason(purpose, ticket)
    entry = {"id": event.id, "at": event.occurred_at, "staff_name": staff_name,
             "who": who.as_dict() if who else None,
             "action": "revealed" if event.name == "staff_revealed" else "viewed",
             "what": what, "application": data.get("application"),
             "purpose": purpose, "purpose_text": text.as_dict(), "ticket": ticket, "reason": reason}
    return {**entry, "look": _look(event, entry)}


def _look(event: Event, entry: dict[str, Any]) -> looks.Look:
    purpose = entry["purpose"] or entry["ticket"] or ""
    detail = "|".join(str(part or "") for part in (entry["ticket"], entry["reason"], entry["purpose_text"]["zh-CN"]))
    return looks.Look(event.id, event.occurred_at, event.actor_user_id, entry["action"], entry["what"],
                      str(purpose), detail)
