"""Items that wait for each other, through the API: waiting at submission, release with the data
a department produced, the officer's view of both ends, failure cascading, withdrawal, time."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import func, select

from bff.core.calendar import add_working_days
from bff.core.clock import china_today
from bff.core.idnumber import make_id_number
from bff.extensions import db
from bff.store.models import Case, OutboxMessage
from tests.api.application_helpers import approval_body, case_of, officer_client, run_worker, submitted_application

BIRTH_ITEMS_AFTER_MEDICAL = {"vaccination-certificate", "birth-registration", "maternity-benefits"}


def cases_by_item(client: Any, number: str) -> dict[str, dict[str, Any]]:
    return {case["item"]: case for case in client.get(f"/api/v1/applications/{number}").json["cases"]}


def decide(app: Any, receipt: dict[str, Any], item: str, verb: str = "approve", **body: Any) -> Any:
    reference = case_of(receipt, item)
    department = next(c["department"] for c in receipt["cases"] if c["reference"] == reference)
    officer = officer_client(app, department)
    officer.post(f"/api/v1/officer/cases/{reference}/accept")
    return officer.post(f"/api/v1/officer/cases/{reference}/{verb}", json=body)


def submitted_messages(reference: str) -> int:
    return db.session.scalar(select(func.count()).select_from(OutboxMessage).where(
        OutboxMessage.topic == "case.submitted",
        OutboxMessage.payload["case_id"].as_integer() == select(Case.id).where(Case.reference == reference)
        .scalar_subquery()))


def test_the_hukou_waits_for_the_medical_birth_certificate_and_shows_what_it_waits_for(app, client) -> None:
    submitted = submitted_application(app, client)
    cases = cases_by_item(client, submitted["number"])
    hukou = cases["birth-registration"]
    assert hukou["status"] == "waiting" and hukou["status_text"]["zh-CN"] == "等待前序事项"
    assert [need["item"] for need in hukou["waiting_for"]] == ["birth-medical-certificate"]
    assert hukou["needs"][0]["status"] == "submitted" and hukou["needs"][0]["reference"]
    assert hukou["due_on"] is None and hukou["ready_at"] is None and not hukou["delivered"]
    # Expected: after the medical certificate's due date, the hukou's own five working days.
    medical = cases["birth-medical-certificate"]
    assert medical["expected_on"] == medical["due_on"] == add_working_days(china_today(), 3).isoformat()
    assert hukou["expected_on"] == add_working_days(date.fromisoformat(medical["expected_on"]), 5).isoformat()
    assert submitted_messages(hukou["reference"]) == 0
    detail = client.get(f"/api/v1/applications/{submitted['number']}").json
    assert detail["critical_path_days"] == 18
    assert detail["expected_complete_on"] == max(case["expected_on"] for case in cases.values())


def test_approving_the_medical_certificate_releases_its_users_with_its_number_for_the_police(app, client) -> None:
    submitted = submitted_application(app, client)
    approved = decide(app, submitted["receipt"], "birth-medical-certificate")
    assert approved.status_code == 200
    number = approved.json["certificate"]
    cases = cases_by_item(client, submitted["number"])
    for item in BIRTH_ITEMS_AFTER_MEDICAL:
        assert cases[item]["status"] == "submitted" and cases[item]["ready_at"] and cases[item]["due_on"]
        assert cases[item]["waiting_for"] == []
        assert submitted_messages(cases[item]["reference"]) == 1
    assert cases["social-security-card"]["status"] == "waiting"
    assert [n["item"] for n in cases["social-security-card"]["waiting_for"]] == ["birth-registration"]
    run_worker(app)
    police = officer_client(app, "public-security")
    queue = police.get("/api/v1/officer/cases").json["cases"]
    assert cases["birth-registration"]["reference"] in {c["reference"] for c in queue}
    detail = police.get(f"/api/v1/officer/cases/{cases['birth-registration']['reference']}").json
    [given] = detail["inputs"]
    assert given["name"] == "birth_certificate_number" and given["value"] == number
    assert given["from"]["item"] == "birth-medical-certificate" and given["from"]["department"] == "health"
    assert given["from"]["department_name"]["zh-CN"] and given["from"]["title"]["zh-CN"] == "出生医学证明"
    assert given["from"]["reference"] == case_of(submitted["receipt"], "birth-medical-certificate")
    assert {w["item"] for w in detail["waiting_on_this"]} == {"resident-medical-insurance", "social-security-card"}
    assert detail["produces"] == ["citizen_id_number"]  # what its approval must give
    assert all(w["status"] == "waiting" for w in detail["waiting_on_this"])


def test_the_health_officer_sees_which_cases_wait_on_theirs(app, client) -> None:
    submitted = submitted_application(app, client)
    reference = case_of(submitted["receipt"], "birth-medical-certificate")
    detail = officer_client(app, "health").get(f"/api/v1/officer/cases/{reference}").json
    assert {w["item"] for w in detail["waiting_on_this"]} == BIRTH_ITEMS_AFTER_MEDICAL
    assert detail["inputs"] == [] and detail["produces"] == []


def test_the_hukou_approval_must_give_the_newborns_citizen_id_number_which_its_users_receive(app, client) -> None:
    submitted = submitted_application(app, client)
    decide(app, submitted["receipt"], "birth-medical-certificate")
    missing = decide(app, submitted["receipt"], "birth-registration")
    assert missing.status_code == 422 and missing.json["reason"] == "outputs_invalid"
    assert "outputs.citizen_id_number" in missing.json["errors"]["json"]
    wrong = decide(app, submitted["receipt"], "birth-registration", outputs={"citizen_id_number": "330106"})
    assert wrong.status_code == 422
    assert wrong.json["errors"]["json"]["outputs.citizen_id_number"][0].startswith("公民身份号码无效")
    citizen = make_id_number("330106", china_today(), 31)
    assert decide(app, submitted["receipt"], "birth-registration",
                  outputs={"citizen_id_number": citizen}).status_code == 200
    cases = cases_by_item(client, submitted["number"])
    assert cases["social-security-card"]["status"] == "submitted"
    detail = officer_client(app, "hrss").get(f"/api/v1/officer/cases/{cases['social-security-card']['reference']}").json
    [given] = detail["inputs"]
    assert (given["name"], given["value"], given["from"]["item"]) == ("citizen_id_number", citizen, "birth-registration")


def test_a_rejected_medical_certificate_ends_everything_after_it_with_one_notice(app, client) -> None:
    submitted = submitted_application(app, client)
    run_worker(app)
    before = client.get("/api/v1/inbox").json["notifications"]
    rejected = decide(app, submitted["receipt"], "birth-medical-certificate", "reject", reason="出生记录与医院不符")
    assert rejected.status_code == 200
    detail = client.get(f"/api/v1/applications/{submitted['number']}").json
    assert detail["status"] == "partially_rejected" and detail["expected_complete_on"] is None
    others = [case for case in detail["cases"] if case["item"] != "birth-medical-certificate"]
    assert len(others) == 5 and all(case["status"] == "not_possible" for case in others)
    because = others[0]["not_possible_because"]
    assert because["item"] == "birth-medical-certificate" and because["status"] == "rejected"
    assert because["reason"]["zh-CN"] == "前序事项「出生医学证明」不予批准，本事项无法办理。"
    assert because["department_reason"] == "出生记录与医院不符"
    assert all(case["decision"]["outcome"] == "not_possible" for case in others)
    run_worker(app)
    new = client.get("/api/v1/inbox").json["notifications"][:-len(before) or None]
    # One notice for the five items, none of its own for each.
    assert sorted(n["kind"] for n in new) == ["application_completed", "case_accepted", "case_rejected",
                                               "items_not_possible"]
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)
                             .where(OutboxMessage.topic == "case.submitted")) == 1  # only the medical one


def test_a_needed_item_waiting_for_a_supplement_shows_on_its_users(app, client) -> None:
    submitted = submitted_application(app, client)
    reference = case_of(submitted["receipt"], "birth-medical-certificate")
    officer = officer_client(app, "health")
    officer.post(f"/api/v1/officer/cases/{reference}/accept")
    officer.post(f"/api/v1/officer/cases/{reference}/supplement-request",
                 json={"message": "请核对新生儿姓名", "fields": ["subject.name"], "materials": []})
    hukou = cases_by_item(client, submitted["number"])["birth-registration"]
    assert [(n["item"], n["status"]) for n in hukou["waiting_for"]] == \
        [("birth-medical-certificate", "supplement_requested")]


def test_a_waiting_application_is_withdrawn_whole_and_nothing_more_is_sent(app, client) -> None:
    submitted = submitted_application(app, client)
    response = client.post(f"/api/v1/applications/{submitted['number']}/withdraw", json={})
    assert response.status_code == 200 and response.json["status"] == "withdrawn"
    cases = cases_by_item(client, submitted["number"])
    assert {case["status"] for case in cases.values()} == {"withdrawn"}
    assert not any(case["not_possible_because"] for case in cases.values())
    groups = client.get(f"/api/v1/applications/{submitted['number']}/timeline").json["groups"]
    assert "not_possible" not in {e["kind"] for group in groups for e in group["entries"]}


def test_the_receipt_promises_the_critical_path_and_each_cases_expected_date(app, client) -> None:
    submitted = submitted_application(app, client, "retirement")
    receipt = submitted["receipt"]
    assert receipt["critical_path_days"] == 40  # retirement approval 20 + pension claim 20
    by_item = {case["item"]: case for case in receipt["cases"]}
    assert by_item["pension-claim"]["status"] == "waiting" and by_item["pension-claim"]["needs"] == ["retirement-approval"]
    approval_due = by_item["retirement-approval"]["due_on"]
    assert by_item["retirement-approval"]["expected_on"] == approval_due
    assert receipt["expected_complete_on"] == by_item["pension-claim"]["expected_on"]
    assert by_item["senior-card"]["status"] == "submitted" and by_item["senior-card"]["needs"] == []


def test_the_bundle_page_shows_each_items_needs_and_the_promise(client) -> None:
    bundle = client.get("/api/v1/bundles/birth").json
    assert bundle["critical_path_days"] == 18
    needs = {entry["item"]["code"]: entry["item"]["needs"] for entry in bundle["items"]}
    assert needs["birth-registration"] == ["birth-medical-certificate"]
    assert needs["social-security-card"] == ["birth-registration"]
    assert needs["birth-medical-certificate"] == []
    produces = {entry["item"]["code"]: entry["item"]["produces"] for entry in bundle["items"]}
    assert produces["birth-registration"] == ["citizen_id_number"]
    assert client.get("/api/v1/bundles/after-death").json["critical_path_days"] == 24


def test_approving_everything_in_order_completes_the_birth_bundle(app, client) -> None:
    submitted = submitted_application(app, client)
    for case in submitted["receipt"]["cases"]:
        assert decide(app, submitted["receipt"], case["item"], **approval_body(case["item"])).status_code == 200
    detail = client.get(f"/api/v1/applications/{submitted['number']}").json
    assert detail["status"] == "completed" and detail["expected_complete_on"] is None
    assert all(case["expected_on"] is None for case in detail["cases"])


def test_a_held_case_stays_waiting_after_its_needs_until_the_hold_is_cleared_and_released(app, client) -> None:
    from bff.services.graph import release_ready_cases
    from bff.store.models import Application

    submitted = submitted_application(app, client, "after-death")
    pension = case_of(submitted["receipt"], "pension-stop-inheritance")
    held = db.session.scalar(select(Case).where(Case.reference == pension))
    held.hold = {"consent": "pending"}  # e.g. the heirs have not all agreed yet
    db.session.commit()
    decide(app, submitted["receipt"], "death-medical-certificate")
    cases = cases_by_item(client, submitted["number"])
    assert cases["pension-stop-inheritance"]["status"] == "waiting"
    assert cases["pension-stop-inheritance"]["waiting_for"] == []  # nothing it needs: something else holds it
    assert cases["hukou-cancellation"]["status"] == "submitted"
    assert submitted_messages(pension) == 0

    application = db.session.scalar(select(Application).where(Application.number == submitted["number"])
                                    .with_for_update())
    db.session.expire_all()
    held = db.session.scalar(select(Case).where(Case.reference == pension))
    held.hold = None
    released = release_ready_cases(db.session, application)
    db.session.commit()
    assert [case.reference for case in released] == [pension]
    after = cases_by_item(client, submitted["number"])["pension-stop-inheritance"]
    assert after["status"] == "submitted" and after["ready_at"] and after["due_on"]
    assert submitted_messages(pension) == 1
    given = db.session.scalar(select(Case).where(Case.reference == pension)).inputs
    assert given["death_certificate_number"]["item"] == "death-medical-certificate"
