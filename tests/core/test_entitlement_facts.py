"""From shared data to which items the assistance, medical, old-age, veterans and transfer bundles include."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from bff.core import forms
from bff.core.catalog import default_catalog
from bff.core.ports import HouseholdMeans, PensionAccount
from bff.core.prefill import Records, facts_of, prefill_values
from tests.core.catalog_helpers import (
    RECORDS,
    assistance_records,
    elderly_records,
    mover_records,
    treatment_records,
    veteran_records,
)

NEW_BUNDLES = ("social-assistance", "treatment-elsewhere", "old-age-benefits", "veteran-resettlement",
               "insurance-transfer")


def decisions(bundle: str, records: Records) -> dict[str, forms.ItemDecision]:
    return {d.item.code: d for d in forms.decide_items(default_catalog().bundle(bundle), facts_of(records))}


def included(bundle: str, records: Records) -> set[str]:
    return {code for code, d in decisions(bundle, records).items() if d.included}


def test_each_demo_case_is_decided_from_shared_data_with_nothing_left_to_confirm():
    for bundle in NEW_BUNDLES:
        assert all(d.confirmed for d in decisions(bundle, RECORDS[bundle]()).values()), bundle


def test_a_low_income_household_with_heavy_medical_bills_gets_all_three_kinds_of_assistance():
    records = assistance_records()
    assert included("social-assistance", records) == {"subsistence-allowance", "temporary-assistance",
                                                      "medical-assistance"}
    members = prefill_values(records)["subject.household_members"]
    assert members.value == 2 and members.source == "civil-affairs"


def test_a_household_over_the_limits_is_told_why_the_allowance_is_out():
    out = decisions("social-assistance", assistance_records(household_means=HouseholdMeans(2, 8000, 12000, 0, 1, 0)))
    assert not out["subsistence-allowance"].included and not out["medical-assistance"].included
    assert out["subsistence-allowance"].reason.en.startswith("The household means check shows income or property beyond")
    assert not out["temporary-assistance"].included


def test_when_civil_affairs_cannot_answer_the_assistance_items_are_included_to_be_confirmed():
    records = assistance_records(unavailable=frozenset({"civil-affairs"}))
    assert all(d.included and not d.confirmed for d in decisions("social-assistance", records).values())


def test_the_old_age_allowance_starts_on_the_80th_birthday():
    on_birthday = decisions("old-age-benefits", elderly_records(as_of=date(2026, 11, 18)))
    day_before = decisions("old-age-benefits", elderly_records(as_of=date(2026, 11, 17)))
    assert on_birthday["old-age-allowance"].included and not day_before["old-age-allowance"].included
    assert day_before["old-age-allowance"].reason.en == "The old-age allowance starts at 80."


def test_the_care_subsidy_follows_the_assessment_and_a_held_senior_card_is_not_issued_again():
    assessed = decisions("old-age-benefits", elderly_records())
    assert assessed["elderly-care-subsidy"].included and not assessed["senior-card"].included
    unassessed = elderly_records(care_assessment=None)
    assert included("old-age-benefits", unassessed) == {"old-age-allowance", "home-care-services"}


def test_a_conscript_who_finds_his_own_job_gets_the_grant_and_no_placement():
    chosen = decisions("veteran-resettlement", veteran_records())
    assert chosen["veteran-self-employment-grant"].included and not chosen["veteran-job-placement"].included
    assert chosen["veteran-job-placement"].reason.zh == "您选择自主就业，不安排工作。"
    record = veteran_records().veteran
    placed = included("veteran-resettlement", veteran_records(veteran=replace(record, resettlement="job-placement")))
    assert "veteran-job-placement" in placed and "veteran-self-employment-grant" not in placed


def test_insurance_held_in_shanghai_is_transferred_and_insurance_held_here_is_not():
    records = mover_records()
    assert included("insurance-transfer", records) == {"pension-insurance-transfer", "medical-insurance-transfer"}
    assert prefill_values(records)["subject.previous_insured_in"].value == "上海市浦东新区"
    here = mover_records(pension=PensionAccount("YL9", "杭州西溪数字科技有限公司", 156, None, insured_region="330106"))
    assert included("insurance-transfer", here) == {"medical-insurance-transfer"}


def test_a_chronic_disease_in_the_claims_brings_its_certification_into_treatment_elsewhere():
    assert "chronic-disease-certification" in included("treatment-elsewhere", treatment_records())
    medical = replace(treatment_records().medical_insurance, chronic_condition=None)
    assert included("treatment-elsewhere", treatment_records(medical_insurance=medical)) == {"treatment-elsewhere-filing"}
