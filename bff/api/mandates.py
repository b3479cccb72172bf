"""Mandates (委托代办): grant, list and revoke them; choose whom to act for, and stop."""

from __future__ import annotations

from typing import Any

from flask import current_app, g
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from auth.permissions import access
from bff.api.acting import as_self, in_person
from bff.api.schemas import ResponseSchema, bilingual, id_arg
from bff.core import mandates as rules
from bff.core.clock import china_today, utc_now
from bff.core.errors import PermissionDenied
from bff.extensions import db
from bff.services import identity
from bff.services import mandates as service

blp = Blueprint("mandates", __name__, url_prefix="/api/v1/me",
                description="Mandates (委托代办): who may act for whom, and acting for someone")


class MandateGrantSchema(Schema):
    agent_kind = fields.Str(required=True, validate=validate.OneOf(rules.AGENT_KINDS))
    agent_ref = fields.Str(load_default=None, allow_none=True, validate=validate.Length(max=80),
                           metadata={"description": "relative: the ref from GET /me/mandates/choices"})
    agent_user_id = id_arg(load_default=None, allow_none=True,
                           metadata={"description": "community_agent: the id from GET /me/mandates/choices"})
    scope = fields.Str(required=True, validate=validate.OneOf(rules.SCOPES),
                       metadata={"description": "apply_follow, or receive_money (also where money is paid)"})
    bundle = fields.Str(load_default=None, allow_none=True, validate=validate.Length(max=60))
    application_number = fields.Str(load_default=None, allow_none=True, validate=validate.Length(max=32))
    expires_on = fields.Date(required=True, metadata={"description": f"Last day (China), at most {rules.MAX_DAYS} days ahead"})


class MandateSchema(ResponseSchema):
    id = fields.Int()
    principal_user_id = fields.Int()
    principal_name = fields.Str()
    agent_kind = fields.Str()
    agent_name = fields.Str()
    relation = fields.Str(allow_none=True, metadata={"description": "The agent as the principal's: child, spouse, …"})
    agent_signed_up = fields.Bool(metadata={"description": "The agent has signed in at least once"})
    scope = fields.Str()
    bundle = fields.Str(allow_none=True)
    bundle_name = bilingual(allow_none=True)
    application_number = fields.Str(allow_none=True)
    expires_at = fields.DateTime(metadata={"description": "The moment it ends (the midnight after expires_on, China)"})
    expires_on = fields.Date(metadata={"description": "Its last day (China)"})
    revoked_at = fields.DateTime(allow_none=True)
    created_at = fields.DateTime()
    accepted_at = fields.DateTime(allow_none=True, metadata={"description": "When the agent first acted on it"})
    status = fields.Str(metadata={"description": "active, expired or revoked"})


class MandatesSchema(ResponseSchema):
    granted = fields.List(fields.Nested(MandateSchema))
    received = fields.List(fields.Nested(MandateSchema))


class RelativeChoiceSchema(ResponseSchema):
    ref = fields.Str()
    name = fields.Str()
    relation = fields.Str()


class AgentChoiceSchema(ResponseSchema):
    id = fields.Int()
    name = fields.Str()


class BundleChoiceSchema(ResponseSchema):
    code = fields.Str()
    name = bilingual()


class ApplicationChoiceSchema(ResponseSchema):
    number = fields.Str()
    bundle = fields.Str()
    status = fields.Str()


class MandateChoicesSchema(ResponseSchema):
    relatives = fields.List(fields.Nested(RelativeChoiceSchema))
    community_agents = fields.List(fields.Nested(AgentChoiceSchema))
    bundles = fields.List(fields.Nested(BundleChoiceSchema))
    applications = fields.List(fields.Nested(ApplicationChoiceSchema))


class ActingPrincipalSchema(ResponseSchema):
    user_id = fields.Int()
    name = fields.Str()
    mandates = fields.List(fields.Nested(MandateSchema))


class ActingPrincipalsSchema(ResponseSchema):
    principals = fields.List(fields.Nested(ActingPrincipalSchema))


class ActAsSchema(Schema):
    principal_user_id = id_arg(required=True)


class ActingSchema(ResponseSchema):
    acting = fields.Bool()
    principal_user_id = fields.Int(allow_none=True)
    principal_name = fields.Str(allow_none=True)
    mandates = fields.List(fields.Nested(MandateSchema))
    ended = fields.Bool(metadata={"description": "The mandate ended since the last request; acting stopped"})
    message = bilingual(allow_none=True)


def not_acting(*, ended: bool = False) -> dict[str, Any]:
    return {"acting": False, "principal_user_id": None, "principal_name": None, "mandates": [], "ended": ended,
            "message": rules.ENDED if ended else None}


@blp.route("/mandates")
@blp.response(200, MandatesSchema)
@access("resident")
@as_self
def list_mandates() -> dict[str, Any]:
    """The mandates I granted and those I hold, with their status (active, expired, revoked)."""
    return service.list_mandates(db.session, identity.own_profile(db.session, g.principal.user_id), now=utc_now())


@blp.route("/mandates/choices")
@blp.response(200, MandateChoicesSchema)
@access("resident")
@in_person
def mandate_choices() -> dict[str, Any]:
    """Whom I may authorise (my living relatives in the registry, registered community agents) and for what."""
    return service.choices(db.session, g.principal.user_id)


@blp.route("/mandates", methods=["POST"])
@blp.arguments(MandateGrantSchema)
@blp.response(201, MandateSchema)
@blp.alt_response(403, response="FORBIDDEN", description="Not a living relative nor a community agent (recorded)")
@access("resident")
@in_person
def grant_mandate(body: dict[str, Any]) -> dict[str, Any]:
    """Authorise a relative or a community agent for one bundle or one application, until a date."""
    identity.refuse_qr_session(g.principal, rules.QR_SESSION)  # a relayed browser must not hand out mandates
    return service.grant_mandate(db.session, g.principal.user_id, body, today=china_today(), now=utc_now())


@blp.route("/mandates/<int:mandate_id>/revoke", methods=["POST"])
@blp.response(200, MandateSchema)
@access("resident")
@in_person
def revoke_mandate(mandate_id: int) -> dict[str, Any]:
    """Revoke one of my mandates; it stops working on the agent's next request."""
    return service.revoke_mandate(db.session, g.principal.user_id, mandate_id, now=utc_now())


@blp.route("/principals")
@blp.response(200, ActingPrincipalsSchema)
@access("resident")
@as_self
def list_principals() -> dict[str, Any]:
    """The people I may act for now, with their mandates to me."""
    me = identity.own_profile(db.session, g.principal.user_id)
    return {"principals": service.principals_of(db.session, me, now=utc_now())}


@blp.route("/acting-as")
@blp.response(200, ActingSchema)
@access("resident")
@as_self
def get_acting_as() -> dict[str, Any]:
    """Whom this session acts for; a mandate that ended since is reported once (and acting stops)."""
    principal = g.session.acting_as
    if principal is None:
        return not_acting()
    try:
        service.acting_mandates(db.session, g.principal.user_id, principal, now=utc_now())
    except PermissionDenied:
        sessions().set_acting_as(g.session.id, None)
        return not_acting(ended=True)
    live = service.live_mandates(db.session, g.principal.user_id, principal, now=utc_now())
    return {**service.acting_view(db.session, principal, live, utc_now()), "ended": False, "message": None}


@blp.route("/acting-as", methods=["POST"])
@blp.arguments(ActAsSchema)
@blp.response(200, ActingSchema)
@blp.alt_response(403, response="FORBIDDEN", description="No live mandate from that person")
@access("resident")
@as_self
def start_acting(body: dict[str, Any]) -> dict[str, Any]:
    """Act for this person (as DigiD Machtigen): from the next request, within their mandates to me."""
    view = service.start_acting(db.session, g.principal.user_id, body["principal_user_id"], now=utc_now())
    sessions().set_acting_as(g.session.id, body["principal_user_id"])
    return {**view, "ended": False, "message": None}


@blp.route("/acting-as", methods=["DELETE"])
@blp.response(200, ActingSchema)
@access("resident")
@as_self
def stop_acting() -> dict[str, Any]:
    """Act as myself again."""
    if g.session.acting_as is not None:
        sessions().set_acting_as(g.session.id, None)
        service.stop_acting(db.session, g.principal.user_id, g.session.acting_as)
    return not_acting()


def sessions() -> Any:
    return current_app.extensions["sessions"]
