"""Every RQ job body: department delivery, the notify batch, the relay, the sweeper, and the
notification jobs whose time has come (quiet hours, push retries: rows the relay queues).

Jobs take ids, never personal data (RQ keeps job arguments in Redis). Each job runs inside an
app context: the worker's own app (``python -m bff.worker``) or, in tests that run a
SimpleWorker in-process, the current one. Their dotted paths are what queues hold: keep them.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any

from flask import Flask, current_app, has_app_context

from bff.adapters.push.sender import WebPushSender
from bff.adapters.push.transport.resolve import Destinations
from bff.adapters.sms.logging_sender import LoggingSmsSender
from bff.core.calendar import china_date
from bff.extensions import db, redis
from bff.jobs import queue
from bff.services import mobile, monitoring
from bff.services.consents import sweep_consents
from bff.services.dispatch import DispatchSettings, relay_due_messages
from bff.services.dispatch import deliver_outbox_message as deliver_to_department
from bff.services.notifications import channels, delivery, later
from bff.services.notifications.devices import push_extra_hosts, vapid_for
from bff.services.reconcile import reconcile_overdue
from bff.services.sweeper import Retention, sweep_cases
from bff.store.models import utcnow

log = logging.getLogger("bff.jobs")
_process_app: dict[str, Flask] = {}

NOTIFY_ROUNDS = 10  # batches one job takes at most before leaving the worker to other jobs
# ... and the time after which it starts no new one: a round is bounded by the push timeout (about
# seven waves of 16 pushes to a service that never answers), so a job stays well within RQ's 180 s.
NOTIFY_JOB_SECONDS = 60.0


@contextmanager
def app_context() -> Iterator[Flask]:
    """The current app, or this process's own (created once) when a worker runs the job."""
    if has_app_context():
        yield current_app._get_current_object()  # type: ignore[attr-defined]
        return
    if "app" not in _process_app:
        from bff.app import create_app

        _process_app["app"] = create_app()
    with _process_app["app"].app_context():
        yield _process_app["app"]


# --- Department delivery ----------------------------------------------------------------------

def deliver_outbox_message(message_id: int, token: datetime | None = None) -> str:
    """Deliver one department message (its claim takes only rows of the dispatch topics)."""
    with app_context() as app:
        session = db.new_session()
        try:
            return deliver_to_department(session, message_id, DispatchSettings.from_config(app.config),
                                         redis.client, token)
        finally:
            session.close()


def fan_out_deliveries(message_ids: list[int]) -> int:
    """One delivery job per message of a request's hint, so a slow department delays no other."""
    with app_context() as app:
        queue.enqueue_each_delivery(app, message_ids)
    return len(message_ids)


def send_mobile_code(message_id: int) -> str:
    """Text the one-time code of a mobile change (the embedded SMS sender writes it to the log)."""
    with app_context() as app:
        session = db.new_session()
        try:
            return mobile.send_mobile_code(session, redis.client, LoggingSmsSender(), app.config["SECRET_KEY"], message_id)
        finally:
            session.close()


# --- Notifications: one batch job at a time is queued, whatever the number of hints ---------------

def deliver_notifications() -> dict[str, int]:
    """Turn every due ``notify`` row into inbox entries and pushes, a batch at a time, after a short
    wait that lets a batch gather under load (``NOTIFY_BATCH_WAIT_SECONDS``).

    The wake-up flag is cleared BEFORE each claim: a row committed after the claim began finds the
    flag unset and queues the next job, so no row waits for the relay."""
    totals: dict[str, int] = {}
    with app_context() as app:
        # Hints that come meanwhile find the flag set and queue nothing: their rows join this batch.
        time.sleep(float(app.config["NOTIFY_BATCH_WAIT_SECONDS"]))
        started = time.monotonic()
        for _ in range(NOTIFY_ROUNDS):
            redis.client.delete(queue.NOTIFY_WAKE_KEY)
            counts = process_notify_batch(app)
            for outcome, number in counts.items():
                totals[outcome] = totals.get(outcome, 0) + number
            if not counts.get("retried") and sum(counts.values()) < delivery.BATCH_LIMIT:
                break  # drained (a retry is one row: look again)
            if time.monotonic() - started > NOTIFY_JOB_SECONDS:
                queue.enqueue_notify_batch(app)
                break
        else:  # a backlog left: the next job takes it (other jobs may run in between)
            queue.enqueue_notify_batch(app)
    return totals


def process_notify_batch(app: Flask) -> dict[str, int]:
    """One batch of due ``notify`` rows (:func:`bff.services.notifications.delivery.process_notify_batch`)."""
    session, claimer = db.new_session(), db.new_autocommit_session()  # the claim commits at once: one round trip
    try:
        return delivery.process_notify_batch(session, notifier_for(app), claimer=claimer)
    finally:
        claimer.close()
        session.close()


def run_later(message_id: int, token: datetime | None = None) -> str:
    """Run one scheduled notification job whose time has come (:mod:`bff.services.notifications.later`)."""
    with app_context() as app:
        session = db.new_session()
        try:
            return later.run(session, message_id, token, notifier_for(app))
        finally:
            session.close()


# Jobs that an earlier release put in RQ's schedule: kept so that they still run after an upgrade.
def deliver_notification(notification_id: int) -> str:
    """Deliver an inbox entry on its channels (scheduled when quiet hours end)."""
    with app_context() as app:
        session = db.new_session()
        try:
            return channels.deliver_notification(session, notification_id, notifier_for(app))
        finally:
            session.close()


def retry_push(notification_id: int, device_id: int, attempt: int) -> str:
    """Try one device again (scheduled after the wait a push service asked for)."""
    with app_context() as app:
        session = db.new_session()
        try:
            return channels.retry_push(session, notification_id, device_id, attempt, notifier_for(app))
        finally:
            session.close()


def notifier_for(app: Flask) -> channels.Notifier:
    """The app's senders, job scheduler and limits, built once from its config."""
    if "notifier" not in app.extensions:
        config = app.config
        app.extensions["notifier"] = channels.Notifier(
            push=WebPushSender(vapid_for(app), config["VAPID_SUBJECT"],
                               timeout=float(config["PUSH_TIMEOUT_SECONDS"]),
                               default_retry_after=float(config["PUSH_RETRY_AFTER_SECONDS"]),
                               destinations=Destinations.of(push_extra_hosts(app),
                                                            production=config["ENV"] == "production")),
            sms=LoggingSmsSender(), public_url=config["PUBLIC_URL"],
            max_push_attempts=int(config["PUSH_MAX_ATTEMPTS"]),
            prune_after=timedelta(days=float(config["PUSH_PRUNE_AFTER_DAYS"])),
            max_failures=int(config["PUSH_MAX_FAILURES"]), lease=float(config["DISPATCH_LEASE_SECONDS"]),
            count_outcomes=lambda counts: monitoring.count_push_outcomes(redis.client, counts))
    return app.extensions["notifier"]  # type: ignore[no-any-return]


# --- Periodic jobs ----------------------------------------------------------------------------

def relay_outbox() -> int:
    """Enqueue every due outbox row (new, retry time reached, or lease of a dead worker over)."""
    with app_context() as app:
        session = db.new_session()
        try:
            due = relay_due_messages(session)
            notify = delivery.notify_rows_due(session)  # notifications share the outbox
            scheduled = later.due(session)
            codes = mobile.codes_due(session)
        finally:
            session.close()
        queue.enqueue_deliveries(app, due)
        if notify:
            queue.enqueue_notify_batch(app)
        queue.enqueue_later_rows(app, scheduled)
        queue.enqueue_mobile_codes(app, codes)
        return len(due) + int(notify) + len(scheduled) + len(codes)


def sweep() -> dict[str, Any]:
    """Re-queue what is stuck and flag cases due within one working day or overdue."""
    with app_context() as app:
        session = db.new_session()
        try:
            report = sweep_cases(session, stuck_after_seconds=int(app.config["SWEEP_STUCK_AFTER_SECONDS"]),
                                 retention=Retention(float(app.config["OUTBOX_RETENTION_DAYS"]),
                                                     float(app.config["NOTIFICATION_RETENTION_DAYS"])))
            report.update(sweep_consents(session, notifier_for(app).sms, app.config["PUBLIC_URL"]))
            report.update(reconcile_overdue(session, DispatchSettings.from_config(app.config),
                                            today=china_date(utcnow()), batch=int(app.config["RECONCILE_BATCH"]),
                                            every=timedelta(hours=float(app.config["RECONCILE_EVERY_HOURS"]))))
        finally:
            session.close()
        report["relayed"] = relay_outbox()
        log.info("sweep: %s", report)
        return report


def poll_signals() -> dict[str, int]:
    """Read the registry's life-event feed from where the last read ended and apply what arrived."""
    from bff.core.clock import china_today
    from bff.services.forms import current_sources
    from bff.services.proactive.signals import poll_source, signal_feed

    with app_context() as app:
        session = db.new_session()
        try:
            report = poll_source(session, signal_feed(app.config), current_sources(), today=china_today())
        finally:
            session.close()
        log.info("signals: %s", report)
        return report
