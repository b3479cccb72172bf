"""Proactive service: signals received, offers, automatic grants, settings and feed cursors."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from sqlalchemy import func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bff.store.models import Application, Event, User
from bff.store.proactive_models import AutoGrant, LifeSignal, Offer, ProactiveSettings, SignalCursor

# --- Signals ----------------------------------------------------------------------------------


def add_once(session: Session, row: Any) -> bool:
    """Insert ``row`` unless a unique constraint says it exists (a redelivered signal, an offer made
    before): False then, and nothing else in the transaction is undone (a savepoint)."""
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:
        return False
    return True


def last_applied_sequence(session: Session, person_hash: str) -> int | None:
    """The highest sequence applied of the person's signals (None: none yet)."""
    return session.scalar(select(func.max(LifeSignal.sequence))
                          .where(LifeSignal.person_hash == person_hash, LifeSignal.outcome == "applied"))


def signal_cursor(session: Session, source: str, *, lock: bool = False) -> SignalCursor | None:
    query = select(SignalCursor).where(SignalCursor.source == source)
    return session.scalar(query.with_for_update() if lock else query)


# --- Offers -----------------------------------------------------------------------------------

def offers_of(session: Session, user_id: int, id_hash: str | None, limit: int = 50) -> list[Offer]:
    """The person's offers, newest first: made to their user, or to their ID number before they signed in."""
    mine = Offer.recipient_user_id == user_id
    query = select(Offer).where(or_(mine, Offer.recipient_hash == id_hash) if id_hash else mine)
    return list(session.scalars(query.order_by(Offer.id.desc()).limit(limit)))


def offer_of(session: Session, offer_id: int, user_id: int, id_hash: str | None, *, lock: bool = False) -> Offer | None:
    """One of the person's offers (another person's is None)."""
    mine = Offer.recipient_user_id == user_id
    query = select(Offer).where(Offer.id == offer_id, or_(mine, Offer.recipient_hash == id_hash) if id_hash else mine)
    return session.scalar(query.with_for_update() if lock else query)


def own_applications_of_bundle(session: Session, user_id: int, bundle: str,
                               statuses_out: Collection[str] = ("withdrawn",)) -> list[Application]:
    """The user's own applications of ``bundle`` still alive (a draft too), newest first."""
    return list(session.scalars(select(Application).where(
        Application.user_id == user_id, Application.bundle == bundle, Application.status.not_in(statuses_out))
        .order_by(Application.id.desc())))


def users_by_id_hashes(session: Session, hashes: Collection[str]) -> dict[str, User]:
    """The signed-up users among these ID number hashes, by hash."""
    if not hashes:
        return {}
    return {user.id_number_hash or "": user for user in session.scalars(select(User).where(User.id_number_hash.in_(hashes)))}


def link_offers_to_user(session: Session, user_id: int, id_hash: str) -> int:
    """Name a newly signed-in person on the offers made to their ID number."""
    result = session.execute(update(Offer).where(Offer.recipient_hash == id_hash, Offer.recipient_user_id.is_(None))
                             .values(recipient_user_id=user_id).execution_options(synchronize_session=False))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


# --- Automatic grants and settings ------------------------------------------------------------

def grants_of(session: Session, user_id: int) -> list[AutoGrant]:
    return list(session.scalars(select(AutoGrant).where(AutoGrant.user_id == user_id).order_by(AutoGrant.id.desc())))


def grant_of(session: Session, user_id: int, grant_id: int, *, lock: bool = False) -> AutoGrant | None:
    query = select(AutoGrant).where(AutoGrant.id == grant_id, AutoGrant.user_id == user_id)
    return session.scalar(query.with_for_update() if lock else query)


def grant_in_department(session: Session, department: str, grant_id: int, *, lock: bool = False) -> AutoGrant | None:
    query = select(AutoGrant).where(AutoGrant.id == grant_id, AutoGrant.department == department)
    return session.scalar(query.with_for_update() if lock else query)


def objections_of_department(session: Session, department: str, limit: int = 100) -> list[AutoGrant]:
    """Grants the resident objected to that the department has not reviewed yet, oldest first."""
    return list(session.scalars(select(AutoGrant).where(AutoGrant.department == department,
                                                        AutoGrant.status == "objected")
                                .order_by(AutoGrant.objected_at).limit(limit)))


def settings_row(session: Session, user_id: int) -> ProactiveSettings | None:
    return session.get(ProactiveSettings, user_id)


def events_named(session: Session, user_id: int, names: Collection[str], limit: int = 50) -> list[Event]:
    """The person's events of these names, newest first (what the proactive service did for them)."""
    return list(session.scalars(select(Event).where(Event.subject_user_id == user_id, Event.name.in_(names))
                                .order_by(Event.id.desc()).limit(limit)))
