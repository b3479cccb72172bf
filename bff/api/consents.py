"""Heirs' consent: the requests asked of me, one request, my answer; the applicant's view of the family's answers."""

from __future__ import annotations

from typing import Any

from flask import g
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from auth.permissions import access
from bff.api.acting import as_self, in_person, resident_id
from bff.api.schemas import ResponseSchema, bilingual, iso_date, iso_datetime
from bff.core import consents as rules
from bff.extensions import db
from bff.services import applications as applications_service
from bff.services import consents as service

blp = Blueprint("consents", __name__, url_prefix="/api/v1",
                description="Heirs' consent for inheritance items (agree, decline, renounce)")


class ConsentSummarySchema(ResponseSchema):
    id = fields.Int()
    number = fields.Str(metadata={"description": "The application's number"})
    bundle = fields.Str()
    deceased_name = fields.Str()
    applicant_name = fields.Str()
    relation = fields.Str(metadata={"description": "Who the heir is to the deceased: spouse, child or parent"})
    decision = fields.Str(metadata={"description": "pending, agreed, declined, renounced, expired or ended"})
    deadline = iso_date(metadata={"description": "The last day to answer (working days from the request)"})
    expired = fields.Bool()


class ConsentListSchema(ResponseSchema):
    consents = fields.List(fields.Nested(ConsentSummarySchema))


class ConsentItemSchema(ResponseSchema):
    item = fields.Str()
    title = bilingual()


class UndertakingSchema(ResponseSchema):
    needed = fields.Bool(metadata={"description": "Agreeing needs the undertaking (承诺书) ticked"})
    text = bilingual()
    version = fields.Str()
    limit_yuan = fields.Int(allow_none=True, metadata={"description": "The small-balance path's ceiling"})
    signed = fields.Bool()


class FamilyAnswerSchema(ResponseSchema):
    name = fields.Str(metadata={"description": "Masked: 陈*"})
    relation = fields.Str()
    decision = fields.Str()
    decided_at = iso_datetime()
    you = fields.Bool(metadata={"description": "This entry is the viewer's own answer"})


class ConsentSchema(ConsentSummarySchema):
    items = fields.List(fields.Nested(ConsentItemSchema))
    agreement = bilingual(metadata={"description": "What agreeing means: who receives what on the heir's behalf"})
    undertaking = fields.Nested(UndertakingSchema)
    decided_at = iso_datetime()
    family = fields.List(fields.Nested(FamilyAnswerSchema))


class ConsentAnswerSchema(Schema):
    decision = fields.Str(required=True, validate=validate.OneOf(rules.ANSWERS),
                          metadata={"description": "agreed, declined or renounced (放弃继承)"})
    undertaking = fields.Bool(load_default=False, metadata={"description": "The undertaking ticked (when needed)"})


class HeldItemSchema(ResponseSchema):
    item = fields.Str()
    title = bilingual()
    reference = fields.Str()
    status = fields.Str()
    hold = fields.Str(allow_none=True, metadata={"description": "awaiting_consent, awaiting_document or null"})


class UploadNeededSchema(ResponseSchema):
    code = fields.Str()
    name = bilingual()


class ApplicationConsentsSchema(ResponseSchema):
    state = fields.Str(metadata={"description": "none, pending, agreed, declined (the notarised path: upload "
                                           "the document) or documented (it was uploaded)"})
    deadline = iso_date()
    heirs = fields.List(fields.Nested(FamilyAnswerSchema))
    items = fields.List(fields.Nested(HeldItemSchema))
    uploads_needed = fields.List(fields.Nested(UploadNeededSchema))


@blp.route("/me/consents")
@blp.response(200, ConsentListSchema)
@access("resident")
@as_self  # what the person is asked as an heir
def my_consents() -> dict[str, Any]:
    """Consent requests asked of me as an heir (待您确认), newest first."""
    return {"consents": service.my_consents(db.session, g.principal.user_id)}


@blp.route("/consents/<int:consent_id>")
@blp.response(200, ConsentSchema)
@blp.alt_response(403, response="FORBIDDEN", description="Not asked of you (recorded)")
@access("resident")
@as_self  # what the person is asked as an heir
def get_consent(consent_id: int) -> dict[str, Any]:
    """One consent request: who died, who applied, which items, what agreeing means, the undertaking."""
    return service.consent_view(db.session, g.principal.user_id, consent_id)


@blp.route("/consents/<int:consent_id>/decision", methods=["POST"])
@blp.arguments(ConsentAnswerSchema)
@blp.response(200, ConsentSchema)
@blp.alt_response(403, response="FORBIDDEN", description="Not asked of you (recorded)")
@blp.alt_response(409, response="CONFLICT", description="Already answered (the first answer stays), expired, or ended")
@access("resident")
@in_person  # an heir decides in person, never through an agent
def decide(data: dict[str, Any], consent_id: int) -> dict[str, Any]:
    """Answer once: agree (with the undertaking where needed), decline, or renounce the inheritance."""
    service.answer_consent(db.session, g.principal.user_id, consent_id, data["decision"], data["undertaking"])
    return service.consent_view(db.session, g.principal.user_id, consent_id)


@blp.route("/applications/<string:number>/consents")
@blp.response(200, ApplicationConsentsSchema)
@access("resident")
def application_consents(number: str) -> dict[str, Any]:
    """The family's answers for my application, the inheritance items' state, and what to upload."""
    application = applications_service.own_application(db.session, resident_id(number=number), number, with_answers=False)
    return service.application_consents(db.session, application)
