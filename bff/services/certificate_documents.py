"""What a certificate looks like to its holder: the page's data, the PDF, and the SVG image.

All three show the same things: the title in both languages, the number, the holder (masked, as in
every response), the issuing department's full name from the catalog, the issue date, and the
verification QR code. The PDF uses reportlab's built-in CID font STSong-Light: PDF readers carry
it (Adobe-GB1), so Chinese renders with no font file to ship, install or download at run time.
"""

from __future__ import annotations

import io
from html import escape
from typing import Any

import qrcode
import qrcode.image.svg
from reportlab.graphics import renderPDF
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib.pagesizes import A5, landscape
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen.canvas import Canvas

from bff.core.calendar import china_date
from bff.core.catalog import default_catalog
from bff.core.pii import mask_name
from bff.store.models import Certificate

VERIFY_PATH = "/verify/certificates/"
CJK_FONT = "STSong-Light"
SEAL_RED = (0.7, 0.0, 0.0)


def verify_url(certificate: Certificate, public_url: str) -> str:
    return f"{public_url}{VERIFY_PATH}{certificate.token}"


def issuer_name(code: str) -> dict[str, str]:
    """The issuing department's full name in both languages; an unknown code is shown as itself."""
    department = default_catalog().departments.get(code)
    return department.name.as_dict() if department else {"zh-CN": code, "en": code}


def holder_of(certificate: Certificate) -> str | None:
    """The holder's name, masked as everywhere else (a printed or shared copy leaks no full name)."""
    return mask_name((certificate.content or {}).get("subject_name"))


def certificate_view(certificate: Certificate, public_url: str) -> dict[str, Any]:
    """Everything the certificate page, the PDF and the SVG show."""
    return {"number": certificate.number, "kind": certificate.kind,
            "title": {"zh-CN": certificate.title_zh, "en": certificate.title_en},
            "issuer": certificate.issuer, "issuer_name": issuer_name(certificate.issuer),
            "holder": holder_of(certificate),
            "issued_on": china_date(certificate.issued_at).isoformat(),
            "revoked_on": china_date(certificate.revoked_at).isoformat() if certificate.revoked_at else None,
            "valid": certificate.revoked_at is None,
            "verify_url": verify_url(certificate, public_url)}


def qr_svg(data: str) -> str:
    """An SVG QR code of ``data`` (medium error correction, the standard 4-module quiet zone)."""
    image = qrcode.make(data, image_factory=qrcode.image.svg.SvgPathImage, box_size=8, border=4,
                        error_correction=qrcode.constants.ERROR_CORRECT_M)
    buffer = io.BytesIO()
    image.save(buffer)
    return buffer.getvalue().decode()


def _lines(view: dict[str, Any]) -> list[tuple[str, str]]:
    issuer = view["issuer_name"]
    return [("证照编号 No.", view["number"]), ("持证人 Holder", view["holder"] or "-"),
            ("签发机关 Issuer", issuer["zh-CN"]), ("", issuer["en"]),
            ("签发日期 Issued", view["issued_on"])]


def render_certificate_pdf(view: dict[str, Any]) -> bytes:
    """An A5 landscape PDF: the text on the left, a 45 mm verification QR code on the right."""
    if CJK_FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(CJK_FONT))
    buffer = io.BytesIO()
    width, height = landscape(A5)
    canvas = Canvas(buffer, pagesize=(width, height), invariant=True)
    canvas.setTitle(f"{view['title']['zh-CN']} {view['number']}")
    canvas.setStrokeColorRGB(*SEAL_RED)
    canvas.setLineWidth(2)
    canvas.rect(8 * mm, 8 * mm, width - 16 * mm, height - 16 * mm)
    canvas.setFont(CJK_FONT, 18)
    canvas.drawString(16 * mm, height - 26 * mm, view["title"]["zh-CN"])
    canvas.setFont(CJK_FONT, 12)
    canvas.drawString(16 * mm, height - 33 * mm, view["title"]["en"])
    y = height - 48 * mm
    for label, value in _lines(view):
        canvas.setFont(CJK_FONT, 9)
        canvas.drawString(16 * mm, y, label)
        canvas.setFont(CJK_FONT, 11)
        canvas.drawString(50 * mm, y, value)
        y -= 9 * mm
    _draw_qr(canvas, view["verify_url"], x=width - 63 * mm, y=22 * mm, size=45 * mm)
    canvas.setFont(CJK_FONT, 8)
    canvas.drawCentredString(width - 40.5 * mm, 16 * mm, "扫码核验 Scan to verify")
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def _draw_qr(canvas: Canvas, data: str, *, x: float, y: float, size: float) -> None:
    widget = QrCodeWidget(data, barLevel="M", barBorder=4)
    left, bottom, right, top = widget.getBounds()
    drawing = Drawing(size, size, transform=[size / (right - left), 0, 0, size / (top - bottom), 0, 0])
    drawing.add(widget)
    renderPDF.draw(drawing, canvas, x, y)


def render_certificate_svg(view: dict[str, Any]) -> str:
    """The certificate as an SVG image (for clients that ask for image/svg+xml), QR code 200 px wide."""
    qr = qr_svg(view["verify_url"])
    qr_body = qr[qr.index(">", qr.index("<svg")) + 1:qr.rindex("</svg>")]
    modules = _svg_side(qr)
    lines = [view["title"]["zh-CN"], view["title"]["en"], *(f"{label} {value}".strip() for label, value in _lines(view))]
    text = "".join(f'<text x="24" y="{48 + i * 30}" font-size="{20 if i < 2 else 15}">{escape(str(line))}</text>'
                   for i, line in enumerate(lines))
    return ('<svg xmlns="http://www.w3.org/2000/svg" width="720" height="420" viewBox="0 0 720 420">'
            '<rect width="720" height="420" fill="#fff" stroke="#b40000" stroke-width="4"/>'
            f'{text}<g transform="translate(496,196) scale({200 / modules:.4f})">{qr_body}</g></svg>')


def _svg_side(svg: str) -> float:
    """The side of a qrcode SVG in its own units (its width attribute, e.g. ``37mm`` → 37)."""
    start = svg.index('width="') + len('width="')
    return float(svg[start:svg.index('"', start)].rstrip("m"))
