"""The proactive queries on PostgreSQL and on SQLite: a signal and an offer are stored once (the
unique constraints decide inside a savepoint, so the rest of the transaction stands), and the last
applied sequence of a person ignores stale signals."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from sqlalchemy.orm import Session

from bff.store.models import User
from bff.store.proactive_models import LifeSignal, Offer
from bff.store.queries import proactive as queries

DAY = date(2026, 12, 5)


def _signal(signal_id: str, sequence: int, outcome: str = "applied") -> LifeSignal:
    return LifeSignal(source="test", signal_id=signal_id, kind="birth", person_hash="h" * 64,
                      person_id_number="330106199407202428", sequence=sequence, occurred_on=DAY, outcome=outcome)


def test_a_signal_is_stored_once_and_the_transaction_goes_on_on_both_databases(new_session: Callable[[], Session]) -> None:
    with new_session() as session:
        user = User(issuer="test", subject="wangfang", name="王芳")
        session.add(user)
        assert queries.add_once(session, _signal("s1", 5)) is True
        assert queries.add_once(session, _signal("s1", 6)) is False  # the same id again
        assert queries.add_once(session, _signal("s0", 3, outcome="stale")) is True
        session.flush()
        assert user.id is not None  # what was added before the refused row stands
        assert queries.last_applied_sequence(session, "h" * 64) == 5
        assert queries.last_applied_sequence(session, "x" * 64) is None
        session.rollback()


def test_an_offer_is_made_once_per_recipient_kind_and_subject_on_both_databases(new_session: Callable[[], Session]) -> None:
    with new_session() as session:
        signal = _signal("s1", 1)
        session.add(signal)
        session.flush()

        def offer(kind: str = "birth", subject: str = "b-1") -> Offer:
            return Offer(signal_id=signal.id, kind=kind, bundle=kind, recipient_hash="r" * 64, relation="mother",
                         subject_ref=subject, occurred_on=DAY, questions=["subject.name"], expires_on=DAY)

        assert queries.add_once(session, offer()) is True
        assert queries.add_once(session, offer()) is False
        assert queries.add_once(session, offer(subject="b-2")) is True
        assert queries.add_once(session, offer(kind="after-death")) is True
        assert len(queries.offers_of(session, 0, "r" * 64)) == 3
        assert queries.offers_of(session, 0, None) == []
        session.rollback()
