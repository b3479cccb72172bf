"""A finished application made through the real services: submitted, delivered, decided by each officer."""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from bff.core.catalog import default_catalog
from tests.api.application_helpers import approval_body, officer_client, submitted_application


def decide_every_case(app: Flask, receipt: dict[str, Any], reject: str | None = None) -> None:
    """Each department's officer accepts and approves (or rejects the item ``reject``) on the workbench,
    an item after the items it needs; a case that can no longer be done (it needed ``reject``) is left."""
    for case in in_dependency_order(receipt["cases"]):
        officer = officer_client(app, case["department"])
        if officer.get(f"/api/v1/officer/cases/{case['reference']}").json["status"] == "not_possible":
            continue
        assert officer.post(f"/api/v1/officer/cases/{case['reference']}/accept").status_code == 200
        if case["item"] == reject:
            response = officer.post(f"/api/v1/officer/cases/{case['reference']}/reject", json={"reason": "材料不符"})
        else:
            response = officer.post(f"/api/v1/officer/cases/{case['reference']}/approve", json=approval_body(case["item"]))
        assert response.status_code == 200, response.json


def in_dependency_order(cases: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The cases, each after the items it needs (the catalog's graph)."""
    needs = {item.code: set(item.needs) for item in default_catalog().items.values()}
    done: set[str] = set()
    ordered: list[dict[str, Any]] = []
    while len(ordered) < len(cases):
        ready = [c for c in cases if c["item"] not in done
                 and needs[c["item"]] & {other["item"] for other in cases} <= done]
        assert ready, "the catalog refuses cycles"
        ordered.extend(ready)
        done.update(c["item"] for c in ready)
    return ordered


def completed_application(app: Flask, client: FlaskClient, bundle: str = "birth") -> dict[str, Any]:
    """``{user, number, receipt}`` of an application whose every case is approved."""
    submitted = submitted_application(app, client, bundle)
    decide_every_case(app, submitted["receipt"])
    return submitted
