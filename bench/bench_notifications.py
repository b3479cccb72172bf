"""Notification figures, each against a baseline measured in the same run:

1. Pushes delivered per second to the local fake push service (real HTTP, VAPID, aes128gcm),
   through the notify service's own send path, vs the raw pywebpush encryption rate (goal ≥ 50%).
2. Time from a signed department callback (gunicorn + gevent) to the push arriving at the push
   service, through the outbox, RQ worker processes and pywebpush: p50/p95 at a fixed rate of
   status changes (goal p95 ≤ 1 s at 200/s).
3. Concurrent SSE clients held by ONE gunicorn gevent worker, one event delivered to all
   (goal 2,000 clients within 2 s), and that worker's memory (psutil RSS).

    python -m bench.bench_notifications [--pushes 300] [--rate 200] [--seconds 8] [--workers 3] [--clients 2000]
    python -m bench.bench_notifications --only push --transport httpx-h2c   # the sender on httpx (docs/push-transport.md)

Everything runs on 127.0.0.1 with bounded loads. ``scenarios(ctx)`` is empty: these are not
request-throughput scenarios for ``bench.run``.
"""

from __future__ import annotations

import argparse
import json
import os
import selectors
import socket
import subprocess
import sys
import threading
import time
import uuid
from datetime import UTC, datetime
from typing import Any

import psutil
import requests

from bench.harness import ROOT, free_port, wait_for_port

PAYLOAD = json.dumps({"id": 1, "kind": "case_accepted", "title": "部门已受理您的申请", "number": "YJ202611260000017",
                      "url": "/app/applications/YJ202611260000017", "urgent": False}, ensure_ascii=False).encode()


def scenarios(ctx: Any) -> list[Any]:
    return []


class PushServiceProcess:
    """The fake push service (tests/fakes/push_service.py) in its own process, so that its decryption
    does not share the sender's GIL, as a real push service would not. It serves HTTP/1.1 with
    keep-alive on asyncio: it spends its CPU on what a push service must do (verify the VAPID JWT,
    decrypt the payload), not on a general-purpose server's request handling."""

    def __init__(self, check_every: int = 1) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.fakes.push_service", str(self.port), str(check_every)],
            cwd=ROOT, start_new_session=True)
        wait_for_port(self.port)

    def new_subscriber(self) -> dict[str, Any]:
        return dict(requests.post(f"{self.url}/subscribers", timeout=10).json())

    def delivered(self) -> list[list[Any]]:
        return list(requests.get(f"{self.url}/delivered", timeout=30).json())

    def wait_for(self, count: int, timeout: float, kind: str | None = None) -> list[list[Any]]:
        """What arrived, once ``count`` pushes (of ``kind``, if given) have, or ``timeout`` is over."""
        deadline = time.monotonic() + timeout
        while True:
            received = self.delivered()
            if sum(1 for item in received if kind in (None, item[0])) >= count or time.monotonic() > deadline:
                return received
            time.sleep(0.2)

    def stop(self) -> None:
        _stop(self.process)


DB_NAME = "onething_bench_notifications"  # its own: other benches drop theirs when they start


def prepare_database() -> str:
    from bench.run import prepare_database as prepare_named

    return prepare_named(DB_NAME)


def claim_redis_database() -> str:
    """A Redis database number nobody else (tests, other benches) holds, claimed as the tests do."""
    import atexit

    import redis as redis_lib

    server = os.environ.get("BENCH_REDIS_SERVER", "redis://127.0.0.1:6379")
    admin = redis_lib.Redis.from_url(f"{server}/0")
    for number in range(15, 0, -1):
        if admin.set(f"onething-test-claim:{number}", f"bench-notifications:{os.getpid()}", nx=True, ex=3600):
            atexit.register(admin.delete, f"onething-test-claim:{number}")
            return f"{server}/{number}"
    raise RuntimeError("no free Redis database number")


def make_app() -> tuple[Any, str, dict[str, str]]:
    from bff.app import create_app

    database_url, redis_url = prepare_database(), claim_redis_database()
    config = {"DATABASE_URL": database_url, "REDIS_URL": redis_url, "LOG_LEVEL": "WARNING",
              "DEPARTMENT_SIMULATOR_URL": "http://127.0.0.1:9", "DEPARTMENT_SIMULATOR_SECRET": "bench-secret",
              "SIMULATED_DEPARTMENTS": "hrss,medical-insurance,housing-fund",
              "PUSH_EXTRA_HOSTS": "127.0.0.1"}  # the fake push service runs on this machine
    app = create_app(config)
    env = {**os.environ, "DATABASE_URL": database_url, "REDIS_URL": redis_url, "ONETHING_LOG_LEVEL": "WARNING",
           "ONETHING_DEPARTMENT_SIMULATOR_URL": config["DEPARTMENT_SIMULATOR_URL"],
           "ONETHING_DEPARTMENT_SIMULATOR_SECRET": "bench-secret",
           "ONETHING_SIMULATED_DEPARTMENTS": config["SIMULATED_DEPARTMENTS"],
           "ONETHING_PUSH_EXTRA_HOSTS": config["PUSH_EXTRA_HOSTS"],
           "ONETHING_VAR_DIR": str(ROOT / "var")}
    with app.app_context():
        app.extensions["redis"].flushdb()
    return app, database_url, env


def sign_in(app: Any, persona_key: str) -> tuple[int, str]:
    from bench.run import Context

    headers = Context(app, app.config["SESSION_COOKIE_NAME"]).sign_in(persona_key)
    from sqlalchemy import select

    from bff.extensions import db
    from bff.store.models import User

    with app.app_context():
        user_id = int(db.session.scalar(select(User.id).where(User.subject == persona_key)))  # type: ignore[arg-type]
    return user_id, headers["Cookie"]


def add_devices(app: Any, user_id: int, subscribers: list[Any]) -> None:
    from bff.extensions import db
    from bff.services.notifications.devices import subscribe_device

    with app.app_context():
        for subscriber in subscribers:
            subscribe_device(db.session, user_id, subscriber, "bench", allow_http=True,
                             extra_hosts=frozenset({"127.0.0.1"}))


# --- 1. Push throughput vs raw encryption ------------------------------------------------------

def measure_push_rate(app: Any, pushes: int, check_every: int, rounds: int = 5,
                      transport: str = "selector") -> dict[str, float]:
    """Both rates in the same conditions: ``rounds`` interleaved rounds (encrypt every push, then
    deliver the notification to every device), the median round of each. ``transport`` names the
    sender's transport (:func:`bff.adapters.push.sender.make_transport`)."""
    from dataclasses import replace
    from statistics import median

    from pywebpush import WebPusher
    from sqlalchemy import delete

    from bff.extensions import db
    from bff.jobs.tasks import notifier_for
    from bff.services.notifications import channels
    from bff.services.notifications.devices import vapid_for
    from bff.store.notification_models import Notification, PushSubscription

    service = PushServiceProcess(check_every)
    try:
        subscribers = [service.new_subscriber() for _ in range(pushes)]
        user_id, _ = sign_in(app, "zhangwei")
        with app.app_context():  # devices of an earlier run point at a push service that is gone
            db.session.execute(delete(PushSubscription).where(PushSubscription.user_id == user_id))
            db.session.commit()
        add_devices(app, user_id, subscribers)
        encrypt_rates, delivered_rates, delivered, cpu_seconds = [], [], 0, 0.0
        sender = push_sender(vapid_for(app), app.config["VAPID_SUBJECT"], transport,
                             float(app.config["PUSH_TIMEOUT_SECONDS"]))
        notifier = replace(notifier_for(app), push=sender)
        with app.app_context():
            row = Notification(user_id=user_id, kind="case_accepted", title_zh="部门已受理", title_en="Accepted",
                               application_number="YJ202611260000017", link="/app/inbox", urgency="normal")
            db.session.add(row)
            db.session.commit()
            channels.deliver_notification(db.session, row.id, notifier)  # warm-up: connections, JWT
            for _ in range(rounds):
                started = time.perf_counter()
                for subscriber in subscribers:
                    WebPusher(subscriber).encode(PAYLOAD, "aes128gcm")
                encrypt_rates.append(pushes / (time.perf_counter() - started))
                before = len(service.delivered())
                started, cpu_started = time.perf_counter(), time.process_time()
                channels.deliver_notification(db.session, row.id, notifier)
                seconds = time.perf_counter() - started
                cpu_seconds += time.process_time() - cpu_started
                arrived = len(service.delivered()) - before
                delivered += arrived
                delivered_rates.append(arrived / seconds)
    finally:
        sender.close()
        service.stop()
    encrypt_rate, delivered_rate = median(encrypt_rates), median(delivered_rates)
    return {"encrypt_per_s": encrypt_rate, "delivered_per_s": delivered_rate, "delivered": delivered,
            "rounds": rounds, "ratio": delivered_rate / encrypt_rate,
            "sender_cpu_us": cpu_seconds * 1e6 / max(delivered, 1),
            "spread": f"{min(delivered_rates):.0f}–{max(delivered_rates):.0f}/s vs "
                      f"{min(encrypt_rates):.0f}–{max(encrypt_rates):.0f}/s"}


def push_sender(vapid: Any, subject: str, transport: str, timeout: float) -> Any:
    """The production sender; with ``httpx`` or ``httpx-h2c`` (HTTP/2 without TLS, as the local fake push
    service is plain http) its pushes go through httpx instead of the home-made HTTP/1.1 client."""
    import ssl

    import certifi

    from bff.adapters.push.sender import WebPushSender
    from bff.adapters.push.transport.resolve import Destinations

    local = Destinations.of({"127.0.0.1"}, production=False)  # the fake push service runs on this machine
    if transport == "selector":
        return WebPushSender(vapid, subject, timeout=timeout, destinations=local)
    from bench.push_httpx import HttpxTransport

    verified = ssl.create_default_context(cafile=certifi.where())
    return WebPushSender(vapid, subject, timeout=timeout, destinations=local, transport=HttpxTransport(
        timeout, 16, verified, prior_knowledge=transport == "httpx-h2c"))


# --- 2. Department callback → push delivered ---------------------------------------------------

def prepare_cases(app: Any, count: int) -> tuple[int, list[tuple[str, str]]]:
    """``count`` submitted retirement applications; returns (user id, [(number, hrss case ref)])."""
    from sqlalchemy import select

    from bench.bench_applications import submit_one
    from bff.extensions import db
    from bff.store.models import Application, Case

    user_id, _ = sign_in(app, "lijianguo")
    pairs = []
    with app.app_context():
        for _ in range(count):
            number = submit_one(user_id, "retirement")
            reference = db.session.scalar(select(Case.reference).join(Application, Application.id == Case.application_id)
                                          .where(Application.number == number, Case.department == "hrss",
                                                 Case.status == "submitted"))  # sent: not waiting for another
            pairs.append((number, reference))
    return user_id, pairs


def measure_callback_to_push(app: Any, env: dict[str, str], rate: float, seconds: float, workers: int,
                             servers: int = 2, senders: int = 32) -> dict[str, Any]:
    """Open loop: status changes are due at a fixed rate and timed from when they are due, whatever
    the load generator's own delays. ``senders`` threads post them over kept-alive connections (as a
    department system would) to a gunicorn with ``servers`` gevent workers (one per core, as production)."""
    import http.client
    import queue as queue_lib

    from sqlalchemy import update

    from bff.adapters.departments.signing import signed_headers
    from bff.extensions import db
    from bff.jobs.queue import queue_for
    from bff.services.dispatch import simulator_secret_for
    from bff.store.models import OutboxMessage

    count = int(rate * seconds)
    user_id, pairs = prepare_cases(app, count)
    service = PushServiceProcess()
    add_devices(app, user_id, [service.new_subscriber()])
    with app.app_context():  # setup's work (dispatch, "submitted" pushes) is not measured
        queue_for(app).connection.flushdb()
        db.session.execute(update(OutboxMessage).where(OutboxMessage.status == "pending").values(status="done"))
        db.session.commit()
    port = free_port()
    server = start_gunicorn(env, port, connections=1000, workers=servers)
    worker_processes = [subprocess.Popen([sys.executable, "-m", "bff.worker"], cwd=ROOT, env=env, start_new_session=True,
                                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) for _ in range(workers)]
    secret = simulator_secret_for("bench-secret", "hrss")
    due_at: dict[str, float] = {}  # wall clock, to compare with the push service's arrival times
    answered_in: list[float] = []
    answered_at: dict[str, float] = {}
    errors = [0]
    work: queue_lib.Queue[tuple[str, float, bytes, dict[str, str]] | None] = queue_lib.Queue()

    def sender() -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        while (item := work.get()) is not None:
            number, due, body, headers = item
            try:
                connection.request("POST", "/api/v1/departments/hrss/callbacks", body=body, headers=headers)
                response = connection.getresponse()
                text = response.read()
                status = response.status
            except (OSError, http.client.HTTPException) as error:
                connection.close()
                status, text = 0, repr(error).encode()
            answered_at[number] = time.time()
            answered_in.append(time.perf_counter() - due)
            if status != 200:
                errors[0] += 1
                if errors[0] == 1:
                    print(f"first callback error: {status} {text[:200]!r}")
        connection.close()

    threads = [threading.Thread(target=sender, daemon=True) for _ in range(senders)]
    try:
        time.sleep(float(os.environ.get("BENCH_WARMUP_SECONDS", "6")))  # workers up (app, VAPID key)
        for thread in threads:
            thread.start()
        groups = {"callback server": [server], "RQ workers": worker_processes, "push service": [service.process]}
        cpu_before = _cpu_seconds(groups)
        started = time.perf_counter()
        for index, (number, reference) in enumerate(pairs):
            due = started + index / rate
            time.sleep(max(due - time.perf_counter(), 0))
            due_at[number] = time.time() - (time.perf_counter() - due)
            body = json.dumps({"case": reference, "status": "accepted",
                               "occurred_at": datetime.now(UTC).isoformat()}).encode()
            work.put((number, due, body, {**signed_headers(secret, uuid.uuid4().hex, body),
                                          "Content-Type": "application/json"}))
        offered = len(pairs) / (time.perf_counter() - started)
        for _ in threads:
            work.put(None)
        received = service.wait_for(len(pairs), timeout=60, kind="case_accepted")
        cpu_after = _cpu_seconds(groups)
        latencies = sorted(at - due_at[number] for kind, number, at in received
                           if kind == "case_accepted" and number in due_at)
        after_answer = sorted(at - answered_at[number] for kind, number, at in received
                              if kind == "case_accepted" and number in answered_at)
    finally:
        for process in [*worker_processes, server]:
            _stop(process)
        service.stop()
    return {"changes": len(pairs), "offered_per_s": offered, "delivered": len(latencies), "errors": errors[0],
            "servers": servers, "p50_ms": _percentile(latencies, 50) * 1000, "p95_ms": _percentile(latencies, 95) * 1000,
            "callback_p95_ms": _percentile(sorted(answered_in), 95) * 1000,
            "after_answer_p95_ms": _percentile(after_answer, 95) * 1000,
            "cpu_ms_per_change": {name: seconds * 1000 / len(pairs)
                                  for name, seconds in _cpu_used(cpu_before, cpu_after).items()}}


def _cpu_seconds(groups: dict[str, list[subprocess.Popen[bytes]]]) -> dict[str, dict[int, float]]:
    """CPU seconds (user + system) used so far by each process of each group (with their children),
    by PostgreSQL's processes, and by this process (the load generator), per process id."""
    def used(process: psutil.Process) -> float:
        try:
            times = process.cpu_times()
            return float(times.user + times.system)
        except psutil.Error:
            return 0.0

    totals: dict[str, dict[int, float]] = {}
    for name, processes in groups.items():
        for process in processes:
            root = psutil.Process(process.pid)
            for member in [root, *root.children(True)]:
                totals.setdefault(name, {})[member.pid] = used(member)
    totals["PostgreSQL"] = {process.pid: used(process) for process in psutil.process_iter(["name"])
                            if process.info["name"] in ("postgres", "postmaster")}
    totals["load generator"] = {os.getpid(): used(psutil.Process())}
    return totals


def _cpu_used(before: dict[str, dict[int, float]], after: dict[str, dict[int, float]]) -> dict[str, float]:
    """Seconds used between the two samples per group (a process started in between counts whole)."""
    return {name: sum(seconds - before.get(name, {}).get(pid, 0.0) for pid, seconds in pids.items())
            for name, pids in after.items()}


def _percentile(values: list[float], pct: float) -> float:
    if not values:
        return float("nan")
    return values[min(len(values) - 1, int(len(values) * pct / 100))]


# --- 3. SSE clients on one gevent worker -------------------------------------------------------

def measure_sse(app: Any, env: dict[str, str], clients: int) -> dict[str, Any]:
    from bff.extensions import db
    from bff.services.events import record_event

    user_id, cookie = sign_in(app, "wangfang")
    port = free_port()
    server = start_gunicorn(env, port, connections=clients + 200)
    try:
        worker = _worker_of(server)
        rss_before = worker.memory_info().rss
        selector = selectors.DefaultSelector()
        connected_at = time.perf_counter()
        for _ in range(clients):
            sock = socket.create_connection(("127.0.0.1", port))
            sock.sendall(f"GET /api/v1/events/stream HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: {cookie}\r\n"
                         "Accept: text/event-stream\r\n\r\n".encode())
            sock.setblocking(False)
            selector.register(sock, selectors.EVENT_READ, data=bytearray())
        ready = _read_until(selector, b"id: ", clients, timeout=60)
        connect_seconds = time.perf_counter() - connected_at
        rss_after = worker.memory_info().rss
        with app.app_context():
            record_event(db.session, "case_transitioned", subject_user_id=user_id, case="bench", department="hrss",
                         to="accepted", **{"from": "submitted"})
            started = time.perf_counter()
            db.session.commit()
        delivered = _read_until(selector, b"event: case_transitioned", clients, timeout=30)
        delivery_seconds = time.perf_counter() - started
        for key in list(selector.get_map().values()):
            key.fileobj.close()  # type: ignore[union-attr]
    finally:
        _stop(server)
    return {"clients": clients, "connected": ready, "connect_s": connect_seconds, "delivered": delivered,
            "delivered_within_s": delivery_seconds, "worker_rss_mb": rss_after / 2**20,
            "per_client_kb": (rss_after - rss_before) / max(ready, 1) / 1024}


def _read_until(selector: selectors.BaseSelector, marker: bytes, wanted: int, timeout: float) -> int:
    """Read every socket until ``wanted`` of them have seen ``marker`` since the last call."""
    done: set[int] = set()
    for key in selector.get_map().values():
        key.data.clear()  # type: ignore[union-attr]
    deadline = time.monotonic() + timeout
    while len(done) < wanted and time.monotonic() < deadline:
        for key, _ in selector.select(timeout=0.5):
            try:
                chunk = key.fileobj.recv(65536)  # type: ignore[union-attr]
            except BlockingIOError:
                continue
            key.data.extend(chunk)  # type: ignore[union-attr]
            if marker in key.data:
                done.add(key.fd)
    return len(done)


def start_gunicorn(env: dict[str, str], port: int, connections: int, workers: int = 1) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-k", "gevent", "-w", str(workers), "--worker-connections", str(connections),
         "-b", f"127.0.0.1:{port}", "--log-level", "warning", "wsgi:app"],
        cwd=ROOT, env=env, start_new_session=True)
    wait_for_port(port)
    return process


def _worker_of(server: subprocess.Popen[bytes]) -> psutil.Process:
    for _ in range(50):
        children = psutil.Process(server.pid).children()
        if children:
            return children[0]
        time.sleep(0.1)
    raise RuntimeError("gunicorn worker did not start")


def _stop(process: subprocess.Popen[bytes]) -> None:
    try:
        os.killpg(process.pid, 15)
        process.wait(10)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        os.killpg(process.pid, 9)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pushes", type=int, default=300)
    parser.add_argument("--rate", type=float, default=200.0, help="status changes per second")
    parser.add_argument("--seconds", type=float, default=8.0, help="how long status changes are offered")
    parser.add_argument("--workers", type=int, default=3, help="RQ worker processes")
    parser.add_argument("--clients", type=int, default=2000, help="SSE clients")
    parser.add_argument("--servers", type=int, default=2,
                        help="gevent workers answering the callbacks (one per core, as production)")
    parser.add_argument("--check-every", type=int, default=10,
                        help="second push run: the fake push service verifies and decrypts 1 push in n")
    parser.add_argument("--only", default="", help="push | callback | sse")
    parser.add_argument("--transport", default="selector", choices=("selector", "httpx", "httpx-h2c"),
                        help="push run: the sender's transport (httpx-h2c: httpx over HTTP/2 to the fake service)")
    args = parser.parse_args()
    app, _, env = make_app()
    print(f"OneThing notifications benchmark, {time.strftime('%Y-%m-%d %H:%M')}, {os.cpu_count()} CPUs\n")
    if args.only in ("", "push"):
        for check_every in sorted({1, args.check_every}):
            push = measure_push_rate(app, args.pushes, check_every, transport=args.transport)
            print(f"push ({args.transport}): raw pywebpush encryption {push['encrypt_per_s']:.0f}/s; "
                  f"delivered to the fake push service {push['delivered_per_s']:.0f}/s "
                  f"({push['delivered']} pushes in {push['rounds']} rounds, medians; "
                  f"the service verifying and decrypting 1 in {check_every}); ratio {push['ratio']:.0%} (goal ≥ 50%); "
                  f"rounds {push['spread']}; the sending process's CPU {push['sender_cpu_us']:.0f} µs per push")
    if args.only in ("", "callback"):
        result = measure_callback_to_push(app, env, args.rate, args.seconds, args.workers, args.servers)
        print(f"callback→push: {result['changes']} status changes offered at {result['offered_per_s']:.0f}/s, "
              f"{result['servers']} gevent workers, {args.workers} RQ workers; "
              f"delivered {result['delivered']}, callback errors {result['errors']}; "
              f"p50 {result['p50_ms']:.0f} ms, p95 {result['p95_ms']:.0f} ms (goal p95 ≤ 1000 ms at 200/s); "
              f"the callback's own answer p95 {result['callback_p95_ms']:.0f} ms, "
              f"its answer to the push p95 {result['after_answer_p95_ms']:.0f} ms")
        print("  CPU per status change while measured: " + ", ".join(
            f"{name} {ms:.1f} ms" for name, ms in result["cpu_ms_per_change"].items()))
    if args.only in ("", "sse"):
        sse = measure_sse(app, env, args.clients)
        print(f"sse: {sse['connected']}/{sse['clients']} clients held by one gevent worker (connected in "
              f"{sse['connect_s']:.1f} s); one event delivered to {sse['delivered']} in {sse['delivered_within_s']:.2f} s "
              f"(goal 2,000 within 2 s); worker RSS {sse['worker_rss_mb']:.0f} MB, "
              f"{sse['per_client_kb']:.0f} KB per client")


if __name__ == "__main__":
    main()
