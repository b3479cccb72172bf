"""Mandates: those a principal granted, those an agent holds, and the people they name."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import String, cast, select, update
from sqlalchemy.orm import Session

from bff.store.mandate_models import Mandate
from bff.store.models import Application, Event, User


def mandate_of_principal(session: Session, principal_user_id: int, mandate_id: int, *,
                         lock: bool = False) -> Mandate | None:
    """One mandate the principal granted (another person's is None)."""
    query = select(Mandate).where(Mandate.id == mandate_id, Mandate.principal_user_id == principal_user_id)
    return session.scalar(query.with_for_update() if lock else query)


def mandates_granted_by(session: Session, principal_user_id: int, limit: int = 100) -> list[Mandate]:
    """The principal's mandates, newest first (active, expired and revoked)."""
    return list(session.scalars(select(Mandate).where(Mandate.principal_user_id == principal_user_id)
                                .order_by(Mandate.id.desc()).limit(limit)))


def mandates_held_by(session: Session, agent_user_id: int, limit: int = 100) -> list[Mandate]:
    """The mandates naming the agent, newest first (active, expired and revoked)."""
    return list(session.scalars(select(Mandate).where(Mandate.agent_user_id == agent_user_id)
                                .order_by(Mandate.id.desc()).limit(limit)))


def live_mandates_between(session: Session, principal_user_id: int, agent_user_id: int,
                          now: datetime) -> list[Mandate]:
    """The principal's unrevoked, unexpired mandates to the agent: the check of every acting request."""
    return list(session.scalars(select(Mandate).where(
        Mandate.principal_user_id == principal_user_id, Mandate.agent_user_id == agent_user_id,
        Mandate.revoked_at.is_(None), Mandate.expires_at > now).order_by(Mandate.id)))


def link_mandates_to_agent(session: Session, agent_user_id: int, id_number_hash: str) -> int:
    """Name the signed-in agent on mandates granted to their ID number before they first signed in."""
    result = session.execute(update(Mandate).where(Mandate.agent_id_hash == id_number_hash,
                                                   Mandate.agent_user_id.is_(None))
                             .values(agent_user_id=agent_user_id).execution_options(synchronize_session=False))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def user_by_id_number_hash(session: Session, id_number_hash: str) -> User | None:
    """The user with this ID number, if they have signed in."""
    return session.scalar(select(User).where(User.id_number_hash == id_number_hash).limit(1))


def community_agents(session: Session, limit: int = 50) -> list[User]:
    """Registered community agents (代办员), by name.

    Roles are a JSON list; matching its text works the same on PostgreSQL and SQLite."""
    query = select(User).where(cast(User.roles, String).like('%"community_agent"%')).order_by(User.name, User.id)
    return list(session.scalars(query.limit(limit)))


def names_of(session: Session, user_ids: Iterable[int]) -> dict[int, str]:
    """Users' names by id."""
    ids = set(user_ids)
    if not ids:
        return {}
    return {int(row.id): str(row.name) for row in session.execute(select(User.id, User.name).where(User.id.in_(ids)))}


def bundle_of_application(session: Session, user_id: int, number: str) -> str | None:
    """The bundle of the user's application ``number`` (None when it is not theirs)."""
    return session.scalar(select(Application.bundle).where(Application.number == number,
                                                           Application.user_id == user_id))


def applications_of(session: Session, user_id: int, limit: int = 50) -> list[tuple[str, str, str]]:
    """(number, bundle, status) of the user's applications, newest first: what a mandate may name."""
    rows = session.execute(select(Application.number, Application.bundle, Application.status)
                           .where(Application.user_id == user_id).order_by(Application.id.desc()).limit(limit))
    return [(number, bundle, status) for number, bundle, status in rows]



def acts_for(session: Session, principal_user_id: int, names: Iterable[str], *, before: int | None,
             limit: int) -> list[tuple[Event, str]]:
    """Events of ``names`` about the principal that someone else did (an agent acting for them),
    newest first, with the actor's name: the agents' part of "who viewed my data"."""
    query = select(Event, User.name).join(User, User.id == Event.actor_user_id).where(
        Event.subject_user_id == principal_user_id, Event.name.in_(tuple(names)),
        Event.actor_user_id != principal_user_id)
    if before is not None:
        query = query.where(Event.id < before)
    rows = session.execute(query.order_by(Event.id.desc()).limit(limit)).all()
    return [(event, name) for event, name in rows]
