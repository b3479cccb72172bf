"""Server-side validation of the combined form: per field, in zh-CN and English."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest

from bff.core import forms, validation
from bff.core.catalog import default_catalog
from bff.core.errors import ValidationFailed
from bff.core.idnumber import make_id_number
from tests.core.catalog_helpers import TODAY, TYPED, deceased_records, form_for, newborn_records, retiree_records

FIELDS = default_catalog().fields


def errors_for(key, value, today=TODAY):
    return [m.en for m in validation.check_value(FIELDS[key], value, today)]


def test_valid_typed_answers_pass_and_read_only_prefill_fills_the_rest():
    answers = forms.check_answers(form_for("after-death", deceased_records()), TYPED["after-death"], TODAY)
    assert answers["subject.name"] == "陈国华" and answers["subject.funeral_home"] == "hangzhou"


def test_errors_are_per_field_in_both_languages():
    form = form_for("after-death", deceased_records())
    with pytest.raises(ValidationFailed) as raised:
        forms.check_answers(form, {**TYPED["after-death"], "consent.declaration": False}, TODAY)
    message = raised.value.errors["consent.declaration"][0]
    assert message.zh == "请阅读并勾选同意。" and message.en == "Please read and tick to agree."


def test_a_missing_required_answer_is_reported():
    errors = forms.validate_answers(form_for("birth", newborn_records()), {}, TODAY)
    assert [m.en for m in errors["subject.name"]] == ["Please answer this question."]


@pytest.mark.parametrize(("value", "expected"), [
    ("33010619920315131", "An ID number has 18 characters; the last may be X."),
    ("330106199203151319", "This ID number's check character is wrong; please check it."),
])
def test_id_numbers_are_checked_by_gb_11643_format_and_checksum(value, expected):
    assert errors_for("applicant.id_number", value) == [expected]


def test_an_id_number_born_in_the_future_is_refused():
    future = make_id_number("330106", TODAY + timedelta(days=30), 131)
    assert errors_for("applicant.id_number", future) == ["The date of birth inside this ID number is not valid."]


def test_a_valid_id_number_passes():
    assert errors_for("applicant.id_number", make_id_number("330106", date(1992, 3, 15), 131)) == []


@pytest.mark.parametrize("value", ["1380000000", "23800000001", "138000000012", "abc"])
def test_mobile_numbers_are_eleven_digits_starting_with_1(value):
    assert errors_for("applicant.mobile", value) == ["Please enter an 11-digit mobile number."]


def test_bank_cards_are_luhn_checked():
    assert errors_for("bank.card_number", "6222021234567890128") == []
    assert errors_for("bank.card_number", "6222021234567890129") == ["This bank card number is not valid; please check it."]
    assert errors_for("bank.card_number", "62220212") == ["A bank card number has 16 to 19 digits."]


def test_luhn():
    assert validation.luhn_ok("4539578763621486") and not validation.luhn_ok("4539578763621487")


def test_a_death_in_the_future_is_refused():
    assert errors_for("subject.death_date", (TODAY + timedelta(days=1)).isoformat()) == ["This date cannot be in the future."]


def test_a_birth_in_the_future_is_refused():
    assert errors_for("subject.birth_date", (TODAY + timedelta(days=1)).isoformat()) == ["This date cannot be in the future."]


def test_a_date_must_be_a_real_date():
    assert errors_for("subject.death_date", "2026-02-30") == ["Please enter a valid date (year-month-day)."]


def test_death_before_birth_is_refused():
    errors = validation.cross_field_errors({"subject.birth_date": "1990-01-01", "subject.death_date": "1989-12-31"}, {}, TODAY)
    assert [m.en for m in errors["subject.death_date"]] == ["The date of death cannot be before the date of birth."]


def test_a_cremation_before_the_death_is_refused():
    form = form_for("after-death", deceased_records())
    answers = {**TYPED["after-death"], "subject.cremation_date": (TODAY - timedelta(days=10)).isoformat()}
    errors = forms.validate_answers(form, answers, TODAY)
    assert [m.en for m in errors["subject.cremation_date"]] == ["The cremation cannot be before the death."]


def test_a_birth_date_must_match_the_id_number():
    number = make_id_number("330106", date(1990, 1, 1), 131)
    errors = validation.cross_field_errors({"subject.id_number": number, "subject.birth_date": "1990-01-02"}, {}, TODAY)
    assert "subject.birth_date" in errors


def test_a_mothers_id_number_must_be_a_womans():
    man = make_id_number("330106", date(1990, 1, 1), 131)
    assert "family.mother_id_number" in validation.cross_field_errors({"family.mother_id_number": man}, {}, TODAY)


def test_a_relation_that_contradicts_the_registry_is_refused():
    records = deceased_records()
    form = form_for("after-death", replace(records, relation=None))  # not prefilled: the resident chooses
    facts_form = forms.CombinedForm(form.bundle, form.decisions, form.sections, {**form.facts,
                                                                                 "applicant.registry_relation": "child"})
    errors = forms.validate_answers(facts_form, {**TYPED["after-death"], "applicant.relation": "spouse"}, TODAY)
    assert errors["applicant.relation"][0].zh == "与户籍登记的亲属关系（子女）不一致。"


def test_a_read_only_prefilled_answer_cannot_be_changed():
    form = form_for("after-death", deceased_records())
    errors = forms.validate_answers(form, {**TYPED["after-death"], "subject.death_date": "2026-01-01"}, TODAY)
    assert errors["subject.death_date"] == [forms.READ_ONLY]


def test_a_correctable_prefilled_answer_may_be_replaced_and_is_validated():
    form = form_for("retirement", retiree_records())
    answers = forms.check_answers(form, {**TYPED["retirement"], "bank.card_number": "4539578763621486"}, TODAY)
    assert answers["bank.card_number"] == "4539578763621486"
    errors = forms.validate_answers(form, {**TYPED["retirement"], "bank.card_number": "4539578763621487"}, TODAY)
    assert "bank.card_number" in errors


def test_an_answer_to_a_question_not_in_the_form_is_refused():
    answers = {**TYPED["retirement"], "subject.funeral_home": "x"}
    errors = forms.validate_answers(form_for("retirement", retiree_records()), answers, TODAY)
    assert "subject.funeral_home" in errors


def test_a_conditional_field_is_required_only_when_asked():
    form = form_for("retirement", retiree_records(applicant=None, subject=None))
    electronic = forms.validate_answers(form, {**TYPED["retirement"], "delivery.method": "electronic"}, TODAY)
    posted = forms.validate_answers(form, {**TYPED["retirement"], "delivery.method": "post"}, TODAY)
    assert "delivery.address" not in electronic and "delivery.address" in posted


def test_names_allow_chinese_letters_and_the_middle_dot_only():
    assert errors_for("subject.name", "阿依古丽·买买提") == []
    assert errors_for("subject.name", "张3") == ["A name may contain only Chinese characters, letters and ‘·’."]


def test_select_answers_must_be_one_of_the_choices():
    assert errors_for("subject.funeral_home", "paris") == ["Please choose one of the options."]


def test_integers_respect_their_bounds():
    assert errors_for("subject.birth_weight_grams", 100) == ["Must be at least 300."]
    assert errors_for("subject.birth_weight_grams", "abc") == ["Please enter a whole number."]
