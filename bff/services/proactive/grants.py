"""免申即享: items granted without an application after the resident's one-time consent, the data
each grant rested on, the resident's objection, and the department's review of it.

A grant is decided on shared data only (``automatic.when`` of the item holds: unknown decides
nothing). The objection is a task of the item's department on the officer workbench (the simplest
honest design: an officer reviews it; the grant stands or is withdrawn, and the resident is told).
"""

from __future__ import annotations

import secrets
from datetime import date
from typing import Any

from bff.core import proactive as rules
from bff.core.catalog import Catalog, ServiceItem, default_catalog
from bff.core.errors import Conflict, NotFound, ValidationFailed
from bff.core.ports import Person, PrefillSources
from bff.core.text import Text
from bff.services.events import record_event
from bff.services.proactive.common import facts_about
from bff.store import Session
from bff.store.models import utcnow
from bff.store.proactive_models import AutoGrant
from bff.store.queries import proactive as store

NOT_FOUND = Text("找不到这项免申办理记录。", "We could not find this automatic grant.")
NOT_DUE = Text("根据目前的共享数据，您尚不符合免申办理条件。", "Shared data does not show you are entitled to this yet.")
ALREADY_OBJECTED = Text("您已提出过异议，正在处理。", "You already objected; it is being reviewed.")
REASON_NEEDED = Text("请说明异议的理由（1–500字）。", "Please say why you object (1–500 characters).")
OUTCOMES = ("upheld", "withdrawn")  # the grant stands, or is withdrawn as the resident asked


def grant_if_due(session: Session, catalog: Catalog, sources: PrefillSources, user_id: int, person: Person,
                 item: ServiceItem, day: date, *, signal_row_id: int | None = None,
                 facts: dict[str, Any] | None = None) -> AutoGrant | None:
    """Grant ``item`` to the person when shared data (``facts``, or read now for ``day``) proves it
    (added, not committed); None when it does not, or when it was granted before."""
    facts = facts if facts is not None else facts_about(catalog, sources, person, day)
    due = {i.code: basis for i, basis in rules.automatic_items_due([item], facts)}
    if item.code not in due:
        return None
    grant = AutoGrant(user_id=user_id, item=item.code, department=item.department, basis=due[item.code],
                      reference=f"MS{day:%Y%m%d}{secrets.token_hex(3).upper()}", signal_id=signal_row_id)
    if not store.add_once(session, grant):
        return None
    record_event(session, "automatic_granted", subject_user_id=user_id, grant=grant.id, item=item.code,
                 basis=grant.basis, reference=grant.reference)
    return grant


def object_to_grant(session: Session, user_id: int, grant_id: int, reason: str) -> dict[str, Any]:
    """The resident objects to an automatic grant; the item's department reviews it. Committed."""
    reason = reason.strip()
    if not 1 <= len(reason) <= 500:
        raise ValidationFailed(REASON_NEEDED, errors={"reason": [REASON_NEEDED]})
    grant = store.grant_of(session, user_id, grant_id, lock=True)
    if grant is None:
        raise NotFound(NOT_FOUND)
    if grant.status != "granted":
        raise Conflict(ALREADY_OBJECTED, code="already_objected")
    grant.status, grant.objection, grant.objected_at = "objected", reason, utcnow()
    record_event(session, "automatic_objected", actor_user_id=user_id, subject_user_id=user_id,
                 grant=grant.id, item=grant.item)
    session.commit()
    return grant_view(grant)


def objections_for(session: Session, department: str) -> list[dict[str, Any]]:
    """The objections the officer's department has to review (the resident's reason included)."""
    return [{**grant_view(g), "objection": g.objection} for g in store.objections_of_department(session, department)]


def review_objection(session: Session, officer_id: int, department: str, grant_id: int, outcome: str,
                     note: str) -> dict[str, Any]:
    """The department's answer to an objection: the grant stands (upheld) or is withdrawn. Committed."""
    grant = store.grant_in_department(session, department, grant_id, lock=True)
    if grant is None:
        raise NotFound(NOT_FOUND)
    if grant.status != "objected":
        raise Conflict(Text("这项异议已处理。", "This objection was already reviewed."), code="already_reviewed")
    grant.status = "granted" if outcome == "upheld" else "withdrawn"
    grant.review_outcome, grant.review_note, grant.reviewed_by, grant.reviewed_at = outcome, note, officer_id, utcnow()
    record_event(session, "automatic_reviewed", actor_user_id=officer_id, subject_user_id=grant.user_id,
                 grant=grant.id, item=grant.item, outcome=outcome)
    session.commit()
    return grant_view(grant)


def grant_view(grant: AutoGrant, catalog: Catalog | None = None) -> dict[str, Any]:
    """A grant as the resident sees it: the decision, the data it rested on (labelled) and its state."""
    catalog = catalog or default_catalog()
    item = catalog.items.get(grant.item)
    basis = [{"key": key, "label": _label(catalog, key), "value": value} for key, value in (grant.basis or {}).items()]
    return {"id": grant.id, "item": grant.item, "item_name": item.name if item else Text(grant.item, grant.item),
            "result": item.result if item else None, "department": grant.department, "reference": grant.reference,
            "decided_at": grant.decided_at, "basis": basis, "status": grant.status,
            "objected_at": grant.objected_at, "review_outcome": grant.review_outcome, "review_note": grant.review_note}


def _label(catalog: Catalog, key: str) -> Text:
    fact = catalog.facts.get(key)
    return fact.label if fact else Text(key, key)
