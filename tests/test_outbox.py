"""The outbox: work added in the caller's transaction is handed to the app's port after commit,
never after a rollback; and the events of a batch are written in one statement on both databases."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from bff import outbox
from bff.app import create_app
from bff.extensions import db
from bff.outbox import HandOff
from bff.services.events import record_event, record_events_of_subjects
from bff.store import migrate
from bff.store.models import Event
from tests.factories import create_user


class RecordingHandOff:
    """A second implementation of the after-commit port: it keeps what it is handed."""

    def __init__(self, fail: bool = False) -> None:
        self.handed: list[HandOff] = []
        self.fail = fail

    def hand_off(self, work: HandOff) -> None:
        self.handed.append(work)
        if self.fail:
            raise ConnectionError("the queue is down")


@pytest.fixture
def port() -> RecordingHandOff:
    return RecordingHandOff()


@pytest.fixture
def recording_app(app: Flask, base_config: dict[str, Any], port: RecordingHandOff) -> Iterator[Flask]:
    """An app of the tests' database whose hand-off is recorded (``app`` empties the tables after)."""
    other = create_app(base_config, after_commit=port)
    with other.app_context():
        yield other
    other.extensions["db"].engine.dispose()


def notify_and_message(user_id: int) -> Event:
    event = record_event(db.session, "case_transitioned", subject_user_id=user_id, case="C1",
                         department="health", to="supplement_requested", **{"from": "accepted"})
    outbox.add(db.session, "case.submitted", {"case_id": 1})
    return event


def test_a_commit_hands_its_case_messages_notify_rows_and_events_to_the_port(recording_app, port):
    user = create_user("zhangwei")
    port.handed.clear()  # the user's own first-login event
    event = notify_and_message(user.id)
    record_event(db.session, "draft_saved", actor_user_id=user.id, application_id=7, version=1)  # no subject: not announced
    db.session.commit()
    [work] = port.handed
    assert len(work.case_messages) == 1 and work.case_messages[0] > 0
    assert work.notify is True
    assert work.events == (outbox.Announced(event.id, "case_transitioned", user.id, None),)


def test_a_rollback_hands_off_nothing_and_a_later_commit_only_its_own_work(recording_app, port):
    user = create_user("zhangwei")
    port.handed.clear()
    notify_and_message(user.id)
    db.session.flush()
    db.session.rollback()
    assert port.handed == []
    db.session.commit()  # nothing written since
    assert port.handed == []
    record_event(db.session, "login", subject_user_id=user.id, method="oidc")
    db.session.commit()
    [work] = port.handed
    assert work.case_messages == () and [announced.name for announced in work.events] == ["login"]


def test_a_failing_port_never_fails_the_committed_change(app, base_config):
    failing = RecordingHandOff(fail=True)
    other = create_app(base_config, after_commit=failing)
    with other.app_context():
        user = create_user("zhangwei")
        notify_and_message(user.id)
        db.session.commit()
        assert failing.handed and db.session.query(Event).filter_by(name="case_transitioned").count() == 1
    other.extensions["db"].engine.dispose()


def test_the_default_port_queues_work_on_rq(app):
    from bff.jobs.queue import queue_for

    user = create_user("zhangwei")
    notify_and_message(user.id)
    db.session.commit()
    names = sorted(job.func_name for job in queue_for(app).jobs)
    assert names == ["bff.jobs.tasks.deliver_notifications", "bff.jobs.tasks.deliver_outbox_message"]


def _events_of_subjects_written(app: Flask, port: RecordingHandOff) -> list[tuple[str, bool, dict]]:
    try:
        return _write_events_of_subjects(app, port)
    finally:
        app.extensions["db"].engine.dispose()


def _write_events_of_subjects(app: Flask, port: RecordingHandOff) -> list[tuple[str, bool, dict]]:
    with app.app_context():
        user = create_user("zhangwei")
        port.handed.clear()
        record_events_of_subjects(db.session, "push_delivered", [
            (user.id, None, {"notification": 1, "device": 2}), (user.id, None, {"notification": 1, "device": 3})])
        db.session.commit()
        [work] = port.handed
        rows = db.session.query(Event).filter_by(name="push_delivered").order_by(Event.id).all()
        assert [announced.id for announced in work.events] == [row.id for row in rows]
        return [(row.name, row.subject_user_id == user.id, row.data) for row in rows]


def test_events_of_subjects_are_written_alike_on_postgresql_and_sqlite(app, base_config, redis_url, tmp_path: Path):
    expected = [("push_delivered", True, {"notification": 1, "device": 2}),
                ("push_delivered", True, {"notification": 1, "device": 3})]
    port = RecordingHandOff()
    assert _events_of_subjects_written(create_app(base_config, after_commit=port), port) == expected
    url = f"sqlite:///{tmp_path / 'onething.db'}"
    migrate.upgrade(url)
    port = RecordingHandOff()
    assert _events_of_subjects_written(create_app({"DATABASE_URL": url, "REDIS_URL": redis_url, "ENV": "testing"},
                                                  after_commit=port), port) == expected
