"""Applications for the resident: drafts, the one submission, progress, supplements, withdrawal."""

from __future__ import annotations

from typing import Any, cast

from flask import Response, current_app, request
from flask_smorest import Blueprint, abort
from marshmallow import INCLUDE, Schema, fields, validate

from auth.permissions import access
from bff.api.acting import resident_id, shown
from bff.api.certificates import CertificateSchema
from bff.api.schemas import BINARY, SVG, BurdenSchema, ResponseSchema, bilingual, iso_date, iso_datetime
from bff.core.mandates import money_scope
from bff.core.text import Text
from bff.extensions import db
from bff.i18n import t
from bff.services import applications as service
from bff.services import progress
from bff.services.applications import today_in_china
from bff.services.certificate_documents import qr_svg

blp = Blueprint("applications", __name__, url_prefix="/api/v1/applications",
                description="Drafts, the one submission, and the progress of every department")

MISSING_KEY = Text("请在请求头中提供 Idempotency-Key。", "Send an Idempotency-Key header with the submission.")
MISSING_IF_MATCH = Text("请在 If-Match 中提供草稿版本（ETag）。", "Send the draft's ETag in If-Match.")


class StartDraftSchema(Schema):
    bundle = fields.Str(required=True, metadata={"description": "Bundle code, e.g. birth"})
    subject_ref = fields.Str(load_default=None, allow_none=True, validate=validate.Length(max=80),
                             metadata={"description": "Who it is about: a ref from the combined form's subjects"})
    relation = fields.Str(load_default=None, allow_none=True, validate=validate.Length(max=20))
    channel = fields.Str(load_default="online", validate=validate.OneOf(("online", "hall", "kiosk")))
    answers = fields.Dict(keys=fields.Str(), load_default=dict)


class DraftChangesSchema(Schema):
    answers = fields.Dict(keys=fields.Str(), required=True,
                          metadata={"description": "Changed answers only; null clears one"})


class SubmitSchema(Schema):
    class Meta:
        unknown = INCLUDE

    version = fields.Int(required=True, metadata={"description": "The draft version (its ETag) being submitted"})
    channel = fields.Str(validate=validate.OneOf(("online", "hall", "kiosk")))


class WithdrawSchema(Schema):
    reason = fields.Str(load_default=None, allow_none=True, validate=validate.Length(max=200))


class SupplementSchema(Schema):
    answers = fields.Dict(keys=fields.Str(), load_default=dict)
    materials = fields.List(fields.Str(validate=validate.Length(max=60)), load_default=list)


class NextActionSchema(ResponseSchema):
    code = fields.Str(metadata={"description": "none, supplement, rate, …"})
    text = bilingual()


class ApplicationSummarySchema(ResponseSchema):
    number = fields.Str()
    bundle = fields.Str()
    status = fields.Str(metadata={"description": "Derived from the cases: submitted, in_progress, action_required, …"})
    status_text = bilingual()
    next_action = fields.Nested(NextActionSchema)
    submitted_at = iso_datetime()
    updated_at = iso_datetime()
    cases_total = fields.Int()
    cases_done = fields.Int()
    next_due_on = iso_date(metadata={"description": "The earliest due date of an open case"})
    overdue = fields.Bool()
    my_role = fields.Str(metadata={"description": "lead or co_handler (a family member handling it); only the lead "
                                   "may withdraw"})


class ApplicationsSchema(ResponseSchema):
    applications = fields.List(fields.Nested(ApplicationSummarySchema))


class DraftSchema(ResponseSchema):
    number = fields.Str()
    bundle = fields.Str()
    status = fields.Str(metadata={"description": "draft"})
    subject = fields.Str(metadata={"description": "The bundle's subject kind: self, newborn, deceased-relative, child, partner"})
    subject_ref = fields.Str(allow_none=True)
    relation = fields.Str(allow_none=True)
    channel = fields.Str()
    version = fields.Int(metadata={"description": "Also the ETag; send it in If-Match to save"})
    answers = fields.Dict(metadata={"description": "Answers by field key; ID numbers and bank cards masked"})
    catalog_version = fields.Str()
    created_at = iso_datetime()
    updated_at = iso_datetime()


class DraftsSchema(ResponseSchema):
    drafts = fields.List(fields.Nested(DraftSchema))


class NeededCaseSchema(ResponseSchema):
    item = fields.Str()
    title = fields.Dict(metadata={"description": "{zh-CN, en}"})
    reference = fields.Str()
    status = fields.Str()
    status_text = bilingual()


class HeldDocumentSchema(ResponseSchema):
    code = fields.Str(metadata={"description": "The upload's code (POST /applications/{number}/uploads/{code})"})
    name = bilingual()


class CaseProgressSchema(ResponseSchema):
    reference = fields.Str()
    item = fields.Str()
    title = fields.Str()
    department = fields.Str()
    department_name = bilingual()
    status = fields.Str()
    status_text = bilingual()
    due_on = iso_date()
    time_limit_days = fields.Int(allow_none=True)
    due_status = fields.Str(allow_none=True, metadata={"description": "on_time, due_soon or overdue (open cases)"})
    delivered = fields.Bool(metadata={"description": "The department's system has received the case"})
    supplement = fields.Dict(allow_none=True, metadata={"description": "What the department asks for: "
                                                        "message, fields, materials, field_labels"})
    decision = fields.Dict(allow_none=True, metadata={"description": "outcome, and the certificate or reason"})
    certificate = fields.Nested(CertificateSchema, allow_none=True)
    needs = fields.List(fields.Nested(NeededCaseSchema),
                        metadata={"description": "The cases of this application this one needs approved first"})
    waiting_for = fields.List(fields.Nested(NeededCaseSchema),
                              metadata={"description": "While waiting: the needed cases not approved yet "
                                        "(status supplement_requested when one waits for the resident)"})
    ready_at = iso_datetime(metadata={"description": "When the case could start; its time limit counts from here"})
    expected_on = iso_date(metadata={"description": "Expected decision date (open cases)"})
    not_possible_because = fields.Dict(allow_none=True, metadata={
        "description": "When not possible: {item, reference, title, status, reason {zh-CN, en}} of the needed case"})
    held_for = fields.Str(allow_none=True, metadata={
        "description": "What holds an inheritance case back: consent (the heirs' answers) or document (an upload "
                       "from the applicant after a decline or a lapsed deadline); none when nothing holds it"})
    held_document = fields.Nested(HeldDocumentSchema, allow_none=True,
                                  metadata={"description": "When held_for is document: which one to upload"})
    consent_deadline = iso_date(metadata={"description": "When held_for is consent: the day the heirs' answers are due"})


class ApplicationSchema(ApplicationSummarySchema, DraftSchema):
    """A submitted application with its cases; a draft has the draft's fields instead (and an ETag)."""

    status = fields.Str(metadata={"description": "draft, or the status derived from the cases"})
    cases = fields.List(fields.Nested(CaseProgressSchema), metadata={"description": "Submitted only"})
    certificates = fields.List(fields.Nested(CertificateSchema), metadata={"description": "Submitted only"})
    critical_path_days = fields.Int(allow_none=True, metadata={
        "description": "Submitted only: working days of the longest chain of items that wait for each other"})
    expected_complete_on = iso_date(metadata={"description": "Submitted only: when every open case is expected "
                                                              "to be decided (none when nothing is open)"})


class ReceiptCaseSchema(ResponseSchema):
    reference = fields.Str()
    item = fields.Str()
    title = fields.Str()
    department = fields.Str()
    due_on = iso_date()
    status = fields.Str(metadata={"description": "submitted, or waiting for the items in needs"})
    needs = fields.List(fields.Str(), metadata={"description": "Items of this application it needs approved first"})
    expected_on = iso_date(metadata={"description": "Expected decision date"})


class ReceiptSchema(ResponseSchema):
    number = fields.Str()
    bundle = fields.Str()
    submitted_at = iso_datetime()
    status = fields.Str()
    cases = fields.List(fields.Nested(ReceiptCaseSchema))
    critical_path_days = fields.Int(metadata={"description": "Working days of the longest chain of items"})
    expected_complete_on = iso_date(metadata={"description": "When every item is expected to be decided"})
    verify_path = fields.Str(metadata={"description": "The public receipt check the QR code opens"})
    qr_path = fields.Str()
    burden = fields.Nested(BurdenSchema, metadata={"description": "What this application spared the resident"})


class TimelineEntrySchema(ResponseSchema):
    id = fields.Int(metadata={"description": "The event's id"})
    occurred_at = iso_datetime()
    kind = fields.Str(metadata={"description": "Stable code of what changed (docs/notifications.md lists them)"})
    params = fields.Dict(metadata={"description": "What the kind's words need: counts, codes, a department's message"})
    text = bilingual(metadata={"description": "The entry in plain words"})
    by_me = fields.Bool()
    actor_name = fields.Str(allow_none=True, metadata={"description": "Who of the family did it (staff unnamed)"})
    agent_name = fields.Str(allow_none=True, metadata={"description": "Who acted under my mandate"})


class TimelineGroupSchema(ResponseSchema):
    case = fields.Str(allow_none=True, metadata={"description": "The case's reference; null: the whole application"})
    item = fields.Str(allow_none=True)
    title = bilingual(allow_none=True, metadata={"description": "The item's name (null for the application)"})
    department_name = bilingual(allow_none=True, metadata={"description": "The department's short name"})
    entries = fields.List(fields.Nested(TimelineEntrySchema), metadata={"description": "Newest first"})


class ApplicationTimelineSchema(ResponseSchema):
    groups = fields.List(fields.Nested(TimelineGroupSchema),
                         metadata={"description": "The application first, then each item in form order"})
    count = fields.Int(metadata={"description": "Entries in all groups"})


class WithdrawnSchema(ResponseSchema):
    number = fields.Str()
    status = fields.Str()


class SupplementedSchema(ResponseSchema):
    reference = fields.Str()
    status = fields.Str()


def etag_of(version: int) -> str:
    return f'"{version}"'


def if_match_version() -> int:
    """The draft version named by If-Match (-1, which never matches, for anything else).

    Response compression gives each content coding its own strong ETag: the draft at version 3 goes
    out as ``"3"``, ``"3:br"`` or ``"3:gzip"``. That is right for caches (the br and gzip bytes are
    different representations, and a strong validator must tell them apart), so the compressor is
    left to do it; weakening the ETag instead would make it unfit for If-Match. What a save needs
    is the draft's version, and all three name the same one, so the suffix of a coding we
    compress with is dropped here. Any other suffix is not one of our ETags and matches nothing.
    """
    raw = request.headers.get("If-Match", "").strip().removeprefix("W/").strip('"')
    if not raw:
        abort(428, message=t(MISSING_IF_MATCH))
    version, suffixed, coding = raw.partition(":")
    if suffixed and coding not in current_app.config["COMPRESS_ALGORITHM"]:
        return -1
    return int(version) if version.isdigit() else -1


def with_etag(body: dict[str, Any], status: int = 200) -> Response:
    response = cast(Response, current_app.json.response(body))
    response.status_code = status
    response.set_etag(str(body["version"]))
    return response


@blp.route("")
@blp.response(200, ApplicationsSchema)
@access("resident")
def list_applications() -> dict[str, Any]:
    """My submitted applications: derived status, next action, next due date, overdue flag."""
    return {"applications": shown(progress.list_my_applications(db.session, resident_id(), today_in_china()))}


@blp.route("", methods=["POST"])
@blp.arguments(StartDraftSchema)
@blp.response(201, DraftSchema)
@blp.alt_response(409, response="CONFLICT", description="A family member already applied for this subject")
@access("resident")
def start_draft(data: dict[str, Any]) -> Response:
    """Start a draft from a bundle for a subject (self, newborn, deceased relative); 409
    subject_already_applied when the family already has an active case about that subject."""
    user_id = resident_id(bundle=data["bundle"], scope=money_scope(data["answers"]))
    draft = service.start_draft(db.session, user_id, data["bundle"], subject_ref=data["subject_ref"],
                                relation=data["relation"], channel=data["channel"], answers=data["answers"])
    return with_etag(progress.draft_view(draft), 201)


@blp.route("/drafts")
@blp.response(200, DraftsSchema)
@access("resident")
def list_drafts() -> dict[str, Any]:
    """My drafts, last saved first (resume on any device)."""
    return {"drafts": shown(progress.draft_view(d) for d in service.list_drafts(db.session, resident_id()))}


@blp.route("/<string:number>")
@blp.response(200, ApplicationSchema)
@access("resident")
def get_application(number: str) -> Response:
    """A draft (with its ETag) or a submitted application with per-department progress."""
    user_id = resident_id(number=number)
    body = progress.submitted_detail(db.read_connection, user_id, number, today_in_china(),
                                     current_app.config["PUBLIC_URL"])
    if body is None:
        return with_etag(progress.draft_view(service.own_application(db.read_session, user_id, number)))
    return cast(Response, current_app.json.response(body))


@blp.route("/<string:number>", methods=["PATCH"])
@blp.arguments(DraftChangesSchema)
@blp.response(200, DraftSchema)
@blp.alt_response(412, response="PRECONDITION_FAILED", description="The draft changed since that ETag")
@blp.alt_response(428, response="PRECONDITION_REQUIRED", description="No If-Match")
@access("resident")
def save_draft(data: dict[str, Any], number: str) -> Response:
    """Autosave: only with the current ETag in If-Match; a stale one gets 412 and changes nothing."""
    user_id = resident_id(number=number, scope=money_scope(data["answers"]))
    draft = service.save_draft(db.session, user_id, number, if_match_version(), data["answers"])
    return with_etag(progress.draft_view(draft))


@blp.route("/<string:number>", methods=["DELETE"])
@blp.response(204)
@access("resident")
def delete_draft(number: str) -> None:
    """Delete one of my drafts."""
    service.delete_draft(db.session, resident_id(number=number), number)


@blp.route("/<string:number>/submit", methods=["POST"])
@blp.arguments(SubmitSchema)
@blp.response(201, ReceiptSchema)
@blp.alt_response(400, response="BAD_REQUEST", description="No Idempotency-Key")
@blp.alt_response(409, response="CONFLICT", description="The same key is still being processed, or a family "
                  "member already applied for this subject (subject_already_applied, the case in details)")
@blp.alt_response(422, response="UNPROCESSABLE_ENTITY", description="Answers invalid, or the key was used with another body")
@access("resident")
def submit(data: dict[str, Any], number: str) -> Response:
    """Submit once. Same Idempotency-Key and body → the same receipt; different body → 422; in flight → 409."""
    key = request.headers.get("Idempotency-Key")
    if not key:
        abort(400, message=t(MISSING_KEY), reason="idempotency_key_required")
    key_session = db.new_autocommit_session()  # the key's claim is one statement, committed at once
    try:
        receipt, replayed = service.submit_application(
            db.session, key_session, resident_id(number=number), number, key, data,
            secret=current_app.config["SECRET_KEY"])
    finally:
        key_session.close()
    response = cast(Response, current_app.json.response(receipt))
    response.status_code = 201
    if replayed:
        response.headers["Idempotent-Replayed"] = "true"
    return response


@blp.route("/<string:number>/receipt/qr.svg")
@blp.response(200, BINARY, content_type=SVG, description="The QR code as SVG")
@access("resident")
def receipt_qr(number: str) -> Response:
    """The receipt's QR code: it opens the public receipt check."""
    application = service.own_application(db.session, resident_id(number=number), number)
    path = service.build_receipt(application, [], current_app.config["SECRET_KEY"])["verify_path"]
    response = Response(qr_svg(current_app.config["PUBLIC_URL"] + path), mimetype="image/svg+xml")
    response.headers["Cache-Control"] = "private, max-age=86400"
    return response


@blp.route("/<string:number>/timeline")
@blp.response(200, ApplicationTimelineSchema)
@access("resident")
def get_timeline(number: str) -> dict[str, Any]:
    """What changed for the resident, in plain words, grouped by item, newest first (internal events
    such as callbacks, retries and notifications are left out: staff read those in their timeline)."""
    return progress.timeline(db.session, resident_id(number=number), number)


@blp.route("/<string:number>/withdraw", methods=["POST"])
@blp.arguments(WithdrawSchema)
@blp.response(200, WithdrawnSchema)
@blp.alt_response(403, response="FORBIDDEN", description="Only the lead of the family withdraws")
@access("resident")
def withdraw(data: dict[str, Any], number: str) -> dict[str, Any]:
    """Withdraw the application while no department has accepted it yet."""
    application = service.withdraw_application(db.session, resident_id(number=number), number, data["reason"])
    return {"number": application.number, "status": application.status}


@blp.route("/<string:number>/cases/<string:reference>/supplement", methods=["POST"])
@blp.arguments(SupplementSchema)
@blp.response(200, SupplementedSchema)
@access("resident")
def supply_supplement(data: dict[str, Any], number: str, reference: str) -> dict[str, Any]:
    """Supply what a department asked for (only the requested fields)."""
    user_id = resident_id(number=number, scope=money_scope(data["answers"]))
    case = service.supply_supplement(db.session, user_id, number, reference,
                                     data["answers"], data["materials"])
    return {"reference": case.reference, "status": case.status}
