"""Benchmark harness: servers under gunicorn + gevent, a closed-loop load generator, ratios.

Every figure is printed next to the bare-Flask baseline measured in the same
run under the same server settings, so the ratio (not the absolute number, which
depends on the machine) is what a note quotes.
"""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Scenario:
    name: str
    method: str
    path: str
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes | None = None
    # Called once per request to vary it (e.g. a fresh Idempotency-Key); returns (path, headers, body).
    vary: Callable[[int], tuple[str, dict[str, str], bytes | None]] | None = None
    expect: tuple[int, ...] = (200,)


@dataclass
class Result:
    name: str
    requests: int
    errors: int
    seconds: float
    latencies_ms: list[float]

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def percentile(self, p: float) -> float:
        if not self.latencies_ms:
            return float("nan")
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, int(len(ordered) * p / 100))]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_for_port(port: int, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"server on port {port} did not start")


class Server:
    """A gunicorn server with gevent workers, in its own process group."""

    def __init__(self, app: str, env: dict[str, str], workers: int = 1) -> None:
        self.port = free_port()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-k", "gevent", "-w", str(workers), "--worker-connections", "1000",
             "-b", f"127.0.0.1:{self.port}", "--log-level", "warning", app],
            cwd=ROOT, env=env, start_new_session=True)
        wait_for_port(self.port)

    def stop(self) -> None:
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(10)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            os.killpg(self.process.pid, signal.SIGKILL)


def load(port: int, scenario: Scenario, *, seconds: float = 5.0, concurrency: int = 8,
         max_requests: int = 200_000) -> Result:
    """Closed-loop load: ``concurrency`` keep-alive connections for ``seconds`` (bounded in count too)."""
    local = threading.local()

    def one_request(number: int) -> bool:
        if getattr(local, "connection", None) is None:
            local.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        path, headers, body = scenario.vary(number) if scenario.vary else (
            scenario.path, scenario.headers, scenario.body)
        try:
            local.connection.request(scenario.method, path, body=body, headers=headers)
            response = local.connection.getresponse()
            response.read()
        except (OSError, http.client.HTTPException):
            local.connection.close()
            local.connection = None
            return False
        return response.status in scenario.expect

    return load_flow(scenario.name, one_request, seconds=seconds, concurrency=concurrency, max_flows=max_requests)


def report(results: list[Result], baseline: Result, paired: list[Result] | None = None) -> str:
    """One line per result with its ratio to the baseline; with ``paired``, each result has its own
    baseline (measured in slices alternating with it), shown in the "base r/s" column."""
    bases = paired or [baseline] * len(results)
    lines = [f"{'scenario':<40} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7} {'base r/s':>9} {'ratio':>7}"]
    for result, base in [(baseline, baseline), *zip(results, bases, strict=True)]:
        ratio = result.rps / base.rps if base.rps else float("nan")
        lines.append(f"{result.name:<40} {result.rps:9.1f} {result.percentile(50):8.2f} "
                     f"{result.percentile(99):8.2f} {result.errors:7d} {base.rps:9.1f} {ratio:7.3f}")
    return "\n".join(lines)


def merge(name: str, parts: list[Result]) -> Result:
    """Several slices of one measurement as one result."""
    return Result(name, sum(p.requests for p in parts), sum(p.errors for p in parts),
                  sum(p.seconds for p in parts), [latency for p in parts for latency in p.latencies_ms])


def load_flow(name: str, flow: Callable[[int], bool], *, seconds: float = 5.0, concurrency: int = 8,
              max_flows: int = 50_000) -> Result:
    """Like :func:`load` for multi-request flows: ``flow(n)`` runs one whole flow, True if it completed."""
    latencies: list[float] = []
    errors = [0]
    counter = [0]
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def worker() -> None:
        while time.monotonic() < deadline:
            with lock:
                if counter[0] >= max_flows:
                    return
                counter[0] += 1
                number = counter[0]
            started = time.perf_counter()
            try:
                ok = flow(number)
            except Exception:  # noqa: BLE001 - a failed flow is counted, not raised
                ok = False
            with lock:
                latencies.append((time.perf_counter() - started) * 1000)
                errors[0] += 0 if ok else 1

    started = time.monotonic()
    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return Result(name, len(latencies), errors[0], time.monotonic() - started, latencies)
