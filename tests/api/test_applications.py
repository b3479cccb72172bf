from __future__ import annotations

from typing import Any

from flask import Flask
from sqlalchemy import func, select

from bff.extensions import db
from bff.services.applications import claim_idempotency_key
from bff.services.catalog_adapter import plan_cases, submission_form_for
from bff.store.models import Case, Event, IdempotencyKey, OutboxMessage
from tests.api.application_helpers import complete_answers, start, submit
from tests.factories import create_user, sign_in


def signed_in(app: Flask, client: Any, persona: str = "zhangwei") -> Any:
    user = create_user(persona)
    sign_in(app, client, user)
    return user


def test_starting_a_draft_gives_a_number_and_an_etag(app, client) -> None:
    signed_in(app, client)
    response = client.post("/api/v1/applications", json={"bundle": "birth"})
    assert response.status_code == 201
    assert response.headers["ETag"] == '"1"'
    assert response.json["number"].startswith("YJ")
    assert response.json["status"] == "draft"


def test_an_unknown_bundle_is_not_found(app, client) -> None:
    signed_in(app, client)
    assert client.post("/api/v1/applications", json={"bundle": "no-such"}).status_code == 404


def test_autosave_with_the_current_etag_moves_the_version_on(app, client) -> None:
    signed_in(app, client)
    draft = start(client, answers={})
    response = client.patch(f"/api/v1/applications/{draft['number']}", json={"answers": {"subject.name": "张小宝"}},
                            headers={"If-Match": '"1"'})
    assert response.status_code == 200
    assert response.headers["ETag"] == '"2"'
    assert response.json["answers"] == {"subject.name": "张小宝"}


def test_a_stale_autosave_gets_412_and_loses_nothing(app, client) -> None:
    signed_in(app, client)
    number = start(client, answers={})["number"]
    client.patch(f"/api/v1/applications/{number}", json={"answers": {"subject.name": "张小宝"}},
                 headers={"If-Match": '"1"'})
    stale = client.patch(f"/api/v1/applications/{number}", json={"answers": {"subject.name": "旧名字"}},
                         headers={"If-Match": '"1"'})
    assert stale.status_code == 412
    assert stale.json["reason"] == "stale_draft"
    current = client.get(f"/api/v1/applications/{number}")
    assert current.json["answers"] == {"subject.name": "张小宝"}
    assert current.headers["ETag"] == '"2"'


def test_an_autosave_without_if_match_is_refused_with_428(app, client) -> None:
    signed_in(app, client)
    number = start(client, answers={})["number"]
    assert client.patch(f"/api/v1/applications/{number}", json={"answers": {}}).status_code == 428


def test_null_clears_an_answer(app, client) -> None:
    signed_in(app, client)
    number = start(client, answers={"subject.name": "张小宝", "subject.sex": "male"})["number"]
    response = client.patch(f"/api/v1/applications/{number}", json={"answers": {"subject.name": None}},
                            headers={"If-Match": '"1"'})
    assert response.json["answers"] == {"subject.sex": "male"}


def test_a_draft_resumes_on_another_device(app, client) -> None:
    user = signed_in(app, client)
    number = start(client, answers={"subject.name": "张小宝"})["number"]
    phone = app.test_client()
    sign_in(app, phone, user)
    drafts = phone.get("/api/v1/applications/drafts").json["drafts"]
    assert [d["number"] for d in drafts] == [number]
    assert drafts[0]["answers"]["subject.name"] == "张小宝"


def test_sensitive_answers_come_back_masked(app, client) -> None:
    signed_in(app, client)
    draft = start(client, answers={"family.mother_id_number": "330106199407202423"})  # a valid check character
    assert draft["answers"]["family.mother_id_number"] == "330106********2423"


def test_deleting_a_draft_removes_it_from_my_drafts(app, client) -> None:
    signed_in(app, client)
    number = start(client, answers={})["number"]
    assert client.delete(f"/api/v1/applications/{number}").status_code == 204
    assert client.get("/api/v1/applications/drafts").json["drafts"] == []
    assert client.get(f"/api/v1/applications/{number}").status_code == 404


def test_submitting_writes_one_case_per_included_item_with_events_and_outbox_rows(app, client) -> None:
    user = signed_in(app, client)
    number = start(client)["number"]
    response = submit(client, number)
    assert response.status_code == 201, response.json
    receipt = response.json
    plans = plan_cases(submission_form_for(db.session, user.id, "birth", None))
    items = [plan.item for plan in plans]
    assert [case["item"] for case in receipt["cases"]] == items
    assert receipt["number"] == number and receipt["qr_path"] and receipt["verify_path"]
    # Only what needs nothing goes at once, its time limit running; the rest waits, without a due date yet.
    ready = [plan.item for plan in plans if not plan.needs]
    assert ready == ["birth-medical-certificate"]
    assert [case["item"] for case in receipt["cases"] if case["status"] == "submitted"] == ready
    assert all(bool(case["due_on"]) == (case["item"] in ready) for case in receipt["cases"])
    assert all(case["expected_on"] for case in receipt["cases"])
    assert receipt["critical_path_days"] == 18 and receipt["expected_complete_on"]
    assert db.session.scalar(select(func.count()).select_from(Case)) == len(items)
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)
                             .where(OutboxMessage.topic == "case.submitted")) == len(ready)
    names = list(db.session.scalars(select(Event.name).order_by(Event.id)))
    assert names[-1] == "application_submitted"


def test_submit_twice_with_same_key_returns_the_first_receipt(app, client) -> None:
    signed_in(app, client)
    number = start(client)["number"]
    first = submit(client, number, key="key-0000000001")
    again = submit(client, number, key="key-0000000001")
    assert again.status_code == 201
    assert again.json == first.json
    assert again.headers["Idempotent-Replayed"] == "true"
    assert db.session.scalar(select(func.count()).select_from(Case)) == len(first.json["cases"])


def test_the_receipt_says_what_this_application_spared_within_the_bundles_totals(app, client) -> None:
    signed_in(app, client)
    receipt = submit(client, start(client)["number"], key="key-0000000009").json
    spared = receipt["burden"]["saved"]
    totals = client.get("/api/v1/bundles/birth").json["burden"]["saved"]
    assert all(0 < spared[figure] <= totals[figure] for figure in ("trips", "materials", "fields"))
    assert spared["trips"] == receipt["burden"]["trips_before"] - receipt["burden"]["trips_after"]


def test_the_same_key_with_a_different_body_is_refused_with_422(app, client) -> None:
    signed_in(app, client)
    number = start(client)["number"]
    submit(client, number, key="key-0000000002")
    response = client.post(f"/api/v1/applications/{number}/submit", json={"version": 1, "channel": "hall"},
                           headers={"Idempotency-Key": "key-0000000002"})
    assert response.status_code == 422
    assert response.json["reason"] == "idempotency_key_reused"


def test_a_retry_while_the_first_is_in_flight_gets_409(app, client) -> None:
    user = signed_in(app, client)
    number = start(client)["number"]
    from bff.core.applications import request_fingerprint

    other_request = db.new_session()  # the first request has claimed the key and is still running
    claim_idempotency_key(other_request, user.id, "key-0000000003", request_fingerprint(f"submit:{number}",
                                                                                          {"version": 1}))
    other_request.close()
    response = submit(client, number, key="key-0000000003")
    assert response.status_code == 409
    assert response.json["reason"] == "idempotency_key_in_flight"


def test_a_submission_without_an_idempotency_key_is_a_bad_request(app, client) -> None:
    signed_in(app, client)
    number = start(client)["number"]
    assert client.post(f"/api/v1/applications/{number}/submit", json={"version": 1}).status_code == 400


def test_an_incomplete_form_gets_field_errors_and_the_key_can_be_used_again(app, client) -> None:
    user = signed_in(app, client)
    answers = complete_answers("birth", user.id)
    del answers["subject.name"]
    number = start(client, answers=answers)["number"]
    response = submit(client, number, key="key-0000000004")
    assert response.status_code == 422
    assert "subject.name" in response.json["errors"]["json"]
    assert db.session.scalar(select(func.count()).select_from(IdempotencyKey)) == 0
    assert db.session.scalar(select(func.count()).select_from(Case)) == 0
    client.patch(f"/api/v1/applications/{number}", json={"answers": {"subject.name": "张小宝"}},
                 headers={"If-Match": '"1"'})
    assert submit(client, number, version=2, key="key-0000000004").status_code == 201


def test_submitting_an_old_version_of_the_draft_is_refused(app, client) -> None:
    signed_in(app, client)
    number = start(client)["number"]
    client.patch(f"/api/v1/applications/{number}", json={"answers": {"subject.name": "张小宝"}},
                 headers={"If-Match": '"1"'})
    assert submit(client, number, version=1).status_code == 412


def test_a_submitted_application_cannot_be_submitted_again_with_a_new_key(app, client) -> None:
    signed_in(app, client)
    number = start(client)["number"]
    submit(client, number)
    assert submit(client, number).status_code == 409


def test_the_receipt_qr_code_opens_a_public_check_that_shows_no_personal_data(app, client) -> None:
    signed_in(app, client)
    number = start(client)["number"]
    receipt = submit(client, number).json
    qr = client.get(receipt["qr_path"])
    assert qr.status_code == 200 and qr.mimetype == "image/svg+xml"
    anonymous = app.test_client()
    page = anonymous.get(receipt["verify_path"])
    assert page.status_code == 200 and "有效" in page.text and "张" not in page.text and "style=" not in page.text
    forged = anonymous.get(f"/verify/receipt/{number}?t=00000000000000000000")
    assert "无效" in forged.text


def test_a_receipt_check_with_a_token_of_any_characters_answers_invalid_not_500(app) -> None:
    anonymous = app.test_client()
    for token in ("\u008a\u00d3\u00837Z", "找不到", "\x00"):
        answer = anonymous.get("/api/v1/verify/receipts/YJ202612070000001", query_string={"t": token})
        assert answer.status_code == 200 and answer.json == {"valid": False}, (token, answer.status_code)


def test_autosave_works_with_the_etag_of_a_compressed_draft(app, client) -> None:
    """Browsers always send Accept-Encoding; a draft over the compression threshold comes back with an
    encoding-suffixed ETag ("1:br"), and that ETag must still save the draft, twice in a row."""
    import gzip
    import json

    import brotli

    decode = {"br": brotli.decompress, "gzip": gzip.decompress}
    signed_in(app, client)
    for coding in ("br", "gzip"):
        # every field of the bundle answered: the draft is well over the 500-byte threshold
        number = start(client, answers=complete_answers("birth"))["number"]
        got = client.get(f"/api/v1/applications/{number}", headers={"Accept-Encoding": coding})
        assert got.headers["Content-Encoding"] == coding
        etag = got.headers["ETag"]
        assert etag == f'"1:{coding}"'
        for name, version in (("张小宝", 2), ("张大宝", 3)):
            saved = client.patch(f"/api/v1/applications/{number}", json={"answers": {"subject.name": name}},
                                 headers={"If-Match": etag, "Accept-Encoding": coding})
            assert saved.status_code == 200, saved.data
            assert saved.headers["Content-Encoding"] == coding
            body = json.loads(decode[coding](saved.data))
            assert body["version"] == version and body["answers"]["subject.name"] == name
            etag = saved.headers["ETag"]
            assert etag == f'"{version}:{coding}"'
        stale = client.patch(f"/api/v1/applications/{number}", json={"answers": {"subject.name": "旧名字"}},
                             headers={"If-Match": f'"2:{coding}"'})
        assert stale.status_code == 412 and stale.json["reason"] == "stale_draft"


def test_an_etag_with_an_unknown_suffix_is_not_taken_for_the_version(app, client) -> None:
    signed_in(app, client)
    number = start(client, answers={})["number"]
    response = client.patch(f"/api/v1/applications/{number}", json={"answers": {"subject.name": "张小宝"}},
                            headers={"If-Match": '"1:evil"'})
    assert response.status_code == 412
    assert client.get(f"/api/v1/applications/{number}").json["answers"] == {}
