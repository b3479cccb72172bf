"""Documents the law needs (the notarised inheritance certificate): upload, list and read back.

Never served without an access check: the applicant reads their own application's documents,
an officer only those a case of their department declares (and each look is recorded). The
bytes go out as an attachment that no cache keeps.
"""

from __future__ import annotations

from typing import Any

from flask import Response, current_app, g
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from auth.permissions import access
from bff.adapters.scan import build_scanner
from bff.adapters.storage.filesystem import FilesystemStorage
from bff.api.acting import resident_id
from bff.api.schemas import BINARY, ResponseSchema, bilingual, iso_datetime
from bff.extensions import db
from bff.services import uploads as service
from bff.store.consent_models import Upload

blp = Blueprint("uploads", __name__, url_prefix="/api/v1",
                description="Documents the law needs and shared data cannot supply")

PDF = "application/pdf"
# The document goes out in the type it was checked to be: each one is documented.
DOCUMENT_TYPES = {"responses": {"200": {
    "description": "The document (PDF, JPEG or PNG), as an attachment",
    "content": {kind: {"schema": BINARY} for kind in ("application/pdf", "image/jpeg", "image/png")}}}}


class UploadFileSchema(Schema):
    file = fields.Raw(required=True, metadata={"type": "string", "format": "binary",
                                               "description": "PDF, JPEG or PNG; its type and name must agree"})


class DocumentSchema(ResponseSchema):
    id = fields.Int()
    code = fields.Str()
    name = bilingual(allow_none=True)
    content_type = fields.Str(metadata={"description": "application/pdf, image/jpeg or image/png"})
    size = fields.Int()
    sha256 = fields.Str()
    uploaded_at = iso_datetime()
    url = fields.Str(metadata={"description": "Where the document is read back (with the same access check)"})


class DocumentsSchema(ResponseSchema):
    documents = fields.List(fields.Nested(DocumentSchema))


def upload_settings() -> service.Settings:
    """The app's storage, scanner and size limit, from its config (cheap: built per request, so a
    test may point ``STORAGE_DIR`` at its own directory)."""
    config = current_app.config
    return service.Settings(FilesystemStorage(config["STORAGE_DIR"]), build_scanner(str(config["VIRUS_SCANNER"])),
                            int(config["UPLOAD_MAX_BYTES"]))


def attachment(upload: Upload, content: bytes) -> Response:
    response = Response(content, mimetype=upload.content_type)
    response.headers["Content-Disposition"] = f'attachment; filename="{service.filename_for(upload)}"'
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@blp.route("/applications/<string:number>/uploads/<string(maxlength=60):code>", methods=["POST"])
@blp.arguments(UploadFileSchema, location="files")
@blp.response(201, DocumentSchema)
@blp.alt_response(409, response="CONFLICT", description="The application does not need this document now")
@blp.alt_response(413, response="REQUEST_ENTITY_TOO_LARGE", description="Over the size limit (named in the message)")
@access("resident")
def upload(files: dict[str, Any], number: str, code: str) -> dict[str, Any]:
    """Upload the document ``code`` a held item asks for (e.g. notarised-inheritance-certificate),
    then the items it held go on; or one the item of a case asking for a correction (补正) accepts."""
    file, settings = files["file"], upload_settings()
    content = file.read(settings.limit_bytes + 1)
    uploaded = service.add_upload(db.session, settings, resident_id(number=number), number, code,
                                  content, file.mimetype, file.filename)
    return service.document_view(uploaded, f"/api/v1/applications/{number}/uploads/{uploaded.id}")


upload.body_limit_setting = "UPLOAD_MAX_BYTES"  # type: ignore[attr-defined]  # read by bff.app's body limit


@blp.route("/applications/<string:number>/uploads")
@blp.response(200, DocumentsSchema)
@access("resident")
def list_uploads(number: str) -> dict[str, Any]:
    """The documents I uploaded for this application."""
    return {"documents": service.own_uploads(db.session, resident_id(number=number), number)}


@blp.route("/applications/<string:number>/uploads/<int:upload_id>")
@blp.response(200, BINARY, content_type=PDF)
@blp.doc(**DOCUMENT_TYPES)
@access("resident")
def read_upload(number: str, upload_id: int) -> Response:
    """One of my documents (an attachment; not cached)."""
    found, content = service.read_own_upload(db.session, upload_settings(), resident_id(number=number), number,
                                             upload_id)
    return attachment(found, content)


@blp.route("/officer/cases/<string:reference>/documents/<int:upload_id>")
@blp.response(200, BINARY, content_type=PDF)
@blp.doc(**DOCUMENT_TYPES)
@access("officer")
def read_case_document(reference: str, upload_id: int) -> Response:
    """A document the case's item declares, for an officer of its department (the look is recorded)."""
    found, content = service.read_officer_upload(db.session, upload_settings(), g.principal.user_id,
                                                 g.principal.department, reference, upload_id)
    return attachment(found, content)
