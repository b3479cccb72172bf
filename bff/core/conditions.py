"""Conditions on shared data and answers, as written in the catalog YAML.

A condition is a mapping, one of::

    {key: K, equals: V}        {key: K, not_equals: V}
    {key: K, in: [V1, V2]}     {key: K, present: true|false}
    {key: K, at_least: N}      (a number: an age reached, a count of months)
    {all: [C1, C2]}            {any: [C1, C2]}          {not: C}

``K`` is a field key (an answer) or a fact key (shared data). Evaluation is
three-valued: ``None`` means "unknown" (the value is missing), and callers
decide what unknown means (an item whose condition is unknown is included, a
conditional field whose condition is unknown is asked).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

Condition = Mapping[str, Any]
Lookup = Callable[[str], Any]

COMPARISONS = ("equals", "not_equals", "in", "present", "at_least")
COMBINATORS = ("all", "any", "not")


def evaluate(condition: Condition | None, lookup: Lookup) -> bool | None:
    """True, False, or None when the data needed is missing. No condition is True."""
    if condition is None:
        return True
    if "all" in condition:
        return _all(evaluate(c, lookup) for c in condition["all"])
    if "any" in condition:
        return _any(evaluate(c, lookup) for c in condition["any"])
    if "not" in condition:
        inner = evaluate(condition["not"], lookup)
        return None if inner is None else not inner
    return _compare(condition, lookup(condition["key"]))


def _compare(condition: Condition, value: Any) -> bool | None:
    if "present" in condition:
        return (value not in (None, "")) == bool(condition["present"])
    if value is None:
        return None
    if "equals" in condition:
        return bool(value == condition["equals"])
    if "not_equals" in condition:
        return bool(value != condition["not_equals"])
    if "at_least" in condition:
        return isinstance(value, int | float) and not isinstance(value, bool) and value >= condition["at_least"]
    return value in condition["in"]


def _all(results: Any) -> bool | None:
    values = list(results)
    if False in values:
        return False
    return None if None in values else True


def _any(results: Any) -> bool | None:
    values = list(results)
    if True in values:
        return True
    return None if None in values else False


def keys_of(condition: Condition | None) -> set[str]:
    """Every key a condition reads (for load-time validation)."""
    if condition is None:
        return set()
    if "all" in condition or "any" in condition:
        return set().union(*(keys_of(c) for c in condition.get("all", condition.get("any", []))))
    if "not" in condition:
        return keys_of(condition["not"])
    return {condition["key"]}


def lower_bounds(condition: Condition | None, key: str) -> set[int | float]:
    """Every ``at_least`` bound a condition sets on ``key`` (the ages an automatic grant starts at)."""
    if condition is None:
        return set()
    if "all" in condition or "any" in condition:
        return set().union(*(lower_bounds(c, key) for c in condition.get("all", condition.get("any", []))))
    if "not" in condition:
        return lower_bounds(condition["not"], key)
    return {condition["at_least"]} if condition.get("key") == key and "at_least" in condition else set()


def shape_errors(condition: Any) -> list[str]:
    """What is wrong with the shape of a condition (empty when it is well formed)."""
    if not isinstance(condition, Mapping):
        return ["a condition must be a mapping"]
    if "all" in condition or "any" in condition:
        parts = condition.get("all", condition.get("any"))
        if not isinstance(parts, list) or not parts:
            return ["'all'/'any' need a non-empty list"]
        return [e for part in parts for e in shape_errors(part)]
    if "not" in condition:
        return shape_errors(condition["not"])
    if not isinstance(condition.get("key"), str):
        return ["a condition needs 'key' (or all/any/not)"]
    ops = [op for op in COMPARISONS if op in condition]
    if len(ops) != 1 or set(condition) - {"key", *COMPARISONS}:
        return [f"a condition on {condition['key']!r} needs exactly one of {', '.join(COMPARISONS)}"]
    if "in" in condition and not isinstance(condition["in"], list):
        return [f"'in' on {condition['key']!r} needs a list"]
    bound = condition.get("at_least", 0)
    if not isinstance(bound, int | float) or isinstance(bound, bool):
        return [f"'at_least' on {condition['key']!r} needs a number"]
    return []
