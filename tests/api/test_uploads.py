"""Uploads where the law needs a document: 陈丽 declines, so 陈明 uploads the notarised inheritance
certificate; it is checked, scanned, stored encrypted, and shown only to him and to the officers
whose items declare it."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from bff.adapters.scan import EICAR
from bff.extensions import db
from bff.store.consent_models import Upload
from bff.store.models import Event
from tests.api.application_helpers import officer_client
from tests.api.test_consents import answer, apply_after_death, approve_needs, cases, client_of

CODE = "notarised-inheritance-certificate"
PDF = b"%PDF-1.7\n1 0 obj\n<< /Title (notarised) >>\nendobj\ntrailer\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def storage(app: Flask, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setitem(app.config, "STORAGE_DIR", str(tmp_path / "uploads"))
    monkeypatch.setitem(app.config, "VIRUS_SCANNER", "eicar")
    return tmp_path / "uploads"


@pytest.fixture
def declined(app: Flask, client: FlaskClient, storage: Path) -> dict[str, Any]:
    """陈明 applied, the death certificate is approved, 刘秀英 agreed and 陈丽 declined."""
    mother, sister = client_of(app, "liuxiuying"), client_of(app, "chenli")
    applied = apply_after_death(app, client)
    approve_needs(app, applied["number"])
    assert answer(mother, "agreed").status_code == 200
    assert answer(sister, "declined").status_code == 200
    sign_in_again(app, client)
    return {**applied, "sister": sister}


def sign_in_again(app: Flask, client: FlaskClient) -> None:
    from tests.factories import create_user, sign_in

    sign_in(app, client, create_user("chenming"))


def send(client: FlaskClient, number: str, content: bytes, name: str = "certificate.pdf",
         content_type: str = "application/pdf", code: str = CODE) -> Any:
    return client.post(f"/api/v1/applications/{number}/uploads/{code}", content_type="multipart/form-data",
                       data={"file": (io.BytesIO(content), name, content_type)})


def stored_files(storage: Path) -> list[Path]:
    return [path for path in storage.rglob("*") if path.is_file()] if storage.exists() else []


def test_a_decline_asks_the_applicant_for_the_notarised_certificate(app, client, declined):
    overview = client.get(f"/api/v1/applications/{declined['number']}/consents").json
    assert overview["state"] == "declined"
    name = {"zh-CN": "继承权公证书", "en": "Notarised inheritance certificate"}
    assert overview["uploads_needed"] == [{"code": CODE, "name": name}]
    assert {item["hold"] for item in overview["items"]} == {"awaiting_document"}
    assert {case.status for item, case in cases(declined["number"]).items() if item.endswith("inheritance")} == {"waiting"}


def test_a_document_nobody_asked_for_is_refused(app, client, storage):
    applied = apply_after_death(app, client)  # consents pending: no document is needed yet
    refused = send(client, applied["number"], PDF)
    assert refused.status_code == 409 and refused.json["reason"] == "upload_not_needed"
    assert stored_files(storage) == []


@pytest.mark.parametrize(("content", "name", "content_type", "reason"), [
    (PNG, "certificate.pdf", "application/pdf", "upload_mismatch"),
    (PDF, "certificate.png", "image/png", "upload_mismatch"),
    (b"<html><body>hi</body></html>", "certificate.html", "text/html", "upload_type_not_allowed"),
])
def test_a_file_that_is_not_what_it_says_is_refused_and_nothing_is_kept(app, client, declined, storage, content,
                                                                         name, content_type, reason):
    refused = send(client, declined["number"], content, name, content_type)
    assert refused.status_code == 422 and refused.json["reason"] == reason
    assert "file" in refused.json["errors"]["json"]
    assert stored_files(storage) == [] and db.session.scalars(select(Upload)).all() == []
    assert cases(declined["number"])["pension-stop-inheritance"].hold["upload"] == CODE  # type: ignore[index]


def test_a_file_the_scanner_flags_is_refused_on_record(app, client, declined, storage):
    refused = send(client, declined["number"], PDF + EICAR)
    assert refused.status_code == 422 and refused.json["reason"] == "upload_infected"
    assert stored_files(storage) == []
    assert db.session.scalars(select(Event).where(Event.name == "document_refused")).one().data["reason"] == "scan"


def test_a_file_over_the_limit_gets_413_naming_the_limit(app, client, declined, monkeypatch):
    monkeypatch.setitem(app.config, "UPLOAD_MAX_BYTES", 1024)
    refused = send(client, declined["number"], PDF + b"0" * 2048)
    assert refused.status_code == 413 and "1 KB" in refused.json["message"]
    huge = send(client, declined["number"], PDF + b"0" * (200 * 1024))  # refused on its declared length
    assert huge.status_code == 413 and "1 KB" in huge.json["message"]


def test_the_certificate_releases_the_items_and_is_stored_encrypted(app, client, declined, storage):
    created = send(client, declined["number"], PDF, "公证书.pdf")
    assert created.status_code == 201, created.json
    assert (created.json["code"], created.json["content_type"], created.json["size"]) == (CODE, "application/pdf", len(PDF))
    after = cases(declined["number"])
    assert {after[item].status for item in ("pension-stop-inheritance", "medical-account-inheritance")} == {"submitted"}
    [stored] = stored_files(storage)
    assert b"%PDF" not in stored.read_bytes() and b"notarised" not in stored.read_bytes()
    mine = client.get(f"/api/v1/applications/{declined['number']}/uploads").json["documents"]
    assert [d["id"] for d in mine] == [created.json["id"]]
    download = client.get(created.json["url"])
    assert download.status_code == 200 and download.data == PDF and download.mimetype == "application/pdf"
    assert download.headers["Content-Disposition"].startswith("attachment;")
    assert download.headers["Cache-Control"] == "no-store"
    assert send(client, declined["number"], PDF).json["reason"] == "upload_not_needed"  # the holds are gone
    overview = client.get(f"/api/v1/applications/{declined['number']}/consents").json
    assert (overview["state"], overview["uploads_needed"]) == ("documented", [])


def test_only_the_officers_whose_items_declare_it_see_the_document(app, client, declined):
    upload_id = send(client, declined["number"], PDF).json["id"]
    after = cases(declined["number"])
    pension = after["pension-stop-inheritance"].reference
    hrss = officer_client(app, "hrss")
    detail = hrss.get(f"/api/v1/officer/cases/{pension}").json
    [document] = detail["documents"]
    assert document["id"] == upload_id and document["url"] == f"/api/v1/officer/cases/{pension}/documents/{upload_id}"
    seen = hrss.get(document["url"])
    assert seen.status_code == 200 and seen.data == PDF and seen.headers["Cache-Control"] == "no-store"
    viewed = db.session.scalars(select(Event).where(Event.name == "document_viewed")).one()
    assert viewed.data["case"] == pension and viewed.actor_user_id is not None
    survivor = after["survivor-benefits"].reference  # the same department, an item that declares no document
    assert hrss.get(f"/api/v1/officer/cases/{survivor}/documents/{upload_id}").status_code == 404
    assert hrss.get(f"/api/v1/officer/cases/{survivor}").json["documents"] == []
    health = officer_client(app, "health")
    own = after["death-medical-certificate"].reference
    assert health.get(f"/api/v1/officer/cases/{own}/documents/{upload_id}").status_code == 404
    assert health.get(f"/api/v1/officer/cases/{pension}/documents/{upload_id}").status_code == 404
    assert declined["sister"].get(f"/api/v1/applications/{declined['number']}/uploads/{upload_id}").status_code == 404
    assert client_of(app, "zhangwei").get(f"/api/v1/officer/cases/{pension}/documents/{upload_id}").status_code == 403
