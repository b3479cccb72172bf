"""The service-desk console: search, access with a purpose, reveals, the access log, actions."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import event as sa_event
from sqlalchemy import select, text

from bff.config import ROOT
from bff.core.pii import mask_id_number, mask_mobile
from bff.extensions import db
from bff.services.applications import today_in_china
from bff.services.service_desk.notes import escalations_for_department
from bff.store.models import Case, Event
from bff.store.staff_models import StaffNote
from tests.api.staff_helpers import grant_headers, resident_with_application, signed_in_client
from tests.factories import ApplicationFactory, create_user

TICKET = {"ticket": "KF-20261126-0001"}


def events(name: str) -> list[Event]:
    db.session.expire_all()
    return list(db.session.scalars(select(Event).where(Event.name == name).order_by(Event.id)))


@pytest.fixture
def staff(app):
    client, _ = signed_in_client(app, "zhoumin")
    return client


@pytest.fixture
def resident(app):
    return resident_with_application(app)


# --- Search ---------------------------------------------------------------------------------------

def test_search_by_id_number_finds_the_resident_with_masked_numbers(staff, resident):
    response = staff.post("/api/v1/staff/search", json={"query": resident.id_number.lower()})
    assert response.status_code == 200
    assert response.json["kind"] == "id_number"
    [found] = response.json["results"]
    assert found == {"id": resident.user.id, "name": "张*", "id_number": mask_id_number(resident.id_number),
                     "mobile": mask_mobile(resident.mobile), "application": None}


def test_search_by_mobile_number_finds_the_resident(staff, resident):
    response = staff.post("/api/v1/staff/search", json={"query": f" {resident.mobile} "})
    assert response.json["kind"] == "mobile"
    assert [r["id"] for r in response.json["results"]] == [resident.user.id]


def test_search_by_application_number_finds_its_applicant(staff, resident):
    response = staff.post("/api/v1/staff/search", json={"query": resident.number})
    assert response.json["kind"] == "application"
    assert response.json["results"][0]["id"] == resident.user.id
    assert response.json["results"][0]["application"] == resident.number


@pytest.mark.parametrize("partial", ["330106", "1380000", "YJ2611", "张伟"])
def test_search_never_matches_part_of_a_number(staff, resident, partial):
    response = staff.post("/api/v1/staff/search", json={"query": partial})
    assert response.status_code == 422
    assert response.json["reason"] == "search_query_invalid"


def test_a_number_nobody_has_finds_nobody(staff, resident):
    response = staff.post("/api/v1/staff/search", json={"query": "13812345678"})
    assert response.json["results"] == []


def test_staff_and_officers_are_not_found_by_search(app, staff):
    officer = create_user("officer-public-security")
    response = staff.post("/api/v1/staff/search", json={"query": officer.mobile})
    assert response.json["results"] == []


def test_a_search_is_recorded_without_the_number_searched_for(staff, resident):
    staff.post("/api/v1/staff/search", json={"query": resident.id_number})
    [searched] = events("staff_searched")
    assert searched.data == {"kind": "id_number", "results": 1}


def test_a_search_is_not_answered_before_its_audit_row_is_on_disk(app, staff, resident):
    """A crash right after the answer must not lose the record: the commit that writes it waits
    for the write-ahead log (``synchronous_commit`` on), in that very transaction."""
    durability: list[tuple[list[str], str]] = []

    def before_commit(session) -> None:
        written = [row.name for row in session.new if isinstance(row, Event)]
        durability.append((written, session.execute(text("SHOW synchronous_commit")).scalar_one()))

    factory = app.extensions["db"].factory
    sa_event.listen(factory, "before_commit", before_commit)
    try:
        response = staff.post("/api/v1/staff/search", json={"query": resident.id_number})
    finally:
        sa_event.remove(factory, "before_commit", before_commit)
    assert response.status_code == 200
    assert ([setting for written, setting in durability if "staff_searched" in written] == ["on"])
    assert len(events("staff_searched")) == 1


def test_no_code_relaxes_the_durability_of_a_commit():
    """Audit rows share transactions with everything else: no statement may trade them for speed."""
    sources = [path for path in (ROOT / "bff").rglob("*.py") if "synchronous_commit" in path.read_text()]
    assert sources == []


# --- Access with a purpose --------------------------------------------------------------------

@pytest.mark.parametrize("body, field", [
    ({}, "reason"),
    ({"text": "想看看"}, "reason"),
    ({"purpose": "progress_enquiry"}, "text"),
    ({"purpose": "no-such-purpose", "text": "来电咨询进度"}, "purpose"),
    ({"ticket": "x"}, "ticket"),
    ({"purpose": "complaint", "text": "来电人身份证 330106199203151310 核对"}, "text"),
    ({"purpose": "complaint", "text": "请回电 13800000001"}, "text"),
])
def test_opening_a_resident_without_a_proper_reason_is_refused_and_nothing_is_recorded(
        staff, resident, body, field):
    response = staff.post(f"/api/v1/staff/residents/{resident.user.id}/access", json=body)
    assert response.status_code == 422
    assert response.json["reason"] == "reason_required"
    assert field in response.json["errors"]["json"]
    assert events("staff_viewed") == []


@pytest.mark.parametrize("body", [TICKET, {"purpose": "progress_enquiry", "text": "来电询问出生登记进度"},
                                  {"ticket": "kf-1234", "purpose": "complaint"}])
def test_a_ticket_or_a_purpose_with_text_opens_the_resident(staff, resident, body):
    response = staff.post(f"/api/v1/staff/residents/{resident.user.id}/access", json=body)
    assert response.status_code == 201
    assert response.json["grant"] and response.json["expires_at"]
    assert response.json["resident"]["name"] == "张伟"
    assert response.json["resident"]["applications"][0]["number"] == resident.number


def test_opening_records_who_whom_and_why(app, staff, resident):
    staff.post(f"/api/v1/staff/residents/{resident.user.id}/access",
               json={"ticket": "KF-1", "purpose": "progress_enquiry", "text": "来电询问进度"})
    [viewed] = events("staff_viewed")
    zhoumin = create_user("zhoumin")
    assert (viewed.actor_user_id, viewed.subject_user_id) == (zhoumin.id, resident.user.id)
    assert viewed.data == {"reason": "来电询问进度", "purpose": "progress_enquiry", "ticket": "KF-1",
                           "view": "profile"}


def test_only_residents_can_be_opened(app, staff):
    officer = create_user("officer-public-security")
    response = staff.post(f"/api/v1/staff/residents/{officer.id}/access", json=TICKET)
    assert response.status_code == 404


def test_the_purposes_come_in_chinese_and_english(staff):
    purposes = staff.get("/api/v1/staff/purposes").json["purposes"]
    assert {"code": "progress_enquiry", "text": {"zh-CN": "来电咨询办理进度", "en": "Caller asks about progress"}} \
        in purposes


def test_a_grant_works_only_for_its_resident(app, staff, resident):
    other = resident_with_application(app, "chenming")
    headers = grant_headers(staff, resident.user.id)
    response = staff.get(f"/api/v1/staff/residents/{other.user.id}/timeline", headers=headers)
    assert response.status_code == 403
    assert response.json["reason"] == "access_reason_required"


def test_a_grant_works_only_in_the_staff_session_that_opened(app, staff, resident):
    headers = grant_headers(staff, resident.user.id)
    second_session, _ = signed_in_client(app, "zhoumin")
    response = second_session.get(f"/api/v1/staff/residents/{resident.user.id}", headers=headers)
    assert response.status_code == 403


def test_a_closed_grant_no_longer_opens_anything(staff, resident):
    headers = grant_headers(staff, resident.user.id)
    assert staff.delete(f"/api/v1/staff/residents/{resident.user.id}/access", headers=headers).status_code == 204
    assert staff.get(f"/api/v1/staff/residents/{resident.user.id}", headers=headers).status_code == 403


def test_a_grant_expires_with_its_redis_key(app, staff, resident):
    headers = grant_headers(staff, resident.user.id)
    client = app.extensions["redis"]
    ttls = [client.ttl(key) for key in client.scan_iter("staff-grant:*") if not key.endswith(":seen")]
    assert ttls and all(0 < ttl <= 15 * 60 for ttl in ttls)
    for key in client.scan_iter("staff-grant:*"):
        client.delete(key)
    assert staff.get(f"/api/v1/staff/residents/{resident.user.id}", headers=headers).status_code == 403


# --- Reveals and the resident's access log --------------------------------------------------

def test_revealing_a_field_returns_it_once_and_records_the_reveal(staff, resident):
    headers = grant_headers(staff, resident.user.id)
    response = staff.post(f"/api/v1/staff/residents/{resident.user.id}/reveal", json={"field": "id_number"},
                          headers=headers)
    assert response.json == {"field": "id_number", "value": resident.id_number}
    assert response.headers["Cache-Control"] == "no-store"
    [revealed] = events("staff_revealed")
    assert revealed.data["field"] == "id_number" and revealed.data["ticket"] == TICKET["ticket"]
    assert revealed.data["access"] == events("staff_viewed")[0].id
    assert resident.id_number not in str(revealed.data)
    profile = staff.get(f"/api/v1/staff/residents/{resident.user.id}", headers=headers).json
    assert profile["id_number"] == mask_id_number(resident.id_number)


def test_only_the_id_number_and_mobile_can_be_revealed(staff, resident):
    headers = grant_headers(staff, resident.user.id)
    response = staff.post(f"/api/v1/staff/residents/{resident.user.id}/reveal", json={"field": "answers"},
                          headers=headers)
    assert response.status_code == 422
    assert events("staff_revealed") == []


def test_the_resident_sees_who_viewed_and_revealed_their_data_and_why(staff, resident):
    headers = grant_headers(staff, resident.user.id, purpose="progress_enquiry", text="来电询问出生登记进度")
    staff.post(f"/api/v1/staff/residents/{resident.user.id}/reveal", json={"field": "mobile"}, headers=headers)
    response = resident.client.get("/api/v1/me/access-log")
    assert response.status_code == 200
    revealed, opened = response.json["items"]
    assert opened["staff_name"] == "周敏" and opened["action"] == "viewed" and opened["what"] == "profile"
    assert opened["purpose_text"] == {"zh-CN": "来电咨询办理进度", "en": "Caller asks about progress"}
    assert opened["reason"] == "来电询问出生登记进度" and opened["at"]
    assert revealed["action"] == "revealed" and revealed["what"] == "mobile"
    assert resident.mobile not in response.get_data(as_text=True)


def test_the_access_log_shows_a_ticket_when_there_is_no_purpose(staff, resident):
    grant_headers(staff, resident.user.id)
    [entry] = resident.client.get("/api/v1/me/access-log").json["items"]
    assert entry["ticket"] == TICKET["ticket"] and entry["purpose_text"]["en"] == "Call ticket"


def test_a_resident_sees_only_their_own_access_log(app, staff, resident):
    other = resident_with_application(app, "chenming")
    grant_headers(staff, other.user.id)
    assert resident.client.get("/api/v1/me/access-log").json["items"] == []
    assert len(other.client.get("/api/v1/me/access-log").json["items"]) == 1


def test_the_access_log_pages_back_by_event_id(staff, resident):
    for call in range(5):  # five calls, five tickets: five lines
        grant_headers(staff, resident.user.id, ticket=f"KF-20261126-000{call}")
    first = resident.client.get("/api/v1/me/access-log?limit=3").json
    second = resident.client.get(f"/api/v1/me/access-log?limit=3&before={first['next_before']}").json
    ids = [e["id"] for e in first["items"] + second["items"]]
    assert len(ids) == 5 and ids == sorted(ids, reverse=True) and second["next_before"] is None


def test_repeated_looks_for_the_same_purpose_that_day_read_as_one_line_and_reveals_stay_apart(staff, resident):
    headers = grant_headers(staff, resident.user.id, purpose="progress_enquiry", text="来电询问出生登记进度")
    rid = resident.user.id
    staff.get(f"/api/v1/staff/residents/{rid}/timeline", headers=headers)
    staff.get(f"/api/v1/staff/residents/{rid}/notes", headers=headers)
    grant_headers(staff, rid, purpose="progress_enquiry", text="来电询问出生登记进度")  # the next call
    for _ in range(2):
        staff.post(f"/api/v1/staff/residents/{rid}/reveal", json={"field": "mobile"}, headers=headers)
    revealed, viewed = resident.client.get("/api/v1/me/access-log").json["items"]
    assert viewed["count"] == 4 and viewed["whats"] == ["profile", "timeline", "notes"]
    assert viewed["who"] == {"zh-CN": "客服", "en": "Service desk"} and viewed["first_at"] <= viewed["at"]
    assert revealed["action"] == "revealed" and revealed["count"] == 2 and revealed["whats"] == ["mobile"]


def test_an_officers_looks_name_the_department_and_the_item_not_a_code(app):
    from tests.api.application_helpers import officer_client

    client, _ = signed_in_client(app, "zhangwei")
    ApplicationFactory(persona="zhangwei")  # delivered: the health officer's workbench lists it
    officer = officer_client(app, "health")
    reference = next(c["reference"] for c in officer.get("/api/v1/officer/cases").json["cases"])
    for _ in range(3):  # three page loads of the same case
        assert officer.get(f"/api/v1/officer/cases/{reference}").status_code == 200
    [line] = client.get("/api/v1/me/access-log").json["items"]
    assert line["who"] == {"zh-CN": "卫健", "en": "Health"} and line["count"] == 3
    assert line["purpose"] == "case_work" and line["reason"] == "" and line["ticket"] is None
    assert line["what"] == "application"
    assert line["purpose_text"] == {"zh-CN": "办理“出生医学证明”", "en": "Handling “Medical birth certificate”"}


# --- Audited views and actions ----------------------------------------------------------------

def test_every_view_and_action_records_an_audit_event_about_the_resident(app, staff, resident):
    rid = resident.user.id
    headers = grant_headers(staff, rid)
    case = db.session.scalar(select(Case).order_by(Case.id))
    case.due_on, case.flag = today_in_china() - timedelta(days=3), "overdue"
    db.session.commit()
    calls = [
        ("staff_viewed", lambda: staff.get(f"/api/v1/staff/residents/{rid}/timeline", headers=headers), "timeline"),
        ("staff_viewed", lambda: staff.get(f"/api/v1/staff/residents/{rid}/applications/{resident.number}",
                                           headers=headers), "application"),
        ("staff_viewed", lambda: staff.get(f"/api/v1/staff/residents/{rid}/notes", headers=headers), "notes"),
        ("staff_revealed", lambda: staff.post(f"/api/v1/staff/residents/{rid}/reveal", json={"field": "mobile"},
                                              headers=headers), None),
        ("staff_note_added", lambda: staff.post(f"/api/v1/staff/residents/{rid}/notes",
                                                json={"text": "来电人要求回电"}, headers=headers), None),
        ("staff_escalated", lambda: staff.post(f"/api/v1/staff/residents/{rid}/cases/{case.reference}/escalate",
                                               json={"text": "已超期三天，请尽快办理"}, headers=headers), None),
        ("staff_ended_sessions", lambda: staff.post(f"/api/v1/staff/residents/{rid}/sessions/end",
                                                    headers=headers), None),
    ]
    opened = events("staff_viewed")[0]
    for name, call, view in calls:
        before = len(events(name))
        response = call()
        assert response.status_code in (200, 201), (name, response.json)
        recorded = events(name)
        assert len(recorded) == before + 1, name
        event = recorded[-1]
        assert event.subject_user_id == rid and event.actor_user_id == opened.actor_user_id
        assert event.data["access"] == opened.id
        if view:
            assert event.data["view"] == view


def test_continuation_pages_and_repeat_looks_within_one_grant_are_recorded_once(staff, resident):
    rid = resident.user.id
    headers = grant_headers(staff, rid)
    for path in ("timeline", "timeline?before=999999", "timeline?after=1", "timeline", "", ""):
        assert staff.get(f"/api/v1/staff/residents/{rid}/{path}".rstrip("/"), headers=headers).status_code == 200
    assert [e.data["view"] for e in events("staff_viewed")] == ["profile", "timeline"]


def test_an_internal_note_is_listed_for_staff_with_its_author(staff, resident):
    headers = grant_headers(staff, resident.user.id)
    added = staff.post(f"/api/v1/staff/residents/{resident.user.id}/notes",
                       json={"text": "居民反映未收到短信", "application": resident.number}, headers=headers)
    assert added.status_code == 201
    assert added.json["author"] == "周敏" and added.json["application"] == resident.number
    [note] = staff.get(f"/api/v1/staff/residents/{resident.user.id}/notes", headers=headers).json["notes"]
    assert note["text"] == "居民反映未收到短信" and note["kind"] == "note"
    [event] = events("staff_note_added")
    assert event.data["note"] == note["id"] and "居民" not in str(event.data)


def test_a_note_is_encrypted_at_rest(app, staff, resident):
    headers = grant_headers(staff, resident.user.id)
    staff.post(f"/api/v1/staff/residents/{resident.user.id}/notes", json={"text": "来电人说明情况"}, headers=headers)
    with db.engine.connect() as connection:
        stored = connection.exec_driver_sql("SELECT text FROM staff_notes").scalar_one()
    assert stored.startswith("v1.") and "来电" not in stored
    assert db.session.scalar(select(StaffNote.text)) == "来电人说明情况"


def test_a_case_that_is_not_overdue_cannot_be_escalated(staff, resident):
    headers = grant_headers(staff, resident.user.id)
    case = db.session.scalar(select(Case).order_by(Case.id))
    response = staff.post(f"/api/v1/staff/residents/{resident.user.id}/cases/{case.reference}/escalate",
                          json={"text": "请尽快办理"}, headers=headers)
    assert response.status_code == 409 and response.json["reason"] == "not_overdue"
    assert events("staff_escalated") == []


def test_escalating_an_overdue_case_reaches_its_department(staff, resident):
    headers = grant_headers(staff, resident.user.id)
    case = db.session.scalar(select(Case).order_by(Case.id))
    case.due_on = today_in_china() - timedelta(days=2)
    db.session.commit()
    response = staff.post(f"/api/v1/staff/residents/{resident.user.id}/cases/{case.reference}/escalate",
                          json={"text": "已超期，请尽快办理"}, headers=headers)
    assert response.status_code == 201 and response.json["department"] == case.department
    [event] = events("staff_escalated")
    assert event.data["department"] == case.department and event.data["case"] == case.reference
    [queued] = escalations_for_department(db.session, case.department)
    assert queued["case"] == case.reference and queued["text"] == "已超期，请尽快办理"
    assert escalations_for_department(db.session, "civil-affairs" if case.department != "civil-affairs"
                                      else "health") == []


def test_the_officer_of_the_department_sees_the_escalation_and_others_do_not(app, staff, resident):
    headers = grant_headers(staff, resident.user.id)
    case = db.session.scalar(select(Case).order_by(Case.id))
    case.due_on = today_in_china() - timedelta(days=2)
    db.session.commit()
    staff.post(f"/api/v1/staff/residents/{resident.user.id}/cases/{case.reference}/escalate",
               json={"text": "已超期，请尽快办理"}, headers=headers)
    officer, _ = signed_in_client(app, f"officer-{case.department}")
    [note] = officer.get("/api/v1/officer/escalations").json["notes"]
    assert (note["case"], note["application"], note["author"]) == (case.reference, resident.number, "周敏")
    other_department = "housing-fund" if case.department != "housing-fund" else "health"
    other, _ = signed_in_client(app, f"officer-{other_department}")
    assert other.get("/api/v1/officer/escalations").json["notes"] == []
    assert staff.get("/api/v1/officer/escalations").status_code == 403
    assert resident.client.get("/api/v1/officer/escalations").status_code == 403


def test_a_case_of_another_resident_cannot_be_escalated(app, staff, resident):
    other = resident_with_application(app, "chenming")
    headers = grant_headers(staff, resident.user.id)
    case = db.session.scalar(select(Case).where(Case.reference.startswith(other.number)))
    response = staff.post(f"/api/v1/staff/residents/{resident.user.id}/cases/{case.reference}/escalate",
                          json={"text": "请尽快办理"}, headers=headers)
    assert response.status_code == 404


def test_ending_the_resident_sessions_signs_them_out_everywhere(app, staff, resident):
    headers = grant_headers(staff, resident.user.id)
    response = staff.post(f"/api/v1/staff/residents/{resident.user.id}/sessions/end", headers=headers)
    assert response.json == {"ended": 1}
    assert resident.client.get("/api/v1/me").status_code == 401
    assert events("staff_ended_sessions")[0].data["count"] == 1
    assert app.extensions["sessions"].list_for_user(resident.user.id) == []


def test_the_application_view_shows_what_the_resident_sees_and_what_only_staff_see(staff, resident):
    rid = resident.user.id
    headers = grant_headers(staff, rid)
    case = db.session.scalar(select(Case).order_by(Case.id))
    case.due_on, case.flag = today_in_china() - timedelta(days=1), "overdue"
    db.session.commit()
    from bff.services.events import record_event

    record_event(db.session, "case_dispatch_failed", subject_user_id=rid, application_id=case.application_id,
                 case=case.reference, department=case.department, attempt=1, error="timeout", dead=False)
    record_event(db.session, "case_dispatched", subject_user_id=rid, application_id=case.application_id,
                 case=case.reference, department=case.department, attempt=2, gateway="workbench")
    record_event(db.session, "callback_received", subject_user_id=rid, application_id=case.application_id,
                 case=case.reference, department=case.department, event_id="cb-1", status="accepted")
    db.session.commit()
    body = staff.get(f"/api/v1/staff/residents/{rid}/applications/{resident.number}", headers=headers).json
    assert body["application"]["number"] == resident.number and body["application"]["cases"]
    staff_case = next(c for c in body["staff"]["cases"] if c["reference"] == case.reference)
    assert [a["data"]["attempt"] for a in staff_case["dispatch_attempts"]] == [1, 2]
    assert staff_case["callbacks"][0]["data"]["event_id"] == "cb-1"
    assert staff_case["overdue"] is True and staff_case["can_escalate"] is True


def test_another_residents_application_is_not_found(app, staff, resident):
    other = resident_with_application(app, "chenming")
    headers = grant_headers(staff, resident.user.id)
    response = staff.get(f"/api/v1/staff/residents/{resident.user.id}/applications/{other.number}", headers=headers)
    assert response.status_code == 404


def test_resending_a_notification_queues_it_through_the_outbox_and_is_audited(staff, resident):
    from bff.core.notifications import is_notifiable
    from bff.outbox import NOTIFY_TOPIC
    from bff.services.notifications.delivery import create_notification
    from bff.store.models import OutboxMessage

    event = next(e for e in events("application_submitted") if is_notifiable(e.name, e.data))
    notification = create_notification(db.session, event)
    db.session.commit()
    headers = grant_headers(staff, resident.user.id)
    response = staff.post(f"/api/v1/staff/residents/{resident.user.id}/notifications/{notification.id}/resend",
                          headers=headers)
    assert response.status_code == 202 and response.json == {"notification": notification.id, "queued": True}
    rows = db.session.scalars(select(OutboxMessage).where(OutboxMessage.topic == NOTIFY_TOPIC,
                                                          OutboxMessage.event_id == event.id))
    assert len(list(rows)) == 2  # the original, and the resend
    [resent] = events("staff_resent_notification")
    assert resent.data["notification"] == notification.id and resent.subject_user_id == resident.user.id


def test_another_residents_notification_cannot_be_resent(app, staff, resident):
    from bff.core.notifications import is_notifiable
    from bff.services.notifications.delivery import create_notification

    other = resident_with_application(app, "chenming")
    event = next(e for e in events("application_submitted")
                 if e.subject_user_id == other.user.id and is_notifiable(e.name, e.data))
    notification = create_notification(db.session, event)
    db.session.commit()
    headers = grant_headers(staff, resident.user.id)
    response = staff.post(f"/api/v1/staff/residents/{resident.user.id}/notifications/{notification.id}/resend",
                          headers=headers)
    assert response.status_code == 404
    assert events("staff_resent_notification") == []


def test_the_access_log_is_for_residents_only(app, staff):
    assert staff.get("/api/v1/me/access-log").status_code == 403
    assert app.test_client().get("/api/v1/me/access-log").status_code == 401
