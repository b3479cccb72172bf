"""A certificate as its holder sees it: the page's data, the PDF, the SVG only on request, and the
public verification page, styled without inline styles."""

from __future__ import annotations

import subprocess

from flask import Flask
from flask.testing import FlaskClient

from bff.core.catalog import default_catalog
from bff.extensions import db
from bff.store.models import Application, User
from tests.api.application_helpers import case_of, officer_client, submitted_application
from tests.factories import ApplicationFactory, create_user, sign_in

CSRF = {"X-OneThing-CSRF": "1"}
BROWSER_NAVIGATION = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"


def holder_client(app: Flask, application: Application) -> FlaskClient:
    client = app.test_client()
    sign_in(app, client, db.session.get(User, application.user_id))  # type: ignore[arg-type]
    return client


def first_certificate(client: FlaskClient) -> dict:
    return client.get("/api/v1/certificates").json["certificates"][0]  # type: ignore[index,no-any-return]


def test_a_certificate_names_its_issuer_in_full_in_both_languages_and_masks_its_holder(app: Flask) -> None:
    application = ApplicationFactory(approved=True)
    client = holder_client(app, application)
    listed = first_certificate(client)
    detail = client.get(f"/api/v1/certificates/{listed['number']}")
    assert detail.status_code == 200
    department = default_catalog().departments[listed["issuer"]]
    assert detail.json["issuer_name"] == {"zh-CN": department.name.zh, "en": department.name.en}
    assert listed["issuer_name"] == detail.json["issuer_name"]
    subject = application.answers["subject.name"]
    assert detail.json["holder"] == subject[0] + "*" * (len(subject) - 1)
    assert detail.json["number"] == listed["number"] and detail.json["valid"] is True
    assert detail.json["verify_url"] == listed["verify_url"]


def test_the_download_is_a_pdf_whose_text_names_the_issuer_in_chinese_and_the_number(app: Flask) -> None:
    client = holder_client(app, ApplicationFactory(approved=True))
    listed = first_certificate(client)
    for accept in (None, "*/*", BROWSER_NAVIGATION, "application/pdf"):
        download = client.get(f"/api/v1/certificates/{listed['number']}/download",
                              headers={"Accept": accept} if accept else {})
        assert download.status_code == 200 and download.mimetype == "application/pdf", accept
        assert download.headers["Content-Disposition"] == f'attachment; filename="{listed["number"]}.pdf"'
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", "-", "-"], input=download.data, capture_output=True,
                          check=True).stdout.decode()
    department = default_catalog().departments[listed["issuer"]]
    assert department.name.zh in text and department.name.en in text
    assert listed["number"] in text and listed["title"]["zh-CN"] in text


def test_the_svg_goes_only_to_a_client_that_asks_for_image_svg(app: Flask) -> None:
    client = holder_client(app, ApplicationFactory(approved=True))
    listed = first_certificate(client)
    image = client.get(f"/api/v1/certificates/{listed['number']}/download", headers={"Accept": "image/svg+xml"})
    assert image.status_code == 200 and image.mimetype == "image/svg+xml"
    department = default_catalog().departments[listed["issuer"]]
    assert department.name.zh in image.text and ">hrss<" not in image.text
    assert "Accept" in image.headers["Vary"].split(", ")


def test_someone_else_cannot_read_or_download_a_certificate(app: Flask) -> None:
    client = holder_client(app, ApplicationFactory(approved=True))
    number = first_certificate(client)["number"]
    stranger = app.test_client()
    sign_in(app, stranger, create_user("lijianguo"))
    for path in (f"/api/v1/certificates/{number}", f"/api/v1/certificates/{number}/download"):
        answer = stranger.get(path)
        assert answer.status_code == 404 and answer.json["message"] == "找不到这份证照。", path


def test_the_verify_page_is_styled_by_a_stylesheet_in_the_readers_language(app: Flask) -> None:
    client = holder_client(app, ApplicationFactory(approved=True))
    path = "/verify/certificates/" + first_certificate(client)["verify_url"].rsplit("/", 1)[1]
    anonymous = app.test_client()
    chinese = anonymous.get(path)
    assert chinese.status_code == 200 and 'class="verify__badge verify__badge--valid">有效<' in chinese.text
    assert "style=" not in chinese.text and "<style" not in chinese.text
    assert f'/static/{app.config["ASSET_VERSION"]}/css/verify.css' in chinese.text
    assert "unsafe-inline" not in chinese.headers["Content-Security-Policy"]
    english = anonymous.get(path, headers={"Accept-Language": "en-GB,en;q=0.9"})
    assert '<html lang="en">' in english.text and ">Valid<" in english.text
    unknown = anonymous.get("/verify/certificates/nothing-like-this")
    assert "verify__badge--invalid" in unknown.text and "无效" in unknown.text


def test_a_co_handler_of_the_application_reads_and_downloads_its_certificate(app: Flask, client: FlaskClient) -> None:
    submitted = submitted_application(app, client, "birth")  # 张伟, the newborn's father
    number, reference = submitted["number"], case_of(submitted["receipt"], "birth-medical-certificate")
    officer = officer_client(app, "health")
    for action in ("accept", "process", "approve"):
        assert officer.post(f"/api/v1/officer/cases/{reference}/{action}").status_code == 200, action
    certificate = first_certificate(client)["number"]
    mother = app.test_client()
    sign_in(app, mother, create_user("wangfang"))
    assert mother.get(f"/api/v1/certificates/{certificate}").status_code == 404  # not before she joins
    asked = mother.post(f"/api/v1/applications/{number}/join-requests", headers=CSRF)
    assert asked.status_code == 201, asked.json
    assert client.post(f"/api/v1/applications/{number}/members/{asked.json['id']}/accept").status_code == 200
    assert mother.get(f"/api/v1/certificates/{certificate}").json["number"] == certificate
    assert mother.get(f"/api/v1/certificates/{certificate}/download").mimetype == "application/pdf"
