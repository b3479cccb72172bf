"""Proactive service: the resident's offers (为您备好), automatic grants (免申即享) with their basis
and objections, the resident's settings, and the department's review of objections."""

from __future__ import annotations

from typing import Any

from flask import g
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from auth.permissions import access
from bff.api.acting import in_person
from bff.api.schemas import ResponseSchema, bilingual
from bff.core import proactive as rules
from bff.core.clock import china_today
from bff.extensions import db
from bff.services.forms import current_sources
from bff.services.proactive import grants, offers

blp = Blueprint("offers", __name__, url_prefix="/api/v1", description="Proactive service: offers and automatic grants")


class OfferSchema(ResponseSchema):
    id = fields.Int()
    kind = fields.Str(metadata={"description": "birth, after-death, retirement or automatic"})
    bundle = fields.Str(allow_none=True)
    item = fields.Str(allow_none=True)
    name = bilingual(allow_none=True)
    text = bilingual(metadata={"description": "What the offer says, with the count of questions left"})
    relation = fields.Str(metadata={"description": "The resident as the subject's: self, mother, father, child, …"})
    subject_name = fields.Str(allow_none=True, metadata={"description": "The deceased, named to first-order family only"})
    subject_ref = fields.Str(metadata={"description": "The subject of the offered bundle (opaque; for its combined form)"})
    questions = fields.List(fields.Str(), metadata={"description": "Field keys left to the resident"})
    status = fields.Str(metadata={"description": "open, expired, declined, used, or join (a relative applied)"})
    application_number = fields.Str(allow_none=True)
    expires_on = fields.Date()
    created_at = fields.DateTime()


class BasisSchema(ResponseSchema):
    key = fields.Str()
    label = bilingual()
    value = fields.Raw(allow_none=True)


class AutoGrantSchema(ResponseSchema):
    id = fields.Int()
    item = fields.Str()
    item_name = bilingual()
    result = bilingual(allow_none=True)
    department = fields.Str()
    reference = fields.Str()
    decided_at = fields.DateTime()
    basis = fields.List(fields.Nested(BasisSchema), metadata={"description": "The data the decision rested on"})
    status = fields.Str(metadata={"description": "granted, objected, or withdrawn"})
    objected_at = fields.DateTime(allow_none=True)
    review_outcome = fields.Str(allow_none=True)
    review_note = fields.Str(allow_none=True)


class ObjectionSchema(AutoGrantSchema):
    objection = fields.Str(metadata={"description": "The resident's reason"})


class KindSettingSchema(ResponseSchema):
    kind = fields.Str()
    on = fields.Bool()


class ItemSettingSchema(ResponseSchema):
    item = fields.Str()
    name = bilingual()
    on = fields.Bool()
    consented_at = fields.Str(allow_none=True)


class SettingsSchema(ResponseSchema):
    offer_kinds = fields.List(fields.Nested(KindSettingSchema))
    automatic_items = fields.List(fields.Nested(ItemSettingSchema))


class ActivitySchema(ResponseSchema):
    id = fields.Int()
    name = fields.Str()
    data = fields.Dict()
    occurred_at = fields.DateTime()


class OffersSchema(ResponseSchema):
    offers = fields.List(fields.Nested(OfferSchema))
    grants = fields.List(fields.Nested(AutoGrantSchema))
    settings = fields.Nested(SettingsSchema)
    activity = fields.List(fields.Nested(ActivitySchema), metadata={"description": "Every signal, offer and decision"})


class AcceptSchema(Schema):
    answers = fields.Dict(keys=fields.Str(validate=validate.Length(max=80)), load_default=dict,
                          metadata={"description": "The resident's answers to the questions left"})


class AcceptedSchema(ResponseSchema):
    offer = fields.Int()
    application_number = fields.Str(allow_none=True, metadata={"description": "The draft started (a bundle)"})
    version = fields.Int(allow_none=True, metadata={"description": "The draft's version, for the submission"})
    grant = fields.Nested(AutoGrantSchema, allow_none=True, metadata={"description": "The grant made (an automatic item)"})


class SettingsBodySchema(Schema):
    offers_off = fields.List(fields.Str(validate=validate.OneOf(rules.OFFER_KINDS)), required=True)
    automatic_items = fields.List(fields.Str(validate=validate.Length(max=60)), required=True)


class ObjectBodySchema(Schema):
    reason = fields.Str(required=True, validate=validate.Length(min=1, max=500))


class ReviewBodySchema(Schema):
    outcome = fields.Str(required=True, validate=validate.OneOf(grants.OUTCOMES))
    note = fields.Str(load_default="", validate=validate.Length(max=500))


class ObjectionsSchema(ResponseSchema):
    objections = fields.List(fields.Nested(ObjectionSchema))


@blp.route("/offers")
@blp.response(200, OffersSchema)
@access("resident")
@in_person
def list_offers() -> dict[str, Any]:
    """What the government prepared for me (为您备好), what it granted without an application, and my settings."""
    return offers.list_offers(db.session, g.principal.user_id, china_today())


@blp.route("/offers/<int:offer_id>/accept", methods=["POST"])
@blp.arguments(AcceptSchema)
@blp.response(200, AcceptedSchema)
@blp.alt_response(409, response="CONFLICT", description="The offer is no longer open, or a relative already applied")
@access("resident")
@in_person
def accept_offer(body: dict[str, Any], offer_id: int) -> dict[str, Any]:
    """Start the offered bundle with my answers (a prefilled draft to submit), or consent to an automatic item."""
    return offers.accept_offer(db.session, g.principal.user_id, offer_id, body["answers"], today=china_today(),
                               sources=current_sources())


@blp.route("/offers/<int:offer_id>/decline", methods=["POST"])
@blp.response(200, OfferSchema)
@access("resident")
@in_person
def decline_offer(offer_id: int) -> dict[str, Any]:
    """不需要: the offer ends and does not come back."""
    return offers.decline_offer(db.session, g.principal.user_id, offer_id, today=china_today())


@blp.route("/offers/settings", methods=["PUT"])
@blp.arguments(SettingsBodySchema)
@blp.response(200, SettingsSchema)
@access("resident")
@in_person
def save_settings(body: dict[str, Any]) -> dict[str, Any]:
    """Offer kinds I do not want (opt-out) and items I consent to be granted automatically (opt-in)."""
    return offers.save_settings(db.session, g.principal.user_id, body["offers_off"], body["automatic_items"],
                                today=china_today(), sources=current_sources())


@blp.route("/offers/grants/<int:grant_id>/objection", methods=["POST"])
@blp.arguments(ObjectBodySchema)
@blp.response(200, AutoGrantSchema)
@access("resident")
@in_person
def object_to_grant(body: dict[str, Any], grant_id: int) -> dict[str, Any]:
    """Object to an automatic grant; the item's department reviews it and I am told the outcome."""
    return grants.object_to_grant(db.session, g.principal.user_id, grant_id, body["reason"])


@blp.route("/officer/objections")
@blp.response(200, ObjectionsSchema)
@access("officer")
def list_objections() -> dict[str, Any]:
    """Objections to my department's automatic grants, waiting for review."""
    return {"objections": grants.objections_for(db.session, g.principal.department)}


@blp.route("/officer/objections/<int:grant_id>", methods=["POST"])
@blp.arguments(ReviewBodySchema)
@blp.response(200, AutoGrantSchema)
@access("officer")
def review_objection(body: dict[str, Any], grant_id: int) -> dict[str, Any]:
    """Review an objection: the grant stands (upheld) or is withdrawn."""
    return grants.review_objection(db.session, g.principal.user_id, g.principal.department, grant_id,
                                   body["outcome"], body["note"])
