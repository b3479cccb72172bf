"""The RQ worker entry, and the scheduler of periodic jobs.

    python -m bff.worker          # a worker on the jobs queue (with RQ's scheduler for enqueue_in)
    python -m bff.worker burst    # work until the queue is empty, then exit (benchmarks, one-off runs)
    python -m bff.worker cron     # the periodic jobs: outbox relay and sweeper

Run one ``cron`` process per deployment and as many workers as needed.
"""

from __future__ import annotations

from flask import Flask
from rq import SimpleWorker
from rq.cron import CronScheduler

from bff.app import create_app
from bff.jobs.queue import queue_for
from bff.jobs.tasks import poll_signals, relay_outbox, sweep

RELAY_INTERVAL_SECONDS = 5


def register_periodic_jobs(app: Flask, scheduler: CronScheduler) -> None:
    """The relay (a safety net behind the after-commit hint), the sweeper and the registry's signal feed."""
    name = app.config["RQ_QUEUE"]
    scheduler.register(relay_outbox, name, interval=RELAY_INTERVAL_SECONDS, job_timeout=60)
    scheduler.register(sweep, name, interval=int(app.config["SWEEP_INTERVAL_SECONDS"]), job_timeout=300)
    scheduler.register(poll_signals, name, interval=int(app.config["SIGNALS_POLL_SECONDS"]), job_timeout=300)


def main(argv: list[str]) -> None:
    """A worker (``burst``: until the queue is empty), or with ``cron`` the periodic jobs' scheduler."""
    app = create_app()
    queue = queue_for(app)
    with app.app_context():
        if argv[:1] == ["cron"]:
            scheduler = CronScheduler(connection=queue.connection, name="onething-cron")
            register_periodic_jobs(app, scheduler)
            scheduler.start()
        else:
            # SimpleWorker: no fork per job, so the SQLAlchemy pool is never shared across a fork.
            SimpleWorker([queue], connection=queue.connection).work(
                burst=argv[:1] == ["burst"], with_scheduler=argv[:1] != ["burst"])
