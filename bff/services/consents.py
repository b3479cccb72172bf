"""Heirs' consent for an application's inheritance items: asking, answering, settling, ending.

The flow (rules in :mod:`bff.core.consents`)::

    submission ──► plan_consents: the deceased's first-order heirs from the registry
               ──► the inheritance cases are inserted ``waiting`` with hold {"consent": "pending"}
               ──► ask_heirs (same transaction): one row per heir (the applicant agreed by
                   submitting), a ``consent_requested`` notification to each heir with an account;
                   heirs without one get an SMS from the sweep (text_heirs_without_account)
    an heir answers (answer_consent) ──► settle:
        all agreed or renounced ──► holds cleared, graph.release_ready_cases, everyone told once
        one declined, or the deadline passed (expire_consents, from the sweep) ──► the notarised
        path: hold {"consent": "declined", "upload": <code>}; the applicant is asked to upload it
        (bff.services.uploads clears the hold and releases the cases)
    withdrawal ──► end_consents: pending answers end, the heirs are told
    every inheritance case ended unapproved (e.g. the cascade after a refused death certificate)
               ──► end_with_cases: the same, once
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from bff.adapters.sms.base import SmsSender
from bff.core import consents as rules
from bff.core.applications import FAILED
from bff.core.calendar import china_date
from bff.core.catalog import Catalog, ServiceItem, default_catalog
from bff.core.errors import NotFound, PermissionDenied
from bff.core.pii import mask_name
from bff.core.ports import Person, PrefillSources, SourceUnavailable
from bff.core.text import Text
from bff.services import graph
from bff.services.catalog_versions import catalog_of
from bff.services.events import record_event
from bff.services.forms import choose_subject, subject_options
from bff.store import Session
from bff.store.consent_models import HeirConsent
from bff.store.crypto import lookup_hash
from bff.store.models import Application, Case, User, utcnow
from bff.store.queries import cases as case_store
from bff.store.queries import consents as store

log = logging.getLogger("bff.consents")

NOT_FOUND = Text("找不到这项确认请求。", "We could not find this consent request.")
NOT_YOURS = Text("这项确认请求不是发给您的。", "This consent request was not sent to you.")


@dataclass
class ConsentPlan:
    """Who is asked for an application, and where its inheritance items start."""

    heirs: list[rules.Heir]
    applicant_id_number: str
    state: str  # pending | agreed (the applicant is the only heir) | declined (heirs unknown)
    uploads: dict[str, str] = field(default_factory=dict)  # item -> the document a decline needs
    items: list[str] = field(default_factory=list)

    def hold_of(self, item: str) -> dict[str, str] | None:
        return rules.hold_for(self.state, self.uploads.get(item)) if item in self.items else None


def consent_items(items: Sequence[str]) -> list[ServiceItem]:
    catalog = default_catalog()
    return [catalog.items[code] for code in items if code in catalog.items and catalog.items[code].consent == "heirs"]


def plan_consents(sources: PrefillSources, application: Application, items: Sequence[str],
                  applicant_id_number: str) -> ConsentPlan | None:
    """The heirs to ask, if any of ``items`` waits for them (``None``: nothing to ask).

    When the registry cannot tell who the heirs are, the items take the notarised path at once:
    a notary establishes the heirs instead."""
    waiting = consent_items(items)
    if not waiting:
        return None
    uploads = {item.code: item.uploads[0].code for item in waiting if item.uploads}
    codes = [item.code for item in waiting]
    try:
        deceased = _deceased(sources, application, applicant_id_number)
        relatives = sources.population.relatives(deceased.id_number) if deceased else []
    except SourceUnavailable:
        deceased, relatives = None, []
    heirs = rules.first_order_heirs(relatives)
    applicant = applicant_id_number.upper()
    if deceased is None or not heirs:
        return ConsentPlan(heirs, applicant, rules.OUTCOME_DECLINED, uploads, codes)
    others = [heir for heir in heirs if heir.id_number != applicant]
    return ConsentPlan(heirs, applicant, rules.OUTCOME_PENDING if others else rules.OUTCOME_AGREED, uploads, codes)


def _deceased(sources: PrefillSources, application: Application, applicant_id_number: str) -> Person | None:
    """The application's subject as the form chose it (the draft's ref, or the only deceased relative)."""
    bundle = default_catalog().bundle(application.bundle)
    options = tuple(subject_options(sources, bundle, applicant_id_number))
    chosen = choose_subject(bundle, options, application.subject_ref) if options else None
    return sources.population.person_by_ref(chosen.ref) if chosen else None


def ask_heirs(session: Session, sources: PrefillSources, application: Application, plan: ConsentPlan,
              user_id: int) -> None:
    """Write one consent row per heir and tell each heir with an account (caller's transaction).

    The applicant, an heir, agreed by submitting (the declaration on the form)."""
    if not plan.heirs:
        record_event(session, "consents_declined", subject_user_id=application.user_id,
                     application_id=application.id, number=application.number, reason="heirs_unknown",
                     upload=next(iter(plan.uploads.values()), None))
        return
    now = utcnow()
    deadline = rules.deadline_for(china_date(now))
    hashes = {heir.ref: lookup_hash(heir.id_number) for heir in plan.heirs}
    accounts = store.users_by_id_hash(session, list(hashes.values()))
    rows = [_consent_row(application, heir, hashes[heir.ref], accounts.get(hashes[heir.ref]),
                         _mobile_of(sources, heir), heir.id_number == plan.applicant_id_number, user_id, deadline, now)
            for heir in plan.heirs]
    store.insert_consents(session, rows)
    record_event(session, "consents_requested", actor_user_id=user_id, subject_user_id=user_id,
                 application_id=application.id, number=application.number, heirs=len(rows),
                 deadline=deadline.isoformat(), items=plan.items)
    for row in rows:
        if row["heir_user_id"] is not None and row["decision"] == rules.PENDING:
            # Addressed to the heir, not part of the applicant's timeline: no application id (the
            # number in the data still links the notification to the consent page).
            record_event(session, "consent_requested", actor_user_id=user_id, subject_user_id=row["heir_user_id"],
                         number=application.number)


def _mobile_of(sources: PrefillSources, heir: rules.Heir) -> str | None:
    try:
        person = sources.population.person(heir.id_number)
    except SourceUnavailable:
        return None
    return person.mobile if person else None


def _consent_row(application: Application, heir: rules.Heir, id_hash: str, heir_user_id: int | None,
                 mobile: str | None, is_applicant: bool, user_id: int, deadline: date, now: Any) -> dict[str, Any]:
    return {"application_id": application.id, "heir_ref": heir.ref, "heir_name": heir.name, "heir_id_hash": id_hash,
            "heir_mobile": mobile, "heir_user_id": user_id if is_applicant else heir_user_id,
            "relation": heir.relation, "decision": rules.AGREED if is_applicant else rules.PENDING,
            "undertaking": is_applicant, "undertaking_version": rules.UNDERTAKING_VERSION if is_applicant else None,
            "deadline": deadline, "decided_at": now if is_applicant else None,
            "decided_by_user_id": user_id if is_applicant else None, "sms_sent_at": None, "created_at": now}


# --- Answers ------------------------------------------------------------------------------------

def _id_hash_of(session: Session, user_id: int) -> str | None:
    user = session.get(User, user_id)
    return user.id_number_hash if user else None


def addressed_to(consent: HeirConsent, user_id: int, id_hash: str | None) -> bool:
    return consent.heir_user_id == user_id or (id_hash is not None and consent.heir_id_hash == id_hash)


def consent_for_heir(session: Session, user_id: int, consent_id: int) -> tuple[HeirConsent, Application]:
    """A consent asked of this user; anyone else's is refused (403) and the attempt recorded."""
    found = store.consent_with_application(session, consent_id)
    if found is None:
        raise NotFound(NOT_FOUND, code="consent_not_found")
    consent, application = found
    if not addressed_to(consent, user_id, _id_hash_of(session, user_id)):
        record_event(session, "consent_refused", actor_user_id=user_id, subject_user_id=user_id,
                     consent=consent.id, reason="not_the_heir")
        session.commit()  # the refusal stays on record although the request fails
        raise PermissionDenied(NOT_YOURS, code="not_the_heir")
    return consent, application


def answer_consent(session: Session, user_id: int, consent_id: int, decision: str, undertaking: bool) -> HeirConsent:
    """The heir's one answer (``agreed``, ``declined`` or ``renounced``), then settle the application."""
    consent, application = consent_for_heir(session, user_id, consent_id)
    application = store.lock_application(session, application.id) or application
    consents = store.consents_of(session, application.id, lock=True)
    consent = next(row for row in consents if row.id == consent_id)
    rules.check_answer(consent.decision, decision, deadline=consent.deadline, today=china_date(utcnow()),
                       undertaking=undertaking, undertaking_needed=undertaking_needed(application))
    consent.decision, consent.decided_at, consent.decided_by_user_id = decision, utcnow(), user_id
    consent.heir_user_id = user_id
    if decision == rules.AGREED:
        consent.undertaking, consent.undertaking_version = True, rules.UNDERTAKING_VERSION
    record_event(session, "consent_answered", actor_user_id=user_id, subject_user_id=application.user_id,
                 application_id=application.id, number=application.number, consent=consent.id, decision=decision,
                 relation=consent.relation, undertaking=consent.undertaking)
    settle(session, application, consents)
    session.commit()
    return consent


def undertaking_needed(application: Application) -> bool:
    """The small-balance path applies: an inheritance item of the application takes an undertaking."""
    return any(item.undertaking_limit_yuan for item in consent_items(_items_of_bundle(application)))


def _items_of_bundle(application: Application) -> list[str]:
    return [item.code for item in default_catalog().bundle(application.bundle).items]


def settle(session: Session, application: Application, consents: Sequence[HeirConsent]) -> str:
    """Apply the outcome of the answers to the held cases, once (the caller holds the lock)."""
    state = rules.outcome([consent.decision for consent in consents])
    if state == rules.OUTCOME_PENDING:
        return state
    cases = case_store.cases_of(session, application.id)
    held = [case for case in cases if (case.hold or {}).get("consent") == "pending"]
    if not held:
        return state  # settled before: nobody is told twice
    book = catalog_of(session, application.catalog_version)  # the documents it was submitted to ask for
    for case in held:
        case.hold = rules.hold_for(state, _upload_of(case, book))
    if state == rules.OUTCOME_AGREED:
        graph.release_ready_cases(session, application, cases)
        record_event(session, "consents_agreed", subject_user_id=application.user_id,
                     application_id=application.id, number=application.number)
    else:
        lapsed = rules.LAPSED in [consent.decision for consent in consents]
        record_event(session, "consents_declined", subject_user_id=application.user_id,
                     application_id=application.id, number=application.number,
                     reason="expired" if lapsed else "declined", upload=_upload_of(held[0], book))
    tell_heirs(session, application, consents, state)
    return state


def _upload_of(case: Case, book: Catalog) -> str | None:
    item = book.items.get(case.item)
    return item.uploads[0].code if item and item.uploads else None


def tell_heirs(session: Session, application: Application, consents: Sequence[HeirConsent], outcome: str) -> None:
    """Every heir with an account but the applicant hears how it ended."""
    for consent in consents:
        if consent.heir_user_id is not None and consent.heir_user_id != application.user_id:
            record_event(session, "consent_closed", subject_user_id=consent.heir_user_id,
                         number=application.number, outcome=outcome)


def end_consents(session: Session, application: Application, outcome: str = "withdrawn") -> int:
    """The application was withdrawn (or its inheritance cases all ended): pending answers end and
    the heirs are told, once, since a second call finds nothing pending (caller's lock)."""
    consents = store.consents_of(session, application.id, lock=True)
    pending = [consent for consent in consents if consent.decision == rules.PENDING]
    for consent in pending:
        consent.decision = rules.ENDED
    if pending:
        tell_heirs(session, application, consents, outcome)
    return len(pending)


def end_with_cases(session: Session, application: Application, cases: Sequence[Case] | None = None) -> int:
    """Every inheritance case the heirs were asked about ended without approval (the cascade ended it
    when the death certificate it needed was refused, or it was rejected or withdrawn itself): there
    is nothing left to agree to, so the pending answers end and the heirs are told once. Called by the
    item graph whenever a case fails (the caller holds the application's lock)."""
    codes = {item.code for item in consent_items(_items_of_bundle(application))}
    if not codes:
        return 0
    cases = cases if cases is not None else case_store.cases_of(session, application.id)
    covered = [case for case in cases if case.item in codes]
    if not covered or any(case.status not in FAILED for case in covered):
        return 0
    for case in covered:
        case.hold = None  # an ended case waits for nobody
    return end_consents(session, application, outcome="ended")


# --- The sweep: deadlines and the SMS fallback -------------------------------------------------

def sweep_consents(session: Session, sms: SmsSender, public_url: str, today: date | None = None) -> dict[str, int]:
    """The periodic part: deadlines passed, and SMS to heirs without an account; committed."""
    return {"consents_expired": expire_consents(session, today or china_date(utcnow())),
            "consents_texted": text_heirs_without_account(session, sms, public_url)}


def expire_consents(session: Session, today: date) -> int:
    """Applications whose deadline passed with answers missing go the notarised way; committed."""
    count = 0
    for application_id in store.applications_with_expired_consents(session, today):
        application = store.lock_application(session, application_id)
        if application is None:
            continue
        consents = store.consents_of(session, application_id, lock=True)
        for consent in consents:
            if consent.decision == rules.PENDING and rules.is_expired(consent.deadline, today):
                consent.decision = rules.LAPSED
        settle(session, application, consents)
        session.commit()
        count += 1
    return count


def text_heirs_without_account(session: Session, sms: SmsSender, public_url: str) -> int:
    """Heirs the app cannot reach (no account) get one SMS: no name, only the number and a link."""
    sent = 0
    for consent in store.consents_to_text(session):
        application = session.get(Application, consent.application_id)
        if application is None or not consent.heir_mobile:
            continue
        text = (f"【一件事】您的家人正在办理继承相关事项，需要您确认（申请号 {application.number}），"
                f"请在 {consent.deadline.isoformat()} 前登录 {public_url.rstrip('/')}/app/consents/{application.number}")
        sms.send(consent.heir_mobile, text, reference=f"consent-{consent.id}")
        consent.sms_sent_at = utcnow()
        record_event(session, "consent_texted", application_id=application.id, consent=consent.id)
        sent += 1
    session.commit()
    return sent


# --- Views ----------------------------------------------------------------------------------------

def my_consents(session: Session, user_id: int) -> list[dict[str, Any]]:
    """The consents asked of this user, newest first (GET /me/consents)."""
    id_hash = _id_hash_of(session, user_id)
    today = china_date(utcnow())
    return [_summary(consent, application, today) for consent, application in
            store.consents_addressed_to(session, user_id, id_hash)]


def _summary(consent: HeirConsent, application: Application, today: date) -> dict[str, Any]:
    answers = application.answers or {}
    return {"id": consent.id, "number": application.number, "bundle": application.bundle,
            "deceased_name": answers.get("subject.name") or "",
            "applicant_name": answers.get("applicant.name") or "", "relation": consent.relation,
            "decision": consent.decision, "deadline": consent.deadline.isoformat(),
            "expired": consent.decision == rules.LAPSED or (consent.decision == rules.PENDING
                                                            and rules.is_expired(consent.deadline, today))}


def consent_view(session: Session, user_id: int, consent_id: int) -> dict[str, Any]:
    """One consent request as its heir sees it: who died, who applied, which items, what agreeing
    means, the undertaking to sign, and how the family answered so far (names masked)."""
    consent, application = consent_for_heir(session, user_id, consent_id)
    return heir_view(session, consent, application)


def heir_view(session: Session, consent: HeirConsent, application: Application) -> dict[str, Any]:
    view = _summary(consent, application, china_date(utcnow()))
    items = consent_items(_items_of_cases(session, application))
    titles = [item.name for item in items]
    limit = max((item.undertaking_limit_yuan or 0 for item in items), default=0)
    view.update({
        "items": [{"item": item.code, "title": item.name.as_dict()} for item in items],
        "agreement": rules.agreement_text(view["applicant_name"], titles).as_dict(),
        "undertaking": {"needed": bool(limit), "text": rules.UNDERTAKING.as_dict(), "version": rules.UNDERTAKING_VERSION,
                        "limit_yuan": limit or None, "signed": consent.undertaking},
        "decided_at": consent.decided_at.isoformat() if consent.decided_at else None,
        "family": family_answers(session, application.id, you=consent.id),
    })
    return view


def _items_of_cases(session: Session, application: Application) -> list[str]:
    return [case.item for case in case_store.cases_of(session, application.id)]


def family_answers(session: Session, application_id: int, *, you: int | None = None) -> list[dict[str, Any]]:
    """Each heir's relation, masked name and answer (for the heirs and the applicant); ``you``: the
    viewer's own consent, marked so an heir finds themself in the list."""
    return [{"name": mask_name(consent.heir_name) or "", "relation": consent.relation, "decision": consent.decision,
             "decided_at": consent.decided_at.isoformat() if consent.decided_at else None, "you": consent.id == you}
            for consent in store.consents_of(session, application_id)]


def application_consents(session: Session, application: Application) -> dict[str, Any]:
    """The applicant's view: the state of the answers, the deadline, and what to upload if declined."""
    consents = store.consents_of(session, application.id)
    cases = case_store.cases_of(session, application.id)
    held = [case for case in cases if case.hold]
    needed = sorted({str(case.hold["upload"]) for case in held if case.hold and case.hold.get("upload")})
    book = catalog_of(session, application.catalog_version)
    names = {spec.code: spec.name for item in book.items.values() for spec in item.uploads}
    state = rules.outcome([consent.decision for consent in consents]) if consents else (
        rules.OUTCOME_DECLINED if needed else "none")
    if state == rules.OUTCOME_DECLINED and not needed and store.uploads_of(session, application.id):
        state = "documented"  # the notarised certificate came: the items went on
    return {"state": state,
            "deadline": consents[0].deadline.isoformat() if consents else None,
            "heirs": family_answers(session, application.id),
            "items": [{"item": case.item, "title": case.item_title, "reference": case.reference, "status": case.status,
                       "hold": _hold_word(case.hold)} for case in cases if case.item in _consent_codes(book)],
            "uploads_needed": [{"code": code, "name": names[code].as_dict()} for code in needed if code in names]}


def _consent_codes(book: Catalog) -> set[str]:
    return {code for code, item in book.items.items() if item.consent == "heirs"}


def _hold_word(hold: dict[str, Any] | None) -> str | None:
    """What holds a case, as the resident reads it: awaiting consent, or awaiting a document."""
    if not hold:
        return None
    return "awaiting_document" if hold.get("upload") else "awaiting_consent"
