"""From records the data sources returned to prefilled answers and facts (pure, no IO).

:class:`Records` holds what the prefill ports returned for one applicant and one
subject; :func:`prefill_values` turns it into field answers, each carrying the
data source it came from, and :func:`facts_of` into the facts that decide which
items a bundle needs. A source listed in ``Records.unavailable`` could not be
asked: its facts are unknown (``None``) and it prefills nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from bff.core import eligibility
from bff.core.ports import (
    BirthRecord,
    Card,
    CareAssessment,
    DeathRecord,
    HouseholdMeans,
    HousingFundAccount,
    MarriageBooking,
    MedicalInsuranceAccount,
    PensionAccount,
    Person,
    PropertyRecord,
    SocialSecurityCard,
    UnemploymentRecord,
    VeteranRecord,
)

POPULATION = "population-registry"
ACCOUNT = "account"  # the resident's own account: a mobile proved there with an SMS code
MEDICAL = "medical-records"
SOCIAL = "social-insurance"
HOUSING = "housing-fund"
LICENCES = "licences"
CIVIL = "civil-affairs"
VETERANS = "veterans-records"
REAL_ESTATE = "real-estate"
ZHEJIANG_PREFIX = "33"
HANGZHOU_PREFIX = "3301"


@dataclass(frozen=True)
class Prefilled:
    """A value the government already holds, and which data source supplied it."""

    value: Any
    source: str


@dataclass(frozen=True)
class Records:
    """What the sources hold about an applicant and the subject of their application."""

    applicant: Person | None
    subject: Person | None = None
    relation: str | None = None  # the applicant's relation to the subject, per the registry
    birth: BirthRecord | None = None
    mother: Person | None = None
    father: Person | None = None
    death: DeathRecord | None = None
    spouse: Person | None = None  # the subject's surviving spouse
    pension: PensionAccount | None = None
    medical_insurance: MedicalInsuranceAccount | None = None
    housing_fund: HousingFundAccount | None = None
    cards: dict[str, Card] = field(default_factory=dict)
    payee_card: SocialSecurityCard | None = None
    mother_pension: PensionAccount | None = None
    household_means: HouseholdMeans | None = None
    care_assessment: CareAssessment | None = None
    veteran: VeteranRecord | None = None
    as_of: date | None = None  # the day the records were read: ages count to it
    unavailable: frozenset[str] = frozenset()
    # The life-stage bundles: the couple's marriage booking (the subject is then the partner), an
    # open unemployment registration of the subject, and the applicant's homes in the real-estate register.
    booking: MarriageBooking | None = None
    unemployment: UnemploymentRecord | None = None
    properties: tuple[PropertyRecord, ...] = ()


def facts_of(records: Records) -> dict[str, Any]:
    """The facts of the catalog (fields.yaml ``facts``), None where the source is unavailable."""
    r = records
    facts: dict[str, tuple[str, Any]] = {
        "applicant.registry_relation": (POPULATION, r.relation),
        "applicant.has_identity": (POPULATION, r.applicant is not None),
        "subject.in_registry": (POPULATION, r.subject is not None),
        "subject.hukou_local": (POPULATION, _hukou_local(r.subject)),
        "family.parents_married": (POPULATION, _parents_married(r.mother, r.father)),
        "subject.has_birth_record": (MEDICAL, r.birth is not None),
        "subject.has_death_record": (MEDICAL, r.death is not None),
        "subject.died_in_hospital": (MEDICAL, r.death is not None and r.death.place_type == "hospital"),
        "subject.has_pension_account": (SOCIAL, r.pension is not None),
        "subject.has_medical_insurance": (SOCIAL, r.medical_insurance is not None
                                          and r.medical_insurance.kind == "employee"),
        "family.mother_maternity_insured": (SOCIAL, bool(r.mother_pension and r.mother_pension.maternity_insured)),
        "payee.has_card_account": (SOCIAL, r.payee_card is not None),
        "subject.has_housing_fund": (HOUSING, bool(r.housing_fund and r.housing_fund.active)),
        "subject.has_driving_licence": (LICENCES, _holds(r.cards, "driving-licence")),
        "subject.has_disability_card": (LICENCES, _holds(r.cards, "disability-card")),
        "subject.has_senior_card": (LICENCES, _holds(r.cards, "senior-card")),
        **_life_stage_facts(r),
    } | _entitlement_facts(r)
    return {key: (None if source in r.unavailable else value) for key, (source, value) in facts.items()}


def prefill_values(records: Records) -> dict[str, Prefilled]:
    """Every answer the sources can give, keyed by field key."""
    values: dict[str, Prefilled] = {}
    for source, pairs in _candidates(records):
        if source in records.unavailable:
            continue
        for key, value in pairs.items():
            if value not in (None, "") and key not in values:
                values[key] = Prefilled(value, source)
    return values


def _candidates(r: Records) -> list[tuple[str, dict[str, Any]]]:
    return [
        (POPULATION, _applicant(r.applicant, r.relation)),
        (POPULATION, _subject_person(r.subject)),
        (MEDICAL, _birth(r.birth)),
        (POPULATION, _newborn_from_parents(r.birth, r.mother, r.father)),
        (POPULATION, _parents(r.mother, r.father)),
        (MEDICAL, _death(r.death)),
        (POPULATION, _spouse(r.spouse)),
        (SOCIAL, _pension(r.pension)),
        (SOCIAL, _medical(r.medical_insurance)),
        (SOCIAL, _bank(r.payee_card)),
        (HOUSING, {"subject.housing_fund_account": r.housing_fund.number if r.housing_fund else None}),
        (LICENCES, _cards(r.cards)),
        (CIVIL, _household(r.household_means, r.care_assessment)),
        (VETERANS, _veteran(r.veteran)),
        (SOCIAL, _elsewhere(r.pension, r.medical_insurance)),
        (POPULATION, _booking(r.booking)),
        (SOCIAL, _unemployment(r.unemployment)),
        (REAL_ESTATE, _homes(r.properties, r.subject)),
    ]


def _applicant(person: Person | None, relation: str | None) -> dict[str, Any]:
    if person is None:
        return {}
    return {"applicant.name": person.name, "applicant.id_number": person.id_number, "applicant.mobile": person.mobile,
            "applicant.hukou_address": person.hukou_address, "applicant.relation": relation,
            "delivery.recipient": person.name, "delivery.mobile": person.mobile, "delivery.address": person.hukou_address}


def _subject_person(person: Person | None) -> dict[str, Any]:
    if person is None:
        return {}
    return {"subject.name": person.name, "subject.id_number": person.id_number, "subject.sex": person.sex,
            "subject.birth_date": person.born.isoformat(), "subject.ethnicity": person.ethnicity,
            "subject.hukou_address": person.hukou_address, "subject.community": person.community}


def _birth(birth: BirthRecord | None) -> dict[str, Any]:
    if birth is None:
        return {}
    return {"subject.sex": birth.sex, "subject.birth_date": birth.born.isoformat(),
            "subject.birth_hospital": birth.hospital, "subject.birth_record_number": birth.number,
            "subject.birth_weight_grams": birth.weight_grams, "subject.gestation_weeks": birth.gestation_weeks,
            "subject.delivery_mode": birth.delivery_mode, "family.mother_name": birth.mother_name,
            "family.mother_id_number": birth.mother_id_number}


def _newborn_from_parents(birth: BirthRecord | None, mother: Person | None, father: Person | None) -> dict[str, Any]:
    """A newborn's ethnic group and hukou address follow the parents when both agree."""
    if birth is None or mother is None or father is None:
        return {}
    return {"subject.ethnicity": mother.ethnicity if mother.ethnicity == father.ethnicity else None,
            "subject.hukou_address": mother.hukou_address if mother.hukou_address == father.hukou_address else None}


def _parents(mother: Person | None, father: Person | None) -> dict[str, Any]:
    values: dict[str, Any] = {}
    if father is not None:
        values |= {"family.father_name": father.name, "family.father_id_number": father.id_number}
    if mother is not None and father is not None:
        values["family.parents_marital_status"] = "married" if _parents_married(mother, father) else "unmarried"
    return values


def _death(death: DeathRecord | None) -> dict[str, Any]:
    if death is None:
        return {}
    return {"subject.death_date": death.died.isoformat(), "subject.death_place_type": death.place_type,
            "subject.death_hospital": death.hospital, "subject.death_record_number": death.number,
            "subject.death_cause_category": death.cause_category}


def _spouse(spouse: Person | None) -> dict[str, Any]:
    if spouse is None:
        return {}
    return {"family.spouse_name": spouse.name, "family.spouse_id_number": spouse.id_number}


def _pension(pension: PensionAccount | None) -> dict[str, Any]:
    if pension is None:
        return {}
    return {"subject.employer_name": pension.employer, "subject.pension_account_number": pension.number,
            "subject.contribution_months": pension.contribution_months,
            "subject.retirement_date": pension.retirement_date.isoformat() if pension.retirement_date else None,
            "subject.retirement_type": pension.retirement_type}


def _medical(account: MedicalInsuranceAccount | None) -> dict[str, Any]:
    if account is None:
        return {}
    return {"subject.medical_insurance_number": account.number,
            "subject.medical_contribution_months": account.contribution_months}


def _bank(card: SocialSecurityCard | None) -> dict[str, Any]:
    if card is None:
        return {}
    return {"bank.account_name": card.holder_name, "bank.card_number": card.bank_account, "bank.bank_name": card.bank_name}


def _cards(cards: dict[str, Card]) -> dict[str, Any]:
    keys = {"driving-licence": "subject.driving_licence_number", "disability-card": "subject.disability_card_number",
            "senior-card": "subject.senior_card_number"}
    return {keys[kind]: card.number for kind, card in cards.items() if kind in keys and card.valid}


def _holds(cards: dict[str, Card], kind: str) -> bool:
    card = cards.get(kind)
    return card is not None and card.valid


def _hukou_local(person: Person | None) -> bool | None:
    if person is None or not person.hukou_region:
        return None
    return person.hukou_region.startswith(ZHEJIANG_PREFIX)


def _parents_married(mother: Person | None, father: Person | None) -> bool | None:
    if mother is None or father is None:
        return None
    return mother.marital_status == "married" and mother.spouse_id_number == father.id_number


# ---- assistance, old age, veterans, insurance elsewhere ---------------------------------------

# What civil affairs and veterans affairs supply: a bundle asks them only when it uses one of these
# keys (minimum necessary: the birth bundle never reads a household's means).
CIVIL_KEYS = frozenset({"subject.means_eligible", "subject.spending_hardship", "subject.care_need_assessed",
                        "subject.household_members", "subject.household_monthly_income",
                        "subject.care_assessment_level", "subject.care_assessment_number"})
VETERAN_KEYS = frozenset({"subject.is_veteran", "subject.veteran_resettlement", "subject.veteran_certificate_number",
                          "subject.discharge_date", "subject.service_months", "subject.resettlement_type"})


def _entitlement_facts(r: Records) -> dict[str, tuple[str, Any]]:
    means = eligibility.check_means(r.household_means) if r.household_means else None
    pension_region = r.pension.insured_region if r.pension else None
    medical_region = r.medical_insurance.insured_region if r.medical_insurance else None
    return {
        "subject.means_eligible": (CIVIL, bool(means and means.eligible)),
        "subject.spending_hardship": (CIVIL, bool(means and means.spending_hardship)),
        "subject.care_need_assessed": (CIVIL, eligibility.needs_care_subsidy(
            r.care_assessment.level if r.care_assessment else None)),
        "subject.aged_80_or_over": (POPULATION, _aged(r.subject, r.as_of, eligibility.OLD_AGE_ALLOWANCE_AGE)),
        "subject.is_veteran": (VETERANS, r.veteran is not None),
        "subject.veteran_resettlement": (VETERANS, r.veteran.resettlement if r.veteran else "none"),
        "subject.pension_insured_elsewhere": (SOCIAL, r.pension is not None
                                              and eligibility.insured_elsewhere(pension_region)),
        "subject.medical_insured_elsewhere": (SOCIAL, r.medical_insurance is not None
                                              and eligibility.insured_elsewhere(medical_region)),
        "subject.has_chronic_condition": (SOCIAL, bool(r.medical_insurance and r.medical_insurance.chronic_condition)),
    }


def _aged(person: Person | None, day: date | None, years: int) -> bool | None:
    if person is None or day is None:
        return None
    return eligibility.age_on(person.born, day) >= years


def _household(means: HouseholdMeans | None, assessment: CareAssessment | None) -> dict[str, Any]:
    values: dict[str, Any] = {}
    if means is not None:
        values |= {"subject.household_members": means.members, "subject.household_monthly_income": means.monthly_income}
    if assessment is not None:
        values |= {"subject.care_assessment_level": assessment.level, "subject.care_assessment_number": assessment.number}
    return values


def _veteran(record: VeteranRecord | None) -> dict[str, Any]:
    if record is None:
        return {}
    return {"subject.veteran_certificate_number": record.number, "subject.discharge_date": record.discharged.isoformat(),
            "subject.service_months": record.service_months, "subject.resettlement_type": record.resettlement}


def _elsewhere(pension: PensionAccount | None, medical: MedicalInsuranceAccount | None) -> dict[str, Any]:
    regions = [a.insured_in for a in (pension, medical)
               if a is not None and eligibility.insured_elsewhere(a.insured_region) and a.insured_in]
    return {"subject.previous_insured_in": regions[0] if regions else None,
            "subject.chronic_condition": medical.chronic_condition if medical else None}
# ---- the life-stage bundles: school, work, marriage, home -----------------------------------

def school_entry_year(today: date) -> int:
    """The September in which the coming primary-school year starts (enrolment runs in the spring and
    summer before it)."""
    return today.year if today.month < 9 else today.year + 1


def of_primary_entry_age(born: date | None, today: date) -> bool:
    """Six by 31 August of the entry year (义务教育法 art. 11), or a year older for a child whose entry
    was deferred; nobody else enrols in the first year."""
    if born is None:
        return False
    entry = school_entry_year(today)
    return date(entry - 8, 9, 1) <= born <= date(entry - 6, 8, 31)


def _life_stage_facts(r: Records) -> dict[str, tuple[str, Any]]:
    return {
        "subject.hukou_hangzhou": (POPULATION, _hukou_in(r.subject, HANGZHOU_PREFIX)),
        "family.has_marriage_booking": (POPULATION, r.booking is not None),
        "family.both_unmarried": (POPULATION, _both_unmarried(r)),
        "family.couple_hukou_apart": (POPULATION, _hukou_apart(r)),
        "subject.registered_unemployed": (SOCIAL, r.unemployment is not None),
        "family.home_matches_hukou": (REAL_ESTATE, _home_at_hukou(r.properties, r.subject) is not None
                                      if r.subject is not None else None),
        "applicant.has_purchase_contract": (REAL_ESTATE, _purchase(r.properties) is not None),
    }


def _hukou_in(person: Person | None, prefix: str) -> bool | None:
    if person is None or not person.hukou_region:
        return None
    return person.hukou_region.startswith(prefix)


def _both_unmarried(r: Records) -> bool | None:
    """Neither party of the booking is married now (the registry's side of 无配偶声明)."""
    if r.booking is None or r.applicant is None or r.subject is None:
        return None
    return r.applicant.marital_status != "married" and r.subject.marital_status != "married"


def _hukou_apart(r: Records) -> bool | None:
    """The couple's hukou are in different cities: one of them may move to the other (夫妻投靠)."""
    if r.booking is None or r.applicant is None or r.subject is None:
        return None
    if not r.applicant.hukou_region or not r.subject.hukou_region:
        return None
    return r.applicant.hukou_region[:4] != r.subject.hukou_region[:4]


def _home_at_hukou(properties: tuple[PropertyRecord, ...], person: Person | None) -> PropertyRecord | None:
    """The registered home whose address is the person's hukou address (户房一致, the first enrolment tier)."""
    if person is None or not person.hukou_address:
        return None
    return next((p for p in properties if p.status == "registered" and p.address == person.hukou_address), None)


def _purchase(properties: tuple[PropertyRecord, ...]) -> PropertyRecord | None:
    return next((p for p in properties if p.status == "contracted"), None)


def _booking(booking: MarriageBooking | None) -> dict[str, Any]:
    if booking is None:
        return {}
    return {"family.marriage_booking_number": booking.number, "family.marriage_office": booking.office,
            "family.marriage_date": booking.booked_for.isoformat()}


def _unemployment(record: UnemploymentRecord | None) -> dict[str, Any]:
    if record is None:
        return {}
    return {"subject.unemployment_registration_number": record.number,
            "subject.unemployment_registered_on": record.registered_on.isoformat()}


def _homes(properties: tuple[PropertyRecord, ...], subject: Person | None) -> dict[str, Any]:
    values: dict[str, Any] = {}
    home = _home_at_hukou(properties, subject)
    if home is not None:
        values |= {"family.home_certificate_number": home.number, "family.home_address": home.address}
    bought = _purchase(properties)
    if bought is not None:
        values |= {"subject.property_contract_number": bought.number, "subject.property_address": bought.address,
                   "subject.property_floor_area": bought.floor_area, "subject.property_seller": bought.seller,
                   "subject.property_price_yuan": bought.price_yuan,
                   "subject.property_contract_date": bought.contract_date.isoformat() if bought.contract_date else None}
    return values
