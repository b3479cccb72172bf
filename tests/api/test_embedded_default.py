"""The embedded default of `make run` (SQLite): the reads that take their own path on PostgreSQL
answer the same there."""

from __future__ import annotations

from pathlib import Path

from bff.app import create_app
from bff.store import migrate
from tests.api.application_helpers import start, submit
from tests.conftest import ApiClient
from tests.factories import create_user, sign_in


def test_application_progress_on_sqlite(tmp_path: Path, redis_url: str) -> None:
    url = f"sqlite:///{tmp_path / 'onething.db'}"
    migrate.upgrade(url)
    app = create_app({"DATABASE_URL": url, "REDIS_URL": redis_url, "ENV": "testing"})
    app.test_client_class = ApiClient
    try:
        with app.app_context():
            client = app.test_client()
            user = create_user("zhangwei")
            sign_in(app, client, user)
            number = start(client, "birth", user_id=user.id)["number"]
            draft = client.get(f"/api/v1/applications/{number}")
            receipt = submit(client, number).json
            detail = client.get(f"/api/v1/applications/{number}").json
    finally:
        app.extensions["redis"].flushdb()
    assert draft.status_code == 200 and draft.json["status"] == "draft" and draft.headers["ETag"]
    assert detail["status"] == "submitted" and detail["subject"] == "newborn"
    assert [case["reference"] for case in detail["cases"]] == [case["reference"] for case in receipt["cases"]]
    first = detail["cases"][0]
    assert first["title"] == receipt["cases"][0]["title"] and set(first["title"]) == {"zh-CN", "en"}
    assert first["due_on"] == receipt["cases"][0]["due_on"] and first["due_status"] in ("on_time", "due_soon")
    assert detail["submitted_at"].endswith("+00:00") and detail["certificates"] == []


def test_callbacks_and_notification_batches_on_sqlite(tmp_path: Path, redis_url: str) -> None:
    """The paths that take a PostgreSQL-only form there (the callback's CTE, the batch claim with
    SKIP LOCKED, the events' unnest INSERT) have a plain one here: same outcomes."""
    from rq import SimpleWorker
    from sqlalchemy import select

    from bff.extensions import db
    from bff.jobs.queue import queue_for
    from bff.store.models import Event, OutboxMessage
    from bff.store.notification_models import Notification
    from tests.adapters.test_departments_webhook import HRSS, callback, hrss_case
    from tests.fakes.push_service import FakePushService

    url = f"sqlite:///{tmp_path / 'onething.db'}"
    migrate.upgrade(url)
    app = create_app({"DATABASE_URL": url, "REDIS_URL": redis_url, "ENV": "testing", "DEPARTMENTS": HRSS,
                      "PUSH_EXTRA_HOSTS": "127.0.0.1"})
    app.test_client_class = ApiClient
    push_service = FakePushService().start()
    try:
        with app.app_context():
            client = app.test_client()
            user = create_user("lijianguo")
            user_id = user.id
            sign_in(app, client, user)
            device = push_service.new_subscriber()
            assert client.post("/api/v1/push/subscriptions",
                               json={**device.subscription_info(), "device": "Pixel 7"}).status_code == 201
            receipt = submit(client, start(client, "retirement", user_id=user.id)["number"]).json
            department = app.test_client()
            assert callback(department, hrss_case(receipt), "accepted", event_id="evt-1").json["outcome"] == "applied"
            assert callback(department, hrss_case(receipt), "accepted", event_id="evt-1").json["outcome"] == "duplicate"
            queue = queue_for(app)
            assert [job.func_name for job in queue.jobs].count("bff.jobs.tasks.deliver_notifications") >= 1
            SimpleWorker([queue], connection=queue.connection).work(burst=True)
            kinds = sorted(received.payload["kind"] for received in push_service.delivered(device))
            inbox = sorted(row.kind for row in db.session.scalars(select(Notification)))
            notify_rows = list(db.session.scalars(select(OutboxMessage).where(OutboxMessage.topic == "notify")))
            delivered = list(db.session.scalars(select(Event).where(Event.name == "push_delivered")))
    finally:
        push_service.stop()
        app.extensions["redis"].flushdb()
    assert kinds == inbox == ["case_accepted", "submitted"]
    assert {row.status for row in notify_rows} == {"done"} and all(row.event_id for row in notify_rows)
    assert len(delivered) == 2 and {event.subject_user_id for event in delivered} == {user_id}
