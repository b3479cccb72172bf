"""What a catalog change does to the bundles: the comparison behind ``flask catalog diff``.

Plain data in, plain data out: :func:`diff_catalogs` compares two loaded catalogs and says, per
bundle, which items came and went and, per item, what changed (fields, time limit, department,
needs, conditions, …); :func:`render_diff` writes it for a provincial team to read.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bff.core.catalog import Bundle, BundleItem, Catalog, ServiceItem


def diff_catalogs(before: Catalog, after: Catalog) -> dict[str, Any]:
    """``{from, to, bundles: {added, removed, changed}, items: {added, removed, changed}}``; a changed
    bundle lists its own changes, the items it gained or lost, and the changes of its items."""
    items_changed = {code: changes for code in sorted(set(before.items) & set(after.items))
                     if (changes := item_changes(before.items[code], after.items[code]))}
    changed = []
    for code in sorted(set(before.bundles) & set(after.bundles)):
        found = bundle_changes(before.bundles[code], after.bundles[code], items_changed)
        if found["changes"] or found["items_added"] or found["items_removed"] or found["items_changed"]:
            changed.append(found)
    return {"from": before.version, "to": after.version,
            "bundles": {"added": [_named(after.bundles[c]) for c in sorted(set(after.bundles) - set(before.bundles))],
                        "removed": [_named(before.bundles[c]) for c in sorted(set(before.bundles) - set(after.bundles))],
                        "changed": changed},
            "items": {"added": [_named(after.items[c]) for c in sorted(set(after.items) - set(before.items))],
                      "removed": [_named(before.items[c]) for c in sorted(set(before.items) - set(after.items))],
                      "changed": items_changed},
            "fields": definitions_changed(before.fields, after.fields),
            "departments": definitions_changed(before.departments, after.departments)}


def definitions_changed(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, Any]:
    """Keys of a dictionary (fields, departments) added, removed, and changed with the attributes
    that changed (a label, a type, a validation rule, a condition, a name)."""
    changed = {}
    for key in sorted(set(before) & set(after)):
        old, new = before[key], after[key]
        if old != new:
            changed[key] = [name for name in old.__dataclass_fields__ if getattr(old, name) != getattr(new, name)]
    return {"added": sorted(set(after) - set(before)), "removed": sorted(set(before) - set(after)), "changed": changed}


def _named(thing: Bundle | ServiceItem) -> dict[str, str]:
    return {"code": thing.code, "zh": thing.name.zh, "en": thing.name.en}


def _change(what: str, before: Any, after: Any) -> dict[str, Any]:
    return {"what": what, "before": before, "after": after}


def _set_change(what: str, before: tuple[str, ...] | list[str], after: tuple[str, ...] | list[str]) -> dict[str, Any]:
    return {"what": what, "added": sorted(set(after) - set(before)), "removed": sorted(set(before) - set(after))}


def item_changes(before: ServiceItem, after: ServiceItem) -> list[dict[str, Any]]:
    """What changed in an item that a resident or a department would notice."""
    changes: list[dict[str, Any]] = []
    if before.name != after.name:
        changes.append(_change("name", before.name.as_dict(), after.name.as_dict()))
    for what in ("department", "time_limit_days", "consent"):
        if getattr(before, what) != getattr(after, what):
            changes.append(_change(what, getattr(before, what), getattr(after, what)))
    for what in ("fields", "needs", "produces"):
        if set(getattr(before, what)) != set(getattr(after, what)):
            changes.append(_set_change(what, getattr(before, what), getattr(after, what)))
    if dict(before.consumes) != dict(after.consumes):
        changes.append(_change("consumes", {k: list(v) for k, v in before.consumes.items()},
                               {k: list(v) for k, v in after.consumes.items()}))
    materials = ([m.code for m in before.materials], [m.code for m in after.materials])
    if set(materials[0]) != set(materials[1]):
        changes.append(_set_change("materials", *materials))
    return changes


def bundle_changes(before: Bundle, after: Bundle, items_changed: Mapping[str, list[dict[str, Any]]]) -> dict[str, Any]:
    """One bundle's own changes (name, subject, conditions of its entries) and its items'."""
    old = {entry.item.code: entry for entry in before.entries}
    new = {entry.item.code: entry for entry in after.entries}
    changes = []
    if before.name != after.name:
        changes.append(_change("name", before.name.as_dict(), after.name.as_dict()))
    for what in ("category", "subject", "payee"):
        if getattr(before, what) != getattr(after, what):
            changes.append(_change(what, getattr(before, what), getattr(after, what)))
    for code in sorted(set(old) & set(new)):
        if old[code].when != new[code].when:
            changes.append({**_change("condition", _when(old[code]), _when(new[code])), "item": code})
    return {**_named(after), "changes": changes,
            "items_added": sorted(set(new) - set(old)), "items_removed": sorted(set(old) - set(new)),
            "items_changed": {code: items_changed[code] for code in sorted(set(old) & set(new)) if code in items_changed}}


def _when(entry: BundleItem) -> Any:
    return entry.when if entry.when is not None else "always"


# ---- the readable form ----------------------------------------------------------------------

def render_diff(diff: Mapping[str, Any], in_flight: Mapping[str, int]) -> str:
    """The diff as a provincial team reads it, each affected bundle with its applications in flight."""
    lines = [f"catalog {diff['from']} -> {diff['to']}"]
    bundles, items = diff["bundles"], diff["items"]
    if not any(any(part.values()) for part in (bundles, items, diff["fields"], diff["departments"])):
        return "\n".join([*lines, "no change to bundles, items, fields or departments"])
    for bundle in bundles["added"]:
        lines.append(f"+ bundle {bundle['code']} ({bundle['zh']} / {bundle['en']}): new")
    for bundle in bundles["removed"]:
        lines.append(f"- bundle {bundle['code']} ({bundle['zh']} / {bundle['en']}): removed; "
                     f"{_in_flight(in_flight, bundle['code'])}")
    for bundle in bundles["changed"]:
        lines.append(f"~ bundle {bundle['code']} ({bundle['zh']} / {bundle['en']}): "
                     f"{_in_flight(in_flight, bundle['code'])}")
        lines.extend(f"    + item {code}" for code in bundle["items_added"])
        lines.extend(f"    - item {code}" for code in bundle["items_removed"])
        lines.extend(f"    {_describe(change)}" for change in bundle["changes"])
        for code, changes in bundle["items_changed"].items():
            lines.append(f"    ~ item {code}")
            lines.extend(f"        {_describe(change)}" for change in changes)
    for item in items["added"]:
        lines.append(f"+ item {item['code']} ({item['zh']} / {item['en']}): new")
    for item in items["removed"]:
        lines.append(f"- item {item['code']} ({item['zh']} / {item['en']}): removed")
    for kind in ("fields", "departments"):
        what = kind.removesuffix("s")
        lines.extend(f"+ {what} {key}" for key in diff[kind]["added"])
        lines.extend(f"- {what} {key}" for key in diff[kind]["removed"])
        lines.extend(f"~ {what} {key}: {', '.join(names)} changed" for key, names in diff[kind]["changed"].items())
    return "\n".join(lines)


def _in_flight(in_flight: Mapping[str, int], bundle: str) -> str:
    count = in_flight.get(bundle, 0)
    return (f"{count} application(s) in flight keep the version they were submitted with" if count
            else "no application in flight")


def _describe(change: Mapping[str, Any]) -> str:
    what = change["what"]
    if "added" in change:
        parts = [f"+{key}" for key in change["added"]] + [f"-{key}" for key in change["removed"]]
        return f"{what}: {' '.join(parts)}"
    before, after = change["before"], change["after"]
    if what == "name":
        return f"name: {before['zh-CN']} / {before['en']} -> {after['zh-CN']} / {after['en']}"
    if what == "time_limit_days":
        return f"time limit: {before} -> {after} working days"
    if what == "condition":
        return f"condition of {change['item']}: {before} -> {after}"
    return f"{what}: {before} -> {after}"
