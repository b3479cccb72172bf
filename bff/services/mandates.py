"""Mandates (委托代办): granting, revoking, listing, and the check of every request made for someone.

A resident grants a mandate to a relative chosen from the registry's relations (never typed)
or to a registered community agent, for one bundle or one application, with a scope and an
expiry. The agent chooses whom they act for; every request they then make is checked here
against the principal's live mandates (:func:`acting_mandates`, :func:`authorise`), so a revoked
or expired mandate stops working on the next request. Each function runs in the caller's
transaction and commits it, except the checks, which only read (and record an ending).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta
from typing import Any

from bff.core import mandates as rules
from bff.core.catalog import default_catalog
from bff.core.clock import china_date
from bff.core.errors import NotFound, PermissionDenied
from bff.core.ports import Relative
from bff.core.text import Text
from bff.services.events import record_event
from bff.services.forms import applicant_id_number, current_sources
from bff.store import Session
from bff.store.crypto import lookup_hash
from bff.store.mandate_models import Mandate
from bff.store.models import User
from bff.store.queries import mandates as queries

NOT_FOUND = Text("找不到该委托。", "We could not find that mandate.")
APPLICATION_NOT_FOUND = Text("找不到该办件。", "We could not find that application.")
COMMUNITY_AGENT = "community_agent"


# --- What a principal may choose from -----------------------------------------------------------

def living_relatives(session: Session, user_id: int) -> list[Relative]:
    """The principal's living relatives in the registry: the only people they may name as a relative."""
    id_number = applicant_id_number(session, user_id)
    return [r for r in current_sources().population.relatives(id_number) if r.died is None]


def choices(session: Session, user_id: int) -> dict[str, Any]:
    """Whom and what the principal may authorise: relatives, community agents, bundles, applications."""
    catalog = default_catalog()
    agents = [a for a in queries.community_agents(session) if a.id != user_id]
    return {
        "relatives": [{"ref": r.ref, "name": r.name, "relation": r.relation} for r in living_relatives(session, user_id)],
        "community_agents": [{"id": a.id, "name": a.name} for a in agents],
        "bundles": [{"code": code, "name": catalog.bundles[code].name} for code in sorted(catalog.bundles)],
        "applications": [{"number": number, "bundle": bundle, "status": status}
                         for number, bundle, status in queries.applications_of(session, user_id)
                         if status not in ("withdrawn",)],
    }


# --- Granting and revoking ----------------------------------------------------------------------

def grant_mandate(session: Session, principal_user_id: int, body: dict[str, Any], *, today: date,
                  now: datetime) -> dict[str, Any]:
    """Grant a mandate; someone who is neither a living relative nor a community agent is refused
    (403), and the refusal is recorded."""
    rules.check_target(body.get("bundle"), body.get("application_number"))
    expires_at = rules.expiry_of(body["expires_on"], today)
    _check_target_exists(session, principal_user_id, body.get("bundle"), body.get("application_number"))
    agent = _resolve_agent(session, principal_user_id, body)
    mandate = Mandate(principal_user_id=principal_user_id, agent_kind=body["agent_kind"], scope=body["scope"],
                      bundle=body.get("bundle"), application_number=body.get("application_number"),
                      expires_at=expires_at, created_at=now, **agent)
    session.add(mandate)
    session.flush()
    target = {"bundle": mandate.bundle} if mandate.bundle else {"application": mandate.application_number}
    record_event(session, "mandate_granted", actor_user_id=principal_user_id, subject_user_id=principal_user_id,
                 mandate=mandate.id, agent_kind=mandate.agent_kind, scope=mandate.scope,
                 expires_on=body["expires_on"].isoformat(), **target)
    if mandate.agent_user_id is not None:  # one who has never signed in finds it at their first sign-in
        record_event(session, "mandate_received", actor_user_id=principal_user_id,
                     subject_user_id=mandate.agent_user_id, mandate=mandate.id, scope=mandate.scope,
                     expires_on=body["expires_on"].isoformat(), **target)
    session.commit()
    return mandate_view(mandate, _names(session, [mandate]), now)


def _check_target_exists(session: Session, user_id: int, bundle: str | None, number: str | None) -> None:
    if bundle is not None:
        default_catalog().bundle(bundle)  # an unknown one is "not found"
    elif number is not None and queries.bundle_of_application(session, user_id, number) is None:
        raise NotFound(APPLICATION_NOT_FOUND)


def _resolve_agent(session: Session, principal_user_id: int, body: dict[str, Any]) -> dict[str, Any]:
    """The agent's columns, from a registry relation or a community agent's account; else refused."""
    if body["agent_kind"] == "relative":
        relative = next((r for r in living_relatives(session, principal_user_id) if r.ref == body.get("agent_ref")), None)
        if relative is not None:
            id_hash = lookup_hash(relative.id_number.upper())
            user = queries.user_by_id_number_hash(session, id_hash)
            return {"agent_ref": relative.ref, "agent_id_hash": id_hash, "agent_name": relative.name,
                    "relation": relative.relation, "agent_user_id": user.id if user else None}
    else:
        user = session.get(User, body.get("agent_user_id") or 0)
        if user is not None and COMMUNITY_AGENT in (user.roles or []) and user.id != principal_user_id:
            return {"agent_user_id": user.id, "agent_name": user.name, "agent_id_hash": user.id_number_hash}
    raise _refused(session, principal_user_id, body["agent_kind"])


def _refused(session: Session, principal_user_id: int, agent_kind: str) -> PermissionDenied:
    """Record the refused grant (committed: the refusal itself is audited); the refusal to raise."""
    session.rollback()
    record_event(session, "mandate_refused", actor_user_id=principal_user_id, subject_user_id=principal_user_id,
                 agent_kind=agent_kind, reason="not_related" if agent_kind == "relative" else "not_an_agent")
    session.commit()
    return PermissionDenied(rules.NOT_RELATED, code="mandate_agent_not_allowed")


def revoke_mandate(session: Session, principal_user_id: int, mandate_id: int, *, now: datetime) -> dict[str, Any]:
    """Revoke one of the principal's mandates at once (revoking it again changes nothing)."""
    mandate = queries.mandate_of_principal(session, principal_user_id, mandate_id, lock=True)
    if mandate is None:
        raise NotFound(NOT_FOUND)
    if mandate.revoked_at is None:
        mandate.revoked_at = now
        record_event(session, "mandate_revoked", actor_user_id=principal_user_id, subject_user_id=principal_user_id,
                     mandate=mandate.id)
        if mandate.agent_user_id is not None:
            record_event(session, "mandate_received_revoked", actor_user_id=principal_user_id,
                         subject_user_id=mandate.agent_user_id, mandate=mandate.id)
    session.commit()
    return mandate_view(mandate, _names(session, [mandate]), now)


# --- Lists ---------------------------------------------------------------------------------------

def list_mandates(session: Session, user: User, *, now: datetime) -> dict[str, Any]:
    """The mandates the person granted and those they hold, newest first."""
    _link(session, user)
    granted = queries.mandates_granted_by(session, user.id)
    received = queries.mandates_held_by(session, user.id)
    names = _names(session, granted + received)
    return {"granted": [mandate_view(m, names, now) for m in granted],
            "received": [mandate_view(m, names, now) for m in received]}


def principals_of(session: Session, user: User, *, now: datetime) -> list[dict[str, Any]]:
    """The people the agent may act for now, each with their live mandates."""
    _link(session, user)
    live = [m for m in queries.mandates_held_by(session, user.id) if rules.is_active(m.terms(), now)]
    names = _names(session, live)
    people: dict[int, dict[str, Any]] = {}
    for mandate in live:
        entry = people.setdefault(mandate.principal_user_id, {
            "user_id": mandate.principal_user_id, "name": names.get(mandate.principal_user_id, ""), "mandates": []})
        entry["mandates"].append(mandate_view(mandate, names, now))
    return list(people.values())


def _link(session: Session, user: User) -> None:
    """Mandates granted to this person's ID number before they first signed in now name them."""
    if user.id_number_hash and queries.link_mandates_to_agent(session, user.id, user.id_number_hash):
        session.commit()


def _names(session: Session, mandates: list[Mandate]) -> dict[int, str]:
    return queries.names_of(session, {m.principal_user_id for m in mandates})


def status_of(mandate: Mandate, now: datetime) -> str:
    if mandate.revoked_at is not None:
        return "revoked"
    return "active" if rules.is_active(mandate.terms(), now) else "expired"


def mandate_view(mandate: Mandate, names: dict[int, str], now: datetime) -> dict[str, Any]:
    """A mandate as both sides see it (no ID numbers: the agent by name and relation only)."""
    bundle = default_catalog().bundles.get(mandate.bundle or "")
    return {"id": mandate.id, "principal_user_id": mandate.principal_user_id,
            "principal_name": names.get(mandate.principal_user_id, ""),
            "agent_kind": mandate.agent_kind, "agent_name": mandate.agent_name, "relation": mandate.relation,
            "agent_signed_up": mandate.agent_user_id is not None,
            "scope": mandate.scope, "bundle": mandate.bundle, "bundle_name": bundle.name if bundle else None,
            "application_number": mandate.application_number,
            "expires_at": mandate.expires_at, "expires_on": china_date(mandate.expires_at - timedelta(seconds=1)),
            "revoked_at": mandate.revoked_at, "created_at": mandate.created_at,
            "accepted_at": mandate.accepted_at, "status": status_of(mandate, now)}


# --- Acting ---------------------------------------------------------------------------------------

def start_acting(session: Session, agent_user_id: int, principal_user_id: int, *, now: datetime) -> dict[str, Any]:
    """Begin acting for the principal (403 without a live mandate); recorded for the principal to see."""
    live = queries.live_mandates_between(session, principal_user_id, agent_user_id, now)
    if not live or principal_user_id == agent_user_id:
        raise PermissionDenied(rules.NO_MANDATE, code="no_mandate")
    for mandate in live:
        mandate.accepted_at = mandate.accepted_at or now
    record_event(session, "acting_started", actor_user_id=agent_user_id, subject_user_id=principal_user_id,
                 mandates=[m.id for m in live], on_behalf_of=principal_user_id)
    session.commit()
    return acting_view(session, principal_user_id, live, now)


def stop_acting(session: Session, agent_user_id: int, principal_user_id: int) -> None:
    """Stop acting for the principal (recorded)."""
    record_event(session, "acting_stopped", actor_user_id=agent_user_id, subject_user_id=principal_user_id,
                 reason="by_agent", on_behalf_of=principal_user_id)
    session.commit()


def live_mandates(session: Session, agent_user_id: int, principal_user_id: int, *, now: datetime) -> list[Mandate]:
    """The principal's live mandates to the agent."""
    return queries.live_mandates_between(session, principal_user_id, agent_user_id, now)


def acting_view(session: Session, principal_user_id: int, live: list[Mandate], now: datetime) -> dict[str, Any]:
    names = queries.names_of(session, [principal_user_id])
    return {"acting": True, "principal_user_id": principal_user_id, "principal_name": names.get(principal_user_id, ""),
            "mandates": [mandate_view(m, names, now) for m in live]}


def acting_mandates(session: Session, agent_user_id: int, principal_user_id: int, *, now: datetime) -> list[rules.Terms]:
    """The live mandates behind an acting request; none left ends the acting (recorded) with 403."""
    live = queries.live_mandates_between(session, principal_user_id, agent_user_id, now)
    if not live:
        session.rollback()
        record_event(session, "acting_stopped", actor_user_id=agent_user_id, subject_user_id=principal_user_id,
                     reason="mandate_ended", on_behalf_of=principal_user_id)
        session.commit()
        raise PermissionDenied(rules.ENDED, code="mandate_ended")
    return [m.terms() for m in live]


def authorise(session: Session, terms: list[rules.Terms], need: rules.Need, *, now: datetime) -> None:
    """Refuse (403) a request the principal's live mandates do not allow; a request about an
    application is judged by that application's bundle too."""
    if need.number is not None and need.bundle is None:
        bundle = queries.bundle_of_application(session, terms[0].principal_user_id, need.number)
        need = replace(need, bundle=bundle)
    rules.check_allowed(terms, need, now)
