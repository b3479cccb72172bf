"""A resident's burden figures never exceed their bundle's totals, whatever the data sources say.

The bundle page and the home cards show the totals ("up to"); the review and the receipt show the
resident's own figures. Hypothesis draws facts (true, false, a source that was down, odd values),
any set of source-backed fields prefilled and any answers to the questions that decide others,
for every bundle of the shipped catalog, so a bundle added later is checked the same way.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bff.core import burden, forms
from bff.core.catalog import Catalog, FieldDef, default_catalog
from bff.core.prefill import Prefilled

CATALOG = default_catalog()
BEFORE = ("fields_separately", "questions_combined", "materials_separately", "trips_before")


def _values(definition: FieldDef) -> st.SearchStrategy[Any]:
    if definition.choices:
        return st.sampled_from([choice.value for choice in definition.choices])
    return st.booleans() if definition.type == "boolean" else st.just("…")


def _fact_values(catalog: Catalog) -> list[Any]:
    choices = {choice.value for f in catalog.fields.values() for choice in f.choices}
    return [None, True, False, *sorted(choices)]


@st.composite
def applicants(draw: st.DrawFn, catalog: Catalog) -> tuple[dict[str, Any], dict[str, Prefilled], dict[str, Any]]:
    facts = {key: draw(st.sampled_from(_fact_values(catalog))) for key in sorted(catalog.facts)}
    sourced = sorted(key for key, f in catalog.fields.items() if f.source)
    prefill = {key: Prefilled(draw(_values(catalog.fields[key])), str(catalog.fields[key].source))
               for key in draw(st.sets(st.sampled_from(sourced)))}
    answerable = sorted(key for key, f in catalog.fields.items() if f.choices or f.type == "boolean")
    answers = {key: draw(_values(catalog.fields[key])) for key in draw(st.sets(st.sampled_from(answerable)))}
    return facts, prefill, answers


@pytest.mark.parametrize("code", sorted(CATALOG.bundles))
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(applicant=applicants(CATALOG))
def test_a_residents_figures_never_exceed_the_bundles_totals(code, applicant):
    facts, prefill, answers = applicant
    bundle = CATALOG.bundle(code)
    mine = burden.applicant_burden(forms.build_form(CATALOG, bundle, facts, prefill), answers)
    totals = burden.bundle_burden(CATALOG, bundle)
    for figure in BEFORE:
        assert getattr(mine, figure) <= getattr(totals, figure), figure
    assert mine.saved.trips <= totals.saved.trips
    assert mine.saved.materials <= totals.saved.materials
    assert mine.saved.fields <= totals.saved.fields
