"""Kiosk enrolment: an administrator registers a hall kiosk and receives its device credential once.

Only a QR login ticket asked for with an enrolled kiosk's credential names a place on the
resident's phone (``bff/api/qr_login.py``); the credential is stored only as its hash.
"""

from __future__ import annotations

from typing import Any

from flask import Response, current_app, g
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from auth.permissions import access
from bff.extensions import db
from bff.services import identity

blp = Blueprint("kiosks", __name__, url_prefix="/api/v1/kiosks", description="Enrolled hall kiosks (administrators)")


@blp.after_request
def no_store(response: Response) -> Response:
    # The answer carries a device credential: never kept by a cache.
    response.headers["Cache-Control"] = "no-store"
    return response


class EnrolSchema(Schema):
    hall = fields.Str(required=True, validate=validate.Length(min=1, max=60),
                      metadata={"description": "The service hall, e.g. 西湖区市民之家 3楼"})
    device_name = fields.Str(required=True, validate=validate.Length(min=1, max=40),
                             metadata={"description": "The kiosk's name in the hall, e.g. 自助机 A-03"})


class EnrolledSchema(Schema):
    id = fields.Int()
    hall = fields.Str()
    device_name = fields.Str()
    place = fields.Str(metadata={"description": "What the resident's phone shows as the kiosk's place"})
    credential = fields.Str(metadata={"description": "The device credential, shown this once only"})
    setup_url = fields.Str(metadata={"description": "Open this on the kiosk once: it keeps the credential "
                                                    "(the part after # never reaches a server)"})


@blp.route("", methods=["POST"])
@blp.arguments(EnrolSchema)
@blp.response(201, EnrolledSchema)
@access("admin")
def enrol(args: dict[str, str]) -> dict[str, Any]:
    """Enrol a kiosk; the answer holds its credential, which is never shown again."""
    kiosk, credential = identity.enrol_kiosk(db.session, hall=args["hall"], device_name=args["device_name"],
                                             enrolled_by=g.principal.user_id)
    public_url = current_app.config["PUBLIC_URL"].rstrip("/")
    return {"id": kiosk.id, "hall": kiosk.hall, "device_name": kiosk.device_name, "place": kiosk.place,
            "credential": credential, "setup_url": f"{public_url}/kiosk#kiosk-credential={credential}"}
