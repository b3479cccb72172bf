"""The family of an application: who handles it together, join requests, invitations, the lead."""

from __future__ import annotations

from typing import Any

from flask import g
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from auth.permissions import access
from bff.api.acting import as_self, in_person, resident_id
from bff.api.schemas import ResponseSchema
from bff.extensions import db
from bff.services import family as service

blp = Blueprint("family", __name__, url_prefix="/api/v1",
                description="One case for the family: members, join requests, invitations, the lead")

NOT_FOUND = {"response": "NOT_FOUND", "description": "No such application, or not one of mine"}
FORBIDDEN = {"response": "FORBIDDEN", "description": "Not related to the subject in the registry (recorded), "
                                                     "or not the lead"}
CONFLICT = {"response": "CONFLICT", "description": "Already in, already answered, or the application was withdrawn"}


class MemberSchema(ResponseSchema):
    id = fields.Int()
    name = fields.Str(metadata={"description": "The name the registry gives (never an ID number)"})
    relation = fields.Str(allow_none=True, metadata={"description": "To the subject: child, spouse, mother, father…"})
    role = fields.Str(metadata={"description": "lead or co_handler"})
    status = fields.Str(metadata={"description": "active, requested (asked to join) or invited"})
    is_me = fields.Bool()
    signed_up = fields.Bool(metadata={"description": "false: the invitation waits for their first sign-in"})
    since = fields.Str()


class InvitableSchema(ResponseSchema):
    ref = fields.Str(metadata={"description": "The registry's opaque ref of the relative: send it to invite"})
    name = fields.Str()
    relation = fields.Str(metadata={"description": "To me: spouse, child, parent, sibling"})
    signed_up = fields.Bool()


class FamilySchema(ResponseSchema):
    number = fields.Str()
    my_role = fields.Str(metadata={"description": "lead or co_handler"})
    my_member_id = fields.Int(allow_none=True)
    members = fields.List(fields.Nested(MemberSchema))
    invitable = fields.List(fields.Nested(InvitableSchema), metadata={"description": "The lead only: registry "
                                                                                     "relatives linked to the subject"})


class InvitationSchema(Schema):
    relative_ref = fields.Str(required=True, validate=validate.Length(min=1, max=80),
                              metadata={"description": "A ref from `invitable`"})


class PendingInvitationSchema(ResponseSchema):
    member_id = fields.Int()
    number = fields.Str()
    bundle = fields.Str()
    invited_on = fields.Str()
    lead_name = fields.Str(metadata={"description": "Who invited me (name only)"})


class PendingInvitationsSchema(ResponseSchema):
    invitations = fields.List(fields.Nested(PendingInvitationSchema))


def _member(row: Any) -> dict[str, Any]:
    return service.member_view(row, g.principal.user_id)  # membership changes are made in person


@blp.route("/applications/<string:number>/members")
@blp.response(200, FamilySchema)
@blp.alt_response(404, **NOT_FOUND)
@access("resident")
def list_members(number: str) -> dict[str, Any]:
    """Who handles the application: the lead, co-handlers, pending join requests and invitations."""
    return service.family_view(db.session, resident_id(number=number), number)


@blp.route("/applications/<string:number>/members/invitations", methods=["POST"])
@blp.arguments(InvitationSchema)
@blp.response(201, MemberSchema)
@blp.alt_response(403, **FORBIDDEN)
@blp.alt_response(404, **NOT_FOUND)
@blp.alt_response(409, **CONFLICT)
@access("resident")
@in_person  # joining or leaving a family case is the person's own decision
def invite(data: dict[str, Any], number: str) -> dict[str, Any]:
    """The lead invites a relative the registry gives (by ref, never typed)."""
    return _member(service.invite(db.session, g.principal.user_id, number, data["relative_ref"]))


@blp.route("/applications/<string:number>/join-requests", methods=["POST"])
@blp.response(201, MemberSchema)
@blp.alt_response(403, **FORBIDDEN)
@blp.alt_response(404, **NOT_FOUND)
@blp.alt_response(409, **CONFLICT)
@access("resident")
@in_person  # joining or leaving a family case is the person's own decision
def request_to_join(number: str) -> dict[str, Any]:
    """Ask to join a family member's application about the same person (registry-related only)."""
    return _member(service.request_to_join(db.session, g.principal.user_id, number))


@blp.route("/applications/<string:number>/members/<int:member_id>/accept", methods=["POST"])
@blp.response(200, MemberSchema)
@blp.alt_response(404, **NOT_FOUND)
@blp.alt_response(409, **CONFLICT)
@access("resident")
@in_person  # joining or leaving a family case is the person's own decision
def accept(number: str, member_id: int) -> dict[str, Any]:
    """Accept a join request (the lead or a co-handler) or my invitation."""
    return _member(service.decide(db.session, g.principal.user_id, number, member_id, accept=True))


@blp.route("/applications/<string:number>/members/<int:member_id>/decline", methods=["POST"])
@blp.response(200, MemberSchema)
@blp.alt_response(404, **NOT_FOUND)
@blp.alt_response(409, **CONFLICT)
@access("resident")
@in_person  # joining or leaving a family case is the person's own decision
def decline(number: str, member_id: int) -> dict[str, Any]:
    """Decline a join request (the lead or a co-handler) or my invitation."""
    return _member(service.decide(db.session, g.principal.user_id, number, member_id, accept=False))


class LeadSchema(Schema):
    member_id = fields.Int(required=True, strict=True, metadata={"description": "An active co-handler's member id"})


@blp.route("/applications/<string:number>/lead", methods=["POST"])
@blp.arguments(LeadSchema)
@blp.response(200, MemberSchema)
@blp.alt_response(403, **FORBIDDEN)
@blp.alt_response(404, **NOT_FOUND)
@blp.alt_response(409, **CONFLICT)
@access("resident")
@in_person  # joining or leaving a family case is the person's own decision
def hand_over(data: dict[str, Any], number: str) -> dict[str, Any]:
    """The lead hands the lead over to an active co-handler."""
    return _member(service.hand_over_lead(db.session, g.principal.user_id, number, data["member_id"]))


@blp.route("/applications/<string:number>/members/leave", methods=["POST"])
@blp.response(200, MemberSchema)
@blp.alt_response(404, **NOT_FOUND)
@blp.alt_response(409, **CONFLICT)
@access("resident")
@in_person  # joining or leaving a family case is the person's own decision
def leave(number: str) -> dict[str, Any]:
    """A co-handler leaves the application (the lead hands over first)."""
    return _member(service.leave(db.session, g.principal.user_id, number))


@blp.route("/me/family-invitations")
@blp.response(200, PendingInvitationsSchema)
@access("resident")
@as_self  # invitations are to the person, whoever they act for
def my_invitations() -> dict[str, Any]:
    """Invitations to family members' applications waiting for my answer."""
    return {"invitations": service.my_invitations(db.session, g.principal.user_id)}
