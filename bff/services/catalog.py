"""Public catalog reads: categories, bundles with their items and bundle-level burden figures.

Catalog content is the same for everyone and changes only with a deployment, so the
API serves it with an ETag and public caching; nothing personal is involved.
"""

from __future__ import annotations

from dataclasses import dataclass

from bff.core import burden
from bff.core.catalog import Bundle, Catalog, Category, Department, default_catalog


@dataclass(frozen=True)
class BundleOverview:
    bundle: Bundle
    burden: burden.Burden
    departments: tuple[Department, ...]
    catalog: Catalog


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


def bundle_overview(code: str, catalog: Catalog | None = None) -> BundleOverview:
    """One bundle with its items (eight unifications), departments and typical burden figures."""
    catalog = catalog or default_catalog()
    bundle = catalog.bundle(code)
    codes = dict.fromkeys(item.department for item in bundle.items)
    return BundleOverview(bundle, _burden(catalog, code), tuple(catalog.departments[c] for c in codes), catalog)


_burdens: dict[tuple[str, str], burden.Burden] = {}


def _burden(catalog: Catalog, code: str) -> burden.Burden:
    """Bundle-level figures depend only on the catalog version: computed once per version."""
    key = (catalog.version, code)
    if key not in _burdens:
        _burdens[key] = burden.bundle_burden(catalog, catalog.bundle(code))
    return _burdens[key]
