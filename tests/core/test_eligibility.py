"""The rules shared data decides: the household means check, age, care need, insurance held elsewhere."""

from __future__ import annotations

from datetime import date

import pytest

from bff.core.eligibility import MeansStandard, age_on, check_means, insured_elsewhere, needs_care_subsidy
from bff.core.ports import HouseholdMeans

STANDARD = MeansStandard(monthly_per_person=1300)


def household(**changes: int) -> HouseholdMeans:
    values = {"members": 2, "monthly_income": 1800, "financial_assets": 12000, "homes": 0, "vehicles": 0,
              "medical_self_paid": 0} | changes
    return HouseholdMeans(**values)


def test_a_household_below_the_standard_with_little_property_is_eligible():
    check = check_means(household(), STANDARD)
    assert check.income_per_person == 900 and check.below_standard and check.within_property_limits
    assert check.eligible and check.problems == ()


def test_income_per_person_at_the_standard_is_not_below_it_and_says_so_in_both_languages():
    check = check_means(household(monthly_income=2600), STANDARD)
    assert not check.below_standard and not check.eligible and check.within_property_limits
    assert check.problems[0].zh == "家庭月人均收入1300元，不低于低保标准1300元。"
    assert check.problems[0].en == "Monthly income per person is 1300 yuan, not below the standard of 1300 yuan."


def test_financial_assets_above_24_months_of_the_standard_per_person_rule_a_household_out():
    limit = 1300 * 24 * 2
    assert check_means(household(financial_assets=limit), STANDARD).eligible
    over = check_means(household(financial_assets=limit + 1), STANDARD)
    assert over.below_standard and not over.within_property_limits and not over.eligible
    assert over.problems[0].en == f"Financial assets exceed the limit of {limit} yuan."


@pytest.mark.parametrize(("changes", "problem"), [
    ({"homes": 2}, "The household owns 2 homes."),
    ({"vehicles": 1}, "The household owns a motor vehicle."),
])
def test_property_beyond_basic_need_rules_a_household_out(changes, problem):
    check = check_means(household(**changes), STANDARD)
    assert not check.eligible and [p.en for p in check.problems] == [problem]


def test_every_limit_a_household_is_over_is_listed_income_first():
    check = check_means(household(monthly_income=9000, homes=3, vehicles=2), STANDARD)
    assert [p.en.split()[0] for p in check.problems] == ["Monthly", "The", "The"]


def test_self_paid_medical_costs_above_half_a_years_income_are_a_spending_hardship():
    yearly = 1800 * 12
    assert not check_means(household(medical_self_paid=yearly // 2), STANDARD).spending_hardship
    assert check_means(household(medical_self_paid=yearly // 2 + 1), STANDARD).spending_hardship
    # Hardship is about spending, not income: a household above the standard can still be in it.
    richer = check_means(household(monthly_income=4000, medical_self_paid=30000), STANDARD)
    assert richer.spending_hardship and not richer.eligible


def test_a_household_with_no_income_and_no_medical_costs_is_eligible_but_not_in_spending_hardship():
    check = check_means(household(monthly_income=0), STANDARD)
    assert check.eligible and not check.spending_hardship


def test_a_household_of_nobody_is_refused():
    with pytest.raises(ValueError, match="at least one member"):
        check_means(household(members=0), STANDARD)


@pytest.mark.parametrize(("day", "age"), [
    (date(2026, 11, 17), 79), (date(2026, 11, 18), 80), (date(2027, 1, 1), 80),
])
def test_age_counts_whole_years_to_the_birthday(day, age):
    assert age_on(date(1946, 11, 18), day) == age


def test_someone_born_on_29_february_turns_a_year_older_on_1_march():
    assert age_on(date(1944, 2, 29), date(2024, 2, 28)) == 79
    assert age_on(date(1944, 2, 29), date(2025, 3, 1)) == 81


@pytest.mark.parametrize(("level", "subsidised"), [
    ("intact", False), ("mild", False), ("moderate", True), ("severe", True), (None, False)])
def test_the_care_subsidy_follows_a_moderate_or_severe_assessment(level, subsidised):
    assert needs_care_subsidy(level) is subsidised


@pytest.mark.parametrize(("region", "elsewhere"), [
    (None, False), ("330106", False), ("330100", False), ("310115", True), ("330201", True)])
def test_insurance_is_held_elsewhere_when_another_city_holds_it(region, elsewhere):
    assert insured_elsewhere(region) is elsewhere
