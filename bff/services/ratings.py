"""The resident's rating (好差评) of a finished application, and the follow-up a bad one needs.

Ratings are Events (``rating_given``), so they appear in the resident's and the service desk's
timelines with nothing else to keep in step. A bad rating (score ≤ 2) also records
``rating_follow_up_needed`` with the call-back due date (one working day), which staff see in
the resident's timeline under "ratings"; when they have called back they record
``rating_followed_up`` (:func:`record_follow_up`), and the resident may then rate once more.
Rules: :mod:`bff.core.ratings`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from bff.core import applications as rules
from bff.core import ratings
from bff.core.calendar import due_date, due_status
from bff.core.errors import NotFound
from bff.core.text import Text
from bff.services.applications import own_application
from bff.services.events import record_event
from bff.services.service_desk.access import Grant
from bff.store import Session
from bff.store.models import Application, Event, utcnow
from bff.store.queries import applications as application_store
from bff.store.queries import cases as case_store
from bff.store.queries import ratings as store

NO_APPLICATION = Text("该居民没有这份申请。", "This resident has no such application.")
FOLLOW_UP_LIMIT = 200


def rating_of(session: Session, user_id: int, number: str) -> dict[str, Any]:
    """My rating of application ``number`` (``None`` if not rated yet) and whether I may rate now."""
    application = own_application(session, user_id, number)
    return _view(session, application, _derived_status(session, application))


def give_rating(session: Session, user_id: int, number: str, score: Any,
                tags: Sequence[str] | None, comment: str | None) -> dict[str, Any]:
    """Rate a completed (or partially rejected) application: once, or once more after a bad
    rating the service desk has followed up."""
    rating = ratings.check_rating(score, tags, comment)
    application = own_application(session, user_id, number, lock=True)  # serialises double taps
    given, followed = _history(session, application)
    status = _derived_status(session, application)
    ratings.check_may_rate(status, [e.data["score"] for e in given], _followed_up(given, followed))
    data = rating.event_data(application.number)
    if given:
        data["revises"] = given[-1].id
    event = record_event(session, "rating_given", actor_user_id=user_id, subject_user_id=user_id,
                         application_id=application.id, **data)
    if ratings.is_bad(rating.score):
        session.flush()  # the follow-up names the rating's event id
        due = due_date(utcnow(), ratings.FOLLOW_UP_WORKING_DAYS)
        record_event(session, "rating_follow_up_needed", subject_user_id=user_id, application_id=application.id,
                     number=application.number, score=rating.score, due_on=due.isoformat(), rating=event.id)
    session.commit()
    return _view(session, application, status)


def record_follow_up(session: Session, grant: Grant, number: str) -> dict[str, Any]:
    """The service desk called the resident back about a bad rating (within a grant, audited)."""
    application = application_store.lock_application(session, number.strip().upper())
    if application is None or application.user_id != grant.resident_user_id:
        raise NotFound(NO_APPLICATION, code="application_not_found")
    given, followed = _history(session, application)
    ratings.check_may_follow_up([e.data["score"] for e in given], _followed_up(given, followed))
    record_event(session, "rating_followed_up", actor_user_id=grant.staff_user_id,
                 subject_user_id=application.user_id, application_id=application.id,
                 number=application.number, rating=given[-1].id, **grant.audit())
    session.commit()
    return _view(session, application, _derived_status(session, application))


def _view(session: Session, application: Application, status: str) -> dict[str, Any]:
    given, followed = _history(session, application)
    scores = [e.data["score"] for e in given]
    done = _followed_up(given, followed)
    return {"number": application.number, "rating": _describe(given[-1], done) if given else None,
            "can_rate": ratings.may_rate(status, scores, done), "rerating": bool(given), "tags": ratings.tag_list()}


def _history(session: Session, application: Application) -> tuple[list[Event], list[Event]]:
    """The application's ratings and recorded call-backs, oldest first."""
    rows = store.rating_events(session, application.id)
    return [e for e in rows if e.name == "rating_given"], [e for e in rows if e.name == "rating_followed_up"]


def _followed_up(given: list[Event], followed: list[Event]) -> bool:
    return bool(given) and any(e.data.get("rating") == given[-1].id for e in followed)


def _derived_status(session: Session, application: Application) -> str:
    statuses = case_store.case_statuses(session, application.id)
    return rules.derive_application_status(statuses) if statuses else application.status


def _describe(event: Event, followed_up: bool) -> dict[str, Any]:
    data = event.data or {}
    score = data["score"]
    bad = ratings.is_bad(score)
    return {"id": event.id, "score": score, "tags": data.get("tags", []), "comment": data.get("comment"),
            "given_at": event.occurred_at.isoformat(), "bad": bad,
            "follow_up": None if not bad else "done" if followed_up else "pending"}


def open_follow_ups(session: Session, staff_user_id: int, today: date) -> dict[str, Any]:
    """Every bad rating still waiting for its call-back, across residents, the most urgent first.

    Masked like search results: the way to the resident is still to open them with a reason.
    The listing itself is recorded (who looked at the work list, and how long it was)."""
    from bff.services.service_desk.search import masked_summary

    rows = store.open_follow_ups(session, FOLLOW_UP_LIMIT)
    items = sorted(({"resident": masked_summary(user), "number": event.data["number"], "score": event.data["score"],
                     "due_on": event.data["due_on"],
                     "overdue": due_status(date.fromisoformat(event.data["due_on"]), today) == "overdue",
                     "rated_at": event.occurred_at.isoformat()} for event, user in rows),
                   key=lambda item: (item["due_on"], item["rated_at"]))
    record_event(session, "staff_searched", actor_user_id=staff_user_id, kind="follow_ups", results=len(items))
    session.commit()
    return {"items": items, "truncated": len(rows) == FOLLOW_UP_LIMIT}
