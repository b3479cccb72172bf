"""One case for the family: one active application per subject, joining, inviting, the lead."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from bff.adapters.prefill.sample import ref_of
from bff.demo import persona
from bff.extensions import db
from bff.store.models import Event
from tests.api.application_helpers import case_of, officer_client, start, submit, submitted_application
from tests.factories import create_user, sign_in


def family_client(app: Any, key: str) -> tuple[Any, Any]:
    client = app.test_client()
    user = create_user(key)
    sign_in(app, client, user)
    return client, user


def deceased_subject(client: Any) -> dict[str, Any]:
    subjects = client.get("/api/v1/bundles/after-death/subjects").json["subjects"]
    assert len(subjects) == 1 and subjects[0]["name"] == "陈国华"
    return subjects[0]  # type: ignore[no-any-return]


def joined(app: Any, lead: Any, number: str, key: str) -> tuple[Any, Any]:
    """``key`` asks to join ``number`` and the lead accepts."""
    member, user = family_client(app, key)
    asked = member.post(f"/api/v1/applications/{number}/join-requests")
    assert asked.status_code == 201, asked.json
    assert lead.post(f"/api/v1/applications/{number}/members/{asked.json['id']}/accept").status_code == 200
    return member, user


def test_a_second_application_for_the_same_deceased_is_refused_and_the_family_case_is_shown(app, client) -> None:
    submitted = submitted_application(app, client, "after-death")
    chenli, _ = family_client(app, "chenli")
    subject = deceased_subject(chenli)
    assert subject["active_case"]["number"] == submitted["number"]
    assert subject["active_case"]["lead_name"] == "陈明" and subject["active_case"]["my_status"] is None
    refused = chenli.post("/api/v1/applications", json={"bundle": "after-death", "subject_ref": subject["ref"]})
    assert refused.status_code == 409 and refused.json["reason"] == "subject_already_applied"
    assert "陈明" in refused.json["message"] and refused.json["details"]["existing"]["number"] == submitted["number"]
    assert "id_number" not in str(refused.json) and "330106" not in str(refused.json)
    again = client.post("/api/v1/applications", json={"bundle": "after-death", "subject_ref": subject["ref"]})
    assert again.status_code == 409 and again.json["message"].startswith("您已于")  # the lead: their own case


def test_a_draft_made_before_the_family_applied_is_refused_at_submission_and_kept(app, client) -> None:
    chenli, chenli_user = family_client(app, "chenli")
    draft = start(chenli, "after-death", user_id=chenli_user.id)
    submitted = submitted_application(app, client, "after-death")
    refused = submit(chenli, draft["number"])
    assert refused.status_code == 409 and refused.json["reason"] == "subject_already_applied"
    assert refused.json["details"]["existing"]["lead_name"] == "陈明"
    kept = chenli.get(f"/api/v1/applications/{draft['number']}").json
    assert kept["status"] == "draft" and kept["version"] == 1 and kept["answers"] == draft["answers"]
    assert chenli.get("/api/v1/applications").json["applications"] == []
    assert client.get(f"/api/v1/applications/{submitted['number']}").json["status"] == "submitted"


def test_a_relative_joins_reads_the_case_and_is_named_in_the_timeline(app, client) -> None:
    number = submitted_application(app, client, "after-death")["number"]
    chenli, _ = family_client(app, "chenli")
    assert chenli.get(f"/api/v1/applications/{number}").status_code == 404  # not in yet
    asked = chenli.post(f"/api/v1/applications/{number}/join-requests")
    assert asked.status_code == 201 and asked.json["status"] == "requested" and asked.json["relation"] == "child"
    assert deceased_subject(chenli)["active_case"]["my_status"] == "requested"
    assert chenli.get(f"/api/v1/applications/{number}").status_code == 404  # until accepted
    family = client.get(f"/api/v1/applications/{number}/members").json
    assert family["my_role"] == "lead"
    assert [(m["name"], m["role"], m["status"]) for m in family["members"]] == [
        ("陈明", "lead", "active"), ("陈丽", "co_handler", "requested")]
    accepted = client.post(f"/api/v1/applications/{number}/members/{asked.json['id']}/accept")
    assert accepted.status_code == 200 and accepted.json["status"] == "active"
    detail = chenli.get(f"/api/v1/applications/{number}")
    assert detail.status_code == 200 and detail.json["cases"]
    mine = chenli.get("/api/v1/applications").json["applications"]
    assert [(a["number"], a["my_role"]) for a in mine] == [(number, "co_handler")]
    assert client.get("/api/v1/applications").json["applications"][0]["my_role"] == "lead"
    groups = chenli.get(f"/api/v1/applications/{number}/timeline").json["groups"]
    entries = {e["kind"]: e for group in groups for e in group["entries"]}
    assert entries["family_join_requested"]["actor_name"] == "陈丽" and entries["family_join_requested"]["by_me"]
    assert entries["family_member_joined"]["actor_name"] == "陈明"
    assert entries["submitted"]["actor_name"] == "陈明"
    assert chenli.post(f"/api/v1/applications/{number}/join-requests").status_code == 409  # already in


def test_someone_not_related_to_the_subject_cannot_join_and_the_attempt_is_recorded(app, client) -> None:
    number = submitted_application(app, client, "after-death")["number"]
    stranger, stranger_user = family_client(app, "zhangwei")
    refused = stranger.post(f"/api/v1/applications/{number}/join-requests")
    assert refused.status_code == 403 and refused.json["reason"] == "not_related"
    assert stranger.get(f"/api/v1/applications/{number}").status_code == 404
    audit = db.session.query(Event).filter_by(name="family_access_refused").one()
    assert audit.actor_user_id == stranger_user.id and audit.data == {"number": number, "action": "join"}
    assert [m["name"] for m in client.get(f"/api/v1/applications/{number}/members").json["members"]] == ["陈明"]
    assert stranger.post("/api/v1/applications/NOPE/join-requests").status_code == 404


def test_the_lead_invites_only_registry_relatives_and_an_invitation_waits_for_a_first_sign_in(app, client) -> None:
    number = submitted_application(app, client, "after-death")["number"]
    invitable = client.get(f"/api/v1/applications/{number}/members").json["invitable"]
    assert sorted((r["name"], r["relation"]) for r in invitable) == [("刘秀英", "parent"), ("陈丽", "sibling")]
    assert all(not r["signed_up"] for r in invitable)
    typed = client.post(f"/api/v1/applications/{number}/members/invitations", json={"relative_ref": "p-000000000000"})
    assert typed.status_code == 404 and typed.json["reason"] == "not_a_relative"
    mother = next(r for r in invitable if r["name"] == "刘秀英")
    invited = client.post(f"/api/v1/applications/{number}/members/invitations", json={"relative_ref": mother["ref"]})
    assert invited.status_code == 201 and invited.json["status"] == "invited" and not invited.json["signed_up"]
    again = client.post(f"/api/v1/applications/{number}/members/invitations", json={"relative_ref": mother["ref"]})
    assert again.status_code == 409
    liuxiuying, _ = family_client(app, "liuxiuying")  # her first sign-in finds the invitation
    pending = liuxiuying.get("/api/v1/me/family-invitations").json["invitations"]
    assert [(p["number"], p["member_id"]) for p in pending] == [(number, invited.json["id"])]
    assert liuxiuying.get(f"/api/v1/applications/{number}").status_code == 404  # not before she accepts
    chenli, _ = family_client(app, "chenli")
    assert chenli.post(f"/api/v1/applications/{number}/members/{invited.json['id']}/accept").status_code == 404
    accepted = liuxiuying.post(f"/api/v1/applications/{number}/members/{invited.json['id']}/accept")
    assert accepted.status_code == 200 and accepted.json["status"] == "active" and accepted.json["is_me"]
    assert liuxiuying.get(f"/api/v1/applications/{number}").status_code == 200
    assert liuxiuying.get(f"/api/v1/applications/{number}/members").json["invitable"] == []  # the lead's list only
    invitable = client.get(f"/api/v1/applications/{number}/members").json["invitable"]
    assert [r["name"] for r in invitable] == ["陈丽"]


def test_a_co_handler_answers_a_supplement_but_only_the_lead_withdraws(app, client) -> None:
    submitted = submitted_application(app, client, "birth")
    number = submitted["number"]
    wangfang, wangfang_user = joined(app, client, number, "wangfang")
    reference = case_of(submitted["receipt"], "birth-medical-certificate")
    officer = officer_client(app, "health")
    officer.post(f"/api/v1/officer/cases/{reference}/accept")
    officer.post(f"/api/v1/officer/cases/{reference}/supplement-request",
                 json={"message": "请核对新生儿姓名", "fields": ["subject.name"], "materials": []})
    progress = wangfang.get(f"/api/v1/applications/{number}").json
    assert progress["status"] == "action_required"
    supplied = wangfang.post(f"/api/v1/applications/{number}/cases/{reference}/supplement",
                             json={"answers": {"subject.name": "张小宝"}})
    assert supplied.status_code == 200 and supplied.json["status"] == "supplemented"
    event = db.session.query(Event).filter_by(name="supplement_provided").one()
    assert event.actor_user_id == wangfang_user.id and event.subject_user_id == submitted["user"].id
    refused = wangfang.post(f"/api/v1/applications/{number}/withdraw", json={})
    assert refused.status_code == 403 and refused.json["reason"] == "lead_only"
    assert wangfang.post(f"/api/v1/applications/{number}/members/invitations",
                         json={"relative_ref": "x"}).json["reason"] == "lead_only"


def test_the_lead_hands_over_and_the_new_lead_withdraws(app, client) -> None:
    number = submitted_application(app, client, "after-death")["number"]
    chenli, _ = joined(app, client, number, "chenli")
    family = client.get(f"/api/v1/applications/{number}/members").json
    chenli_id = next(m["id"] for m in family["members"] if m["name"] == "陈丽")
    lead_id = next(m["id"] for m in family["members"] if m["name"] == "陈明")
    # the detail says who may withdraw: the page shows the button to the lead only
    assert client.get(f"/api/v1/applications/{number}").json["my_role"] == "lead"
    assert chenli.get(f"/api/v1/applications/{number}").json["my_role"] == "co_handler"
    assert chenli.post(f"/api/v1/applications/{number}/lead", json={"member_id": lead_id}).status_code == 403
    assert client.post(f"/api/v1/applications/{number}/lead", json={"member_id": lead_id}).status_code == 409
    assert chenli.post(f"/api/v1/applications/{number}/members/leave").status_code == 200
    chenli2, _ = joined(app, client, number, "chenli")
    handed = client.post(f"/api/v1/applications/{number}/lead", json={"member_id": chenli_id})
    assert handed.status_code == 200 and handed.json["role"] == "lead"
    assert chenli2.get(f"/api/v1/applications/{number}/members").json["my_role"] == "lead"
    assert chenli2.get(f"/api/v1/applications/{number}").json["my_role"] == "lead"
    assert client.get(f"/api/v1/applications/{number}").json["my_role"] == "co_handler"  # the applicant, handed over
    assert client.post(f"/api/v1/applications/{number}/members/leave").json["reason"] == "cannot_leave"  # applicant
    assert client.post(f"/api/v1/applications/{number}/withdraw", json={}).status_code == 403
    withdrawn = chenli2.post(f"/api/v1/applications/{number}/withdraw", json={})
    assert withdrawn.status_code == 200 and withdrawn.json["status"] == "withdrawn"
    assert deceased_subject(chenli2).get("active_case") is None  # the subject is free again


def test_wangfang_sees_the_birth_case_zhangwei_submitted(app, client) -> None:
    number = submitted_application(app, client, "birth")["number"]
    wangfang, _ = family_client(app, "wangfang")
    subjects = wangfang.get("/api/v1/bundles/birth/subjects").json["subjects"]
    assert len(subjects) == 1 and subjects[0]["relation"] == "mother"
    assert subjects[0]["active_case"]["number"] == number and subjects[0]["active_case"]["lead_name"] == "张伟"
    refused = wangfang.post("/api/v1/applications", json={"bundle": "birth", "subject_ref": subjects[0]["ref"]})
    assert refused.status_code == 409 and "张伟" in refused.json["message"]


@pytest.fixture
def cousin_in_the_registry(app: Any) -> Iterator[None]:
    """张伟 recorded as a relative of 陈明 in the live sample registry (a cousin, say), but not of the
    deceased 陈国华: the lead may see him among his relatives, yet cannot bring him into the case."""
    from bff.core.ports import Relative
    from bff.services.forms import current_sources

    world = current_sources().population.world  # type: ignore[attr-defined]
    chenming, zhangwei = persona("chenming"), persona("zhangwei")
    cousin = Relative(ref_of(zhangwei.id_number), "other", zhangwei.name, zhangwei.id_number)
    world.relatives[chenming.id_number].append(cousin)
    yield
    world.relatives[chenming.id_number].remove(cousin)


def test_a_relative_of_the_lead_who_is_not_related_to_the_subject_cannot_be_invited(
        app, client, cousin_in_the_registry) -> None:
    number = submitted_application(app, client, "after-death")["number"]
    invitable = client.get(f"/api/v1/applications/{number}/members").json["invitable"]
    assert "张伟" not in [r["name"] for r in invitable]  # not offered
    refused = client.post(f"/api/v1/applications/{number}/members/invitations",
                          json={"relative_ref": ref_of(persona("zhangwei").id_number)})
    assert refused.status_code == 403 and refused.json["reason"] == "not_related"
    audit = db.session.query(Event).filter_by(name="family_access_refused").one()
    assert audit.data == {"number": number, "action": "invite"}
