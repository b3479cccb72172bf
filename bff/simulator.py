"""A department simulator: behaves like the departments' own systems over the webhook protocol.

    flask --app wsgi:app simulate-departments --port 8002

It receives signed ``case.submitted`` / ``case.supplemented`` / ``case.withdrawn``
messages at ``POST /departments/<code>/messages`` (each department with its own
secret, derived like the BFF derives it), and answers like a department would:

- fails a configurable share of requests with 503 (before doing anything, so the
  BFF's retry is safe), and deduplicates on ``webhook-id`` and the case reference;
- accepts the case after ``accept_delay`` seconds (a signed callback to the BFF);
- asks for a supplement in a configurable share of cases (one declared field), and
  goes on once the resident's supplement arrives;
- approves (or rejects a configurable share) after ``decide_delay`` seconds, with what the item
  produces (a birth registration creates the newborn's citizen ID number);
- refuses for good (422) a case whose item consumes data from another department's decision
  that the message does not carry (``inputs``), and echoes what it used in its decision.

Callbacks are retried a few times if the BFF does not answer 2xx. State is in memory:
the simulator is a demo and load-test tool, not a system of record.
"""

from __future__ import annotations

import heapq
import itertools
import json
import logging
import random
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import requests
from werkzeug.serving import BaseWSGIServer, make_server
from werkzeug.wrappers import Request, Response

from bff.adapters.departments.signing import SignatureInvalid, signed_headers, verify
from bff.core.catalog import default_catalog
from bff.core.clock import china_today, utc_now
from bff.core.idnumber import make_id_number
from bff.services.dispatch import simulator_secret_for

log = logging.getLogger("bff.simulator")


@dataclass
class Knobs:
    accept_delay: float = 2.0
    decide_delay: float = 8.0
    supplement_share: float = 0.2
    reject_share: float = 0.05
    failure_share: float = 0.1
    # Share of cases the department acknowledges and then loses (a restore from an old backup,
    # a bug): only the BFF's reconciliation (the status query, then redelivery) finds them.
    forget_share: float = 0.0
    callback_attempts: int = 5
    seed: int | None = None


@dataclass
class SimulatedCase:
    department: str
    reference: str
    fields: list[str]
    callback_url: str
    status: str = "received"
    asked_supplement: bool = False
    withdrawn: bool = False
    history: list[str] = field(default_factory=list)
    item: str = ""
    inputs: dict[str, str] = field(default_factory=dict)
    answers: dict[str, Any] = field(default_factory=dict)
    last: dict[str, Any] = field(default_factory=dict)  # the body of its last callback


class Timeline:
    """A single scheduler thread running callbacks at their due time."""

    def __init__(self) -> None:
        self._heap: list[tuple[float, int, Callable[[], None]]] = []
        self._counter = itertools.count()
        self._wake = threading.Condition()
        self._stopped = False
        self._thread = threading.Thread(target=self._run, name="simulator-timeline", daemon=True)
        self._thread.start()

    def at(self, delay: float, action: Callable[[], None]) -> None:
        with self._wake:
            heapq.heappush(self._heap, (time.monotonic() + delay, next(self._counter), action))
            self._wake.notify()

    def stop(self) -> None:
        with self._wake:
            self._stopped = True
            self._wake.notify()

    def _run(self) -> None:
        while True:
            with self._wake:
                while not self._stopped and (not self._heap or self._heap[0][0] > time.monotonic()):
                    self._wake.wait(timeout=(self._heap[0][0] - time.monotonic()) if self._heap else None)
                if self._stopped:
                    return
                _, _, action = heapq.heappop(self._heap)
            threading.Thread(target=_safely, args=(action,), daemon=True).start()


def _safely(action: Callable[[], None]) -> None:
    try:
        action()
    except Exception:  # noqa: BLE001 - one failed callback must not stop the simulator
        log.exception("simulator action failed")


class DepartmentSimulator:
    """The WSGI app plus the departments' behaviour."""

    def __init__(self, master_secret: str, knobs: Knobs | None = None) -> None:
        self.master_secret = master_secret
        self.knobs = knobs or Knobs()
        self.random = random.Random(self.knobs.seed)
        self.cases: dict[str, SimulatedCase] = {}
        self.seen_messages: set[str] = set()
        self.received: list[tuple[str, str]] = []  # (message id, topic) of every accepted message
        self.request_ids: dict[str, str] = {}  # message id -> the X-Request-Id it came with
        self.lock = threading.RLock()
        self.timeline = Timeline()
        self.http = requests.Session()

    def secret(self, department: str) -> str:
        return simulator_secret_for(self.master_secret, department)

    # --- HTTP ---------------------------------------------------------------------------------

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        request = Request(environ)
        return self.respond(request)(environ, start_response)

    def respond(self, request: Request) -> Response:
        parts = request.path.strip("/").split("/")
        if request.method == "GET" and request.path == "/healthz":
            return _json({"status": "ok", "cases": len(self.cases)})
        if request.method == "GET" and len(parts) == 4 and parts[0] == "departments" and parts[2] == "cases":
            return self.status(parts[1], parts[3], request.headers)
        if request.method != "POST" or len(parts) != 3 or parts[0] != "departments" or parts[2] != "messages":
            return _json({"error": "not found"}, 404)
        department, body = parts[1], request.get_data()
        try:
            message_id = verify(self.secret(department), request.headers, body)
        except SignatureInvalid as error:
            return _json({"error": str(error)}, 401)
        if self.random.random() < self.knobs.failure_share:
            return _json({"error": "simulated outage"}, 503)
        if request.headers.get("X-Request-Id"):
            self.request_ids[message_id] = request.headers["X-Request-Id"]
        return self.receive(department, message_id, json.loads(body))

    def receive(self, department: str, message_id: str, message: dict[str, Any]) -> Response:
        reference = message["case"]["reference"]
        if message["type"] == "case.submitted":
            missing = missing_inputs(message)
            if missing:  # nothing is recorded: the same message would be refused again
                return _json({"error": "missing_inputs", "missing": missing,
                              "message": f"case {reference} lacks data it consumes: {', '.join(missing)}"}, 422)
        with self.lock:
            if message_id in self.seen_messages:
                return _json({"external_id": f"SIM-{reference}", "duplicate": True})
            self.seen_messages.add(message_id)
            self.received.append((message_id, message["type"]))
            case = self.cases.get(reference)
            if message["type"] == "case.submitted" and case is None:
                case = SimulatedCase(department, reference, list(message.get("fields", {})), message["callback_url"],
                                     item=str(message["case"].get("item", "")),
                                     inputs={name: given["value"] for name, given in (message.get("inputs") or {}).items()},
                                     answers=dict(message.get("fields") or {}))
                self.cases[reference] = case
                if self.random.random() < self.knobs.forget_share:
                    self.forget(reference)  # acknowledged below, and lost
                else:
                    self.timeline.at(self.knobs.accept_delay, lambda: self.accept(case))
            elif message["type"] == "case.supplemented" and case is not None:
                self.timeline.at(self.knobs.decide_delay, lambda: self.decide(case))
            elif message["type"] == "case.withdrawn" and case is not None:
                case.withdrawn = True
        return _json({"external_id": f"SIM-{reference}"}, 202)

    def status(self, department: str, reference: str, headers: Any) -> Response:
        """The status query: what the department holds of a case (404: nothing)."""
        try:
            message_id = verify(self.secret(department), headers, b"")
        except SignatureInvalid as error:
            return _json({"error": str(error)}, 401)
        if message_id != f"status.{reference}":
            return _json({"error": "the signed id names another case"}, 401)
        with self.lock:
            case = self.cases.get(reference)
            if case is None or case.department != department:
                return _json({"error": "unknown case"}, 404)
            last = dict(case.last) or {"case": reference, "status": "submitted", "external_id": f"SIM-{reference}",
                                       "occurred_at": utc_now().isoformat()}
        return _json(last)

    def forget(self, reference: str) -> None:
        """Lose a case and every message about it, as a department restored from an old backup would."""
        with self.lock:
            self.cases.pop(reference, None)
            self.seen_messages = {mid for mid in self.seen_messages if not mid.endswith(reference)
                                  and f".{reference}." not in mid}

    # --- Behaviour ----------------------------------------------------------------------------

    def accept(self, case: SimulatedCase) -> None:
        if case.withdrawn:
            return
        self.callback(case, "accepted")
        if case.fields and self.random.random() < self.knobs.supplement_share:
            case.asked_supplement = True
            self.callback(case, "supplement_requested", message="请核对并补正以下信息。",
                          message_en="Please check and correct the following.",
                          fields=[case.fields[0]], materials=[])
            return  # waits for case.supplemented
        self.timeline.at(self.knobs.decide_delay, lambda: self.decide(case))

    def decide(self, case: SimulatedCase) -> None:
        if case.withdrawn or case.status in ("approved", "rejected"):
            return
        self.callback(case, "processing")
        if self.random.random() < self.knobs.reject_share:
            self.callback(case, "rejected", reason="模拟：材料不符合要求。",
                          reason_en="Simulated: the materials do not qualify.")
        else:
            self.callback(case, "approved", certificate={"number": f"SIM-EC-{case.reference}"},
                          outputs=outputs_of(case, self.random), basis=dict(case.inputs))

    def callback(self, case: SimulatedCase, status: str, **extra: Any) -> bool:
        case.status = status
        case.history.append(status)
        case.last = {"case": case.reference, "status": status, "external_id": f"SIM-{case.reference}",
                     "occurred_at": utc_now().isoformat(), **extra}
        body = json.dumps(case.last, ensure_ascii=False).encode()
        event_id = f"sim-{uuid.uuid4().hex}"
        for attempt in range(self.knobs.callback_attempts):
            try:
                response = self.http.post(case.callback_url, data=body, timeout=10,
                                          headers=signed_headers(self.secret(case.department), event_id, body))
                if response.ok:
                    return True
                log.warning("callback %s for %s: HTTP %s", status, case.reference, response.status_code)
            except requests.RequestException as error:
                log.warning("callback %s for %s: %s", status, case.reference, type(error).__name__)
            time.sleep(min(0.5 * 2 ** attempt, 10))
        return False


def missing_inputs(message: dict[str, Any]) -> list[str]:
    """What the message's item consumes (per the catalog) that the message does not carry."""
    item = default_catalog().items.get(str(message["case"].get("item", "")))
    given = message.get("inputs") or {}
    return sorted(name for name in (item.consumes if item else {})
                  if not isinstance(given.get(name), dict) or not given[name].get("value"))


def outputs_of(case: SimulatedCase, rand: random.Random) -> dict[str, str]:
    """What the case's item produces, made up like the department would (a valid ID number for a newborn)."""
    item = default_catalog().items.get(case.item)
    outputs = {}
    for name in item.produces if item else ():
        outputs[name] = newborn_id_number(case.answers, rand) if name == "citizen_id_number" else f"SIM-{name}-{case.reference}"
    return outputs


def newborn_id_number(answers: dict[str, Any], rand: random.Random) -> str:
    """Region (Hangzhou Xihu, as the demo world) + birth date + sequence (odd for boys) + check character."""
    try:
        born = date.fromisoformat(str(answers.get("subject.birth_date")))
    except ValueError:
        born = china_today()
    sequence = rand.randrange(1, 500) * 2 - (1 if answers.get("subject.sex") == "male" else 0)
    return make_id_number("330106", born, sequence % 1000)


def _json(body: dict[str, Any], status: int = 200) -> Response:
    return Response(json.dumps(body), status=status, mimetype="application/json")


def serve(simulator: DepartmentSimulator, host: str = "127.0.0.1", port: int = 8002) -> BaseWSGIServer:
    """A threaded HTTP server for ``simulator`` (call ``serve_forever`` or run it in a thread)."""
    return make_server(host, port, simulator, threaded=True)


def knobs_from_config(config: dict[str, Any]) -> Knobs:
    return Knobs(accept_delay=float(config["SIMULATOR_ACCEPT_DELAY_SECONDS"]),
                 decide_delay=float(config["SIMULATOR_DECIDE_DELAY_SECONDS"]),
                 supplement_share=float(config["SIMULATOR_SUPPLEMENT_SHARE"]),
                 reject_share=float(config["SIMULATOR_REJECT_SHARE"]),
                 failure_share=float(config["SIMULATOR_FAILURE_SHARE"]),
                 forget_share=float(config["SIMULATOR_FORGET_SHARE"]))
