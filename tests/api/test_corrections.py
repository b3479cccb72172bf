"""A correction (补正) as the resident answers it: current values, the department's words in English, a document."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from bff.extensions import db
from bff.store.models import Application
from tests.api.application_helpers import case_of, officer_client, run_worker, submitted_application
from tests.api.test_consents import answer, apply_after_death, approve_needs, cases, client_of
from tests.api.test_uploads import PDF, sign_in_again
from tests.conftest import ApiClient

CSRF = {"X-OneThing-CSRF": "1"}


@pytest.fixture
def storage(app: Flask, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setitem(app.config, "STORAGE_DIR", str(tmp_path / "uploads"))
    return tmp_path / "uploads"


def ask_correction(app: Flask, department: str, reference: str, **body: Any) -> None:
    officer = officer_client(app, department)
    assert officer.post(f"/api/v1/officer/cases/{reference}/accept", headers=CSRF).status_code == 200
    asked = officer.post(f"/api/v1/officer/cases/{reference}/supplement-request", json=body, headers=CSRF)
    assert asked.status_code == 200, asked.json


def correction(client: FlaskClient, number: str, reference: str) -> dict[str, Any]:
    detail = client.get(f"/api/v1/applications/{number}").json
    return next(c for c in detail["cases"] if c["reference"] == reference)["supplement"]  # type: ignore[no-any-return]


def test_the_correction_shows_current_values_masking_the_sensitive_ones_and_the_english_request(
        app: Flask, client: FlaskClient) -> None:
    applied = submitted_application(app, client, "birth")
    reference = case_of(applied["receipt"], "birth-medical-certificate")
    ask_correction(app, "health", reference, message="请核对邮寄地址和身份证号", message_en="Check your address and ID number",
                   fields=["delivery.address", "applicant.id_number"])
    held = db.session.query(Application).filter_by(number=applied["number"]).one().answers

    shown = correction(client, applied["number"], reference)
    assert shown["message"] == "请核对邮寄地址和身份证号" and shown["message_en"] == "Check your address and ID number"
    assert shown["current"]["delivery.address"] == held["delivery.address"]
    assert shown["current"]["applicant.id_number"] != held["applicant.id_number"]  # masked …
    assert shown["current"]["applicant.id_number"].endswith(held["applicant.id_number"][-4:])
    assert shown["masked"] == ["applicant.id_number"]  # … and named, so it is never sent back as the answer
    assert shown["documents"] == []  # the medical birth certificate accepts no upload


def test_a_correction_of_an_item_that_accepts_a_document_takes_it(app: Flask, client: FlaskClient,
                                                                 storage: Path) -> None:
    app.test_client_class = ApiClient
    applied = apply_after_death(app, client)
    approve_needs(app, applied["number"])
    for heir in ("liuxiuying", "chenli"):
        assert answer(client_of(app, heir), "agreed").status_code == 200
    run_worker(app)  # the inheritance cases go to their departments
    sign_in_again(app, client)
    number = applied["number"]
    reference = cases(number)["pension-stop-inheritance"].reference
    code = "notarised-inheritance-certificate"
    refused = client.post(f"/api/v1/applications/{number}/uploads/{code}", content_type="multipart/form-data",
                          data={"file": (io.BytesIO(PDF), "certificate.pdf", "application/pdf")})
    assert refused.status_code == 409  # nobody asked for it yet

    ask_correction(app, "hrss", reference, message="请上传继承权公证书", materials=[code])
    shown = correction(client, number, reference)
    assert shown["documents"] == [{"code": code, "name": {"zh-CN": "继承权公证书", "en": "Notarised inheritance certificate"}}]
    uploaded = client.post(f"/api/v1/applications/{number}/uploads/{code}", content_type="multipart/form-data",
                           data={"file": (io.BytesIO(PDF), "certificate.pdf", "application/pdf")})
    assert uploaded.status_code == 201, uploaded.json
    supplied = client.post(f"/api/v1/applications/{number}/cases/{reference}/supplement",
                           json={"answers": {}, "materials": [code]})
    assert supplied.status_code == 200 and supplied.json["status"] == "supplemented"

    officer = officer_client(app, "hrss")
    documents = officer.get(f"/api/v1/officer/cases/{reference}").json["documents"]
    assert [d["code"] for d in documents] == [code]
    assert officer.get(documents[0]["url"]).data == PDF  # the department reads what the resident sent
