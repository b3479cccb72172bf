"""Pushes cannot be turned against the inside of the network.

The attack: a resident registers a push endpoint whose host is allowed but resolves (now, or after
the check: DNS rebinding) to loopback, the intranet or the cloud's metadata service, and reads from
their own events whether something answered there. Here names resolve through a fixed map (the
resolver port's second implementation), so a test can say where a push service's name points."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from dataclasses import replace

import pytest
from sqlalchemy import select

from bff.adapters.push.sender import PushMessage, WebPushSender
from bff.adapters.push.transport.resolve import Destinations, FixedResolver
from bff.extensions import db
from bff.jobs.tasks import notifier_for
from bff.outbox import LATER_TOPIC
from bff.services.notifications.devices import push_extra_hosts, vapid_for
from bff.store.models import OutboxMessage
from tests.adapters.test_push_delivery import add_device, events_named, run_worker, supplement_requested
from tests.factories import create_user, sign_in
from tests.fakes.push_service import FakePushService

PUSH = PushMessage(b'{"title":"t"}', ttl=60, urgency="normal", topic="t")
INTERNAL = ["127.0.0.1", "10.0.0.5", "169.254.169.254", "100.100.100.200", "::1", "::ffff:127.0.0.1", "fd00:ec2::254"]


class Listener:
    """A local service that counts who connects (and answers 201, as a push service would)."""

    def __init__(self) -> None:
        self.socket = socket.create_server(("127.0.0.1", 0))
        self.port = self.socket.getsockname()[1]
        self.connections = 0
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                connection, _ = self.socket.accept()
            except OSError:
                return
            self.connections += 1
            with connection:
                connection.recv(65536)
                connection.sendall(b"HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n")

    def close(self) -> None:
        self.socket.close()


@pytest.fixture
def listener() -> Iterator[Listener]:
    service = Listener()
    yield service
    service.close()


@pytest.fixture(scope="module")
def push_service():
    service = FakePushService().start()
    yield service
    service.stop()


@pytest.fixture
def vapid():
    from py_vapid import Vapid

    key = Vapid()
    key.generate_keys()
    return key


def keys() -> dict:
    return FakePushService().new_subscriber().subscription_info()["keys"]


# --- the sender ---------------------------------------------------------------------------------

@pytest.mark.parametrize("address", INTERNAL)
def test_a_push_service_name_that_resolves_inside_is_never_contacted(vapid, listener, address):
    resolver = FixedResolver({"web.push.apple.com": [address]})
    sender = WebPushSender(vapid, "mailto:ops@onething.example", timeout=2,
                           destinations=Destinations.of((), production=True, resolver=resolver))
    try:
        result = sender.send({"endpoint": f"https://web.push.apple.com:{listener.port}/QGuO2Pp", "keys": keys()}, PUSH)
    finally:
        sender.close()
    assert not result.delivered and result.refused and result.reason == "not_allowed"
    assert result.retry_after is None  # resending cannot help: no retry is scheduled
    assert listener.connections == 0


def test_loopback_for_extra_hosts_never_extends_to_the_push_services_names(vapid, listener):
    """Outside production the tests' fake push service may be local; a known push service's name
    resolving to this machine is still refused."""
    resolver = FixedResolver({"fcm.googleapis.com": ["127.0.0.1"], "push.example.test": ["10.0.0.5"]})
    sender = WebPushSender(vapid, "mailto:ops@onething.example", timeout=2, destinations=Destinations.of(
        {"127.0.0.1", "push.example.test"}, production=False, resolver=resolver))
    try:
        refused = sender.send_many([
            {"endpoint": f"https://fcm.googleapis.com:{listener.port}/fcm/send/x", "keys": keys()},
            {"endpoint": f"http://push.example.test:{listener.port}/p/x", "keys": keys()}], PUSH)
    finally:
        sender.close()
    assert [result.reason for result in refused] == ["not_allowed", "not_allowed"]
    assert listener.connections == 0


def test_production_refuses_a_local_address_even_for_an_extra_host(vapid, listener):
    resolver = FixedResolver({"push.example.gov.cn": ["127.0.0.1"]})
    sender = WebPushSender(vapid, "mailto:ops@onething.example", timeout=2, destinations=Destinations.of(
        {"push.example.gov.cn"}, production=True, resolver=resolver))
    try:
        result = sender.send({"endpoint": f"https://push.example.gov.cn:{listener.port}/p/x", "keys": keys()}, PUSH)
    finally:
        sender.close()
    assert result.reason == "not_allowed" and listener.connections == 0


def test_the_connection_goes_to_the_address_that_was_checked(vapid, push_service):
    """The name is resolved once, by the resolver that checked it: ``push.example.test`` exists only
    in the fixed map (a second look-up by the system would find nothing, or, rebound, something
    else), and the push still arrives, with the name in ``Host`` and in the VAPID audience."""
    subscriber = push_service.new_subscriber()
    port = push_service.url.rsplit(":", 1)[1]
    endpoint = f"http://push.example.test:{port}/push/{subscriber.token}"
    resolver = FixedResolver({"push.example.test": ["127.0.0.1"]})
    sender = WebPushSender(vapid, "mailto:ops@onething.example", timeout=5, destinations=Destinations.of(
        {"push.example.test"}, production=False, resolver=resolver))
    try:
        result = sender.send({**subscriber.subscription_info(), "endpoint": endpoint}, PUSH)
    finally:
        sender.close()
    assert result.delivered, result
    [received] = push_service.delivered(subscriber)
    assert received.headers["host"] == f"push.example.test:{port}"
    with pytest.raises(OSError):
        socket.getaddrinfo("push.example.test", int(port))


def test_an_endpoint_saved_before_the_allowlist_is_not_sent_to(vapid, listener):
    sender = WebPushSender(vapid, "mailto:ops@onething.example", timeout=2)
    try:
        result = sender.send({"endpoint": f"http://127.0.0.1:{listener.port}/x", "keys": keys()}, PUSH)
    finally:
        sender.close()
    assert result.reason == "not_allowed" and listener.connections == 0


# --- the whole flow: a resident's subscription, the worker, the resident's events -------------

@pytest.fixture
def names_resolving_to(app):
    """Make the app's worker resolve push service names through a fixed map."""
    def install(answers: dict[str, list[str]]) -> None:
        sender = WebPushSender(vapid_for(app), app.config["VAPID_SUBJECT"], timeout=2, destinations=Destinations.of(
            push_extra_hosts(app), production=False, resolver=FixedResolver(answers)))
        app.extensions["notifier"] = replace(notifier_for(app), push=sender)

    yield install
    notifier = app.extensions.pop("notifier", None)
    if notifier is not None:
        notifier.push.close()


@pytest.mark.parametrize("address", ["127.0.0.1", "10.0.0.5", "169.254.169.254"])
def test_an_allowed_name_rebound_to_an_internal_address_is_not_contacted_and_the_resident_learns_nothing(
        app, client, listener, names_resolving_to, address):
    names_resolving_to({"web.push.apple.com": [address]})
    user = create_user("zhangwei")
    sign_in(app, client, user)
    response = client.post("/api/v1/push/subscriptions", json={
        "endpoint": f"https://web.push.apple.com:{listener.port}/QGuO2Pp", "keys": keys(), "device": "iPhone"})
    assert response.status_code == 201  # the name is a push service's: the check at send time is what stops it
    device = response.json["id"]
    supplement_requested(user)
    run_worker(app)
    assert listener.connections == 0
    assert db.session.scalars(select(OutboxMessage).where(OutboxMessage.topic == LATER_TOPIC)).all() == []  # no retry
    [failed] = [event for event in client.get("/api/v1/events").json["events"] if event["name"] == "push_failed"]
    assert failed["data"] == {"notification": failed["data"]["notification"], "device": device}
    [stored] = events_named("push_failed")
    assert stored.data["reason"] == "not_allowed"  # for staff: the timeline shows why


def test_a_refused_connection_and_a_delivery_look_alike_but_for_their_names(app, client, push_service,
                                                                           unreachable_url):
    """The port scanner of old: one device on a closed local port, one on a live service. The resident
    sees "delivered" and "not delivered", no exception, no status, no address."""
    user = create_user("zhangwei")
    sign_in(app, client, user)
    live = push_service.new_subscriber()
    add_device(app, client, live)
    closed = {**push_service.new_subscriber().subscription_info(), "endpoint": f"{unreachable_url}/push/closed"}
    assert client.post("/api/v1/push/subscriptions", json={**closed, "device": "Old phone"}).status_code == 201
    supplement_requested(user)
    run_worker(app)
    seen = {event["name"]: event["data"] for event in client.get("/api/v1/events").json["events"]
            if event["name"].startswith("push_")}
    assert set(seen) == {"push_delivered", "push_failed"}
    assert set(seen["push_failed"]) == set(seen["push_delivered"]) == {"notification", "device"}
    text = json.dumps(client.get("/api/v1/events").json)
    assert "Error" not in text and "127.0.0.1" not in text and unreachable_url.rsplit(":", 1)[1] not in text
    [stored] = events_named("push_failed")
    assert stored.data["reason"] == "unreachable" and "error" not in stored.data
