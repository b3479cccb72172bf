"""A resident changes the account's mobile with a code texted to the new number (5 minutes, 5 tries)."""

from __future__ import annotations

import logging
import re
import time

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from bff.extensions import db, redis
from bff.store.models import Event, OutboxMessage, User
from tests.api.application_helpers import run_worker
from tests.api.staff_helpers import signed_in_client
from tests.factories import create_user, sign_in

NEW_MOBILE = "13912345678"


def texted_code(app: Flask, caplog: pytest.LogCaptureFixture) -> str:
    """The code the embedded SMS sender wrote to the log, sent by the real job."""
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="bff.sms"):
        run_worker(app)
    texts = [record.getMessage() for record in caplog.records if record.name == "bff.sms"]
    assert len(texts) == 1, texts
    assert "139****5678" in texts[0] and NEW_MOBILE not in texts[0]  # the number masked in the log
    return re.search(r"\b(\d{6})\b", texts[0].split(":", 1)[1]).group(1)  # type: ignore[union-attr]


def ask_code(client: FlaskClient, mobile: str = NEW_MOBILE) -> dict[str, object]:
    response = client.post("/api/v1/me/mobile/code", json={"mobile": mobile})
    assert response.status_code == 202, response.json
    return response.json  # type: ignore[no-any-return]


def account(user_id: int) -> User:
    db.session.expire_all()
    return db.session.get(User, user_id)  # type: ignore[return-value]


def events(user_id: int, name: str) -> list[Event]:
    return list(db.session.scalars(select(Event).where(Event.subject_user_id == user_id, Event.name == name)))


def test_the_right_code_changes_the_mobile_and_the_change_is_audited(app: Flask, caplog: pytest.LogCaptureFixture) -> None:
    client, user = signed_in_client(app, "lijianguo")
    assert ask_code(client) == {"expires_in": 300, "max_tries": 5}
    code = texted_code(app, caplog)
    stored = str(redis.client.hgetall(f"mobile-change:{user.id}"))
    assert code not in stored and NEW_MOBILE not in stored  # only the code's hash and the number encrypted
    assert 290 <= redis.client.ttl(f"mobile-change:{user.id}") <= 300

    changed = client.post("/api/v1/me/mobile", json={"code": code})
    assert changed.status_code == 200, changed.json
    assert changed.json["mobile"] == "139****5678"
    assert account(user.id).mobile == NEW_MOBILE and account(user.id).mobile_verified_at is not None
    assert [e.data for e in events(user.id, "mobile_changed")] == [{"method": "sms_code"}]
    assert client.post("/api/v1/me/mobile", json={"code": code}).status_code == 422  # used up


def test_a_wrong_code_is_refused_with_the_tries_left_and_the_sixth_try_fails_even_when_right(
        app: Flask, caplog: pytest.LogCaptureFixture) -> None:
    client, user = signed_in_client(app, "lijianguo")
    ask_code(client)
    code = texted_code(app, caplog)
    wrong = "000000" if code != "000000" else "111111"
    refused = client.post("/api/v1/me/mobile", json={"code": wrong}, headers={"X-Language": "en"})
    assert refused.status_code == 422
    assert refused.json["errors"]["json"]["code"] == ["That code is not right; 4 tries left."]
    for _ in range(4):
        last = client.post("/api/v1/me/mobile", json={"code": wrong})
    assert last.json["errors"]["json"]["code"] == ["验证码错误次数过多，请重新获取。"]
    assert client.post("/api/v1/me/mobile", json={"code": code}).status_code == 422
    assert account(user.id).mobile != NEW_MOBILE
    assert len(events(user.id, "mobile_change_refused")) == 6


def test_an_expired_code_is_refused(app: Flask, caplog: pytest.LogCaptureFixture) -> None:
    client, user = signed_in_client(app, "lijianguo")
    ask_code(client)
    code = texted_code(app, caplog)
    redis.client.pexpire(f"mobile-change:{user.id}", 1)  # five minutes later, as far as Redis knows
    time.sleep(0.05)
    refused = client.post("/api/v1/me/mobile", json={"code": code})
    assert refused.status_code == 422 and refused.json["reason"] == "code_expired"
    assert account(user.id).mobile != NEW_MOBILE
    assert redis.client.exists(f"mobile-change:{user.id}") == 0  # the try left nothing behind


def test_a_new_code_replaces_the_earlier_one(app: Flask, caplog: pytest.LogCaptureFixture) -> None:
    client, user = signed_in_client(app, "lijianguo")
    ask_code(client)
    first = texted_code(app, caplog)
    ask_code(client)
    second = texted_code(app, caplog)
    if first != second:
        assert client.post("/api/v1/me/mobile", json={"code": first}).status_code == 422
    assert client.post("/api/v1/me/mobile", json={"code": second}).status_code == 200


def test_codes_are_rate_limited_per_account(app: Flask) -> None:
    client, _ = signed_in_client(app, "lijianguo")
    for _ in range(3):
        ask_code(client)
    limited = client.post("/api/v1/me/mobile/code", json={"mobile": NEW_MOBILE})
    assert limited.status_code == 429 and int(limited.headers["Retry-After"]) > 0
    other, _ = signed_in_client(app, "zhangwei")
    ask_code(other)  # another account has its own count


@pytest.mark.parametrize(("mobile", "message"), [("12345", "请输入11位手机号码。"),
                                                 ("13800000003", "这已经是您账号的手机号码。")])
def test_a_bad_or_unchanged_number_gets_a_field_error_and_no_text(app: Flask, mobile: str, message: str) -> None:
    client, _ = signed_in_client(app, "lijianguo")
    refused = client.post("/api/v1/me/mobile/code", json={"mobile": mobile})
    assert refused.status_code == 422 and refused.json["errors"]["json"]["mobile"] == [message]
    assert db.session.scalars(select(OutboxMessage).where(OutboxMessage.topic == "sms.mobile_code")).all() == []


def test_the_verified_mobile_survives_a_new_sign_in_and_fills_the_applicants_mobile(
        app: Flask, caplog: pytest.LogCaptureFixture) -> None:
    client, user = signed_in_client(app, "lijianguo")
    ask_code(client)
    assert client.post("/api/v1/me/mobile", json={"code": texted_code(app, caplog)}).status_code == 200
    sign_in(app, client, create_user("lijianguo"))  # the provider's claims name the old number again
    assert account(user.id).mobile == NEW_MOBILE
    form = client.get("/api/v1/bundles/retirement/form").json
    mobile = next(f for s in form["sections"] for f in s["fields"] if f["key"] == "applicant.mobile")
    assert mobile["prefilled"]["source"] == "account"
    assert NEW_MOBILE[-4:] in str(mobile["prefilled"]["value"])
