"""Cases that wait for each other: release when what they need is approved, end when it cannot be.

A case whose item ``needs`` others starts ``waiting`` (bff.services.applications). Whenever a case
ends (approved, rejected, withdrawn, not possible), :func:`case_ended` runs from
``bff.services.cases.transition_case``, in the same transaction, the application's row locked:

- approved: :func:`release_ready_cases` sends on each waiting case whose needs are now all approved
  and that nothing else holds (``case.hold``), with the data it consumes (``case.inputs``);
- ended otherwise: :func:`end_dependents` ends every case that needed it, transitively, as
  ``not_possible`` with the reason, and tells the resident once (``items_not_possible``);
- and once every inheritance case the heirs were asked about has failed, their pending answers
  end (``bff.services.consents.end_with_cases``).

Cases nobody needs (``case.dependents`` empty, the usual case) cost a look at the catalog here.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from bff.core import applications as rules
from bff.core import graph
from bff.core.calendar import due_date
from bff.core.catalog import CERTIFICATE_NUMBER, Catalog
from bff.core.clock import china_today
from bff.core.errors import ValidationFailed
from bff.core.text import Text
from bff.services import cases as moves
from bff.services import catalog_adapter as catalog
from bff.services.dispatch import add_case_message
from bff.services.events import record_event
from bff.store import Session
from bff.store.models import Application, Case, utcnow
from bff.store.queries import cases as store

OUTPUTS_INVALID = Text("办结时需要提供的数据不完整或有误。", "What this approval must produce is missing or wrong.")


def case_ended(session: Session, case: Case, application: Application) -> None:
    """What the end of ``case`` means for the cases that need it (see the module docstring), and,
    when it failed, for the heirs' pending consent (:func:`heirs_consents_may_end`)."""
    if case.status == rules.APPROVED and case.dependents:
        release_ready_cases(session, application)
    elif case.status in rules.FAILED:
        if case.dependents:
            end_dependents(session, application, case)  # asks the heirs' question itself
        else:
            heirs_consents_may_end(session, application)


def release_ready_cases(session: Session, application: Application, cases: list[Case] | None = None) -> list[Case]:
    """Send on every waiting case of ``application`` that may go now; returns them.

    May go: every case it needs is approved and its ``hold`` is empty (e.g. after heirs' consent
    cleared it). Each is moved to ``submitted`` through ``transition_case``, gets the data it
    consumes (``inputs``), ``ready_at`` now and its due date from now, and its ``case.submitted``
    message. The caller holds the application's lock and commits."""
    cases = cases if cases is not None else store.cases_of(session, application.id)
    statuses = {case.item: case.status for case in cases}
    by_item = {case.item: case for case in cases}
    now = utcnow()
    released = []
    for case in cases:
        if case.status != rules.WAITING or not graph.is_ready(case.needs or (), statuses, case.hold):
            continue
        case.inputs = inputs_for(case, by_item) or None
        mark_ready(case, now)
        # waiting and submitted count alike in the application's status: no refresh per release
        moves.transition_case(session, case, rules.SUBMITTED, actor_user_id=None, source="graph",
                              locked_application=application, refresh=False)
        add_case_message(session, case, "case.submitted")
        released.append(case)
    return released


def mark_ready(case: Case, now: datetime) -> None:
    """The case could start ``now``: its time limit counts from here."""
    case.ready_at = now
    case.due_on = due_date(now, case.time_limit_days)


def inputs_for(case: Case, by_item: Mapping[str, Case]) -> dict[str, Any]:
    """``{name: {value, item, reference, output, department, title}}`` of what ``case`` consumes,
    from the approved cases it needs (an output their approval did not produce is left out)."""
    inputs: dict[str, Any] = {}
    for name, source in (case.consumes or {}).items():
        item, _, output = str(source).partition(".")
        producer = by_item.get(item)
        value = produced(producer, output) if producer is not None else None
        if value not in (None, ""):
            assert producer is not None
            inputs[name] = {"value": value, "item": item, "reference": producer.reference, "output": output,
                            "department": producer.department, "title": producer.item_title}
    return inputs


def produced(case: Case, output: str) -> Any:
    """An output of ``case``'s approval: its certificate's number, or a datum its department gave."""
    outputs = case.outputs or {}
    if output == CERTIFICATE_NUMBER:
        return outputs.get(CERTIFICATE_NUMBER) or (case.decision or {}).get("certificate")
    return outputs.get(output)


def end_dependents(session: Session, application: Application, failed: Case,
                   cases: list[Case] | None = None) -> list[Case]:
    """End every case that needs ``failed`` (which ended without approval), transitively, as
    ``not_possible`` with the reason; one ``items_not_possible`` event tells the resident once."""
    cases = cases if cases is not None else store.cases_of(session, application.id)
    needs = {case.item: tuple(case.needs or ()) for case in cases}
    statuses = {case.item: case.status for case in cases}
    lost = set(graph.cascade(failed.item, needs, statuses))
    because = failure_reason(failed)
    ended = []
    for case in cases:
        if case.item not in lost or not rules.can_transition(case.status, rules.NOT_POSSIBLE):
            continue
        case.decision = {"outcome": rules.NOT_POSSIBLE, "because": because}
        moves.transition_case(session, case, rules.NOT_POSSIBLE, actor_user_id=None, source="graph",
                              locked_application=application, cascade=False, refresh=False)
        ended.append(case)
    if ended:
        moves.refresh_application_status(session, application)
        record_event(session, "items_not_possible", subject_user_id=application.user_id,
                     application_id=application.id, number=application.number,
                     because={key: because[key] for key in ("item", "reference", "status")},
                     cases=[case.reference for case in ended])
        heirs_consents_may_end(session, application, cases)
    return ended


def heirs_consents_may_end(session: Session, application: Application, cases: list[Case] | None = None) -> None:
    """Once no inheritance case is left to agree to, the heirs' pending answers end (and they are told)."""
    # Imported here: the consents module sends cases on through this one (release_ready_cases).
    from bff.services import consents

    consents.end_with_cases(session, application, cases)


def record_outputs(case: Case, supplied: Mapping[str, Any] | None, certificate_number: str,
                   book: Catalog | None = None) -> None:
    """What ``case``'s approval produces, stored before the approval (whose end releases the cases
    that consume it): the certificate's number and each named output the item declares in ``book``
    (the application's catalog), checked (``ValidationFailed`` with ``outputs.<name>`` field errors)."""
    produces = catalog.item_produces(case.item, book)
    supplied = dict(supplied or {})
    errors = graph.output_errors(produces, supplied, china_today())
    if errors:
        raise ValidationFailed(OUTPUTS_INVALID, code="outputs_invalid", errors=errors)
    case.outputs = {CERTIFICATE_NUMBER: certificate_number,
                    **{name: str(supplied[name]).strip().upper() if name.endswith("id_number")
                       else str(supplied[name]).strip() for name in produces}}


def officer_view(session: Session, case: Case, application: Application, book: Catalog | None = None) -> dict[str, Any]:
    """For the officer: ``inputs`` (the data the case received, each labelled with the case it came
    from), ``waiting_on_this`` (the cases of the application that need this one) and ``produces``
    (what the approval must give, e.g. the newborn's citizen ID number); names from ``book``, the
    application's catalog."""
    produces = list(catalog.item_produces(case.item, book))
    if not case.inputs and not case.dependents:
        return {"inputs": [], "waiting_on_this": [], "produces": produces}
    by_item = {other.item: other for other in store.cases_of(session, application.id)}
    inputs = []
    for name, given in sorted((case.inputs or {}).items()):
        source = by_item.get(given.get("item"))
        inputs.append({"name": name, "value": given.get("value"), "output": given.get("output"),
                       "from": source_label(source, given, book)})
    waiting = [{"reference": other.reference, "item": other.item, "title": other.item_title,
                "department": other.department, "department_name": catalog.department_name(other.department, book).as_dict(),
                "status": other.status}
               for other in by_item.values() if case.item in (other.needs or ())]
    return {"inputs": inputs, "waiting_on_this": waiting, "produces": produces}


def source_label(source: Case | None, given: Mapping[str, Any], book: Catalog | None = None) -> dict[str, Any]:
    """Where an input came from: the item, its case, its department and title."""
    department = source.department if source is not None else None
    return {"item": given.get("item"), "reference": given.get("reference"), "department": department,
            "department_name": catalog.department_name(department, book).as_dict() if department else None,
            "title": source.item_title if source is not None else None}


def failure_reason(failed: Case) -> dict[str, Any]:
    """Why the cases needing ``failed`` cannot be done, in words the resident reads."""
    title = failed.item_title or {}
    name_zh, name_en = title.get("zh-CN", failed.item), title.get("en", failed.item)
    status = rules.STATUS_TEXT[failed.status]
    reason = {"zh-CN": f"前序事项「{name_zh}」{status.zh}，本事项无法办理。",
              "en": f"It needs “{name_en}”, which was {status.en.lower()}, so it cannot go ahead."}
    original = (failed.decision or {}).get("reason")
    return {"item": failed.item, "reference": failed.reference, "title": title, "status": failed.status,
            "reason": reason, "department_reason": original}
