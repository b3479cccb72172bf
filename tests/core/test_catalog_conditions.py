"""Conditions in the catalog: three-valued evaluation and shape checks."""

from __future__ import annotations

import pytest

from bff.core.conditions import evaluate, keys_of, shape_errors

FACTS = {"a": True, "b": False, "n": 3, "s": "home"}


@pytest.mark.parametrize(("condition", "expected"), [
    (None, True),
    ({"key": "a", "equals": True}, True),
    ({"key": "b", "equals": True}, False),
    ({"key": "s", "not_equals": "hospital"}, True),
    ({"key": "s", "in": ["home", "elsewhere"]}, True),
    ({"key": "missing", "equals": True}, None),
    ({"key": "missing", "present": False}, True),
    ({"key": "n", "present": True}, True),
    ({"all": [{"key": "a", "equals": True}, {"key": "missing", "equals": 1}]}, None),
    ({"all": [{"key": "b", "equals": True}, {"key": "missing", "equals": 1}]}, False),
    ({"any": [{"key": "a", "equals": True}, {"key": "missing", "equals": 1}]}, True),
    ({"any": [{"key": "b", "equals": True}, {"key": "missing", "equals": 1}]}, None),
    ({"not": {"key": "b", "equals": True}}, True),
    ({"not": {"key": "missing", "equals": True}}, None),
])
def test_conditions_evaluate_to_true_false_or_unknown(condition, expected):
    assert evaluate(condition, FACTS.get) is expected


def test_keys_of_collects_every_key_read():
    assert keys_of({"all": [{"key": "a", "equals": 1}, {"not": {"key": "b", "present": True}}]}) == {"a", "b"}


@pytest.mark.parametrize("condition", [
    "a", {"key": "a"}, {"key": "a", "equals": 1, "in": [1]}, {"all": []}, {"key": "a", "in": "x"}, {"equals": 1},
])
def test_malformed_conditions_are_described(condition):
    assert shape_errors(condition)
