"""The RQ worker entry, and the scheduler of periodic jobs.

    python -m bff.worker          # a worker on the jobs queue
    python -m bff.worker burst    # work until the queue is empty, then exit (benchmarks, one-off runs)
    python -m bff.worker cron     # the periodic jobs: outbox relay and sweeper
    python -m bff.worker check [worker|cron]   # the container health check: is its loop turning?

Both ride out Redis faults: a Redis that pauses, restarts or refuses connections makes them wait
and retry with backoff, never exit (RQ's own worker quits on a Redis timeout; it is started again
here). Nothing is lost meanwhile: the outbox rows stay due in PostgreSQL and the relay queues them
when Redis is back. Run as many workers as needed, and any number of ``cron`` processes: one is
active at a time (a PostgreSQL advisory lock, :mod:`bff.store.leader`), the others stand by.
"""

from __future__ import annotations

import logging
import os
import signal
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from types import FrameType

import redis as redis_lib
from flask import Flask
from rq import Queue, SimpleWorker
from rq.cron import CronScheduler
from rq.job import Job

from bff import request_id
from bff.app import create_app
from bff.config import normalise_database_url
from bff.extensions import db
from bff.jobs.queue import queue_for
from bff.jobs.tasks import poll_signals, relay_outbox, sweep
from bff.services import monitoring
from bff.store.engine import make_engine
from bff.store.leader import LeaderLock

log = logging.getLogger("bff.worker")

RELAY_INTERVAL_SECONDS = 5
BACKOFF_SECONDS = (0.5, 1, 2, 4, 8, 15)  # then every 15 s until Redis answers again
STANDBY_POLL_SECONDS = 5  # how often a standby cron tries the leader lock
CRON_LOCK_KEY = 0x6F6E657468696E67 % (2**63)  # "onething": the advisory lock of the active cron
# RQ's worker heartbeats (and so touches its health file) at least this often while idle.
WORKER_TTL_SECONDS = 45
HEALTHY_WITHIN_SECONDS = 120.0


def heartbeat_file(kind: str) -> Path:
    """The file a process of ``kind`` touches on each turn of its loop: the health check reads its age.
    Local to the container, so the check needs neither Redis nor the database."""
    return Path(os.environ.get("ONETHING_HEARTBEAT_DIR", tempfile.gettempdir())) / f"onething-{kind}.alive"


def beat(kind: str) -> None:
    try:
        heartbeat_file(kind).touch()
    except OSError as error:  # a read-only or full disk must not stop the work
        log.warning("could not touch the %s heartbeat file: %s", kind, error)


def check(kind: str) -> int:
    """0 when the process of ``kind`` turned its loop within ``HEALTHY_WITHIN_SECONDS``, else 1."""
    try:
        age = time.time() - heartbeat_file(kind).stat().st_mtime
    except OSError:
        print(f"{kind}: no heartbeat yet", file=sys.stderr)
        return 1
    if age > HEALTHY_WITHIN_SECONDS:
        print(f"{kind}: last heartbeat {age:.0f} s ago", file=sys.stderr)
        return 1
    return 0


class BeatingWorker(SimpleWorker):
    """RQ's in-process worker (no fork per job, so the SQLAlchemy pool is never shared across a fork)
    that also touches its health file on each heartbeat."""

    def perform_job(self, job: Job, queue: Queue) -> bool:
        """Run the job with the id of the request that queued it, for its log lines."""
        token = request_id.current.set((job.meta or {}).get("request_id"))
        try:
            return super().perform_job(job, queue)
        finally:
            request_id.current.reset(token)

    def heartbeat(self, timeout: int | None = None, pipeline: object = None) -> None:  # type: ignore[override]
        beat("worker")
        super().heartbeat(timeout, pipeline)  # type: ignore[arg-type]
        monitoring.beat(self.connection, "worker", self.name)


def register_periodic_jobs(app: Flask, scheduler: CronScheduler) -> None:
    """The relay (a safety net behind the after-commit hint), the sweeper and the registry's signal feed."""
    name = app.config["RQ_QUEUE"]
    scheduler.register(relay_outbox, name, interval=RELAY_INTERVAL_SECONDS, job_timeout=60)
    scheduler.register(sweep, name, interval=int(app.config["SWEEP_INTERVAL_SECONDS"]), job_timeout=300)
    scheduler.register(poll_signals, name, interval=int(app.config["SIGNALS_POLL_SECONDS"]), job_timeout=300)


class Stop:
    """Set by SIGTERM/SIGINT: the loops finish what they do and return."""

    def __init__(self) -> None:
        self.requested = False

    def install(self) -> None:
        signal.signal(signal.SIGTERM, self._request)
        signal.signal(signal.SIGINT, self._request)

    def _request(self, _signum: int, _frame: FrameType | None) -> None:
        self.requested = True

    def sleep(self, seconds: float) -> None:
        """Sleep up to ``seconds``, waking early on a stop request."""
        deadline = time.monotonic() + seconds
        while not self.requested and time.monotonic() < deadline:
            time.sleep(min(0.2, deadline - time.monotonic()))


def backoff(failures: int) -> float:
    return BACKOFF_SECONDS[min(failures, len(BACKOFF_SECONDS) - 1)]


def run_worker(queue: Queue, stop: Stop, *, burst: bool = False,
               make_worker: Callable[[Queue], SimpleWorker] | None = None) -> None:
    """RQ's worker, started again whenever it gives up on Redis, until a stop request (or, with
    ``burst``, the end of the queue)."""
    failures = 0
    while not stop.requested:
        worker = (make_worker or (lambda q: BeatingWorker([q], connection=q.connection,
                                                          worker_ttl=WORKER_TTL_SECONDS)))(queue)
        started = time.monotonic()
        try:
            worker.work(burst=burst, with_scheduler=False)
        except redis_lib.RedisError as error:  # before its loop: registering, cleaning registries
            log.warning("worker: Redis unreachable (%s); retrying", type(error).__name__)
        stop.install()  # RQ's loop installed its own handlers; a signal during the wait is ours again
        if burst or stop.requested or getattr(worker, "_stop_requested", False):
            return
        # RQ's loop returned without a stop request: it gave up on Redis (a timeout, a restart).
        failures = 0 if time.monotonic() - started > 60 else failures + 1
        log.warning("worker: the RQ loop ended on a Redis fault; starting it again in %.1f s", backoff(failures))
        stop.sleep(backoff(failures))


def run_cron(app: Flask, queue: Queue, stop: Stop, lock: LeaderLock) -> None:
    """The periodic jobs, while this process holds the leader lock; a standby otherwise."""
    scheduler: CronScheduler | None = None
    failures = 0
    active = False
    while not stop.requested:
        beat("cron")  # a standby is healthy too: it is ready to take over
        if not lock.hold():
            if active:
                log.warning("cron: lost the leader lock; standing by")
                active, scheduler = False, None
            stop.sleep(STANDBY_POLL_SECONDS)
            continue
        if not active:
            log.warning("cron %s: active (holds the leader lock)", os.getpid())
            active = True
        try:
            if scheduler is None:
                scheduler = CronScheduler(connection=queue.connection, name=f"onething-cron-{os.getpid()}")
                register_periodic_jobs(app, scheduler)
            if scheduler.enqueue_jobs():
                scheduler.save()
            monitoring.beat(queue.connection, "cron", str(os.getpid()))
            failures = 0
            pause = min(scheduler.calculate_sleep_interval(), STANDBY_POLL_SECONDS)
        except redis_lib.RedisError as error:
            pause = backoff(failures)
            failures += 1
            log.warning("cron: Redis unreachable (%s); retrying in %.1f s", type(error).__name__, pause)
        stop.sleep(pause)
    lock.release()


def main(argv: list[str]) -> None:
    """A worker (``burst``: until the queue is empty), or with ``cron`` the periodic jobs' scheduler."""
    if argv[:1] == ["check"]:
        sys.exit(check(argv[1] if len(argv) > 1 else "worker"))
    app = create_app()
    queue = queue_for(app)
    stop = Stop()
    stop.install()
    with app.app_context():
        if argv[:1] == ["cron"]:
            direct = app.config["LEADER_DATABASE_URL"]
            engine = make_engine(normalise_database_url(direct)) if direct else db.engine
            run_cron(app, queue, stop, LeaderLock(engine, CRON_LOCK_KEY))
        else:
            run_worker(queue, stop, burst=argv[:1] == ["burst"])
