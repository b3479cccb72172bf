"""A finished application made through the real services: submitted, delivered, decided by each officer."""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from tests.api.application_helpers import approval_body, officer_client, submitted_application


def decide_every_case(app: Flask, receipt: dict[str, Any], reject: str | None = None) -> None:
    """Each department's officer accepts and approves (or rejects the item ``reject``) on the workbench,
    in the bundle's order (what a case needs comes before it; a rejection ends what needs it)."""
    for case in receipt["cases"]:
        officer = officer_client(app, case["department"])
        if officer.get(f"/api/v1/officer/cases/{case['reference']}").json["status"] == "not_possible":
            continue
        assert officer.post(f"/api/v1/officer/cases/{case['reference']}/accept").status_code == 200
        if case["item"] == reject:
            response = officer.post(f"/api/v1/officer/cases/{case['reference']}/reject", json={"reason": "材料不符"})
        else:
            response = officer.post(f"/api/v1/officer/cases/{case['reference']}/approve",
                                    json=approval_body(case["item"]))
        assert response.status_code == 200, response.json


def completed_application(app: Flask, client: FlaskClient, bundle: str = "birth") -> dict[str, Any]:
    """``{user, number, receipt}`` of an application whose every case is approved."""
    submitted = submitted_application(app, client, bundle)
    decide_every_case(app, submitted["receipt"])
    return submitted
