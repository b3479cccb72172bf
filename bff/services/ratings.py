"""The resident's rating (好差评) of a finished application, and the follow-up a bad one needs.

Ratings are Events (``rating_given``), so they appear in the resident's and the service desk's
timelines with nothing else to keep in step. A bad rating (score ≤ 2) also records
``rating_follow_up_needed`` with the call-back due date (one working day), which staff see in
the resident's timeline under "ratings". Rules: :mod:`bff.core.ratings`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bff.core import applications as rules
from bff.core import ratings
from bff.core.calendar import due_date
from bff.services.applications import own_application
from bff.services.events import record_event
from bff.store.models import Application, Case, Event, utcnow


def rating_of(session: Session, user_id: int, number: str) -> dict[str, Any]:
    """My rating of application ``number`` (``None`` if not rated yet) and whether I may rate now."""
    application = own_application(session, user_id, number)
    given = _ratings_given(session, application)
    status = _derived_status(session, application)
    return {"number": number, "rating": _describe(given[-1]) if given else None,
            "can_rate": ratings.may_rate(status, [e.data["score"] for e in given]),
            "rerating": bool(given), "tags": ratings.tag_list()}


def give_rating(session: Session, user_id: int, number: str, score: Any,
                tags: Sequence[str] | None, comment: str | None) -> dict[str, Any]:
    """Rate a completed (or partially rejected) application: once, or once more after a bad rating."""
    rating = ratings.check_rating(score, tags, comment)
    application = own_application(session, user_id, number, lock=True)  # serialises double taps
    given = _ratings_given(session, application)
    status = _derived_status(session, application)
    ratings.check_may_rate(status, [e.data["score"] for e in given])
    data = rating.event_data(application.number)
    if given:
        data["revises"] = given[-1].id
    event = record_event(session, "rating_given", actor_user_id=user_id, subject_user_id=user_id,
                         application_id=application.id, **data)
    if ratings.is_bad(rating.score):
        due = due_date(utcnow(), ratings.FOLLOW_UP_WORKING_DAYS)
        record_event(session, "rating_follow_up_needed", subject_user_id=user_id, application_id=application.id,
                     number=application.number, score=rating.score, due_on=due.isoformat(), rating=event.id)
    session.commit()
    return {"number": application.number, "rating": _describe(event), "can_rate":
            ratings.may_rate(status, [*(e.data["score"] for e in given), rating.score]),
            "rerating": True, "tags": ratings.tag_list()}


def _derived_status(session: Session, application: Application) -> str:
    statuses = list(session.scalars(select(Case.status).where(Case.application_id == application.id)))
    return rules.derive_application_status(statuses) if statuses else application.status


def _ratings_given(session: Session, application: Application) -> list[Event]:
    return list(session.scalars(select(Event).where(Event.application_id == application.id,
                                                    Event.name == "rating_given").order_by(Event.id)))


def _describe(event: Event) -> dict[str, Any]:
    data = event.data or {}
    score = data["score"]
    return {"id": event.id, "score": score, "tags": data.get("tags", []), "comment": data.get("comment"),
            "given_at": event.occurred_at.isoformat(), "bad": ratings.is_bad(score),
            "follow_up": ratings.is_bad(score)}
