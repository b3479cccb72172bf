"""Which events notify, how urgently, quiet hours, channels, pruning, and what a payload may carry."""

from __future__ import annotations

import json
from datetime import UTC, datetime, time, timedelta

import pytest

from bff.core import notifications as rules
from bff.core.notifications import CHINA, Preferences
from bff.core.text import Text


@pytest.mark.parametrize(("name", "data", "kind"), [
    ("application_submitted", {"number": "YJ1"}, "submitted"),
    ("case_transitioned", {"to": "accepted"}, "case_accepted"),
    ("case_transitioned", {"to": "supplement_requested"}, "supplement_requested"),
    ("case_transitioned", {"to": "approved"}, "case_approved"),
    ("case_transitioned", {"to": "rejected"}, "case_rejected"),
    ("case_transitioned", {"to": "processing"}, None),
    # A waiting case's release and its end as not possible tell nothing on their own: the cascade's
    # one items_not_possible event does.
    ("case_transitioned", {"to": "submitted", "from": "waiting"}, None),
    ("case_transitioned", {"to": "not_possible"}, None),
    ("items_not_possible", {"number": "YJ1", "because": {}, "cases": []}, "items_not_possible"),
    ("application_completed", {"number": "YJ1"}, "application_completed"),
    # A department's time limit drawing near is the department's to watch: the resident hears only
    # of a real delay, once the due date has passed.
    ("case_due_soon", {"case": "C1", "department": "health", "due": "2026-12-09"}, None),
    ("case_overdue", {}, "overdue"),
    ("login", {"method": "qr"}, "new_sign_in"),
    ("rating_followed_up", {"number": "YJ1", "rating": 7}, "rating_followed_up"),
    ("push_delivered", {}, None),
    ("notification_created", {}, None),
])
def test_each_trigger_maps_to_its_kind_and_the_rest_notify_nobody(name, data, kind):
    assert rules.notification_kind(name, data) == kind


def test_action_needed_and_new_sign_ins_are_high_urgency_and_nothing_else_is():
    high = {name for name, kind in rules.KINDS.items() if kind.urgency == "high"}
    assert high == {"supplement_requested", "case_rejected", "items_not_possible", "new_sign_in",
                    "consent_requested", "consents_declined"}  # an heir's answer, the applicant's upload
    assert all(kind.ttl > 0 and kind.urgency in rules.URGENCIES for kind in rules.KINDS.values())


def test_a_topic_per_application_lets_a_newer_status_replace_a_pending_one():
    assert rules.topic_for("case_accepted", 42) == rules.topic_for("case_approved", 42) == "application-42"
    assert all(len(rules.topic_for(kind, 10**17)) <= 32 for kind in rules.KINDS)


def china(hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, 26, hour, minute, tzinfo=CHINA).astimezone(UTC)


NIGHT = Preferences(quiet_hours=(time(22, 0), time(7, 0)))


def test_quiet_hours_spanning_midnight_hold_normal_pushes_until_morning():
    allowed = rules.push_allowed_at(china(23, 30), NIGHT, "normal")
    assert allowed.astimezone(CHINA) == datetime(2026, 11, 27, 7, 0, tzinfo=CHINA)
    assert rules.push_allowed_at(china(3), NIGHT, "low").astimezone(CHINA).hour == 7


def test_high_urgency_ignores_quiet_hours_and_daytime_is_never_held():
    assert rules.push_allowed_at(china(23, 30), NIGHT, "high") == china(23, 30)
    assert rules.push_allowed_at(china(12), NIGHT, "normal") == china(12)


def test_sms_is_only_for_people_push_cannot_reach():
    both = Preferences()
    assert rules.channels_to_use(both, has_push_devices=True) == ["push"]
    assert rules.channels_to_use(both, has_push_devices=False) == ["sms"]
    assert rules.channels_to_use(Preferences(channels=frozenset({"sms"})), has_push_devices=True) == ["sms"]
    assert rules.channels_to_use(Preferences(channels=frozenset()), has_push_devices=True) == []


def test_new_sign_in_notices_cannot_be_turned_off():
    nothing = Preferences(kinds=frozenset())
    assert rules.wants(nothing, "new_sign_in") and not rules.wants(nothing, "case_accepted")


def test_a_device_is_pruned_after_too_many_failures_or_long_silence():
    now = datetime(2026, 11, 26, tzinfo=UTC)
    silence = timedelta(days=90)
    assert rules.should_prune(failures=10, last_contact_at=now, now=now, silence=silence, max_failures=10)
    assert rules.should_prune(failures=0, last_contact_at=now - timedelta(days=91), now=now, silence=silence,
                              max_failures=10)
    assert not rules.should_prune(failures=3, last_contact_at=now - timedelta(days=30), now=now, silence=silence,
                                  max_failures=10)


def test_a_success_is_written_again_after_six_hours_or_after_a_failure():
    now = datetime(2026, 12, 4, tzinfo=UTC)
    assert rules.success_recorded_recently(failures=0, last_success_at=now - timedelta(hours=5), now=now)
    assert not rules.success_recorded_recently(failures=0, last_success_at=now - timedelta(hours=7), now=now)
    assert not rules.success_recorded_recently(failures=1, last_success_at=now - timedelta(minutes=1), now=now)
    assert not rules.success_recorded_recently(failures=0, last_success_at=None, now=now)


def test_a_payload_holds_only_a_title_the_number_and_a_link():
    payload = json.loads(rules.push_payload(notification_id=7, kind="case_approved", number="YJ202611260000017",
                                            language="en"))
    assert payload == {"id": 7, "kind": "case_approved", "title": rules.KINDS["case_approved"].title.en,
                       "number": "YJ202611260000017", "url": "/app/applications/YJ202611260000017", "urgent": False}


def test_a_notification_names_the_item_and_its_department_or_the_bundle():
    item, health = Text("出生医学证明", "Birth medical certificate"), Text("卫健", "Health")
    approved = rules.title_for("case_approved", item=item, department=health)
    assert approved == Text("出生医学证明（卫健）已办结，电子证照可查看",
                            "Birth medical certificate (Health) approved: your e-certificate is ready")
    asked = rules.title_for("supplement_requested", item=item, department=health)
    assert asked.zh == "出生医学证明（卫健）需要您补正信息，请查看"
    assert rules.title_for("submitted", bundle=Text("出生一件事", "Birth")).en.startswith("Birth submitted")
    assert rules.title_for("case_approved") == rules.KINDS["case_approved"].title  # nothing known: the kind's words


def test_a_retired_kind_is_not_offered_among_the_preferences():
    assert "due_soon" not in rules.OFFERED_KINDS and "overdue" in rules.OFFERED_KINDS
    assert not {rules.notification_kind(name, {}) for name in rules.EVENT_KINDS} & rules.RETIRED_KINDS


def test_a_payload_carries_the_notifications_own_words():
    title = Text("出生医学证明（卫健）已办结，电子证照可查看", "Birth medical certificate (Health) approved")
    payload = json.loads(rules.push_payload(notification_id=7, kind="case_approved", number="YJ1", language="zh-CN",
                                            title=title))
    assert payload["title"] == title.zh
    assert rules.sms_text("case_approved", "YJ1", "en", "https://onething.example", title).startswith(
        "【一件事】Birth medical certificate (Health) approved YJ1")


def test_the_sms_text_says_as_little_as_the_push():
    text = rules.sms_text("supplement_requested", "YJ1", "zh-CN", "https://onething.example/")
    assert text == "【一件事】需要您补充材料 YJ1 https://onething.example/app/applications/YJ1"
