"""A catalog change never alters a submitted application: it keeps the version it was submitted with."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from bff.app import create_app
from bff.core.catalog import CATALOG_DIR, use_catalog_dir
from bff.extensions import db
from bff.services.dispatch import DispatchSettings, build_delivery
from bff.store.models import Application, Case, CatalogSnapshot, OutboxMessage
from tests.api.application_helpers import (
    application_in_state,
    approval_body,
    case_of,
    officer_client,
    run_worker,
    start,
    submit,
    submitted_application,
)
from tests.conftest import ApiClient
from tests.core.catalog_files import edit
from tests.factories import create_user, sign_in


@pytest.fixture
def changed_catalog(tmp_path: Path) -> Iterator[Path]:
    """A copy of the catalog with an item renamed, a field removed from it, its time limit changed, a
    field's label and a department's name changed; the live catalog is the shipped one again after."""
    root = tmp_path / "catalog"
    shutil.copytree(CATALOG_DIR, root)
    item = root / "items/vaccination-certificate.yaml"
    edit(item, "name: {zh: 预防接种证, en: Vaccination certificate}", "name: {zh: 电子预防接种证, en: E-vaccination card}")
    edit(item, "  - family.mother_name\n", "")
    edit(item, "time_limit_days: 5", "time_limit_days: 9")
    edit(root / "fields.yaml", "label: {zh: 出生医院, en: Hospital of birth}", "label: {zh: 分娩医院, en: Birth hospital}")
    edit(root / "departments.yaml", "name: {zh: 杭州市卫生健康委员会, en: Hangzhou Health Commission}",
         "name: {zh: 杭州市卫健委, en: Hangzhou Health}")
    edit(root / "items/retirement-approval.yaml", "time_limit_days: 20", "time_limit_days: 15")
    edit(root / "items/retirement-approval.yaml", "  - subject.employer_name\n", "")
    yield root
    use_catalog_dir(None)


def app_on(base_config: dict[str, Any], root: Path) -> Flask:
    """The app restarted on the catalog in ``root`` (same database and Redis)."""
    reloaded = create_app({**base_config, "CATALOG_DIR": str(root)})
    reloaded.test_client_class = ApiClient
    return reloaded


def views(app: Flask, resident: Any, number: str, reference: str) -> tuple[Any, Any]:
    """What the resident and the health officer see of the application, read through ``app``."""
    client = app.test_client()
    sign_in(app, client, resident)
    detail = client.get(f"/api/v1/applications/{number}").json
    officer = officer_client(app, "health").get(f"/api/v1/officer/cases/{reference}").json
    return detail, officer


def delivery_of(app: Flask, reference: str) -> dict[str, Any]:
    """The department message of the case's submission, as dispatch builds it now."""
    case = db.session.scalar(select(Case).where(Case.reference == reference))
    assert case is not None
    message = next(m for m in db.session.scalars(select(OutboxMessage).where(OutboxMessage.topic == "case.submitted"))
                   if m.payload["case_id"] == case.id)
    return build_delivery(db.session, message, case, DispatchSettings.from_config(app.config)).body


def test_a_submitted_application_keeps_its_catalog_after_a_change_and_a_new_one_takes_the_new(
        app, client, base_config, changed_catalog):
    submitted = submitted_application(app, client, "birth")
    number, receipt, resident = submitted["number"], submitted["receipt"], submitted["user"]
    first = case_of(receipt, "birth-medical-certificate")
    before = views(app, resident, number, first)
    version = db.session.scalar(select(Application.catalog_version).where(Application.number == number))
    assert db.session.get(CatalogSnapshot, version) is not None

    reloaded = app_on(base_config, changed_catalog)
    assert views(reloaded, resident, number, first) == before
    assert before[1]["field_labels"]["subject.birth_hospital"] == {"zh-CN": "出生医院", "en": "Hospital of birth"}
    assert before[0]["cases"][0]["department_name"]["en"] == "Hangzhou Health Commission"

    # Processing goes on by the old definitions: the released vaccination case keeps its name, its
    # fields (the mother's name, since removed) and its five working days.
    officer = officer_client(reloaded, "health")
    assert officer.post(f"/api/v1/officer/cases/{first}/accept", headers={"X-OneThing-CSRF": "1"}).status_code == 200
    approved = officer.post(f"/api/v1/officer/cases/{first}/approve", json=approval_body("birth-medical-certificate"),
                            headers={"X-OneThing-CSRF": "1"})
    assert approved.status_code == 200, approved.json
    vaccination = case_of(receipt, "vaccination-certificate")
    body = delivery_of(reloaded, vaccination)
    assert body["case"]["time_limit_days"] == 5
    assert "family.mother_name" in body["fields"]
    with reloaded.app_context():
        detail = views(reloaded, resident, number, first)[0]
    shown = next(case for case in detail["cases"] if case["reference"] == vaccination)
    assert (shown["title"]["en"], shown["time_limit_days"], shown["status"]) == ("Vaccination certificate", 5, "submitted")

    # A new application is made with the new catalog.
    retiree = create_user("lijianguo")
    new_client = reloaded.test_client()
    sign_in(reloaded, new_client, retiree)
    with reloaded.app_context():
        draft = start(new_client, "retirement", user_id=retiree.id)["number"]
        new_receipt = submit(new_client, draft).json
        run_worker(reloaded)
    approval = next(c for c in new_receipt["cases"] if c["item"] == "retirement-approval")
    new_case = db.session.scalar(select(Case).where(Case.reference == approval["reference"]))
    assert new_case is not None
    assert new_case.time_limit_days == 15 and "subject.employer_name" not in new_case.field_keys
    new_version = db.session.scalar(select(Application.catalog_version).where(Application.number == draft))
    assert new_version not in ("", version)
    assert db.session.get(CatalogSnapshot, new_version) is not None


def test_a_draft_started_before_a_change_is_submitted_with_the_new_catalog_and_records_it(
        app, client, base_config, changed_catalog):
    resident = create_user("zhangwei")
    sign_in(app, client, resident)
    number = start(client, "birth", user_id=resident.id)["number"]
    old_version = db.session.scalar(select(Application.catalog_version).where(Application.number == number))

    reloaded = app_on(base_config, changed_catalog)
    later = reloaded.test_client()
    sign_in(reloaded, later, resident)
    with reloaded.app_context():
        receipt = submit(later, number).json
    vaccination = next(c for c in receipt["cases"] if c["item"] == "vaccination-certificate")
    assert vaccination["title"]["en"] == "E-vaccination card"
    db.session.expire_all()
    application = db.session.scalar(select(Application).where(Application.number == number))
    assert application is not None and application.catalog_version not in ("", old_version)
    case = db.session.scalar(select(Case).where(Case.reference == vaccination["reference"]))
    assert case is not None and case.time_limit_days == 9 and "family.mother_name" not in case.field_keys


def test_an_application_of_a_version_without_a_snapshot_is_shown_with_the_live_catalog(app, client):
    # Submitted before versions were stored: its names come from the catalog in force.
    made = application_in_state(app, client, "submitted", "birth", catalog_version="0123456789ab")
    detail = client.get(f"/api/v1/applications/{made['number']}").json
    names = {case["department_name"]["en"] for case in detail["cases"] if case["department"] == "health"}
    assert names == {"Hangzhou Health Commission"}
