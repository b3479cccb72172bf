"""Public catalog reads: categories, bundles with their items and bundle-level burden figures.

Catalog content is the same for everyone and changes only with a deployment, so the
API serves it with an ETag and public caching; nothing personal is involved.
"""

from __future__ import annotations

from dataclasses import dataclass

from bff.core import burden, forms, graph, search
from bff.core.catalog import Bundle, Catalog, Category, Department, default_catalog


@dataclass(frozen=True)
class BundleOverview:
    bundle: Bundle
    burden: burden.Burden
    departments: tuple[Department, ...]
    catalog: Catalog
    critical_path_days: int = 0


@dataclass(frozen=True)
class CategoryOverview:
    category: Category
    bundles: tuple[str, ...]


def list_categories(catalog: Catalog | None = None) -> list[CategoryOverview]:
    """The ten life-cycle categories, each with the codes of its bundles."""
    catalog = catalog or default_catalog()
    return [CategoryOverview(c, tuple(b.code for b in catalog.bundles_in(c.code))) for c in catalog.categories]


def list_bundles(catalog: Catalog | None = None) -> list[BundleOverview]:
    catalog = catalog or default_catalog()
    return [bundle_overview(code, catalog) for code in sorted(catalog.bundles)]


def search_bundles(query: str, category: str | None = None,
                   catalog: Catalog | None = None) -> list[BundleOverview]:
    """The bundles a resident's words find (names, everyday words, pinyin, item and category
    names), best first, within ``category`` when one is given; the index was built at load."""
    catalog = catalog or default_catalog()
    hits = search.rank(catalog.search, search.check_query(query))
    return [bundle_overview(hit.code, catalog) for hit in hits
            if category is None or catalog.bundle(hit.code).category == category]


def search_key(query: str) -> str:
    """The words a query searches for: two queries with the same key find the same bundles."""
    return " ".join(search.query_words(search.check_query(query)))


def bundle_overview(code: str, catalog: Catalog | None = None) -> BundleOverview:
    """One bundle with its items (eight unifications), departments and typical burden figures."""
    catalog = catalog or default_catalog()
    bundle = catalog.bundle(code)
    codes = dict.fromkeys(item.department for item in bundle.items)
    return BundleOverview(bundle, _burden(catalog, code), tuple(catalog.departments[c] for c in codes), catalog,
                          _critical_path_days(catalog, code))


_critical_paths: dict[tuple[str, str], int] = {}


def _critical_path_days(catalog: Catalog, code: str) -> int:
    """The bundle's promise for a typical applicant (its typical facts decide the items), computed
    once per catalog version."""
    key = (catalog.version, code)
    if key not in _critical_paths:
        bundle = catalog.bundle(code)
        included = [decision.item.code for decision in forms.decide_items(bundle, bundle.typical_facts)
                    if decision.included]
        needs = graph.within({item.code: item.needs for item in bundle.items}, included)
        _critical_paths[key] = graph.critical_path_days(needs, {item.code: item.time_limit_days
                                                                for item in bundle.items})
    return _critical_paths[key]


_burdens: dict[tuple[str, str], burden.Burden] = {}


def _burden(catalog: Catalog, code: str) -> burden.Burden:
    """Bundle-level figures depend only on the catalog version: computed once per version."""
    key = (catalog.version, code)
    if key not in _burdens:
        _burdens[key] = burden.bundle_burden(catalog, catalog.bundle(code))
    return _burdens[key]
