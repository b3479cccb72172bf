"""Burden figures of bundles, as docs/catalog.md quotes them, from the project's own burden function.

    python scripts/burden_figures.py school-enrolment=sunlei employment=linxiao

For each ``bundle=persona``: the figures of that demo persona's combined form (the sample registry,
as the form page computes them before any answer) and the bundle's totals, the most anyone is
spared (``bundle_burden``, the figures of the bundle page and the home card).
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bff.adapters.prefill import build_prefill_sources  # noqa: E402
from bff.core import burden, forms  # noqa: E402
from bff.core.catalog import default_catalog  # noqa: E402
from bff.core.prefill import facts_of, prefill_values  # noqa: E402
from bff.demo import persona  # noqa: E402
from bff.services.forms import choose_subject, gather_records, subject_options  # noqa: E402


def figures(line: burden.Burden) -> str:
    return (f"fields {line.fields_separately} → {line.questions_combined} → {line.questions_to_type} typed, "
            f"materials {line.materials_separately} → {line.uploads_left} uploads, "
            f"trips {line.trips_before} → {line.trips_after}")


def main(pairs: list[str]) -> None:
    catalog, sources = default_catalog(), build_prefill_sources({})
    for pair in pairs:
        code, _, key = pair.partition("=")
        bundle, number = catalog.bundle(code), persona(key).id_number
        subject = choose_subject(bundle, tuple(subject_options(sources, bundle, number)), None)
        records = gather_records(sources, bundle, number, subject)
        demo = burden.applicant_burden(forms.build_form(catalog, bundle, facts_of(records), prefill_values(records)))
        print(f"{code} ({key}): {figures(demo)}; bundle totals: {figures(burden.bundle_burden(catalog, bundle))}")


if __name__ == "__main__":
    main(sys.argv[1:])
