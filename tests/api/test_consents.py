"""Heirs' consent through the HTTP API: 陈明 applies for the after-death bundle; his mother 刘秀英 and
his sister 陈丽 are asked; the inheritance items wait for them while the rest goes on."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from bff.adapters.sms.logging_sender import LoggingSmsSender
from bff.extensions import db
from bff.services import consents as service
from bff.store.consent_models import HeirConsent
from bff.store.models import Case, Event
from tests.api.application_helpers import officer_client, run_worker, start, submit
from tests.factories import create_user, sign_in

# 陈国华 was retired and had no housing fund account: the bundle leaves that item out.
INHERITANCE = {"pension-stop-inheritance", "medical-account-inheritance"}
NEEDS = (("death-medical-certificate", "health"), ("death-certificate-police", "public-security"))


def client_of(app: Flask, key: str) -> FlaskClient:
    client = app.test_client()
    sign_in(app, client, create_user(key))
    return client  # type: ignore[no-any-return]


def apply_after_death(app: Flask, client: FlaskClient) -> dict[str, Any]:
    """陈明 submits the after-death bundle for his father; the cases are delivered."""
    user = create_user("chenming")
    sign_in(app, client, user)
    number = start(client, "after-death", user_id=user.id)["number"]
    receipt = submit(client, number).json
    run_worker(app)
    return {"user": user, "number": number, "receipt": receipt}


def cases(number: str) -> dict[str, Case]:
    db.session.expire_all()
    rows = db.session.scalars(select(Case).where(Case.reference.startswith(number)))
    return {case.item: case for case in rows}


def approve_needs(app: Flask, number: str) -> None:
    """The death certificates the inheritance items need, approved by their officers."""
    for item, department in NEEDS:
        run_worker(app)
        if item not in cases(number):  # 陈国华 died in hospital: no police death certificate
            continue
        officer = officer_client(app, department)
        reference = cases(number)[item].reference
        assert officer.post(f"/api/v1/officer/cases/{reference}/accept").status_code == 200
        assert officer.post(f"/api/v1/officer/cases/{reference}/approve").status_code == 200, reference


def consent_id(heir: FlaskClient) -> int:
    [consent] = heir.get("/api/v1/me/consents").json["consents"]
    return int(consent["id"])


def answer(heir: FlaskClient, decision: str, undertaking: bool = True) -> Any:
    return heir.post(f"/api/v1/consents/{consent_id(heir)}/decision",
                     json={"decision": decision, "undertaking": undertaking})


def inbox_kinds(client: FlaskClient) -> list[str]:
    return [n["kind"] for n in client.get("/api/v1/inbox").json["notifications"]]


@pytest.fixture
def heirs(app: Flask, client: FlaskClient) -> dict[str, FlaskClient]:
    """刘秀英 and 陈丽 have accounts before 陈明 applies."""
    return {"mother": client_of(app, "liuxiuying"), "sister": client_of(app, "chenli")}


def test_submitting_asks_every_heir_and_holds_only_the_inheritance_items(app, client, heirs):
    applied = apply_after_death(app, client)
    held = {item: case for item, case in cases(applied["number"]).items() if case.hold}
    assert set(held) == INHERITANCE
    assert all(case.status == "waiting" and case.hold == {"consent": "pending"} for case in held.values())
    assert cases(applied["number"])["death-medical-certificate"].status == "submitted"  # the rest goes on
    mine = heirs["mother"].get("/api/v1/me/consents").json["consents"]
    assert [(c["number"], c["relation"], c["decision"], c["expired"]) for c in mine] == [
        (applied["number"], "spouse", "pending", False)]
    detail = heirs["mother"].get(f"/api/v1/consents/{mine[0]['id']}").json
    assert detail["deceased_name"] == "陈国华" and detail["applicant_name"] == "陈明"
    assert detail["agreement"]["zh-CN"].startswith("同意由 陈明 代为领取")
    assert detail["undertaking"]["needed"] is True and detail["undertaking"]["limit_yuan"] == 50000
    family = {(f["relation"], f["decision"], f["you"]) for f in detail["family"]}
    assert family == {("spouse", "pending", True), ("child", "pending", False), ("child", "agreed", False)}
    assert "consent_requested" in inbox_kinds(heirs["mother"]) and "consent_requested" in inbox_kinds(heirs["sister"])
    overview = client.get(f"/api/v1/applications/{applied['number']}/consents").json
    assert overview["state"] == "pending" and overview["uploads_needed"] == []
    # The applicant's timeline says the heirs were asked, but not what reached each heir's devices.
    groups = client.get(f"/api/v1/applications/{applied['number']}/timeline").json["groups"]
    kinds = [entry["kind"] for group in groups for entry in group["entries"]]
    assert "consents_requested" in kinds and "consent_requested" not in kinds
    assert "notification_created" not in kinds  # notifications are the inbox's, not the timeline's
    assert {i["hold"] for i in overview["items"]} == {"awaiting_consent"}


def test_only_the_heir_may_answer_and_a_stranger_is_refused_on_record(app, client, heirs):
    applied = apply_after_death(app, client)
    mine = consent_id(heirs["mother"])
    stranger = client_of(app, "zhangwei")
    assert stranger.get(f"/api/v1/consents/{mine}").status_code == 403
    refused = stranger.post(f"/api/v1/consents/{mine}/decision", json={"decision": "agreed", "undertaking": True})
    assert refused.status_code == 403 and refused.json["reason"] == "not_the_heir"
    assert stranger.get("/api/v1/me/consents").json["consents"] == []
    recorded = db.session.scalars(select(Event).where(Event.name == "consent_refused")).all()
    assert len(recorded) == 2 and all(e.data["consent"] == mine for e in recorded)
    assert db.session.get(HeirConsent, mine).decision == "pending"  # type: ignore[union-attr]
    assert cases(applied["number"])["pension-stop-inheritance"].status == "waiting"


def test_a_second_answer_is_a_conflict_and_the_first_stays(app, client, heirs):
    apply_after_death(app, client)
    assert answer(heirs["mother"], "agreed").status_code == 200
    again = answer(heirs["mother"], "declined")
    assert again.status_code == 409 and again.json["reason"] == "consent_already_answered"
    assert heirs["mother"].get("/api/v1/me/consents").json["consents"][0]["decision"] == "agreed"


def test_agreeing_needs_the_undertaking_ticked(app, client, heirs):
    apply_after_death(app, client)
    refused = answer(heirs["mother"], "agreed", undertaking=False)
    assert refused.status_code == 422 and "undertaking" in refused.json["errors"]["json"]
    assert heirs["mother"].get("/api/v1/me/consents").json["consents"][0]["decision"] == "pending"


def test_an_answer_after_the_deadline_is_expired(app, client, heirs):
    applied = apply_after_death(app, client)
    for consent in db.session.scalars(select(HeirConsent)):
        consent.deadline = date.today() - timedelta(days=3)
    db.session.commit()
    late = answer(heirs["mother"], "agreed")
    assert late.status_code == 409 and late.json["reason"] == "consent_expired" and "已过期" in late.json["message"]
    # The sweep settles it: the notarised path, and the applicant is asked for the certificate.
    assert service.sweep_consents(db.session, LoggingSmsSender(), "https://onething.example")["consents_expired"] == 1
    held = cases(applied["number"])["pension-stop-inheritance"]
    assert held.hold == {"consent": "declined", "upload": "notarised-inheritance-certificate"}
    run_worker(app)
    assert "consents_declined" in inbox_kinds(client)
    assert "consent_closed" in inbox_kinds(heirs["mother"])
    assert answer(heirs["sister"], "agreed").json["reason"] == "consent_expired"


def test_when_everyone_agrees_or_renounces_the_items_move_on_and_everyone_is_told_once(app, client, heirs):
    applied = apply_after_death(app, client)
    approve_needs(app, applied["number"])
    assert cases(applied["number"])["pension-stop-inheritance"].status == "waiting"  # the consent still holds it
    assert answer(heirs["mother"], "agreed").status_code == 200
    assert answer(heirs["sister"], "renounced").status_code == 200
    after = cases(applied["number"])
    assert {after[item].status for item in INHERITANCE} == {"submitted"}
    assert all(after[item].hold is None for item in INHERITANCE)
    run_worker(app)
    assert inbox_kinds(client).count("consents_agreed") == 1
    assert inbox_kinds(heirs["mother"]).count("consent_closed") == 1
    assert inbox_kinds(heirs["sister"]).count("consent_closed") == 1
    run_worker(app)
    queue = officer_client(app, "medical-insurance").get("/api/v1/officer/cases").json["cases"]
    assert [c["item"] for c in queue] == ["medical-account-inheritance"]


def test_withdrawing_ends_pending_consents_and_tells_the_heirs(app, client, heirs):
    applied = apply_after_death(app, client)
    assert answer(heirs["mother"], "agreed").status_code == 200
    withdrawn = client.post(f"/api/v1/applications/{applied['number']}/withdraw", json={"reason": "家人商量后再办"})
    assert withdrawn.status_code == 200
    decisions = {c.relation + ":" + c.decision for c in db.session.scalars(select(HeirConsent))}
    assert decisions == {"spouse:agreed", "child:agreed", "child:ended"}
    run_worker(app)
    assert "consent_closed" in inbox_kinds(heirs["sister"])
    late = answer(heirs["sister"], "agreed")
    assert late.status_code == 409 and late.json["reason"] == "consent_ended"


def test_an_heir_without_an_account_gets_one_sms_and_finds_the_request_after_signing_up(app, client):
    applied = apply_after_death(app, client)
    sms = LoggingSmsSender()
    assert service.sweep_consents(db.session, sms, "https://onething.example")["consents_texted"] == 2
    assert service.sweep_consents(db.session, sms, "https://onething.example")["consents_texted"] == 0
    assert len(sms.sent) == 2
    for masked, text, _ in sms.sent:
        assert "*" in masked and applied["number"] in text and "陈国华" not in text and "刘秀英" not in text
    sister = client_of(app, "chenli")
    assert [c["number"] for c in sister.get("/api/v1/me/consents").json["consents"]] == [applied["number"]]
    assert answer(sister, "agreed").status_code == 200


def test_the_consent_routes_need_a_signed_in_resident(app, client):
    assert client.get("/api/v1/me/consents").status_code == 401
    assert client.get("/api/v1/consents/1").status_code == 401


def test_the_periodic_sweep_job_settles_lapsed_consents_on_a_real_worker(app, client, heirs):
    applied = apply_after_death(app, client)
    for consent in db.session.scalars(select(HeirConsent)):
        consent.deadline = date.today() - timedelta(days=3)
    db.session.commit()
    from bff.jobs.queue import queue_for

    queue_for(app).enqueue("bff.jobs.tasks.sweep")
    run_worker(app)
    db.session.expire_all()  # the worker's session changed them
    assert {c.decision for c in db.session.scalars(select(HeirConsent))} == {"agreed", "expired"}
    assert cases(applied["number"])["medical-account-inheritance"].hold == {
        "consent": "declined", "upload": "notarised-inheritance-certificate"}
    assert "consents_declined" in inbox_kinds(client)


def test_two_answers_from_one_heir_at_the_same_moment_leave_exactly_one(app, client, heirs):
    """The same heir taps two buttons on two devices at once: one answer wins, the other is 409."""
    import threading

    import requests
    from werkzeug.serving import make_server

    apply_after_death(app, client)
    mine = consent_id(heirs["mother"])
    cookie_name = app.config["SESSION_COOKIE_NAME"]
    cookie = {cookie_name: heirs["mother"].get_cookie(cookie_name).value}  # type: ignore[union-attr]
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_port}/api/v1/consents/{mine}/decision"
    start_together = threading.Barrier(2)
    statuses: dict[str, int] = {}

    def send(decision: str) -> None:
        start_together.wait()
        statuses[decision] = requests.post(url, json={"decision": decision, "undertaking": True}, cookies=cookie,
                                           headers={"X-OneThing-CSRF": "1"}, timeout=20).status_code

    try:
        threads = [threading.Thread(target=send, args=(decision,)) for decision in ("agreed", "declined")]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
    finally:
        server.shutdown()
        server.server_close()
    assert sorted(statuses.values()) == [200, 409]
    winner = next(decision for decision, status in statuses.items() if status == 200)
    db.session.expire_all()
    assert db.session.get(HeirConsent, mine).decision == winner  # type: ignore[union-attr]
    assert len(db.session.scalars(select(Event).where(Event.name == "consent_answered",
                                                     Event.data["consent"].as_integer() == mine)).all()) == 1


def test_refusing_the_death_certificate_ends_the_pending_consents_and_tells_the_heirs_once(app, client, heirs):
    applied = apply_after_death(app, client)
    assert answer(heirs["mother"], "agreed").status_code == 200
    run_worker(app)
    officer = officer_client(app, "health")
    reference = cases(applied["number"])["death-medical-certificate"].reference
    assert officer.post(f"/api/v1/officer/cases/{reference}/accept").status_code == 200
    assert officer.post(f"/api/v1/officer/cases/{reference}/reject", json={"reason": "死亡证明信息不符"}).status_code == 200
    after = cases(applied["number"])
    assert {after[item].status for item in INHERITANCE} == {"not_possible"}
    assert all(after[item].hold is None for item in INHERITANCE)
    decisions = {c.relation + ":" + c.decision for c in db.session.scalars(select(HeirConsent))}
    assert decisions == {"spouse:agreed", "child:agreed", "child:ended"}
    closed = db.session.scalars(select(Event).where(Event.name == "consent_closed")).all()
    assert sorted(e.subject_user_id for e in closed) == sorted(
        create_user(key).id for key in ("liuxiuying", "chenli"))
    assert {e.data["outcome"] for e in closed} == {"ended"}
    run_worker(app)
    assert inbox_kinds(heirs["sister"]).count("consent_closed") == 1
    assert inbox_kinds(heirs["mother"]).count("consent_closed") == 1
    late = answer(heirs["sister"], "agreed")
    assert late.status_code == 409 and late.json["reason"] == "consent_ended"
    assert "继承事项已终止" in late.json["message"]
