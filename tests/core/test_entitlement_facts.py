"""From shared data to which items the assistance, medical, old-age, veterans and transfer bundles include."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from bff.core import forms
from bff.core.catalog import default_catalog
from bff.core.ports import (
    CareAssessment,
    HouseholdMeans,
    MedicalInsuranceAccount,
    PensionAccount,
    SocialSecurityCard,
    VeteranRecord,
)
from bff.core.prefill import Records, facts_of, prefill_values
from tests.core.catalog_helpers import TODAY, person

CARD = SocialSecurityCard("S9", "杭州银行", "6222021234567890128", "吴秀兰")


def self_records(name: str, born: date, sequence: int, **changes: object) -> Records:
    who = person(name, "male" if sequence % 2 else "female", born, sequence)
    return replace(Records(applicant=who, subject=who, relation="self", payee_card=CARD, as_of=TODAY), **changes)  # type: ignore[arg-type]


def decisions(bundle: str, records: Records) -> dict[str, forms.ItemDecision]:
    return {d.item.code: d for d in forms.decide_items(default_catalog().bundle(bundle), facts_of(records))}


def test_a_low_income_household_with_heavy_medical_bills_gets_all_three_kinds_of_assistance():
    means = HouseholdMeans(2, 1800, 12000, 0, 0, 15000)
    records = self_records("吴秀兰", date(1978, 6, 21), 752, household_means=means)
    assert all(d.included and d.confirmed for d in decisions("social-assistance", records).values())
    prefill = prefill_values(records)
    assert prefill["subject.household_members"].value == 2 and prefill["subject.household_members"].source == "civil-affairs"


def test_a_household_over_the_limits_is_told_why_the_allowance_is_out():
    records = self_records("吴秀兰", date(1978, 6, 21), 752, household_means=HouseholdMeans(2, 8000, 12000, 0, 1, 0))
    out = decisions("social-assistance", records)
    assert not out["subsistence-allowance"].included and not out["medical-assistance"].included
    assert out["subsistence-allowance"].reason.en.startswith("The household means check shows income or property beyond")
    assert not out["temporary-assistance"].included


def test_when_civil_affairs_cannot_answer_the_assistance_items_are_included_to_be_confirmed():
    records = self_records("吴秀兰", date(1978, 6, 21), 752, unavailable=frozenset({"civil-affairs"}))
    assert all(d.included and not d.confirmed for d in decisions("social-assistance", records).values())


def test_the_old_age_allowance_starts_on_the_80th_birthday_and_the_care_subsidy_follows_the_assessment():
    born = date(1946, 11, 18)
    assessed = CareAssessment("moderate", date(2026, 10, 1), "PG1")
    on_birthday = decisions("old-age-benefits", self_records("刘秀英", born, 422, as_of=date(2026, 11, 18),
                                                             care_assessment=assessed))
    day_before = decisions("old-age-benefits", self_records("刘秀英", born, 422, as_of=date(2026, 11, 17)))
    assert on_birthday["old-age-allowance"].included and on_birthday["elderly-care-subsidy"].included
    assert not day_before["old-age-allowance"].included
    assert day_before["old-age-allowance"].reason.en == "The old-age allowance starts at 80."
    assert not day_before["elderly-care-subsidy"].included and day_before["home-care-services"].included


def test_a_conscript_who_finds_his_own_job_gets_the_grant_and_no_placement():
    veteran = VeteranRecord("TY1", date(2026, 11, 21), 24, "self-employment")
    chosen = decisions("veteran-resettlement", self_records("王磊", date(2003, 8, 14), 755, veteran=veteran))
    assert chosen["veteran-self-employment-grant"].included and not chosen["veteran-job-placement"].included
    assert chosen["veteran-job-placement"].reason.zh == "您选择自主就业，不安排工作。"
    placed = decisions("veteran-resettlement", self_records("王磊", date(2003, 8, 14), 755,
                                                            veteran=replace(veteran, resettlement="job-placement")))
    assert placed["veteran-job-placement"].included and not placed["veteran-self-employment-grant"].included


def test_insurance_held_in_shanghai_is_transferred_and_insurance_held_here_is_not():
    pension = PensionAccount("YL9", "上海陆家嘴金融服务有限公司", 156, None, insured_region="310115", insured_in="上海市浦东新区")
    medical = MedicalInsuranceAccount("YB9", "employee", 156)
    records = self_records("林晓燕", date(1991, 4, 27), 756, pension=pension, medical_insurance=medical)
    chosen = decisions("insurance-transfer", records)
    assert chosen["pension-insurance-transfer"].included and not chosen["medical-insurance-transfer"].included
    assert prefill_values(records)["subject.previous_insured_in"].value == "上海市浦东新区"


def test_a_chronic_disease_in_the_claims_brings_its_certification_into_treatment_elsewhere():
    medical = MedicalInsuranceAccount("YB8", "employee", 400, chronic_condition="糖尿病")
    with_condition = decisions("treatment-elsewhere", self_records("孙建华", date(1958, 3, 9), 753, medical_insurance=medical))
    without = decisions("treatment-elsewhere", self_records("孙建华", date(1958, 3, 9), 753,
                                                           medical_insurance=replace(medical, chronic_condition=None)))
    assert with_condition["chronic-disease-certification"].included
    assert not without["chronic-disease-certification"].included and without["treatment-elsewhere-filing"].included
