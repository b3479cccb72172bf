"""The combined form for the signed-in resident: who the form is about, prefill, burden.

Flow of :func:`form_for_user`:

1. the applicant is the user's ID number (``User.id_number``) looked up in the
   population registry;
2. the subject is chosen among the people the registry links to the applicant
   (:func:`subject_options`): their own newborn's hospital birth record, themselves,
   or a deceased relative — never an arbitrary person;
3. :func:`gather_records` asks each prefill port once; a source that is down is
   recorded as unavailable and the form is still built;
4. :mod:`bff.core.prefill` turns the records into facts and prefilled answers,
   :mod:`bff.core.forms` builds the form and :mod:`bff.core.burden` the figures.

Nothing here logs or caches personal data. Applications call :func:`prefill_for`
to re-derive facts and prefill at submission, so read-only values never need to
travel back from the browser.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any, TypeVar

from flask import current_app

from bff.adapters.prefill import build_prefill_sources
from bff.core import burden, conditions, forms
from bff.core.catalog import Bundle, Catalog, default_catalog
from bff.core.clock import china_today
from bff.core.errors import NotFound, PreconditionFailed, ValidationFailed
from bff.core.idnumber import birth_date_of
from bff.core.ports import BirthRecord, MarriageBooking, Person, PrefillSources, SourceUnavailable
from bff.core.prefill import (
    ACCOUNT,
    CIVIL,
    CIVIL_KEYS,
    HOUSING,
    LICENCES,
    MEDICAL,
    POPULATION,
    REAL_ESTATE,
    SOCIAL,
    VETERAN_KEYS,
    VETERANS,
    Prefilled,
    Records,
    facts_of,
    of_primary_entry_age,
    prefill_values,
)
from bff.core.text import Text
from bff.store import Session
from bff.store.queries.users import id_number_of, verified_mobile_of

T = TypeVar("T")

NO_ID = Text("您的账号没有经过核验的身份证号码，无法预填。",
             "Your account has no verified ID number, so nothing can be prefilled.")
NO_SUBJECT = Text("未在户籍和医疗记录中找到与您相关的办理对象。",
                  "No one linked to you was found in the registry or medical records.")
CHOOSE = Text("请选择办理对象。", "Please choose who this application is about.")
UNKNOWN_SUBJECT = Text("办理对象不在您的亲属范围内。", "This person is not among your registered relatives.")


@dataclass(frozen=True)
class SubjectOption:
    """Someone the applicant may apply about. ``ref`` is opaque; no ID number is exposed."""

    ref: str
    name: str
    relation: str  # the applicant's relation to the subject (self, father, mother, child, spouse, other)
    kind: str  # newborn | self | deceased-relative | child | partner
    # The case already active about this subject, if any (bff.services.family.with_active_cases).
    active_case: dict[str, Any] | None = None


@dataclass(frozen=True)
class FormView:
    form: forms.CombinedForm
    burden: burden.Burden
    subjects: tuple[SubjectOption, ...]
    subject: SubjectOption | None
    unavailable: frozenset[str]
    catalog_version: str

    @property
    def materials(self) -> list[forms.MaterialStatus]:
        return forms.material_statuses(self.form)


def current_sources() -> PrefillSources:
    """The app's prefill sources, built once per app (circuit-breaker state lives there)."""
    sources = current_app.extensions.get("prefill_sources")
    if sources is None:
        sources = build_prefill_sources(current_app.config)
        current_app.extensions["prefill_sources"] = sources
    return sources  # type: ignore[no-any-return]


def applicant_id_number(session: Session, user_id: int) -> str:
    return _checked_id_number(id_number_of(session, user_id))


def _checked_id_number(id_number: str | None) -> str:
    if not id_number:
        raise PreconditionFailed(NO_ID, code="no_id_number")
    return str(id_number).upper()


def form_for_user(session: Session, user_id: int, bundle_code: str, subject_ref: str | None,
                  sources: PrefillSources | None = None, catalog: Catalog | None = None) -> FormView:
    """The combined form of ``bundle_code`` for the user and the chosen subject, prefilled."""
    catalog = catalog or default_catalog()
    bundle = catalog.bundle(bundle_code)
    sources = sources or current_sources()
    id_number = applicant_id_number(session, user_id)
    options = tuple(subject_options(sources, bundle, id_number))
    chosen = choose_subject(bundle, options, subject_ref)
    records = gather_records(sources, bundle, id_number, chosen)
    form = forms.build_form(catalog, bundle, facts_of(records), with_account_mobile(session, user_id, prefill_values(records)))
    return FormView(form, burden.applicant_burden(form), options, chosen, records.unavailable, catalog.version)


def subjects_for_user(session: Session, user_id: int, bundle_code: str,
                      sources: PrefillSources | None = None) -> list[SubjectOption]:
    """Whom the user may apply about for this bundle, per the registry and medical records."""
    bundle = default_catalog().bundle(bundle_code)
    return subject_options(sources or current_sources(), bundle, applicant_id_number(session, user_id))


def prefill_for(session: Session, user_id: int, bundle_code: str, subject_ref: str | None,
                sources: PrefillSources | None = None, *,
                id_number: str | None = None) -> tuple[dict[str, Any], dict[str, Prefilled]]:
    """Facts and prefilled answers for a submission (what :func:`forms.build_form` takes)."""
    facts, prefill, _ = prefill_with_subject(session, user_id, bundle_code, subject_ref, sources, id_number=id_number)
    return facts, prefill


def prefill_with_subject(session: Session, user_id: int, bundle_code: str, subject_ref: str | None,
                         sources: PrefillSources | None = None, *, id_number: str | None = None,
                         ) -> tuple[dict[str, Any], dict[str, Prefilled], SubjectOption | None]:
    """:func:`prefill_for`, and the subject it chose (the only one, when ``subject_ref`` is empty)."""
    bundle = default_catalog().bundle(bundle_code)
    sources = sources or current_sources()
    id_number = _checked_id_number(id_number) if id_number is not None else applicant_id_number(session, user_id)
    chosen = choose_subject(bundle, tuple(subject_options(sources, bundle, id_number)), subject_ref)
    records = gather_records(sources, bundle, id_number, chosen)
    return facts_of(records), with_account_mobile(session, user_id, prefill_values(records)), chosen


def with_account_mobile(session: Session, user_id: int, values: dict[str, Prefilled]) -> dict[str, Prefilled]:
    """The applicant's mobile is the one they proved with an SMS code, when they changed it here:
    the registry may hold an old number, which the resident cannot correct there."""
    mobile = verified_mobile_of(session, user_id)
    return {**values, "applicant.mobile": Prefilled(mobile, ACCOUNT)} if mobile else values


def check_answers(form: forms.CombinedForm, answers: dict[str, Any]) -> dict[str, Any]:
    """The effective answers (read-only prefill applied), or ValidationFailed with per-field errors."""
    return forms.check_answers(form, answers, china_today())


def check_newborn_name(name: str, sources: PrefillSources | None = None) -> int:
    """How many registered people already have this name (重名查询)."""
    return (sources or current_sources()).population.count_named(name.strip())


# ---- subjects ---------------------------------------------------------------------------

def subject_options(sources: PrefillSources, bundle: Bundle, id_number: str) -> list[SubjectOption]:
    """Whom this applicant may apply about for this bundle, per the registry and medical records."""
    if bundle.subject == "self":
        person = _ask(set(), POPULATION, lambda: sources.population.person(id_number))
        return [SubjectOption("self", person.name if person else "", "self", "self")]
    if bundle.subject == "newborn":
        births = _ask(set(), MEDICAL, lambda: sources.medical.births_to(id_number)) or []
        return [SubjectOption(birth_ref(b), "", _parent_relation(b, id_number), "newborn") for b in births]
    if bundle.subject in ("child", "partner"):
        return _life_stage_subjects(sources, bundle.subject, id_number)
    relatives = _ask(set(), POPULATION, lambda: sources.population.relatives(id_number)) or []
    inverse = {"parent": "child", "child": "parent", "spouse": "spouse"}
    return [SubjectOption(r.ref, r.name, inverse.get(r.relation, "other"), "deceased-relative")
            for r in relatives if r.died is not None]


def choose_subject(bundle: Bundle, options: tuple[SubjectOption, ...], ref: str | None) -> SubjectOption | None:
    if ref:
        chosen = next((o for o in options if o.ref == ref), None)
        if chosen is None:
            raise NotFound(UNKNOWN_SUBJECT, code="unknown_subject")
        return chosen
    if len(options) == 1:
        return options[0]
    if not options and bundle.subject == "newborn":
        return None  # a birth outside hospital: no record to prefill from, the form still works
    if not options:
        raise NotFound(NO_SUBJECT, code="no_subject")
    raise ValidationFailed(CHOOSE, code="choose_subject", errors={"subject": [CHOOSE]})


def birth_ref(birth: BirthRecord) -> str:
    """The opaque reference of a newborn by its birth record (the subject of a birth application)."""
    return "b-" + hashlib.sha256(("birth:" + birth.number).encode()).hexdigest()[:12]


def _parent_relation(birth: BirthRecord, id_number: str) -> str:
    return "mother" if birth.mother_id_number == id_number else "father"


# ---- records ----------------------------------------------------------------------------

def _ask(unavailable: set[str], source: str, call: Callable[[], T]) -> T | None:
    """One port call; a source that cannot answer is noted and read as 'unknown'."""
    if source in unavailable:
        return None
    try:
        return call()
    except SourceUnavailable:
        unavailable.add(source)
        return None


def gather_records(sources: PrefillSources, bundle: Bundle, id_number: str, subject: SubjectOption | None) -> Records:
    """Everything the ports hold about the applicant and the subject (one call per record)."""
    down: set[str] = set()
    applicant = _ask(down, POPULATION, lambda: sources.population.person(id_number))
    if bundle.subject == "newborn":
        parts = _newborn(sources, down, id_number, subject)
    elif bundle.subject == "self":
        parts = {"subject": applicant, "relation": "self"}
    elif bundle.subject == "child":
        parts = _child(sources, down, subject)
    elif bundle.subject == "partner":
        parts = _partner(sources, down, id_number, subject)
    else:
        parts = _deceased(sources, down, subject)
    parts |= _accounts(sources, down, parts.get("subject"))
    parts |= _entitlement_records(sources, down, bundle, parts.get("subject"))
    parts |= _life_stage_records(sources, down, bundle, id_number, parts.get("subject"))
    payee = {"applicant": applicant, "subject": parts.get("subject"), "mother": parts.get("mother")}[bundle.payee]
    if payee is not None:
        parts["payee_card"] = _ask(down, SOCIAL, lambda: sources.social_insurance.social_security_card(payee.id_number))
    if bundle.subject in ("deceased-relative", "child", "partner") and parts.get("subject") is None:
        down.add(POPULATION)  # the relative vanished between the two calls: treat the registry as unsure
    return Records(applicant=applicant, unavailable=frozenset(down), as_of=china_today(), **parts)


def _newborn(sources: PrefillSources, down: set[str], id_number: str, subject: SubjectOption | None) -> dict[str, Any]:
    if subject is None:
        return {}
    births = _ask(down, MEDICAL, lambda: sources.medical.births_to(id_number)) or []
    birth = next((b for b in births if birth_ref(b) == subject.ref), None)
    if birth is None:
        return {}
    mother = _ask(down, POPULATION, lambda: sources.population.person(birth.mother_id_number))
    father = None
    if mother is not None and mother.spouse_id_number:
        spouse_id = mother.spouse_id_number
        father = _ask(down, POPULATION, lambda: sources.population.person(spouse_id))
    return {"birth": birth, "mother": mother, "father": father, "relation": subject.relation,
            "mother_pension": _ask(down, SOCIAL, lambda: sources.social_insurance.pension_account(birth.mother_id_number))}


def _deceased(sources: PrefillSources, down: set[str], subject: SubjectOption | None) -> dict[str, Any]:
    if subject is None:
        return {}
    person = _ask(down, POPULATION, lambda: sources.population.person_by_ref(subject.ref))
    if person is None:
        return {}
    spouse = None
    if person.spouse_id_number:
        spouse_id = person.spouse_id_number
        spouse = _ask(down, POPULATION, lambda: sources.population.person(spouse_id))
    return {"subject": person, "relation": subject.relation,
            "spouse": spouse if spouse is not None and spouse.died is None else None,
            "death": _ask(down, MEDICAL, lambda: sources.medical.death_record(person.id_number))}


def _accounts(sources: PrefillSources, down: set[str], person: Person | None) -> dict[str, Any]:
    if person is None:
        return {}
    number = person.id_number
    cards = {}
    for kind in ("driving-licence", "disability-card", "senior-card"):
        card = _ask(down, LICENCES, partial(sources.licences.card, number, kind))
        if card is not None:
            cards[kind] = card
    return {"pension": _ask(down, SOCIAL, lambda: sources.social_insurance.pension_account(number)),
            "medical_insurance": _ask(down, SOCIAL, lambda: sources.social_insurance.medical_insurance(number)),
            "housing_fund": _ask(down, HOUSING, lambda: sources.housing_fund.account(number)),
            "cards": cards}


def _entitlement_records(sources: PrefillSources, down: set[str], bundle: Bundle,
                         person: Person | None) -> dict[str, Any]:
    """Civil affairs' and veterans affairs' records, only for a bundle that uses them."""
    if person is None:
        return {}
    number, used = person.id_number, _keys_of(bundle)
    records: dict[str, Any] = {}
    if used & CIVIL_KEYS:
        records["household_means"] = _ask(down, CIVIL, lambda: sources.civil_affairs.household_means(number))
        records["care_assessment"] = _ask(down, CIVIL, lambda: sources.civil_affairs.care_assessment(number))
    if used & VETERAN_KEYS:
        records["veteran"] = _ask(down, VETERANS, lambda: sources.veterans.veteran(number))
    return records


# ---- the life-stage bundles: a child starting school, a couple marrying, work, a home ----------

def _life_stage_subjects(sources: PrefillSources, kind: str, id_number: str) -> list[SubjectOption]:
    """A living child of the applicant (school), or the other party of the couple's marriage booking.

    The booking, not the partner, is the couple's subject: both partners see the same ``ref``, so the
    second one joins the first one's application rather than starting another."""
    if kind == "child":
        relatives = _ask(set(), POPULATION, lambda: sources.population.relatives(id_number)) or []
        person = _ask(set(), POPULATION, lambda: sources.population.person(id_number))
        relation = "mother" if person is not None and person.sex == "female" else "father"
        today = china_today()
        return [SubjectOption(r.ref, r.name, relation, "child") for r in relatives
                if r.relation == "child" and r.died is None and of_primary_entry_age(birth_date_of(r.id_number), today)]
    booking = _ask(set(), POPULATION, lambda: sources.population.marriage_booking(id_number))
    if booking is None:
        return []
    partner = _ask(set(), POPULATION, lambda: _partner_of(sources, booking, id_number))
    return [SubjectOption(_booking_ref(booking), partner.name if partner else "", "partner", "partner")]


def _booking_ref(booking: MarriageBooking) -> str:
    return "m-" + hashlib.sha256(("marriage:" + booking.number).encode()).hexdigest()[:12]


def _partner_of(sources: PrefillSources, booking: MarriageBooking | None, id_number: str) -> Person | None:
    if booking is None:
        return None
    other = booking.second_id_number if booking.first_id_number.upper() == id_number else booking.first_id_number
    return sources.population.person(other)


def _child(sources: PrefillSources, down: set[str], subject: SubjectOption | None) -> dict[str, Any]:
    if subject is None:
        return {}
    person = _ask(down, POPULATION, lambda: sources.population.person_by_ref(subject.ref))
    return {"subject": person, "relation": subject.relation} if person is not None else {}


def _partner(sources: PrefillSources, down: set[str], id_number: str, subject: SubjectOption | None) -> dict[str, Any]:
    booking = _ask(down, POPULATION, lambda: sources.population.marriage_booking(id_number))
    if subject is None or booking is None or _booking_ref(booking) != subject.ref:
        return {}
    partner = _ask(down, POPULATION, lambda: _partner_of(sources, booking, id_number))
    return {"subject": partner, "relation": "partner", "booking": booking} if partner is not None else {}


# What the bundle must declare (a field, a fact of a material or of a condition) before the
# registers that only the life-stage bundles read are asked: the other bundles make no extra call.
UNEMPLOYMENT_KEYS = frozenset({"subject.registered_unemployed", "subject.unemployment_registration_number",
                               "subject.unemployment_registered_on"})
REAL_ESTATE_KEYS = frozenset({"family.home_matches_hukou", "applicant.has_purchase_contract",
                              "family.home_certificate_number", "family.home_address", "subject.property_address",
                              "subject.property_contract_number"})


def _life_stage_records(sources: PrefillSources, down: set[str], bundle: Bundle, id_number: str,
                        person: Person | None) -> dict[str, Any]:
    keys = _keys_of(bundle)
    parts: dict[str, Any] = {}
    if person is not None and keys & UNEMPLOYMENT_KEYS:
        number = person.id_number
        parts["unemployment"] = _ask(down, SOCIAL, lambda: sources.social_insurance.unemployment_registration(number))
    if keys & REAL_ESTATE_KEYS:
        register = sources.real_estate
        if register is None:
            down.add(REAL_ESTATE)
        else:
            parts["properties"] = tuple(_ask(down, REAL_ESTATE, lambda: register.properties(id_number)) or ())
    return parts


def _keys_of(bundle: Bundle) -> set[str]:
    """Every field and fact key the bundle's items and conditions read."""
    keys = {key for item in bundle.items for key in item.fields}
    keys |= {m.fact for item in bundle.items for m in item.materials if m.fact}
    keys |= {key for entry in bundle.entries for key in conditions.keys_of(entry.when)}
    return keys
