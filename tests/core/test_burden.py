"""Burden figures: separate forms vs the combined form vs what is left to type; materials; trips."""

from __future__ import annotations

import shutil

import pytest

from bff.core import burden, forms
from bff.core.catalog import CATALOG_DIR, default_catalog, load_catalog
from bff.core.prefill import facts_of, prefill_values
from tests.core.catalog_helpers import RECORDS, TYPED, deceased_records, form_for


@pytest.mark.parametrize("code", sorted(RECORDS))
def test_the_demo_cases_type_at_most_a_fifth_of_the_separate_fields_and_upload_nothing(code):
    figures = burden.applicant_burden(form_for(code, RECORDS[code]()))
    assert figures.questions_to_type <= 0.2 * figures.fields_separately
    assert figures.uploads_left == 0
    assert figures.trips_after == 0 < figures.trips_before


@pytest.mark.parametrize("code", sorted(RECORDS))
def test_separate_forms_ask_more_than_the_combined_form_which_asks_more_than_is_left_to_type(code):
    figures = burden.applicant_burden(form_for(code, RECORDS[code]()))
    assert figures.fields_separately > figures.questions_combined > figures.questions_to_type > 0


def test_fields_separately_counts_each_items_asked_fields():
    form = form_for("after-death", deceased_records())
    asked = {f.key for f in forms.asked_fields(form)}
    expected = sum(1 for item in form.included_items for key in item.fields if key in asked)
    assert burden.applicant_burden(form).fields_separately == expected


def test_questions_to_type_are_the_asked_fields_with_no_prefill():
    form = form_for("after-death", deceased_records())
    figures = burden.applicant_burden(form)
    assert figures.questions_to_type == len(TYPED["after-death"])


def test_trips_before_sum_each_items_procedure():
    form = form_for("after-death", deceased_records())
    assert burden.applicant_burden(form).trips_before == sum(i.procedure.trips_separately for i in form.included_items)


def test_a_material_no_source_holds_is_left_to_upload():
    records = deceased_records(death=None)  # a death at home: the police certificate needs an investigation record
    assert burden.applicant_burden(form_for("after-death", records)).uploads_left >= 1


def test_a_conditional_material_counts_once_its_condition_holds(tmp_path):
    # No shipped item has a conditional material any more (the heirs are asked in the app), so the
    # rule is checked on a copy of the catalog whose survivor-benefits item asks for a proof of
    # dependency when the spouse was supported by the deceased.
    root = tmp_path / "catalog"
    shutil.copytree(CATALOG_DIR, root)
    item = root / "items" / "survivor-benefits.yaml"
    text = item.read_text(encoding="utf-8")
    assert "procedure:" in text
    material = ("  - code: dependency-proof\n    name: {zh: 供养关系证明, en: Proof of dependency}\n"
                "    when: {key: family.dependants, equals: spouse}\n")
    item.write_text(text.replace("procedure:", material + "procedure:", 1), encoding="utf-8")
    catalog = load_catalog(root)
    records = deceased_records()
    form = forms.build_form(catalog, catalog.bundle("after-death"), facts_of(records), prefill_values(records))
    unanswered = burden.applicant_burden(form)
    before = burden.applicant_burden(form, {"family.dependants": "none"})
    after = burden.applicant_burden(form, {"family.dependants": "spouse"})
    assert unanswered.uploads_left == before.uploads_left
    assert unanswered.materials_separately == before.materials_separately
    assert after.uploads_left == before.uploads_left + 1
    assert after.materials_separately == before.materials_separately + 1


def test_a_source_that_is_down_leaves_more_to_type():
    normal = burden.applicant_burden(form_for("after-death", deceased_records()))
    degraded = burden.applicant_burden(form_for("after-death", deceased_records(unavailable=frozenset({"medical-records"}))))
    assert degraded.questions_to_type > normal.questions_to_type


# The Civil Code (art. 1049) has both partners register a marriage in person: one trip stays.
TRIPS_THE_LAW_KEEPS = {"marriage": 1}


@pytest.mark.parametrize("code", sorted(default_catalog().bundles))
def test_a_bundles_totals_leave_at_most_a_fifth_to_type_and_no_trip(code):
    catalog = default_catalog()
    figures = burden.bundle_burden(catalog, catalog.bundle(code))
    assert figures.typed_share <= 0.2 and figures.trips_after == TRIPS_THE_LAW_KEEPS.get(code, 0)


def test_a_bundles_totals_count_every_item_that_may_apply():
    catalog = default_catalog()
    bundle = catalog.bundle("after-death")
    totals = burden.bundle_burden(catalog, bundle)
    assert totals.trips_before == sum(item.procedure.trips_separately for item in bundle.items)
    assert totals.fields_separately == sum(len(item.fields) for item in bundle.items)
    # The police's death certificate needs an investigation record no source holds.
    assert totals.uploads_left == 1


def test_the_saved_figures_are_before_minus_after():
    figures = burden.applicant_burden(form_for("after-death", deceased_records()))
    assert figures.saved == burden.Savings(trips=figures.trips_before - figures.trips_after,
                                           materials=figures.materials_separately - figures.uploads_left,
                                           fields=figures.fields_separately - figures.questions_to_type)


def test_the_figures_serialise_with_the_typed_share_and_the_savings():
    data = burden.applicant_burden(form_for("after-death", deceased_records())).as_dict()
    assert set(data) == {"fields_separately", "questions_combined", "questions_to_type", "materials_separately",
                         "uploads_left", "trips_before", "trips_after", "typed_share", "saved"}
    assert set(data["saved"]) == {"trips", "materials", "fields"}
