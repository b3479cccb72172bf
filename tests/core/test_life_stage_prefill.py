"""The facts and prefill of the school, work, marriage and home bundles, from records (pure)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest

from bff.core import burden, forms
from bff.core.catalog import default_catalog
from bff.core.ports import MarriageBooking, PropertyRecord, UnemploymentRecord
from bff.core.prefill import REAL_ESTATE, Records, facts_of, of_primary_entry_age, prefill_values, school_entry_year
from tests.core.catalog_helpers import ADDRESS, TODAY, person

NINGBO = "浙江省宁波市海曙区鼓楼街道公园路88号5幢602室"


def couple(**changes: object) -> Records:
    groom = person("刘洋", "male", date(1995, 2, 17), 721, marital_status="unmarried")
    bride = replace(person("赵静", "female", date(1997, 8, 3), 732, marital_status="unmarried"),
                    hukou_address=NINGBO, hukou_region="330203")
    booking = MarriageBooking("HY0031", "杭州市西湖区婚姻登记处", TODAY + timedelta(days=10), groom.id_number, bride.id_number)
    return replace(Records(applicant=groom, subject=bride, relation="partner", booking=booking), **changes)


def test_a_couple_from_two_cities_may_move_a_hukou_and_both_are_free_to_marry():
    facts = facts_of(couple())
    assert facts["family.couple_hukou_apart"] is True and facts["family.both_unmarried"] is True
    assert facts["family.has_marriage_booking"] is True
    same_city = replace(couple().subject, hukou_region="330105")
    assert facts_of(couple(subject=same_city))["family.couple_hukou_apart"] is False


def test_a_partner_married_to_someone_else_fails_the_registrys_side_of_the_declaration():
    married = replace(couple().subject, marital_status="married")
    assert facts_of(couple(subject=married))["family.both_unmarried"] is False


def test_without_a_booking_the_couple_facts_are_unknown_not_false():
    facts = facts_of(couple(booking=None))
    assert facts["family.couple_hukou_apart"] is None and facts["family.both_unmarried"] is None
    assert facts["family.has_marriage_booking"] is False


def test_the_booking_prefills_the_office_and_the_day():
    values = prefill_values(couple())
    assert values["family.marriage_office"].value == "杭州市西湖区婚姻登记处"
    assert values["family.marriage_date"].value == (TODAY + timedelta(days=10)).isoformat()
    assert values["family.marriage_booking_number"].source == "population-registry"


def school(properties: tuple[PropertyRecord, ...]) -> Records:
    father = person("孙磊", "male", date(1988, 6, 21), 701)
    child = person("孙小雨", "female", date(2021, 3, 14), 702)
    return Records(applicant=father, subject=child, relation="father", properties=properties)


def test_a_title_at_the_childs_hukou_address_is_the_first_tier_and_prefills_the_home():
    title = PropertyRecord("浙（2019）杭州市不动产权第0087654号", "registered", ADDRESS, "330106", "92.16")
    records = school((title,))
    assert facts_of(records)["family.home_matches_hukou"] is True
    assert prefill_values(records)["family.home_certificate_number"].source == REAL_ESTATE


def test_a_home_elsewhere_or_only_a_contract_does_not_match_the_hukou():
    elsewhere = PropertyRecord("浙（2020）杭州市不动产权第0011111号", "registered", "浙江省杭州市拱墅区湖墅南路1号", "330105",
                               "70.00")
    contract = PropertyRecord("杭西网签20260045871", "contracted", ADDRESS, "330106", "89.37", "杭州云栖置业有限公司")
    assert facts_of(school((elsewhere, contract)))["family.home_matches_hukou"] is False
    assert "family.home_certificate_number" not in prefill_values(school((elsewhere,)))


def test_an_unavailable_register_leaves_the_home_facts_unknown_and_prefills_nothing():
    title = PropertyRecord("浙（2019）杭州市不动产权第0087654号", "registered", ADDRESS, "330106", "92.16")
    records = replace(school((title,)), unavailable=frozenset({REAL_ESTATE}))
    facts = facts_of(records)
    assert facts["family.home_matches_hukou"] is None and facts["applicant.has_purchase_contract"] is None
    assert "family.home_address" not in prefill_values(records)


@pytest.mark.parametrize(("registered", "included"), [(True, True), (False, False)])
def test_an_open_unemployment_registration_decides_whether_it_is_closed(registered, included):
    graduate = person("林晓", "female", date(2003, 4, 9), 712)
    record = UnemploymentRecord("SY2026", TODAY - timedelta(days=120), "西湖区公共就业服务中心") if registered else None
    facts = facts_of(Records(applicant=graduate, subject=graduate, relation="self", unemployment=record))
    decisions = {d.item.code: d for d in forms.decide_items(default_catalog().bundle("employment"), facts)}
    assert decisions["unemployment-registration-cancellation"].included is included


def test_unknown_registers_keep_the_loan_in_to_be_confirmed_and_leave_more_to_type():
    buyer = person("吴浩", "male", date(1990, 11, 5), 741)
    records = Records(applicant=buyer, subject=buyer, relation="self", unavailable=frozenset({REAL_ESTATE, "housing-fund"}))
    form = forms.build_form(default_catalog(), default_catalog().bundle("home-purchase"), facts_of(records),
                            prefill_values(records))
    loan = next(d for d in form.decisions if d.item.code == "housing-fund-loan")
    assert loan.included and not loan.confirmed
    assert burden.applicant_burden(form).questions_to_type > burden.bundle_burden(
        default_catalog(), default_catalog().bundle("home-purchase")).questions_to_type


@pytest.mark.parametrize(("born", "enrols"), [
    (date(2021, 8, 31), True),   # six on the last day of August 2027
    (date(2021, 9, 1), False),   # six a day too late: next year
    (date(2019, 9, 1), True),    # seven: a deferred entry
    (date(2019, 8, 31), False),  # eight by the entry: not the first year
    (None, False),
])
def test_who_enrols_in_the_first_year_of_primary_school_in_2027(born, enrols):
    assert of_primary_entry_age(born, date(2026, 12, 7)) is enrols
    assert school_entry_year(date(2027, 8, 31)) == 2027 and school_entry_year(date(2027, 9, 1)) == 2028
