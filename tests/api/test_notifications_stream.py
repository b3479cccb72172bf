"""Live progress by Server-Sent Events: ids, replay after Last-Event-ID, keep-alives, one subscriber."""

from __future__ import annotations

import json
import threading

import pytest
import requests
from werkzeug.serving import make_server

from bff.extensions import db, redis
from bff.outbox import CHANNEL_PREFIX
from bff.services.events import record_event
from tests.factories import create_user, sign_in

STREAM = "/api/v1/events/stream"


@pytest.fixture(autouse=True)
def short_waits(app, monkeypatch):
    monkeypatch.setitem(app.config, "SSE_KEEPALIVE_SECONDS", 0.3)
    monkeypatch.setitem(app.config, "SSE_MAX_STREAM_SECONDS", 20.0)


class SseReader:
    """Reads one SSE stream block by block (a block ends with a blank line)."""

    def __init__(self, chunks) -> None:
        self.chunks = iter(chunks)
        self.buffer = ""

    def block(self) -> dict:
        while "\n\n" not in self.buffer:
            chunk = next(self.chunks)
            self.buffer += chunk.decode() if isinstance(chunk, bytes) else chunk
        text, self.buffer = self.buffer.split("\n\n", 1)
        fields: dict = {}
        for line in text.split("\n"):
            name, _, value = line.partition(":")
            fields.setdefault(name or "comment", value.strip())
        return fields

    def message(self) -> dict:
        """The next event message (skipping retry, id-only blocks and keep-alives)."""
        for _ in range(100):
            fields = self.block()
            if "data" in fields:
                return {"id": int(fields["id"]), "event": fields["event"], **json.loads(fields["data"])}
        raise AssertionError("no message arrived")


def open_stream(client, **headers):
    response = client.get(STREAM, headers=headers, buffered=False)
    assert response.status_code == 200
    return response, SseReader(response.response)


def happen(user, to: str) -> int:
    event = record_event(db.session, "case_transitioned", subject_user_id=user.id, case="C1", department="health",
                         to=to, **{"from": "submitted"})
    db.session.commit()
    return event.id


def signed_in(app, client, key="zhangwei"):
    user = create_user(key)
    sign_in(app, client, user)
    return user


def test_the_stream_is_uncached_unbuffered_and_starts_with_retry_and_the_current_id(app, client):
    user = signed_in(app, client)
    latest = happen(user, "accepted")
    response, reader = open_stream(client)
    assert response.mimetype == "text/event-stream"
    assert response.headers["Cache-Control"] == "no-store" and response.headers["X-Accel-Buffering"] == "no"
    assert reader.block() == {"retry": "3000"}
    assert reader.block() == {"id": str(latest)}  # sets Last-Event-ID; history is not replayed
    response.close()


def test_a_new_event_arrives_live_with_its_event_id_as_message_id(app, client):
    user = signed_in(app, client)
    response, reader = open_stream(client)
    reader.block(), reader.block()
    event_id = happen(user, "approved")
    message = reader.message()
    assert message["id"] == event_id and message["event"] == "case_transitioned"
    assert message["data"]["to"] == "approved"
    response.close()


def test_reconnecting_with_last_event_id_replays_what_was_missed_without_gaps_or_duplicates(app, client):
    user = signed_in(app, client)
    response, reader = open_stream(client)
    reader.block(), reader.block()  # connected (the body starts when first read)
    seen = happen(user, "accepted")
    assert reader.message()["id"] == seen
    response.close()
    missed = [happen(user, "processing"), happen(user, "supplement_requested")]
    response, reader = open_stream(client, **{"Last-Event-ID": str(seen)})
    assert [reader.message()["id"], reader.message()["id"]] == missed
    # The announcement of an event already replayed (it committed during the replay) is skipped.
    redis.client.publish(f"{CHANNEL_PREFIX}{user.id}", json.dumps({"id": missed[-1], "name": "case_transitioned"}))
    after = happen(user, "supplemented")
    assert reader.message()["id"] == after
    response.close()


def test_last_event_id_may_come_as_a_query_parameter(app, client):
    user = signed_in(app, client)
    first, second = happen(user, "accepted"), happen(user, "approved")
    response = client.get(f"{STREAM}?last_event_id={first}", buffered=False)
    assert SseReader(response.response).message()["id"] == second
    response.close()


def test_an_idle_stream_sends_keep_alive_comments(app, client):
    signed_in(app, client)
    response, reader = open_stream(client)
    reader.block(), reader.block()
    assert reader.block() == {"comment": "keep-alive"}
    response.close()


def test_no_one_sees_another_persons_events(app, client):
    user = signed_in(app, client)
    other = create_user("wangfang")
    response, reader = open_stream(client)
    reader.block(), reader.block()
    happen(other, "accepted")
    mine = happen(user, "accepted")
    assert reader.message()["id"] == mine
    response.close()


def test_a_stream_ends_after_its_lifetime_so_the_browser_reconnects(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "SSE_MAX_STREAM_SECONDS", 0.5)
    signed_in(app, client)
    response, reader = open_stream(client)
    with pytest.raises(StopIteration):
        for _ in range(20):
            reader.block()
    response.close()


def test_many_streams_share_one_redis_subscription_per_process(app, client):
    signed_in(app, client)
    streams = [open_stream(client) for _ in range(5)]
    for _, reader in streams:
        reader.block()
    assert redis.client.execute_command("PUBSUB", "NUMPAT") == 1
    for response, _ in streams:
        response.close()


def test_the_stream_needs_a_signed_in_person(client):
    assert client.get(STREAM).status_code == 401


def test_over_real_http_a_dropped_connection_resumes_from_last_event_id(app, client):
    user = signed_in(app, client)
    cookie = {app.config["SESSION_COOKIE_NAME"]: client.get_cookie(app.config["SESSION_COOKIE_NAME"]).value}
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_port}{STREAM}"
    try:
        with requests.get(url, cookies=cookie, stream=True, timeout=10) as first:
            reader = SseReader(first.iter_content(chunk_size=None))
            reader.block(), reader.block()
            seen = happen(user, "accepted")
            assert reader.message()["id"] == seen
        missed = happen(user, "approved")
        with requests.get(url, cookies=cookie, headers={"Last-Event-ID": str(seen)}, stream=True, timeout=10) as again:
            assert SseReader(again.iter_content(chunk_size=None)).message()["id"] == missed
    finally:
        server.shutdown()
        server.server_close()
