"""The officer workbench: the department's queue and decisions (role officer, own department only)."""

from __future__ import annotations

from typing import Any

from flask import g
from flask_smorest import Blueprint
from marshmallow import Schema, validate
from marshmallow import fields as ma

from auth.permissions import access
from bff.api.schemas import ResponseSchema, bilingual, iso_date, iso_datetime
from bff.api.uploads import DocumentSchema
from bff.core import applications as rules
from bff.extensions import db
from bff.services import officer as service
from bff.services.applications import today_in_china

blp = Blueprint("officer", __name__, url_prefix="/api/v1/officer", description="Department workbench")


class QueueArgs(Schema):
    status = ma.Str(load_default=None, validate=validate.OneOf(rules.CASE_STATUSES))
    flag = ma.Str(load_default=None, validate=validate.OneOf(("due_soon", "overdue", "stuck")))
    overdue = ma.Bool(load_default=False)


class SupplementRequestSchema(Schema):
    message = ma.Str(required=True, validate=validate.Length(max=500))
    message_en = ma.Str(load_default=None, validate=validate.Length(max=500),
                        metadata={"description": "The same request in English, for residents who use English"})
    requested_fields = ma.List(ma.Str(), load_default=list, data_key="fields",
                               metadata={"description": "Field keys the item declares"})
    materials = ma.List(ma.Str(validate=validate.Length(max=60)), load_default=list)


class ApproveCaseSchema(Schema):
    outputs = ma.Dict(keys=ma.Str(validate=validate.Length(max=60)), values=ma.Str(validate=validate.Length(max=60)),
                      load_default=dict,
                      metadata={"description": "What the approval produces when the item declares it, "
                                "e.g. {citizen_id_number: …} for a birth registration"})


class RejectSchema(Schema):
    reason = ma.Str(required=True, validate=validate.Length(max=500))


class QueueEntrySchema(ResponseSchema):
    reference = ma.Str()
    item = ma.Str()
    title = bilingual()  # the item's title in both languages (a string would show the dict's repr)
    status = ma.Str()
    due_on = iso_date()
    due_status = ma.Str(allow_none=True, metadata={"description": "on_time, due_soon or overdue (open cases)"})
    overdue = ma.Bool()
    flag = ma.Str(allow_none=True, metadata={"description": "due_soon, overdue or stuck, set by the sweeper"})
    application_number = ma.Str()
    subject_name = ma.Str(allow_none=True, metadata={"description": "Masked: 陈**"})
    submitted_at = iso_datetime()


class QueueSchema(ResponseSchema):
    cases = ma.List(ma.Nested(QueueEntrySchema))


class InputSourceSchema(ResponseSchema):
    item = ma.Str()
    reference = ma.Str()
    department = ma.Str(allow_none=True)
    department_name = ma.Dict(allow_none=True, metadata={"description": "{zh-CN, en}"})
    title = ma.Dict(allow_none=True, metadata={"description": "The source item's title {zh-CN, en}"})


class CaseInputSchema(ResponseSchema):
    name = ma.Str(metadata={"description": "What the item consumes, e.g. birth_certificate_number"})
    value = ma.Str()
    output = ma.Str(metadata={"description": "The source item's output, e.g. certificate_number"})
    from_ = ma.Nested(InputSourceSchema, data_key="from", attribute="from")


class WaitingCaseSchema(ResponseSchema):
    reference = ma.Str()
    item = ma.Str()
    title = ma.Dict()
    department = ma.Str()
    department_name = ma.Dict()
    status = ma.Str()


class CaseDetailSchema(QueueEntrySchema):
    bundle = ma.Str()
    fields_ = ma.Dict(data_key="fields", attribute="fields",
                      metadata={"description": "Only the answers the item declares (minimum necessary)"})
    field_keys = ma.List(ma.Str())
    field_labels = ma.Dict(keys=ma.Str(), values=ma.Dict(),
                           metadata={"description": "Each field key's label {zh-CN, en} in the catalog the "
                                     "application was submitted with (a later catalog may have renamed or "
                                     "removed the field)"})
    supplement = ma.Dict(allow_none=True)
    decision = ma.Dict(allow_none=True)
    documents = ma.List(ma.Nested(DocumentSchema), metadata={"description": "Documents the item declares (uploads)"})
    inputs = ma.List(ma.Nested(CaseInputSchema),
                     metadata={"description": "Data other departments' decisions produced for this case, "
                               "with where each came from (never typed by the resident)"})
    waiting_on_this = ma.List(ma.Nested(WaitingCaseSchema),
                              metadata={"description": "Cases of the same application that need this one"})
    produces = ma.List(ma.Str(), metadata={"description": "Outputs the approval must give in its body's outputs "
                                           "(besides the certificate number), e.g. citizen_id_number"})


class CaseStateSchema(ResponseSchema):
    reference = ma.Str()
    status = ma.Str()
    due_on = iso_date()


class ApprovedSchema(ResponseSchema):
    reference = ma.Str()
    status = ma.Str()
    certificate = ma.Str(metadata={"description": "The number of the e-certificate issued"})


def _case(case: Any) -> dict[str, Any]:
    return {"reference": case.reference, "status": case.status,
            "due_on": case.due_on.isoformat() if case.due_on else None}


@blp.route("/cases")
@blp.arguments(QueueArgs, location="query")
@blp.response(200, QueueSchema)
@access("officer")
def queue(args: dict[str, Any]) -> dict[str, Any]:
    """Open cases of my department, earliest due first, with due-soon and overdue flags."""
    return {"cases": service.department_queue(db.session, g.principal.department, status=args["status"],
                                              flag=args["flag"], overdue_only=args["overdue"],
                                              today=today_in_china())}


@blp.route("/cases/<string:reference>")
@blp.response(200, CaseDetailSchema)
@access("officer")
def case_detail(reference: str) -> dict[str, Any]:
    """One case with only the fields its item declares (the look is audited)."""
    return service.case_detail(db.session, g.principal.user_id, g.principal.department, reference,
                               today_in_china())


@blp.route("/cases/<string:reference>/accept", methods=["POST"])
@blp.response(200, CaseStateSchema)
@access("officer")
def accept(reference: str) -> dict[str, Any]:
    """Accept (受理): the statutory time limit starts."""
    return _case(service.accept_case(db.session, g.principal.user_id, g.principal.department, reference))


@blp.route("/cases/<string:reference>/process", methods=["POST"])
@blp.response(200, CaseStateSchema)
@access("officer")
def process(reference: str) -> dict[str, Any]:
    """Start (or resume after a supplement) the review."""
    return _case(service.start_processing(db.session, g.principal.user_id, g.principal.department, reference))


@blp.route("/cases/<string:reference>/supplement-request", methods=["POST"])
@blp.arguments(SupplementRequestSchema)
@blp.response(200, CaseStateSchema)
@access("officer")
def request_supplement(data: dict[str, Any], reference: str) -> dict[str, Any]:
    """Ask the resident for a supplement: a message plus the fields or materials needed."""
    return _case(service.request_supplement(db.session, g.principal.user_id, g.principal.department, reference,
                                            message=data["message"], fields=data["requested_fields"],
                                            materials=data["materials"], message_en=data["message_en"]))


@blp.route("/cases/<string:reference>/approve", methods=["POST"])
@blp.arguments(ApproveCaseSchema)
@blp.response(200, ApprovedSchema)
@access("officer")
def approve(data: dict[str, Any], reference: str) -> dict[str, Any]:
    """Approve and issue the case's e-certificate, with the data the item produces."""
    certificate = service.approve_case(db.session, g.principal.user_id, g.principal.department, reference,
                                       outputs=data["outputs"])
    return {"reference": reference, "status": rules.APPROVED, "certificate": certificate.number}


@blp.route("/cases/<string:reference>/reject", methods=["POST"])
@blp.arguments(RejectSchema)
@blp.response(200, CaseStateSchema)
@access("officer")
def reject(data: dict[str, Any], reference: str) -> dict[str, Any]:
    """Reject, with the reason the resident will read."""
    return _case(service.reject_case(db.session, g.principal.user_id, g.principal.department, reference,
                                     data["reason"]))
