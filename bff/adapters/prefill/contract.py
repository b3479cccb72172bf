"""The prefill JSON contract (docs/prefill-contract.md) in one place: operations and record codecs.

Both sides use it: :mod:`bff.adapters.prefill.http` (the client) and
:func:`answer`, a reference server-side dispatcher that serves any
:class:`~bff.core.ports.PrefillSources` over the contract (the tests run it in
front of the sample registry; a data-sharing gateway can mirror it).
"""

from __future__ import annotations

import dataclasses
from datetime import date
from typing import Any

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
    PrefillSources,
    PropertyRecord,
    Relative,
    SocialSecurityCard,
    UnemploymentRecord,
    VeteranRecord,
)

DATE_FIELDS = {"born", "died", "retirement_date", "checked_on", "assessed_on", "discharged", "booked_for",
               "registered_on", "contract_date"}

# operation -> (source code, port attribute, method, parameter names, record type, returns a list)
OPERATIONS: dict[str, tuple[str, str, str, tuple[str, ...], type | None, bool]] = {
    "population.person": ("population-registry", "population", "person", ("id_number",), Person, False),
    "population.person_by_ref": ("population-registry", "population", "person_by_ref", ("ref",), Person, False),
    "population.relatives": ("population-registry", "population", "relatives", ("id_number",), Relative, True),
    "population.count_named": ("population-registry", "population", "count_named", ("name",), None, False),
    "medical.births_to": ("medical-records", "medical", "births_to", ("parent_id_number",), BirthRecord, True),
    "medical.death_record": ("medical-records", "medical", "death_record", ("id_number",), DeathRecord, False),
    "social.pension_account": ("social-insurance", "social_insurance", "pension_account", ("id_number",), PensionAccount, False),
    "social.medical_insurance": ("social-insurance", "social_insurance", "medical_insurance", ("id_number",),
                                 MedicalInsuranceAccount, False),
    "social.social_security_card": ("social-insurance", "social_insurance", "social_security_card", ("id_number",),
                                    SocialSecurityCard, False),
    "housing.account": ("housing-fund", "housing_fund", "account", ("id_number",), HousingFundAccount, False),
    "licences.card": ("licences", "licences", "card", ("id_number", "kind"), Card, False),
    "civil.household_means": ("civil-affairs", "civil_affairs", "household_means", ("id_number",), HouseholdMeans, False),
    "civil.care_assessment": ("civil-affairs", "civil_affairs", "care_assessment", ("id_number",), CareAssessment, False),
    "veterans.veteran": ("veterans-records", "veterans", "veteran", ("id_number",), VeteranRecord, False),
    # The life-stage bundles (school, work, marriage, home).
    "population.marriage_booking": ("population-registry", "population", "marriage_booking", ("id_number",),
                                    MarriageBooking, False),
    "social.unemployment_registration": ("social-insurance", "social_insurance", "unemployment_registration",
                                         ("id_number",), UnemploymentRecord, False),
    "real_estate.properties": ("real-estate", "real_estate", "properties", ("id_number",), PropertyRecord, True),
}


def encode(value: Any) -> Any:
    """A record, list of records, or plain value as JSON-ready data (dates as ISO strings)."""
    if isinstance(value, list):
        return [encode(v) for v in value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {k: (v.isoformat() if isinstance(v, date) else v) for k, v in dataclasses.asdict(value).items()}
    return value


def decode(record_type: type | None, data: Any, many: bool) -> Any:
    """JSON data back into records; unknown keys are ignored so the server may add fields."""
    if record_type is None or data is None:
        return data
    if many:
        return [decode(record_type, item, False) for item in data]
    names = {f.name for f in dataclasses.fields(record_type)}
    values = {k: (date.fromisoformat(v) if k in DATE_FIELDS and v else v) for k, v in data.items() if k in names}
    return record_type(**values)


def answer(sources: PrefillSources, operation: str, params: dict[str, Any]) -> dict[str, Any]:
    """Serve one contract call from ``sources``: ``{"result": …}`` (KeyError for an unknown operation)."""
    _source, attribute, method, names, _type, _many = OPERATIONS[operation]
    port = getattr(sources, attribute)
    return {"result": encode(getattr(port, method)(*(params[name] for name in names)))}
