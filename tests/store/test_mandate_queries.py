"""The mandate queries on PostgreSQL and on SQLite: the community agents found through the JSON roles
column's text, the live mandates by expiry and revocation, and the one-target check constraint."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bff.store.mandate_models import Mandate
from bff.store.models import User
from bff.store.queries import mandates as queries

NOW = datetime(2026, 12, 7, 4, 0, tzinfo=UTC)


def _people(session: Session) -> tuple[User, User, User]:
    mother = User(issuer="test", subject="liuxiuying", name="刘秀英", roles=["resident"])
    son = User(issuer="test", subject="chenming", name="陈明", roles=["resident"])
    agent = User(issuer="test", subject="huangjianping", name="黄建平", roles=["resident", "community_agent"])
    session.add_all([mother, son, agent])
    session.flush()
    return mother, son, agent


def _mandate(principal: User, agent: User, **changes: object) -> Mandate:
    values: dict[str, object] = {"principal_user_id": principal.id, "agent_user_id": agent.id, "agent_kind": "relative",
                                 "agent_name": agent.name, "scope": "apply_follow", "bundle": "after-death",
                                 "expires_at": NOW + timedelta(days=1), **changes}
    return Mandate(**values)


def test_community_agents_are_found_by_their_role_on_both_databases(new_session: Callable[[], Session]) -> None:
    with new_session() as session:
        _, _, agent = _people(session)
        assert [u.name for u in queries.community_agents(session)] == ["黄建平"]
        assert queries.names_of(session, [agent.id]) == {agent.id: "黄建平"}
        session.rollback()


def test_only_unrevoked_unexpired_mandates_are_live_on_both_databases(new_session: Callable[[], Session]) -> None:
    with new_session() as session:
        mother, son, _ = _people(session)
        live = _mandate(mother, son)
        session.add_all([live, _mandate(mother, son, expires_at=NOW - timedelta(seconds=1)),
                         _mandate(mother, son, revoked_at=NOW - timedelta(hours=1))])
        session.flush()
        assert [m.id for m in queries.live_mandates_between(session, mother.id, son.id, NOW)] == [live.id]
        assert queries.live_mandates_between(session, mother.id, son.id, NOW + timedelta(days=1)) == []
        assert queries.live_mandates_between(session, son.id, mother.id, NOW) == []
        session.rollback()


def test_a_mandate_names_one_bundle_or_one_application_on_both_databases(new_session: Callable[[], Session]) -> None:
    for target in ({"bundle": None, "application_number": None}, {"bundle": "birth", "application_number": "YJ1"}):
        with new_session() as session:
            mother, son, _ = _people(session)
            session.add(_mandate(mother, son, **target))
            with pytest.raises(IntegrityError):
                session.flush()
            session.rollback()
