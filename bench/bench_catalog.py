"""Catalog benchmark scenarios for ``bench.run``: public catalog reads and form building per bundle.

Declarative: (name, method, path, headers). Catalog reads run both uncached and as
revalidations (If-None-Match → 304); form building signs in the bundle's demo persona
and builds their prefilled combined form (registry look-ups through the sample registry).
"""

from __future__ import annotations

from typing import Any

from bench.harness import Scenario

DEMO_PERSONAS = {"birth": "zhangwei", "retirement": "lijianguo", "after-death": "chenming"}
# The life-stage bundles: school, work, marriage, home.
DEMO_PERSONAS |= {"school-enrolment": "sunlei", "employment": "linxiao", "marriage": "liuyang",
                  "home-purchase": "wuhao"}


def scenarios(ctx: Any) -> list[tuple[str, str, str, dict[str, str]] | Scenario]:
    from bff.core.catalog import default_catalog

    etag = {"If-None-Match": f'W/"catalog-{default_catalog().version}"'}
    found: list[tuple[str, str, str, dict[str, str]] | Scenario] = [
        ("catalog: categories", "GET", "/api/v1/categories", {}),
        ("catalog: bundles", "GET", "/api/v1/bundles", {}),
        Scenario("catalog: bundles (304 revalidation)", "GET", "/api/v1/bundles", etag, expect=(304,)),
        # The home search as a resident types it (the answer of each query is kept per catalog version).
        ("catalog: search 身后事", "GET", "/api/v1/bundles?q=%E8%BA%AB%E5%90%8E%E4%BA%8B", {}),
        ("catalog: search shs", "GET", "/api/v1/bundles?q=shs", {}),
    ]
    for code, persona_key in DEMO_PERSONAS.items():
        found.append((f"catalog: bundle {code}", "GET", f"/api/v1/bundles/{code}", {}))
        found.append((f"catalog: form {code} ({persona_key})", "GET", f"/api/v1/bundles/{code}/form",
                      ctx.sign_in(persona_key)))
    return found
