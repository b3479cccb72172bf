"""The demo world's side of the school, work, marriage and home stories, and who asks the new registers."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

import pytest

from bff.adapters.prefill import build_prefill_sources
from bff.adapters.prefill.sample import SampleRegistry
from bff.core import ports
from bff.core.catalog import default_catalog
from bff.core.idnumber import is_valid_id_number
from bff.core.prefill import REAL_ESTATE, school_entry_year
from bff.demo import life_stage_personas, persona
from bff.services.forms import choose_subject, gather_records, subject_options

TODAY = date(2026, 11, 26)
REGISTRY = SampleRegistry(TODAY)


def test_the_sample_registry_is_also_the_real_estate_register():
    assert isinstance(REGISTRY, ports.RealEstate)
    assert build_prefill_sources({}).real_estate is not None


def test_the_life_stage_people_have_valid_numbers_in_their_ranges():
    for who in life_stage_personas(TODAY):
        assert is_valid_id_number(who.id_number) and 700 <= who.sequence <= 749
        assert 13800000101 <= int(who.mobile) <= 13800000149
        assert (int(who.id_number[16]) % 2 == 1) == (who.sex == "male")


@pytest.mark.parametrize("today", [date(2026, 11, 26), date(2027, 3, 1), date(2027, 8, 31)])
def test_the_daughter_is_six_by_the_end_of_august_of_her_entry_year(today):
    born = persona("sunxiaoyu", today).born
    entry = school_entry_year(today)
    assert date(entry - 7, 8, 31) < born <= date(entry - 6, 8, 31)


def test_both_partners_find_the_same_booking_for_a_day_ahead():
    groom, bride = REGISTRY.marriage_booking(persona("liuyang", TODAY).id_number), \
        REGISTRY.marriage_booking(persona("zhaojing", TODAY).id_number)
    assert groom == bride and groom is not None and groom.booked_for > TODAY
    assert REGISTRY.person(persona("zhaojing", TODAY).id_number).hukou_region == "330203"


class Counting:
    """The sample registry, counting the calls each port method receives."""

    def __init__(self) -> None:
        self.calls: list[str] = []

    def __getattr__(self, name: str) -> Any:
        method = getattr(REGISTRY, name)

        def call(*args: Any) -> Any:
            self.calls.append(name)
            return method(*args)
        return call


@pytest.mark.parametrize("code", ["birth", "retirement", "after-death"])
def test_the_other_bundles_never_ask_the_new_registers(code):
    counting = Counting()
    sources = ports.PrefillSources(counting, counting, counting, counting, counting, counting, counting,  # type: ignore[arg-type]
                                   real_estate=counting)
    key = {"birth": "zhangwei", "retirement": "lijianguo", "after-death": "chenming"}[code]
    bundle, number = default_catalog().bundle(code), persona(key, TODAY).id_number
    gather_records(sources, bundle, number, choose_subject(bundle, tuple(subject_options(sources, bundle, number)), None))
    assert not {"properties", "unemployment_registration", "marriage_booking"} & set(counting.calls)


def test_sources_without_a_real_estate_register_read_it_as_unavailable():
    sources = replace(build_prefill_sources({}), real_estate=None)
    bundle, number = default_catalog().bundle("home-purchase"), persona("wuhao").id_number
    subject = choose_subject(bundle, tuple(subject_options(sources, bundle, number)), None)
    records = gather_records(sources, bundle, number, subject)
    assert REAL_ESTATE in records.unavailable and records.properties == ()
