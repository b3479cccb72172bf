"""Applications in a named state, with every row that state has.

The traits are the states a resident sees (``bff.core.applications``)::

    ApplicationFactory(draft=True)                 # draft: answers saved, nothing submitted
    ApplicationFactory()                           # submitted: what needs nothing delivered, the rest waiting
    ApplicationFactory(delivered=False)            # submitted, deliveries still waiting in the outbox
    ApplicationFactory(supplement_requested=True)  # action_required: one case waits on the resident
    ApplicationFactory(approved=True)              # completed: every case approved, certificates issued
    ApplicationFactory(partially_rejected=True)    # one case nobody needs rejected with a reason, the rest approved
    ApplicationFactory(withdrawn=True)             # withdrawn before any acceptance

The cases are the bundle's included items for ``facts`` (the bundle's typical applicant unless
told), in the catalog's order, with the catalog's departments and statutory limits; the
application's status is derived from them by the domain rule, never set by hand. The events are
the ones the flow writes, in its order, so timelines read as they would after the real flow.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import factory

from bff.core import applications as rules
from bff.core import graph
from bff.core.calendar import china_date
from bff.core.catalog import ServiceItem, default_catalog
from bff.core.forms import build_form
from bff.services.catalog_adapter import resolved_consumes
from bff.services.graph import failure_reason, inputs_for
from bff.store.models import Application, Case, Certificate, utcnow
from tests.factories.answers import answers_for
from tests.factories.base import StoreFactory
from tests.factories.cases import WORKBENCH, CaseFactory, CertificateFactory, EventFactory, OutboxMessageFactory
from tests.factories.users import ResidentFactory

# The demo persona whose life event each bundle is.
PERSONA_OF_BUNDLE = {"birth": "zhangwei", "retirement": "lijianguo", "after-death": "chenming"}
# -- assistance, medical, old age, veterans, insurance transfer
PERSONA_OF_BUNDLE |= {"social-assistance": "wuxiulan", "treatment-elsewhere": "sunjianhua",
                      "old-age-benefits": "liuxiuying", "veteran-resettlement": "wanglei",
                      "insurance-transfer": "linxiaoyan"}
# The life-stage bundles: school, work, marriage, home.
PERSONA_OF_BUNDLE |= {"school-enrolment": "sunlei", "employment": "linxiao", "marriage": "liuyang",
                      "home-purchase": "wuhao"}


@dataclass(frozen=True)
class CasesToWrite:
    """What the state asks of the cases: each included item's status, in the bundle's order."""

    items: tuple[ServiceItem, ...]
    statuses: dict[str, str]
    rejection_reason: str
    supplement: dict[str, Any] | None
    delivered: bool


def included_items(o: Any) -> tuple[ServiceItem, ...]:
    catalog = default_catalog()
    return build_form(catalog, catalog.bundle(o.bundle), o.facts).included_items


def item_needs(items: tuple[ServiceItem, ...]) -> dict[str, tuple[str, ...]]:
    """The needs among the included items, as a submission snapshots them."""
    return graph.within({item.code: item.needs for item in items}, [item.code for item in items])


def case_statuses(o: Any) -> dict[str, str]:
    """Each item's status in the state: a case still ``submitted`` that needs another one waits
    for it; a rejected or withdrawn one ends everything that needs it as not possible."""
    if o.case_status is None:  # a draft has no cases
        return {}
    needs = item_needs(o.items)
    statuses = {item.code: rules.WAITING if o.case_status == rules.SUBMITTED and needs[item.code] else o.case_status
                for item in o.items}
    if o.supplement_item:
        statuses[o.supplement_item] = rules.SUPPLEMENT_REQUESTED
    if o.rejected_item:
        statuses[o.rejected_item] = rules.REJECTED
        for lost in graph.cascade(o.rejected_item, needs, {}):
            statuses[lost] = rules.NOT_POSSIBLE
    return statuses


def first_item(o: Any) -> str:
    return o.items[0].code


def item_nobody_needs(o: Any) -> str:
    """The first item no other item needs: rejecting it leaves the rest to be approved."""
    users = graph.dependents(item_needs(o.items))
    return next(item.code for item in o.items if not users.get(item.code))


class ApplicationFactory(StoreFactory):
    class Meta:
        model = Application
        exclude = ("applicant", "persona", "facts", "items", "statuses", "case_status", "supplement_item",
                   "rejected_item", "rejection_reason", "supplement", "delivered")

    class Params:
        case_status: str | None = rules.SUBMITTED
        supplement_item: str | None = None
        rejected_item: str | None = None
        rejection_reason = "材料不符"
        supplement: dict[str, Any] | None = None  # the request's message/fields/materials (a default if None)
        delivered = True  # False (submitted only): just submitted, the cases' deliveries still in the outbox
        draft = factory.Trait(case_status=None, submitted_at=None)
        submitted = factory.Trait(case_status=rules.SUBMITTED)
        supplement_requested = factory.Trait(supplement_item=factory.LazyAttribute(first_item))
        approved = factory.Trait(case_status=rules.APPROVED)
        partially_rejected = factory.Trait(case_status=rules.APPROVED,
                                           rejected_item=factory.LazyAttribute(item_nobody_needs))
        withdrawn = factory.Trait(case_status=rules.WITHDRAWN)

    bundle = "birth"
    persona = factory.LazyAttribute(lambda o: PERSONA_OF_BUNDLE[o.bundle])
    applicant = factory.SubFactory(ResidentFactory, persona=factory.SelfAttribute("..persona"))
    facts = factory.LazyAttribute(lambda o: dict(default_catalog().bundle(o.bundle).typical_facts))
    items = factory.LazyAttribute(included_items)
    statuses = factory.LazyAttribute(case_statuses)
    user_id = factory.SelfAttribute("applicant.id")
    # A placeholder until the row has its id, which the number is made from (as a draft is started).
    number = factory.LazyFunction(lambda: f"p-{uuid.uuid4().hex[:24]}")
    catalog_version = factory.LazyFunction(lambda: default_catalog().version)
    subject = factory.LazyAttribute(lambda o: default_catalog().bundle(o.bundle).subject)
    channel = "online"
    answers = factory.LazyAttribute(lambda o: answers_for(build_form(
        default_catalog(), default_catalog().bundle(o.bundle), o.facts)))
    version = 1
    status = factory.LazyAttribute(lambda o: rules.derive_application_status(list(o.statuses.values())))
    created_at = factory.LazyFunction(utcnow)
    updated_at = factory.SelfAttribute("created_at")
    submitted_at = factory.SelfAttribute("created_at")
    cases_to_write = factory.LazyAttribute(lambda o: CasesToWrite(o.items, o.statuses, o.rejection_reason,
                                                                  o.supplement, o.delivered))

    @classmethod
    def _create(cls, model_class: Any, *args: Any, **kwargs: Any) -> Application:
        wanted: CasesToWrite = kwargs.pop("cases_to_write")
        application: Application = super()._create(model_class, *args, **kwargs)
        application.number = rules.format_application_number(china_date(application.created_at), application.id)
        cases = write_cases(application, wanted)
        certificates = [CertificateFactory(case=case, application=application)
                        for case in cases if case.status == rules.APPROVED]
        write_history(application, cases, certificates)
        return application


def write_cases(application: Application, wanted: CasesToWrite) -> list[Case]:
    needs = item_needs(wanted.items)
    users = graph.dependents(needs)
    cases: dict[str, Case] = {}
    for position, item in enumerate(wanted.items, start=1):
        status = wanted.statuses.get(item.code)
        if status is None:
            continue
        extra = {"supplement": wanted.supplement} if wanted.supplement and status == rules.SUPPLEMENT_REQUESTED else {}
        if status == rules.NOT_POSSIBLE:
            failed = next(cases[n] for n in needs[item.code] if cases[n].status in rules.FAILED)
            extra["because"] = failure_reason(failed)
        case = CaseFactory(application=application, position=position, item=item.code, status=status,
                           rejection_reason=wanted.rejection_reason, delivered=wanted.delivered,
                           needs=list(needs[item.code]) or None, dependents=list(users.get(item.code, ())) or None,
                           consumes=resolved_consumes(item, set(needs)) or None, **extra)
        if case.ready_at is not None and case.consumes:
            case.inputs = inputs_for(case, cases) or None
        cases[item.code] = case
    if not wanted.delivered:
        for case in cases.values():
            if case.ready_at is not None:
                OutboxMessageFactory(case=case)
    return list(cases.values())


# --- The events the flow writes ----------------------------------------------------------------

def steps_to(status: str) -> list[str]:
    """The transitions a case went through from ``submitted`` (withdrawal is the resident's)."""
    if status == rules.WITHDRAWN:
        return [rules.WITHDRAWN]
    return rules.path_to(rules.SUBMITTED, status) or []


def write_history(application: Application, cases: list[Case], certificates: list[Certificate]) -> None:
    who = {"subject_user_id": application.user_id, "application_id": application.id}
    EventFactory(name="draft_started", actor_user_id=application.user_id, **who,
                 data={"bundle": application.bundle, "number": application.number, "subject": application.subject})
    if not cases:
        return
    EventFactory(name="application_submitted", actor_user_id=application.user_id, **who,
                 data={"number": application.number, "bundle": application.bundle,
                       "cases": [case.reference for case in cases], "channel": application.channel})
    for case in (case for case in cases if case.dispatched_at is not None):
        EventFactory(name="case_dispatched", **who, data={"case": case.reference, "department": case.department,
                                                           "attempt": 1, "gateway": WORKBENCH})
    issued = {certificate.case_id: certificate for certificate in certificates}
    for case in cases:
        write_transitions(application, case)
        if case.id in issued:
            EventFactory(name="certificate_issued", actor_user_id=case.officer_user_id, **who,
                         data={"case": case.reference, "certificate": issued[case.id].number,
                               "kind": issued[case.id].kind})
    lost = [case for case in cases if case.status == rules.NOT_POSSIBLE]
    if lost:  # one notice for the whole cascade
        because = lost[0].decision["because"]
        EventFactory(name="items_not_possible", **who,
                     data={"number": application.number, "cases": [case.reference for case in lost],
                           "because": {key: because[key] for key in ("item", "reference", "status")}})
    write_closing_event(application)


def write_transitions(application: Application, case: Case) -> None:
    previous = rules.SUBMITTED
    if case.needs:  # it waited, then was released (or ended) by the item graph
        released = case.status != rules.NOT_POSSIBLE
        if case.status != rules.WAITING:
            EventFactory(name="case_transitioned", subject_user_id=application.user_id, application_id=application.id,
                         data={"case": case.reference, "department": case.department, "from": rules.WAITING,
                               "to": rules.SUBMITTED if released else rules.NOT_POSSIBLE, "source": "graph"})
        if not released or case.status == rules.WAITING:
            return
    for step in steps_to(case.status):
        by_resident = step in rules.RESIDENT_TARGETS
        data = {"case": case.reference, "department": case.department, "from": previous, "to": step,
                "source": "resident" if by_resident else WORKBENCH, **step_details(case, step)}
        EventFactory(name="case_transitioned", subject_user_id=application.user_id, application_id=application.id,
                     actor_user_id=application.user_id if by_resident else case.officer_user_id, data=data)
        previous = step


def step_details(case: Case, step: str) -> dict[str, Any]:
    if step == rules.SUPPLEMENT_REQUESTED and case.supplement:
        return {key: value for key, value in case.supplement.items() if value}
    if step == rules.REJECTED and case.decision:
        return {"reason": case.decision["reason"]}
    return {}


def write_closing_event(application: Application) -> None:
    who = {"subject_user_id": application.user_id, "application_id": application.id}
    if application.status in (rules.COMPLETED, rules.PARTIALLY_REJECTED):
        EventFactory(name="application_completed", **who,
                     data={"number": application.number, "status": application.status})
    elif application.status == rules.WITHDRAWN:
        EventFactory(name="application_withdrawn", actor_user_id=application.user_id, **who,
                     data={"number": application.number, "reason": ""})
