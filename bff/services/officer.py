"""The officer workbench: a department's queue and decisions, scoped to the officer's department.

An officer sees and acts on the cases of their own department only; a case of another
department is "not found". Case detail carries only the fields the item declares.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from bff.core import applications as rules
from bff.core.calendar import due_status
from bff.core.errors import NotFound, PermissionDenied
from bff.core.pii import mask_name
from bff.core.text import Text
from bff.services import catalog_adapter as catalog
from bff.services import graph
from bff.services.cases import transition_case, walk_case_to
from bff.services.catalog_versions import catalog_of
from bff.services.certificates import certificate_number_for, issue_certificate
from bff.services.events import record_event
from bff.services.uploads import documents_of_case
from bff.store import Session
from bff.store.models import Application, Case, Certificate
from bff.store.queries import cases as store

NOT_FOUND = Text("找不到这个子件。", "We could not find this case.")
OWN_SYSTEM = Text("本部门在自有业务系统中办理此件，请在该系统中操作。",
                  "Your department works this case in its own system; act there.")
NO_DEPARTMENT = Text("您的账号未关联部门。", "Your account is not linked to a department.")
QUEUE_LIMIT = 200


def officer_department(department: str | None) -> str:
    if not department:
        raise PermissionDenied(NO_DEPARTMENT, code="no_department")
    return department


def department_queue(session: Session, department: str | None, *, status: str | None = None,
                     flag: str | None = None, overdue_only: bool = False, today: date) -> list[dict[str, Any]]:
    """Cases delivered to the department, oldest due first, with due flags worked out today."""
    rows = store.department_queue(session, officer_department(department), status=status, excluded=rules.TERMINAL,
                                  flag=flag, limit=QUEUE_LIMIT)
    queue = [queue_entry(case, application, today) for case, application in rows]
    return [entry for entry in queue if entry["due_status"] == "overdue"] if overdue_only else queue


def queue_entry(case: Case, application: Application, today: date) -> dict[str, Any]:
    due = due_status(case.due_on, today) if case.due_on and case.status not in rules.TERMINAL else None
    return {"reference": case.reference, "item": case.item, "title": case.item_title, "status": case.status,
            "due_on": case.due_on.isoformat() if case.due_on else None, "due_status": due,
            "overdue": due == "overdue", "flag": case.flag, "application_number": application.number,
            "subject_name": mask_name((application.answers or {}).get("subject.name")
                                      or (application.answers or {}).get("applicant.name")),
            "submitted_at": application.submitted_at.isoformat() if application.submitted_at else None}


def department_case(session: Session, department: str | None, reference: str, *, lock: bool = False) -> Case:
    """A case of the officer's department; locking it (to act) needs a workbench department."""
    case = store.department_case(session, officer_department(department), reference, lock=lock)
    if case is None:
        raise NotFound(NOT_FOUND)
    if lock and not works_in_workbench(case.department):
        raise PermissionDenied(OWN_SYSTEM, code="department_has_own_system")
    return case


def works_in_workbench(department: str) -> bool:
    """A department with its own system decides there (and tells us by callback), not here."""
    from flask import current_app

    from bff.services.dispatch import DispatchSettings

    return DispatchSettings.from_config(current_app.config).endpoint_for(department) is None


def case_detail(session: Session, officer_user_id: int, department: str | None, reference: str,
                today: date) -> dict[str, Any]:
    """The case with ONLY its item's declared fields (minimum necessary); the look is audited."""
    case = department_case(session, department, reference)
    application = session.get(Application, case.application_id)
    assert application is not None
    answers = application.answers or {}
    detail = queue_entry(case, application, today)
    book = catalog_of(session, application.catalog_version)  # the catalog it was submitted with
    detail.update(fields={key: answers[key] for key in case.field_keys or [] if key in answers},
                  field_keys=list(case.field_keys or []), supplement=case.supplement, decision=case.decision,
                  field_labels={key: catalog.field_label(key, book).as_dict() for key in case.field_keys or []},
                  bundle=application.bundle, subject_name=detail["subject_name"],
                  documents=documents_of_case(session, application, case.item, case.reference),
                  **graph.officer_view(session, case, application, book))
    record_event(session, "staff_viewed", actor_user_id=officer_user_id, subject_user_id=application.user_id,
                 application_id=application.id, reason="case_work", purpose=case.reference)
    session.commit()
    return detail


def require_accepted(case: Case, target: str) -> None:
    """In the workbench a decision needs an explicit acceptance first (受理 starts the clock)."""
    if case.status == rules.SUBMITTED:
        rules.check_case_transition(case.status, target)


def accept_case(session: Session, officer: int, department: str | None, reference: str) -> Case:
    case = department_case(session, department, reference, lock=True)
    transition_case(session, case, rules.ACCEPTED, actor_user_id=officer, source="workbench")
    session.commit()
    return case


def request_supplement(session: Session, officer: int, department: str | None, reference: str, *,
                       message: str, fields: list[str], materials: list[str], message_en: str | None = None) -> Case:
    case = department_case(session, department, reference, lock=True)
    rules.check_supplement_request(message, fields, materials, case.field_keys or [])
    case.supplement = rules.supplement_request(message, fields, materials, message_en=message_en)
    transition_case(session, case, rules.SUPPLEMENT_REQUESTED, actor_user_id=officer, source="workbench",
                    message=case.supplement["message"], fields=case.supplement["fields"],
                    materials=case.supplement["materials"])
    session.commit()
    return case


def start_processing(session: Session, officer: int, department: str | None, reference: str) -> Case:
    case = department_case(session, department, reference, lock=True)
    transition_case(session, case, rules.PROCESSING, actor_user_id=officer, source="workbench")
    session.commit()
    return case


def approve_case(session: Session, officer: int, department: str | None, reference: str,
                 outputs: dict[str, Any] | None = None) -> Certificate:
    """Approve (through ``processing`` if needed) and issue the case's certificate; ``outputs`` are
    the data the item produces (e.g. the citizen ID number a birth registration creates), which the
    cases that consume them receive."""
    case = department_case(session, department, reference, lock=True)
    require_accepted(case, rules.APPROVED)
    application = session.get(Application, case.application_id)
    assert application is not None
    graph.record_outputs(case, outputs, certificate_number_for(case), catalog_of(session, application.catalog_version))
    walk_case_to(session, case, rules.APPROVED, actor_user_id=officer, source="workbench")
    certificate = issue_certificate(session, case, application, actor_user_id=officer)
    case.decision = {"outcome": rules.APPROVED, "certificate": certificate.number}
    session.commit()
    return certificate


def reject_case(session: Session, officer: int, department: str | None, reference: str, reason: str) -> Case:
    case = department_case(session, department, reference, lock=True)
    reason = rules.check_rejection_reason(reason)
    require_accepted(case, rules.REJECTED)
    # Before the walk: the cases that needed this one end with its reason.
    case.decision = {"outcome": rules.REJECTED, "reason": reason[:500]}
    walk_case_to(session, case, rules.REJECTED, actor_user_id=officer, source="workbench", reason=reason[:500])
    session.commit()
    return case
