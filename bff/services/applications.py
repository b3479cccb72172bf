"""The resident's side of an application: drafts, the one submission, supplements, withdrawal.

Submission flow (:func:`submit_application`): the Idempotency-Key is claimed in its own
short transaction (so a concurrent retry sees it and gets 409); then ONE transaction
locks the draft, validates it, writes one case per included item, the events and the
outbox rows, and stores the receipt on the key; the delivery hint goes out after commit.
"""

from __future__ import annotations

import hashlib
import hmac
import uuid
from collections.abc import Mapping
from datetime import date
from typing import Any

from bff.core import applications as rules
from bff.core import burden, graph
from bff.core.calendar import china_date, due_date
from bff.core.errors import Conflict, NotFound, PreconditionFailed, ValidationFailed
from bff.core.text import Text
from bff.services import catalog_adapter as catalog
from bff.services import consents
from bff.services.cases import transition_case
from bff.services.catalog_versions import record_catalog_version
from bff.services.dispatch import add_case_message
from bff.services.events import record_event
from bff.services.family import check_subject_free, readable_application, require_lead, subject_already_applied
from bff.services.forms import current_sources
from bff.store import Session
from bff.store.models import Application, Case, utcnow
from bff.store.queries import applications as store
from bff.store.queries import cases as case_store
from bff.store.queries import family as family_store

NOT_FOUND = Text("找不到这份申请。", "We could not find this application.")
NOT_A_DRAFT = Text("申请已提交，不能再修改草稿。", "This application was already submitted.")
DRAFT_REFUSED = Text("有些内容无法保存，请检查标出的项目；已保存的内容不受影响。",
                     "Some answers cannot be saved; see the marked fields. What was saved before is kept.")


# --- Drafts -----------------------------------------------------------------------------------

def start_draft(session: Session, user_id: int, bundle: str, *, subject_ref: str | None = None,
                relation: str | None = None, channel: str = "online",
                answers: Mapping[str, Any] | None = None) -> Application:
    """A draft of ``bundle`` about the subject ``subject_ref`` (from the combined form's options)."""
    subject = catalog.check_bundle(bundle).subject  # self | newborn | deceased-relative | child | partner
    check_subject_free(session, user_id, bundle, subject_ref)  # a family member applied already: join instead
    answers = {key: value for key, value in (answers or {}).items() if value is not None}
    check_draft_answers(bundle, answers, answers)
    now = utcnow()
    # A placeholder until the row has its id, which the number is made from.
    application = Application(number=f"p-{uuid.uuid4().hex[:24]}", user_id=user_id, bundle=bundle,
                              catalog_version=catalog.catalog_version(), subject=subject, subject_ref=subject_ref,
                              relation=relation, channel=channel, answers=dict(answers or {}),
                              created_at=now, updated_at=now)
    session.add(application)
    session.flush()
    application.number = rules.format_application_number(china_date(now), application.id)
    record_event(session, "draft_started", actor_user_id=user_id, subject_user_id=user_id,
                 application_id=application.id, bundle=bundle, number=application.number, subject=subject)
    session.commit()
    return application


def own_application(session: Session, user_id: int, number: str, *, lock: bool = False,
                    with_answers: bool = True) -> Application:
    """The caller's application ``number``: their own (a draft too), or a submitted one of which they
    are an active member (the family); anyone else's is "not found" (no existence leak).

    ``with_answers=False`` leaves the (encrypted) answers unread until they are used."""
    return readable_application(session, user_id, number, lock=lock, with_answers=with_answers)


def save_draft(session: Session, user_id: int, number: str, if_match: int | None,
               changes: Mapping[str, Any]) -> Application:
    """Merge ``changes`` into the answers (``None`` clears a key) if ``if_match`` is current.

    A stale version gets 412 and changes nothing: the client still holds its edits and
    can re-apply them to the current version (returned in the error's ``errors``).
    """
    application = own_application(session, user_id, number, lock=True)
    if application.status != rules.DRAFT:
        raise Conflict(NOT_A_DRAFT, code="not_a_draft")
    check_version(application, if_match)
    answers = dict(application.answers or {})
    for key, value in changes.items():
        if value is None:
            answers.pop(key, None)
        else:
            answers[key] = value
    check_draft_answers(application.bundle, changes, answers)  # before any change: a refusal keeps the draft
    application.answers = answers
    application.version += 1
    application.updated_at = utcnow()
    record_event(session, "draft_saved", actor_user_id=user_id, subject_user_id=user_id,
                 application_id=application.id, version=application.version, fields=sorted(changes))
    session.commit()
    return application


def check_draft_answers(bundle: str, changes: Mapping[str, Any], merged: Mapping[str, Any]) -> None:
    """Refuse (422, per field) what no draft may hold; an unfinished answer is not refused."""
    errors = catalog.draft_errors(bundle, changes, merged)
    if errors:
        raise ValidationFailed(DRAFT_REFUSED, code="draft_answers_invalid", errors=errors)


def check_version(application: Application, if_match: int | None) -> None:
    if if_match is None:
        raise PreconditionFailed(Text("缺少版本号（If-Match）。", "Send the draft's ETag in If-Match."),
                                 code="precondition_required")
    if if_match != application.version:
        raise PreconditionFailed(
            Text("草稿已在其他设备上修改，请合并后再保存。", "The draft changed on another device; merge and save again."),
            code="stale_draft", errors={"version": [Text(str(application.version), str(application.version))]})


def list_drafts(session: Session, user_id: int) -> list[Application]:
    return store.drafts_of(session, user_id, rules.DRAFT)


def delete_draft(session: Session, user_id: int, number: str) -> None:
    application = own_application(session, user_id, number, lock=True)
    if application.status != rules.DRAFT:
        raise Conflict(NOT_A_DRAFT, code="not_a_draft")
    record_event(session, "draft_deleted", actor_user_id=user_id, subject_user_id=user_id,
                 application_id=application.id, number=number)
    session.delete(application)
    session.commit()


# --- Submission -------------------------------------------------------------------------------

def submit_application(session: Session, key_session: Session, user_id: int, number: str, key: str | None,
                       body: Mapping[str, Any], *, secret: str) -> tuple[dict[str, Any], bool]:
    """Submit the draft once. Returns ``(receipt, replayed)``; delivery is queued after commit."""
    key = rules.check_idempotency_key(key)
    fingerprint = rules.request_fingerprint(f"submit:{number}", body)
    stored = claim_idempotency_key(key_session, user_id, key, fingerprint)
    if stored is not None:
        return stored, True
    try:
        receipt = _submit(session, user_id, number, key, body, secret)
    except Exception:
        session.rollback()
        # Nothing was executed: free the key so the corrected request can use it.
        store.free_idempotency_key(key_session, user_id, key)
        key_session.commit()
        raise
    return receipt, False


def claim_idempotency_key(session: Session, user_id: int, key: str, fingerprint: str) -> dict[str, Any] | None:
    """Claim ``key`` (committed at once); return the stored receipt to replay, or raise."""
    now = utcnow()
    if store.claim_idempotency_key(session, user_id, key, fingerprint, now):
        session.commit()
        return None
    row = store.idempotency_key(session, user_id, key)
    if row is None:  # freed between our insert and this read: try once more
        return claim_idempotency_key(session, user_id, key, fingerprint)
    decision = rules.decide_on_key(rules.StoredKey(row.fingerprint, row.completed, row.created_at), fingerprint, now)
    if decision == rules.REPLAY:
        return dict(row.response or {})
    if decision == rules.MISMATCH:
        raise ValidationFailed(rules.KEY_MISMATCH, code="idempotency_key_reused")
    if decision == rules.TAKE_OVER:
        taken = store.take_over_idempotency_key(session, row, now)
        session.commit()
        if taken:
            return None
    raise Conflict(rules.KEY_IN_FLIGHT, code="idempotency_key_in_flight")


def _submit(session: Session, user_id: int, number: str, key: str, body: Mapping[str, Any],
            secret: str) -> dict[str, Any]:
    # The draft, locked, and the applicant's ID number (for the prefill) in one round trip.
    found = store.lock_draft_with_applicant(session, user_id, number)
    if found is None:
        raise NotFound(NOT_FOUND)
    application, id_number = found
    if application.status != rules.DRAFT:
        raise Conflict(Text("这份申请已经提交过了。", "This application was already submitted."),
                       code="already_submitted")
    check_version(application, body.get("version"))
    form, application.subject_ref = catalog.submission_form_and_subject(
        session, user_id, application.bundle, application.subject_ref, id_number=id_number or "")
    now = utcnow()
    application.answers = catalog.checked_answers(form, dict(application.answers or {}), china_date(now))
    application.submitted_at, application.updated_at = now, now
    # The form above is the live catalog's: the application keeps that version (and its files).
    application.catalog_version = record_catalog_version(session)
    application.channel = body.get("channel") or application.channel
    plans = catalog.plan_cases(form)
    # Inheritance items wait for the heirs' answers (hold), the rest goes on.
    asking = consents.plan_consents(current_sources(), application, [plan.item for plan in plans], id_number or "")
    rows = [_new_case(application, position, plan, now, asking.hold_of(plan.item) if asking else None)
            for position, plan in enumerate(plans, start=1)]
    application.status = rules.derive_application_status([row["status"] for row in rows])
    _claim_subject(session, application, user_id)
    # The cases in one INSERT … RETURNING, after the application's UPDATE (at that statement's
    # autoflush); the Case objects only carry what was written.
    cases = case_store.insert_cases(session, rows)
    record_event(session, "application_submitted", actor_user_id=user_id, subject_user_id=user_id,
                 application_id=application.id, number=application.number, bundle=application.bundle,
                 cases=[case.reference for case in cases], channel=application.channel)
    for case in cases:  # with the event's notify row: one INSERT of every outbox row, at the next flush
        if case.status == rules.SUBMITTED:  # a waiting case is sent when what it needs is approved
            add_case_message(session, case, "case.submitted")
    if asking is not None:
        consents.ask_heirs(session, current_sources(), application, asking, user_id)
    receipt = build_receipt(application, cases, secret)
    receipt["burden"] = burden.applicant_burden(form, application.answers).as_dict()
    store.complete_idempotency_key(session, user_id, key, 201, receipt)
    session.commit()
    return receipt


def _claim_subject(session: Session, application: Application, user_id: int) -> None:
    """Write the application as submitted now: the database lets one active application per
    (bundle, subject) through, so of two family members submitting at once exactly one wins; the
    other is told who applied (409), and their draft is kept as it was (the transaction rolls back)."""
    bundle, subject_ref = application.bundle, application.subject_ref
    try:
        family_store.flush_submission(session)
    except family_store.SubjectTaken:
        existing = family_store.active_cases_of_subjects(session, bundle, [subject_ref or ""]).get(subject_ref or "")
        if existing is None:  # the winner was withdrawn meanwhile: the retry may go through
            raise Conflict(Text("请重试提交。", "Please submit again."), code="subject_busy") from None
        raise subject_already_applied(existing, user_id) from None


def _new_case(application: Application, position: int, plan: catalog.CasePlan, now: Any,
              hold: dict[str, Any] | None = None) -> dict[str, Any]:
    """A case row: ``waiting`` (not sent, no due date yet) while it needs other items of the
    application or something else ``hold``s it; else ``submitted``, its time limit running from now."""
    waits = bool(plan.needs or hold)
    return {"application_id": application.id, "reference": rules.case_reference(application.number, position),
            "position": position, "item": plan.item, "item_title": plan.title.as_dict(),
            "field_keys": list(plan.fields), "certificate_kind": plan.item, "department": plan.department,
            "status": rules.WAITING if waits else rules.SUBMITTED, "time_limit_days": plan.time_limit_days,
            "due_on": None if waits else due_date(now, plan.time_limit_days),
            "ready_at": None if waits else now, "needs": list(plan.needs),
            "dependents": list(plan.dependents), "consumes": dict(plan.consumes),
            "hold": hold or {}, "created_at": now, "updated_at": now}


def _iso_date(expected: graph.Expected | None) -> str | None:
    return expected.finish.isoformat() if expected else None


def receipt_token(secret: str, number: str) -> str:
    """What the receipt's QR code carries besides the number: proof we issued it."""
    return hmac.new(secret.encode(), f"receipt:{number}".encode(), hashlib.sha256).hexdigest()[:20]


def build_receipt(application: Application, cases: list[Case], secret: str) -> dict[str, Any]:
    verify_path = f"/verify/receipt/{application.number}?t={receipt_token(secret, application.number)}"
    submitted_on = china_date(application.submitted_at or utcnow())
    plan = graph.schedule([graph.CaseTimes(c.item, c.status, tuple(c.needs or ()), c.time_limit_days,
                                           submitted_on if c.ready_at else None, c.due_on) for c in cases],
                          submitted_on)
    return {
        "number": application.number,
        "bundle": application.bundle,
        "submitted_at": application.submitted_at.isoformat() if application.submitted_at else None,
        "status": application.status,
        "cases": [{"reference": c.reference, "item": c.item, "title": c.item_title, "department": c.department,
                   "due_on": c.due_on.isoformat() if c.due_on else None, "status": c.status,
                   "needs": list(c.needs or ()), "expected_on": _iso_date(plan.expected.get(c.item))}
                  for c in cases],
        "critical_path_days": plan.critical_path_days,
        "expected_complete_on": plan.expected_complete_on.isoformat() if plan.expected_complete_on else None,
        "verify_path": verify_path,
        # The QR image is drawn on request (about 10 ms of CPU), not on the submission path.
        "qr_path": f"/api/v1/applications/{application.number}/receipt/qr.svg",
    }


def verify_receipt(session: Session, number: str, token: str, secret: str) -> dict[str, Any]:
    """Public: only whether the receipt is genuine, its bundle and its submission date."""
    # Compared as bytes: compare_digest refuses str with non-ASCII characters, and a scanned or
    # typed token can hold anything.
    valid = hmac.compare_digest(receipt_token(secret, number).encode(), (token or "").encode())
    application = store.application_by_number(session, number) if valid else None
    if application is None or application.submitted_at is None:
        return {"valid": False}
    return {"valid": True, "bundle": application.bundle,
            "submitted_on": china_date(application.submitted_at).isoformat()}


# --- After submission: supplements and withdrawal ---------------------------------------------

def supply_supplement(session: Session, user_id: int, number: str, reference: str,
                      answers: Mapping[str, Any], materials: list[str]) -> Case:
    application = own_application(session, user_id, number, lock=True)
    case = _case_of(session, application, reference)
    requested = (case.supplement or {}).get("fields", [])
    extra = sorted(set(answers) - set(requested))
    if extra:
        raise ValidationFailed(Text("只能补充部门要求的内容。", "Supply only what the department asked for."),
                               errors={key: [Text("未被要求补充", "Not requested")] for key in extra})
    missing = sorted(set(requested) - {k for k, v in answers.items() if v not in (None, "")})
    if missing:
        raise ValidationFailed(Text("请补充全部要求的内容。", "Supply everything that was asked for."),
                               errors={key: [Text("此项必填。", "This is required.")] for key in missing})
    invalid = catalog.field_errors(answers, today_in_china())
    if invalid:
        raise ValidationFailed(Text("补充的内容有误。", "Some supplied answers need attention."), errors=invalid)
    application.answers = {**(application.answers or {}), **answers}
    transition_case(session, case, rules.SUPPLEMENTED, actor_user_id=user_id, source="resident")
    record_event(session, "supplement_provided", actor_user_id=user_id, subject_user_id=application.user_id,
                 application_id=application.id, case=case.reference, fields=sorted(answers), materials=materials)
    add_case_message(session, case, "case.supplemented", {"fields": sorted(answers), "materials": materials})
    session.commit()
    return case


def withdraw_application(session: Session, user_id: int, number: str, reason: str | None) -> Application:
    """Withdraw before acceptance: every case must still be ``submitted`` or ``waiting``."""
    application = own_application(session, user_id, number, lock=True)
    require_lead(session, application, user_id)
    cases = case_store.lock_cases_of(session, application.id)
    if not rules.can_withdraw([case.status for case in cases]):
        raise Conflict(Text("已有部门受理，无法撤回。", "A department has already accepted it; it cannot be withdrawn."),
                       code="cannot_withdraw")
    for case in cases:
        # Every case goes: none is ended as "not possible" because another was withdrawn first.
        transition_case(session, case, rules.WITHDRAWN, actor_user_id=user_id, source="resident", cascade=False)
        # Undelivered cases are cancelled by the dispatcher; delivered ones are told.
        if case.dispatched_at is not None:
            add_case_message(session, case, "case.withdrawn")
    consents.end_consents(session, application)  # pending answers end, and the heirs are told
    record_event(session, "application_withdrawn", actor_user_id=user_id, subject_user_id=application.user_id,
                 application_id=application.id, number=number, reason=(reason or "")[:200])
    session.commit()
    return application


def _case_of(session: Session, application: Application, reference: str) -> Case:
    case = case_store.lock_case_of(session, application.id, reference)
    if case is None:
        raise NotFound(NOT_FOUND)
    return case


def today_in_china() -> date:
    return china_date(utcnow())
