"""The service-desk console API (role staff; an admin passes) and the resident's access log.

Open a resident with ``POST /api/v1/staff/residents/{id}/access {reason}``; the answer's
``grant`` goes in the ``X-Staff-Grant`` header of every other call about that resident.
See docs/staff-console.md.
"""

from __future__ import annotations

from typing import Any, cast

from flask import current_app, g, request
from flask.wrappers import Response
from flask_smorest import Api, Blueprint
from marshmallow import Schema, validate
from marshmallow import fields as ma
from webargs.fields import DelimitedList

from auth.permissions import access
from auth.sessions import SessionStore
from bff.api.applications import ApplicationSchema
from bff.api.notifications import fanout_for, last_event_id_of, stream_settings
from bff.api.schemas import BINARY, SSE, ResponseSchema, id_arg, iso_date, iso_datetime
from bff.core.service_desk import KINDS, PURPOSES, REVEALABLE_FIELDS
from bff.extensions import db, redis
from bff.services import identity
from bff.services import ratings as ratings_service
from bff.services.applications import today_in_china
from bff.services.service_desk import access as desk_access
from bff.services.service_desk import actions as desk_actions
from bff.services.service_desk import live as desk_live
from bff.services.service_desk import notes as desk_notes
from bff.services.service_desk import resident as desk_resident
from bff.services.service_desk import search as desk_search
from bff.services.service_desk import timeline as desk_timeline

blp = Blueprint("staff", __name__, url_prefix="/api/v1/staff", description="Service-desk console (客服)")
access_log_blp = Blueprint("access_log", __name__, url_prefix="/api/v1/me",
                           description="Who from the service desk viewed my data")
escalations_blp = Blueprint("escalations", __name__, url_prefix="/api/v1/officer/escalations",
                            description="Overdue cases the service desk escalated to my department")


def register(api: Api) -> None:
    for blueprint in (blp, access_log_blp, escalations_blp):
        api.register_blueprint(blueprint)


@blp.after_request
@access_log_blp.after_request
@escalations_blp.after_request
def no_store(response: Response) -> Response:
    # Every answer here carries personal data (masked or revealed): never cached anywhere.
    response.headers["Cache-Control"] = "no-store"
    return response


# --- Schemas ----------------------------------------------------------------------------------

class SearchSchema(Schema):
    query = ma.Str(required=True, validate=validate.Length(min=1, max=40),
                   metadata={"description": "A whole application number, ID number or mobile number"})


class MaskedResidentSchema(Schema):
    id = ma.Int()
    name = ma.Str(metadata={"description": "Masked: 陈**"})
    id_number = ma.Str(allow_none=True, metadata={"description": "Masked: 330106********1234"})
    mobile = ma.Str(allow_none=True, metadata={"description": "Masked: 138****1234"})
    application = ma.Str(allow_none=True, metadata={"description": "The application number searched for"})


class SearchResultSchema(Schema):
    kind = ma.Str(metadata={"description": "application, id_number or mobile"})
    results = ma.List(ma.Nested(MaskedResidentSchema))


class PurposeSchema(Schema):
    code = ma.Str()
    text = ma.Dict(metadata={"description": "{zh-CN, en}"})


class PurposesSchema(Schema):
    purposes = ma.List(ma.Nested(PurposeSchema))


class ReasonSchema(Schema):
    ticket = ma.Str(load_default=None, validate=validate.Length(max=40),
                    metadata={"description": "The call ticket number (工单号)"})
    purpose = ma.Str(load_default=None, metadata={"description": "A code from GET /api/v1/staff/purposes"})
    text = ma.Str(load_default="", validate=validate.Length(max=400),
                  metadata={"description": "Why, in a few words; required with a purpose and no ticket"})


class SessionViewSchema(Schema):
    id = ma.Str()
    device = ma.Str()
    place = ma.Str()
    kind = ma.Str()
    created_at = ma.Float()
    last_seen = ma.Float()
    idle_expires_at = ma.Float()
    expires_at = ma.Float()


class ProfileSchema(Schema):
    id = ma.Int()
    name = ma.Str()
    id_number = ma.Str(allow_none=True, metadata={"description": "Masked unless revealed"})
    mobile = ma.Str(allow_none=True, metadata={"description": "Masked unless revealed"})
    language = ma.Str(allow_none=True)
    elder_mode = ma.Bool()
    created_at = ma.DateTime()
    last_login_at = ma.DateTime(allow_none=True)
    sessions = ma.List(ma.Nested(SessionViewSchema))
    applications = ma.List(ma.Dict(), metadata={"description": "As in the resident's GET /api/v1/applications"})
    drafts = ma.List(ma.Dict())


class GrantSchema(Schema):
    grant = ma.Str(metadata={"description": "Send as the X-Staff-Grant header"})
    expires_at = ma.Float(metadata={"description": "Unix time; open again with a reason after it"})
    resident = ma.Nested(ProfileSchema)


class RevealSchema(Schema):
    field = ma.Str(required=True, validate=validate.OneOf(REVEALABLE_FIELDS))


class RevealedSchema(Schema):
    field = ma.Str()
    value = ma.Str(allow_none=True)


class TimelineArgs(Schema):
    kinds = DelimitedList(ma.Str(validate=validate.OneOf(KINDS)), load_default=list,
                             metadata={"description": f"Comma-separated, any of {', '.join(KINDS)}"})
    before = id_arg(load_default=None, metadata={"description": "Older than this event id (next page)"})
    after = id_arg(minimum=0, load_default=None, metadata={"description": "Newer than this event id (live updates)"})
    limit = ma.Int(load_default=desk_timeline.PAGE_DEFAULT,
                   validate=validate.Range(min=1, max=desk_timeline.PAGE_MAX))


class ActorSchema(Schema):
    role = ma.Str(metadata={"description": "self, resident, staff, officer, admin or system"})
    name = ma.Str(allow_none=True)


class TimelineItemSchema(Schema):
    id = ma.Int()
    occurred_at = ma.DateTime()
    name = ma.Str()
    kind = ma.Str()
    application = ma.Str(allow_none=True)
    actor = ma.Nested(ActorSchema)
    device = ma.Str(allow_none=True, metadata={"description": "push_*: the device's name, if it still exists"})
    data = ma.Dict()


class TimelineSchema(Schema):
    items = ma.List(ma.Nested(TimelineItemSchema))
    has_more = ma.Bool()
    next_before = ma.Int(allow_none=True)
    latest = ma.Int(allow_none=True, metadata={"description": "Poll with after=<latest> for new events"})


class FollowUpSchema(ResponseSchema):
    resident = ma.Nested(MaskedResidentSchema)
    number = ma.Str()
    score = ma.Int()
    due_on = iso_date(metadata={"description": "The call-back is due by this day"})
    overdue = ma.Bool()
    rated_at = iso_datetime()


class FollowUpsSchema(ResponseSchema):
    items = ma.List(ma.Nested(FollowUpSchema))
    truncated = ma.Bool(metadata={"description": "More are waiting than one page shows"})


class StaffApplicationSchema(ResponseSchema):
    application = ma.Nested(ApplicationSchema, metadata={"description": "As the resident sees it (answers masked)"})
    staff = ma.Dict(metadata={"description": "Staff only: dispatch attempts, callbacks and overdue flags per case"})


class NoteInSchema(Schema):
    text = ma.Str(required=True, validate=validate.Length(min=1, max=1000))
    application = ma.Str(load_default=None, validate=validate.Length(max=32))


class EscalateSchema(Schema):
    text = ma.Str(required=True, validate=validate.Length(min=1, max=1000),
                  metadata={"description": "What the department should do; the officer reads it"})


class NoteSchema(Schema):
    id = ma.Int()
    kind = ma.Str(metadata={"description": "note or escalation"})
    text = ma.Str()
    author = ma.Str()
    created_at = ma.DateTime()
    application = ma.Str(allow_none=True)
    case = ma.Str(allow_none=True)
    department = ma.Str(allow_none=True)


class NotesSchema(Schema):
    notes = ma.List(ma.Nested(NoteSchema))


class ResentSchema(Schema):
    notification = ma.Int()
    queued = ma.Bool()


class EndedSchema(Schema):
    ended = ma.Int()


class AccessLogArgs(Schema):
    before = id_arg(load_default=None)
    limit = ma.Int(load_default=desk_timeline.PAGE_DEFAULT,
                   validate=validate.Range(min=1, max=desk_timeline.PAGE_MAX))


class AccessEntrySchema(Schema):
    id = ma.Int(metadata={"description": "The newest look of the line"})
    at = ma.DateTime(metadata={"description": "When the newest look of the line was"})
    first_at = ma.DateTime(metadata={"description": "When the first look of the line was (the same day)"})
    count = ma.Int(metadata={"description": "Looks by the same person for the same purpose that day"})
    staff_name = ma.Str()
    who = ma.Dict(allow_none=True, metadata={"description": "The officer's department, or the service desk "
                                                            "(客服); null for an agent"})
    whats = ma.List(ma.Str(), metadata={"description": "Everything the line's looks were at, in order"})
    action = ma.Str(metadata={"description": "viewed or revealed (staff), or acted (an agent under my mandate)"})
    what = ma.Str(metadata={"description": "profile, timeline, application, notes, id_number or mobile"})
    application = ma.Str(allow_none=True)
    purpose = ma.Str(allow_none=True)
    purpose_text = ma.Dict()
    ticket = ma.Str(allow_none=True)
    reason = ma.Str()


class AccessLogSchema(Schema):
    items = ma.List(ma.Nested(AccessEntrySchema))
    next_before = ma.Int(allow_none=True)


# --- Helpers ----------------------------------------------------------------------------------

def sessions() -> SessionStore:
    return current_app.extensions["sessions"]  # type: ignore[no-any-return]


def grant_for(resident_id: int) -> desk_access.Grant:
    """The caller's grant for this resident, from the X-Staff-Grant header (403 without one)."""
    return desk_access.check_grant(redis.client, g.principal, resident_id,
                                   request.headers.get(desk_access.GRANT_HEADER))


# --- Views ------------------------------------------------------------------------------------

@blp.route("/purposes")
@blp.response(200, PurposesSchema)
@access("staff")
def purposes() -> dict[str, Any]:
    """The fixed list of purposes a staff member chooses from when there is no call ticket."""
    return {"purposes": [{"code": code, "text": text.as_dict()} for code, text in PURPOSES.items()]}


@blp.route("/search", methods=["POST"])
@blp.arguments(SearchSchema)
@blp.response(200, SearchResultSchema)
@access("staff")
def search(body: dict[str, Any]) -> dict[str, Any]:
    """Find residents by a whole application, ID or mobile number (exact match); masked results.

    A POST, so the number never lands in a URL or an access log.
    """
    return desk_search.search_residents(db.session, g.principal.user_id, body["query"])


@blp.route("/follow-ups")
@blp.response(200, FollowUpsSchema)
@access("staff")
def follow_ups() -> dict[str, Any]:
    """The 好差评 work list: bad ratings still waiting for a call-back, the most urgent first (masked)."""
    return ratings_service.open_follow_ups(db.session, g.principal.user_id, today_in_china())


@blp.route("/residents/<int:resident_id>/access", methods=["POST"])
@blp.arguments(ReasonSchema)
@blp.response(201, GrantSchema)
@access("staff")
def open_resident(body: dict[str, Any], resident_id: int) -> dict[str, Any]:
    """Open a resident with a reason (a call ticket, or a purpose and text): audited, 15-minute grant."""
    return desk_resident.open_resident(db.session, redis.client, sessions(), g.principal, resident_id, body,
                                       today_in_china())


@blp.route("/residents/<int:resident_id>/access", methods=["DELETE"])
@blp.response(204)
@access("staff")
def close_resident(resident_id: int) -> None:
    """End the grant (the call is over)."""
    desk_access.close_grant(redis.client, grant_for(resident_id))


@blp.route("/residents/<int:resident_id>")
@blp.response(200, ProfileSchema)
@access("staff")
def profile(resident_id: int) -> dict[str, Any]:
    """The opened resident: name, masked numbers, sessions, applications, drafts."""
    return desk_resident.view_profile(db.session, redis.client, sessions(), grant_for(resident_id), today_in_china())


@blp.route("/residents/<int:resident_id>/reveal", methods=["POST"])
@blp.arguments(RevealSchema)
@blp.response(200, RevealedSchema)
@access("staff")
def reveal(body: dict[str, Any], resident_id: int) -> dict[str, Any]:
    """One masked field in full, in this response only; every reveal is recorded (never from a QR-login session)."""
    identity.refuse_qr_session(g.principal, identity.SCOPE_REVEAL)
    return desk_actions.reveal_field(db.session, grant_for(resident_id), body["field"])


@blp.route("/residents/<int:resident_id>/timeline")
@blp.arguments(TimelineArgs, location="query")
@blp.response(200, TimelineSchema)
@access("staff")
def timeline(args: dict[str, Any], resident_id: int) -> Response:
    """Everything that happened to the resident, newest first; ``before`` pages, ``after`` polls."""
    page = desk_timeline.timeline(db.session, redis.client, grant_for(resident_id), kinds=args["kinds"],
                                  before=args["before"], after=args["after"], limit=args["limit"],
                                  reader=db.read_session)
    # The page already has TimelineSchema's shape (which documents it): sent as is, without marshmallow
    # dumping every field of up to 200 items, which cost more than the database.
    items = [{**item, "occurred_at": item["occurred_at"].isoformat()} for item in page["items"]]
    return cast(Response, current_app.json.response({**page, "items": items}))


@blp.route("/residents/<int:resident_id>/timeline/stream")
@blp.response(200, BINARY, content_type=SSE, description="`event` hints: id and name")
@access("staff")
def timeline_stream(resident_id: int) -> Response:
    """Live hints (event id and name only) for the opened resident; fetch ``timeline?after=`` to render.

    Server-Sent Events read with fetch (the grant is a header); reconnect with ``Last-Event-ID``.
    It ends by the grant's expiry (or ``SSE_MAX_STREAM_SECONDS``) and soon after the grant is closed.
    """
    grant = grant_for(resident_id)
    desk_access.record_view(db.session, redis.client, grant, "timeline")  # once per grant, like the first page
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    body = desk_live.timeline_hints(fanout_for(app), app.extensions["redis"], app.extensions["db"].factory, grant,
                                    last_event_id_of(request.headers, {}), stream_settings(app))
    return Response(body, mimetype="text/event-stream",
                    headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"})


@blp.route("/residents/<int:resident_id>/applications/<string:number>")
@blp.response(200, StaffApplicationSchema)
@access("staff")
def application(resident_id: int, number: str) -> dict[str, Any]:
    """The application as the resident sees it, plus dispatch attempts, callbacks and overdue flags."""
    return desk_resident.view_application(db.session, redis.client, grant_for(resident_id), number,
                                          today_in_china(), current_app.config["PUBLIC_URL"])


@blp.route("/residents/<int:resident_id>/notes")
@blp.response(200, NotesSchema)
@access("staff")
def notes(resident_id: int) -> dict[str, Any]:
    """Internal notes and escalations about the resident, newest first (residents never see them)."""
    return {"notes": desk_notes.list_notes(db.session, redis.client, grant_for(resident_id))}


@blp.route("/residents/<int:resident_id>/notes", methods=["POST"])
@blp.arguments(NoteInSchema)
@blp.response(201, NoteSchema)
@access("staff")
def add_note(body: dict[str, Any], resident_id: int) -> dict[str, Any]:
    """Add an internal note, optionally about one of the resident's applications."""
    return desk_notes.add_note(db.session, grant_for(resident_id), body["text"], body["application"])


@blp.route("/residents/<int:resident_id>/cases/<string:reference>/escalate", methods=["POST"])
@blp.arguments(EscalateSchema)
@blp.response(201, NoteSchema)
@access("staff")
def escalate(body: dict[str, Any], resident_id: int, reference: str) -> dict[str, Any]:
    """Escalate an overdue case to its department (shown in that department's officer queue)."""
    return desk_notes.escalate_case(db.session, grant_for(resident_id), reference, body["text"], today_in_china())


@blp.route("/residents/<int:resident_id>/notifications/<int:notification_id>/resend", methods=["POST"])
@blp.response(202, ResentSchema)
@access("staff")
def resend_notification(resident_id: int, notification_id: int) -> dict[str, Any]:
    """Send one of the resident's notifications again, through the outbox (push per device, or SMS)."""
    return desk_actions.resend_notification(db.session, grant_for(resident_id), notification_id)


@blp.route("/residents/<int:resident_id>/sessions/end", methods=["POST"])
@blp.response(200, EndedSchema)
@access("staff")
def end_sessions(resident_id: int) -> dict[str, int]:
    """Sign the resident out on every device, at their request."""
    return {"ended": desk_actions.end_resident_sessions(db.session, sessions(), grant_for(resident_id))}


@access_log_blp.route("/access-log")
@access_log_blp.arguments(AccessLogArgs, location="query")
@access_log_blp.response(200, AccessLogSchema)
@access("resident")
def my_access_log(args: dict[str, Any]) -> dict[str, Any]:
    """Who from the service desk viewed or revealed my data: when, why, and what."""
    return desk_timeline.access_log(db.session, g.principal.user_id, before=args["before"], limit=args["limit"])


@escalations_blp.route("")
@escalations_blp.response(200, NotesSchema)
@access("officer")
def my_department_escalations() -> dict[str, Any]:
    """Escalations of my department's overdue cases by the service desk, newest first."""
    return {"notes": desk_notes.escalations_for_department(db.session, g.principal.department)}
