"""Dispatch in the graph's order over real HTTP: the relay, the worker, the department simulator.

The hukou (public security, simulated here) is sent only when the medical birth certificate
(health, the workbench) is approved, and its message carries that certificate's number; the
simulator refuses a message without it, and its approval gives the newborn's citizen ID number
to the cases that consume it."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from bff.adapters.departments.base import Delivery
from bff.adapters.departments.webhook import WebhookGateway
from bff.core.idnumber import is_valid_id_number
from bff.extensions import db
from bff.jobs.tasks import relay_outbox
from bff.services.dispatch import simulator_secret_for
from bff.store.models import Case, OutboxMessage
from tests.adapters.departments_helpers import bff_and_simulator, wait_until
from tests.adapters.test_departments_webhook import approve_in_workbench, delivering, fresh
from tests.api.application_helpers import case_of, run_worker, submitted_application
from tests.factories import ApplicationFactory, OutboxMessageFactory


def spy_on(simulator: Any) -> list[dict[str, Any]]:
    received: list[dict[str, Any]] = []
    original = simulator.receive

    def spy(department: str, message_id: str, message: dict[str, Any]) -> Any:
        received.append(message)
        return original(department, message_id, message)

    simulator.receive = spy
    return received


def test_the_hukou_goes_out_after_the_medical_certificate_with_its_number_and_returns_an_id_number(
        app, client, monkeypatch):
    monkeypatch.setitem(app.config, "SIMULATED_DEPARTMENTS", "public-security")
    with bff_and_simulator(app, monkeypatch) as simulator:
        received = spy_on(simulator)
        submitted = submitted_application(app, client)
        hukou = case_of(submitted["receipt"], "birth-registration")
        assert received == []  # the only case sent at once is the workbench's medical certificate
        approve_in_workbench(app, submitted["receipt"], "birth-medical-certificate")
        wait_until(delivering(app, lambda: fresh(select(Case.status).where(Case.reference == hukou)) == ["approved"]))
    [message] = [m for m in received if m["case"]["reference"] == hukou]
    medical = fresh(select(Case).where(Case.reference == case_of(submitted["receipt"], "birth-medical-certificate")))[0]
    given = message["inputs"]["birth_certificate_number"]
    assert given["value"] == medical.decision["certificate"] == f"EC-{medical.reference}"
    assert given["from"] == {"item": "birth-medical-certificate", "reference": medical.reference,
                             "department": "health", "title": medical.item_title}
    assert simulator.cases[hukou].inputs == {"birth_certificate_number": given["value"]}  # the department used it
    registration = fresh(select(Case).where(Case.reference == hukou))[0]
    citizen = registration.outputs["citizen_id_number"]
    assert is_valid_id_number(citizen) and citizen.startswith("330106")
    insurance = fresh(select(Case).where(Case.reference == case_of(submitted["receipt"], "resident-medical-insurance")))
    assert insurance[0].status == "submitted"
    assert insurance[0].inputs["citizen_id_number"]["value"] == citizen
    assert insurance[0].inputs["citizen_id_number"]["reference"] == hukou


def test_the_simulator_refuses_for_good_a_case_without_the_data_it_consumes(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "SIMULATED_DEPARTMENTS", "public-security")
    with bff_and_simulator(app, monkeypatch):
        url = f"{app.config['DEPARTMENT_SIMULATOR_URL']}/departments/public-security/messages"
        gateway = WebhookGateway(url, simulator_secret_for(app.config["DEPARTMENT_SIMULATOR_SECRET"], "public-security"))
        body = {"case": {"reference": "YJ-T-03", "item": "birth-registration", "department": "public-security"},
                "callback_url": "http://127.0.0.1:9/unused", "fields": {}}
        refused = gateway.deliver(Delivery("case.submitted.YJ-T-03", "public-security", "case.submitted", body))
        assert (refused.delivered, refused.permanent, refused.error) == (False, True, "HTTP 422")
        # A case that lost its inputs (never in the real flow) ends in the dead letters, flagged stuck.
        application = ApplicationFactory(approved=True)
        case = db.session.scalar(select(Case).where(Case.application_id == application.id,
                                                    Case.item == "birth-registration"))
        case.status, case.inputs, case.dispatched_at, case.decision = "submitted", None, None, None
        OutboxMessageFactory(case=case)
        db.session.commit()
        relay_outbox()
        run_worker(app)
    [dead] = fresh(select(OutboxMessage).where(OutboxMessage.status == "dead"))
    assert dead.payload["case_id"] == case.id and dead.last_error == "HTTP 422" and dead.attempts == 1
    assert fresh(select(Case.flag).where(Case.id == case.id)) == ["stuck"]


def test_a_department_approving_the_hukou_by_callback_must_send_the_id_number_it_created(app, client, monkeypatch):
    from tests.adapters.test_departments_webhook import callback

    monkeypatch.setitem(app.config, "DEPARTMENTS", {"public-security": {"url": "http://127.0.0.1:9/x", "secret": "ps"}})
    submitted = submitted_application(app, client)
    hukou = case_of(submitted["receipt"], "birth-registration")
    # Still waiting: a department cannot decide what it was never sent.
    early = callback(client, hukou, "approved", secret="ps", department="public-security", event_id="e-0")
    assert early.status_code == 200 and early.json["outcome"] == "stale"
    approve_in_workbench(app, submitted["receipt"], "birth-medical-certificate")
    missing = callback(client, hukou, "approved", secret="ps", department="public-security", event_id="e-1")
    assert missing.status_code == 422 and missing.json["reason"] == "outputs_invalid"
    assert "outputs.citizen_id_number" in missing.json["errors"]["json"]
    assert fresh(select(Case.status).where(Case.reference == hukou)) == ["submitted"]  # nothing applied
    from bff.core.clock import china_today
    from bff.core.idnumber import make_id_number

    citizen = make_id_number("330106", china_today(), 41)
    applied = callback(client, hukou, "approved", secret="ps", department="public-security", event_id="e-1",
                       outputs={"citizen_id_number": citizen}, certificate={"number": "HK-2026-1"})
    assert applied.status_code == 200 and applied.json["outcome"] == "applied"
    card = fresh(select(Case).where(Case.reference == case_of(submitted["receipt"], "social-security-card")))[0]
    assert card.status == "submitted" and card.inputs["citizen_id_number"]["value"] == citizen
    registration = fresh(select(Case).where(Case.reference == hukou))[0]
    assert registration.outputs == {"certificate_number": "HK-2026-1", "citizen_id_number": citizen}
