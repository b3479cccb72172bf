"""Routing cases to departments: the outbox relay, delivery, retries and the circuit breaker.

The flow (at-least-once; the department deduplicates on ``webhook-id``)::

    submit ──(same transaction)──► outbox row (pending)
    relay / after-commit hint ──► RQ job deliver_outbox_message(id)
    deliver: claim the row with a lease ─► gateway.deliver ─► done | retry later | dead

A claimed row is leased (``next_attempt_at`` pushed into the future) before the call,
so a worker killed mid-dispatch leaves a row that the relay picks up again when the
lease ends; Redis losing its queue loses nothing, because the rows are the truth.
"""

from __future__ import annotations

import json
import logging
import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from bff import outbox
from bff.adapters.departments.base import Delivery, DeliveryResult, DepartmentGateway
from bff.adapters.departments.signing import sign
from bff.adapters.departments.webhook import WebhookGateway
from bff.adapters.departments.workbench import WorkbenchGateway
from bff.core.applications import pick_fields
from bff.services.events import record_event
from bff.store import Session
from bff.store.models import Application, Case, OutboxMessage, utcnow
from bff.store.queries import outbox as queries

log = logging.getLogger("bff.dispatch")

TOPICS = outbox.CASE_TOPICS


@dataclass(frozen=True)
class DispatchSettings:
    departments: Mapping[str, Any]
    simulator_url: str
    simulated: frozenset[str]
    simulator_secret: str
    public_url: str
    max_attempts: int = 8
    backoff_base: float = 10.0
    backoff_cap: float = 3600.0
    timeout: float = 10.0
    lease: float = 60.0
    circuit_threshold: int = 5
    circuit_open: float = 30.0

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> DispatchSettings:
        departments = config.get("DEPARTMENTS") or {}
        if isinstance(departments, str):
            departments = json.loads(departments or "{}")
        simulated = config.get("SIMULATED_DEPARTMENTS") or ""
        if isinstance(simulated, str):
            simulated = [code.strip() for code in simulated.split(",") if code.strip()]
        return cls(departments=departments, simulator_url=config.get("DEPARTMENT_SIMULATOR_URL") or "",
                   simulated=frozenset(simulated), simulator_secret=config["DEPARTMENT_SIMULATOR_SECRET"],
                   public_url=config["PUBLIC_URL"].rstrip("/"),
                   max_attempts=int(config["DISPATCH_MAX_ATTEMPTS"]),
                   backoff_base=float(config["DISPATCH_BACKOFF_BASE_SECONDS"]),
                   backoff_cap=float(config["DISPATCH_BACKOFF_CAP_SECONDS"]),
                   timeout=float(config["DISPATCH_TIMEOUT_SECONDS"]),
                   lease=float(config["DISPATCH_LEASE_SECONDS"]),
                   circuit_threshold=int(config["CIRCUIT_FAILURE_THRESHOLD"]),
                   circuit_open=float(config["CIRCUIT_OPEN_SECONDS"]))

    def endpoint_for(self, department: str) -> dict[str, str] | None:
        """``{url, secret}`` of a department with its own system; ``None`` for the workbench."""
        configured = self.departments.get(department)
        if isinstance(configured, dict):
            return {"url": configured["url"], "secret": configured["secret"]}
        if configured is None and self.simulator_url and department in self.simulated:
            return {"url": f"{self.simulator_url.rstrip('/')}/departments/{department}/messages",
                    "secret": simulator_secret_for(self.simulator_secret, department)}
        return None

    def secret_for(self, department: str) -> str | None:
        endpoint = self.endpoint_for(department)
        return endpoint["secret"] if endpoint else None


def simulator_secret_for(master: str, department: str) -> str:
    """Per-department secrets for the demo simulator, derived from one development secret."""
    return sign(master, "department-secret", 0, department.encode()).removeprefix("v1,")


def gateway_for(settings: DispatchSettings, department: str) -> DepartmentGateway:
    endpoint = settings.endpoint_for(department)
    if endpoint is None:
        return WorkbenchGateway()
    return WebhookGateway(endpoint["url"], endpoint["secret"], timeout=settings.timeout)


def retry_delay(attempt: int, base: float, cap: float, rand: Callable[[], float] = random.random) -> float:
    """Exponential backoff with jitter: ``min(cap, base·2^(attempt-1))`` scaled into [50%, 100%]."""
    ceiling = min(cap, base * 2 ** max(attempt - 1, 0))
    return ceiling * (0.5 + rand() / 2)


class CircuitBreaker:
    """Per-department breaker in Redis (losing it only closes it again).

    ``threshold`` consecutive failures open it for ``open_seconds``; after that one trial
    call is let through (half-open); a success closes it, a failure opens it again.
    """

    def __init__(self, redis_client: Any, department: str, threshold: int, open_seconds: float) -> None:
        self.redis = redis_client
        self.key = f"circuit:{department}"
        self.threshold = threshold
        self.open_seconds = open_seconds

    def open_until(self) -> float | None:
        """``None`` when a call may go out now, else when the breaker will let one through."""
        value = self.redis.hget(self.key, "open_until")
        if value is None or float(value) <= time.time():
            if value is not None and not self.redis.set(f"{self.key}:trial", "1", nx=True,
                                                        ex=max(int(self.open_seconds), 1)):
                return time.time() + self.open_seconds  # someone else holds the half-open trial
            return None
        return float(value)

    def record_success(self) -> None:
        self.redis.delete(self.key, f"{self.key}:trial")

    def record_failure(self) -> None:
        failures = self.redis.hincrby(self.key, "failures", 1)
        if failures >= self.threshold:
            self.redis.hset(self.key, "open_until", time.time() + self.open_seconds)
            self.redis.delete(f"{self.key}:trial")
            log.warning("circuit open for %s after %s failures", self.key, failures)


# --- Outbox rows ------------------------------------------------------------------------------

def add_case_message(session: Session, case: Case, topic: str,
                     extra: Mapping[str, Any] | None = None) -> OutboxMessage:
    """Queue a message about ``case`` for its department (ids only: no personal data here).

    Not flushed: the caller's commit (or flush, when it needs the ids) writes them together;
    after that commit the message is handed to a delivery job at once (``bff.outbox``)."""
    assert topic in TOPICS
    return outbox.add(session, topic, {"case_id": case.id, **(extra or {})})


RELAY_GRACE_SECONDS = 30.0


def relay_due_messages(session: Session, limit: int = 500,
                       grace: float = RELAY_GRACE_SECONDS) -> list[tuple[int, datetime]]:
    """Due dispatch rows for the queue, each marked as queued for ``grace`` seconds (see bff.store.queries.outbox)."""
    return queries.relay_due(session, TOPICS, limit=limit, grace=grace)


def deliver_outbox_message(session: Session, message_id: int, settings: DispatchSettings,
                           redis_client: Any, token: datetime | None = None) -> str:
    """Deliver one outbox row to its department. Returns the outcome (for logs and tests)."""
    if not queries.claim(session, message_id, TOPICS, settings.lease, token):
        return "skipped"
    message = session.get(OutboxMessage, message_id)
    case = session.get(Case, message.payload["case_id"]) if message else None
    if message is None or case is None:
        return "skipped"
    if message.topic == "case.submitted" and case.status == "withdrawn" and case.dispatched_at is None:
        message.status, message.done_at, message.last_error = "done", utcnow(), "cancelled: withdrawn"
        session.commit()
        return "cancelled"
    breaker = CircuitBreaker(redis_client, case.department, settings.circuit_threshold, settings.circuit_open)
    blocked_until = breaker.open_until()
    if blocked_until is not None:
        message.next_attempt_at = datetime.fromtimestamp(blocked_until, tz=utcnow().tzinfo)
        session.commit()
        return "circuit_open"
    gateway = gateway_for(settings, case.department)
    delivery = build_delivery(session, message, case, settings)
    session.commit()  # no transaction stays open during the network call
    result = gateway.deliver(delivery)
    (breaker.record_success if result.delivered else breaker.record_failure)()
    return record_outcome(session, message_id, result, gateway.name, settings)


def build_delivery(session: Session, message: OutboxMessage, case: Case, settings: DispatchSettings) -> Delivery:
    """The department's message: only the fields its item declares (minimum necessary)."""
    application = session.get(Application, case.application_id)
    assert application is not None
    body: dict[str, Any] = {
        "case": {"reference": case.reference, "item": case.item, "department": case.department,
                 "application_number": application.number, "bundle": application.bundle,
                 "submitted_at": _iso(application.submitted_at), "due_on": _iso(case.due_on),
                 "time_limit_days": case.time_limit_days},
        "callback_url": f"{settings.public_url}/api/v1/departments/{case.department}/callbacks",
    }
    if message.topic in ("case.submitted", "case.supplemented"):
        body["fields"] = pick_fields(application.answers or {}, case.field_keys or [])
    if message.topic == "case.submitted" and case.inputs:
        # What other departments' decisions produced for this case: data runs, not the resident.
        body["inputs"] = {name: {"value": given["value"],
                                 "from": {key: given.get(key) for key in ("item", "reference", "department", "title")}}
                          for name, given in sorted(case.inputs.items())}
    if message.topic == "case.supplemented":
        body["supplement"] = {"fields": message.payload.get("fields", []),
                              "materials": message.payload.get("materials", [])}
    message_id = f"{message.topic}.{case.reference}"
    if message.topic == "case.supplemented":
        message_id += f".{message.id}"
    origin = message.payload.get("request_id")
    return Delivery(message_id=message_id, department=case.department, topic=message.topic, body=body,
                    request_id=origin if isinstance(origin, str) else None)


def record_outcome(session: Session, message_id: int, result: DeliveryResult, gateway: str,
                   settings: DispatchSettings) -> str:
    message = session.get(OutboxMessage, message_id)
    assert message is not None
    case = session.get(Case, message.payload["case_id"])
    application = session.get(Application, case.application_id) if case else None
    assert case is not None and application is not None
    message.attempts += 1
    now = utcnow()
    if result.delivered:
        message.status, message.done_at, message.last_error = "done", now, None
        if message.topic == "case.submitted":
            case.dispatched_at, case.gateway = case.dispatched_at or now, gateway
            case.flag = None if case.flag == "stuck" else case.flag
            case.external_id = result.external_id or case.external_id
            if case.status == "withdrawn":  # withdrawn while this delivery was on the wire
                add_case_message(session, case, "case.withdrawn")
        record_event(session, "case_dispatched", subject_user_id=application.user_id,
                     application_id=application.id, case=case.reference, department=case.department,
                     attempt=message.attempts, gateway=gateway)
        session.commit()
        return "delivered"
    dead = result.permanent or message.attempts >= settings.max_attempts
    message.last_error = result.error
    if dead:
        message.status = "dead"
        case.flag = "stuck"
        log.error("ALERT dead letter: outbox %s (%s) for %s after %s attempts: %s", message.id,
                  message.topic, case.department, message.attempts, result.error)
    else:
        delay = max(retry_delay(message.attempts, settings.backoff_base, settings.backoff_cap),
                    result.retry_after or 0)
        message.next_attempt_at = now + timedelta(seconds=delay)
    record_event(session, "case_dispatch_failed", subject_user_id=application.user_id,
                 application_id=application.id, case=case.reference, department=case.department,
                 attempt=message.attempts, error=(result.error or "")[:200], dead=dead)
    session.commit()
    return "dead" if dead else "retry"


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None
