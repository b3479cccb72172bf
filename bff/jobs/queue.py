"""The jobs queue, the enqueue helpers, and the after-commit hand-off onto RQ.

Job functions are named by their dotted path (what RQ stores in Redis), so that this module and
the job bodies in :mod:`bff.jobs.tasks`, which queue further jobs, do not import each other.
"""

from __future__ import annotations

import json
import logging
import secrets
from collections.abc import Iterable
from datetime import datetime
from typing import Any

import redis as redis_lib
from flask import Flask
from rq import Queue

from bff import request_id
from bff.outbox import CHANNEL_PREFIX, HandOff

log = logging.getLogger("bff.jobs")

_TASKS = "bff.jobs.tasks."
DELIVER_OUTBOX_MESSAGE = _TASKS + "deliver_outbox_message"
FAN_OUT_DELIVERIES = _TASKS + "fan_out_deliveries"
DELIVER_NOTIFICATIONS = _TASKS + "deliver_notifications"
RUN_LATER = _TASKS + "run_later"
SEND_MOBILE_CODE = _TASKS + "send_mobile_code"

NOTIFY_WAKE_KEY = "notify:wake"
NOTIFY_WAKE_SECONDS = 30  # a flag whose job was lost clears itself; the relay queues a job meanwhile


def queue_for(app: Flask) -> Queue:
    """The jobs queue, on its own connection (RQ needs bytes, our shared client decodes)."""
    if "rq_queue" not in app.extensions:
        connection = redis_lib.Redis.from_url(app.config["REDIS_URL"])
        app.extensions["rq_queue"] = Queue(app.config["RQ_QUEUE"], connection=connection)
    return app.extensions["rq_queue"]  # type: ignore[no-any-return]


def job_spec(function: str, args: tuple[Any, ...], name: str) -> Any:
    """A job to enqueue with :func:`enqueue_all`; ids only in ``args`` (RQ keeps them in Redis)."""
    origin = request_id.current.get()
    return Queue.prepare_data(function, args, result_ttl=60, failure_ttl=3600,
                              job_id=f"{name}-{secrets.token_hex(4)}",
                              meta={"request_id": origin} if origin else None)


def enqueue_all(queue: Queue, specs: list[Any]) -> None:
    """Enqueue ``specs`` in one round trip."""
    if specs:
        with queue.connection.pipeline() as pipe:
            queue.enqueue_many(specs, pipeline=pipe)
            pipe.execute()


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
        specs = [job_spec(DELIVER_OUTBOX_MESSAGE, (message_id, token), f"deliver-{message_id}")
                 for message_id, token in jobs]
        if len(hints) > 1:
            specs.append(job_spec(FAN_OUT_DELIVERIES, (hints,), f"fan-out-{hints[0]}"))
        enqueue_all(queue_for(app), specs)
    except redis_lib.RedisError as error:
        log.warning("could not enqueue deliveries (the relay will): %s", type(error).__name__)


def enqueue_mobile_codes(app: Flask, message_ids: Iterable[int]) -> None:
    """Queue the texting of one-time codes; a lost hint costs the resident a "send again"."""
    try:
        enqueue_all(queue_for(app), [job_spec(SEND_MOBILE_CODE, (message_id,), f"mobile-code-{message_id}")
                                     for message_id in message_ids])
    except redis_lib.RedisError as error:
        log.warning("could not enqueue a mobile code: %s", type(error).__name__)


def enqueue_each_delivery(app: Flask, message_ids: list[int]) -> None:
    """One delivery job per message (the fan-out job's work), so a slow department delays no other."""
    enqueue_all(queue_for(app), [job_spec(DELIVER_OUTBOX_MESSAGE, (message_id, None), f"deliver-{message_id}")
                                 for message_id in message_ids])


def wake_notifier(pipe: Any) -> None:
    """Add to ``pipe`` the flag that says a batch job is queued; its answer is true when this caller
    set it, and must then call :func:`enqueue_notify_batch`. A hint: the relay is the safety net."""
    pipe.set(NOTIFY_WAKE_KEY, "1", nx=True, ex=NOTIFY_WAKE_SECONDS)


def enqueue_notify_batch(app: Flask) -> None:
    """Queue the notify batch job (one at a time: see :func:`wake_notifier`)."""
    try:
        enqueue_all(queue_for(app), [job_spec(DELIVER_NOTIFICATIONS, (), "notify-batch")])
    except redis_lib.RedisError as error:
        log.warning("could not enqueue the notify batch (the relay will): %s", type(error).__name__)


def enqueue_later_rows(app: Flask, rows: Iterable[tuple[int, datetime]]) -> None:
    """Queue a job for each due scheduled row (id, token) the relay marked. Losing them loses
    nothing: the rows are due again when the relay's grace ends."""
    try:
        enqueue_all(queue_for(app), [job_spec(RUN_LATER, (message_id, token), f"later-{message_id}")
                                     for message_id, token in rows])
    except redis_lib.RedisError as error:
        log.warning("could not enqueue scheduled jobs (the relay will): %s", type(error).__name__)


class RqHandOff:
    """The after-commit port on RQ and Redis: case messages to delivery jobs; events announced and
    the notifier woken in one Redis pipeline, and the batch job queued only by the hint that woke it."""

    def __init__(self, app: Flask) -> None:
        self.app = app

    def hand_off(self, work: HandOff) -> None:
        if work.case_messages:
            enqueue_deliveries(self.app, work.case_messages)
        if work.sms_codes:
            enqueue_mobile_codes(self.app, work.sms_codes)
        if not work.events and not work.notify:
            return
        try:
            with self.app.extensions["redis"].pipeline(transaction=False) as pipe:  # one round trip
                for event in work.events:
                    pipe.publish(f"{CHANNEL_PREFIX}{event.subject_user_id}", json.dumps(
                        {"id": event.id, "name": event.name, "application_id": event.application_id}))
                if work.notify:
                    wake_notifier(pipe)
                answers = pipe.execute()
            if work.notify and answers[-1]:  # this hint found the notifier asleep: its job (others' rows ride along)
                enqueue_notify_batch(self.app)
        except Exception as error:  # noqa: BLE001 - hints only: clients re-fetch from the database, the relay re-queues
            log.warning("could not announce events or wake the notifier (the relay will): %s", type(error).__name__)
