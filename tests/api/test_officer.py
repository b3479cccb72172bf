"""The officer workbench. Tests start from a submitted, delivered application made by its factory;
the one about the whole way to completion replays it through the API and the worker."""

from __future__ import annotations

from tests.api.application_helpers import (
    application_in_state,
    approval_body,
    case_of,
    officer_client,
    run_worker,
    submitted_application,
)


def test_the_queue_holds_only_my_departments_delivered_cases(app, client) -> None:
    submitted = application_in_state(app, client)
    health = officer_client(app, "health").get("/api/v1/officer/cases").json["cases"]
    # The vaccination record waits for the medical birth certificate: not sent, not in the queue.
    assert {c["item"] for c in health} == {"birth-medical-certificate"}
    assert all(c["application_number"] == submitted["number"] for c in health)
    assert all(c["subject_name"] is None or "*" in c["subject_name"] for c in health)


def test_a_case_of_another_department_is_not_found(app, client) -> None:
    submitted = application_in_state(app, client)
    reference = case_of(submitted["receipt"], "birth-registration")  # public security's
    officer = officer_client(app, "health")
    assert officer.get(f"/api/v1/officer/cases/{reference}").status_code == 404
    assert officer.post(f"/api/v1/officer/cases/{reference}/accept").status_code == 404


def test_case_detail_carries_only_the_fields_the_item_declares(app, client) -> None:
    from bff.core.catalog import default_catalog

    submitted = application_in_state(app, client)
    reference = case_of(submitted["receipt"], "vaccination-certificate")
    detail = officer_client(app, "health").get(f"/api/v1/officer/cases/{reference}").json
    declared = set(default_catalog().items["vaccination-certificate"].fields)
    assert detail["fields"] and set(detail["fields"]) <= declared
    assert not any(key.startswith("bank.") for key in detail["fields"])


def test_a_resident_cannot_use_the_workbench(app, client) -> None:
    application_in_state(app, client)
    assert client.get("/api/v1/officer/cases").status_code == 403


def test_accept_sets_the_due_date_from_the_statutory_limit(app, client) -> None:
    submitted = application_in_state(app, client)
    reference = case_of(submitted["receipt"], "birth-medical-certificate")
    officer = officer_client(app, "health")
    response = officer.post(f"/api/v1/officer/cases/{reference}/accept")
    assert response.status_code == 200 and response.json["status"] == "accepted"
    assert response.json["due_on"]
    detail = client.get(f"/api/v1/applications/{submitted['number']}").json
    assert detail["status"] == "in_progress"


def test_a_supplement_round_trip_then_approval_issues_a_verifiable_certificate(app, client) -> None:
    submitted = application_in_state(app, client)
    number, reference = submitted["number"], case_of(submitted["receipt"], "birth-medical-certificate")
    officer = officer_client(app, "health")
    officer.post(f"/api/v1/officer/cases/{reference}/accept")
    asked = officer.post(f"/api/v1/officer/cases/{reference}/supplement-request",
                         json={"message": "请核对新生儿姓名", "fields": ["subject.name"], "materials": []})
    assert asked.status_code == 200, asked.json
    mine = client.get(f"/api/v1/applications/{number}").json
    assert mine["status"] == "action_required" and mine["next_action"]["code"] == "supply_supplement"
    case = next(c for c in mine["cases"] if c["reference"] == reference)
    assert case["supplement"]["fields"] == ["subject.name"]
    wrong = client.post(f"/api/v1/applications/{number}/cases/{reference}/supplement",
                        json={"answers": {"bank.account_number": "1"}})
    assert wrong.status_code == 422
    invalid = client.post(f"/api/v1/applications/{number}/cases/{reference}/supplement",
                          json={"answers": {"subject.name": "12345"}})
    assert invalid.status_code == 422 and "subject.name" in invalid.json["errors"]["json"]
    supplied = client.post(f"/api/v1/applications/{number}/cases/{reference}/supplement",
                           json={"answers": {"subject.name": "张小宝"}})
    assert supplied.status_code == 200 and supplied.json["status"] == "supplemented"
    assert client.post(f"/api/v1/applications/{number}/cases/{reference}/supplement",
                       json={"answers": {"subject.name": "张小宝"}}).status_code == 409  # once
    approved = officer.post(f"/api/v1/officer/cases/{reference}/approve")
    assert approved.status_code == 200
    certificate = approved.json["certificate"]
    mine = client.get("/api/v1/certificates").json["certificates"]
    assert [c["number"] for c in mine] == [certificate]
    download = client.get(f"/api/v1/certificates/{certificate}/download")
    assert download.status_code == 200 and "attachment" in download.headers["Content-Disposition"]
    token = mine[0]["verify_url"].rsplit("/", 1)[1]
    public = app.test_client().get(f"/api/v1/verify/certificates/{token}").json
    assert public == {"valid": True, "kind": "birth-medical-certificate", "title": mine[0]["title"],
                      "issued_on": mine[0]["issued_on"]}


def test_rejection_needs_a_reason_and_shows_it_to_the_resident(app, client) -> None:
    submitted = application_in_state(app, client)
    number, reference = submitted["number"], case_of(submitted["receipt"], "birth-medical-certificate")
    officer = officer_client(app, "health")
    officer.post(f"/api/v1/officer/cases/{reference}/accept")
    assert officer.post(f"/api/v1/officer/cases/{reference}/reject", json={"reason": " "}).status_code == 422
    assert officer.post(f"/api/v1/officer/cases/{reference}/reject",
                        json={"reason": "接种记录不在本机构"}).status_code == 200
    case = next(c for c in client.get(f"/api/v1/applications/{number}").json["cases"] if c["reference"] == reference)
    assert case["status"] == "rejected" and case["decision"]["reason"] == "接种记录不在本机构"


def test_an_officer_cannot_approve_before_accepting(app, client) -> None:
    submitted = application_in_state(app, client)
    reference = case_of(submitted["receipt"], "birth-medical-certificate")
    response = officer_client(app, "health").post(f"/api/v1/officer/cases/{reference}/approve")
    assert response.status_code == 409 and response.json["reason"] == "invalid_transition"


def test_withdrawal_works_before_acceptance_only(app, client) -> None:
    first = application_in_state(app, client)
    assert client.post(f"/api/v1/applications/{first['number']}/withdraw", json={}).json["status"] == "withdrawn"
    second = application_in_state(app, client)
    reference = case_of(second["receipt"], "birth-medical-certificate")
    officer_client(app, "health").post(f"/api/v1/officer/cases/{reference}/accept")
    response = client.post(f"/api/v1/applications/{second['number']}/withdraw", json={})
    assert response.status_code == 409 and response.json["reason"] == "cannot_withdraw"


def test_all_cases_decided_completes_the_application_with_a_timeline(app, client) -> None:
    submitted = submitted_application(app, client)
    for case in submitted["receipt"]["cases"]:  # in the bundle's order: what a case needs comes before it
        run_worker(app)  # the cases its approval released are delivered
        officer = officer_client(app, case["department"])
        officer.post(f"/api/v1/officer/cases/{case['reference']}/accept")
        approved = officer.post(f"/api/v1/officer/cases/{case['reference']}/approve", json=approval_body(case["item"]))
        assert approved.status_code == 200, approved.json
    listing = client.get("/api/v1/applications").json["applications"]
    assert listing[0]["status"] == "completed" and listing[0]["cases_done"] == listing[0]["cases_total"]
    groups = client.get(f"/api/v1/applications/{submitted['number']}/timeline").json["groups"]
    entries = [e for group in groups for e in group["entries"]]
    approvals = [e for e in entries if e["kind"] == "approved" and e["params"].get("certificate")]
    assert len(approvals) == len(submitted["receipt"]["cases"])
    assert {"completed", "delivered"} <= {e["kind"] for e in entries}


def test_a_department_with_its_own_system_decides_there_not_in_the_workbench(app, client, monkeypatch) -> None:
    monkeypatch.setitem(app.config, "DEPARTMENTS", {"health": {"url": "http://127.0.0.1:9/x", "secret": "s"}})
    submitted = application_in_state(app, client)
    reference = case_of(submitted["receipt"], "vaccination-certificate")
    response = officer_client(app, "health").post(f"/api/v1/officer/cases/{reference}/accept")
    assert response.status_code == 403 and response.json["reason"] == "department_has_own_system"
