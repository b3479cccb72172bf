"""Burden figures: what one combined application saves the resident.

For a bundle and an applicant the figures compare doing each item separately with
doing them together:

- ``fields_separately``: questions across the separate item forms (a field asked by
  three items counts three times);
- ``questions_combined``: distinct questions in the combined form;
- ``questions_to_type``: of those, the ones left for the resident after prefill;
- ``materials_separately`` vs ``uploads_left``: materials the items require vs those
  no data source or earlier item in the bundle satisfies;
- ``trips_before`` (sum of each item's in-person trips) vs ``trips_after`` (the most
  any included item still needs, since one hall visit serves them all).

:func:`applicant_burden` measures a built form; :func:`bundle_burden` measures a
typical applicant (the bundle's ``typical_facts``, every field with a data source
prefilled) for the public catalog pages.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

from bff.core import forms
from bff.core.catalog import Bundle, Catalog, ServiceItem
from bff.core.prefill import Prefilled


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

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "typed_share": round(self.typed_share, 3)}


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
    """The figures for a typical applicant: typical facts, every source-backed field prefilled."""
    facts = dict.fromkeys(catalog.facts, True) | {"applicant.registry_relation": "child"} | bundle.typical_facts
    prefill = {key: Prefilled(_typical_value(catalog, key), definition.source)
               for key, definition in catalog.fields.items() if definition.source and key not in bundle.typical_typed}
    return applicant_burden(forms.build_form(catalog, bundle, facts, prefill))


def _typical_value(catalog: Catalog, key: str) -> Any:
    choices = catalog.fields[key].choices
    return choices[0].value if choices else "…"


def items_summary(items: tuple[ServiceItem, ...]) -> dict[str, int]:
    """Departments and the longest statutory time limit of the items (for headlines)."""
    return {"items": len(items), "departments": len({i.department for i in items}),
            "longest_time_limit_days": max((i.time_limit_days for i in items), default=0)}
