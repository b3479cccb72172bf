"""What the proactive use cases share: the recipient's records, the form an offer prepares, settings."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

from bff.core import forms as form_rules
from bff.core import proactive as rules
from bff.core.catalog import Bundle, Catalog
from bff.core.ports import LifeEventSignal, Person, PrefillSources
from bff.core.prefill import facts_of, prefill_values
from bff.services.forms import SubjectOption, birth_ref, gather_records, subject_options
from bff.store import Session
from bff.store.queries import proactive as store


def settings_of(session: Session, user_id: int | None) -> rules.Settings:
    row = store.settings_row(session, user_id) if user_id else None
    if row is None:
        return rules.Settings()
    return rules.Settings(frozenset(row.offers_off or ()), frozenset((row.automatic_items or {}).keys()))


def subject_for(sources: PrefillSources, bundle: Bundle, recipient_id: str, signal: LifeEventSignal,
                person: Person) -> SubjectOption | None:
    """The subject of the recipient's form, as their own choice of subject would find it: so the
    registry must link them (the relation rule), and the ref is the one the family rule counts."""
    options = subject_options(sources, bundle, recipient_id)
    if bundle.subject == "self":
        return options[0] if options else None
    if bundle.subject == "newborn":
        return next((o for o in options if signal.record and _birth_ref_of(sources, recipient_id, signal.record) == o.ref),
                    None)
    return next((o for o in options if o.ref == person.ref), None)


def _birth_ref_of(sources: PrefillSources, parent_id: str, record: str) -> str | None:
    birth = next((b for b in sources.medical.births_to(parent_id) if b.number == record), None)
    return birth_ref(birth) if birth else None


def questions_for(catalog: Catalog, sources: PrefillSources, bundle: Bundle, recipient_id: str,
                  subject: SubjectOption) -> list[str]:
    """The questions left to the recipient once the form is prefilled from everything held."""
    records = gather_records(sources, bundle, recipient_id, subject)
    form = form_rules.build_form(catalog, bundle, facts_of(records), prefill_values(records))
    return rules.questions_left(form)


def facts_about(catalog: Catalog, sources: PrefillSources, person: Person, day: date) -> dict[str, Any]:
    """The facts about a person as the subject of their own application, with their age on ``day``."""
    self_bundle = replace(next(iter(catalog.bundles.values())), subject="self", payee="subject")
    records = gather_records(sources, self_bundle, person.id_number, SubjectOption("self", person.name, "self", "self"))
    return facts_of(records) | {rules.AGE_KEY: rules.age_on(person.born, day)}
