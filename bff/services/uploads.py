"""Documents the law needs and shared data cannot supply (the notarised inheritance certificate).

Only what a held case asks for can be uploaded (``case.hold["upload"]``): everything else stays
"三个不提交". An upload is checked (:mod:`bff.core.uploads`: PDF, JPEG or PNG by its bytes, the
size limit), scanned (the ``VirusScanner`` port), encrypted under its own key
(:func:`bff.store.crypto.seal_document`) and handed to the ``DocumentStorage`` port; its metadata
row, the cleared holds and the released cases are committed together. A document is read back
only by the applicant, or by an officer of a department whose case of that application declares
that document; every officer's look is recorded.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from dataclasses import dataclass
from typing import Any

from bff.core import uploads as rules
from bff.core.applications import SUPPLEMENT_REQUESTED
from bff.core.catalog import default_catalog
from bff.core.errors import Conflict, NotFound, ValidationFailed
from bff.core.ports import DocumentStorage, VirusScanner
from bff.core.text import Text
from bff.services import graph
from bff.services.applications import own_application
from bff.services.events import record_event
from bff.store import Session
from bff.store.consent_models import Upload
from bff.store.crypto import open_document, seal_document
from bff.store.models import Application
from bff.store.queries import cases as case_store
from bff.store.queries import consents as store

log = logging.getLogger("bff.uploads")

NOT_NEEDED = Text("这份申请目前不需要上传这份文件。", "This application does not need this document now.")
NOT_FOUND = Text("找不到这份文件。", "We could not find this document.")


@dataclass(frozen=True)
class Settings:
    storage: DocumentStorage
    scanner: VirusScanner
    limit_bytes: int


def add_upload(session: Session, settings: Settings, user_id: int, number: str, code: str, content: bytes,
               content_type: str | None, filename: str | None) -> Upload:
    """Store the document a held case asks for, clear those holds and release the cases; committed."""
    application = own_application(session, user_id, number, lock=True, with_answers=False)
    cases = case_store.cases_of(session, application.id)
    held = [case for case in cases if (case.hold or {}).get("upload") == code]
    # A department that asks for a correction (补正) may also receive a document its item accepts.
    asking = [case for case in cases if case.status == SUPPLEMENT_REQUESTED and code in _codes_of(case.item)]
    if not held and not asking:
        raise Conflict(NOT_NEEDED, code="upload_not_needed")
    checked = rules.check_upload(content, content_type, filename, settings.limit_bytes)
    finding = settings.scanner.scan(content)
    if not finding.clean:
        log.warning("upload for %s refused by the %s scanner: %s", number, settings.scanner.name, finding.signature)
        record_event(session, "document_refused", actor_user_id=user_id, subject_user_id=application.user_id,
                     application_id=application.id, number=number, code=code, reason="scan")
        session.commit()
        raise ValidationFailed(rules.INFECTED, code="upload_infected", errors={"file": [rules.INFECTED]})
    key = secrets.token_urlsafe(24)
    wrapped, blob = seal_document(content, key)
    settings.storage.put(key, blob)
    for_case = held or asking
    upload = Upload(application_id=application.id, case_id=for_case[0].id if len(for_case) == 1 else None, code=code,
                    content_type=checked.content_type, size=len(content), sha256=hashlib.sha256(content).hexdigest(),
                    storage_key=key, wrapped_key=wrapped, uploaded_by=user_id, scan_status="clean")
    session.add(upload)
    try:
        session.flush()
        for case in held:
            case.hold = None
        released = graph.release_ready_cases(session, application, cases)
        record_event(session, "document_uploaded", actor_user_id=user_id, subject_user_id=application.user_id,
                     application_id=application.id, number=number, code=code, upload=upload.id, size=len(content),
                     released=[case.reference for case in released])
        session.commit()
    except Exception:
        session.rollback()
        settings.storage.delete(key)  # no row names it: nothing may stay behind
        raise
    return upload


def own_uploads(session: Session, user_id: int, number: str) -> list[dict[str, Any]]:
    application = own_application(session, user_id, number, with_answers=False)
    return [document_view(upload, f"/api/v1/applications/{number}/uploads/{upload.id}")
            for upload in store.uploads_of(session, application.id)]


def read_own_upload(session: Session, settings: Settings, user_id: int, number: str,
                    upload_id: int) -> tuple[Upload, bytes]:
    """The applicant's own document (a document of another application is "not found")."""
    application = own_application(session, user_id, number, with_answers=False)
    found = store.upload_with_application(session, upload_id)
    if found is None or found[1].id != application.id:
        raise NotFound(NOT_FOUND, code="upload_not_found")
    return found[0], _content(settings, found[0])


def documents_of_case(session: Session, application: Application, item: str, reference: str) -> list[dict[str, Any]]:
    """The documents of the application that the case's item declares (officer case detail)."""
    codes = _codes_of(item)
    return [document_view(upload, f"/api/v1/officer/cases/{reference}/documents/{upload.id}")
            for upload in store.uploads_of(session, application.id) if upload.code in codes]


def read_officer_upload(session: Session, settings: Settings, officer_id: int, department: str | None,
                        reference: str, upload_id: int) -> tuple[Upload, bytes]:
    """A document for the officer of the case that declares it; the look is recorded."""
    case = case_store.department_case(session, department, reference) if department else None
    found = store.upload_with_application(session, upload_id)
    if case is None or found is None or found[1].id != case.application_id or found[0].code not in _codes_of(case.item):
        raise NotFound(NOT_FOUND, code="upload_not_found")
    upload, application = found
    record_event(session, "document_viewed", actor_user_id=officer_id, subject_user_id=application.user_id,
                 application_id=application.id, upload=upload.id, code=upload.code, case=case.reference,
                 department=case.department, by="officer")
    content = _content(settings, upload)
    session.commit()
    return upload, content


def _codes_of(item: str) -> set[str]:
    found = default_catalog().items.get(item)
    return set(found.documents()) if found else set()


def _content(settings: Settings, upload: Upload) -> bytes:
    return open_document(upload.wrapped_key, settings.storage.get(upload.storage_key), upload.storage_key)


def document_view(upload: Upload, url: str) -> dict[str, Any]:
    names = {code: name for item in default_catalog().items.values() for code, name in item.documents().items()}
    name = names.get(upload.code)
    return {"id": upload.id, "code": upload.code, "name": name.as_dict() if name else None,
            "content_type": upload.content_type, "size": upload.size, "sha256": upload.sha256,
            "uploaded_at": upload.created_at.isoformat(), "url": url}


def filename_for(upload: Upload) -> str:
    extension = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}[upload.content_type]
    return f"{upload.code}-{upload.id}.{extension}"
