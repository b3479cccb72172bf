"""ADAPTER (applications → catalog): the little the applications service needs from the catalog.

The catalog (``bff.core.catalog``) and the combined form (``bff.core.forms``,
``bff.services.forms``) belong to the catalog engineer. This module is the only place
applications touch them, so a change of their API is a change here:

- :func:`plan_cases` — the items a submission includes, as plain :class:`CasePlan` values;
- :func:`validation_errors` — the combined form's field errors for the answers;
- :func:`check_bundle` — the bundle exists (raises the catalog's NotFound).

Validation and item inclusion are the catalog's own (``bff.core.forms``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from bff.core import conditions, forms
from bff.core.catalog import Bundle, default_catalog
from bff.core.text import Text


@dataclass(frozen=True)
class CasePlan:
    item: str
    title: Text
    department: str
    time_limit_days: int
    fields: tuple[str, ...]
    result: Text


def catalog_version() -> str:
    return default_catalog().version


def check_bundle(code: str) -> Bundle:
    return default_catalog().bundle(code)


def submission_form(bundle_code: str, facts: Mapping[str, Any] | None = None,
                    prefill: Mapping[str, Any] | None = None) -> forms.CombinedForm:
    """The combined form the submission is checked against.

    Facts and prefill come from the data sources (the catalog engineer's prefill service);
    without them every conditional item is included as unconfirmed and every field is
    asked, which is the conservative reading.
    """
    catalog = default_catalog()
    return forms.build_form(catalog, check_bundle(bundle_code), facts or {}, prefill or {})


def plan_cases(bundle_code: str, answers: Mapping[str, Any], facts: Mapping[str, Any] | None = None) -> list[CasePlan]:
    """One plan per included item, in the bundle's order."""
    form = submission_form(bundle_code, facts)
    return [CasePlan(item.code, item.name, item.department, item.time_limit_days, tuple(item.fields), item.result)
            for item in form.included_items]


def validation_errors(bundle_code: str, answers: Mapping[str, Any],
                      facts: Mapping[str, Any] | None = None, today: date | None = None) -> dict[str, list[Text]]:
    """Field key → messages from the combined form's own validation; empty when submittable."""
    form = submission_form(bundle_code, facts)
    return forms.validate_answers(form, answers, today or date.today())


def field_label(key: str) -> Text:
    definition = default_catalog().fields.get(key)
    return definition.label if definition else Text(key, key)


def department_name(code: str) -> Text:
    department = default_catalog().departments.get(code)
    return department.name if department else Text(code, code)


def _lookup(answers: Mapping[str, Any], facts: Mapping[str, Any] | None) -> conditions.Lookup:
    def lookup(key: str) -> Any:
        if key in answers:
            return answers[key]
        return (facts or {}).get(key)

    return lookup


def mask_answers(answers: Mapping[str, Any]) -> dict[str, Any]:
    """Answers for a response: ``sensitive`` fields masked (ID numbers, bank cards)."""
    from bff.core.pii import mask_bank_account, mask_id_number

    fields = default_catalog().fields
    masked: dict[str, Any] = {}
    for key, value in answers.items():
        definition = fields.get(key)
        if definition is not None and definition.sensitivity == "sensitive" and isinstance(value, str):
            masked[key] = mask_bank_account(value) if definition.type == "bank_card" else mask_id_number(value)
        else:
            masked[key] = value
    return masked
