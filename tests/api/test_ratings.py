"""好差评: a resident rates a finished application once; a bad rating gets a follow-up and one re-rating.

Each test starts from the state it is about, made by the application factory (rating comes after the
departments' work, which the officer and department tests replay)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from sqlalchemy import select

from bff.core.ratings import tag_list
from bff.extensions import db
from bff.store.models import Event
from tests.api.application_helpers import application_in_state, officer_client, run_worker
from tests.api.staff_helpers import grant_headers, signed_in_client
from tests.factories import create_user, sign_in


@pytest.fixture
def completed(app, client) -> dict[str, Any]:
    return application_in_state(app, client, "approved")


def rate(client, number: str, **body: Any):
    return client.post(f"/api/v1/applications/{number}/rating", json={"score": 5, **body})


def events(name: str) -> list[Event]:
    db.session.expire_all()
    return list(db.session.scalars(select(Event).where(Event.name == name).order_by(Event.id)))


def test_a_completed_application_can_be_rated_with_tags_and_a_comment(client, completed) -> None:
    response = rate(client, completed["number"], score=4, tags=["fast", "no_trips"], comment="  很方便，  没跑腿 ")
    assert response.status_code == 201, response.json
    rating = response.json["rating"]
    assert (rating["score"], rating["tags"], rating["bad"]) == (4, ["fast", "no_trips"], False)
    assert rating["comment"] == "很方便， 没跑腿"
    [event] = events("rating_given")
    assert event.data == {"number": completed["number"], "score": 4, "tags": ["fast", "no_trips"],
                          "comment": "很方便， 没跑腿", "comment_length": 8}
    assert event.subject_user_id == completed["user"].id and event.actor_user_id == completed["user"].id


def test_the_rating_is_returned_by_get_with_the_tag_list(client, completed) -> None:
    before = client.get(f"/api/v1/applications/{completed['number']}/rating").json
    assert before["rating"] is None and before["can_rate"] is True and before["tags"] == tag_list()
    rate(client, completed["number"], score=5)
    after = client.get(f"/api/v1/applications/{completed['number']}/rating").json
    assert after["rating"]["score"] == 5 and after["can_rate"] is False


def test_a_second_rating_after_a_good_one_is_refused(client, completed) -> None:
    rate(client, completed["number"], score=3)
    response = rate(client, completed["number"], score=5)
    assert response.status_code == 409 and response.json["reason"] == "already_rated"
    assert len(events("rating_given")) == 1


def follow_up(app, completed, **reason):
    staff, _ = signed_in_client(app, "zhoumin")
    headers = grant_headers(staff, completed["user"].id, **(reason or {"purpose": "rating_follow_up", "text": "差评回访"}))
    return staff, headers, staff.post(f"/api/v1/staff/residents/{completed['user'].id}/ratings/{completed['number']}/follow-up",
                                      headers=headers)


def test_a_bad_rating_records_a_follow_up_due_in_one_working_day(client, completed) -> None:
    first = rate(client, completed["number"], score=1, tags=["slow", "complicated"]).json["rating"]
    assert first["bad"] is True and first["follow_up"] == "pending"
    [needed] = events("rating_follow_up_needed")
    assert needed.data["number"] == completed["number"] and needed.data["score"] == 1
    assert needed.data["rating"] == first["id"] and needed.data["due_on"] > date.today().isoformat()


def test_a_re_rating_waits_for_the_service_desks_call_back(app, client, completed) -> None:
    rate(client, completed["number"], score=2)
    assert client.get(f"/api/v1/applications/{completed['number']}/rating").json["can_rate"] is False
    early = rate(client, completed["number"], score=4)
    assert early.status_code == 409 and early.json["reason"] == "follow_up_pending"
    _, _, response = follow_up(app, completed)
    assert response.status_code == 201 and response.json["rating"]["follow_up"] == "done"
    [done] = events("rating_followed_up")
    assert done.actor_user_id != completed["user"].id and done.data["access"]  # audited, with the opening
    run_worker(app)  # the resident is told, with a way back to rate again
    inbox = client.get("/api/v1/inbox", headers={"Accept-Language": "en"}).json["notifications"]
    [told] = [n for n in inbox if n["kind"] == "rating_followed_up"]
    assert told["link"].endswith(f"{completed['number']}#rating") and told["read_at"] is None


def test_after_the_call_back_exactly_one_re_rating_is_allowed(app, client, completed) -> None:
    first = rate(client, completed["number"], score=1).json["rating"]
    follow_up(app, completed)
    assert client.get(f"/api/v1/applications/{completed['number']}/rating").json["can_rate"] is True
    again = rate(client, completed["number"], score=4)
    assert again.status_code == 201 and again.json["rating"]["score"] == 4
    assert events("rating_given")[-1].data["revises"] == first["id"]
    third = rate(client, completed["number"], score=5)
    assert third.status_code == 409 and third.json["reason"] == "already_rated"


def test_a_call_back_is_recorded_once_and_only_for_a_bad_rating(app, client, completed) -> None:
    rate(client, completed["number"], score=4)
    _, _, good = follow_up(app, completed)
    assert good.status_code == 409 and good.json["reason"] == "no_follow_up_needed"


def test_recording_a_call_back_needs_a_grant_for_that_resident(app, client, completed) -> None:
    rate(client, completed["number"], score=1)
    staff, _ = signed_in_client(app, "zhoumin")
    path = f"/api/v1/staff/residents/{completed['user'].id}/ratings/{completed['number']}/follow-up"
    response = staff.post(path)
    assert response.status_code == 403 and response.json["reason"] == "access_reason_required"
    other = create_user("wangfang")
    headers = grant_headers(staff, other.id)
    assert staff.post(f"/api/v1/staff/residents/{other.id}/ratings/{completed['number']}/follow-up",
                      headers=headers).status_code == 404
    assert client.post(path).status_code == 403  # residents may not


def test_an_application_still_in_progress_cannot_be_rated(app, client) -> None:
    submitted = application_in_state(app, client)
    response = rate(client, submitted["number"])
    assert response.status_code == 409 and response.json["reason"] == "not_rateable"
    assert client.get(f"/api/v1/applications/{submitted['number']}/rating").json["can_rate"] is False


def test_a_partially_rejected_application_can_be_rated(app, client) -> None:
    submitted = application_in_state(app, client, "partially_rejected")
    assert client.get("/api/v1/applications").json["applications"][0]["status"] == "partially_rejected"
    assert rate(client, submitted["number"], score=2).status_code == 201


@pytest.mark.parametrize(("body", "field"), [
    ({"score": 0}, "score"), ({"score": 6}, "score"), ({"tags": ["not-a-tag"]}, "tags"),
    ({"comment": "很" * 501}, "comment"), ({"comment": "请打我电话 13800001234"}, "comment"),
])
def test_a_bad_rating_body_gets_a_field_error_and_stores_nothing(client, completed, body, field) -> None:
    response = rate(client, completed["number"], **body)
    assert response.status_code == 422
    assert field in response.json["errors"]["json"]
    assert events("rating_given") == []


def test_someone_elses_application_cannot_be_rated_or_read(app, client, completed) -> None:
    other = app.test_client()
    sign_in(app, other, create_user("wangfang"))
    assert other.get(f"/api/v1/applications/{completed['number']}/rating").status_code == 404
    assert rate(other, completed["number"]).status_code in (403, 404)


def test_only_residents_may_rate(app, completed) -> None:
    officer = officer_client(app, "health")
    assert officer.get(f"/api/v1/applications/{completed['number']}/rating").status_code == 403
    assert app.test_client().get(f"/api/v1/applications/{completed['number']}/rating").status_code == 401


def test_the_staff_timeline_shows_ratings_and_follow_ups_under_ratings(app, client, completed) -> None:
    rate(client, completed["number"], score=2, tags=["slow"])
    staff, headers, _ = follow_up(app, completed)
    user_id = completed["user"].id
    items = staff.get(f"/api/v1/staff/residents/{user_id}/timeline?kinds=ratings", headers=headers).json["items"]
    assert [i["name"] for i in items] == ["rating_followed_up", "rating_follow_up_needed", "rating_given"]


def test_the_service_desk_work_list_holds_bad_ratings_until_they_are_called_back(app, client, completed) -> None:
    staff, _ = signed_in_client(app, "zhoumin")
    assert staff.get("/api/v1/staff/follow-ups").json["items"] == []
    rate(client, completed["number"], score=1)

    [item] = staff.get("/api/v1/staff/follow-ups").json["items"]
    assert (item["number"], item["score"], item["overdue"]) == (completed["number"], 1, False)
    assert item["due_on"] > date.today().isoformat()
    assert item["resident"]["id"] == completed["user"].id
    assert completed["user"].name not in str(item) and completed["user"].mobile not in str(item)  # masked
    assert [e.data["kind"] for e in events("staff_searched")] == ["follow_ups", "follow_ups"]  # each look recorded

    follow_up(app, completed)
    assert staff.get("/api/v1/staff/follow-ups").json["items"] == []
    rate(client, completed["number"], score=2)  # the one re-rating, bad again: back on the list
    assert [i["number"] for i in staff.get("/api/v1/staff/follow-ups").json["items"]] == [completed["number"]]


def test_only_staff_see_the_work_list(app, client, completed) -> None:
    assert client.get("/api/v1/staff/follow-ups").status_code == 403  # a resident
    officer = officer_client(app, completed["receipt"]["cases"][0]["department"])
    assert officer.get("/api/v1/staff/follow-ups").status_code == 403
