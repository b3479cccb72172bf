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
from bff.extensions import db
from bff.services import applications as applications_service
from bff.services import certificates as service
from bff.services import identity

blp = Blueprint("certificates", __name__, url_prefix="/api/v1", description="E-certificates (电子证照)")
pages = FlaskBlueprint("verify_pages", __name__)


class CertificateSchema(ResponseSchema):
    number = fields.Str()
    kind = fields.Str()
    title = bilingual()
    issuer = fields.Str()
    issued_on = iso_date()
    valid = fields.Bool(metadata={"description": "False once revoked"})
    verify_url = fields.Str(metadata={"description": "What the certificate's QR code opens"})


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


@blp.route("/certificates/<string:number>/download")
@blp.response(200, BINARY, content_type=SVG, description="A printable SVG (attachment)")
@access("resident")
@as_self  # one's own certificates, also while acting
def download(number: str) -> Response:
    """The certificate as a printable SVG, with its verification QR code (not from a QR-login session)."""
    identity.refuse_qr_session(g.principal, identity.SCOPE_CERTIFICATE)
    certificate = service.own_certificate(db.session, g.principal.user_id, number)
    document = service.render_certificate_svg(certificate, current_app.config["PUBLIC_URL"])
    response = Response(document, mimetype="image/svg+xml")
    response.headers["Content-Disposition"] = f'attachment; filename="{certificate.number}.svg"'
    response.headers["Cache-Control"] = "no-store"
    return response


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


@pages.get("/verify/certificates/<string:token>")
@access("public")
def certificate_page(token: str) -> Response:
    """The page a certificate's QR code opens."""
    result = service.verify_certificate(db.session, token)
    if result["valid"]:
        rows = [("证照类型 Type", f"{result['title']['zh-CN']} / {result['title']['en']}"),
                ("签发日期 Issued", result["issued_on"])]
    else:
        rows = []
    return _page(result["valid"], "电子证照核验 Certificate check", rows)


@pages.get("/verify/receipt/<string:number>")
@access("public")
def receipt_page(number: str) -> Response:
    """The page a receipt's QR code opens."""
    result = applications_service.verify_receipt(db.session, number, request.args.get("t", ""),
                                                 current_app.config["SECRET_KEY"])
    rows = [("办件编号 Number", number), ("提交日期 Submitted", result["submitted_on"])] if result["valid"] else []
    return _page(result["valid"], "办件回执核验 Receipt check", rows)


def _page(valid: bool, title: str, rows: list[tuple[str, str]]) -> Response:
    verdict = "有效 Valid" if valid else "无效或不存在 Not valid"
    cells = "".join(f"<tr><th>{escape(k)}</th><td>{escape(v)}</td></tr>" for k, v in rows)
    html = (f'<!doctype html><html lang="zh-CN"><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width,initial-scale=1"><title>{escape(title)}</title>'
            f'<body style="font-family:sans-serif;max-width:30rem;margin:2rem auto;padding:0 1rem">'
            f'<h1>{escape(title)}</h1><p style="font-size:1.5rem;color:{"#0a0" if valid else "#b00"}">'
            f'{verdict}</p><table>{cells}</table></body></html>')
    response = Response(html, mimetype="text/html")
    response.headers["Cache-Control"] = "no-store"
    return response
