"""Reconciliation: a department that acknowledged a case and lost it, or whose callbacks never
arrived, is asked for the case's status; each case ends decided exactly once."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from sqlalchemy import select, update

from bff.core.calendar import china_date
from bff.extensions import db
from bff.jobs.tasks import sweep
from bff.store.models import Case, Certificate, Event, utcnow
from tests.adapters.departments_helpers import FAST, bff_and_simulator, wait_until
from tests.adapters.test_departments_webhook import fresh
from tests.api.application_helpers import run_worker, submitted_application


def hrss_cases() -> list[Case]:
    return fresh(select(Case).where(Case.department == "hrss"))


def make_overdue(references: list[str]) -> None:
    session = db.new_session()
    session.execute(update(Case).where(Case.reference.in_(references))
                    .values(due_on=china_date(utcnow()) - timedelta(days=1)))
    session.commit()
    session.close()


def test_a_case_the_department_acknowledged_and_lost_is_found_once_overdue_and_delivered_again(app, client,
                                                                                                monkeypatch):
    with bff_and_simulator(app, monkeypatch, replace(FAST, forget_share=1.0)) as simulator:
        submitted_application(app, client, "retirement")
        wait_until(lambda: any(case.dispatched_at for case in hrss_cases()))
        [lost] = [case for case in hrss_cases() if case.dispatched_at]
        assert simulator.cases == {}  # acknowledged, and gone
        sweep()
        assert lost.reference not in simulator.cases  # not overdue yet: nobody asks
        simulator.knobs = replace(FAST)  # the department works again
        make_overdue([lost.reference])
        report = sweep()
        assert report["reconcile_redelivered"] == 1
        run_worker(app)
        wait_until(lambda: fresh(select(Case).where(Case.reference == lost.reference))[0].status == "approved")
        assert sweep().get("reconcile_redelivered") is None  # asked once a day at most, and it is decided now
    submitted = [mid for mid, topic in simulator.received if topic == "case.submitted" and mid.endswith(lost.reference)]
    assert len(submitted) == 2  # the lost delivery and the one after the status query
    assert len(fresh(select(Certificate).where(Certificate.case_id == lost.id))) == 1
    assert [e.data["reason"] for e in fresh(select(Event).where(Event.name == "case_redelivered"))] == \
        ["unknown_to_department"]


def test_a_decision_whose_callbacks_never_arrived_is_applied_by_the_operator_resync(app, client, monkeypatch):
    with bff_and_simulator(app, monkeypatch, replace(FAST, callback_attempts=0)) as simulator:
        submitted_application(app, client, "retirement")
        wait_until(lambda: any(case.dispatched_at for case in hrss_cases()))
        [case] = [case for case in hrss_cases() if case.dispatched_at]
        wait_until(lambda: simulator.cases.get(case.reference) is not None
                   and simulator.cases[case.reference].status == "approved")
        assert fresh(select(Case).where(Case.id == case.id))[0].status == "submitted"  # no callback came
        result = app.test_cli_runner().invoke(args=["cases", "resync", case.reference])
        assert result.exit_code == 0, result.output
        assert result.output.strip() == f"{case.reference}: applied:applied"
        again = app.test_cli_runner().invoke(args=["cases", "resync", case.reference])
        assert again.output.strip() == f"{case.reference}: finished"
    [decided] = fresh(select(Case).where(Case.id == case.id))
    assert decided.status == "approved"
    assert len(fresh(select(Certificate).where(Certificate.case_id == case.id))) == 1


def test_the_operator_redelivers_a_departments_open_cases_after_its_restore(app, client, monkeypatch):
    with bff_and_simulator(app, monkeypatch, replace(FAST, accept_delay=60)) as simulator:
        submitted_application(app, client, "retirement")
        wait_until(lambda: any(case.dispatched_at for case in hrss_cases()))
        [case] = [case for case in hrss_cases() if case.dispatched_at]
        simulator.forget(case.reference)  # the department restored a backup from before the case
        result = app.test_cli_runner().invoke(args=["cases", "redeliver", "--department", "hrss"])
        assert result.output.strip() == f"{case.reference}: redelivered"
        run_worker(app)
        wait_until(lambda: case.reference in simulator.cases)
        missing = app.test_cli_runner().invoke(args=["cases", "redeliver"])
        assert missing.exit_code != 0 and "--department" in missing.output
