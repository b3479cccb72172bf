"""The catalog of life-event bundles: fields, departments, service items, bundles, categories.

The catalog is data under ``bff/catalog/`` (YAML; a deployment may serve another directory,
:func:`use_catalog_dir`), validated when loaded; a mistake raises :class:`CatalogError` naming
the file, the line and the key. Adding a bundle is a data change (docs/catalog.md), checked
with ``flask catalog check DIR``; a submitted application keeps reading the version it was
submitted with (``bff.services.catalog_versions``).

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

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bff.core import conditions
from bff.core.catalog_files import CatalogFiles, files_version, read_catalog_files
from bff.core.conditions import Condition
from bff.core.errors import NotFound
from bff.core.search import SearchIndex
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
    """The catalog data is wrong; the message lists every problem as ``file:line: key: what``,
    and ``problems`` holds them one by one."""

    def __init__(self, message: str, problems: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.problems = problems or (message,)


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
class Automatic:
    """免申即享: the item is granted without an application when ``when`` holds on shared data about
    the person (facts such as ``subject.age``), once the person has consented to this item."""

    when: Condition


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
    automatic: Automatic | None = None

    def documents(self) -> dict[str, Text]:
        """The documents a resident may upload for this item, by code: what the law needs when
        shared data cannot supply it, and the materials no fact or earlier item satisfies."""
        found = {spec.code: spec.name for spec in self.uploads}
        for material in self.materials:
            if material.fact is None and material.item is None:
                found.setdefault(material.code, material.name)
        return found

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
class SearchTerms:
    """Words residents use for a bundle besides its name: synonyms, everyday words (生孩子, 丧事)."""

    zh: tuple[str, ...] = ()
    en: tuple[str, ...] = ()


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
    # The facts of a typical applicant, for the bundle's promised critical path.
    typical_facts: dict[str, Any] = field(default_factory=dict)
    search_terms: SearchTerms = SearchTerms()

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
    # Built once at load (bff.core.search), so a search does no pinyin work per request.
    search: SearchIndex = field(default=SearchIndex(), hash=False)

    def bundle(self, code: str) -> Bundle:
        try:
            return self.bundles[code]
        except KeyError:
            raise UnknownBundle(Text("没有这件事。", "There is no such life event."), code="unknown_bundle") from None

    def bundles_in(self, category: str) -> list[Bundle]:
        return [b for b in self.bundles.values() if b.category == category]


class _Live:
    """The live catalog of this process: the directory it is read from, the files read, the catalog."""

    root: Path = CATALOG_DIR
    files: CatalogFiles = {}
    catalog: Catalog | None = None


def default_catalog() -> Catalog:
    """The live catalog (``bff/catalog/`` unless :func:`use_catalog_dir` chose another directory),
    loaded and validated once per process."""
    if _Live.catalog is None:
        files = read_catalog_files(_Live.root)
        _Live.catalog, _Live.files = load_catalog_files(files), files
    return _Live.catalog


def live_catalog_files() -> CatalogFiles:
    """The files the live catalog was loaded from (not re-read: they are what its version names)."""
    default_catalog()
    return _Live.files


def use_catalog_dir(root: Path | None) -> None:
    """Serve the catalog in ``root`` from now on (``None``: the shipped one); read at the next use.

    The app calls it at start with its ``CATALOG_DIR`` setting: a province deploys its own copy."""
    if (root or CATALOG_DIR) != _Live.root:
        _Live.root, _Live.files, _Live.catalog = (root or CATALOG_DIR), {}, None


def load_catalog(root: Path) -> Catalog:
    """Load and validate every file under ``root``; raise CatalogError listing all problems."""
    return load_catalog_files(read_catalog_files(root))


def load_catalog_files(files: CatalogFiles) -> Catalog:
    """Load and validate a catalog given as files (a directory's, or an application's snapshot)."""
    from bff.core.catalog_loader import Loader

    return Loader(files).load()


def check_catalog_dir(root: Path) -> list[str]:
    """Every problem of the catalog in ``root`` as ``file:line: key: what`` (empty: it is valid)."""
    from bff.core.catalog_loader import Loader

    loader = Loader(read_catalog_files(root))
    try:
        loader.load()
    except CatalogError as error:
        return list(error.problems)
    except (AttributeError, TypeError, ValueError) as error:
        # A shape the checks did not foresee (a list where a mapping belongs): still name the file.
        return [*loader.problems, f"{loader.where}:1: -: cannot be read ({type(error).__name__}: {error})"]
    return []


def catalog_version(root: Path) -> str:
    """A content hash of every catalog file: an application records the version it used."""
    return files_version(read_catalog_files(root))


def condition_errors(condition: Any, known: set[str]) -> list[str]:
    problems = conditions.shape_errors(condition)
    if problems:
        return problems
    return [f"condition reads unknown key {key!r}" for key in sorted(conditions.keys_of(condition) - known)]
