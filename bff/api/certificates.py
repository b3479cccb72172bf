"""E-certificates: mine, the download, and the public verification by QR code."""

from __future__ import annotations

from html import escape
from typing import Any

from flask import Blueprint as FlaskBlueprint
from flask import Response, current_app, g, request
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from auth.permissions import access
from bff.api.acting import as_self
from bff.api.schemas import BINARY, SVG, ResponseSchema, bilingual, iso_date
from bff.core.text import Text
from bff.extensions import db
from bff.i18n import current_language, t
from bff.services import applications as applications_service
from bff.services import certificate_documents as documents
from bff.services import certificates as service
from bff.services import identity

blp = Blueprint("certificates", __name__, url_prefix="/api/v1", description="E-certificates (电子证照)")
pages = FlaskBlueprint("verify_pages", __name__)
APP_NAME = Text("一件事", "OneThing")


class CertificateSchema(ResponseSchema):
    number = fields.Str()
    kind = fields.Str()
    title = bilingual()
    issuer = fields.Str(metadata={"description": "The issuing department's code"})
    issuer_name = bilingual(metadata={"description": "The issuing department's full name"})
    issued_on = iso_date()
    valid = fields.Bool(metadata={"description": "False once revoked"})
    verify_url = fields.Str(metadata={"description": "What the certificate's QR code opens"})


class CertificateDetailSchema(CertificateSchema):
    holder = fields.Str(allow_none=True, metadata={"description": "Masked: 张**"})
    revoked_on = iso_date()


class CertificatesSchema(ResponseSchema):
    certificates = fields.List(fields.Nested(CertificateSchema))


class CertificateCheckSchema(ResponseSchema):
    valid = fields.Bool()
    kind = fields.Str(metadata={"description": "Only when the token is known"})
    title = bilingual(metadata={"description": "Only when the token is known"})
    issued_on = iso_date(metadata={"description": "Only when the token is known"})


class ReceiptTokenSchema(Schema):
    t = fields.Str(load_default="", metadata={"description": "The token printed in the receipt's QR code"})


class ReceiptCheckSchema(ResponseSchema):
    valid = fields.Bool()
    bundle = fields.Str(metadata={"description": "Only when valid"})
    submitted_on = iso_date(metadata={"description": "Only when valid"})


@blp.route("/certificates")
@blp.response(200, CertificatesSchema)
@access("resident")
@as_self  # one's own certificates, also while acting
def my_certificates() -> dict[str, Any]:
    """Every certificate my applications produced."""
    return {"certificates": service.my_certificates(db.session, g.principal.user_id,
                                                    current_app.config["PUBLIC_URL"])}


PDF = "application/pdf"
DOCUMENT_TYPES = {"responses": {"200": {
    "description": "A printable PDF (attachment); an SVG image only to a client whose Accept asks for image/svg+xml",
    "content": {kind: {"schema": BINARY} for kind in (PDF, SVG)}}}}


@blp.route("/certificates/<string:number>")
@blp.response(200, CertificateDetailSchema)
@access("resident")
@as_self  # one's own certificates, also while acting
def certificate(number: str) -> dict[str, Any]:
    """One of my certificates as its page shows it (not from a QR-login session)."""
    identity.refuse_qr_session(g.principal, identity.SCOPE_CERTIFICATE)
    return service.certificate_detail(db.session, g.principal.user_id, number, current_app.config["PUBLIC_URL"])


@blp.route("/certificates/<string:number>/download")
@blp.response(200, BINARY, content_type=PDF)
@blp.doc(**DOCUMENT_TYPES)
@access("resident")
@as_self  # one's own certificates, also while acting
def download(number: str) -> Response:
    """The certificate as a printable PDF with its verification QR code (not from a QR-login session)."""
    identity.refuse_qr_session(g.principal, identity.SCOPE_CERTIFICATE)
    view = service.certificate_detail(db.session, g.principal.user_id, number, current_app.config["PUBLIC_URL"])
    if _asks_for_svg():
        response = Response(documents.render_certificate_svg(view), mimetype=SVG)
        extension = "svg"
    else:
        response = Response(documents.render_certificate_pdf(view), mimetype=PDF)
        extension = "pdf"
    response.headers["Content-Disposition"] = f'attachment; filename="{view["number"]}.{extension}"'
    response.headers["Cache-Control"] = "no-store"
    response.headers["Vary"] = "Accept"
    return response


def _asks_for_svg() -> bool:
    """Only an Accept that names image/svg+xml and prefers it to PDF gets the image; a browser's
    navigation (``*/*``, ``image/*``) gets the PDF."""
    accept = request.accept_mimetypes
    return SVG in accept.values() and accept[SVG] > accept[PDF]


@blp.route("/verify/certificates/<string:token>")
@blp.response(200, CertificateCheckSchema)
@access("public")
def verify_certificate(token: str) -> dict[str, Any]:
    """Public: only validity, type and issue date."""
    return service.verify_certificate(db.session, token)


@blp.route("/verify/receipts/<string:number>")
@blp.arguments(ReceiptTokenSchema, location="query")
@blp.response(200, ReceiptCheckSchema)
@access("public")
def verify_receipt(query: dict[str, Any], number: str) -> dict[str, Any]:
    """Public: whether a receipt is genuine, its bundle and submission date."""
    return applications_service.verify_receipt(db.session, number, query["t"],
                                               current_app.config["SECRET_KEY"])


VERIFY_TEXT = {
    "valid": Text("有效", "Valid"),
    "invalid": Text("无效或不存在", "Not valid"),
    "certificate": Text("电子证照核验", "Certificate check"),
    "receipt": Text("办件回执核验", "Receipt check"),
    "kind": Text("证照类型", "Type"),
    "issued_on": Text("签发日期", "Issued on"),
    "number": Text("办件编号", "Application number"),
    "submitted_on": Text("提交日期", "Submitted on"),
    "certificate_note": Text("本页只显示证照是否有效、类型和签发日期，不含个人信息。",
                             "This page shows only whether the certificate is valid, its type and its issue date: "
                             "no personal data."),
    "receipt_note": Text("本页只显示回执是否真实、办件编号和提交日期，不含个人信息。",
                         "This page shows only whether the receipt is genuine, its number and its submission date: "
                         "no personal data."),
}


@pages.get("/verify/certificates/<string:token>")
@access("public")
def certificate_page(token: str) -> Response:
    """The page a certificate's QR code opens, in the reader's language."""
    result = service.verify_certificate(db.session, token)
    rows = [("kind", t(Text(result["title"]["zh-CN"], result["title"]["en"]))),
            ("issued_on", result["issued_on"])] if result["valid"] else []
    return _page(result["valid"], "certificate", rows)


@pages.get("/verify/receipt/<string:number>")
@access("public")
def receipt_page(number: str) -> Response:
    """The page a receipt's QR code opens, in the reader's language."""
    result = applications_service.verify_receipt(db.session, number, request.args.get("t", ""),
                                                 current_app.config["SECRET_KEY"])
    rows = [("number", number), ("submitted_on", result["submitted_on"])] if result["valid"] else []
    return _page(result["valid"], "receipt", rows)


def _page(valid: bool, kind: str, rows: list[tuple[str, str]]) -> Response:
    """A small page styled only by its stylesheet: the site's CSP allows no inline style."""
    title, verdict = t(VERIFY_TEXT[kind]), t(VERIFY_TEXT["valid" if valid else "invalid"])
    facts = "".join(f'<div class="verify__row"><dt>{escape(t(VERIFY_TEXT[key]))}</dt><dd>{escape(value)}</dd></div>'
                    for key, value in rows)
    stylesheet = f"/static/{current_app.config['ASSET_VERSION']}/css/verify.css"
    html = (f'<!doctype html><html lang="{current_language()}"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width,initial-scale=1">'
            f'<title>{escape(title)}</title><link rel="stylesheet" href="{stylesheet}"></head>'
            f'<body class="verify"><main class="verify__card"><p class="verify__brand">{escape(t(APP_NAME))}</p>'
            f'<h1>{escape(title)}</h1>'
            f'<p class="verify__badge verify__badge--{"valid" if valid else "invalid"}">{escape(verdict)}</p>'
            f'{f"<dl class=verify__facts>{facts}</dl>" if facts else ""}'
            f'<p class="verify__note">{escape(t(VERIFY_TEXT[kind + "_note"]))}</p></main></body></html>')
    response = Response(html, mimetype="text/html")
    response.headers["Cache-Control"] = "no-store"
    response.headers["Vary"] = "Accept-Language, Cookie"
    return response
