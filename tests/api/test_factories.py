"""The factories' states are the states the API shows: each trait read back as the app reads it."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, text

from bff.core.catalog import default_catalog
from bff.core.idnumber import is_valid_id_number
from bff.extensions import db
from bff.store.crypto import lookup_hash
from bff.store.models import Application, User
from tests.api.application_helpers import officer_client
from tests.factories import (
    ApplicationFactory,
    OfficerFactory,
    ResidentFactory,
    StaffFactory,
    create_user,
    sign_in,
)

# trait → (the application's status, the next action, each case's status by item, or "*" for all)
# (Every other birth item needs the medical birth certificate: until it is approved they wait.)
STATES: dict[str, tuple[str, str, dict[str, str]]] = {
    "submitted": ("submitted", "wait", {"birth-medical-certificate": "submitted", "*": "waiting"}),
    "supplement_requested": ("action_required", "supply_supplement",
                             {"birth-medical-certificate": "supplement_requested", "*": "waiting"}),
    "approved": ("completed", "download_certificates", {"*": "approved"}),
    "partially_rejected": ("partially_rejected", "read_reasons",
                           {"vaccination-certificate": "rejected", "*": "approved"}),
    "withdrawn": ("withdrawn", "none", {"*": "withdrawn"}),
}


def applicant_client(app: Flask, application: Application) -> FlaskClient:
    client = app.test_client()
    sign_in(app, client, db.session.get(User, application.user_id))  # type: ignore[arg-type]
    return client  # type: ignore[no-any-return]


def expected_status(statuses: dict[str, str], item: str) -> str:
    return statuses.get(item, statuses["*"])


@pytest.mark.parametrize("trait", sorted(STATES))
def test_each_submitted_state_reads_back_through_the_applicants_api(app, trait: str) -> None:
    status, action, statuses = STATES[trait]
    application = ApplicationFactory(**{trait: True})
    client = applicant_client(app, application)
    detail = client.get(f"/api/v1/applications/{application.number}").json
    assert (detail["status"], detail["next_action"]["code"]) == (status, action)
    bundle = default_catalog().bundle("birth")
    assert [c["item"] for c in detail["cases"]] == [item.code for item in bundle.items]  # typical family: all six
    assert all(c["status"] == expected_status(statuses, c["item"]) for c in detail["cases"])
    [listed] = client.get("/api/v1/applications").json["applications"]
    assert (listed["number"], listed["status"]) == (application.number, status)
    assert listed["cases_total"] == len(bundle.items)


@pytest.mark.parametrize("trait", sorted(STATES))
def test_each_submitted_state_shows_in_the_officers_case_list(app, trait: str) -> None:
    _, _, statuses = STATES[trait]
    application = ApplicationFactory(**{trait: True})
    officer = officer_client(app, "health")
    for item in ("birth-medical-certificate", "vaccination-certificate"):
        status = expected_status(statuses, item)
        cases = officer.get(f"/api/v1/officer/cases?status={status}").json["cases"]
        # A waiting case was never sent: no department has it yet.
        assert [(c["item"], c["application_number"]) for c in cases if c["item"] == item] == \
            ([] if status == "waiting" else [(item, application.number)])


def test_a_draft_reads_back_as_a_draft_with_its_etag_and_is_in_no_queue(app) -> None:
    application = ApplicationFactory(draft=True)
    client = applicant_client(app, application)
    response = client.get(f"/api/v1/applications/{application.number}")
    assert response.json["status"] == "draft" and response.headers["ETag"]
    assert response.json["answers"]["applicant.name"] == "张伟"
    assert [d["number"] for d in client.get("/api/v1/applications/drafts").json["drafts"]] == [application.number]
    assert client.get("/api/v1/applications").json["applications"] == []
    assert officer_client(app, "health").get("/api/v1/officer/cases").json["cases"] == []
    saved = client.patch(f"/api/v1/applications/{application.number}", json={"answers": {"delivery.method": None}},
                         headers={"If-Match": response.headers["ETag"], "X-OneThing-CSRF": "1"})
    assert saved.status_code == 200, saved.json  # its version is the draft's ETag


def test_the_open_queue_holds_the_delivered_cases_of_a_submitted_application(app) -> None:
    application = ApplicationFactory()
    cases = officer_client(app, "health").get("/api/v1/officer/cases").json["cases"]
    assert {c["item"] for c in cases} == {"birth-medical-certificate"}  # the vaccination record waits for it
    assert all(c["due_on"] and c["application_number"] == application.number for c in cases)


def test_an_approved_application_has_a_verifiable_certificate_per_case_and_a_timeline(app) -> None:
    application = ApplicationFactory(approved=True)
    client = applicant_client(app, application)
    certificates = client.get("/api/v1/certificates").json["certificates"]
    assert len(certificates) == len(default_catalog().bundle("birth").items)
    token = certificates[0]["verify_url"].rsplit("/", 1)[1]
    assert app.test_client().get(f"/api/v1/verify/certificates/{token}").json["valid"] is True
    groups = client.get(f"/api/v1/applications/{application.number}/timeline").json["groups"]
    kinds = [e["kind"] for group in groups for e in group["entries"]]
    approvals = [e for group in groups for e in group["entries"] if e["kind"] == "approved"]
    assert len(approvals) == len(certificates) and all(e["params"]["certificate"] for e in approvals)
    assert {"submitted", "delivered", "completed"} <= set(kinds)


def test_a_partially_rejected_case_shows_its_reason_to_the_resident(app) -> None:
    application = ApplicationFactory(partially_rejected=True, rejection_reason="接种记录不在本机构")
    detail = applicant_client(app, application).get(f"/api/v1/applications/{application.number}").json
    [rejected] = [c for c in detail["cases"] if c["status"] == "rejected"]
    assert rejected["decision"]["reason"] == "接种记录不在本机构"


def test_a_supplement_request_names_fields_the_item_declares(app) -> None:
    application = ApplicationFactory(supplement_requested=True)
    detail = applicant_client(app, application).get(f"/api/v1/applications/{application.number}").json
    [waiting] = [c for c in detail["cases"] if c["status"] == "supplement_requested"]
    declared = set(default_catalog().items[waiting["item"]].fields)
    assert waiting["supplement"]["fields"] and set(waiting["supplement"]["fields"]) <= declared


def test_people_are_stored_as_a_login_stores_them(app) -> None:
    resident, staff, officer = ResidentFactory(), StaffFactory(), OfficerFactory(department_code="hrss")
    for user in (resident, staff, officer):
        db.session.expire(user)
        assert is_valid_id_number(user.id_number or "")
        assert user.id_number_hash == lookup_hash(user.id_number or "")
        assert user.mobile_hash == lookup_hash(user.mobile or "")
    assert (staff.roles, officer.roles, officer.department) == (["staff"], ["officer"], "hrss")
    stored = db.session.scalar(text("SELECT id_number FROM users WHERE id = :id"), {"id": resident.id})
    assert stored.startswith("v1.") and resident.id_number not in stored  # encrypted at rest
    assert ResidentFactory().id_number != resident.id_number  # numbered residents differ


def test_a_persona_made_twice_is_one_user_and_the_same_as_its_login(app) -> None:
    first = ResidentFactory(persona="wangfang")
    assert ResidentFactory(persona="wangfang").id == first.id == create_user("wangfang").id


def test_an_officer_acts_through_the_department_role_grant(app) -> None:
    from bff.store.models import RoleGrant

    officer = OfficerFactory(department_code="civil-affairs")
    grant = db.session.scalar(select(RoleGrant).where(RoleGrant.subject == officer.subject))
    assert (grant.role, grant.department) == ("officer", "civil-affairs")
    client: Any = app.test_client()
    sign_in(app, client, officer)
    assert client.get("/api/v1/officer/cases").status_code == 200


def test_an_undelivered_submission_reaches_the_officer_when_the_worker_runs(app) -> None:
    from bff.jobs.tasks import relay_outbox
    from tests.api.application_helpers import run_worker

    application = ApplicationFactory(delivered=False)
    officer = officer_client(app, "health")
    assert officer.get("/api/v1/officer/cases").json["cases"] == []
    relay_outbox()  # the outbox rows the factory left are real work: the scheduled relay queues them
    run_worker(app)
    cases = officer.get("/api/v1/officer/cases").json["cases"]
    assert {(c["item"], c["application_number"]) for c in cases} == {("birth-medical-certificate", application.number)}
    inbox = applicant_client(app, application).get("/api/v1/inbox").json["notifications"]
    assert [n["kind"] for n in inbox] == ["submitted"]  # the submission's notify row, delivered
