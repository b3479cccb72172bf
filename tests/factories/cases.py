"""Rows that belong to an application: its cases, their certificates, and events.

Each row is written as the service that makes it in the real flow writes it: a case as a
submission inserts it and the workbench moves it on (``bff.services.applications``,
``bff.services.cases``, ``bff.services.officer``), a certificate as an approval issues it, an
event checked against its schema (``bff.core.events``) and, when it tells the resident something,
with its pending ``notify`` outbox row, as ``record_event`` writes it (a worker run makes the
notifications, as after the real flow).
"""

from __future__ import annotations

import secrets
from typing import Any

import factory

from bff.core import applications as rules
from bff.core.calendar import due_date
from bff.core.catalog import default_catalog
from bff.core.events import check_event
from bff.core.notifications import is_notifiable
from bff.store.models import Case, Certificate, Event, OutboxMessage, utcnow
from tests.factories.base import StoreFactory
from tests.factories.users import OfficerFactory

# A case the department has taken on (受理): it has an officer, an acceptance time and a due date
# counted from acceptance.
NOT_ACCEPTED = frozenset({rules.SUBMITTED, rules.WITHDRAWN, rules.WAITING, rules.NOT_POSSIBLE})
# A case that never started: it waited for another item (and maybe ended because that one failed).
NEVER_SENT = frozenset({rules.WAITING, rules.NOT_POSSIBLE})
WORKBENCH = "workbench"


def default_decision(o: Any) -> dict[str, Any] | None:
    if o.status == rules.APPROVED:
        return {"outcome": rules.APPROVED, "certificate": f"EC-{o.reference}"}
    if o.status == rules.REJECTED:
        return {"outcome": rules.REJECTED, "reason": o.rejection_reason}
    if o.status == rules.NOT_POSSIBLE and o.because is not None:
        return {"outcome": rules.NOT_POSSIBLE, "because": o.because}
    return None


def default_outputs(o: Any) -> dict[str, Any] | None:
    """What an approval produced: its certificate's number, and the data its item declares (a
    valid citizen ID number for a newborn's hukou registration)."""
    if o.status != rules.APPROVED:
        return None
    produced = {name: newborn_id_number() if name == "citizen_id_number" else f"{name}-{o.reference}"
                for name in o.catalog_item.produces}
    return {"certificate_number": f"EC-{o.reference}", **produced}


def newborn_id_number() -> str:
    from bff.core.clock import china_today
    from bff.core.idnumber import make_id_number

    return make_id_number("330106", china_today(), 12)


def default_supplement(o: Any) -> dict[str, Any] | None:
    if o.status != rules.SUPPLEMENT_REQUESTED:
        return None
    return {"message": "请核对新生儿姓名", "fields": sorted(o.field_keys[:1]), "materials": []}


class CaseFactory(StoreFactory):
    """One department's case of ``application`` for catalog ``item``, delivered to its workbench."""

    class Meta:
        model = Case
        exclude = ("application", "catalog_item", "accepted", "officer", "rejection_reason", "sent", "because")

    class Params:
        rejection_reason = "材料不符"
        delivered = True  # False: submitted, its delivery still in the outbox
        because: dict[str, Any] | None = None  # not_possible: the failed case it needed (graph.failure_reason)

    application: Any = None  # required: the Application the case belongs to
    catalog_item = factory.LazyAttribute(lambda o: default_catalog().items[o.item])
    application_id = factory.SelfAttribute("application.id")
    position = 1
    item = "birth-medical-certificate"
    reference = factory.LazyAttribute(lambda o: rules.case_reference(o.application.number, o.position))
    item_title = factory.LazyAttribute(lambda o: o.catalog_item.name.as_dict())
    field_keys = factory.LazyAttribute(lambda o: list(o.catalog_item.fields))
    certificate_kind = factory.SelfAttribute("item")
    department = factory.SelfAttribute("catalog_item.department")
    status = rules.SUBMITTED
    time_limit_days = factory.SelfAttribute("catalog_item.time_limit_days")
    created_at = factory.LazyAttribute(lambda o: o.application.submitted_at or utcnow())
    updated_at = factory.SelfAttribute("created_at")
    sent = factory.LazyAttribute(lambda o: o.delivered and o.status not in NEVER_SENT)
    dispatched_at = factory.Maybe("sent", factory.SelfAttribute("created_at"), None)
    gateway = factory.Maybe("sent", WORKBENCH, None)
    accepted = factory.LazyAttribute(lambda o: o.status not in NOT_ACCEPTED)
    accepted_at = factory.Maybe("accepted", factory.SelfAttribute("created_at"), None)
    ready_at = factory.LazyAttribute(lambda o: None if o.status in NEVER_SENT else o.created_at)
    # The statutory limit runs from acceptance; before it, from when the case could start.
    due_on = factory.LazyAttribute(lambda o: None if o.ready_at is None
                                   else due_date(o.accepted_at or o.ready_at, o.time_limit_days))
    # The item graph within the application (as plan_cases snapshots it); the writer passes them.
    needs = None
    dependents = None
    consumes = None
    inputs = None
    outputs = factory.LazyAttribute(default_outputs)
    decided_at = factory.LazyAttribute(lambda o: o.created_at if o.status in rules.TERMINAL else None)
    officer = factory.Maybe("accepted", factory.SubFactory(OfficerFactory,
                                                           department_code=factory.SelfAttribute("..department")),
                            None)
    officer_user_id = factory.LazyAttribute(lambda o: o.officer.id if o.officer else None)
    supplement = factory.LazyAttribute(default_supplement)
    decision = factory.LazyAttribute(default_decision)


class OutboxMessageFactory(StoreFactory):
    """Work waiting in the outbox: a department message about ``case`` (as ``add_case_message``
    queues it) unless told another topic."""

    class Meta:
        model = OutboxMessage
        exclude = ("case",)

    case: Any = None
    topic = "case.submitted"
    payload = factory.LazyAttribute(lambda o: {"case_id": o.case.id} if o.case else {})


class CertificateFactory(StoreFactory):
    """The e-certificate an approved ``case`` issued to the applicant of ``application``."""

    class Meta:
        model = Certificate
        exclude = ("case", "application")

    case: Any = None
    application: Any = None
    case_id = factory.SelfAttribute("case.id")
    application_id = factory.SelfAttribute("application.id")
    user_id = factory.SelfAttribute("application.user_id")
    number = factory.LazyAttribute(lambda o: f"EC-{o.case.reference}")
    kind = factory.LazyAttribute(lambda o: o.case.certificate_kind or o.case.item)
    title_zh = factory.LazyAttribute(lambda o: o.case.item_title.get("zh-CN", o.case.item))
    title_en = factory.LazyAttribute(lambda o: o.case.item_title.get("en", o.case.item))
    token = factory.LazyFunction(lambda: secrets.token_urlsafe(24))
    issuer = factory.SelfAttribute("case.department")
    content = factory.LazyAttribute(lambda o: {
        "subject_name": (o.application.answers or {}).get("subject.name")
        or (o.application.answers or {}).get("applicant.name"), "case": o.case.reference})
    issued_at = factory.LazyAttribute(lambda o: o.case.decided_at or utcnow())


class EventFactory(StoreFactory):
    """An event row, checked against its declared schema, with its ``notify`` row, as ``record_event`` writes it."""

    class Meta:
        model = Event

    name = "login"
    data = factory.Dict({})
    occurred_at = factory.LazyFunction(utcnow)

    @classmethod
    def _create(cls, model_class: Any, *args: Any, **kwargs: Any) -> Any:
        check_event(kwargs["name"], kwargs["data"])
        event = super()._create(model_class, *args, **kwargs)
        if event.subject_user_id is not None and is_notifiable(event.name, event.data):
            OutboxMessageFactory(topic="notify", event=event)
        return event
