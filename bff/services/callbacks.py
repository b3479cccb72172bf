"""Status callbacks from department systems: signed, idempotent, order-tolerant.

- Signed: HMAC-SHA256 over ``id.timestamp.body`` with the department's own secret
  (``bff.adapters.departments.signing``); a department can only touch its own cases.
- Idempotent: the ``webhook-id`` is stored (unique per department) in the same
  transaction as the change, so a redelivered callback is acknowledged and ignored.
- Order-tolerant: a status ahead of the case walks the missing steps of the machine
  (``approved`` before ``accepted`` is applied as accepted → processing → approved);
  a status behind it, or older than the last one applied, is acknowledged as stale.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from bff.adapters.departments.signing import Headers, SignatureInvalid, verify
from bff.core import applications as rules
from bff.core.errors import NotFound, ValidationFailed
from bff.core.text import Text
from bff.services.cases import walk_case_to
from bff.services.catalog_versions import catalog_of
from bff.services.certificates import certificate_number_for, issue_certificate
from bff.services.dispatch import DispatchSettings
from bff.services.events import record_event
from bff.services.graph import record_outputs
from bff.store import Session
from bff.store.models import Application, Case, utcnow
from bff.store.queries import callbacks as store

DEPARTMENT_STATUSES = (rules.ACCEPTED, rules.PROCESSING, rules.SUPPLEMENT_REQUESTED, rules.APPROVED, rules.REJECTED)
BAD_CALLBACK = Text("回调内容无效。", "The callback is not valid.")


def authenticate_callback(settings: DispatchSettings, department: str, headers: Headers,
                          body: bytes) -> str:
    """The callback's event id, if signed by ``department``; raises :class:`SignatureInvalid`."""
    secret = settings.secret_for(department)
    if not secret:
        raise SignatureInvalid("department has no system of its own")
    return verify(secret, headers, body)


def receive_callback(session: Session, department: str, event_id: str, body: bytes) -> dict[str, Any]:
    data = _parse(body)
    locked = store.lock_case_for_callback(session, department, event_id, data["case"])
    if locked is None:
        session.rollback()
        raise NotFound(Text("找不到这个子件。", "No such case for this department."))
    case, application, first = locked
    if not first:
        session.rollback()
        return {"outcome": "duplicate"}
    try:
        outcome = apply_status(session, case, data, application)
    except ValidationFailed:
        session.rollback()  # the callback's id too: the department may send it again, corrected
        raise
    if outcome == "stale":
        store.mark_callback_stale(session, department, event_id)
    record_event(session, "callback_received", subject_user_id=application.user_id, application_id=application.id,
                 case=case.reference, department=department, event_id=event_id[:100], status=data["status"],
                 stale=outcome == "stale")
    session.commit()
    return {"outcome": outcome, "status": case.status}


def apply_status(session: Session, case: Case, data: Mapping[str, Any], application: Application) -> str:
    """Apply the callback's status to ``case``; ``application`` is its application, locked by the caller."""
    target, occurred_at = data["status"], data["occurred_at"]
    path = rules.path_to(case.status, target)
    older = case.last_callback_at is not None and occurred_at < case.last_callback_at
    if path is None or (older and target not in rules.TERMINAL) or (path == [] and target != rules.SUPPLEMENT_REQUESTED):
        return "stale"
    if target == rules.SUPPLEMENT_REQUESTED:
        fields = [key for key in data.get("fields", []) if key in (case.field_keys or [])]
        rules.check_supplement_request(data.get("message") or "", fields, data.get("materials", []),
                                       case.field_keys or [])
        case.supplement = rules.supplement_request(str(data.get("message")), fields, data.get("materials", []),
                                                   message_en=data.get("message_en"))
    # Set before the walk, so that the walk's flush writes the case in one UPDATE.
    case.last_callback_at = max(occurred_at, case.last_callback_at or occurred_at)
    case.external_id = data.get("external_id") or case.external_id
    if target == rules.REJECTED:
        case.decision = {"outcome": rules.REJECTED, "reason": str(data.get("reason") or "")[:500],
                         **_in_english(data, "reason")}
    if target == rules.APPROVED and path:
        # Before the walk: the approval's end releases the cases that consume what it produced.
        record_outputs(case, data.get("outputs") if isinstance(data.get("outputs"), dict) else None,
                       certificate_number_for(case, _certificate_number(data)),
                       catalog_of(session, application.catalog_version))
    if path:
        walk_case_to(session, case, target, actor_user_id=None, source="department", locked_application=application,
                     reason=(data.get("reason") or None), external_id=data.get("external_id"))
    if target == rules.APPROVED:
        certificate = issue_certificate(session, case, application, number=_certificate_number(data))
        case.decision = {"outcome": rules.APPROVED, "certificate": certificate.number}
    return "applied"


def _in_english(data: Mapping[str, Any], key: str) -> dict[str, str]:
    """A department may word its text in both languages: ``reason`` (Chinese) and ``reason_en``;
    the resident reads the one of their language (the PWA's pick), never both run together."""
    english = data.get(f"{key}_en")
    return {f"{key}_en": english[:500]} if isinstance(english, str) and english.strip() else {}


def _certificate_number(data: Mapping[str, Any]) -> str | None:
    certificate = data.get("certificate")
    number = certificate.get("number") if isinstance(certificate, dict) else None
    return str(number)[:60] if number else None


def _parse(body: bytes) -> dict[str, Any]:
    try:
        data = json.loads(body)
        status = data["status"]
        occurred_at = datetime.fromisoformat(data.get("occurred_at") or utcnow().isoformat())
        if status not in DEPARTMENT_STATUSES or not isinstance(data["case"], str):
            raise ValueError(status)
    except (ValueError, KeyError, TypeError):
        raise ValidationFailed(BAD_CALLBACK, code="bad_callback") from None
    if occurred_at.tzinfo is None:
        raise ValidationFailed(BAD_CALLBACK, code="bad_callback")
    return {**data, "occurred_at": occurred_at}
