"""`flask catalog check DIR` and `flask catalog diff DIR`: what a provincial team runs before a change."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bff.core.catalog import CATALOG_DIR, default_catalog
from tests.api.catalog_cli_helpers import province_copy, run
from tests.core.catalog_files import at, edit
from tests.factories import ApplicationFactory


@pytest.fixture
def catalog_copy(tmp_path: Path) -> Path:
    return province_copy(tmp_path)


def test_the_shipped_catalog_passes_the_check(app):
    code, output = run(app, "check", str(CATALOG_DIR))
    assert code == 0, output
    assert f"valid, version {default_catalog().version}" in output


def test_every_problem_of_a_broken_copy_is_listed_with_its_file_and_line(app, catalog_copy):
    edit(catalog_copy / "items/hukou-cancellation.yaml", "  - subject.death_date", "  - subject.deathdate")
    edit(catalog_copy / "items/senior-card.yaml", "department: civil-affairs", "department: civil")
    edit(catalog_copy / "items/senior-card.yaml", "name: {zh: 老年人优待证, en: Senior card}", "name: {zh: 老年人优待证, en: ''}")
    edit(catalog_copy / "bundles/birth.yaml", "  - item: vaccination-certificate", "  - item: vaccinations")
    edit(catalog_copy / "bundles/after-death.yaml", "subject.has_driving_licence, equals", "subject.has_licence, equals")
    code, output = run(app, "check", str(catalog_copy))
    assert code == 1
    expected = [
        f"{at(catalog_copy, 'items/hukou-cancellation.yaml', 'subject.deathdate')} fields: unknown field key "
        "'subject.deathdate'",
        f"{at(catalog_copy, 'items/senior-card.yaml', 'department: civil')} department: unknown department 'civil'",
        f"{at(catalog_copy, 'items/senior-card.yaml', 'name: {zh: 老年人优待证')} name: needs both zh and en text",
        f"{at(catalog_copy, 'bundles/birth.yaml', 'item: vaccinations')} items[1]: unknown item 'vaccinations'",
        f"{at(catalog_copy, 'bundles/after-death.yaml', 'subject.has_licence')} items[",
    ]
    for problem in expected:
        assert problem in output, (problem, output)
    assert "condition reads unknown key 'subject.has_licence'" in output


def test_a_file_that_is_not_yaml_or_has_the_wrong_shape_is_named_without_a_traceback(app, catalog_copy):
    (catalog_copy / "items/senior-card.yaml").write_text("code: [senior-card\n", encoding="utf-8")
    (catalog_copy / "departments.yaml").write_text("departments:\n  - health\n", encoding="utf-8")
    code, output = run(app, "check", str(catalog_copy))
    assert code == 1
    assert "items/senior-card.yaml:1: -: not valid YAML" in output
    assert "departments.yaml:1: -: has an unexpected shape here" in output
    assert "items/hukou-cancellation.yaml" in output  # the other files are still checked: it names a department
    assert "Traceback" not in output


def test_a_misspelt_key_is_named_at_its_own_line(app, catalog_copy):
    item = catalog_copy / "items/senior-card.yaml"
    edit(item, "time_limit_days: 5", "time_limit_days: 5\ntime_limt: 3")
    code, output = run(app, "check", str(catalog_copy))
    assert code == 1
    assert f"{at(catalog_copy, 'items/senior-card.yaml', 'time_limt')} item: unknown key 'time_limt'" in output


def changed_copy(root: Path) -> None:
    """An item renamed, a field dropped, a time limit and a condition changed, a bundle gone."""
    item = root / "items/vaccination-certificate.yaml"
    edit(item, "name: {zh: 预防接种证, en: Vaccination certificate}", "name: {zh: 电子预防接种证, en: E-vaccination card}")
    edit(item, "  - family.mother_name\n", "")
    edit(item, "time_limit_days: 5", "time_limit_days: 9")
    edit(root / "bundles/after-death.yaml", "{key: subject.has_driving_licence, equals: true}",
         "{key: subject.has_driving_licence, equals: false}")
    (root / "bundles/retirement.yaml").unlink()
    edit(root / "fields.yaml", "label: {zh: 出生医院, en: Hospital of birth}", "label: {zh: 分娩医院, en: Birth hospital}")
    edit(root / "departments.yaml", "name: {zh: 杭州市卫生健康委员会, en: Hangzhou Health Commission}",
         "name: {zh: 杭州市卫健委, en: Hangzhou Health}")


def test_the_diff_shows_what_changes_for_each_bundle_and_its_applications_in_flight(app, catalog_copy):
    ApplicationFactory(bundle="birth", submitted=True)
    ApplicationFactory(bundle="retirement", approved=True)  # finished: not in flight
    changed_copy(catalog_copy)
    code, output = run(app, "diff", str(catalog_copy))
    assert code == 0, output
    lines = output.splitlines()
    assert "~ bundle birth (出生一件事 / " in output
    birth = next(line for line in lines if line.startswith("~ bundle birth"))
    assert birth.endswith("1 application(s) in flight keep the version they were submitted with")
    assert "    ~ item vaccination-certificate" in lines
    assert "        name: 预防接种证 / Vaccination certificate -> 电子预防接种证 / E-vaccination card" in lines
    assert "        fields: -family.mother_name" in lines
    assert "        time limit: 5 -> 9 working days" in lines
    assert any(line.startswith("    condition of driving-licence-cancellation:") for line in lines)
    removed = next(line for line in lines if line.startswith("- bundle retirement"))
    assert removed.endswith("removed; no application in flight")
    assert "~ field subject.birth_hospital: label changed" in lines
    assert "~ department health: name changed" in lines


def test_the_diff_as_json_counts_in_flight_applications(app, catalog_copy):
    ApplicationFactory(bundle="birth", submitted=True)
    changed_copy(catalog_copy)
    code, output = run(app, "diff", "--json", str(catalog_copy))
    assert code == 0, output
    found = json.loads(output)
    assert found["from"] == default_catalog().version
    [birth] = [b for b in found["bundles"]["changed"] if b["code"] == "birth"]
    assert birth["in_flight"] == 1
    assert {"what": "time_limit_days", "before": 5, "after": 9} in birth["items_changed"]["vaccination-certificate"]
    assert [b["code"] for b in found["bundles"]["removed"]] == ["retirement"]


def test_the_diff_against_another_directory_and_an_unchanged_one(app, catalog_copy):
    code, output = run(app, "diff", "--against", str(CATALOG_DIR), str(catalog_copy))
    assert code == 0
    assert output.strip().endswith("no change to bundles, items, fields or departments")


def test_the_diff_from_a_version_nobody_submitted_with_says_so(app, catalog_copy):
    code, output = run(app, "diff", "--from-version", "0123456789ab", str(catalog_copy))
    assert code != 0
    assert "no application was submitted with catalog version 0123456789ab" in output


def test_the_diff_refuses_an_invalid_directory_with_its_problems(app, catalog_copy):
    edit(catalog_copy / "items/senior-card.yaml", "department: civil-affairs", "department: civil")
    code, output = run(app, "diff", str(catalog_copy))
    assert code != 0
    assert "department: unknown department 'civil'" in output
