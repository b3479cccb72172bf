"""The combined form: items in or out with reasons, each field once, sections, prefill, minimum necessary."""

from __future__ import annotations

from dataclasses import replace

import pytest

from bff.core import forms
from bff.core.catalog import default_catalog
from bff.core.ports import DeathRecord
from bff.core.prefill import facts_of
from tests.core.catalog_helpers import RECORDS, TODAY, TYPED, deceased_records, form_for, newborn_records, retiree_records


def decisions(form):
    return {d.item.code: d for d in form.decisions}


def test_no_driving_licence_item_when_the_deceased_had_no_licence_and_the_reason_says_so():
    form = form_for("after-death", deceased_records(cards={}))
    decision = decisions(form)["driving-licence-cancellation"]
    assert not decision.included and decision.confirmed
    assert decision.reason.zh == "逝者没有机动车驾驶证，无需注销。"
    assert "driving-licence-cancellation" not in {i.code for i in form.included_items}


def test_the_demo_deceased_needs_licence_and_senior_card_cancellation_but_no_disability_card_one():
    included = {i.code for i in form_for("after-death", deceased_records()).included_items}
    assert {"driving-licence-cancellation", "senior-card-cancellation"} <= included
    assert "disability-card-cancellation" not in included


def test_a_death_in_hospital_is_certified_by_health_and_elsewhere_by_public_security():
    in_hospital = {i.code: i.department for i in form_for("after-death", deceased_records()).included_items}
    assert in_hospital["death-medical-certificate"] == "health" and "death-certificate-police" not in in_hospital
    death = deceased_records().death
    at_home = deceased_records(death=replace(death, place_type="home", hospital=None))
    elsewhere = {i.code: i.department for i in form_for("after-death", at_home).included_items}
    assert elsewhere["death-certificate-police"] == "public-security" and "death-medical-certificate" not in elsewhere


def test_an_item_whose_source_is_down_is_included_unconfirmed():
    form = form_for("after-death", deceased_records(unavailable=frozenset({"licences"})))
    decision = decisions(form)["driving-licence-cancellation"]
    assert decision.included and not decision.confirmed
    assert "部门办理时将核实" in decision.reason.zh


def test_an_unconditional_item_is_always_in_with_that_reason():
    decision = decisions(form_for("birth", newborn_records()))["birth-registration"]
    assert decision.included and decision.reason == forms.ALWAYS


def test_maternity_benefits_only_when_the_mother_is_insured():
    assert "maternity-benefits" in {i.code for i in form_for("birth", newborn_records()).included_items}
    uninsured = form_for("birth", newborn_records(mother_pension=None))
    assert "maternity-benefits" not in {i.code for i in uninsured.included_items}


@pytest.mark.parametrize("code", sorted(RECORDS))
def test_the_form_is_the_union_of_the_included_items_fields_each_asked_once(code):
    form = form_for(code, RECORDS[code]())
    keys = [f.key for f in form.fields]
    assert len(keys) == len(set(keys))
    assert set(keys) == {key for item in form.included_items for key in item.fields}


@pytest.mark.parametrize("code", sorted(RECORDS))
def test_fields_sit_in_their_sections_in_the_bundle_order(code):
    form = form_for(code, RECORDS[code]())
    order = [s.code for s in default_catalog().bundle(code).sections]
    assert [s.code for s in form.sections] == [c for c in order if c in {s.code for s in form.sections}]
    for section in form.sections:
        assert all(f.key.startswith(section.code + ".") for f in section.fields)


def test_the_after_death_form_has_applicant_deceased_family_bank_and_consent_sections():
    form = form_for("after-death", deceased_records())
    assert [s.code for s in form.sections] == ["applicant", "subject", "family", "bank", "consent"]
    assert form.sections[1].title.zh == "逝者信息"


def test_a_prefilled_answer_carries_its_source_and_is_read_only():
    form = form_for("after-death", deceased_records())
    death_date = form.field("subject.death_date")
    assert death_date.prefilled.value == deceased_records().death.died.isoformat()
    assert death_date.prefilled.source == "medical-records" and death_date.read_only


def test_a_prefilled_bank_account_may_be_corrected_because_every_item_using_it_allows_it():
    bank = form_for("after-death", deceased_records()).field("bank.card_number")
    assert bank.prefilled.source == "social-insurance" and not bank.read_only


def test_a_field_nobody_holds_is_not_prefilled():
    assert form_for("birth", newborn_records()).field("subject.name").prefilled is None


def test_the_place_of_death_is_asked_only_for_a_death_outside_hospital():
    form = form_for("after-death", deceased_records())
    asked = {f.key for f in forms.asked_fields(form)}
    assert "subject.death_hospital" in asked and "subject.death_place_address" not in asked
    death = deceased_records().death
    at_home = form_for("after-death", deceased_records(death=replace(death, place_type="home", hospital=None)))
    asked = {f.key for f in forms.asked_fields(at_home)}
    assert "subject.death_place_address" in asked and "subject.death_hospital" not in asked


def test_the_postal_address_is_asked_only_when_documents_are_posted():
    form = form_for("retirement", retiree_records())
    assert "delivery.address" in {f.key for f in forms.asked_fields(form, {"delivery.method": "post"})}
    assert "delivery.address" not in {f.key for f in forms.asked_fields(form, {"delivery.method": "electronic"})}


@pytest.mark.parametrize("code", sorted(RECORDS))
def test_every_item_receives_only_the_fields_it_declares(code):
    form = form_for(code, RECORDS[code]())
    answers = forms.check_answers(form, TYPED[code], TODAY)
    for item in form.included_items:
        sent = forms.fields_for_item(item, answers)
        assert set(sent) <= set(item.fields), item.code
        assert set(sent) == {k for k in item.fields if k in answers}


def test_every_item_of_the_catalog_receives_only_its_fields_from_a_full_answer_set():
    catalog = default_catalog()
    everything = {key: f"value-of-{key}" for key in catalog.fields}
    for item in catalog.items.values():
        assert forms.fields_for_item(item, everything) == {key: f"value-of-{key}" for key in item.fields}


def test_facts_from_a_deceased_record():
    facts = facts_of(deceased_records())
    assert facts["subject.died_in_hospital"] is True and facts["subject.has_driving_licence"] is True
    assert facts["subject.has_disability_card"] is False and facts["applicant.registry_relation"] == "child"


def test_no_death_record_means_not_in_hospital_and_a_police_certificate():
    facts = facts_of(deceased_records(death=None))
    assert facts["subject.died_in_hospital"] is False


def test_the_newborn_takes_the_parents_ethnicity_and_address_only_when_they_agree():
    records = newborn_records()
    assert form_for("birth", records).field("subject.ethnicity").prefilled.value == "han"
    other = newborn_records(father=replace(records.father, ethnicity="hui"))
    assert form_for("birth", other).field("subject.ethnicity").prefilled is None


def test_a_death_record_prefills_its_own_source_even_when_the_registry_is_down():
    records = deceased_records(unavailable=frozenset({"population-registry"}))
    form = form_for("after-death", records)
    assert form.field("subject.death_date").prefilled.source == "medical-records"
    assert form.field("subject.name").prefilled is None


def test_decisions_keep_the_bundle_order():
    form = form_for("after-death", deceased_records(death=DeathRecord("X", "1", TODAY, "home", None, "disease")))
    assert [d.item.code for d in form.decisions] == [i.code for i in default_catalog().bundle("after-death").items]


def test_a_material_is_requested_only_when_nothing_satisfies_it():
    statuses = forms.material_statuses(form_for("after-death", deceased_records(death=None)))
    requested = {(s.item.code, s.material.code) for s in statuses if s.requested}
    assert ("death-certificate-police", "death-investigation") in requested
    satisfied = {(s.item.code, s.material.code): s.satisfied_by for s in statuses if not s.requested}
    assert satisfied[("hukou-cancellation", "hukou-book")] == "population-registry"


def test_a_material_from_an_earlier_item_counts_only_when_that_item_is_in_the_bundle():
    statuses = forms.material_statuses(form_for("birth", newborn_records()))
    by_key = {(s.item.code, s.material.code): s.satisfied_by for s in statuses}
    assert by_key[("birth-registration", "birth-medical-certificate")] == "item:birth-medical-certificate"
