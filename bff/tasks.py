"""RQ jobs: the outbox relay, department delivery and the sweeper.

Jobs take ids, never personal data (RQ keeps job arguments in Redis). Each job runs
inside an app context: the worker's own app (``bff.worker``) or, in tests that run a
SimpleWorker in-process, the current one.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

import redis as redis_lib
from flask import Flask, current_app, has_app_context
from rq import Queue

log = logging.getLogger("bff.tasks")
_process_app: dict[str, Flask] = {}


@contextmanager
def app_context() -> Iterator[Flask]:
    if has_app_context():
        yield current_app._get_current_object()  # type: ignore[attr-defined]
        return
    if "app" not in _process_app:
        from bff.app import create_app

        _process_app["app"] = create_app()
    with _process_app["app"].app_context():
        yield _process_app["app"]


def queue_for(app: Flask) -> Queue:
    """The jobs queue, on its own connection (RQ needs bytes, our shared client decodes)."""
    if "rq_queue" not in app.extensions:
        connection = redis_lib.Redis.from_url(app.config["REDIS_URL"])
        app.extensions["rq_queue"] = Queue(app.config["RQ_QUEUE"], connection=connection)
    return app.extensions["rq_queue"]  # type: ignore[no-any-return]


def enqueue_deliveries(app: Flask, messages: Iterable[int | tuple[int, datetime]]) -> None:
    """Queue delivery jobs: message ids (a hint after commit), or (id, token) from the relay.

    Several hints at once (a submission's cases) become ONE job that the worker fans out, so a
    request pays for one job, not one per department. Losing any of them loses nothing: the
    rows stay pending and the relay queues them again."""
    jobs = [message if isinstance(message, tuple) else (message, None) for message in messages]
    hints = [message_id for message_id, token in jobs if token is None]
    if len(hints) > 1:
        jobs = [job for job in jobs if job[1] is not None]
    try:
        queue = queue_for(app)
        specs = [_job(deliver_outbox_message, (message_id, token), f"deliver-{message_id}")
                 for message_id, token in jobs]
        if len(hints) > 1:
            specs.append(_job(fan_out_deliveries, (hints,), f"fan-out-{hints[0]}"))
        _enqueue(queue, specs)
    except redis_lib.RedisError as error:
        log.warning("could not enqueue deliveries (the relay will): %s", type(error).__name__)


def fan_out_deliveries(message_ids: list[int]) -> int:
    """One delivery job per message of a request's hint, so a slow department delays no other."""
    with app_context() as app:
        _enqueue(queue_for(app), [_job(deliver_outbox_message, (message_id, None), f"deliver-{message_id}")
                                  for message_id in message_ids])
    return len(message_ids)


def _job(function: Any, args: tuple[Any, ...], name: str) -> Any:
    return Queue.prepare_data(function, args, result_ttl=60, failure_ttl=3600, job_id=f"{name}-{_nonce()}")


def _enqueue(queue: Queue, specs: list[Any]) -> None:
    if specs:
        with queue.connection.pipeline() as pipe:  # one round trip for all of them
            queue.enqueue_many(specs, pipeline=pipe)
            pipe.execute()


def _nonce() -> str:
    import secrets

    return secrets.token_hex(4)


def deliver_outbox_message(message_id: int, token: datetime | None = None) -> str:
    """Deliver one department message (its claim takes only rows of the dispatch topics)."""
    from bff.extensions import db, redis
    from bff.services.dispatch import DispatchSettings
    from bff.services.dispatch import deliver_outbox_message as deliver

    with app_context() as app:
        session = db.new_session()
        try:
            return deliver(session, message_id, DispatchSettings.from_config(app.config), redis.client, token)
        finally:
            session.close()


# --- Notifications: one batch job at a time is queued, whatever the number of hints ---------------

NOTIFY_WAKE_KEY = "notify:wake"
NOTIFY_WAKE_SECONDS = 30  # a flag whose job was lost clears itself; the relay queues a job meanwhile
NOTIFY_ROUNDS = 10  # batches one job takes at most before leaving the worker to other jobs
# ... and the time after which it starts no new one: a round is bounded by the push timeout (about
# seven waves of 16 pushes to a service that never answers), so a job stays well within RQ's 180 s.
NOTIFY_JOB_SECONDS = 60.0


def wake_notifier(pipe: Any) -> None:
    """Add to ``pipe`` the flag that says a batch job is queued; its answer is true when this caller
    set it, and must then call :func:`enqueue_notify_batch`. A hint: the relay is the safety net."""
    pipe.set(NOTIFY_WAKE_KEY, "1", nx=True, ex=NOTIFY_WAKE_SECONDS)


def enqueue_notify_batch(app: Flask) -> None:
    try:
        _enqueue(queue_for(app), [_job(deliver_notifications, (), "notify-batch")])
    except redis_lib.RedisError as error:
        log.warning("could not enqueue the notify batch (the relay will): %s", type(error).__name__)


def deliver_notifications() -> dict[str, int]:
    """Turn every due ``notify`` row into inbox entries and pushes, a batch at a time, after a short
    wait that lets a batch gather under load (``NOTIFY_BATCH_WAIT_SECONDS``).

    The wake-up flag is cleared BEFORE each claim: a row committed after the claim began finds the
    flag unset and queues the next job, so no row waits for the relay."""
    from bff import notify_tasks
    from bff.extensions import redis
    from bff.services.notify import BATCH_LIMIT

    totals: dict[str, int] = {}
    with app_context() as app:
        # Hints that come meanwhile find the flag set and queue nothing: their rows join this batch.
        time.sleep(float(app.config["NOTIFY_BATCH_WAIT_SECONDS"]))
        started = time.monotonic()
        for _ in range(NOTIFY_ROUNDS):
            redis.client.delete(NOTIFY_WAKE_KEY)
            counts = notify_tasks.process_batch(app)
            for outcome, number in counts.items():
                totals[outcome] = totals.get(outcome, 0) + number
            if not counts.get("retried") and sum(counts.values()) < BATCH_LIMIT:
                break  # drained (a retry is one row: look again)
            if time.monotonic() - started > NOTIFY_JOB_SECONDS:
                enqueue_notify_batch(app)
                break
        else:  # a backlog left: the next job takes it (other jobs may run in between)
            enqueue_notify_batch(app)
    return totals


def relay_outbox() -> int:
    """Enqueue every due outbox row (new, retry time reached, or lease of a dead worker over)."""
    from bff.extensions import db
    from bff.services.dispatch import relay_due_messages
    from bff.services.notify import notify_rows_due

    with app_context() as app:
        session = db.new_session()
        try:
            due = relay_due_messages(session)
            notify = notify_rows_due(session)  # notifications share the outbox (issue 6)
        finally:
            session.close()
        enqueue_deliveries(app, due)
        if notify:
            enqueue_notify_batch(app)
        return len(due) + int(notify)


def sweep() -> dict[str, Any]:
    """Re-queue what is stuck and flag cases due within one working day or overdue."""
    from bff.extensions import db
    from bff.services.sweeper import sweep_cases

    with app_context() as app:
        session = db.new_session()
        try:
            report = sweep_cases(session, stuck_after_seconds=int(app.config["SWEEP_STUCK_AFTER_SECONDS"]))
        finally:
            session.close()
        report["relayed"] = relay_outbox()
        log.info("sweep: %s", report)
        return report
