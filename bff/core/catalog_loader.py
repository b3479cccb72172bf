"""Reads the catalog YAML into :mod:`bff.core.catalog` objects, collecting every problem.

Each problem is reported as ``<file>:<line>: <key>: <what is wrong>`` and all of them are
raised together in one :class:`~bff.core.catalog.CatalogError` (its ``problems`` hold them
one by one), so a catalog author fixes every file in one pass (``flask catalog check``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any

import yaml

from bff.core import graph, search
from bff.core.catalog import (
    CERTIFICATE_NUMBER,
    CONSENTS,
    FIELD_TYPES,
    PAYEES,
    SECTIONS,
    SENSITIVITIES,
    SUBJECT_KINDS,
    UPLOAD_WHEN,
    Automatic,
    Bundle,
    BundleItem,
    Catalog,
    CatalogError,
    Category,
    Choice,
    Department,
    FactDef,
    FieldDef,
    Material,
    Procedure,
    SearchTerms,
    Section,
    ServiceItem,
    UploadSpec,
    condition_errors,
)
from bff.core.catalog_files import CatalogFiles, KeyLines, files_version, parse_yaml
from bff.core.text import Text

FIELD_KEYS = {"type", "label", "help", "sensitivity", "source", "validation", "choices", "when"}
VALIDATION_KEYS = {"required", "max_length", "min", "max", "not_future", "must_be_true"}
ITEM_KEYS = {"code", "name", "sub_item", "department", "legal_basis", "materials", "procedure",
             "internal_process", "time_limit_days", "result", "fields", "corrections", "needs", "consumes",
             "produces", "consent", "undertaking_limit_yuan", "uploads", "automatic"}
OUTPUT_NAME = re.compile(r"^[a-z][a-z0-9_]{0,59}$")
UPLOAD_KEYS = {"code", "name", "when"}
BUNDLE_KEYS = {"code", "category", "name", "summary", "subject", "payee", "sections", "items", "typical_facts",
               "search_terms"}


class Loader:
    def __init__(self, files: CatalogFiles) -> None:
        self.files = files
        self.problems: list[str] = []
        self.where = ""
        self.lines: dict[str, KeyLines] = {}

    # ---- reporting -------------------------------------------------------------
    def problem(self, key: str, what: str, at: str | None = None) -> None:
        """``file:line: key: what``; the line is that of ``at`` (default: ``key``) in the file."""
        lines = self.lines.get(self.where)
        line = lines.line(at if at is not None else key) if lines else 1
        self.problems.append(f"{self.where}:{line}: {key}: {what}")

    def read(self, relative: str) -> Any:
        self.where = relative
        text = self.files.get(relative)
        if text is None:
            self.problem("-", "file is missing")
            return {}
        try:
            raw, self.lines[relative] = parse_yaml(text)
        except yaml.YAMLError as error:
            self.problem("-", f"not valid YAML ({error})")
            return {}
        raw = raw or {}
        if not isinstance(raw, Mapping):
            self.problem("-", "must be a mapping of keys to values")
            return {}
        return raw

    def text(self, raw: Any, key: str) -> Text:
        if isinstance(raw, Mapping) and isinstance(raw.get("zh"), str) and isinstance(raw.get("en"), str) \
                and raw["zh"].strip() and raw["en"].strip():
            return Text(raw["zh"], raw["en"])
        self.problem(key, "needs both zh and en text")
        return Text("", "")

    def texts(self, raw: Any, key: str) -> tuple[Text, ...]:
        if not isinstance(raw, list) or not raw:
            self.problem(key, "needs a non-empty list of {zh, en} texts")
            return ()
        return tuple(self.text(entry, f"{key}[{i}]") for i, entry in enumerate(raw))

    def unknown_keys(self, raw: Mapping[str, Any], allowed: set[str], key: str) -> None:
        """``key`` is where ``raw`` sits ("item" and "bundle": the whole file)."""
        for extra in sorted(set(raw) - allowed):
            at = str(extra) if key in ("item", "bundle") else f"{key}.{extra}"
            self.problem(key, f"unknown key {extra!r} (allowed: {', '.join(sorted(allowed))})", at)

    # ---- the whole catalog -----------------------------------------------------
    def load(self) -> Catalog:
        raw_fields = self.read("fields.yaml")
        sources = self.guarded({}, lambda: {code: self.text(raw, f"sources.{code}")
                                            for code, raw in (raw_fields.get("sources") or {}).items()})
        facts = self.guarded({}, lambda: self.facts(raw_fields.get("facts") or {}, sources))
        fields = self.guarded({}, lambda: self.fields(raw_fields.get("fields") or {}, sources))
        for key in sorted(set(fields) & set(facts)):
            self.problem(key, "is both a field and a fact")
        self.guarded(None, lambda: self.check_field_conditions(fields, set(fields) | set(facts)))
        raw_departments = self.read("departments.yaml").get("departments") or {}
        departments = self.guarded({}, lambda: self.departments(raw_departments))
        raw_categories = self.read("categories.yaml").get("categories") or []
        categories = self.guarded((), lambda: self.categories(raw_categories))
        known = set(fields) | set(facts)
        items = self.items(departments, fields, known)
        bundles = self.bundles(items, {c.code for c in categories}, known)
        if self.problems:
            raise CatalogError("catalog is invalid:\n  " + "\n  ".join(self.problems), tuple(self.problems))
        return Catalog(files_version(self.files), sources, fields, facts, departments, items, bundles, categories,
                       search_index(bundles, categories))

    def guarded(self, default: Any, read: Callable[..., Any], *args: Any) -> Any:
        """``read()``, or ``default`` with a problem when the file has a shape no check foresaw
        (a list where a mapping belongs): the other files are still checked and reported."""
        try:
            return read(*args)
        except (AttributeError, TypeError, ValueError, KeyError) as error:
            self.problem("-", f"has an unexpected shape here ({type(error).__name__}: {error})")
            return default

    # ---- fields.yaml -----------------------------------------------------------
    def facts(self, raw: Mapping[str, Any], sources: dict[str, Text]) -> dict[str, FactDef]:
        facts = {}
        for key, spec in raw.items():
            if spec.get("source") not in sources:
                self.problem(f"facts.{key}", f"unknown source {spec.get('source')!r}")
            facts[key] = FactDef(key, str(spec.get("type", "boolean")), self.text(spec.get("label"), f"facts.{key}.label"),
                                 str(spec.get("source")))
        return facts

    def fields(self, raw: Mapping[str, Any], sources: dict[str, Text]) -> dict[str, FieldDef]:
        return {key: self.field(key, spec or {}, sources) for key, spec in raw.items()}

    def field(self, key: str, spec: Mapping[str, Any], sources: dict[str, Text]) -> FieldDef:
        where = f"fields.{key}"
        self.unknown_keys(spec, FIELD_KEYS, where)
        if key.split(".", 1)[0] not in SECTIONS or "." not in key:
            self.problem(where, f"key must start with a section: {', '.join(SECTIONS)}")
        if spec.get("type") not in FIELD_TYPES:
            self.problem(where, f"unknown type {spec.get('type')!r} (one of {', '.join(FIELD_TYPES)})")
        if spec.get("sensitivity") not in SENSITIVITIES:
            self.problem(where, f"sensitivity must be one of {', '.join(SENSITIVITIES)}")
        if spec.get("source") is not None and spec["source"] not in sources:
            self.problem(where, f"unknown source {spec['source']!r}")
        rules = spec.get("validation") or {}
        self.unknown_keys(rules, VALIDATION_KEYS, f"{where}.validation")
        choices = self.choices(spec.get("choices"), spec.get("type"), where)
        return FieldDef(key, str(spec.get("type")), self.text(spec.get("label"), f"{where}.label"),
                        self.text(spec.get("help"), f"{where}.help"), str(spec.get("sensitivity")),
                        spec.get("source"), bool(rules.get("required", True)), rules.get("max_length"),
                        rules.get("min"), rules.get("max"), bool(rules.get("not_future", False)),
                        bool(rules.get("must_be_true", False)), choices, spec.get("when"))

    def choices(self, raw: Any, kind: Any, where: str) -> tuple[Choice, ...]:
        if kind != "select":
            if raw:
                self.problem(where, "only select fields have choices")
            return ()
        if not isinstance(raw, list) or not raw:
            self.problem(where, "a select field needs choices")
            return ()
        return tuple(Choice(str(c.get("value")), self.text(c, f"{where}.choices[{i}]")) for i, c in enumerate(raw))

    def check_field_conditions(self, fields: dict[str, FieldDef], known: set[str]) -> None:
        for key, definition in fields.items():
            if definition.when is not None:
                for what in condition_errors(definition.when, known):
                    self.problem(f"fields.{key}.when", what)

    # ---- departments, categories -----------------------------------------------
    def departments(self, raw: Mapping[str, Any]) -> dict[str, Department]:
        return {code: Department(code, self.text(spec.get("name"), f"{code}.name"), self.text(spec.get("short"), f"{code}.short"))
                for code, spec in raw.items()}

    def categories(self, raw: list[Any]) -> tuple[Category, ...]:
        result = tuple(Category(str(c.get("code")), self.text(c.get("name"), f"categories[{i}].name"),
                                self.text(c.get("summary"), f"categories[{i}].summary")) for i, c in enumerate(raw))
        if len({c.code for c in result}) != len(result):
            self.problem("categories", "codes must be unique")
        return result

    # ---- items/*.yaml ------------------------------------------------------------
    def items(self, departments: dict[str, Department], fields: dict[str, FieldDef], known: set[str]) -> dict[str, ServiceItem]:
        items = {}
        for relative in self.folder("items"):
            raw = self.read(relative)
            item = self.guarded(None, self.item_of, raw, departments, fields, known)
            if item is None:
                continue
            stem = relative.removeprefix("items/").removesuffix(".yaml")
            if item.code != stem:
                self.problem("code", f"must equal the file name {stem!r}")
            items[item.code] = item
        for item in items.values():
            self.where = f"items/{item.code}.yaml"
            for material in item.materials:
                if material.item is not None and material.item not in items:
                    self.problem(f"materials.{material.code}", f"satisfied by unknown item {material.item!r}")
        self.check_graph(items)
        return items

    def folder(self, name: str) -> list[str]:
        """The relative paths of the YAML files directly in ``name``, in name order."""
        return sorted(relative for relative in self.files
                      if relative.startswith(f"{name}/") and relative.endswith(".yaml") and relative.count("/") == 1)

    # ---- the item graph ------------------------------------------------------------
    def check_graph(self, items: dict[str, ServiceItem]) -> None:
        """Needs name known items and make no cycle; a consumed output comes from a needed item that
        produces it; a material satisfied by another item's result is a need of this item."""
        for item in items.values():
            self.where = f"items/{item.code}.yaml"
            for i, needed in enumerate(item.needs):
                if needed not in items:
                    self.problem(f"needs[{i}]", f"needs unknown item {needed!r}")
                elif needed == item.code:
                    self.problem(f"needs[{i}]", "an item cannot need itself")
            for name, sources in item.consumes.items():
                for source in sources:
                    what = consumed_source_problem(source, item, items)
                    if what:
                        self.problem(f"consumes.{name}", what)
            for material in item.materials:
                if material.item is not None and material.item in items and material.item not in item.needs:
                    self.problem("materials", f"material {material.code!r} is satisfied by "
                                 f"{material.item!r}, which is not in needs")
        cycle = graph.find_cycle({code: [n for n in i.needs if n in items] for code, i in items.items()})
        if cycle:
            self.where = f"items/{cycle[0]}.yaml"
            self.problem("needs", f"needs go round in a cycle: {' -> '.join(cycle)}")

    def item_of(self, raw: Mapping[str, Any], departments: dict[str, Department], fields: dict[str, FieldDef],
                known: set[str]) -> ServiceItem:
        return replace(self.item(raw, departments, fields, known), **self.consent_rules(raw),
                       automatic=self.automatic(raw.get("automatic"), known))

    def item(self, raw: Mapping[str, Any], departments: dict[str, Department], fields: dict[str, FieldDef],
             known: set[str]) -> ServiceItem:
        self.unknown_keys(raw, ITEM_KEYS, "item")
        if raw.get("department") not in departments:
            self.problem("department", f"unknown department {raw.get('department')!r}")
        keys = tuple(raw.get("fields") or ())
        if not keys:
            self.problem("fields", "an item declares at least one field")
        for i, key in enumerate(keys):
            if key not in fields:
                self.problem("fields", f"unknown field key {key!r}", f"fields[{i}]")
        if len(set(keys)) != len(keys):
            self.problem("fields", "a field is listed twice")
        corrections = frozenset(raw.get("corrections") or ())
        for key in sorted(corrections - set(keys) - {"*"}):
            self.problem("corrections", f"{key!r} is not one of this item's fields")
        limit = raw.get("time_limit_days")
        if not isinstance(limit, int) or limit <= 0:
            self.problem("time_limit_days", "must be a positive number of working days")
        needs, consumes, produces = self.graph_keys(raw)
        return ServiceItem(str(raw.get("code")), self.text(raw.get("name"), "name"), self.text(raw.get("sub_item"), "sub_item"),
                           str(raw.get("department")), self.texts(raw.get("legal_basis"), "legal_basis"),
                           self.materials(raw.get("materials") or [], known), self.procedure(raw.get("procedure") or {}),
                           self.texts(raw.get("internal_process"), "internal_process"), int(limit or 0),
                           self.text(raw.get("result"), "result"), keys, corrections, needs, consumes, produces)

    def graph_keys(self, raw: Mapping[str, Any]) -> tuple[tuple[str, ...], dict[str, tuple[str, ...]],
                                                          tuple[str, ...]]:
        """``needs`` (item codes), ``consumes`` (name: "item.output" or a list of alternatives) and
        ``produces`` (output names), in shape; what they name is checked once every item is read."""
        needs, consumes, produces = raw.get("needs") or [], raw.get("consumes") or {}, raw.get("produces") or []
        if not isinstance(needs, list) or not all(isinstance(n, str) for n in needs) or len(set(needs)) != len(needs):
            self.problem("needs", "must be a list of distinct item codes")
            needs = []
        if not isinstance(produces, list) or not all(isinstance(p, str) and OUTPUT_NAME.match(p) for p in produces):
            self.problem("produces", "must be a list of output names (lower_case_with_underscores)")
            produces = []
        sources: dict[str, tuple[str, ...]] = {}
        if not isinstance(consumes, Mapping):
            self.problem("consumes", "must map a name to \"item.output\" (or a list of them)")
            consumes = {}
        for name, spec in consumes.items():
            listed = [spec] if isinstance(spec, str) else spec
            if not OUTPUT_NAME.match(str(name)) or not isinstance(listed, list) or not listed \
                    or not all(isinstance(s, str) and "." in s for s in listed):
                self.problem(f"consumes.{name}", "must be \"item.output\" or a list of them")
                continue
            sources[str(name)] = tuple(listed)
        return tuple(needs), sources, tuple(produces)

    def consent_rules(self, raw: Mapping[str, Any]) -> dict[str, Any]:
        """``consent``, ``undertaking_limit_yuan`` and ``uploads`` of an item, checked together."""
        consent, limit = raw.get("consent"), raw.get("undertaking_limit_yuan")
        if consent is not None and consent not in CONSENTS:
            self.problem("consent", f"must be one of {', '.join(CONSENTS)}")
        if limit is not None and (not isinstance(limit, int) or isinstance(limit, bool) or limit <= 0):
            self.problem("undertaking_limit_yuan", "must be a positive whole number of yuan")
        elif limit is not None and consent is None:
            self.problem("undertaking_limit_yuan", "only an item that asks for consent takes an undertaking")
        uploads = self.uploads(raw.get("uploads"), consent)
        return {"consent": consent, "undertaking_limit_yuan": limit, "uploads": uploads}

    def automatic(self, raw: Any, known: set[str]) -> Automatic | None:
        """``automatic: {when: <condition>}``: granted without an application when the condition holds."""
        if raw is None:
            return None
        if not isinstance(raw, Mapping) or "when" not in raw:
            self.problem("automatic", "must be a mapping with 'when' (a condition on shared data)")
            return None
        self.unknown_keys(raw, {"when"}, "automatic")
        problems = condition_errors(raw["when"], known)
        for what in problems:
            self.problem("automatic.when", what)
        return None if problems else Automatic(raw["when"])

    def uploads(self, raw: Any, consent: Any) -> tuple[UploadSpec, ...]:
        if raw is None:
            return ()
        if not isinstance(raw, list) or not raw:
            self.problem("uploads", "must be a non-empty list of {code, name, when}")
            return ()
        specs = []
        for i, entry in enumerate(raw):
            where = f"uploads[{i}]"
            spec = entry if isinstance(entry, Mapping) else {}
            self.unknown_keys(spec, UPLOAD_KEYS, where)
            code = spec.get("code")
            if not isinstance(code, str) or not code or not code.replace("-", "").isalnum() or len(code) > 60:
                self.problem(f"{where}.code", "must be a short code of letters, digits and dashes")
            if spec.get("when") not in UPLOAD_WHEN:
                self.problem(f"{where}.when", f"must be one of {', '.join(UPLOAD_WHEN)}")
            elif consent is None:
                self.problem(f"{where}.when", "'declined' needs the item to ask for consent")
            specs.append(UploadSpec(str(code), self.text(spec.get("name"), f"{where}.name"), str(spec.get("when"))))
        if len({s.code for s in specs}) != len(specs):
            self.problem("uploads", "codes must be unique")
        return tuple(specs)

    def materials(self, raw: list[Any], known: set[str]) -> tuple[Material, ...]:
        materials = []
        for i, spec in enumerate(raw):
            where = f"materials[{i}]"
            satisfied = spec.get("satisfied_by") or {}
            fact, item = satisfied.get("fact"), satisfied.get("item")
            if fact is not None and fact not in known:
                self.problem(where, f"satisfied by unknown fact {fact!r}")
            if spec.get("when") is not None:
                for what in condition_errors(spec["when"], known):
                    self.problem(f"{where}.when", what)
            materials.append(Material(str(spec.get("code")), self.text(spec.get("name"), f"{where}.name"), fact, item,
                                      spec.get("when")))
        return tuple(materials)

    def procedure(self, raw: Mapping[str, Any]) -> Procedure:
        trips = [raw.get("trips_separately"), raw.get("trips_in_bundle")]
        if not all(isinstance(t, int) and t >= 0 for t in trips):
            self.problem("procedure", "trips_separately and trips_in_bundle must be whole numbers")
        return Procedure(int(trips[0] or 0), int(trips[1] or 0), self.texts(raw.get("steps"), "procedure.steps"))

    # ---- bundles/*.yaml ----------------------------------------------------------
    def bundles(self, items: dict[str, ServiceItem], categories: set[str], known: set[str]) -> dict[str, Bundle]:
        bundles = {}
        for relative in self.folder("bundles"):
            raw = self.read(relative)
            bundle = self.guarded(None, self.bundle, raw, items, categories, known)
            if bundle is None:
                continue
            self.check_needs_within(bundle.entries)
            stem = relative.removeprefix("bundles/").removesuffix(".yaml")
            if bundle.code != stem:
                self.problem("code", f"must equal the file name {stem!r}")
            bundles[bundle.code] = bundle
        return bundles

    def bundle(self, raw: Mapping[str, Any], items: dict[str, ServiceItem], categories: set[str],
               known: set[str]) -> Bundle:
        self.unknown_keys(raw, BUNDLE_KEYS, "bundle")
        if raw.get("category") not in categories:
            self.problem("category", f"unknown category {raw.get('category')!r}")
        if raw.get("subject") not in SUBJECT_KINDS:
            self.problem("subject", f"must be one of {', '.join(SUBJECT_KINDS)}")
        if raw.get("payee") not in PAYEES:
            self.problem("payee", f"must be one of {', '.join(PAYEES)}")
        sections = tuple(Section(str(s.get("code")), self.text(s.get("title"), f"sections[{i}].title"))
                         for i, s in enumerate(raw.get("sections") or []))
        for section in sections:
            if section.code not in SECTIONS:
                self.problem("sections", f"unknown section {section.code!r}")
        entries = tuple(e for i, spec in enumerate(raw.get("items") or []) if (e := self.entry(spec, i, items, known)))
        if not entries:
            self.problem("items", "a bundle needs at least one item")
        self.check_sections_cover(entries, {s.code for s in sections})
        typical = dict(raw.get("typical_facts") or {})
        for key in sorted(set(typical) - known):
            self.problem("typical_facts", f"unknown fact {key!r}")
        return Bundle(str(raw.get("code")), str(raw.get("category")), self.text(raw.get("name"), "name"),
                      self.text(raw.get("summary"), "summary"), str(raw.get("subject")), str(raw.get("payee")),
                      sections, entries, typical, self.search_terms(raw.get("search_terms")))

    def search_terms(self, raw: Any) -> SearchTerms:
        """Optional ``{zh: [...], en: [...]}``: non-empty strings, none twice (as search compares them)."""
        if raw is None:
            return SearchTerms()
        if not isinstance(raw, Mapping):
            self.problem("search_terms", "must be a mapping {zh: [...], en: [...]}")
            return SearchTerms()
        self.unknown_keys(raw, {"zh", "en"}, "search_terms")
        return SearchTerms(self.term_list(raw.get("zh"), "search_terms.zh"),
                           self.term_list(raw.get("en"), "search_terms.en"))

    def term_list(self, raw: Any, key: str) -> tuple[str, ...]:
        if raw is None:
            return ()
        if not isinstance(raw, list) or not all(isinstance(t, str) and t.strip() for t in raw):
            self.problem(key, "must be a list of non-empty strings")
            return ()
        seen: set[str] = set()
        for term in raw:
            if search.normalise(term) in seen:
                self.problem(key, f"{term!r} is listed twice")
            seen.add(search.normalise(term))
        return tuple(term.strip() for term in raw)

    def entry(self, spec: Mapping[str, Any], i: int, items: dict[str, ServiceItem], known: set[str]) -> BundleItem | None:
        where = f"items[{i}]"
        item = items.get(spec.get("item", ""))
        if item is None:
            self.problem(where, f"unknown item {spec.get('item')!r}")
            return None
        when = spec.get("when")
        if when is None:
            return BundleItem(item)
        for what in condition_errors(when, known):
            self.problem(f"{where}.when", what)
        return BundleItem(item, when, self.text(spec.get("reason_in"), f"{where}.reason_in"),
                          self.text(spec.get("reason_out"), f"{where}.reason_out"))

    def check_needs_within(self, entries: tuple[BundleItem, ...]) -> None:
        """An item's needs are items of the same bundle (a need excluded by ``when`` is not waited for)."""
        codes = {entry.item.code for entry in entries}
        for i, entry in enumerate(entries):
            for needed in entry.item.needs:
                if needed not in codes:
                    self.problem(f"items[{i}]", f"item {entry.item.code!r} needs {needed!r}, "
                                 "which is not in this bundle")

    def check_sections_cover(self, entries: tuple[BundleItem, ...], sections: set[str]) -> None:
        for entry in entries:
            for key in entry.item.fields:
                if key.split(".", 1)[0] not in sections:
                    self.problem("sections", f"no section for {key!r} of item {entry.item.code!r}")


def search_index(bundles: Mapping[str, Bundle], categories: tuple[Category, ...]) -> search.SearchIndex:
    """What each bundle is found by, with the weight of where the words come from."""
    names = {c.code: c.name for c in categories}
    texts: dict[str, list[tuple[str, float]]] = {}
    for code, bundle in bundles.items():
        words = [(bundle.name, search.NAME), (names.get(bundle.category), search.CATEGORY),
                 *((item.name, search.ITEM) for item in bundle.items), (bundle.summary, search.SUMMARY)]
        texts[code] = [(text, weight) for value, weight in words if value for text in (value.zh, value.en)]
        texts[code] += [(term, search.TERM) for term in (*bundle.search_terms.zh, *bundle.search_terms.en)]
    return search.build_index(texts)


def consumed_source_problem(source: str, item: ServiceItem, items: Mapping[str, ServiceItem]) -> str | None:
    """Why ``item`` cannot consume ``source`` ("item.output"), or ``None``."""
    code, _, output = source.partition(".")
    if code not in item.needs:
        return f"consumes {source!r}, but {code!r} is not in needs"
    producer = items.get(code)
    if producer is not None and output != CERTIFICATE_NUMBER and output not in producer.produces:
        return f"consumes {source!r}, but {code!r} does not produce {output!r}"
    return None
