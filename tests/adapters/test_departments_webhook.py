"""Routing to department systems over real HTTP: the webhook gateway, the simulator, callbacks."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select

from bff.adapters.departments.signing import signed_headers
from bff.extensions import db
from bff.jobs.tasks import relay_outbox
from bff.store.models import Case, Certificate, Event, OutboxMessage
from tests.adapters.departments_helpers import FAST, bff_and_simulator, wait_until
from tests.api.application_helpers import (
    approval_body,
    case_of,
    officer_client,
    run_worker,
    submitted_application,
)
from tests.factories import create_user, sign_in

HRSS = {"hrss": {"url": "http://127.0.0.1:9/unused", "secret": "hrss-secret"}}


def fresh(query: Any) -> list[Any]:
    session = db.new_session()
    try:
        return list(session.scalars(query))
    finally:
        session.close()


def callback(client: Any, reference: str, status: str, *, event_id: str = "evt-1", secret: str = "hrss-secret",
             department: str = "hrss", at: datetime | None = None, **extra: Any) -> Any:
    body = json.dumps({"case": reference, "status": status,
                       "occurred_at": (at or datetime.now(UTC)).isoformat(), **extra}).encode()
    return client.post(f"/api/v1/departments/{department}/callbacks", data=body,
                       headers=signed_headers(secret, event_id, body), csrf=False)


def hrss_case(receipt: dict[str, Any]) -> str:
    return next(c["reference"] for c in receipt["cases"] if c["department"] == "hrss")


def approve_in_workbench(app: Any, receipt: dict[str, Any], item: str) -> None:
    """The department of ``item`` works in the workbench here: its officer accepts and approves."""
    reference = case_of(receipt, item)
    department = next(c["department"] for c in receipt["cases"] if c["reference"] == reference)
    officer = officer_client(app, department)
    assert officer.post(f"/api/v1/officer/cases/{reference}/accept").status_code == 200
    approved = officer.post(f"/api/v1/officer/cases/{reference}/approve", json=approval_body(item))
    assert approved.status_code == 200, approved.json


def delivering(app: Any, condition: Any) -> Any:
    """``condition``, after delivering what the last approvals released (a worker run in this process)."""
    def check() -> bool:
        relay_outbox()
        run_worker(app)
        return bool(condition())
    return check


def test_simulated_departments_get_each_case_once_and_approve_it_by_signed_callbacks(app, client, monkeypatch):
    with bff_and_simulator(app, monkeypatch) as simulator:
        submitted = submitted_application(app, client, "retirement")
        simulated = {c["reference"] for c in submitted["receipt"]["cases"]
                     if c["department"] in ("hrss", "medical-insurance", "housing-fund")}
        assert simulated
        # The retirement approval goes first; its approval releases the rest, which then go out.
        wait_until(delivering(app, lambda: {c.reference for c in fresh(select(Case).where(Case.status == "approved"))}
                              >= simulated))
    submitted_messages = [mid for mid, topic in simulator.received if topic == "case.submitted"]
    assert sorted(submitted_messages) == sorted(f"case.submitted.{ref}" for ref in simulated)
    assert len(fresh(select(Certificate))) == len(simulated)
    workbench = fresh(select(Case).where(Case.department == "civil-affairs"))
    assert all(case.gateway == "workbench" and case.status == "submitted" for case in workbench)


def test_a_department_gets_only_the_fields_its_item_declares(app, client, monkeypatch):
    from bff.core.catalog import default_catalog

    with bff_and_simulator(app, monkeypatch, replace(FAST, accept_delay=60)) as simulator:
        received: list[dict[str, Any]] = []
        original = simulator.receive

        def spy(department: str, message_id: str, message: dict[str, Any]) -> Any:
            received.append(message)
            return original(department, message_id, message)

        simulator.receive = spy  # type: ignore[method-assign]
        submitted_application(app, client, "retirement")
    catalog = default_catalog()
    assert received
    for message in received:
        assert set(message["fields"]) <= set(catalog.items[message["case"]["item"]].fields)


def test_a_callback_with_a_bad_signature_is_refused(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "DEPARTMENTS", HRSS)
    submitted = submitted_application(app, client, "retirement")
    response = callback(app.test_client(), hrss_case(submitted["receipt"]), "accepted", secret="guess")
    assert response.status_code == 401
    # It speaks to the department's operators about the signature, never of signing in.
    assert response.json["reason"] == "signature_invalid" and "签名" in response.json["message"]
    assert "登录" not in response.json["message"]


def test_a_workbench_department_has_no_callback_door(app, client, monkeypatch):
    submitted = submitted_application(app, client, "retirement")
    response = callback(app.test_client(), hrss_case(submitted["receipt"]), "accepted", secret="")
    assert response.status_code == 401


def test_a_redelivered_callback_is_acknowledged_and_applied_once(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "DEPARTMENTS", HRSS)
    reference = hrss_case(submitted_application(app, client, "retirement")["receipt"])
    department = app.test_client()
    assert callback(department, reference, "accepted", event_id="evt-7").json["outcome"] == "applied"
    assert callback(department, reference, "accepted", event_id="evt-7").json["outcome"] == "duplicate"
    transitions = fresh(select(Event).where(Event.name == "case_transitioned"))
    assert [e.data["to"] for e in transitions if e.data["case"] == reference] == ["accepted"]


def test_an_approval_that_overtakes_its_acceptance_walks_the_machine(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "DEPARTMENTS", HRSS)
    reference = hrss_case(submitted_application(app, client, "retirement")["receipt"])
    response = callback(app.test_client(), reference, "approved", event_id="evt-9",
                        certificate={"number": "HRSS-0001"})
    assert response.json == {"outcome": "applied", "status": "approved"}
    transitions = [e.data["to"] for e in fresh(select(Event).where(Event.name == "case_transitioned"))
                   if e.data["case"] == reference]
    assert transitions == ["accepted", "processing", "approved"]
    assert [c.number for c in fresh(select(Certificate))] == ["HRSS-0001"]


def test_a_late_stale_callback_is_acknowledged_and_ignored(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "DEPARTMENTS", HRSS)
    reference = hrss_case(submitted_application(app, client, "retirement")["receipt"])
    department = app.test_client()
    now = datetime.now(UTC)
    callback(department, reference, "processing", event_id="evt-2", at=now)
    late = callback(department, reference, "accepted", event_id="evt-1", at=now - timedelta(seconds=5))
    assert late.status_code == 200 and late.json["outcome"] == "stale"
    assert fresh(select(Case.status).where(Case.reference == reference)) == ["processing"]


def test_a_department_cannot_touch_another_departments_case(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "DEPARTMENTS", {**HRSS, "housing-fund": {"url": "http://127.0.0.1:9/x",
                                                                           "secret": "hf-secret"}})
    reference = hrss_case(submitted_application(app, client, "retirement")["receipt"])
    response = callback(app.test_client(), reference, "approved", department="housing-fund", secret="hf-secret")
    assert response.status_code == 404


def test_a_department_down_for_good_ends_in_a_dead_letter_with_an_alert(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "DISPATCH_MAX_ATTEMPTS", 3)
    monkeypatch.setitem(app.config, "DISPATCH_BACKOFF_BASE_SECONDS", 0.0)
    monkeypatch.setitem(app.config, "CIRCUIT_FAILURE_THRESHOLD", 100)
    with bff_and_simulator(app, monkeypatch, replace(FAST, failure_share=1.0)):
        submitted_application(app, client, "retirement")
        for _ in range(3):
            relay_outbox()
            run_worker(app)
    dead = fresh(select(OutboxMessage).where(OutboxMessage.status == "dead"))
    assert dead and all(m.attempts == 3 and m.last_error == "HTTP 503" for m in dead)
    stuck = fresh(select(Case).where(Case.flag == "stuck"))
    assert {c.id for c in stuck} == {m.payload["case_id"] for m in dead}
    alerts = [e for e in fresh(select(Event).where(Event.name == "case_dispatch_failed")) if e.data["dead"]]
    assert len(alerts) == len(dead)


def test_the_circuit_opens_after_repeated_failures_and_defers_without_spending_attempts(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "DISPATCH_BACKOFF_BASE_SECONDS", 0.0)
    monkeypatch.setitem(app.config, "CIRCUIT_FAILURE_THRESHOLD", 2)
    monkeypatch.setitem(app.config, "CIRCUIT_OPEN_SECONDS", 60.0)
    monkeypatch.setitem(app.config, "SIMULATED_DEPARTMENTS", "hrss")
    from tests.factories import ApplicationFactory

    with bff_and_simulator(app, monkeypatch, replace(FAST, failure_share=1.0)):
        for _ in range(3):  # three retirement approvals (hrss) to send; what needs them waits
            ApplicationFactory(bundle="retirement", delivered=False)
        relay_outbox()
        run_worker(app)
    hrss = {c.id for c in fresh(select(Case).where(Case.department == "hrss"))}
    rows = [m for m in fresh(select(OutboxMessage).where(OutboxMessage.topic == "case.submitted"))
            if m.payload["case_id"] in hrss]
    assert sorted(m.attempts for m in rows) == [0, 1, 1]
    assert all(m.status == "pending" for m in rows)


def test_a_department_down_for_a_while_gets_everything_once_it_is_back(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "DISPATCH_BACKOFF_BASE_SECONDS", 0.0)
    monkeypatch.setitem(app.config, "CIRCUIT_FAILURE_THRESHOLD", 100)
    with bff_and_simulator(app, monkeypatch, replace(FAST, failure_share=1.0)) as simulator:
        submitted = submitted_application(app, client, "retirement")
        for _ in range(2):
            relay_outbox()
            run_worker(app)
        simulator.knobs.failure_share = 0.0  # the department is back
        relay_outbox()
        run_worker(app)
        simulated = {c["reference"] for c in submitted["receipt"]["cases"] if c["department"] != "civil-affairs"}
        wait_until(delivering(app, lambda: {c.reference for c in fresh(select(Case).where(Case.status == "approved"))}
                              >= simulated))
    assert sorted(mid for mid, topic in simulator.received if topic == "case.submitted") == \
        sorted(f"case.submitted.{ref}" for ref in simulated)


def test_a_department_asks_for_a_supplement_and_approves_once_the_resident_supplies_it(app, client, monkeypatch):
    from bff.core.catalog import default_catalog
    from tests.factories.answers import value_for

    monkeypatch.setitem(app.config, "SIMULATED_DEPARTMENTS", "housing-fund")
    with bff_and_simulator(app, monkeypatch, replace(FAST, supplement_share=1.0)):
        submitted = submitted_application(app, client, "retirement")
        number = submitted["number"]
        reference = next(c["reference"] for c in submitted["receipt"]["cases"] if c["department"] == "housing-fund")
        approve_in_workbench(app, submitted["receipt"], "retirement-approval")  # what the withdrawal needs
        run_worker(app)
        wait_until(lambda: fresh(select(Case.status).where(Case.reference == reference)) == ["supplement_requested"])
        detail = client.get(f"/api/v1/applications/{number}").json
        assert detail["status"] == "action_required"
        supplement = next(c for c in detail["cases"] if c["reference"] == reference)["supplement"]
        # Each language on its own: the resident reads one, never both run together.
        assert supplement["message"] == "请核对并补正以下信息。"
        assert supplement["message_en"] == "Please check and correct the following."
        asked = supplement["fields"]
        fields = default_catalog().fields
        supplied = client.post(f"/api/v1/applications/{number}/cases/{reference}/supplement",
                               json={"answers": {key: value_for(fields[key]) for key in asked}})
        assert supplied.status_code == 200, supplied.json
        run_worker(app)  # delivers case.supplemented (queued right after the commit)
        wait_until(lambda: fresh(select(Case.status).where(Case.reference == reference)) == ["approved"])


def test_with_a_flaky_department_every_case_arrives_exactly_once_and_ends_decided(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "DISPATCH_BACKOFF_BASE_SECONDS", 0.0)
    monkeypatch.setitem(app.config, "CIRCUIT_FAILURE_THRESHOLD", 100)
    with bff_and_simulator(app, monkeypatch, replace(FAST, failure_share=0.4, reject_share=0.3)) as simulator:
        submitted = [submitted_application(app, client, bundle) for bundle in ("retirement", "after-death")]
        # The workbench departments' items that simulated ones need: the hospital's death certificate (health),
        # then the hukou cancellation (public security) that the survivor benefits need.
        approve_in_workbench(app, submitted[1]["receipt"], "death-medical-certificate")
        approve_in_workbench(app, submitted[1]["receipt"], "hukou-cancellation")
        # The inheritance items wait for the other heirs' consent; both agree.
        for heir in ("liuxiuying", "chenli"):
            heir_client = app.test_client()
            sign_in(app, heir_client, create_user(heir))
            [consent] = heir_client.get("/api/v1/me/consents").json["consents"]
            assert heir_client.post(f"/api/v1/consents/{consent['id']}/decision",
                                    json={"decision": "agreed", "undertaking": True}).status_code == 200
        simulated = {c["reference"] for s in submitted for c in s["receipt"]["cases"]
                     if c["department"] in ("hrss", "medical-insurance", "housing-fund", "traffic-police")}

        def all_decided() -> bool:
            relay_outbox()
            run_worker(app)
            decided = fresh(select(Case.reference).where(Case.status.in_(("approved", "rejected", "not_possible"))))
            return set(decided) >= simulated

        wait_until(all_decided, timeout=30)
    # What a rejected retirement approval left not possible was never sent; everything else exactly once.
    never_sent = set(fresh(select(Case.reference).where(Case.status == "not_possible")))
    arrived = [mid for mid, topic in simulator.received if topic == "case.submitted"]
    assert sorted(arrived) == sorted(f"case.submitted.{ref}" for ref in simulated - never_sent)


def test_a_department_message_carries_the_id_of_the_request_that_caused_it(app, client, monkeypatch):
    from tests.api.application_helpers import start

    with bff_and_simulator(app, monkeypatch, replace(FAST, accept_delay=60)) as simulator:
        user = create_user("lijianguo")
        sign_in(app, client, user)
        number = start(client, "retirement", user_id=user.id)["number"]
        response = client.post(f"/api/v1/applications/{number}/submit", json={"version": 1},
                               headers={"Idempotency-Key": "idempotency-key-1", "X-Request-Id": "submit-0123456789abcdef"})
        assert response.status_code in (200, 201), response.json
        assert response.headers["X-Request-Id"] == "submit-0123456789abcdef"
        run_worker(app)
        wait_until(lambda: simulator.received)
    first = next(mid for mid, topic in simulator.received if topic == "case.submitted")
    assert simulator.request_ids[first] == "submit-0123456789abcdef"
