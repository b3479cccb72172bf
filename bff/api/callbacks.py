"""Status callbacks from department systems (signed with the department's secret; no session)."""

from __future__ import annotations

from typing import Any

from flask import current_app, request
from flask_smorest import Blueprint, abort
from marshmallow import Schema, fields, validate

from auth.permissions import access
from bff.adapters.departments.signing import SignatureInvalid
from bff.api.schemas import ResponseSchema
from bff.core.text import Text
from bff.extensions import db
from bff.i18n import t
from bff.services.callbacks import DEPARTMENT_STATUSES, authenticate_callback, receive_callback
from bff.services.dispatch import DispatchSettings

BAD_SIGNATURE = Text("回调签名无效或已过期：请检查本部门的签名密钥和系统时钟。",
                     "The callback's signature is invalid or too old: check your department's signing secret and clock.")

blp = Blueprint("callbacks", __name__, url_prefix="/api/v1/departments",
                description="Department systems report case status here (webhook protocol, docs/applications.md)")


class CallbackSchema(Schema):
    """The signed body (documents it: the view reads the raw bytes, which the signature covers)."""

    case = fields.Str(required=True, metadata={"description": "The case reference"})
    status = fields.Str(required=True, validate=validate.OneOf(DEPARTMENT_STATUSES))
    occurred_at = fields.DateTime(metadata={"description": "With a time zone; default now"})
    external_id = fields.Str(metadata={"description": "The department system's own id"})
    message = fields.Str(metadata={"description": "supplement_requested: what is needed"})
    message_en = fields.Str(metadata={"description": "supplement_requested: the same in English, for residents "
                                      "who use the app in English (optional)"})
    fields_ = fields.List(fields.Str(), data_key="fields", metadata={"description": "supplement_requested"})
    materials = fields.List(fields.Str(), metadata={"description": "supplement_requested"})
    reason = fields.Str(metadata={"description": "rejected: the reason the resident reads"})
    certificate = fields.Dict(metadata={"description": "approved: {number}"})
    outputs = fields.Dict(metadata={"description": "approved: the data the item produces for the items that need "
                                    "it, e.g. {citizen_id_number} for a birth registration (required when declared)"})


class CallbackOutcomeSchema(ResponseSchema):
    outcome = fields.Str(metadata={"description": "applied, stale (older than the case's state) or duplicate"})
    status = fields.Str(metadata={"description": "The case's status now (not for a duplicate)"})


@blp.route("/<string:department>/callbacks", methods=["POST"])
@blp.doc(requestBody={"required": True, "content": {"application/json": {"schema": CallbackSchema}}})
@blp.response(200, CallbackOutcomeSchema)
@blp.alt_response(401, response="UNAUTHORIZED", description="Bad or missing signature")
@blp.alt_response(404, response="NOT_FOUND", description="Not this department's case")
@blp.alt_response(422, response="UNPROCESSABLE_ENTITY",
                  description="Malformed body, or an approval without the outputs its item produces")
@access("department")
def department_callback(department: str) -> dict[str, Any]:
    """Apply a signed status callback; redelivery and out-of-order delivery are safe."""
    body = request.get_data(cache=False)
    try:
        event_id = authenticate_callback(DispatchSettings.from_config(current_app.config), department,
                                         request.headers, body)
    except SignatureInvalid:
        # A department's system, not a person: "please sign in" would send its operators looking
        # for a login page instead of at their signing secret or clock.
        abort(401, message=t(BAD_SIGNATURE), reason="signature_invalid")
    return receive_callback(db.session, department, event_id, body)
