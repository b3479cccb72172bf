"""One case for the family: who is in an application besides its applicant, and what they may do.

Rules (docs/family.md):

* a subject (a newborn's hospital birth record, a deceased relative) has at most one active
  application per bundle: the database refuses a second one (``bff.store.family_models``), and
  starting one shows the existing case instead, with a way to ask to join;
* a person may ask to join, or be invited, only if the population registry or the hospital's
  birth record links them to the subject (the same check as choosing the subject of a form:
  :func:`bff.services.forms.subject_options`); anyone else gets 403, and the refusal is recorded;
* the applicant is the lead; the lead invites relatives the registry gives (never typed), and
  the lead or a co-handler accepts a join request; an invitation is accepted by the invitee;
* active members read the case, its progress, timeline and certificates, answer supplement
  requests and get its notifications; only the lead withdraws; the lead may hand the lead over
  to an active co-handler; a co-handler may leave (the applicant of record stays: the
  departments know them as the applicant).

Each use case runs in one transaction and records an event naming who acted.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from bff.core.calendar import china_date
from bff.core.catalog import default_catalog
from bff.core.errors import Conflict, NotFound, PermissionDenied
from bff.core.ports import PrefillSources
from bff.core.text import Text
from bff.services import forms
from bff.services.events import record_event
from bff.services.forms import SubjectOption, applicant_id_number, current_sources, subject_options
from bff.store import Session
from bff.store.crypto import lookup_hash
from bff.store.family_models import ApplicationMember
from bff.store.models import Application, utcnow
from bff.store.queries import applications as application_store
from bff.store.queries import family as store

LEAD, CO_HANDLER = "lead", "co_handler"
ACTIVE, REQUESTED, INVITED, LEFT, DECLINED = "active", "requested", "invited", "left", "declined"

NOT_FOUND = Text("找不到这份申请。", "We could not find this application.")
NOT_RELATED = Text("户籍和医疗记录中，您与本件办理对象没有亲属关系，无法加入。",
                   "The registry does not link you to the person this application is about, so you cannot join it.")
INVITEE_NOT_RELATED = Text("户籍记录中，这位亲属与本件办理对象没有亲属关系，无法邀请。",
                           "The registry does not link this relative to the person this application is about.")
LEAD_ONLY = Text("只有主办人可以进行此操作。", "Only the lead of this application can do this.")
MEMBERS_ONLY = Text("只有共同办理人可以进行此操作。", "Only the family members handling this application can do this.")
ALREADY_IN = Text("这位家人已在本件中。", "This family member is already in this application.")
NOT_A_RELATIVE = Text("请从户籍登记的亲属中选择。", "Choose one of the relatives the registry lists.")
NOTHING_TO_DECIDE = Text("这项请求已处理。", "This request has already been answered.")
NOT_ACTIVE = Text("申请已撤回，不能再加入。", "This application was withdrawn; it cannot be joined.")
CANNOT_LEAVE = Text("主办人和申请人不能退出，请先移交主办。",
                    "The lead and the applicant cannot leave; hand over the lead first.")
HAND_OVER_TO = Text("只能移交给已加入的共同办理人。", "The lead can only go to a co-handler who has joined.")


def subject_already_applied(case: store.ActiveCase, user_id: int | None = None) -> Conflict:
    """The refusal of a second application for a subject: names the family member who applied and
    when (or, to the lead, their own application)."""
    day = china_date(case.submitted_at) if case.submitted_at else None
    zh_day = f"{day.month}月{day.day}日" if day else ""
    en_day = f" on {day.isoformat()}" if day else ""
    if user_id == case.lead_user_id:
        message = Text(f"您已于 {zh_day} 为这位亲人提交过申请（{case.number}），请在“我的办件”中查看。",
                       f"You already applied about this person{en_day} ({case.number}); see My applications.")
    else:
        message = Text(f"您的家人 {case.lead_name} 已于 {zh_day} 提交，您可以加入办理。",
                       f"Your family member {case.lead_name} already applied{en_day}; you can ask to join.")
    return Conflict(message, code="subject_already_applied", details={"existing": active_case_view(case)})


def active_case_view(case: store.ActiveCase, my_status: str | None = None) -> dict[str, Any]:
    return {"number": case.number, "lead_name": case.lead_name,
            "submitted_on": china_date(case.submitted_at).isoformat() if case.submitted_at else None,
            "my_status": my_status}


def check_subject_free(session: Session, user_id: int, bundle: str, subject_ref: str | None) -> None:
    """Refuse (409 ``subject_already_applied``) a draft about a subject that already has an active case."""
    if subject_ref and subject_ref != "self":
        existing = store.active_cases_of_subjects(session, bundle, [subject_ref]).get(subject_ref)
        if existing is not None:
            raise subject_already_applied(existing, user_id)


def with_active_cases(session: Session, user_id: int, bundle: str,
                      options: Sequence[SubjectOption]) -> list[SubjectOption]:
    """The subject options, each with the active case about that subject if there is one (and the
    user's standing in it: a member, a pending request or invitation, or none)."""
    cases = store.active_cases_of_subjects(session, bundle, [option.ref for option in options])
    if not cases:
        return list(options)
    standing = _standing_in(session, user_id, [case.number for case in cases.values()])
    return [replace(option, active_case=active_case_view(cases[option.ref], standing.get(cases[option.ref].number)))
            if option.ref in cases else option for option in options]


def subjects_for_user(session: Session, user_id: int, bundle: str,
                      sources: PrefillSources | None = None) -> list[SubjectOption]:
    """Whom the user may apply about (:func:`bff.services.forms.subjects_for_user`), each with the
    case a family member already has about them, if any."""
    return with_active_cases(session, user_id, bundle, forms.subjects_for_user(session, user_id, bundle, sources))


def _standing_in(session: Session, user_id: int, numbers: list[str]) -> dict[str, str]:
    standing: dict[str, str] = {}
    for number in numbers:
        application = application_store.application_by_number(session, number)
        if application is None:
            continue
        if application.user_id == user_id:
            standing[number] = ACTIVE
            continue
        mine = next((m for m in store.members_of(session, application.id) if m.user_id == user_id), None)
        if mine is not None:
            standing[number] = mine.status
    return standing


# --- Reading the family ---------------------------------------------------------------------

def readable_application(session: Session, user_id: int, number: str, *, lock: bool = False,
                         with_answers: bool = True) -> Application:
    """The application if the user is its applicant or an active member; else "not found"."""
    application = store.member_application(session, user_id, number, lock=lock, with_answers=with_answers)
    if application is None:
        raise NotFound(NOT_FOUND)
    return application


def members(session: Session, application: Application, *, lock: bool = False) -> list[ApplicationMember]:
    """The application's member rows, the lead's row made first if it is not written yet (an
    application submitted before families existed, or made by a factory)."""
    rows = store.members_of(session, application.id, lock=lock)
    if not any(row.role == LEAD and row.status == ACTIVE for row in rows):
        # Two first looks at once would both write it: the second waits on the application's lock
        # and then finds the first one's row.
        application_store.lock_application(session, application.number)
        rows = store.members_of(session, application.id, lock=lock)
    if not any(row.role == LEAD and row.status == ACTIVE for row in rows):
        names = store.user_names(session, [application.user_id])
        lead = ApplicationMember(application_id=application.id, user_id=application.user_id, role=LEAD,
                                 status=ACTIVE, name=names.get(application.user_id, ""),
                                 relation=application.relation, created_at=application.submitted_at or utcnow())
        existing = next((row for row in rows if row.user_id == application.user_id), None)
        if existing is not None:  # a row of the applicant's but no lead (these rules never leave one): lead again
            existing.role, existing.status = LEAD, ACTIVE
        else:
            session.add(lead)
            session.flush()
            rows = [lead, *rows]
    return rows


def lead_id(session: Session, application: Application) -> int:
    """The user id of the application's lead."""
    return next(row.user_id for row in members(session, application) if row.role == LEAD and row.status == ACTIVE
                and row.user_id is not None)


def family_view(session: Session, user_id: int, number: str, sources: PrefillSources | None = None) -> dict[str, Any]:
    """Who is in the application (name, relation, role, status), the caller's own standing, and,
    for the lead, the registry relatives that may be invited."""
    application = readable_application(session, user_id, number)
    rows = members(session, application)
    session.commit()
    mine = next((row for row in rows if row.user_id == user_id and row.status == ACTIVE), None)
    role = mine.role if mine else (LEAD if application.user_id == user_id else CO_HANDLER)
    visible = [row for row in rows if row.status in (ACTIVE, REQUESTED, INVITED)]
    invitable = _invitable(session, user_id, application, rows, sources) if role == LEAD else []
    return {"number": application.number, "my_role": role, "my_member_id": mine.id if mine else None,
            "members": [member_view(row, user_id) for row in visible], "invitable": invitable}


def member_view(row: ApplicationMember, user_id: int) -> dict[str, Any]:
    return {"id": row.id, "name": row.name, "relation": row.relation, "role": row.role, "status": row.status,
            "is_me": row.user_id == user_id, "signed_up": row.user_id is not None,
            "since": (row.decided_at or row.created_at).isoformat()}


def _invitable(session: Session, user_id: int, application: Application, rows: list[ApplicationMember],
               sources: PrefillSources | None) -> list[dict[str, Any]]:
    sources = sources or current_sources()
    # In, invited, or asking to join (the lead accepts the request instead): not offered again.
    taken_hashes = {row.invitee_hash for row in rows if row.status in (ACTIVE, INVITED, REQUESTED)}
    taken_users = {row.user_id for row in rows if row.status in (ACTIVE, INVITED, REQUESTED)}
    offered = []
    for relative in _living_relatives(session, user_id, sources):
        id_hash = lookup_hash(relative.id_number)
        user = store.user_by_id_hash(session, id_hash)
        if id_hash in taken_hashes or (user is not None and user.id in taken_users):
            continue
        if _related(sources, application, relative.id_number) is not None:
            offered.append({"ref": relative.ref, "name": relative.name, "relation": relative.relation,
                            "signed_up": user is not None})
    return offered


def _living_relatives(session: Session, user_id: int, sources: PrefillSources) -> list[Any]:
    relatives = sources.population.relatives(applicant_id_number(session, user_id)) or []
    return [relative for relative in relatives if relative.died is None]


def _related(sources: PrefillSources, application: Application, id_number: str) -> SubjectOption | None:
    """How the registry links the person to the application's subject (``None``: it does not)."""
    bundle = default_catalog().bundle(application.bundle)
    if bundle.subject == "self" or not application.subject_ref:
        return None
    return next((option for option in subject_options(sources, bundle, id_number.upper())
                 if option.ref == application.subject_ref), None)


def _refuse(session: Session, user_id: int, application: Application, action: str, message: Text) -> PermissionDenied:
    """Record the refusal (the audit trail: who tried what on which case), and the error to raise."""
    record_event(session, "family_access_refused", actor_user_id=user_id, subject_user_id=user_id,
                 application_id=application.id, action=action, number=application.number)
    session.commit()
    return PermissionDenied(message, code="not_related")


# --- Joining ----------------------------------------------------------------------------------

def _submitted(session: Session, number: str) -> Application:
    application = application_store.lock_application(session, number)
    if application is None or application.status == "draft":
        raise NotFound(NOT_FOUND)
    if application.status == "withdrawn":
        raise Conflict(NOT_ACTIVE, code="application_withdrawn")
    return application


def request_to_join(session: Session, user_id: int, number: str,
                    sources: PrefillSources | None = None) -> ApplicationMember:
    """Ask to join the application: only someone the registry links to its subject. An invitation
    waiting for the same person is taken as accepted; the lead and co-handlers are told."""
    application = _submitted(session, number)
    sources = sources or current_sources()
    relation = _related(sources, application, applicant_id_number(session, user_id))
    if relation is None:
        raise _refuse(session, user_id, application, "join", NOT_RELATED)
    rows = members(session, application, lock=True)
    mine = next((row for row in rows if row.user_id == user_id), None)
    if application.user_id == user_id or (mine is not None and mine.status == ACTIVE):
        raise Conflict(ALREADY_IN, code="already_member")
    if mine is not None and mine.status == INVITED:
        return _activate(session, mine, user_id, application)
    if mine is None:
        mine = ApplicationMember(application_id=application.id, user_id=user_id, role=CO_HANDLER,
                                 name=store.user_names(session, [user_id]).get(user_id, ""))
        session.add(mine)
    mine.status, mine.relation, mine.created_at, mine.decided_at = REQUESTED, relation.relation, utcnow(), None
    session.flush()
    record_event(session, "family_join_requested", actor_user_id=user_id, subject_user_id=lead_id(session, application),
                 application_id=application.id, number=application.number, member=mine.id)
    session.commit()
    return mine


def invite(session: Session, user_id: int, number: str, relative_ref: str,
           sources: PrefillSources | None = None) -> ApplicationMember:
    """The lead invites one of their registry relatives who is also linked to the subject. One who
    has never signed in is invited by their ID number's keyed hash and finds it at first sign-in."""
    application = _lead_application(session, user_id, number)
    sources = sources or current_sources()
    relative = next((r for r in _living_relatives(session, user_id, sources) if r.ref == relative_ref), None)
    if relative is None:
        raise NotFound(NOT_A_RELATIVE, code="not_a_relative")
    relation = _related(sources, application, relative.id_number)
    if relation is None:
        raise _refuse(session, user_id, application, "invite", INVITEE_NOT_RELATED)
    id_hash = lookup_hash(relative.id_number)
    invitee = store.user_by_id_hash(session, id_hash)
    rows = members(session, application, lock=True)
    row = next((r for r in rows if r.invitee_hash == id_hash or (invitee and r.user_id == invitee.id)), None)
    if row is not None and row.status in (ACTIVE, INVITED):
        raise Conflict(ALREADY_IN, code="already_member")
    if row is not None and row.status == REQUESTED:  # they asked already: the invitation answers it
        return _activate(session, row, user_id, application)
    if row is None:
        row = ApplicationMember(application_id=application.id, role=CO_HANDLER)
        session.add(row)
    row.user_id = invitee.id if invitee else None
    row.invitee_hash, row.name, row.relation = id_hash, relative.name, relation.relation
    row.status, row.invited_by, row.created_at, row.decided_at = INVITED, user_id, utcnow(), None
    session.flush()
    record_event(session, "family_invited", actor_user_id=user_id, subject_user_id=row.user_id,
                 application_id=application.id, number=application.number, member=row.id)
    session.commit()
    return row


def _lead_application(session: Session, user_id: int, number: str) -> Application:
    application = readable_application(session, user_id, number, lock=True, with_answers=False)
    if application.status == "withdrawn":
        raise Conflict(NOT_ACTIVE, code="application_withdrawn")
    require_lead(session, application, user_id)
    return application


def require_lead(session: Session, application: Application, user_id: int) -> None:
    """Refuse (403 ``lead_only``) anyone but the application's lead."""
    if lead_id(session, application) != user_id:
        raise PermissionDenied(LEAD_ONLY, code="lead_only")


def _activate(session: Session, row: ApplicationMember, actor: int, application: Application) -> ApplicationMember:
    row.status, row.decided_at = ACTIVE, utcnow()
    record_event(session, "family_member_joined", actor_user_id=actor, subject_user_id=row.user_id,
                 application_id=application.id, number=application.number, member=row.id)
    session.commit()
    return row


def decide(session: Session, user_id: int, number: str, member_id: int, accept: bool) -> ApplicationMember:
    """Answer a join request (the lead or a co-handler) or an invitation (the invitee)."""
    application = application_store.lock_application(session, number)
    if application is None:
        raise NotFound(NOT_FOUND)
    rows = members(session, application, lock=True)
    row = next((r for r in rows if r.id == member_id), None)
    me = next((r for r in rows if r.user_id == user_id and r.status == ACTIVE), None)
    allowed = (row is not None and ((row.status == REQUESTED and me is not None)
                                    or (row.status == INVITED and row.user_id == user_id)))
    if row is None or not allowed:
        if me is None and (row is None or row.user_id != user_id):
            raise NotFound(NOT_FOUND)
        raise Conflict(NOTHING_TO_DECIDE, code="nothing_to_decide")
    if accept:
        return _activate(session, row, user_id, application)
    row.status, row.decided_at = DECLINED, utcnow()
    record_event(session, "family_member_declined", actor_user_id=user_id, subject_user_id=row.user_id,
                 application_id=application.id, number=application.number, member=row.id)
    session.commit()
    return row


def hand_over_lead(session: Session, user_id: int, number: str, member_id: int) -> ApplicationMember:
    """The lead hands the lead to an active co-handler; the former lead stays as a co-handler."""
    application = _lead_application(session, user_id, number)
    rows = members(session, application, lock=True)
    target = next((r for r in rows if r.id == member_id and r.status == ACTIVE and r.role == CO_HANDLER), None)
    if target is None:
        raise Conflict(HAND_OVER_TO, code="not_a_co_handler")
    current = next(r for r in rows if r.role == LEAD and r.status == ACTIVE)
    current.role, target.role = CO_HANDLER, LEAD
    record_event(session, "family_lead_handed_over", actor_user_id=user_id, subject_user_id=target.user_id,
                 application_id=application.id, number=application.number, member=target.id)
    session.commit()
    return target


def leave(session: Session, user_id: int, number: str) -> ApplicationMember:
    """A co-handler leaves the application (the lead hands over first; the applicant stays)."""
    application = readable_application(session, user_id, number, lock=True, with_answers=False)
    rows = members(session, application, lock=True)
    mine = next((r for r in rows if r.user_id == user_id and r.status == ACTIVE), None)
    if mine is None or mine.role == LEAD or application.user_id == user_id:
        raise Conflict(CANNOT_LEAVE, code="cannot_leave")
    mine.status, mine.decided_at = LEFT, utcnow()
    record_event(session, "family_member_left", actor_user_id=user_id, subject_user_id=lead_id(session, application),
                 application_id=application.id, number=application.number, member=mine.id)
    session.commit()
    return mine


def my_invitations(session: Session, user_id: int) -> list[dict[str, Any]]:
    """Invitations waiting for the user's answer."""
    pending = store.pending_for_user(session, user_id)
    names = store.user_names(session, {row.invited_by for row, _ in pending if row.invited_by is not None})
    return [{"member_id": row.id, "number": application.number, "bundle": application.bundle,
             "invited_on": china_date(row.created_at).isoformat(), "lead_name": names.get(row.invited_by or 0, "")}
            for row, application in pending]
