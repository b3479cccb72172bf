"""What a held inheritance case waits for, in the application detail: 陈明 applies for the after-death
bundle; the inheritance items wait for his mother's and sister's consent, and after a decline for the
notarised certificate he uploads."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from bff.extensions import db
from bff.store.consent_models import HeirConsent
from tests.api.test_consents import INHERITANCE, answer, apply_after_death, client_of


@pytest.fixture
def heirs(app: Flask, client: FlaskClient) -> dict[str, FlaskClient]:
    return {"mother": client_of(app, "liuxiuying"), "sister": client_of(app, "chenli")}


def detail_cases(client: FlaskClient, number: str) -> dict[str, dict[str, Any]]:
    response = client.get(f"/api/v1/applications/{number}")
    assert response.status_code == 200
    return {case["item"]: case for case in response.json["cases"]}


def test_the_inheritance_items_say_they_wait_for_the_heirs_until_their_deadline(app, client, heirs):
    applied = apply_after_death(app, client)
    [deadline] = {consent.deadline for consent in db.session.scalars(select(HeirConsent))}
    shown = detail_cases(client, applied["number"])
    assert {item for item, case in shown.items() if case["held_for"]} == INHERITANCE
    for item in INHERITANCE:
        assert shown[item]["held_for"] == "consent" and shown[item]["status"] == "waiting"
        assert shown[item]["consent_deadline"] == deadline.isoformat() and shown[item]["held_document"] is None
    others = [case for item, case in shown.items() if item not in INHERITANCE]
    assert others and all(case["held_for"] is None and case["consent_deadline"] is None for case in others)


def test_after_a_decline_they_wait_for_the_notarised_certificate_by_name(app, client, heirs):
    applied = apply_after_death(app, client)
    assert answer(heirs["sister"], "declined").status_code == 200
    shown = detail_cases(client, applied["number"])
    for item in INHERITANCE:
        assert shown[item]["held_for"] == "document" and shown[item]["consent_deadline"] is None
        assert shown[item]["held_document"] == {"code": "notarised-inheritance-certificate", "name": {
            "zh-CN": "继承权公证书", "en": "Notarised inheritance certificate"}}


def test_nothing_holds_them_once_every_heir_agreed(app, client, heirs):
    applied = apply_after_death(app, client)
    assert answer(heirs["mother"], "agreed").status_code == 200
    assert answer(heirs["sister"], "agreed").status_code == 200
    shown = detail_cases(client, applied["number"])
    assert all(case["held_for"] is None and case["held_document"] is None for case in shown.values())
