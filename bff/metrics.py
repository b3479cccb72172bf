"""Prometheus metrics: what the process counts as it works, and the state read at each scrape.

Under gunicorn each worker is a process; with ``PROMETHEUS_MULTIPROC_DIR`` set (the image sets it,
``gunicorn.conf.py`` empties it at start and marks dead workers), a scrape of any worker sums every
worker's counters and histograms. The deployment's state (outbox backlog, queue depth, circuits,
heartbeats) is read at scrape time by :mod:`bff.services.monitoring`, so it is the same whichever
process answers. Counters of the job processes (push outcomes) live in Redis, which every process
reads; a Redis restart resets them, as a process restart resets a counter, and Prometheus's
``rate()`` is built for that.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from typing import Any

from prometheus_client import CollectorRegistry, Gauge, Histogram, generate_latest, multiprocess
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import REGISTRY, Collector

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"

REQUEST_SECONDS = Histogram(
    "onething_http_request_duration_seconds", "Time to answer a request, by route",
    ["method", "route", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0))
SSE_CLIENTS = Gauge("onething_sse_clients", "Live event streams open in the web processes",
                    multiprocess_mode="livesum")


def observe_request(method: str, route: str, status: int, seconds: float) -> None:
    REQUEST_SECONDS.labels(method, route, str(status)).observe(seconds)


class StateCollector(Collector):
    """Families built at scrape time from a snapshot (a mapping the monitoring service fills)."""

    def __init__(self, snapshot: dict[str, Any]) -> None:
        self.snapshot = snapshot

    def collect(self) -> Iterator[Any]:
        s = self.snapshot
        yield _gauge("onething_outbox_backlog", "Outbox rows due and not done, by topic", "topic",
                     s["outbox_backlog"])
        yield _gauge("onething_outbox_oldest_age_seconds", "Age of the oldest due outbox row, by topic", "topic",
                     s["outbox_oldest_age"])
        yield _gauge("onething_outbox_dead", "Outbox rows set aside as dead (dead letters), by topic", "topic",
                     s["outbox_dead"])
        if s.get("redis_up") is not None:
            yield _gauge("onething_redis_up", "1 when Redis answered the scrape", None, {"": s["redis_up"]})
        yield _gauge("onething_rq_queue_depth", "Jobs waiting in the RQ queue", None, {"": s["queue_depth"]})
        yield _gauge("onething_department_circuit_open", "1 while a department's circuit breaker is open",
                     "department", s["circuits"])
        yield _gauge("onething_heartbeat_age_seconds", "Seconds since each worker or cron process last beat",
                     "process", s["heartbeats"])
        pushes = CounterMetricFamily("onething_push", "Web Push outcomes, by outcome", labels=["outcome"])
        for outcome, number in sorted(s["push_outcomes"].items()):
            pushes.add_metric([outcome], number)
        yield pushes


def _gauge(name: str, documentation: str, label: str | None, values: dict[str, float]) -> GaugeMetricFamily:
    family = GaugeMetricFamily(name, documentation, labels=[label] if label else [])
    for key, value in sorted(values.items()):
        family.add_metric([key] if label else [], value)
    return family


def exposition(extra: Iterable[Collector]) -> bytes:
    """The text exposition: this process's (or with multiprocess mode, every worker's) metrics,
    and ``extra`` collectors."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    else:
        registry = CollectorRegistry()
        registry.register(_Process())
    for collector in extra:
        registry.register(collector)
    return generate_latest(registry)


class _Process(Collector):
    """The default registry's families (ours and the process's) without registering ours twice."""

    def collect(self) -> Iterator[Any]:
        yield from REGISTRY.collect()
