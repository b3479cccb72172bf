"""Mandates (委托代办): 刘秀英 (80) authorises her son 陈明; he acts for her, within the mandate, until it ends."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import time_machine
from flask import Flask
from flask.testing import FlaskClient

from bff.core.clock import china_today, utc_now
from bff.extensions import db
from bff.store.mandate_models import Mandate
from bff.store.models import Application, Event
from tests.api.application_helpers import complete_answers, run_worker, submit
from tests.api.staff_helpers import grant_headers, signed_in_client
from tests.factories import ApplicationFactory


def in_days(days: int) -> str:
    return (china_today() + timedelta(days=days)).isoformat()


def relative_ref(client: FlaskClient, name: str) -> str:
    choices = client.get("/api/v1/me/mandates/choices")
    assert choices.status_code == 200, choices.json
    return next(r["ref"] for r in choices.json["relatives"] if r["name"] == name)


def grant_to_son(mother: FlaskClient, **changes: Any) -> dict[str, Any]:
    body = {"agent_kind": "relative", "agent_ref": relative_ref(mother, "陈明"), "scope": "apply_follow",
            "bundle": "after-death", "expires_on": in_days(30), **changes}
    response = mother.post("/api/v1/me/mandates", json=body)
    assert response.status_code == 201, response.json
    return response.json  # type: ignore[no-any-return]


def act_for(agent: FlaskClient, principal_id: int) -> None:
    response = agent.post("/api/v1/me/acting-as", json={"principal_user_id": principal_id})
    assert response.status_code == 200, response.json


def events_named(name: str) -> list[Event]:
    db.session.expire_all()
    return list(db.session.query(Event).filter(Event.name == name).order_by(Event.id))


def test_a_mandate_to_a_relative_who_has_not_signed_in_yet_reaches_him_at_his_first_sign_in(app: Flask) -> None:
    mother, liu = signed_in_client(app, "liuxiuying")
    granted = grant_to_son(mother)
    assert granted["agent_name"] == "陈明" and granted["relation"] == "child"
    assert granted["agent_signed_up"] is False and granted["status"] == "active"

    son, chen = signed_in_client(app, "chenming")
    principals = son.get("/api/v1/me/principals").json["principals"]
    assert [(p["user_id"], p["name"]) for p in principals] == [(liu.id, "刘秀英")]
    assert son.get("/api/v1/me/mandates").json["received"][0]["id"] == granted["id"]
    assert mother.get("/api/v1/me/mandates").json["granted"][0]["agent_signed_up"] is True


def test_only_a_living_relative_or_a_community_agent_can_be_authorised_and_a_refusal_is_recorded(app: Flask) -> None:
    mother, liu = signed_in_client(app, "liuxiuying")
    _, stranger = signed_in_client(app, "zhangwei")
    _, grid_worker = signed_in_client(app, "huangjianping")
    choices = mother.get("/api/v1/me/mandates/choices").json
    assert {r["name"] for r in choices["relatives"]} == {"陈明", "陈丽"}  # her late husband is not offered
    assert [a["name"] for a in choices["community_agents"]] == ["黄建平"]

    base = {"scope": "apply_follow", "bundle": "after-death", "expires_on": in_days(10)}
    for body in ({"agent_kind": "relative", "agent_ref": "p-000000000000"},
                 {"agent_kind": "community_agent", "agent_user_id": stranger.id}):
        refused = mother.post("/api/v1/me/mandates", json={**base, **body})
        assert refused.status_code == 403 and refused.json["reason"] == "mandate_agent_not_allowed"
        assert refused.json["message"] == "只能委托登记在户籍中的亲属或已登记的社区代办员。"
    assert [(e.actor_user_id, e.data["agent_kind"]) for e in events_named("mandate_refused")] == [
        (liu.id, "relative"), (liu.id, "community_agent")]

    helped = mother.post("/api/v1/me/mandates", json={**base, "agent_kind": "community_agent",
                                                      "agent_user_id": grid_worker.id})
    assert helped.status_code == 201 and helped.json["agent_name"] == "黄建平"


def test_bad_mandates_get_field_errors_in_the_users_language(app: Flask) -> None:
    mother, _ = signed_in_client(app, "liuxiuying")
    ref = relative_ref(mother, "陈明")
    base = {"agent_kind": "relative", "agent_ref": ref, "scope": "apply_follow", "bundle": "after-death"}
    too_long = mother.post("/api/v1/me/mandates", json={**base, "expires_on": in_days(91)},
                           headers={"X-Language": "en"})
    assert too_long.status_code == 422
    assert too_long.json["errors"]["json"]["expires_on"] == ["A mandate lasts at most 90 days."]
    both = mother.post("/api/v1/me/mandates", json={**base, "application_number": "X1", "expires_on": in_days(5)})
    assert both.status_code == 422 and "bundle" in both.json["errors"]["json"]
    assert mother.get("/api/v1/me/mandates").json["granted"] == []


def test_the_agent_sees_and_opens_only_what_the_mandate_covers(app: Flask) -> None:
    mother, liu = signed_in_client(app, "liuxiuying")
    son, chen = signed_in_client(app, "chenming")
    covered = ApplicationFactory(bundle="after-death", persona="liuxiuying").number
    other = ApplicationFactory(bundle="birth", persona="liuxiuying").number
    own = ApplicationFactory(bundle="retirement", persona="chenming").number
    grant_to_son(mother)
    act_for(son, liu.id)

    assert son.get("/api/v1/me/acting-as").json["principal_name"] == "刘秀英"
    assert [a["number"] for a in son.get("/api/v1/applications").json["applications"]] == [covered]
    assert son.get(f"/api/v1/applications/{covered}").status_code == 200
    refused = son.get(f"/api/v1/applications/{other}")
    assert refused.status_code == 403 and refused.json["reason"] == "mandate_not_covering"
    assert son.get(f"/api/v1/applications/{own}").status_code == 403  # acting: not his own any more
    in_person = son.post("/api/v1/me/mandates", json={"agent_kind": "relative", "agent_ref": "x", "scope": "apply_follow",
                                                      "bundle": "birth", "expires_on": in_days(3)})
    assert in_person.status_code == 403 and in_person.json["reason"] == "in_person_only"

    assert son.delete("/api/v1/me/acting-as").json["acting"] is False
    assert [a["number"] for a in son.get("/api/v1/applications").json["applications"]] == [own]


def test_the_agent_submits_for_the_principal_and_every_event_names_both(app: Flask) -> None:
    mother, liu = signed_in_client(app, "liuxiuying")
    son, chen = signed_in_client(app, "chenming")
    grant_to_son(mother, scope="receive_money")  # the after-death form asks where the balances are paid
    act_for(son, liu.id)

    draft = son.post("/api/v1/applications", json={"bundle": "after-death",
                                                   "answers": complete_answers("after-death", liu.id)})
    assert draft.status_code == 201, draft.json
    number = draft.json["number"]
    assert submit(son, number).status_code == 201
    assert db.session.query(Application).filter_by(number=number).one().user_id == liu.id

    for name in ("draft_started", "application_submitted"):
        [event] = events_named(name)
        assert (event.actor_user_id, event.subject_user_id, event.data["on_behalf_of"]) == (chen.id, liu.id, liu.id)
    groups = mother.get(f"/api/v1/applications/{number}/timeline").json["groups"]
    submitted = next(e for group in groups for e in group["entries"] if e["kind"] == "submitted")
    assert submitted["agent_name"] == "陈明" and submitted["by_me"] is False

    log = mother.get("/api/v1/me/access-log").json["items"]
    acts = [(item["staff_name"], item["action"], item["what"]) for item in log]
    assert ("陈明", "acted", "application_submitted") in acts and ("陈明", "acted", "acting_started") in acts
    assert next(i for i in log if i["what"] == "application_submitted")["purpose_text"]["zh-CN"] == "受托代办"


def test_staff_see_the_agent_in_the_residents_timeline(app: Flask) -> None:
    mother, liu = signed_in_client(app, "liuxiuying")
    son, chen = signed_in_client(app, "chenming")
    grant_to_son(mother)
    act_for(son, liu.id)
    assert son.post("/api/v1/applications", json={"bundle": "after-death", "answers": {}}).status_code == 201

    staff, _ = signed_in_client(app, "zhoumin")
    items = staff.get(f"/api/v1/staff/residents/{liu.id}/timeline", headers=grant_headers(staff, liu.id)).json["items"]
    started = next(i for i in items if i["name"] == "draft_started")
    assert started["actor"] == {"role": "agent", "name": "陈*"}
    assert started["data"]["on_behalf_of"] == liu.id
    grouped = staff.get(f"/api/v1/staff/residents/{liu.id}/timeline?kinds=mandates",
                        headers=grant_headers(staff, liu.id)).json["items"]
    assert [i["name"] for i in grouped] == ["acting_started", "mandate_granted"]


def test_a_revoked_mandate_stops_the_agents_next_request_and_acting_ends(app: Flask) -> None:
    mother, liu = signed_in_client(app, "liuxiuying")
    son, chen = signed_in_client(app, "chenming")
    number = ApplicationFactory(bundle="after-death", persona="liuxiuying").number
    mandate = grant_to_son(mother)
    act_for(son, liu.id)
    assert son.get(f"/api/v1/applications/{number}").status_code == 200

    revoked = mother.post(f"/api/v1/me/mandates/{mandate['id']}/revoke")
    assert revoked.status_code == 200 and revoked.json["status"] == "revoked"

    refused = son.get(f"/api/v1/applications/{number}")
    assert refused.status_code == 403 and refused.json["reason"] == "mandate_ended"
    assert refused.json["message"] == "该委托已撤销或已过期，已为您切换回本人办理。"
    assert son.get("/api/v1/me/acting-as").json == {
        "acting": False, "principal_user_id": None, "principal_name": None, "mandates": [], "ended": False,
        "message": None}
    assert son.get(f"/api/v1/applications/{number}").status_code == 404  # as himself: not his
    assert son.post("/api/v1/me/acting-as", json={"principal_user_id": liu.id}).status_code == 403
    assert [e.data["reason"] for e in events_named("acting_stopped")] == ["mandate_ended"]


def test_the_agent_is_told_in_the_inbox_when_a_mandate_is_granted_and_when_it_is_revoked(app: Flask) -> None:
    mother, liu = signed_in_client(app, "liuxiuying")
    son, chen = signed_in_client(app, "chenming")
    mandate = grant_to_son(mother)
    run_worker(app)
    [granted] = son.get("/api/v1/inbox").json["notifications"]
    assert (granted["kind"], granted["title"], granted["link"]) == (
        "mandate_granted", "有家人或居民委托您代为办理", "/app/applications")
    assert [e.subject_user_id for e in events_named("mandate_received")] == [chen.id]
    assert mother.get("/api/v1/inbox").json["notifications"] == []  # she granted it: nothing to tell her

    assert mother.post(f"/api/v1/me/mandates/{mandate['id']}/revoke").status_code == 200
    assert mother.post(f"/api/v1/me/mandates/{mandate['id']}/revoke").status_code == 200  # again: nothing new
    run_worker(app)
    kinds = [n["kind"] for n in son.get("/api/v1/inbox").json["notifications"]]
    assert sorted(kinds) == ["mandate_granted", "mandate_revoked"]
    assert [(e.actor_user_id, e.subject_user_id) for e in events_named("mandate_received_revoked")] == [(liu.id, chen.id)]


def test_a_mandate_that_expires_mid_session_stops_working_at_once(app: Flask) -> None:
    mother, liu = signed_in_client(app, "liuxiuying")
    son, chen = signed_in_client(app, "chenming")
    number = ApplicationFactory(bundle="after-death", persona="liuxiuying").number
    mandate = grant_to_son(mother)
    db.session.get(Mandate, mandate["id"]).expires_at = utc_now() + timedelta(minutes=5)  # type: ignore[union-attr]
    db.session.commit()
    act_for(son, liu.id)
    assert son.get(f"/api/v1/applications/{number}").status_code == 200

    with time_machine.travel(utc_now() + timedelta(minutes=6), tick=False):
        expired = son.get(f"/api/v1/applications/{number}")
        assert expired.status_code == 403 and expired.json["reason"] == "mandate_ended"
        assert mother.get("/api/v1/me/mandates").json["granted"][0]["status"] == "expired"
        assert son.get("/api/v1/me/principals").json["principals"] == []


def test_bank_account_answers_need_a_mandate_that_includes_receiving_money(app: Flask) -> None:
    mother, liu = signed_in_client(app, "liuxiuying")
    son, chen = signed_in_client(app, "chenming")
    follow = grant_to_son(mother)
    act_for(son, liu.id)
    draft = son.post("/api/v1/applications", json={"bundle": "after-death", "answers": {}})
    assert draft.status_code == 201
    number, etag = draft.json["number"], draft.headers["ETag"]
    assert [d["number"] for d in son.get("/api/v1/applications/drafts").json["drafts"]] == [number]
    assert [d["number"] for d in mother.get("/api/v1/applications/drafts").json["drafts"]] == [number]  # hers
    bank = {"bank.card_number": "6222021202041234567"}

    refused = son.patch(f"/api/v1/applications/{number}", json={"answers": bank}, headers={"If-Match": etag})
    assert refused.status_code == 403 and refused.json["reason"] == "mandate_scope"
    assert son.patch(f"/api/v1/applications/{number}", json={"answers": {"applicant.mobile": "13800000005"}},
                     headers={"If-Match": etag}).status_code == 200

    mother.post(f"/api/v1/me/mandates/{follow['id']}/revoke")
    grant_to_son(mother, scope="receive_money")
    act_for(son, liu.id)
    saved = son.patch(f"/api/v1/applications/{number}", json={"answers": bank}, headers={"If-Match": '"2"'})
    assert saved.status_code == 200, saved.json


def test_a_community_agent_helps_a_grandmother_with_one_application_only(app: Flask) -> None:
    grandmother, liu = signed_in_client(app, "liuxiuying")
    helper, grid_worker = signed_in_client(app, "huangjianping")
    number = ApplicationFactory(bundle="after-death", persona="liuxiuying").number
    granted = grandmother.post("/api/v1/me/mandates", json={
        "agent_kind": "community_agent", "agent_user_id": grid_worker.id, "scope": "apply_follow",
        "application_number": number, "expires_on": in_days(7)})
    assert granted.status_code == 201, granted.json
    act_for(helper, liu.id)

    assert helper.get(f"/api/v1/applications/{number}").status_code == 200
    assert [a["number"] for a in helper.get("/api/v1/applications").json["applications"]] == [number]
    starting = helper.post("/api/v1/applications", json={"bundle": "after-death", "answers": {}})
    assert starting.status_code == 403 and starting.json["reason"] == "mandate_not_covering"


def test_account_settings_are_never_changed_on_someones_behalf(app: Flask) -> None:
    mother, liu = signed_in_client(app, "liuxiuying")
    son, chen = signed_in_client(app, "chenming")
    grant_to_son(mother)
    act_for(son, liu.id)
    refused = son.patch("/api/v1/me", json={"elder_mode": True}, headers={"X-Language": "en"})
    assert refused.status_code == 403 and refused.json["reason"] == "in_person_only"
    assert refused.json["message"] == "Only the person themselves can do this; switch back to yourself first."
    assert son.get("/api/v1/me").json["id"] == chen.id  # the profile stays his own
    son.delete("/api/v1/me/acting-as")
    assert son.patch("/api/v1/me", json={"elder_mode": True}).status_code == 200


def test_the_banner_learns_once_that_the_mandate_ended_and_acting_stops(app: Flask) -> None:
    mother, liu = signed_in_client(app, "liuxiuying")
    son, chen = signed_in_client(app, "chenming")
    mandate = grant_to_son(mother)
    act_for(son, liu.id)
    assert son.get("/api/v1/me/acting-as").json["principal_name"] == "刘秀英"
    mother.post(f"/api/v1/me/mandates/{mandate['id']}/revoke")

    first = son.get("/api/v1/me/acting-as", headers={"X-Language": "en"}).json
    assert first["acting"] is False and first["ended"] is True
    assert first["message"]["en"] == "That mandate has been revoked or has expired; you are acting as yourself again."
    assert son.get("/api/v1/me/acting-as").json["ended"] is False


def test_a_session_signed_in_by_qr_code_cannot_hand_out_mandates(app: Flask) -> None:
    mother, liu = signed_in_client(app, "liuxiuying")
    ref = relative_ref(mother, "陈明")
    relayed = app.extensions["sessions"].create(liu.id, list(liu.roles), None, device="desktop", via_qr=True)
    mother.set_cookie(app.config["SESSION_COOKIE_NAME"], relayed.id)
    refused = mother.post("/api/v1/me/mandates", json={"agent_kind": "relative", "agent_ref": ref, "scope": "apply_follow",
                                                       "bundle": "after-death", "expires_on": in_days(5)})
    assert refused.status_code == 403 and refused.json["reason"] == "qr_session_scope"
    assert db.session.query(Mandate).count() == 0
