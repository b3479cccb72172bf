"""The pywebpush sender against a real push service over HTTP (the local fake one)."""

from __future__ import annotations

import base64
import time
from email.utils import formatdate

import pytest
from py_vapid import Vapid

from bff.adapters.push.sender import PushMessage, WebPushSender, parse_retry_after
from bff.adapters.push.transport.resolve import Destinations
from bff.adapters.push.vapid import application_server_key, development_vapid, load_vapid
from tests.fakes.push_service import FakePushService

SUBJECT = "mailto:ops@onething.example"
# These push services listen on this machine: named as a deployment outside production would.
LOCAL = Destinations.of({"127.0.0.1"}, production=False)


@pytest.fixture(scope="module")
def push_service():
    service = FakePushService().start()
    yield service
    service.stop()


@pytest.fixture(scope="module")
def vapid() -> Vapid:
    key = Vapid()
    key.generate_keys()
    return key


def message(**changes) -> PushMessage:
    fields = {"payload": b'{"title":"t","number":"YJ1","url":"/applications/YJ1"}', "ttl": 3600,
              "urgency": "high", "topic": "application-42"}
    return PushMessage(**{**fields, **changes})


def test_a_push_arrives_with_ttl_urgency_topic_and_a_payload_the_browser_can_decrypt(push_service, vapid):
    subscriber = push_service.new_subscriber()
    result = WebPushSender(vapid, SUBJECT, destinations=LOCAL).send(subscriber.subscription_info(), message())
    assert result.delivered and result.status == 201
    [received] = push_service.delivered(subscriber)
    assert received.headers["ttl"] == "3600"
    assert received.headers["urgency"] == "high"
    assert received.headers["topic"] == "application-42"
    assert received.headers["content-encoding"] == "aes128gcm"
    assert received.payload == {"title": "t", "number": "YJ1", "url": "/applications/YJ1"}


def test_the_vapid_jwt_names_this_push_service_and_expires_within_a_day(push_service, vapid):
    subscriber = push_service.new_subscriber()
    WebPushSender(vapid, SUBJECT, destinations=LOCAL).send(subscriber.subscription_info(), message())
    [received] = push_service.delivered(subscriber)
    assert received.claims["aud"] == push_service.url
    assert received.claims["sub"] == SUBJECT
    assert time.time() < received.claims["exp"] <= time.time() + 24 * 3600


def test_the_signed_vapid_header_is_reused_for_the_same_push_service(push_service, vapid):
    sender = WebPushSender(vapid, SUBJECT, destinations=LOCAL)
    first, second = push_service.new_subscriber(), push_service.new_subscriber()
    sender.send(first.subscription_info(), message())
    sender.send(second.subscription_info(), message())
    tokens = {r.headers["authorization"] for r in push_service.delivered() if r.token in (first.token, second.token)}
    assert len(tokens) == 1


def test_a_key_the_service_cannot_verify_is_a_permanent_failure_not_a_retry(push_service, vapid):
    subscriber = push_service.new_subscriber()
    sender = WebPushSender(vapid, SUBJECT, destinations=LOCAL)
    other = Vapid()
    other.generate_keys()
    forged = sender.vapid_headers(subscriber.endpoint)["Authorization"].split(",k=")[0]
    sender._headers[push_service.url] = (time.time() + 3 * 3600,
                                         {"Authorization": forged + ",k=" + application_server_key(other)})
    result = sender.send(subscriber.subscription_info(), message())
    assert result.status == 401 and not result.delivered and result.retry_after is None and not result.gone


def test_a_gone_subscription_is_reported_gone(push_service, vapid):
    subscriber = push_service.new_subscriber("gone")
    result = WebPushSender(vapid, SUBJECT, destinations=LOCAL).send(subscriber.subscription_info(), message())
    assert result.status == 410 and result.gone and not result.delivered


def test_a_throttled_push_says_when_to_retry(push_service, vapid):
    subscriber = push_service.new_subscriber("throttle", retry_after="7")
    result = WebPushSender(vapid, SUBJECT, destinations=LOCAL).send(subscriber.subscription_info(), message())
    assert result.status == 429 and result.retry_after == 7.0 and not result.gone


def test_a_server_error_is_retried_after_the_default_wait(push_service, vapid):
    subscriber = push_service.new_subscriber("error")
    result = WebPushSender(vapid, SUBJECT, destinations=LOCAL, default_retry_after=12).send(
        subscriber.subscription_info(), message())
    assert result.status == 500 and result.retry_after == 12


def test_an_unreachable_push_service_is_retried_not_crashed(vapid, unreachable_url):
    info = {"endpoint": f"{unreachable_url}/push/x", "keys": FakePushService().new_subscriber().subscription_info()["keys"]}
    result = WebPushSender(vapid, SUBJECT, destinations=LOCAL, timeout=1).send(info, message())
    assert result.status == 0 and result.retry_after is not None


def test_a_push_without_a_ttl_is_refused_before_sending(push_service, vapid):
    subscriber = push_service.new_subscriber()
    with pytest.raises(ValueError, match="TTL"):
        WebPushSender(vapid, SUBJECT, destinations=LOCAL).send(subscriber.subscription_info(), message(ttl=0))
    assert push_service.delivered(subscriber) == []


def test_retry_after_is_read_as_seconds_or_as_an_http_date():
    assert parse_retry_after("120") == 120.0
    assert 25 <= parse_retry_after(formatdate(time.time() + 30, usegmt=True)) <= 30
    assert parse_retry_after("soon") is None and parse_retry_after(None) is None


def test_the_development_key_is_generated_once_under_var_and_kept_private(tmp_path):
    first = development_vapid(tmp_path)
    again = development_vapid(tmp_path)
    assert application_server_key(first) == application_server_key(again)
    assert (tmp_path / "vapid_private.pem").stat().st_mode & 0o077 == 0


def test_a_production_key_is_read_from_pem_or_base64(vapid):
    from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat

    der = vapid.private_key.private_bytes(Encoding.DER, PrivateFormat.PKCS8, NoEncryption())
    expected = application_server_key(vapid)
    assert application_server_key(load_vapid(vapid.private_pem().decode())) == expected
    assert application_server_key(load_vapid(base64.urlsafe_b64encode(der).decode())) == expected


def test_the_application_server_key_is_the_uncompressed_point_in_base64url(vapid):
    key = application_server_key(vapid)
    raw = base64.urlsafe_b64decode(key + "=" * (-len(key) % 4))
    assert len(raw) == 65 and raw[0] == 4 and "=" not in key


def test_many_pushes_to_one_service_go_out_together_each_with_its_own_result(push_service, vapid):
    subscribers = [push_service.new_subscriber() for _ in range(20)] + [push_service.new_subscriber("gone")]
    sender = WebPushSender(vapid, SUBJECT, destinations=LOCAL, connections_per_service=4)
    results = sender.send_many([s.subscription_info() for s in subscribers], message())
    assert [r.status for r in results] == [201] * 20 + [410]
    assert all(len(push_service.delivered(s)) == 1 for s in subscribers[:20])
    again = sender.send_many([subscribers[0].subscription_info()], message())  # a kept-alive connection
    assert again[0].delivered


def test_an_endpoint_that_is_not_a_plain_url_is_refused_without_sending(vapid):
    info = {"endpoint": "http://127.0.0.1:9/push/x y\r\nX-Evil: 1",
            "keys": FakePushService().new_subscriber().subscription_info()["keys"]}
    result = WebPushSender(vapid, SUBJECT, destinations=LOCAL).send(info, message())
    assert result.status == 0 and result.error == "invalid endpoint" and result.retry_after is None
