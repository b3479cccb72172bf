"""Burden figures: what one combined application saves the resident.

Every screen that shows them (the home cards, the bundle page, the review, the receipt) reads
the figures computed here and the ``saved`` numbers derived here; the PWA does no arithmetic of
its own, so no two screens can disagree.

For a bundle and an applicant the figures compare doing each item separately with doing them
together:

- ``fields_separately``: questions across the separate item forms (a field asked by three
  items counts three times);
- ``questions_combined``: distinct questions in the combined form;
- ``questions_to_type``: of those, the ones left for the resident after prefill;
- ``materials_separately`` vs ``uploads_left``: materials the items require vs those no data
  source or earlier item in the bundle satisfies;
- ``trips_before`` (sum of each item's in-person trips) vs ``trips_after`` (the most any
  included item still needs, since one hall visit serves them all).

:func:`applicant_burden` measures one resident's built form. :func:`bundle_burden` gives the
bundle's totals, the most anyone can be spared: every item that may apply, every field and
material any item may ask for, every source-backed field prefilled, every material a source or
an item of the bundle can supply supplied. So a resident's "before" figures and savings never
exceed the bundle's (``tests/core/test_burden_bounds.py`` checks it for every bundle).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

from bff.core import forms
from bff.core.catalog import Bundle, Catalog, ServiceItem


@dataclass(frozen=True)
class Savings:
    """What the combined application spares: trips, materials to hand in, questions to answer."""

    trips: int
    materials: int
    fields: int


@dataclass(frozen=True)
class Burden:
    fields_separately: int
    questions_combined: int
    questions_to_type: int
    materials_separately: int
    uploads_left: int
    trips_before: int
    trips_after: int

    @property
    def typed_share(self) -> float:
        """Questions left to type as a share of the separate forms' fields."""
        return self.questions_to_type / self.fields_separately if self.fields_separately else 0.0

    @property
    def saved(self) -> Savings:
        return Savings(trips=max(self.trips_before - self.trips_after, 0),
                       materials=max(self.materials_separately - self.uploads_left, 0),
                       fields=max(self.fields_separately - self.questions_to_type, 0))

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "typed_share": round(self.typed_share, 3), "saved": asdict(self.saved)}


def applicant_burden(form: forms.CombinedForm, answers: Mapping[str, Any] | None = None) -> Burden:
    """The figures for this applicant's form, before (or with) their answers."""
    answers = answers or {}
    items = form.included_items
    asked = {f.key: f for f in forms.asked_fields(form, answers)}
    materials = forms.material_statuses(form, answers)
    return Burden(
        fields_separately=sum(1 for item in items for key in item.fields if key in asked),
        questions_combined=len(asked),
        questions_to_type=sum(1 for f in asked.values() if f.prefilled is None),
        materials_separately=len(materials),
        uploads_left=sum(1 for m in materials if m.requested),
        trips_before=sum(item.procedure.trips_separately for item in items),
        trips_after=max((item.procedure.trips_in_bundle for item in items), default=0),
    )


def bundle_burden(catalog: Catalog, bundle: Bundle) -> Burden:
    """The bundle's totals: the most any applicant can be spared (see the module's docstring).

    ``trips_after`` counts only the items every application includes, since the conditional
    ones may all be left out: a resident's ``trips_after`` is at least that, and their
    ``trips_before`` at most the sum over every item.
    """
    items = bundle.items
    codes = {item.code for item in items}
    keys = dict.fromkeys(key for item in items for key in item.fields)
    materials = [material for item in items for material in item.materials]
    always = [entry.item for entry in bundle.entries if entry.when is None]
    return Burden(
        fields_separately=sum(len(item.fields) for item in items),
        questions_combined=len(keys),
        questions_to_type=sum(1 for key in keys if not catalog.fields[key].source),
        materials_separately=len(materials),
        uploads_left=sum(1 for m in materials if m.fact is None and m.item not in codes),
        trips_before=sum(item.procedure.trips_separately for item in items),
        trips_after=max((item.procedure.trips_in_bundle for item in always), default=0),
    )


def items_summary(items: tuple[ServiceItem, ...]) -> dict[str, int]:
    """Departments and the longest statutory time limit of the items (for headlines)."""
    return {"items": len(items), "departments": len({i.department for i in items}),
            "longest_time_limit_days": max((i.time_limit_days for i in items), default=0)}
