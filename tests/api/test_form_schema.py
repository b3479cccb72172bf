"""The marshmallow answers schema and the core validation agree, field by field."""

from __future__ import annotations

import pytest

from bff.api.form_schema import answers_schema, load_answers
from bff.core import forms
from bff.core.errors import ValidationFailed
from tests.core.catalog_helpers import RECORDS, TODAY, TYPED, deceased_records, form_for

BAD = {
    **TYPED["after-death"],
    "subject.cremation_date": "2000-01-01",
    "consent.declaration": False,
    "bank.card_number": "6222021234567890129",
    "subject.death_date": "2026-01-01",
    "subject.funeral_home": "paris",
    "subject.nickname": "x",
}


def test_the_schema_reports_exactly_what_the_core_rules_report():
    form = form_for("after-death", deceased_records())
    with pytest.raises(ValidationFailed) as raised:
        load_answers(form, BAD, TODAY)
    assert raised.value.errors == forms.validate_answers(form, BAD, TODAY)
    assert set(raised.value.errors) == {"subject.cremation_date", "consent.declaration", "bank.card_number",
                                        "subject.death_date", "subject.funeral_home", "subject.nickname"}


@pytest.mark.parametrize("code", sorted(RECORDS))
def test_valid_answers_load_to_the_effective_answers(code):
    form = form_for(code, RECORDS[code]())
    assert load_answers(form, TYPED[code], TODAY) == forms.effective_answers(form, TYPED[code])


def test_the_schema_has_one_field_per_question():
    form = form_for("after-death", deceased_records())
    assert set(answers_schema(form, TODAY).fields) == {f.key for f in form.fields}
