"""The catalog snapshot of a version is written once, on PostgreSQL and on SQLite, and read back whole."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session

from bff.core.catalog import CATALOG_DIR
from bff.core.catalog_files import files_version, read_catalog_files
from bff.store.models import Application, User
from bff.store.queries import catalog as queries

FILES = read_catalog_files(CATALOG_DIR)
VERSION = files_version(FILES)


def test_a_snapshot_is_written_once_and_read_back_whole_on_both_databases(new_session: Callable[[], Session]) -> None:
    with new_session() as session:
        assert not queries.snapshot_exists(session, VERSION)
        assert queries.save_snapshot(session, VERSION, FILES) is True
        session.commit()
    with new_session() as session:
        assert queries.save_snapshot(session, VERSION, {"fields.yaml": "changed"}) is False  # the first one stays
        session.commit()
        assert queries.snapshot_exists(session, VERSION)
        assert queries.snapshot_files(session, VERSION) == FILES
        assert queries.snapshot_files(session, "000000000000") is None
        assert [version for version, _ in queries.snapshot_versions(session)] == [VERSION]


def test_applications_in_flight_are_counted_per_bundle_on_both_databases(new_session: Callable[[], Session]) -> None:
    with new_session() as session:
        user = User(issuer="test", subject="zhangwei", name="张伟", roles=["resident"])
        session.add(user)
        session.flush()
        for number, bundle, status in [("A1", "birth", "in_progress"), ("A2", "birth", "action_required"),
                                       ("A3", "birth", "completed"), ("A4", "birth", "draft"),
                                       ("A5", "retirement", "submitted"), ("A6", "retirement", "withdrawn")]:
            session.add(Application(number=number, user_id=user.id, bundle=bundle, status=status))
        session.flush()
        assert queries.in_flight_by_bundle(session, {"completed", "partially_rejected", "withdrawn"}, "draft") == {
            "birth": 2, "retirement": 1}
