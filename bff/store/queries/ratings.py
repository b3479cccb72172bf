"""Ratings (好差评): they are Events, read per application and, for the follow-ups, across residents."""

from __future__ import annotations

from sqlalchemy import exists, select
from sqlalchemy.orm import Session, aliased

from bff.store.models import Event, User

RATING_EVENTS = ("rating_given", "rating_followed_up")


def rating_events(session: Session, application_id: int) -> list[Event]:
    """The application's ratings and recorded call-backs, oldest first."""
    return list(session.scalars(select(Event).where(
        Event.application_id == application_id, Event.name.in_(RATING_EVENTS)).order_by(Event.id)))


def open_follow_ups(session: Session, limit: int) -> list[tuple[Event, User]]:
    """Each ``rating_follow_up_needed`` event without a later ``rating_followed_up`` of its
    application, with the resident it is about, oldest first."""
    needed, done = aliased(Event), aliased(Event)
    rows = session.execute(
        select(needed, User).join(User, User.id == needed.subject_user_id)
        .where(needed.name == "rating_follow_up_needed",
               ~exists().where(done.name == "rating_followed_up", done.application_id == needed.application_id,
                               done.id > needed.id))
        .order_by(needed.id).limit(limit)).all()
    return [(event, user) for event, user in rows]
