"""The rating (好差评) of a finished application: the resident's 1–5 score, tags and comment."""

from __future__ import annotations

from typing import Any

from flask import g, request
from flask.wrappers import Response
from flask_smorest import Api, Blueprint
from marshmallow import Schema, fields, validate

from auth.permissions import access
from bff.api.acting import in_person
from bff.api.schemas import ResponseSchema, bilingual, iso_datetime
from bff.core.ratings import COMMENT_MAX
from bff.extensions import db, redis
from bff.services import ratings as service
from bff.services.service_desk import access as staff_access

blp = Blueprint("ratings", __name__, url_prefix="/api/v1/applications",
                description="好差评: rate a finished application; a bad rating gets a follow-up")
staff_blp = Blueprint("staff_ratings", __name__, url_prefix="/api/v1/staff/residents",
                      description="好差评 follow-up: the service desk records its call-back")


def register(api: Api) -> None:
    for blueprint in (blp, staff_blp):
        api.register_blueprint(blueprint)


@staff_blp.after_request
def no_store(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    return response


class RatingSchema(Schema):
    score = fields.Int(required=True, strict=True, metadata={"description": "1 (very dissatisfied) to 5"})
    tags = fields.List(fields.Str(validate=validate.Length(max=40)), load_default=list,
                       validate=validate.Length(max=10), metadata={"description": "Codes from `tags`"})
    # Length is checked by the rules (after whitespace is collapsed), with a bilingual message.
    comment = fields.Str(load_default=None, allow_none=True, validate=validate.Length(max=COMMENT_MAX * 2),
                         metadata={"description": f"Optional, at most {COMMENT_MAX} characters"})


class TagSchema(ResponseSchema):
    code = fields.Str()
    text = bilingual()
    good = fields.Bool(metadata={"description": "Praise (true) or a complaint (false)"})


class GivenRatingSchema(ResponseSchema):
    id = fields.Int()
    score = fields.Int()
    tags = fields.List(fields.Str())
    comment = fields.Str(allow_none=True)
    given_at = iso_datetime()
    bad = fields.Bool(metadata={"description": "A score of 2 or less: the service desk calls back"})
    follow_up = fields.Str(allow_none=True, metadata={"description": "pending or done (bad ratings only)"})


class RatingViewSchema(ResponseSchema):
    number = fields.Str()
    rating = fields.Nested(GivenRatingSchema, allow_none=True, metadata={"description": "The latest, or null"})
    can_rate = fields.Bool()
    rerating = fields.Bool(metadata={"description": "A rating was given before"})
    tags = fields.List(fields.Nested(TagSchema))


@blp.route("/<string:number>/rating")
@blp.response(200, RatingViewSchema)
@access("resident")
@in_person  # a rating is the person's own opinion
def get_rating(number: str) -> dict[str, Any]:
    """My rating of the application (or null), whether I may rate now, and the tag list."""
    return service.rating_of(db.session, g.principal.user_id, number)


@blp.route("/<string:number>/rating", methods=["POST"])
@blp.arguments(RatingSchema)
@blp.response(201, RatingViewSchema)
@access("resident")
@in_person  # a rating is the person's own opinion
def give_rating(data: dict[str, Any], number: str) -> dict[str, Any]:
    """Rate once when finished; after a bad rating (≤ 2) one re-rating is allowed. Else 409."""
    return service.give_rating(db.session, g.principal.user_id, number, data["score"], data["tags"],
                               data["comment"])


@staff_blp.route("/<int:resident_id>/ratings/<string:number>/follow-up", methods=["POST"])
@staff_blp.response(201, RatingViewSchema)
@access("staff")
def record_follow_up(resident_id: int, number: str) -> dict[str, Any]:
    """The call-back after a bad rating is done (needs X-Staff-Grant); the resident may then rate once more."""
    grant = staff_access.check_grant(redis.client, g.principal, resident_id,
                                     request.headers.get(staff_access.GRANT_HEADER))
    return service.record_follow_up(db.session, grant, number)
