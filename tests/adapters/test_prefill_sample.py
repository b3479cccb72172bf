"""The sample registry serves the demo world through the prefill ports."""

from __future__ import annotations

from datetime import date, timedelta

from bff.adapters.prefill import build_prefill_sources
from bff.adapters.prefill.sample import SampleRegistry
from bff.core import ports
from bff.core.idnumber import is_valid_id_number
from bff.core.validation import luhn_ok
from bff.demo import persona

TODAY = date(2026, 11, 26)
REGISTRY = SampleRegistry(TODAY)


def id_of(key: str) -> str:
    return persona(key, TODAY).id_number


def test_the_sample_registry_implements_every_prefill_port():
    for port in (ports.PopulationRegistry, ports.MedicalRecords, ports.SocialInsurance, ports.HousingFund, ports.Licences):
        assert isinstance(REGISTRY, port)


def test_the_default_backend_is_the_sample_registry():
    assert build_prefill_sources({}).name == "sample"


def test_zhang_wei_and_wang_fang_are_married_with_a_baby_born_this_week_in_hospital_and_no_name():
    father, mother = REGISTRY.person(id_of("zhangwei")), REGISTRY.person(id_of("wangfang"))
    assert father.spouse_id_number == mother.id_number and mother.marital_status == "married"
    (birth,) = REGISTRY.births_to(father.id_number)
    assert birth.hospital == "浙江大学医学院附属妇产科医院" and birth.mother_id_number == mother.id_number
    assert TODAY - timedelta(days=7) < birth.born <= TODAY
    assert REGISTRY.births_to(mother.id_number) == [birth]


def test_li_jianguo_retires_next_month_with_thirty_years_of_contributions_and_a_housing_fund():
    pension = REGISTRY.pension_account(id_of("lijianguo"))
    assert pension.contribution_months >= 360
    assert pension.retirement_date.month == (TODAY.month % 12) + 1
    assert REGISTRY.account(id_of("lijianguo")) is not None
    assert REGISTRY.card(id_of("lijianguo"), "senior-card") is None


def test_chen_guohua_died_in_hospital_two_days_ago_with_a_licence_and_senior_card_but_no_disability_card():
    number = id_of("chenguohua")
    death = REGISTRY.death_record(number)
    assert death.died == TODAY - timedelta(days=2) and death.place_type == "hospital"
    assert REGISTRY.card(number, "driving-licence") and REGISTRY.card(number, "senior-card")
    assert REGISTRY.card(number, "disability-card") is None


def test_chen_guohuas_family_is_his_wife_and_two_children_one_in_shanghai():
    family = {r.name: r.relation for r in REGISTRY.relatives(id_of("chenguohua"))}
    assert family == {"刘秀英": "spouse", "陈明": "child", "陈丽": "child"}
    assert REGISTRY.person(id_of("chenming")).hukou_address.startswith("上海市")
    assert REGISTRY.person(id_of("chenguohua")).hukou_address.startswith("浙江省杭州市西湖区")


def test_registry_refs_find_people_without_exposing_id_numbers():
    person = REGISTRY.person(id_of("chenguohua"))
    assert person.ref.startswith("p-") and person.id_number[6:14] not in person.ref
    assert REGISTRY.person_by_ref(person.ref) == person


def test_id_numbers_and_bank_accounts_of_the_sample_world_are_valid():
    for key in ("zhangwei", "wangfang", "lijianguo", "chenming"):
        assert is_valid_id_number(id_of(key), TODAY)
        assert luhn_ok(REGISTRY.social_security_card(id_of(key)).bank_account)


def test_the_name_check_counts_people_with_the_same_name():
    assert REGISTRY.count_named("张子涵") > 0
    assert REGISTRY.count_named("张伟") >= 1
    assert REGISTRY.count_named("张曦月澄") == 0


def test_unknown_people_are_none_not_errors():
    assert REGISTRY.person("110101199001011237") is None
    assert REGISTRY.relatives("110101199001011237") == []
