"""Proactive rules: who a signal offers to, what an offer shows, what an automatic grant rests on."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

from bff.adapters.prefill.sample import SampleRegistry
from bff.core import conditions
from bff.core import proactive as rules
from bff.core.catalog import default_catalog
from bff.core.ports import LifeEventSignal
from bff.demo import persona
from tests.core.catalog_files import edit, load_error

TODAY = date(2026, 11, 26)
REGISTRY = SampleRegistry(TODAY)


def signal(kind: str, who: str, **extra: object) -> LifeEventSignal:
    return LifeEventSignal(f"t:{kind}", kind, persona(who, TODAY).id_number, 1, TODAY, **extra)  # type: ignore[arg-type]


def test_a_birth_is_offered_to_the_mother_and_her_registered_spouse() -> None:
    mother = REGISTRY.person(persona("wangfang", TODAY).id_number)
    found = rules.recipients_of(signal("birth", "wangfang"), mother, [])
    assert [(r.id_number, r.relation) for r in found] == [
        (persona("wangfang", TODAY).id_number, "mother"), (persona("zhangwei", TODAY).id_number, "father")]


def test_a_death_is_offered_to_the_living_first_order_family_naming_only_the_deceased() -> None:
    number = persona("chenguohua", TODAY).id_number
    found = rules.recipients_of(signal("death", "chenguohua"), REGISTRY.person(number), REGISTRY.relatives(number))
    assert sorted(r.relation for r in found) == ["child", "child", "spouse"]
    assert {r.subject_name for r in found} == {"陈国华"}


def test_no_one_is_offered_anything_about_a_person_the_registry_does_not_know() -> None:
    assert rules.recipients_of(signal("death", "chenguohua"), None, []) == []


def test_signals_about_a_person_apply_in_sequence() -> None:
    assert rules.in_order(None, 1) and rules.in_order(4, 5)
    assert not rules.in_order(5, 5) and not rules.in_order(5, 3)


def test_an_active_case_for_the_subject_wins_over_the_offers_own_state() -> None:
    assert rules.shown_status("open", TODAY, TODAY, None, False) == "open"
    assert rules.shown_status("open", TODAY, date(2026, 11, 27), None, False) == "expired"
    assert rules.shown_status("declined", TODAY, TODAY, None, False) == "declined"
    assert rules.shown_status("open", TODAY, TODAY, "YJ1", True) == "used"
    assert rules.shown_status("declined", TODAY, TODAY, "YJ1", False) == "join"


def test_at_least_compares_numbers_and_unknown_decides_nothing() -> None:
    sixty = {"key": "subject.age", "at_least": 60}
    assert conditions.evaluate(sixty, {"subject.age": 60}.get) is True
    assert conditions.evaluate(sixty, {"subject.age": 59}.get) is False
    assert conditions.evaluate(sixty, {}.get) is None
    assert conditions.evaluate(sixty, {"subject.age": True}.get) is False
    assert conditions.shape_errors({"key": "subject.age", "at_least": "60"}) == ["'at_least' on 'subject.age' needs a number"]


def test_the_senior_card_is_automatic_from_60_and_rests_on_the_facts_its_condition_reads() -> None:
    catalog = default_catalog()
    assert rules.ages_watched(catalog.items.values()) == [60, 80]  # the senior card; the old-age allowance
    facts = {"subject.age": 60, "subject.has_senior_card": False, "subject.hukou_local": True}
    [(item, basis)] = rules.automatic_items_due(catalog.items.values(), facts)
    assert item.code == "senior-card" and basis == facts
    assert rules.automatic_items_due(catalog.items.values(), {**facts, "subject.hukou_local": None}) == []
    assert rules.automatic_items_due(catalog.items.values(), {**facts, "subject.has_senior_card": True}) == []


def test_the_old_age_allowance_is_automatic_from_80_for_a_local_resident() -> None:
    catalog = default_catalog()
    facts = {"subject.age": 80, "subject.has_senior_card": True, "subject.hukou_local": True}
    [(item, basis)] = rules.automatic_items_due(catalog.items.values(), facts)
    assert item.code == "old-age-allowance" and basis == {"subject.age": 80, "subject.hukou_local": True}
    assert rules.automatic_items_due(catalog.items.values(), {**facts, "subject.age": 79}) == []


def test_an_offer_says_how_many_questions_are_left_in_both_languages() -> None:
    text = rules.offer_text("birth", 2)
    assert text.zh == "宝宝的出生信息已登记，出生一件事已为您备好，只需确认 2 项"
    assert text.en.endswith("with only 2 things to confirm")
    assert rules.offer_text("after-death", 1, subject_name="陈国华").zh.startswith("陈国华的离世信息已登记")


def test_an_automatic_condition_on_an_unknown_key_is_refused_at_load(catalog_dir: Path) -> None:
    edit(catalog_dir / "items/senior-card.yaml", "{key: subject.age, at_least: 60}", "{key: subject.agee, at_least: 60}")
    assert re.search(r"items/senior-card\.yaml:\d+: automatic\.when: condition reads unknown key 'subject\.agee'",
                     load_error(catalog_dir))


def test_an_automatic_entry_without_when_is_refused_at_load(catalog_dir: Path) -> None:
    edit(catalog_dir / "items/senior-card.yaml", "automatic:\n  when:", "automatic:\n  if:")
    assert "automatic: must be a mapping with 'when'" in load_error(catalog_dir)


def test_an_offers_notification_title_carries_its_count_and_the_settings_name_it_without_one() -> None:
    from bff.core import notifications

    counted = notifications.title_of("offer_birth", {"questions": 3})
    assert counted.zh == "宝宝的出生信息已登记，出生一件事已为您备好，只需确认 3 项"
    assert notifications.title_of("offer_birth", {}).zh == "出生一件事已为您备好"
    assert all("{" not in notifications.title_of(kind, {}).zh + notifications.title_of(kind, {}).en
               for kind in notifications.KINDS)
    assert notifications.link_for("offer_birth", None, {"offer": 7}) == "/app/offers/7"
