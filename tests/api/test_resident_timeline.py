"""The resident's timeline of an application: what changed for them, grouped by item, in plain words;
the technical record (callbacks, retries, notifications, SMS) stays with the service desk."""

from __future__ import annotations

import re

from sqlalchemy import select

from bff.core.resident_timeline import CASE_MOVES, EVENT_KINDS
from bff.extensions import db
from bff.services.events import record_event
from bff.store.models import Application
from tests.api.application_helpers import run_worker
from tests.api.rating_helpers import completed_application
from tests.api.staff_helpers import grant_headers, signed_in_client

INTERNAL_NAMES = ("callback_received", "case_dispatch_failed", "notification_created", "sms_sent", "push_delivered",
                  "case_due_soon", "draft_started", "draft_saved", "staff_viewed")
RESIDENT_KINDS = {*CASE_MOVES.values(), *EVENT_KINDS.values()}
RAW_CODE = re.compile(r"[a-z]+_[a-z_]+")  # what an internal code looks like (case_work, callback_received)


def test_a_finished_birth_bundle_reads_as_a_few_plain_entries_per_item(app, client) -> None:
    finished = completed_application(app, client)
    run_worker(app)  # the notifications: inbox rows, SMS (no device), their events
    application = db.session.scalar(select(Application).where(Application.number == finished["number"]))
    first = finished["receipt"]["cases"][0]
    # What a department with its own system leaves behind: a failed delivery, then its callback.
    record_event(db.session, "case_dispatch_failed", application_id=application.id, case=first["reference"],
                 department=first["department"], attempt=1, error="timeout")
    record_event(db.session, "callback_received", application_id=application.id, case=first["reference"],
                 department=first["department"], event_id="cb-1")
    db.session.commit()

    body = client.get(f"/api/v1/applications/{finished['number']}/timeline").json
    groups = body["groups"]
    entries = [entry for group in groups for entry in group["entries"]]
    cases = finished["receipt"]["cases"]
    assert [group["case"] for group in groups] == [None, *[case["reference"] for case in cases]]
    assert body["count"] == len(entries) <= 2 + 3 * len(cases)  # submitted, completed; sent, accepted, approved
    assert {entry["kind"] for entry in entries} <= RESIDENT_KINDS
    assert not set(INTERNAL_NAMES) & {entry["kind"] for entry in entries}
    for entry in entries:
        assert not RAW_CODE.search(entry["text"]["zh-CN"]), entry
        assert entry["text"]["en"] and entry["text"]["zh-CN"] != entry["text"]["en"]
    for group, case in zip(groups[1:], cases, strict=True):
        assert group["title"] == case["title"] and group["department_name"]["zh-CN"]
        # Sent to the department is told only while it is news: the helper's officers decide some
        # cases before their delivery is recorded.
        assert [entry["kind"] for entry in group["entries"]] in (["approved", "accepted", "delivered"],
                                                                  ["approved", "accepted"])
        assert group["entries"][0]["text"] == {"zh-CN": "已办结，电子证照可查看", "en": "Approved: the e-certificate is ready"}
        times = [entry["occurred_at"] for entry in group["entries"]]
        assert times == sorted(times, reverse=True)  # newest first
    assert [entry["kind"] for entry in groups[0]["entries"]] == ["completed", "submitted"]
    assert [entry["kind"] for entry in groups[1]["entries"]] == ["approved", "accepted", "delivered"]

    staff, _ = signed_in_client(app, "zhoumin")  # the service desk still reads the technical record
    items = staff.get(f"/api/v1/staff/residents/{finished['user'].id}/timeline?limit=200",
                      headers=grant_headers(staff, finished["user"].id)).json["items"]
    assert {"callback_received", "case_dispatch_failed", "notification_created"} <= {item["name"] for item in items}


def test_a_supplement_request_reads_with_the_departments_words_in_its_items_group(app, client) -> None:
    from tests.api.application_helpers import application_in_state

    asked = application_in_state(app, client, "supplement_requested")
    groups = client.get(f"/api/v1/applications/{asked['number']}/timeline").json["groups"]
    asking = next(group for group in groups if group["entries"] and group["entries"][0]["kind"] == "supplement_requested")
    assert asking["entries"][0]["text"]["zh-CN"].startswith(f"{asking['department_name']['zh-CN']}请您补正")
