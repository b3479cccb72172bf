"""Applications benchmark scenarios for ``bench.run``, and the dispatch throughput on its own.

Scenarios (declarative, through the real HTTP endpoints):

- ``applications: submit retirement`` — one submission per request, each on its own
  prepared draft with a fresh Idempotency-Key: prefill re-derived, the combined form
  validated, the application, one case per item, events and outbox rows written in one
  transaction. Goal: ≥ 4% of the bare-Flask baseline's req/s with p99 < 250 ms.
- ``applications: detail <bundle>`` — a submitted application with per-department
  progress and certificates. Goal: ≥ 25% of the baseline.

Dispatch throughput to the department simulator (real HTTP, signed webhooks) is not a
request scenario; run it on its own::

    python -m bench.bench_applications --dispatch 2000 --workers 4
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import subprocess
import sys
import threading
import time
import uuid
from typing import Any

from bench.harness import Scenario

DEMO_PERSONAS = {"birth": "zhangwei", "retirement": "lijianguo", "after-death": "chenming"}
DRAFTS_PER_BUNDLE = 3000
# A bundle about another person (a newborn, a deceased relative) is applied for once per person
# (docs/family.md: one active application per bundle and subject, a unique index), and the demo
# world has one of each: thousands of submissions about them would all but the first be refused.
# Submission is measured on retirement, whose path is the same (the guard's flush included).
SUBMITTED_MANY_TIMES = ("retirement",)


def scenarios(ctx: Any) -> list[Scenario]:
    found: list[Scenario] = []
    for bundle, persona_key in DEMO_PERSONAS.items():
        headers = ctx.sign_in(persona_key)
        with ctx.app.app_context():
            user_id = _user_id(ctx.app, persona_key)
            drafts = prepare_drafts(user_id, bundle, DRAFTS_PER_BUNDLE if bundle in SUBMITTED_MANY_TIMES else 0)
            submitted = submit_one(user_id, bundle)
        if bundle in SUBMITTED_MANY_TIMES:
            found.append(Scenario(f"applications: submit {bundle}", "POST", "/", headers,
                                  vary=submission(drafts, headers), expect=(201,)))
        found.append(Scenario(f"applications: detail {bundle}", "GET", f"/api/v1/applications/{submitted}", headers))
    # The guard under load: 陈丽 submits the after-death bundle for the father her brother already
    # applied for. Each attempt does the whole submission (prefill, form check, cases) and is refused
    # by the unique index at the application's flush, then rolled back.
    headers = ctx.sign_in("chenli")
    with ctx.app.app_context():
        drafts = prepare_drafts(_user_id(ctx.app, "chenli"), "after-death", DRAFTS_PER_BUNDLE)
    found.append(Scenario("applications: submit after-death, refused (the family already applied)", "POST", "/",
                          headers, vary=submission(drafts, headers), expect=(409,)))
    return found


def submission(drafts: list[tuple[str, int]], headers: dict[str, str]) -> Any:
    """Each call takes the next unused draft (shared across threads and the warm-up)."""
    counter = itertools.count()

    def vary(_number: int) -> tuple[str, dict[str, str], bytes]:
        number, version = drafts[next(counter) % len(drafts)]
        return (f"/api/v1/applications/{number}/submit", {**headers, "Idempotency-Key": uuid.uuid4().hex},
                json.dumps({"version": version}).encode())

    return vary


def _user_id(app: Any, persona_key: str) -> int:
    from sqlalchemy import select

    from bff.extensions import db
    from bff.store.models import User

    return int(db.session.scalar(select(User.id).where(User.subject == persona_key)))  # type: ignore[arg-type]


def prepare_drafts(user_id: int, bundle: str, count: int) -> list[tuple[str, int]]:
    """``count`` complete drafts of ``bundle`` for the user, written in one transaction."""
    from bff.core.applications import format_application_number
    from bff.core.calendar import china_date
    from bff.extensions import db
    from bff.services import catalog_adapter
    from bff.store.models import Application, utcnow
    from tests.api.application_helpers import complete_answers

    answers = complete_answers(bundle, user_id)
    now = utcnow()
    subject = catalog_adapter.check_bundle(bundle).subject
    rows = [Application(number=f"b-{uuid.uuid4().hex[:24]}", user_id=user_id, bundle=bundle, subject=subject,
                        catalog_version=catalog_adapter.catalog_version(), answers=answers,
                        created_at=now, updated_at=now) for _ in range(count)]
    db.session.add_all(rows)
    db.session.flush()
    for row in rows:
        row.number = format_application_number(china_date(now), row.id)
    db.session.commit()
    return [(row.number, row.version) for row in rows]


def submit_one(user_id: int, bundle: str) -> str:
    from bff.extensions import db
    from bff.services.applications import submit_application

    number, version = prepare_drafts(user_id, bundle, 1)[0]
    key_session = db.new_session()
    try:
        submit_application(db.session, key_session, user_id, number, uuid.uuid4().hex, {"version": version},
                           secret="bench")
    finally:
        key_session.close()
    return number


# --- Dispatch throughput ------------------------------------------------------------------------

def measure_dispatch(messages: int, workers: int) -> dict[str, float]:
    """Submit retirement applications until ``messages`` webhook cases exist, then time the relay
    and ``workers`` RQ worker processes delivering them to the simulator over HTTP."""
    from sqlalchemy import func, select

    from bench.run import REDIS_URL, prepare_database
    from bff.app import create_app
    from bff.extensions import db
    from bff.jobs.queue import queue_for
    from bff.jobs.tasks import relay_outbox
    from bff.simulator import DepartmentSimulator, Knobs, serve
    from bff.store.models import OutboxMessage

    database_url = prepare_database()
    simulator = DepartmentSimulator("bench-secret", Knobs(accept_delay=3600, failure_share=0.0))
    server = serve(simulator, port=0)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    app = create_app({"DATABASE_URL": database_url, "REDIS_URL": REDIS_URL, "LOG_LEVEL": "WARNING",
                      "DEPARTMENT_SIMULATOR_SECRET": "bench-secret",
                      "DEPARTMENT_SIMULATOR_URL": f"http://127.0.0.1:{server.server_port}",
                      "SIMULATED_DEPARTMENTS": "hrss,medical-insurance,housing-fund,civil-affairs"})
    with app.app_context():
        app.extensions["redis"].flushdb()
        from bench.run import Context

        Context(app, app.config["SESSION_COOKIE_NAME"]).sign_in("lijianguo")
        user_id = _user_id(app, "lijianguo")
        while db.session.scalar(select(func.count()).select_from(OutboxMessage)) < messages:
            submit_one(user_id, "retirement")
        queue = queue_for(app)
        queue.connection.flushdb()  # drop the after-commit hints: the relay enqueues everything
        total = 0
        while (enqueued := relay_outbox()) and total < messages:
            total += enqueued
            if enqueued < 500:
                break
        total = db.session.scalar(select(func.count()).select_from(OutboxMessage).where(
            OutboxMessage.topic == "case.submitted")) or 0  # the relay above also queued notifications
        environment = {**os.environ, "DATABASE_URL": database_url, "REDIS_URL": REDIS_URL,
                       "ONETHING_LOG_LEVEL": "WARNING", "ONETHING_DEPARTMENT_SIMULATOR_SECRET": "bench-secret",
                       "ONETHING_DEPARTMENT_SIMULATOR_URL": app.config["DEPARTMENT_SIMULATOR_URL"],
                       "ONETHING_SIMULATED_DEPARTMENTS": app.config["SIMULATED_DEPARTMENTS"]}
        started = time.perf_counter()
        processes = [subprocess.Popen([sys.executable, "-m", "bff.worker", "burst"], env=environment,  # noqa: S603
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) for _ in range(workers)]
        for process in processes:
            process.wait(600)
        seconds = time.perf_counter() - started
        done = db.session.scalar(select(func.count()).select_from(OutboxMessage).where(
            OutboxMessage.topic == "case.submitted", OutboxMessage.status == "done"))
    server.shutdown()
    return {"messages": total, "seconds": seconds, "per_second": (done or 0) / seconds, "delivered": done or 0,
            "received": len(simulator.received)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--dispatch", type=int, default=1000, help="webhook messages to deliver")
    parser.add_argument("--workers", type=int, default=4)
    args = parser.parse_args()
    result = measure_dispatch(args.dispatch, args.workers)
    print(f"dispatch to the simulator: {result['delivered']} of {result['messages']} queued messages delivered "
          f"in {result['seconds']:.1f}s = {result['per_second']:.0f}/s with {args.workers} worker processes "
          f"(simulator received {result['received']}; the rest wait for the relay's retry)")


if __name__ == "__main__":
    main()
