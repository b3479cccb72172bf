"""From an event to a push on the resident's devices: outbox, RQ worker, pywebpush, fake push service."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta

import pytest
from rq import SimpleWorker
from sqlalchemy import select, update

from bff.core import notifications as rules
from bff.core.notifications import CHINA
from bff.demo import persona
from bff.extensions import db
from bff.jobs.queue import enqueue_later_rows, queue_for
from bff.outbox import LATER_TOPIC
from bff.services.events import record_event
from bff.services.notifications import later
from bff.store.models import Case, Event, OutboxMessage
from bff.store.notification_models import Notification, PushSubscription
from tests.factories import create_user, sign_in
from tests.fakes.push_service import FakePushService

NUMBER = "YJ202611260000017"


@pytest.fixture(scope="module")
def push_service():
    service = FakePushService().start()
    yield service
    service.stop()


def run_worker(app) -> None:
    """A real RQ worker, in this process, until the queue is empty; scheduled rows whose time has
    come are queued first (what the relay does every few seconds in a deployment)."""
    queue = queue_for(app)
    enqueue_later_rows(app, later.due(db.new_session()))
    SimpleWorker([queue], connection=queue.connection).work(burst=True)


def scheduled_rows() -> list[OutboxMessage]:
    db.session.expire_all()
    return list(db.session.scalars(select(OutboxMessage).where(OutboxMessage.topic == LATER_TOPIC,
                                                               OutboxMessage.status == "pending")))


def add_device(app, client, subscriber, device="Pixel 7") -> int:
    response = client.post("/api/v1/push/subscriptions", json={**subscriber.subscription_info(), "device": device})
    assert response.status_code == 201, response.json
    return response.json["id"]


def resident_with_devices(app, client, push_service, *answers, key="zhangwei"):
    user = create_user(key)
    sign_in(app, client, user)
    subscribers = [push_service.new_subscriber(answer) for answer in answers or ("created",)]
    for subscriber in subscribers:
        add_device(app, client, subscriber)
    return user, subscribers


def supplement_requested(user) -> None:
    record_event(db.session, "case_transitioned", subject_user_id=user.id, case=f"{NUMBER}-01",
                 department="public-security", to="supplement_requested", **{"from": "accepted"})
    db.session.commit()


def submitted(user) -> None:
    record_event(db.session, "application_submitted", subject_user_id=user.id, number=NUMBER, bundle="birth",
                 cases=3)
    db.session.commit()


def events_named(name: str) -> list[Event]:
    return list(db.session.scalars(select(Event).where(Event.name == name).order_by(Event.id)))


def test_a_supplement_request_reaches_every_device_of_the_resident_as_high_urgency(app, client, push_service):
    user, subscribers = resident_with_devices(app, client, push_service, "created", "created")
    supplement_requested(user)
    run_worker(app)
    for subscriber in subscribers:
        [received] = push_service.delivered(subscriber)
        assert received.headers["urgency"] == "high"
        assert int(received.headers["ttl"]) == rules.KINDS["supplement_requested"].ttl
        assert received.payload["kind"] == "supplement_requested" and received.payload["urgent"] is True
    assert len(events_named("push_delivered")) == 2
    [created] = events_named("notification_created")
    assert created.data["kind"] == "supplement_requested"


def test_the_notify_outbox_row_is_written_with_the_event_and_done_after_the_job(app, client, push_service):
    user, _ = resident_with_devices(app, client, push_service)
    submitted(user)
    [row] = db.session.scalars(select(OutboxMessage).where(OutboxMessage.topic == "notify"))
    assert row.status == "pending"
    run_worker(app)
    db.session.refresh(row)
    assert row.status == "done"
    [received] = push_service.delivered(_[0])
    assert received.headers["topic"] == "submitted" and received.payload["number"] == NUMBER


def test_a_rolled_back_change_notifies_nobody(app, client, push_service):
    user, subscribers = resident_with_devices(app, client, push_service)
    record_event(db.session, "application_submitted", subject_user_id=user.id, number=NUMBER, bundle="birth", cases=1)
    db.session.rollback()
    run_worker(app)
    assert push_service.delivered(subscribers[0]) == []
    assert db.session.scalar(select(Notification)) is None


def test_push_payloads_of_every_kind_carry_no_name_id_number_mobile_or_address(app, client, push_service):
    user, subscribers = resident_with_devices(app, client, push_service, key="chenming")
    who = persona("chenming")
    for to in ("accepted", "supplement_requested", "approved", "rejected"):
        record_event(db.session, "case_transitioned", subject_user_id=user.id, case="C1", department="civil-affairs",
                     to=to, **{"from": "submitted"})
    for name, data in (("application_submitted", {"number": NUMBER, "bundle": "after-death", "cases": 5}),
                       ("application_completed", {"number": NUMBER, "status": "completed"}),
                       ("case_due_soon", {"case": "C1", "department": "civil-affairs", "due": "2026-12-01"}),
                       ("case_overdue", {"case": "C1", "department": "civil-affairs", "due": "2026-12-01"}),
                       ("login", {"method": "qr", "device": "Chrome on Windows", "place": "Hangzhou"}),
                       ("rating_followed_up", {"number": NUMBER, "rating": 1}),
                       ("family_join_requested", {"number": NUMBER, "member": 2}),
                       ("family_invited", {"number": NUMBER, "member": 3}),
                       ("family_lead_handed_over", {"number": NUMBER, "member": 4}),
                       ("items_not_possible", {"number": NUMBER, "cases": ["C2"],
                                               "because": {"item": "death-medical-certificate", "reference": "C1",
                                                           "status": "rejected"}}),
                       ("consent_requested", {"number": NUMBER}),
                       ("mandate_received", {"mandate": 1, "scope": "apply_follow", "expires_on": "2026-12-31",
                                             "application": NUMBER}),
                       ("mandate_received_revoked", {"mandate": 1}),
                       ("consent_closed", {"number": NUMBER, "outcome": "agreed"}),
                       ("consents_agreed", {"number": NUMBER}),
                       ("consents_declined", {"number": NUMBER, "reason": "declined",
                                              "upload": "notarised-inheritance-certificate"}),
                       *[("offer_made", {"offer": i, "kind": kind, "questions": 3})
                         for i, kind in enumerate(("birth", "after-death", "retirement", "automatic"), start=1)],
                       ("automatic_granted", {"grant": 1, "item": "senior-card", "reference": "MS1",
                                              "basis": {"subject.age": 60}}),
                       ("automatic_reviewed", {"grant": 1, "item": "senior-card", "outcome": "upheld"})):
        record_event(db.session, name, subject_user_id=user.id, **data)
    db.session.commit()
    run_worker(app)
    received = push_service.delivered(subscribers[0])
    assert {r.payload["kind"] for r in received} == set(rules.OFFERED_KINDS)
    # 陈国华: the after-death offer names the deceased in the app, never in a push
    secrets_of_the_person = [who.name, who.id_number, who.id_number[-4:] + "", who.mobile, "杭州市", "Windows", "陈国华"]
    for item in received:
        text = json.dumps(item.payload, ensure_ascii=False)
        assert set(item.payload) <= {"id", "kind", "title", "number", "url", "urgent"}
        for secret in secrets_of_the_person:
            assert secret not in text, (item.payload["kind"], secret)


def test_a_gone_device_is_deleted_and_the_failure_recorded_per_device(app, client, push_service):
    user, (good, gone) = resident_with_devices(app, client, push_service, "created", "gone")
    supplement_requested(user)
    run_worker(app)
    assert len(push_service.delivered(good)) == 1
    [device] = db.session.scalars(select(PushSubscription).where(PushSubscription.user_id == user.id))
    assert device.endpoint == good.endpoint and device.last_success_at is not None
    [failed] = events_named("push_failed")
    assert failed.data["status"] == 410


def test_a_throttled_push_is_retried_after_the_wait_the_service_asked_for(app, client, push_service):
    user, (throttled,) = resident_with_devices(app, client, push_service, "throttle")
    throttled.retry_after = "2"
    supplement_requested(user)
    asked_at = datetime.now(UTC)
    run_worker(app)
    assert push_service.delivered(throttled) == []
    [row] = scheduled_rows()
    assert row.payload["job"] == "retry_push"
    due = row.next_attempt_at.replace(tzinfo=UTC) if row.next_attempt_at.tzinfo is None else row.next_attempt_at
    assert timedelta(seconds=1) <= due - asked_at <= timedelta(seconds=3)
    run_worker(app)  # not yet due: nothing is sent early
    assert push_service.delivered(throttled) == []
    time.sleep(max((due - datetime.now(UTC)).total_seconds(), 0) + 0.2)
    run_worker(app)
    assert len(push_service.delivered(throttled)) == 1
    assert scheduled_rows() == []  # done
    assert [e.data["status"] for e in events_named("push_failed")] == [429]
    assert len(events_named("push_delivered")) == 1


def test_a_device_silent_for_months_is_pruned_instead_of_sent_to(app, client, push_service):
    user, (silent,) = resident_with_devices(app, client, push_service)
    long_ago = datetime.now(UTC) - timedelta(days=200)
    device = db.session.scalar(select(PushSubscription))
    device.created_at = device.last_seen_at = long_ago
    db.session.commit()
    supplement_requested(user)
    run_worker(app)
    assert push_service.delivered(silent) == []
    assert db.session.scalar(select(PushSubscription)) is None
    assert len(events_named("sms_sent")) == 1  # nobody to push to: the SMS fallback tells them


def test_people_without_push_get_an_sms_without_personal_data(app, client):
    user = create_user("lijianguo")
    sign_in(app, client, user)
    supplement_requested(user)
    run_worker(app)
    [sms] = events_named("sms_sent")
    sender = app.extensions["notifier"].sms
    masked, text, reference = sender.sent[-1]
    assert reference == f"notification-{sms.data['notification']}"
    assert masked.startswith(persona("lijianguo").mobile[:3]) and "*" in masked
    assert text.startswith("【一件事】" + rules.KINDS["supplement_requested"].title.zh)
    assert persona("lijianguo").name not in text and persona("lijianguo").id_number not in text


def _quiet_around_now() -> dict[str, str]:
    now = datetime.now(CHINA)
    start, end = now - timedelta(hours=1), now + timedelta(hours=1)
    return {"start": start.strftime("%H:%M"), "end": end.strftime("%H:%M")}


def test_quiet_hours_hold_normal_pushes_until_they_end_but_not_urgent_ones(app, client, push_service):
    user, (subscriber,) = resident_with_devices(app, client, push_service)
    response = client.put("/api/v1/notifications/preferences", json={
        "kinds": list(rules.KINDS), "channels": ["push"], "quiet_hours": _quiet_around_now()})
    assert response.status_code == 200, response.json
    submitted(user)  # normal urgency
    supplement_requested(user)  # high urgency
    run_worker(app)
    assert [r.payload["kind"] for r in push_service.delivered(subscriber)] == ["supplement_requested"]
    [row] = scheduled_rows()
    due = row.next_attempt_at.replace(tzinfo=UTC) if row.next_attempt_at.tzinfo is None else row.next_attempt_at
    assert row.payload["job"] == "deliver_notification"
    assert timedelta(minutes=55) < due - datetime.now(UTC) <= timedelta(hours=1)
    assert db.session.scalar(select(Notification).where(Notification.kind == "submitted")) is not None


def test_a_lost_hint_is_made_good_by_the_outbox_relay(app, client, push_service):
    from bff.jobs.tasks import relay_outbox

    user, (subscriber,) = resident_with_devices(app, client, push_service)
    supplement_requested(user)
    queue_for(app).empty()  # Redis lost the after-commit hint
    run_worker(app)
    assert push_service.delivered(subscriber) == []
    assert relay_outbox() == 1
    run_worker(app)
    assert len(push_service.delivered(subscriber)) == 1
    assert relay_outbox() == 0  # done rows are not relayed again


def test_hints_of_many_changes_queue_one_batch_job_that_tells_everyone(app, client, push_service):
    people = [resident_with_devices(app, client, push_service, key=key) for key in ("zhangwei", "lijianguo", "wangfang")]
    for user, _ in people:
        submitted(user)
        supplement_requested(user)  # each commit is a hint
    assert [job.func_name for job in queue_for(app).jobs] == ["bff.jobs.tasks.deliver_notifications"]
    run_worker(app)
    for _, (device,) in people:
        assert sorted(r.payload["kind"] for r in push_service.delivered(device)) == ["submitted", "supplement_requested"]
    assert len(list(db.session.scalars(select(Notification)))) == 6
    assert {row.status for row in db.session.scalars(select(OutboxMessage))} == {"done"}
    assert len(events_named("push_delivered")) == 6


def test_a_worker_killed_mid_batch_leaves_its_pushes_to_the_next_worker(app, client, push_service, base_config):
    import os
    import signal

    from bff.jobs.tasks import relay_outbox
    from tests.adapters.departments_helpers import wait_until
    from tests.api.application_helpers import start_worker_process

    user, (device,) = resident_with_devices(app, client, push_service, "stall")
    worker = start_worker_process(app, base_config)
    try:
        supplement_requested(user)
        assert device.arrived.wait(30), "the worker process never pushed"
        os.killpg(worker.pid, signal.SIGKILL)  # dies with the push in flight: the inbox row is made, the row is not done
        worker.wait(10)
    finally:
        if worker.poll() is None:
            os.killpg(worker.pid, signal.SIGKILL)
    device.released.set()
    [row] = db.session.scalars(select(OutboxMessage).where(OutboxMessage.topic == "notify"))
    assert row.status == "pending"

    def redone() -> bool:
        relay_outbox()  # finds the row again once the dead worker's 1-second lease is over
        run_worker(app)
        db.session.expire_all()
        return db.session.get(OutboxMessage, row.id).status == "done"

    wait_until(redone, timeout=20)
    assert len(push_service.delivered(device)) == 2  # the one in flight, and the one sent again: at least once
    [notification] = db.session.scalars(select(Notification))  # the inbox row was made once
    assert notification.kind == "supplement_requested"
    assert len(events_named("notification_created")) == 1


def test_a_resend_queued_before_the_first_was_sent_tells_once_in_one_batch(app, client, push_service):
    from bff.outbox import NOTIFY_TOPIC

    user, (device,) = resident_with_devices(app, client, push_service)
    supplement_requested(user)
    [event] = events_named("case_transitioned")
    db.session.add(OutboxMessage(topic=NOTIFY_TOPIC, payload={}, event_id=event.id))  # as the service desk's resend
    db.session.commit()
    run_worker(app)
    assert len(push_service.delivered(device)) == 1
    assert len(list(db.session.scalars(select(Notification)))) == 1
    assert {row.status for row in db.session.scalars(select(OutboxMessage))} == {"done"}


def test_rows_a_dead_batch_left_are_retried_alone_and_set_aside_after_five_claims(app, client, push_service):
    from sqlalchemy import update

    user, (device,) = resident_with_devices(app, client, push_service)
    submitted(user)
    supplement_requested(user)
    first, second = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))
    # As two batches whose workers died left them: claimed before, leases over.
    db.session.execute(update(OutboxMessage).where(OutboxMessage.id == first.id).values(attempts=5))
    db.session.execute(update(OutboxMessage).where(OutboxMessage.id == second.id).values(attempts=1))
    db.session.commit()
    run_worker(app)
    db.session.expire_all()
    assert [r.payload["kind"] for r in push_service.delivered(device)] == ["supplement_requested"]
    assert (db.session.get(OutboxMessage, first.id).status, db.session.get(OutboxMessage, second.id).status) == \
        ("dead", "done")


def test_a_redis_restart_loses_no_scheduled_notification_and_none_is_sent_twice(app, client, push_service):
    user, (subscriber,) = resident_with_devices(app, client, push_service)
    response = client.put("/api/v1/notifications/preferences", json={
        "kinds": list(rules.KINDS), "channels": ["push"], "quiet_hours": _quiet_around_now()})
    assert response.status_code == 200, response.json
    for number in range(12):
        record_event(db.session, "application_submitted", subject_user_id=user.id, number=f"{NUMBER[:-2]}{number:02d}",
                     bundle="birth", cases=3)
    db.session.commit()
    run_worker(app)
    assert push_service.delivered(subscriber) == []  # quiet hours: all twelve wait
    assert len(scheduled_rows()) == 12
    queue_for(app).connection.flushdb()  # what a restart of a Redis without persistence leaves
    db.session.execute(update(OutboxMessage).where(OutboxMessage.topic == LATER_TOPIC)
                       .values(next_attempt_at=datetime.now(UTC) - timedelta(seconds=1)))  # the quiet hours end
    db.session.commit()
    run_worker(app)
    run_worker(app)
    assert len(push_service.delivered(subscriber)) == 12
    assert scheduled_rows() == []


def test_a_push_about_a_real_case_names_its_item_and_department_and_nothing_personal(app, client, push_service):
    from tests.factories import ApplicationFactory

    user, subscribers = resident_with_devices(app, client, push_service)
    application = ApplicationFactory(persona="zhangwei", approved=True)
    case = db.session.scalar(select(Case).where(Case.application_id == application.id,
                                                Case.item == "birth-medical-certificate"))
    record_event(db.session, "case_transitioned", subject_user_id=user.id, application_id=application.id,
                 case=case.reference, department=case.department, to="approved", **{"from": "processing"})
    db.session.commit()
    run_worker(app)
    received = push_service.delivered(subscribers[0])
    assert "出生医学证明（卫健）已办结，电子证照可查看" in [r.payload["title"] for r in received]
    who = persona("zhangwei")
    for item in received:
        text = json.dumps(item.payload, ensure_ascii=False)
        assert all(secret not in text for secret in (who.name, who.id_number, who.mobile, "杭州市"))
