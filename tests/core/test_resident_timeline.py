"""The resident's timeline rule: what a resident reads of an application's events, and how."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from bff.core.events import SCHEMAS
from bff.core.resident_timeline import CaseLabel, EventRecord, resident_kind, resident_timeline
from bff.core.text import Text

START = datetime(2026, 12, 7, 2, 0, tzinfo=UTC)
CASES = [CaseLabel("YJ1-01", "birth-medical-certificate", Text("出生医学证明", "Birth medical certificate"),
                   Text("卫健", "Health")),
         CaseLabel("YJ1-02", "birth-registration", Text("出生登记", "Birth registration"), Text("公安", "Public Security"))]
INTERNAL = ("callback_received", "case_dispatch_failed", "notification_created", "push_delivered", "push_failed",
            "sms_sent", "case_due_soon", "draft_started", "draft_saved", "staff_viewed", "document_viewed",
            "consent_texted", "family_access_refused", "rating_follow_up_needed", "items_not_possible")


def events(*specs: tuple[str, dict[str, Any]]) -> list[EventRecord]:
    return [EventRecord(i + 1, name, START + timedelta(minutes=i), data) for i, (name, data) in enumerate(specs)]


def test_internal_events_never_reach_the_resident() -> None:
    for name in INTERNAL:
        assert name in SCHEMAS
        assert resident_kind(name, {}) is None, name
    for move in ("processing", "supplemented", "submitted", "withdrawn", "waiting"):
        assert resident_kind("case_transitioned", {"to": move}) is None


def test_a_case_is_told_once_delivered_then_accepted_then_approved_with_its_certificate() -> None:
    history = events(
        ("application_submitted", {"number": "YJ1", "bundle": "birth", "cases": ["YJ1-01", "YJ1-02"]}),
        ("notification_created", {"notification": 1, "kind": "submitted"}),
        ("sms_sent", {"notification": 1}),
        ("case_dispatch_failed", {"case": "YJ1-01", "department": "health", "attempt": 1}),
        ("case_dispatched", {"case": "YJ1-01", "department": "health"}),
        ("case_dispatched", {"case": "YJ1-01", "department": "health", "attempt": 2}),  # a redelivery
        ("callback_received", {"case": "YJ1-01", "department": "health", "event_id": "x"}),
        ("case_transitioned", {"case": "YJ1-01", "department": "health", "from": "submitted", "to": "accepted"}),
        ("case_due_soon", {"case": "YJ1-01", "department": "health", "due": "2026-12-09"}),
        ("case_transitioned", {"case": "YJ1-01", "department": "health", "from": "accepted", "to": "processing"}),
        ("case_transitioned", {"case": "YJ1-01", "department": "health", "from": "processing", "to": "approved"}),
        ("certificate_issued", {"case": "YJ1-01", "certificate": "C1", "kind": "birth"}),
    )
    application, certificate = resident_timeline(history, CASES)
    assert application.case is None
    assert [e.text.zh for e in application.entries] == ["申请已提交，共 2 个事项"]
    assert certificate.case == CASES[0]
    assert [e.kind for e in certificate.entries] == ["approved", "accepted", "delivered"]  # newest first
    assert [e.text.zh for e in certificate.entries] == ["已办结，电子证照可查看", "卫健已受理，办理时限开始计算", "已送达卫健"]
    assert certificate.entries[0].text.en == "Approved: the e-certificate is ready"
    assert certificate.entries[2].text.en == "Sent to Health"


def test_the_departments_own_words_are_kept_and_overdue_is_told() -> None:
    history = events(
        ("case_transitioned", {"case": "YJ1-02", "department": "public-security", "from": "accepted",
                               "to": "supplement_requested", "message": "请核对新生儿姓名", "officer": 7}),
        ("supplement_provided", {"case": "YJ1-02", "fields": ["subject.name"]}),
        ("case_overdue", {"case": "YJ1-02", "department": "public-security", "due": "2026-12-01"}),
        ("case_transitioned", {"case": "YJ1-02", "department": "public-security", "from": "processing",
                               "to": "rejected", "reason": "材料不符"}),
    )
    [registration] = resident_timeline(history, CASES)
    assert [e.text.zh for e in registration.entries] == [
        "公安未予办理：材料不符", "已超过办理时限，我们正在督办", "已补正，等待公安审核", "公安请您补正：请核对新生儿姓名"]
    assert registration.entries[-1].params == {"message": "请核对新生儿姓名"}  # the officer's id stays inside
    assert registration.entries[0].text.en == "Public Security did not approve it: 材料不符"


def test_english_counts_read_as_words() -> None:
    one = events(("application_submitted", {"number": "YJ1", "bundle": "birth", "cases": ["YJ1-01"]}))
    assert resident_timeline(one, CASES)[0].entries[0].text.en == "Application submitted: 1 item"
