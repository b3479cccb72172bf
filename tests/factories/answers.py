"""Answers that pass the combined form's validation: a plausible value for every field type."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from typing import Any

from bff.core.catalog import FieldDef
from bff.core.forms import CombinedForm, asked_fields
from bff.core.idnumber import make_id_number

TODAY = date.today()
BORN = TODAY - timedelta(days=2)


def _luhn_complete(prefix: str) -> str:
    for last in "0123456789":
        digits = prefix + last
        total = sum((int(c) * (2 if i % 2 else 1)) - (9 if int(c) * (2 if i % 2 else 1) > 9 else 0)
                    for i, c in enumerate(reversed(digits)))
        if total % 10 == 0:
            return digits
    raise AssertionError


def value_for(definition: FieldDef) -> Any:
    """A valid answer to ``definition`` (ID numbers checksum-valid, bank cards Luhn-valid)."""
    key, kind = definition.key, definition.type
    if kind == "id_number":
        if "mother" in key:
            return make_id_number("330106", date(1994, 7, 20), 242)
        if key.startswith("subject."):
            return make_id_number("330106", BORN, 131)
        return make_id_number("330106", date(1992, 3, 15), 131)
    if kind == "name":
        return "张伟"
    if kind == "mobile":
        return "13800000001"
    if kind == "bank_card":
        return _luhn_complete("622202020011223344")
    if kind == "date":
        return (TODAY - timedelta(days=1) if "cremation" in key else BORN).isoformat()
    if kind == "integer":
        return max(definition.min or 1, 1)
    if kind == "select":
        return definition.choices[0].value
    if kind == "boolean":
        return True
    return "浙江省杭州市西湖区文三路1号"


def answers_for(form: CombinedForm, given: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """``given`` completed with an answer to every asked field that ``form`` does not prefill."""
    answers: dict[str, Any] = dict(given or {})
    for _ in range(3):  # conditional fields appear as answers arrive
        for form_field in asked_fields(form, answers):
            if form_field.prefilled is None:
                answers.setdefault(form_field.key, value_for(form_field.definition))
    return answers
