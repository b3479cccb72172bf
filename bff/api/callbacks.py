"""Status callbacks from department systems (signed with the department's secret; no session)."""

from __future__ import annotations

from typing import Any

from flask import current_app, request
from flask_smorest import Blueprint, abort

from auth.permissions import access
from bff.adapters.departments.signing import SignatureInvalid
from bff.extensions import db
from bff.services.callbacks import authenticate_callback, receive_callback
from bff.services.dispatch import DispatchSettings

blp = Blueprint("callbacks", __name__, url_prefix="/api/v1/departments",
                description="Department systems report case status here (webhook protocol, docs/applications.md)")


@blp.route("/<string:department>/callbacks", methods=["POST"])
@blp.response(200)
@access("department")
def department_callback(department: str) -> dict[str, Any]:
    """Apply a signed status callback; redelivery and out-of-order delivery are safe."""
    body = request.get_data(cache=False)
    try:
        event_id = authenticate_callback(DispatchSettings.from_config(current_app.config), department,
                                         request.headers, body)
    except SignatureInvalid:
        abort(401)
    return receive_callback(db.session, department, event_id, body)
