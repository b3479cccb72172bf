"""Catalog mistakes are caught at load, each named by file and key."""

from __future__ import annotations

from bff.core.catalog import default_catalog, load_catalog
from tests.core.catalog_files import at, edit, load_error


def test_a_copy_of_the_shipped_catalog_loads(catalog_dir):
    copy = load_catalog(catalog_dir)
    assert set(copy.items) == set(default_catalog().items) and set(copy.bundles) == set(default_catalog().bundles)


def test_a_misspelt_field_key_in_an_item_names_the_file_and_key(catalog_dir):
    edit(catalog_dir / "items/hukou-cancellation.yaml", "  - subject.death_date", "  - subject.deathdate")
    place = at(catalog_dir, "items/hukou-cancellation.yaml", "- subject.deathdate")
    assert f"{place} fields: unknown field key 'subject.deathdate'" in load_error(catalog_dir)


def test_an_unknown_department_is_refused(catalog_dir):
    edit(catalog_dir / "items/senior-card.yaml", "department: civil-affairs", "department: civil")
    place = at(catalog_dir, "items/senior-card.yaml", "department: civil")
    assert f"{place} department: unknown department 'civil'" in load_error(catalog_dir)


def test_a_missing_english_text_is_refused(catalog_dir):
    edit(catalog_dir / "items/senior-card.yaml", "name: {zh: 老年人优待证, en: Senior card}", "name: {zh: 老年人优待证}")
    place = at(catalog_dir, "items/senior-card.yaml", "name: {zh: 老年人优待证}")
    assert f"{place} name: needs both zh and en text" in load_error(catalog_dir)


def test_a_time_limit_must_be_positive_working_days(catalog_dir):
    edit(catalog_dir / "items/senior-card.yaml", "time_limit_days: 5", "time_limit_days: 0")
    assert "time_limit_days: must be a positive number of working days" in load_error(catalog_dir)


def test_a_bundle_naming_an_unknown_item_is_refused(catalog_dir):
    edit(catalog_dir / "bundles/birth.yaml", "  - item: vaccination-certificate", "  - item: vaccinations")
    place = at(catalog_dir, "bundles/birth.yaml", "- item: vaccinations")
    assert f"{place} items[1]: unknown item 'vaccinations'" in load_error(catalog_dir)


def test_a_condition_on_an_unknown_fact_is_refused(catalog_dir):
    edit(catalog_dir / "bundles/after-death.yaml", "subject.has_driving_licence, equals", "subject.has_licence, equals")
    assert "condition reads unknown key 'subject.has_licence'" in load_error(catalog_dir)


def test_a_malformed_condition_is_refused(catalog_dir):
    edit(catalog_dir / "bundles/after-death.yaml", "{key: subject.has_driving_licence, equals: true}",
         "{key: subject.has_driving_licence, equals: true, in: [true]}")
    assert "needs exactly one of equals, not_equals, in, present" in load_error(catalog_dir)


def test_an_unknown_key_in_an_item_is_refused_as_a_typo(catalog_dir):
    edit(catalog_dir / "items/senior-card.yaml", "time_limit_days: 5", "time_limit_days: 5\ntime_limt: 3")
    assert "unknown key 'time_limt'" in load_error(catalog_dir)


def test_a_field_type_must_be_known(catalog_dir):
    edit(catalog_dir / "fields.yaml", "type: bank_card", "type: bankcard")
    place = at(catalog_dir, "fields.yaml", "bank.card_number:")
    assert f"{place} fields.bank.card_number: unknown type 'bankcard'" in load_error(catalog_dir)


def test_a_field_source_must_be_a_declared_source(catalog_dir):
    edit(catalog_dir / "fields.yaml", "source: housing-fund\n    validation", "source: fund\n    validation")
    assert "unknown source 'fund'" in load_error(catalog_dir)


def test_a_correction_must_name_one_of_the_items_fields(catalog_dir):
    edit(catalog_dir / "items/senior-card.yaml", "corrections: [delivery.recipient",
         "corrections: [bank.card_number, delivery.recipient")
    assert "corrections: 'bank.card_number' is not one of this item's fields" in load_error(catalog_dir)


def test_a_material_satisfied_by_an_unknown_item_is_refused(catalog_dir):
    edit(catalog_dir / "items/pension-claim.yaml", "satisfied_by: {item: retirement-approval}", "satisfied_by: {item: approval}")
    assert "satisfied by unknown item 'approval'" in load_error(catalog_dir)


def test_an_item_file_name_must_match_its_code(catalog_dir):
    (catalog_dir / "items/senior-card.yaml").rename(catalog_dir / "items/senior.yaml")
    place = at(catalog_dir, "items/senior.yaml", "code: senior-card")
    assert f"{place} code: must equal the file name 'senior'" in load_error(catalog_dir)


def test_all_problems_are_reported_together(catalog_dir):
    edit(catalog_dir / "items/senior-card.yaml", "department: civil-affairs", "department: civil")
    edit(catalog_dir / "items/pension-claim.yaml", "time_limit_days: 20", "time_limit_days: -1")
    message = load_error(catalog_dir)
    assert "senior-card.yaml" in message and "pension-claim.yaml" in message


def test_a_new_bundle_is_a_data_change(catalog_dir):
    (catalog_dir / "bundles/marriage.yaml").write_text(
        "code: marriage\ncategory: marriage\nname: {zh: 婚育一件事, en: Getting married}\n"
        "summary: {zh: 结婚后的事项, en: After marrying}\nsubject: self\npayee: applicant\n"
        "sections:\n  - {code: applicant, title: {zh: 申请人, en: You}}\n  - {code: subject, title: {zh: 本人, en: You}}\n"
        "  - {code: consent, title: {zh: 承诺, en: Declaration}}\n"
        "items:\n  - item: death-medical-certificate\n  - item: death-certificate-police\n"
        "  - item: senior-card-cancellation\n", encoding="utf-8")
    catalog = load_catalog(catalog_dir)
    assert [b.code for b in catalog.bundles_in("marriage")] == ["marriage"]
