"""RQ jobs of notifications, and their wiring from the app's config.

``bff.tasks.deliver_notifications`` (the batch job a wake-up or the relay queues) calls
:func:`process_batch`; the two jobs below are what :class:`~bff.services.notify.Later`
schedules with ``enqueue_in`` (quiet hours, and retries after ``Retry-After``).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from flask import Flask
from py_vapid import Vapid

from bff.adapters.push.sender import WebPushSender
from bff.adapters.push.vapid import development_vapid, load_vapid
from bff.adapters.sms.logging_sender import LoggingSmsSender
from bff.config import VAR_DIR
from bff.services import notify
from bff.tasks import app_context, queue_for


def vapid_for(app: Flask) -> Vapid:
    """The app's VAPID key: ``VAPID_PRIVATE_KEY`` if set (required in production), else ``var/``."""
    if "vapid" not in app.extensions:
        configured = app.config.get("VAPID_PRIVATE_KEY") or ""
        if configured:
            app.extensions["vapid"] = load_vapid(configured)
        elif app.config["ENV"] == "production":
            raise RuntimeError("ONETHING_VAPID_PRIVATE_KEY is required in production")
        else:
            app.extensions["vapid"] = development_vapid(VAR_DIR)
    return app.extensions["vapid"]  # type: ignore[no-any-return]


def notifier_for(app: Flask) -> notify.Notifier:
    if "notifier" not in app.extensions:
        config = app.config
        app.extensions["notifier"] = notify.Notifier(
            push=WebPushSender(vapid_for(app), config["VAPID_SUBJECT"],
                               timeout=float(config["PUSH_TIMEOUT_SECONDS"]),
                               default_retry_after=float(config["PUSH_RETRY_AFTER_SECONDS"])),
            sms=LoggingSmsSender(), later=_later(app), public_url=config["PUBLIC_URL"],
            max_push_attempts=int(config["PUSH_MAX_ATTEMPTS"]),
            prune_after=timedelta(days=float(config["PUSH_PRUNE_AFTER_DAYS"])),
            max_failures=int(config["PUSH_MAX_FAILURES"]), lease=float(config["DISPATCH_LEASE_SECONDS"]))
    return app.extensions["notifier"]  # type: ignore[no-any-return]


def _later(app: Flask) -> notify.Later:
    jobs: dict[str, Callable[..., str]] = {"deliver_notification": deliver_notification, "retry_push": retry_push}

    def later(delay: timedelta, job: str, *args: Any) -> None:
        queue_for(app).enqueue_in(delay, jobs[job], *args, result_ttl=60, failure_ttl=3600)

    return later


def process_batch(app: Flask) -> dict[str, int]:
    """One batch of due ``notify`` rows (:func:`bff.services.notify.process_notify_batch`)."""
    from bff.extensions import db

    session, claimer = db.new_session(), db.new_autocommit_session()  # the claim commits at once: one round trip
    try:
        return notify.process_notify_batch(session, notifier_for(app), claimer=claimer)
    finally:
        claimer.close()
        session.close()


def deliver_notification(notification_id: int) -> str:
    """Deliver an inbox entry on its channels (scheduled when quiet hours end)."""
    from bff.extensions import db

    with app_context() as app:
        session = db.new_session()
        try:
            return notify.deliver_notification(session, notification_id, notifier_for(app))
        finally:
            session.close()


def retry_push(notification_id: int, device_id: int, attempt: int) -> str:
    """Try one device again (scheduled after the wait a push service asked for)."""
    from bff.extensions import db

    with app_context() as app:
        session = db.new_session()
        try:
            return notify.retry_push(session, notification_id, device_id, attempt, notifier_for(app))
        finally:
            session.close()
