"""What the resident reads: my applications, one application's progress, its timeline."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from bff.core import applications as rules
from bff.core import graph
from bff.core import resident_timeline as story
from bff.core.calendar import due_status
from bff.core.catalog import Catalog, default_catalog
from bff.core.clock import china_date
from bff.core.errors import NotFound
from bff.core.events import ON_BEHALF_OF
from bff.core.text import Text
from bff.services import catalog_adapter as catalog
from bff.services.applications import NOT_FOUND, own_application
from bff.services.catalog_versions import catalog_of
from bff.services.certificates import describe
from bff.store import Connection, Session
from bff.store.models import Application, Case
from bff.store.queries import family as family_store
from bff.store.queries import progress as store
from bff.store.queries.mandates import names_of

LIST_LIMIT = 100
TIMELINE_LIMIT = 500
# The bilingual labels every progress read repeats, built once (shared: serialise, never change).
_STATUS_TEXT = {status: text.as_dict() for status, text in rules.STATUS_TEXT.items()}
_APPLICATION_STATUS_TEXT = {status: text.as_dict() for status, text in rules.APPLICATION_STATUS_TEXT.items()}


_department_names: dict[tuple[str, str], dict[str, str]] = {}


def _department_name(book: Catalog, code: str) -> dict[str, str]:
    """A department's name in the application's catalog, built once per (version, code)."""
    key = (book.version, code)
    if key not in _department_names:
        _department_names[key] = catalog.department_name(code, book).as_dict()
    return _department_names[key]


def list_my_applications(session: Session, user_id: int, today: date) -> list[dict[str, Any]]:
    """Submitted applications, newest first, each with its derived status, next action and due dates."""
    applications = store.submitted_applications(session, user_id, rules.DRAFT, LIST_LIMIT)
    by_application = store.cases_of_applications(session, [a.id for a in applications])
    roles = family_store.roles_in(session, user_id, [a.id for a in applications])
    return [{**summary(application, by_application.get(application.id, []), today),
             "my_role": roles.get(application.id) or ("lead" if application.user_id == user_id else "co_handler")}
            for application in applications]


def summary(application: Application, cases: list[Case], today: date) -> dict[str, Any]:
    status = rules.derive_application_status([case.status for case in cases]) if cases else application.status
    open_dues = [case.due_on for case in cases if case.due_on and case.status not in rules.TERMINAL]
    action = rules.next_action(status)
    return {"number": application.number, "bundle": application.bundle, "status": status,
            "status_text": _APPLICATION_STATUS_TEXT[status],
            "next_action": {"code": action.code, "text": action.text.as_dict()},
            "submitted_at": _iso(application.submitted_at), "updated_at": _iso(application.updated_at),
            "cases_total": len(cases), "cases_done": sum(case.status in rules.TERMINAL for case in cases),
            "next_due_on": _iso(min(open_dues)) if open_dues else None,
            "overdue": any(due_status(due, today) == "overdue" for due in open_dues)}


def draft_view(application: Application) -> dict[str, Any]:
    return {"number": application.number, "bundle": application.bundle, "status": application.status,
            "subject": application.subject, "subject_ref": application.subject_ref,
            "relation": application.relation, "channel": application.channel,
            "version": application.version, "answers": catalog.mask_answers(application.answers or {}),
            "catalog_version": application.catalog_version, "created_at": _iso(application.created_at),
            "updated_at": _iso(application.updated_at)}


def application_detail(session: Session, user_id: int, number: str, today: date, public_url: str) -> dict[str, Any]:
    """The caller's application: a draft (its answers masked), or the progress of a submitted one."""
    body = submitted_detail(session.connection(), user_id, number, today, public_url)
    return draft_view(own_application(session, user_id, number)) if body is None else body


def submitted_detail(connection: Connection, user_id: int, number: str, today: date,
                     public_url: str) -> dict[str, Any] | None:
    """The caller's submitted application with its cases and certificates, read in one statement;
    None when it is still a draft (:func:`draft_view` shows that)."""
    detail = store.application_detail(connection, user_id, number)
    if detail is None:
        raise NotFound(NOT_FOUND)
    head, cases = detail
    if head.status == rules.DRAFT:
        return None
    # The named tuples carry the attributes these read from a Case, Application and Certificate.
    certificates = {case.case_id: describe(certificate, public_url)  # type: ignore[arg-type]
                    for case, certificate in cases if certificate is not None}
    plain = [case for case, _ in cases]
    book = catalog_of(connection, head.catalog_version)
    plan = graph.schedule([case_times(case) for case in plain], today)  # type: ignore[arg-type]
    by_item = {case.item: case for case in plain}
    deadline = head.consent_deadline
    # The answers are decrypted only when a correction shows their current values.
    asked = any(case.status == rules.SUPPLEMENT_REQUESTED for case in plain)
    answers = store.application_answers(connection, head.id) if asked else {}
    return {**summary(head, plain, today), "subject": head.subject,  # type: ignore[arg-type]
            "critical_path_days": plan.critical_path_days,
            "expected_complete_on": _iso(plan.expected_complete_on),
            "cases": [{**case_progress(case, certificates.get(case.case_id), today, book, answers),  # type: ignore[arg-type]
                       **case_graph(case, by_item, plan),  # type: ignore[arg-type]
                       **case_hold(case, deadline, book)}  # type: ignore[arg-type]
                      for case in plain],
            "certificates": list(certificates.values()), "my_role": head.my_role}


def case_times(case: Case) -> graph.CaseTimes:
    """What the schedule reads of a case (its dates in China)."""
    return graph.CaseTimes(case.item, case.status, tuple(case.needs or ()), case.time_limit_days,
                           china_date(case.ready_at) if case.ready_at else None, case.due_on,
                           china_date(case.decided_at) if case.decided_at else None)


def case_graph(case: Case, by_item: Mapping[str, Case], plan: graph.Schedule) -> dict[str, Any]:
    """Where the case stands in the item graph: what it needs, what it still waits for, when it
    could start, when its decision is expected, and why it cannot be done if so."""
    needs = [_needed(by_item[item]) for item in case.needs or () if item in by_item]
    expected = plan.expected.get(case.item) if case.status not in rules.TERMINAL else None
    because = (case.decision or {}).get("because") if case.status == rules.NOT_POSSIBLE else None
    return {"needs": needs,
            "waiting_for": [need for need in needs if need["status"] != rules.APPROVED]
            if case.status == rules.WAITING else [],
            "ready_at": _iso(case.ready_at), "expected_on": _iso(expected.finish) if expected else None,
            "not_possible_because": because}


def held_for(hold: Mapping[str, Any] | None) -> str | None:
    """What an inheritance case is held back for: the heirs' consent, or a document the applicant
    uploads once an heir declined or the time ran out (``None``: nothing holds it)."""
    if not hold:
        return None
    return "document" if hold.get("upload") else "consent"


def case_hold(case: Case, consent_deadline: date | None, book: Catalog | None = None) -> dict[str, Any]:
    """The hold in the resident's words: what it waits for, with the document's name or the day
    the heirs' answers are due (no heir is named here: the consent panel shows them masked)."""
    reason = held_for(case.hold)
    code = str(case.hold["upload"]) if reason == "document" and case.hold else None
    name = catalog.upload_name(case.item, code, book) if code else None
    return {"held_for": reason, "held_document": {"code": code, "name": name.as_dict()} if code and name else None,
            "consent_deadline": _iso(consent_deadline) if reason == "consent" else None}


def _needed(case: Case) -> dict[str, Any]:
    return {"item": case.item, "title": case.item_title, "reference": case.reference, "status": case.status,
            "status_text": _STATUS_TEXT[case.status]}


def supplement_view(case: Case, answers: Mapping[str, Any], book: Catalog) -> dict[str, Any]:
    """A correction (补正) as the resident answers it: the request, each field's label (from the
    application's catalog) and current value (sensitive ones masked, named in ``masked``: never to
    be sent back as the answer), and the documents the item accepts as an attachment."""
    request = case.supplement or {}
    keys = request.get("fields", [])
    current = catalog.mask_answers({key: answers[key] for key in keys if answers.get(key) not in (None, "")})
    documents = catalog.item_documents(case.item, book)
    return {**request, "field_labels": {key: catalog.field_label(key, book).as_dict() for key in keys},
            "current": current, "masked": sorted(key for key in current if current[key] != answers[key]),
            "documents": [{"code": code, "name": name.as_dict()} for code, name in documents.items()]}


def case_progress(case: Case, certificate: dict[str, Any] | None, today: date,
                  book: Catalog | None = None, answers: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """A case as the resident follows it; names and labels from ``book``, the application's catalog."""
    book = book or default_catalog()
    open_case = case.status not in rules.TERMINAL
    supplement = None
    if case.status == rules.SUPPLEMENT_REQUESTED and case.supplement:
        supplement = supplement_view(case, answers or {}, book)
    return {"reference": case.reference, "item": case.item, "title": case.item_title,
            "department": case.department, "department_name": _department_name(book, case.department),
            "status": case.status, "status_text": _STATUS_TEXT[case.status],
            "due_on": _iso(case.due_on), "time_limit_days": case.time_limit_days,
            "due_status": due_status(case.due_on, today) if case.due_on and open_case else None,
            "delivered": case.dispatched_at is not None, "supplement": supplement,
            "decision": case.decision, "certificate": certificate}


def timeline(session: Session, user_id: int, number: str) -> dict[str, Any]:
    """What changed for the resident, grouped by item, newest first: the rule in
    :mod:`bff.core.resident_timeline` leaves internal events out and words the rest."""
    application = own_application(session, user_id, number)
    events = store.events_of_application_with_actors(session, application.id, TIMELINE_LIMIT)
    agents = names_of(session, {e.actor_user_id for e, _ in events if e.actor_user_id and ON_BEHALF_OF in (e.data or {})})
    records = [story.EventRecord(event.id, event.name, event.occurred_at, event.data or {},
                                 by_me=event.actor_user_id == user_id, actor_name=actor_name,
                                 agent_name=agents.get(event.actor_user_id or 0)) for event, actor_name in events]
    cases = store.cases_of_applications(session, [application.id]).get(application.id, [])
    groups = story.resident_timeline(records, [case_label(case) for case in cases])
    return {"groups": [_group_view(group) for group in groups],
            "count": sum(len(group.entries) for group in groups)}


def case_label(case: Case) -> story.CaseLabel:
    title = case.item_title or {}
    return story.CaseLabel(case.reference, case.item, Text(title.get("zh-CN", case.item), title.get("en", case.item)),
                           catalog.department_short_name(case.department))


def _group_view(group: story.Group) -> dict[str, Any]:
    label = group.case
    return {"case": label.reference if label else None, "item": label.item if label else None,
            "title": label.title.as_dict() if label else None,
            "department_name": label.department.as_dict() if label else None,
            "entries": [{"id": entry.event_id, "occurred_at": _iso(entry.occurred_at), "kind": entry.kind,
                         "params": entry.params, "text": entry.text.as_dict(), "by_me": entry.by_me,
                         "actor_name": entry.actor_name, "agent_name": entry.agent_name}
                        for entry in group.entries]}


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


