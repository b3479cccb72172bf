"""The catalog of life-event bundles: fields, departments, service items, bundles, categories.

The catalog is data under ``bff/catalog/`` (YAML), validated when loaded; a
mistake raises :class:`CatalogError` naming the file and the key. Adding a
bundle is a data change (docs/catalog.md).

How to use it (applications, services)::

    from bff.core.catalog import default_catalog

    catalog = default_catalog()            # loaded once, cached; catalog.version is a content hash
    bundle = catalog.bundle("after-death") # raises UnknownBundle (a NotFound) for an unknown code
    for item in bundle.items:              # ServiceItem, in the bundle's order
        item.code, item.department         # department is a code, e.g. "traffic-police"
        item.time_limit_days               # statutory time limit in working days
        item.fields                        # the field keys this item's form declares
    catalog.departments[item.department].name.zh
    catalog.fields["subject.death_date"]   # FieldDef: type, label, validation, source

Deciding which items apply, building the combined form and validating answers
live in :mod:`bff.core.forms`; burden figures in :mod:`bff.core.burden`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from bff.core import conditions
from bff.core.conditions import Condition
from bff.core.errors import NotFound
from bff.core.text import Text

CATALOG_DIR = Path(__file__).resolve().parent.parent / "catalog"
SECTIONS = ("applicant", "subject", "family", "bank", "delivery", "consent")
FIELD_TYPES = ("text", "name", "id_number", "mobile", "date", "integer", "select", "bank_card", "address", "boolean")
SENSITIVITIES = ("public", "personal", "sensitive")
SUBJECT_KINDS = ("newborn", "self", "deceased-relative", "child", "partner")
# What every approval produces: the number of the certificate it issues.
CERTIFICATE_NUMBER = "certificate_number"
PAYEES = ("applicant", "subject", "mother")
CONSENTS = ("heirs",)  # who must agree before an item may pay out: the deceased's first-order heirs
UPLOAD_WHEN = ("declined",)  # when an item asks for a document: its consent was not given


class CatalogError(ValueError):
    """The catalog data is wrong; the message lists every problem as ``file: key: what``."""


class UnknownBundle(NotFound):
    code = "unknown_bundle"


@dataclass(frozen=True)
class Choice:
    value: str
    label: Text


@dataclass(frozen=True)
class FieldDef:
    """One entry of the field dictionary. ``section`` is the key's prefix."""

    key: str
    type: str
    label: Text
    help: Text
    sensitivity: str
    source: str | None = None
    required: bool = True
    max_length: int | None = None
    min: int | None = None
    max: int | None = None
    not_future: bool = False
    must_be_true: bool = False
    choices: tuple[Choice, ...] = ()
    when: Condition | None = None

    @property
    def section(self) -> str:
        return self.key.split(".", 1)[0]


@dataclass(frozen=True)
class FactDef:
    """Shared data that decides which items apply; never asked on the form."""

    key: str
    type: str
    label: Text
    source: str


@dataclass(frozen=True)
class Department:
    code: str
    name: Text
    short: Text


@dataclass(frozen=True)
class Material:
    """A required material. Satisfied without upload by a fact (shared data) or by an
    earlier item's result in the same bundle; otherwise the resident uploads it."""

    code: str
    name: Text
    fact: str | None = None
    item: str | None = None
    when: Condition | None = None


@dataclass(frozen=True)
class UploadSpec:
    """A document the law needs and shared data cannot supply, asked for only ``when`` it applies
    (``declined``: the heirs did not all agree). Everything else stays "三个不提交"."""

    code: str
    name: Text
    when: str


@dataclass(frozen=True)
class Procedure:
    trips_separately: int
    trips_in_bundle: int
    steps: tuple[Text, ...]


@dataclass(frozen=True)
class ServiceItem:
    """One department's service with the eight unifications (八统一)."""

    code: str
    name: Text
    sub_item: Text
    department: str
    legal_basis: tuple[Text, ...]
    materials: tuple[Material, ...]
    procedure: Procedure
    internal_process: tuple[Text, ...]
    time_limit_days: int
    result: Text
    fields: tuple[str, ...]
    corrections: frozenset[str] = frozenset()
    # The item graph (bff.core.graph): items that must be approved first, the data this item's
    # department receives from them ({name: ("item.output", …)}, the first source the application
    # includes), and the named data its own approval produces (besides its certificate_number).
    needs: tuple[str, ...] = ()
    consumes: Mapping[str, tuple[str, ...]] = field(default_factory=dict, hash=False)
    produces: tuple[str, ...] = ()
    # Heirs' consent: ``heirs`` holds the item until every first-order heir agreed (or renounced).
    consent: str | None = None
    # The small-balance path (a signed undertaking, 承诺书, instead of notarisation), up to this sum.
    undertaking_limit_yuan: int | None = None
    uploads: tuple[UploadSpec, ...] = ()

    def allows_correction(self, key: str) -> bool:
        """May the resident correct a prefilled value of ``key`` for this item?"""
        return "*" in self.corrections or key in self.corrections


@dataclass(frozen=True)
class BundleItem:
    item: ServiceItem
    when: Condition | None = None
    reason_in: Text | None = None
    reason_out: Text | None = None


@dataclass(frozen=True)
class Section:
    code: str
    title: Text


@dataclass(frozen=True)
class Bundle:
    code: str
    category: str
    name: Text
    summary: Text
    subject: str
    payee: str
    sections: tuple[Section, ...]
    entries: tuple[BundleItem, ...]
    # The facts of a typical applicant, for the bundle-level burden figures.
    typical_facts: dict[str, Any] = field(default_factory=dict)
    # Fields a typical applicant types although a data source can supply them elsewhere.
    typical_typed: frozenset[str] = frozenset()

    @property
    def items(self) -> tuple[ServiceItem, ...]:
        return tuple(entry.item for entry in self.entries)


@dataclass(frozen=True)
class Category:
    code: str
    name: Text
    summary: Text


@dataclass(frozen=True)
class Catalog:
    version: str
    sources: dict[str, Text]
    fields: dict[str, FieldDef]
    facts: dict[str, FactDef]
    departments: dict[str, Department]
    items: dict[str, ServiceItem]
    bundles: dict[str, Bundle]
    categories: tuple[Category, ...] = field(default=())

    def bundle(self, code: str) -> Bundle:
        try:
            return self.bundles[code]
        except KeyError:
            raise UnknownBundle(Text("没有这件事。", "There is no such life event."), code="unknown_bundle") from None

    def bundles_in(self, category: str) -> list[Bundle]:
        return [b for b in self.bundles.values() if b.category == category]


@lru_cache(maxsize=1)
def default_catalog() -> Catalog:
    """The catalog shipped in ``bff/catalog/``, loaded and validated once per process."""
    return load_catalog(CATALOG_DIR)


def load_catalog(root: Path) -> Catalog:
    """Load and validate every file under ``root``; raise CatalogError listing all problems."""
    from bff.core.catalog_loader import Loader

    return Loader(root).load()


def catalog_version(root: Path) -> str:
    """A content hash of every catalog file: an application records the version it used."""
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*.yaml")):
        digest.update(str(path.relative_to(root)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def read_yaml(path: Path) -> Any:
    with path.open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def condition_errors(condition: Any, known: set[str]) -> list[str]:
    problems = conditions.shape_errors(condition)
    if problems:
        return problems
    return [f"condition reads unknown key {key!r}" for key in sorted(conditions.keys_of(condition) - known)]
