"""Proactive service: registry signals become offers to the right people, an offer opens a prefilled
bundle, a declined or used offer never returns, and automatic grants with their objections."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from bff.adapters.prefill.sample import SampleRegistry
from bff.adapters.signals.sample import SampleSignals
from bff.core.clock import china_today
from bff.core.ports import LifeEventSignal
from bff.demo import persona
from bff.extensions import db
from bff.services.forms import current_sources
from bff.services.proactive.signals import receive_signal
from bff.store.models import Event
from bff.store.proactive_models import LifeSignal, Offer
from tests.api.application_helpers import complete_answers, officer_client, run_worker, submit
from tests.api.staff_helpers import signed_in_client

BIRTH_ANSWERS = {"subject.name": "张小宝", "subject.hukou_choice": "father", "delivery.method": "electronic",
                 "consent.declaration": True, "consent.data_sharing": True}
RETIREMENT_ANSWERS = {"delivery.method": "electronic", "consent.declaration": True, "consent.data_sharing": True}


def world_signal(kind: str) -> LifeEventSignal:
    """The demo world's signal of ``kind`` as the sample registry's feed sends it."""
    feed = SampleSignals(SampleRegistry(), [60, 80])
    return next(s for _, s in feed.all_signals(feed.registry.world, china_today()) if s.kind == kind)


def send(signal: LifeEventSignal) -> dict[str, Any]:
    return receive_signal(db.session, current_sources(), signal, source="sample", today=china_today())


def offers_of(client: FlaskClient) -> list[dict[str, Any]]:
    response = client.get("/api/v1/offers")
    assert response.status_code == 200, response.json
    return response.json["offers"]  # type: ignore[no-any-return]


def accept(client: FlaskClient, offer: dict[str, Any], answers: dict[str, Any] | None = None) -> dict[str, Any]:
    response = client.post(f"/api/v1/offers/{offer['id']}/accept", json={"answers": answers or {}})
    assert response.status_code == 200, response.json
    return response.json  # type: ignore[no-any-return]


def test_a_birth_signal_offers_both_parents_and_the_offer_opens_a_prefilled_bundle_to_submit(app: Flask) -> None:
    father, _ = signed_in_client(app, "zhangwei")
    mother, _ = signed_in_client(app, "wangfang")
    assert send(world_signal("birth")) == {"outcome": "applied", "offers": 2, "grants": 0}

    [offer] = offers_of(father)
    assert offer["status"] == "open" and offer["bundle"] == "birth" and offer["relation"] == "father"
    assert offer["text"]["zh-CN"] == "宝宝的出生信息已登记，出生一件事已为您备好，只需确认 3 项"
    assert offer["questions"] == ["subject.name", "subject.hukou_choice", "delivery.method"]
    english = offer["text"]["en"]
    assert english.startswith("Your baby's birth is registered") and "only 3 things to confirm" in english
    assert offers_of(mother)[0]["relation"] == "mother"

    started = accept(father, offer, BIRTH_ANSWERS)
    receipt = submit(father, started["application_number"], started["version"])
    assert receipt.status_code == 201, receipt.json  # nothing else was asked: the rest was prefilled
    assert {c["item"] for c in receipt.json["cases"]} >= {"birth-medical-certificate", "birth-registration"}

    assert offers_of(father)[0]["status"] == "used"
    assert offers_of(father)[0]["application_number"] == started["application_number"]
    assert offers_of(mother)[0]["status"] == "join"  # the family-case rule: she joins, she does not start
    assert offers_of(mother)[0]["application_number"] == started["application_number"]
    refused = mother.post(f"/api/v1/offers/{offers_of(mother)[0]['id']}/accept", json={"answers": BIRTH_ANSWERS})
    assert refused.status_code == 409


def test_the_offer_reaches_the_inbox_with_its_count_and_a_push_payload_that_names_nobody(app: Flask) -> None:
    father, _ = signed_in_client(app, "zhangwei")
    send(world_signal("birth"))
    run_worker(app)
    entries = father.get("/api/v1/inbox").json["notifications"]
    offer = offers_of(father)[0]
    entry = next(e for e in entries if e["kind"] == "offer_birth")
    assert entry["title"] == "宝宝的出生信息已登记，出生一件事已为您备好，只需确认 3 项"
    assert entry["link"] == f"/app/offers/{offer['id']}"


def test_a_duplicate_signal_creates_nothing_and_an_older_one_is_stored_as_stale(app: Flask) -> None:
    signed_in_client(app, "zhangwei")
    signal = world_signal("birth")
    send(signal)
    assert send(signal) == {"outcome": "duplicate", "offers": 0, "grants": 0}
    older = replace(signal, id="sample:birth:older", sequence=signal.sequence - 1)
    assert send(older)["outcome"] == "stale"
    db.session.expire_all()
    assert db.session.query(LifeSignal).count() == 2 and db.session.query(Offer).count() == 2


def test_a_declined_or_used_offer_never_returns_for_the_same_subject(app: Flask) -> None:
    father, _ = signed_in_client(app, "zhangwei")
    signal = world_signal("birth")
    send(signal)
    [offer] = offers_of(father)
    declined = father.post(f"/api/v1/offers/{offer['id']}/decline")
    assert declined.status_code == 200 and declined.json["status"] == "declined"
    again = replace(signal, id="sample:birth:corrected", sequence=signal.sequence + 1)
    assert send(again)["offers"] == 0  # the mother has hers already; the father's decline stands
    assert [o["status"] for o in offers_of(father)] == ["declined"]
    assert father.post(f"/api/v1/offers/{offer['id']}/accept", json={"answers": {}}).status_code == 409

    retiree, _ = signed_in_client(app, "lijianguo")
    retirement = world_signal("retirement")
    send(retirement)
    started = accept(retiree, offers_of(retiree)[0], RETIREMENT_ANSWERS)
    assert submit(retiree, started["application_number"], started["version"]).status_code == 201
    assert send(replace(retirement, id="sample:retirement:again", sequence=retirement.sequence + 1))["offers"] == 0
    assert [o["status"] for o in offers_of(retiree)] == ["used"]


def test_a_death_signal_offers_the_first_order_family_naming_the_deceased_and_nothing_else(app: Flask) -> None:
    son, son_user = signed_in_client(app, "chenming")
    signed_in_client(app, "chenli")
    widow, _ = signed_in_client(app, "liuxiuying")
    assert send(world_signal("death"))["offers"] == 3  # the widow and both children
    [offer] = offers_of(son)
    assert offer["relation"] == "child" and offer["subject_name"] == "陈国华" and offer["bundle"] == "after-death"
    assert offer["text"]["zh-CN"].startswith("陈国华的离世信息已登记，身后一件事已为您备好，只需确认")
    body = son.get("/api/v1/offers").get_data(as_text=True)
    assert persona("chenguohua").id_number not in body and persona("liuxiuying").id_number not in body
    assert offers_of(widow)[0]["relation"] == "spouse"
    started = accept(son, offer, complete_answers("after-death", son_user.id))
    assert submit(son, started["application_number"], started["version"]).status_code == 201


def test_a_retirement_signal_offers_the_retiree_a_month_ahead(app: Flask) -> None:
    retiree, _ = signed_in_client(app, "lijianguo")
    signal = world_signal("retirement")
    assert (signal.occurred_on - china_today()).days <= 31
    send(signal)
    [offer] = offers_of(retiree)
    assert offer["relation"] == "self" and offer["questions"] == ["delivery.method"]
    assert offer["text"]["zh-CN"] == f"您将于 {signal.occurred_on.isoformat()} 到达退休年龄，退休一件事已为您备好，只需确认 1 项"


def test_a_kind_switched_off_makes_no_offer(app: Flask) -> None:
    father, _ = signed_in_client(app, "zhangwei")
    saved = father.put("/api/v1/offers/settings", json={"offers_off": ["birth"], "automatic_items": []})
    assert saved.status_code == 200
    assert {k["kind"]: k["on"] for k in saved.json["offer_kinds"]}["birth"] is False
    send(world_signal("birth"))
    assert offers_of(father) == []
    bad = father.put("/api/v1/offers/settings", json={"offers_off": [], "automatic_items": ["birth-registration"]})
    assert bad.status_code == 422 and "automatic_items" in bad.json["errors"].get("json", bad.json["errors"])


def sixtieth_birthday() -> LifeEventSignal:
    who = persona("lijianguo")
    birthday = date(who.born.year + 60, who.born.month, who.born.day)
    return LifeEventSignal("registry:age:lijianguo-60", "age", who.id_number, 10, birthday, age=60)


def test_reaching_60_offers_the_senior_card_and_agreeing_grants_it_with_the_data_it_rested_on(app: Flask) -> None:
    resident, user = signed_in_client(app, "lijianguo")
    assert send(sixtieth_birthday()) == {"outcome": "applied", "offers": 1, "grants": 0}  # no consent yet: asked
    [offer] = offers_of(resident)
    assert offer["kind"] == "automatic" and offer["item"] == "senior-card" and "老年人优待证" in offer["text"]["zh-CN"]

    grant = accept(resident, offer)["grant"]
    assert grant["status"] == "granted" and grant["item"] == "senior-card" and grant["reference"].startswith("MS")
    assert {b["key"]: b["value"] for b in grant["basis"]} == {
        "subject.age": 60, "subject.has_senior_card": False, "subject.hukou_local": True}
    listed = resident.get("/api/v1/offers").json
    assert listed["offers"][0]["status"] == "used" and listed["grants"][0]["id"] == grant["id"]
    assert {s["item"]: s["on"] for s in listed["settings"]["automatic_items"]} == {"senior-card": True,
                                                                                    "old-age-allowance": False}
    names = {a["name"] for a in listed["activity"]}
    assert {"offer_made", "offer_accepted", "automatic_granted", "signal_received"} <= names


def test_with_consent_given_ahead_the_age_signal_grants_without_asking(app: Flask) -> None:
    resident, _ = signed_in_client(app, "lijianguo")
    saved = resident.put("/api/v1/offers/settings", json={"offers_off": [], "automatic_items": ["senior-card"]})
    assert saved.status_code == 200
    assert resident.get("/api/v1/offers").json["grants"] == []  # not 60 yet today: nothing proven
    assert send(sixtieth_birthday()) == {"outcome": "applied", "offers": 0, "grants": 1}
    assert resident.get("/api/v1/offers").json["grants"][0]["status"] == "granted"


def test_an_objection_goes_to_the_department_and_its_review_reaches_the_resident(app: Flask) -> None:
    resident, user = signed_in_client(app, "lijianguo")
    resident.put("/api/v1/offers/settings", json={"offers_off": [], "automatic_items": ["senior-card"]})
    send(sixtieth_birthday())
    grant = resident.get("/api/v1/offers").json["grants"][0]
    empty = resident.post(f"/api/v1/offers/grants/{grant['id']}/objection", json={"reason": ""})
    assert empty.status_code == 422 and "reason" in empty.json["errors"]["json"]
    objected = resident.post(f"/api/v1/offers/grants/{grant['id']}/objection", json={"reason": "我已在外省领过优待证"})
    assert objected.status_code == 200 and objected.json["status"] == "objected"

    officer = officer_client(app, "civil-affairs")
    [task] = officer.get("/api/v1/officer/objections").json["objections"]
    assert task["id"] == grant["id"] and task["objection"] == "我已在外省领过优待证"
    assert officer_client(app, "health").get("/api/v1/officer/objections").json["objections"] == []
    reviewed = officer.post(f"/api/v1/officer/objections/{grant['id']}", json={"outcome": "withdrawn", "note": "已核实"})
    assert reviewed.status_code == 200 and reviewed.json["status"] == "withdrawn"
    assert resident.get("/api/v1/offers").json["grants"][0]["review_outcome"] == "withdrawn"
    db.session.expire_all()
    told = db.session.query(Event).filter(Event.name == "automatic_reviewed", Event.subject_user_id == user.id).count()
    assert told == 1


def test_the_demo_world_seeds_one_live_offer_per_persona_kind_through_the_signal_path(app: Flask) -> None:
    from bff.services.demo import seed_demo_offers, seed_demo_world

    seed_demo_world(db.session, issuer=app.config["OIDC_ISSUER"])
    seed_demo_offers(db.session, app.config, current_sources())
    assert seed_demo_offers(db.session, app.config, current_sources())["offers"] == 0
    # automatic items offered at an age reached this month come on top (none in today's catalog)
    bundles = sorted((o.kind, o.relation) for o in db.session.query(Offer) if o.bundle)
    assert bundles == [("after-death", "child"), ("after-death", "child"), ("after-death", "spouse"),
                       ("birth", "father"), ("birth", "mother"), ("retirement", "self")]


def test_the_periodic_job_reads_the_feed_from_its_cursor_and_a_second_read_makes_nothing(app: Flask) -> None:
    from bff.jobs.queue import queue_for
    from bff.store.proactive_models import SignalCursor

    signed_in_client(app, "zhangwei")
    queue_for(app).enqueue("bff.jobs.tasks.poll_signals")
    run_worker(app)
    db.session.expire_all()
    assert db.session.query(Offer).filter(Offer.kind == "birth").count() == 2
    assert db.session.get(SignalCursor, "sample").cursor == china_today().isoformat()
    signals = db.session.query(LifeSignal).count()
    queue_for(app).enqueue("bff.jobs.tasks.poll_signals")
    run_worker(app)
    db.session.expire_all()
    assert db.session.query(LifeSignal).count() == signals


def test_an_answer_no_draft_may_hold_is_refused_on_its_field_and_the_offer_stays_open(app: Flask) -> None:
    father, _ = signed_in_client(app, "zhangwei")
    send(world_signal("birth"))
    [offer] = offers_of(father)
    refused = father.post(f"/api/v1/offers/{offer['id']}/accept",
                          json={"answers": {**BIRTH_ANSWERS, "subject.name": "张" * 200}})
    assert refused.status_code == 422, refused.json
    assert refused.json["errors"]["json"]["subject.name"] == ["最多30个字。"]
    missing = father.post(f"/api/v1/offers/{offer['id']}/accept", json={"answers": {"subject.name": "张小宝"}})
    assert missing.status_code == 422 and "delivery.method" in missing.json["errors"]["json"]
    assert offers_of(father)[0]["status"] == "open"
    assert father.get("/api/v1/applications/drafts").json["drafts"] == []
