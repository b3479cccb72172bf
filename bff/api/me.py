"""The signed-in person: profile (masked), preferences, and "my sessions"."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Protocol

from flask import current_app, g
from flask_smorest import Blueprint, abort
from marshmallow import Schema, fields, validate

from auth.permissions import access
from auth.ratelimit import FixedWindow
from bff.api.acting import in_person
from bff.api.auth import sessions
from bff.api.schemas import bilingual
from bff.core.catalog import default_catalog
from bff.core.pii import mask_id_number, mask_mobile
from bff.core.text import LANGUAGES, Text
from bff.extensions import db, redis
from bff.i18n import current_language, t
from bff.services import identity, mobile

blp = Blueprint("me", __name__, url_prefix="/api/v1/me", description="The signed-in person")


class CurrentSessionSchema(Schema):
    kind = fields.Str(metadata={"description": "browser or kiosk"})
    idle_expires_at = fields.DateTime()
    expires_at = fields.DateTime()


class MeSchema(Schema):
    id = fields.Int()
    name = fields.Str()
    id_number = fields.Str(allow_none=True, metadata={"description": "Masked: 330106********1234"})
    mobile = fields.Str(allow_none=True, metadata={"description": "Masked: 138****1234"})
    roles = fields.List(fields.Str())
    department = fields.Str(allow_none=True)
    department_name = bilingual(allow_none=True, metadata={"description": "An officer's department, in full"})
    language = fields.Str(allow_none=True)
    elder_mode = fields.Bool()
    session = fields.Nested(CurrentSessionSchema)


class MobileCodeRequestSchema(Schema):
    mobile = fields.Str(required=True, validate=validate.Length(max=20),
                        metadata={"description": "The new mobile number (11 digits); the code is texted to it"})


class MobileCodeSentSchema(Schema):
    expires_in = fields.Int(metadata={"description": "Seconds the code stays valid (300)"})
    max_tries = fields.Int(metadata={"description": "Wrong codes allowed before a new one is needed (5)"})


class MobileConfirmSchema(Schema):
    code = fields.Str(required=True, validate=validate.Length(max=10), metadata={"description": "The 6-digit code"})


class PreferencesSchema(Schema):
    language = fields.Str(validate=validate.OneOf(LANGUAGES))
    elder_mode = fields.Bool()


class SessionSchema(Schema):
    id = fields.Str(metadata={"description": "A public handle; revoke with DELETE /api/v1/me/sessions/{id}"})
    device = fields.Str()
    place = fields.Str()
    kind = fields.Str()
    created_at = fields.DateTime()
    last_seen = fields.DateTime()
    current = fields.Bool()


class SessionsSchema(Schema):
    sessions = fields.List(fields.Nested(SessionSchema))


class RevokedSchema(Schema):
    revoked = fields.Int()


class Person(Protocol):
    """What the profile shows of a user record."""

    id: int
    name: str
    id_number: str | None
    mobile: str | None
    language: str | None
    elder_mode: bool


def when(timestamp: float) -> datetime:
    return datetime.fromtimestamp(timestamp, UTC)


def me_view(user: Person) -> dict[str, Any]:
    record = g.session
    view = record.public_view()
    return {"id": user.id, "name": user.name, "id_number": mask_id_number(user.id_number),
            "mobile": mask_mobile(user.mobile), "roles": sorted(g.principal.roles), "department": g.principal.department,
            "department_name": _department_name(g.principal.department), "language": user.language, "elder_mode": user.elder_mode,
            "session": {"kind": record.kind, "idle_expires_at": when(view["idle_expires_at"]),
                        "expires_at": when(view["expires_at"])}}


def _department_name(code: str | None) -> dict[str, str] | None:
    department = default_catalog().departments.get(code) if code else None
    return department.name.as_dict() if department else None


@blp.route("")
@blp.response(200, MeSchema)
@access("authenticated")
def get_me() -> dict[str, Any]:
    """Who is signed in; the ID number and mobile are masked."""
    return me_view(identity.own_profile(db.session, g.principal.user_id))


@blp.route("", methods=["PATCH"])
@blp.arguments(PreferencesSchema)
@blp.response(200, MeSchema)
@access("authenticated")
@in_person  # never on someone's behalf, even while acting for them
def update_me(changes: dict[str, Any]) -> dict[str, Any]:
    """Save preferences: language (zh-CN or en) and elder mode (larger text, simpler pages)."""
    return me_view(identity.update_preferences(db.session, g.principal.user_id, changes))


@blp.route("/sessions")
@blp.response(200, SessionsSchema)
@access("authenticated")
def list_sessions() -> dict[str, Any]:
    """My sessions: device, place and last seen of each, newest first."""
    items = identity.list_sessions(sessions(), g.principal)
    return {"sessions": [{**item, "created_at": when(item["created_at"]), "last_seen": when(item["last_seen"])}
                         for item in items]}


@blp.route("/sessions", methods=["DELETE"])
@blp.response(200, RevokedSchema)
@access("authenticated")
@in_person  # never on someone's behalf, even while acting for them
def revoke_other_sessions() -> dict[str, int]:
    """Sign out everywhere else (this session stays; sign out here with POST /auth/logout)."""
    identity.refuse_qr_session(g.principal, identity.SCOPE_SECURITY)
    return {"revoked": identity.revoke_other_sessions(db.session, sessions(), g.principal)}


@blp.route("/sessions/<string(length=16):handle>", methods=["DELETE"])
@blp.response(204)
@access("authenticated")
@in_person  # never on someone's behalf, even while acting for them
def revoke_session(handle: str) -> None:
    """End one of my sessions (another person's session is "not found")."""
    identity.refuse_qr_session(g.principal, identity.SCOPE_SECURITY)
    identity.revoke_session(db.session, sessions(), g.principal, handle)


# --- The account's mobile number, changed with a code texted to the new number ----------------------

TOO_MANY_CODES = Text("验证码发送太频繁，请稍后再试。", "Too many codes asked for; please wait a moment and try again.")


def wire_mobile_limit(state: Any) -> None:
    app = state.app
    app.extensions["mobile_code_limit"] = FixedWindow(
        app.extensions["redis"], "mobile-code-rate", limit=int(app.config["RATE_LIMIT_MOBILE_CODES_PER_10_MINUTES"]),
        window=600)


blp.record_once(wire_mobile_limit)


@blp.route("/mobile/code", methods=["POST"])
@blp.arguments(MobileCodeRequestSchema)
@blp.response(202, MobileCodeSentSchema)
@blp.alt_response(429, response="TOO_MANY_REQUESTS", description="Too many codes for this account; see Retry-After")
@access("authenticated")
@in_person  # never on someone's behalf, even while acting for them
def request_mobile_code(data: dict[str, Any]) -> dict[str, Any]:
    """Text a one-time code to a new mobile number (valid 5 minutes, 5 tries); a new request replaces it."""
    identity.refuse_qr_session(g.principal, identity.SCOPE_CONTACT)
    wait = current_app.extensions["mobile_code_limit"].hit(str(g.principal.user_id))
    if wait is not None:
        abort(429, message=t(TOO_MANY_CODES), reason="rate_limited", headers={"Retry-After": str(wait)})
    return mobile.request_mobile_code(db.session, redis.client, current_app.config["SECRET_KEY"],
                                      g.principal.user_id, data["mobile"], current_language())


@blp.route("/mobile", methods=["POST"])
@blp.arguments(MobileConfirmSchema)
@blp.response(200, MeSchema)
@access("authenticated")
@in_person  # never on someone's behalf, even while acting for them
def confirm_mobile_change(data: dict[str, Any]) -> dict[str, Any]:
    """Change my mobile number with the code texted to it (a wrong code uses one of the 5 tries)."""
    identity.refuse_qr_session(g.principal, identity.SCOPE_CONTACT)
    return me_view(mobile.confirm_mobile_change(db.session, redis.client, g.principal.user_id, data["code"]))
