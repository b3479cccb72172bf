"""The resident's side of the proactive service: their offers, accepting (the bundle starts with
everything prefilled and only their answers), declining ("不需要"), and their settings.

Offers are found by the user and by the lookup hash of their ID number (an offer made before they
first signed in waits for them). Every use case runs in one transaction and records its event.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from bff.core import proactive as rules
from bff.core.catalog import Catalog, default_catalog
from bff.core.errors import Conflict, NotFound, ValidationFailed
from bff.core.ports import PrefillSources
from bff.core.text import Text
from bff.services import applications
from bff.services.events import record_event
from bff.services.family import subject_already_applied
from bff.services.form_check import check_form
from bff.services.proactive.grants import grant_if_due, grant_view
from bff.store import Session
from bff.store.crypto import lookup_hash
from bff.store.models import utcnow
from bff.store.proactive_models import Offer, ProactiveSettings
from bff.store.queries import applications as application_store
from bff.store.queries import family as family_store
from bff.store.queries import proactive as store
from bff.store.queries.users import id_number_of

NOT_FOUND = Text("找不到这项为您备好的服务。", "We could not find this offer.")
GONE = Text("这项服务已不再为您保留（已使用、已谢绝或已过期）。", "This offer is no longer open (used, declined or expired).")
UNKNOWN_KIND = Text("没有这类主动服务。", "There is no such kind of offer.")
UNKNOWN_ITEM = Text("这个事项不能免申办理。", "This item cannot be granted automatically.")
ACTIVITY = ("signal_received", "offer_made", "offer_declined", "offer_accepted", "automatic_granted",
            "automatic_objected", "automatic_reviewed", "proactive_settings_saved")


def _hash_of(session: Session, user_id: int) -> str | None:
    id_number = id_number_of(session, user_id)
    return lookup_hash(str(id_number).upper()) if id_number else None


def list_offers(session: Session, user_id: int, today: date, catalog: Catalog | None = None) -> dict[str, Any]:
    """The resident's offers (open first), automatic grants, settings and what the service did for them."""
    catalog = catalog or default_catalog()
    id_hash = _hash_of(session, user_id)
    views = [offer_view(session, offer, user_id, today, catalog) for offer in store.offers_of(session, user_id, id_hash)]
    views.sort(key=lambda v: v["status"] != "open")
    return {"offers": views, "grants": [grant_view(g, catalog) for g in store.grants_of(session, user_id)],
            "settings": settings_view(session, user_id, catalog),
            "activity": [{"id": e.id, "name": e.name, "data": e.data, "occurred_at": e.occurred_at}
                         for e in store.events_named(session, user_id, ACTIVITY)]}


def offer_view(session: Session, offer: Offer, user_id: int, today: date, catalog: Catalog) -> dict[str, Any]:
    status, number = _status(session, offer, user_id, today)
    item = catalog.items.get(offer.item or "")
    bundle = catalog.bundles.get(offer.bundle or "")
    text = rules.offer_text(offer.kind, len(offer.questions or []), subject_name=offer.subject_name,
                            item_name=item.name if item else None, occurred_on=offer.occurred_on)
    return {"id": offer.id, "kind": offer.kind, "bundle": offer.bundle, "item": offer.item,
            "name": bundle.name if bundle else (item.name if item else None), "text": text,
            "relation": offer.relation, "subject_name": offer.subject_name, "subject_ref": offer.subject_ref,
            "questions": list(offer.questions or []),
            "status": status, "application_number": number, "expires_on": offer.expires_on,
            "created_at": offer.created_at}


def _status(session: Session, offer: Offer, user_id: int, today: date) -> tuple[str, str | None]:
    """What the resident sees of the offer, and the application that serves its subject if any."""
    if offer.item:  # an automatic item: used once it is granted, whichever way
        granted = any(g.item == offer.item for g in store.grants_of(session, user_id))
        return rules.shown_status(rules.ACCEPTED if granted else offer.status, offer.expires_on, today, None, False), None
    number, is_member = _existing_case(session, offer, user_id)
    return rules.shown_status(offer.status, offer.expires_on, today, number, is_member), number


def _existing_case(session: Session, offer: Offer, user_id: int) -> tuple[str | None, bool]:
    """The application that already serves this offer's subject (a draft of theirs too), and whether
    the user is in it (theirs, or a relative's they joined) or not (a relative's: they may ask to join)."""
    bundle = offer.bundle or ""
    own = [a for a in store.own_applications_of_bundle(session, user_id, bundle)
           if offer.subject_ref in ("self", a.subject_ref)]
    if own:
        return own[0].number, True
    case = family_store.active_cases_of_subjects(session, bundle, [offer.subject_ref]).get(offer.subject_ref)
    if case is None:
        return None, False
    application = application_store.application_by_number(session, case.number)
    members = family_store.active_member_ids(session, [application.id]) if application else {}
    return case.number, any(user_id in ids for ids in members.values())


def _open_offer(session: Session, user_id: int, offer_id: int, today: date) -> Offer:
    offer = store.offer_of(session, offer_id, user_id, _hash_of(session, user_id), lock=True)
    if offer is None:
        raise NotFound(NOT_FOUND)
    status, number = _status(session, offer, user_id, today)
    if status != "open":
        raise Conflict(GONE, code="offer_gone", details={"application_number": number})
    offer.recipient_user_id = user_id
    return offer


def accept_offer(session: Session, user_id: int, offer_id: int, answers: Mapping[str, Any], *, today: date,
                 sources: PrefillSources) -> dict[str, Any]:
    """Start the offered bundle about its subject with the resident's answers (prefill does the rest),
    checked as the submission will check them, or, for an automatic item, consent to it and grant it
    now. Committed."""
    offer = _open_offer(session, user_id, offer_id, today)
    if offer.item:
        offer.status, offer.decided_at = rules.ACCEPTED, utcnow()
        return _accept_automatic(session, user_id, offer, today, sources)
    subject_ref = None if offer.subject_ref == "self" else offer.subject_ref
    # the submission's own check, before anything is saved: a refused answer leaves the offer open
    check_form(session, user_id, offer.bundle or "", subject_ref, dict(answers), sources)
    offer.status, offer.decided_at = rules.ACCEPTED, utcnow()
    existing = family_store.active_cases_of_subjects(session, offer.bundle or "", [offer.subject_ref]).get(offer.subject_ref)
    if existing is not None:
        raise subject_already_applied(existing, user_id)
    record_event(session, "offer_accepted", actor_user_id=user_id, subject_user_id=user_id, offer=offer.id, kind=offer.kind)
    # start_draft commits the offer's acceptance and the draft together
    draft = applications.start_draft(session, user_id, offer.bundle or "", answers=answers, subject_ref=subject_ref)
    offer.application_number = draft.number
    session.commit()
    return {"offer": offer.id, "application_number": draft.number, "version": draft.version, "grant": None}


def _accept_automatic(session: Session, user_id: int, offer: Offer, today: date, sources: PrefillSources) -> dict[str, Any]:
    catalog = default_catalog()
    item = catalog.items[offer.item or ""]
    _consent(session, user_id, item.code)
    person = sources.population.person(str(id_number_of(session, user_id) or ""))
    grant = grant_if_due(session, catalog, sources, user_id, person, item, max(today, offer.occurred_on)) if person else None
    record_event(session, "offer_accepted", actor_user_id=user_id, subject_user_id=user_id, offer=offer.id, kind=offer.kind)
    session.commit()
    return {"offer": offer.id, "application_number": None, "version": None,
            "grant": grant_view(grant, catalog) if grant else None}


def decline_offer(session: Session, user_id: int, offer_id: int, *, today: date) -> dict[str, Any]:
    """不需要: the offer ends and never comes back for this subject. Committed."""
    offer = _open_offer(session, user_id, offer_id, today)
    offer.status, offer.decided_at = rules.DECLINED, utcnow()
    record_event(session, "offer_declined", actor_user_id=user_id, subject_user_id=user_id, offer=offer.id, kind=offer.kind)
    session.commit()
    return offer_view(session, offer, user_id, today, default_catalog())


# --- Settings ---------------------------------------------------------------------------------

def settings_view(session: Session, user_id: int, catalog: Catalog | None = None) -> dict[str, Any]:
    """Offer kinds (on unless switched off) and automatic items (off until consented)."""
    catalog = catalog or default_catalog()
    row = store.settings_row(session, user_id)
    off = set(row.offers_off or ()) if row else set()
    consented = dict(row.automatic_items or {}) if row else {}
    return {"offer_kinds": [{"kind": kind, "on": kind not in off} for kind in rules.OFFER_KINDS],
            "automatic_items": [{"item": item.code, "name": item.name, "on": item.code in consented,
                                 "consented_at": consented.get(item.code)}
                                for item in catalog.items.values() if item.automatic is not None]}


def save_settings(session: Session, user_id: int, offers_off: list[str], automatic_items: list[str], *,
                  today: date, sources: PrefillSources) -> dict[str, Any]:
    """Replace the resident's choices; an item newly consented to is granted at once if data proves it. Committed."""
    catalog = default_catalog()
    if set(offers_off) - set(rules.OFFER_KINDS):
        raise ValidationFailed(UNKNOWN_KIND, errors={"offers_off": [UNKNOWN_KIND]})
    automatic = {code for code, item in catalog.items.items() if item.automatic is not None}
    if set(automatic_items) - automatic:
        raise ValidationFailed(UNKNOWN_ITEM, errors={"automatic_items": [UNKNOWN_ITEM]})
    row = store.settings_row(session, user_id) or ProactiveSettings(user_id=user_id, offers_off=[], automatic_items={})
    before = dict(row.automatic_items or {})
    row.offers_off = sorted(set(offers_off))
    row.automatic_items = {code: before.get(code) or utcnow().isoformat() for code in sorted(set(automatic_items))}
    row.updated_at = utcnow()
    session.add(row)
    record_event(session, "proactive_settings_saved", actor_user_id=user_id, subject_user_id=user_id,
                 offers_off=row.offers_off, automatic_items=sorted(row.automatic_items))
    person = sources.population.person(str(id_number_of(session, user_id) or ""))
    for code in sorted(set(automatic_items) - set(before)):
        if person is not None:
            grant_if_due(session, catalog, sources, user_id, person, catalog.items[code], today)
    session.commit()
    return settings_view(session, user_id, catalog)


def _consent(session: Session, user_id: int, item: str) -> None:
    row = store.settings_row(session, user_id) or ProactiveSettings(user_id=user_id, offers_off=[], automatic_items={})
    row.automatic_items = {**(row.automatic_items or {}), item: utcnow().isoformat()}
    row.updated_at = utcnow()
    session.add(row)
