"""The service desk's queries answer the same on PostgreSQL and on SQLite (the embedded default)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from bff.app import create_app
from bff.extensions import db
from bff.store import migrate
from bff.store.models import Event
from bff.store.queries import service_desk as queries
from tests.factories import create_user


@pytest.fixture(params=["postgresql", "sqlite"])
def database(request: pytest.FixtureRequest, tmp_path: Path, redis_url: str) -> Iterator[str]:
    """An app context on each database; yields the dialect's name."""
    if request.param == "postgresql":
        request.getfixturevalue("app")
        yield "postgresql"
        return
    url = f"sqlite:///{tmp_path / 'onething.db'}"
    migrate.upgrade(url)
    app: Flask = create_app({"DATABASE_URL": url, "REDIS_URL": redis_url, "ENV": "testing"})
    try:
        with app.app_context():
            yield "sqlite"
    finally:
        app.extensions["redis"].flushdb()


def add_events(*rows: tuple[str, int | None, int | None]) -> list[int]:
    """Events (name, subject user id, application id) in this order; their ids."""
    events = [Event(name=name, subject_user_id=subject, application_id=application, data={})
              for name, subject, application in rows]
    db.session.add_all(events)
    db.session.commit()
    return [event.id for event in events]


def test_resident_events_pages_back_and_forth_through_every_branch(database: str) -> None:
    resident, other = create_user("zhangwei"), create_user("chenming")
    ids = add_events(("login", resident.id, None), ("draft_saved", None, 7), ("login", other.id, None),
                     ("push_delivered", resident.id, 8), ("case_dispatched", None, 8), ("custom_thing", resident.id, None),
                     ("case_dispatched", None, 9))
    mine = [ids[0], ids[1], ids[3], ids[4], ids[5]]

    def page(*, before: int | None = None, after: int | None = None, limit: int = 50,
             kinds: tuple[str, ...] = ()) -> tuple[list[int], bool]:
        rows, more = queries.resident_events(db.session, resident.id, [8, 7], kinds=kinds, before=before,
                                             after=after, limit=limit)
        return [row.id for row in rows], more

    assert page() == (mine[::-1], False)
    assert page(limit=2) == ([mine[4], mine[3]], True)
    assert page(before=mine[3], limit=2) == ([mine[2], mine[1]], True)
    assert page(after=mine[1], limit=2) == ([mine[3], mine[2]], True)  # the oldest new ones first
    assert page(kinds=("logins", "other")) == ([mine[4], mine[0]], False)


def test_resident_events_reads_applications_beyond_the_indexed_branches_with_one_in_query(database: str) -> None:
    resident = create_user("zhangwei")
    many = list(range(1, queries.MAX_APPLICATION_BRANCHES + 6))
    ids = add_events(*[("case_dispatched", None, application) for application in many])
    rows, more = queries.resident_events(db.session, resident.id, many, kinds=[], before=None, after=None, limit=100)
    assert [row.id for row in rows] == ids[::-1] and not more
