"""The life-event feeds: the demo world's (what it sends, from where a read starts) and the HTTP
contract of docs/proactive.md against a real HTTP server that serves the sample feed."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import asdict
from datetime import date, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from bff.adapters.prefill.sample import SampleRegistry
from bff.adapters.signals import build_signal_source
from bff.adapters.signals.http import HttpSignals
from bff.adapters.signals.sample import SampleSignals
from bff.core.ports import SourceUnavailable
from bff.demo import persona

TODAY = date(2026, 11, 26)


def sample_feed() -> SampleSignals:
    return SampleSignals(SampleRegistry(TODAY), [60, 80], today=TODAY)


def test_a_first_read_of_the_demo_feed_brings_this_months_birth_death_retirement_and_birthdays() -> None:
    page = sample_feed().signals_after(None, 50)
    kinds = {(s.kind, s.id_number) for s in page.signals}
    assert ("birth", persona("wangfang", TODAY).id_number) in kinds  # the mother of the hospital record
    assert ("death", persona("chenguohua", TODAY).id_number) in kinds
    assert ("retirement", persona("lijianguo", TODAY).id_number) in kinds
    assert ("age", persona("liuxiuying", TODAY).id_number) in kinds  # 80 on 18 November
    assert page.cursor == TODAY.isoformat()
    assert [s.occurred_on for s in page.signals if s.kind == "retirement"][0] > TODAY  # a month ahead


def test_the_demo_feed_reads_on_from_its_cursor_and_pages_by_the_limit() -> None:
    feed = sample_feed()
    assert feed.signals_after(TODAY.isoformat(), 50).signals == ()
    first = feed.signals_after(None, 1)
    assert len(first.signals) == 1
    rest = feed.signals_after(first.cursor, 50)
    everything = feed.signals_after(None, 50).signals
    assert first.signals[0] in everything and set(rest.signals) <= set(everything)
    assert feed.signals_after((TODAY - timedelta(days=1)).isoformat(), 50).signals == ()


class FeedServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), FeedHandler)
        self.feed = sample_feed()
        self.fail = False
        self.bodies: list[dict[str, object]] = []


class FeedHandler(BaseHTTPRequestHandler):
    server: FeedServer

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        self.server.bodies.append({"path": self.path, **body})
        if self.server.fail:
            self.send_response(503)
            self.end_headers()
            return
        page = self.server.feed.signals_after(body["after"], body["limit"])
        signals = [{**asdict(s), "occurred_on": s.occurred_on.isoformat()} for s in page.signals]
        payload = json.dumps({"result": {"signals": signals, "cursor": page.cursor}}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *_args: object) -> None:  # ID numbers stay out of the test output
        return


@pytest.fixture
def feed_server() -> Iterator[FeedServer]:
    server = FeedServer()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    thread.join(timeout=5)


def test_the_http_feed_reads_the_contract_with_the_cursor_in_the_body(feed_server: FeedServer) -> None:
    client = HttpSignals(f"http://127.0.0.1:{feed_server.server_port}")
    page = client.signals_after(None, 50)
    assert page.signals == sample_feed().signals_after(None, 50).signals
    assert client.signals_after(page.cursor, 50).signals == ()
    assert feed_server.bodies[0] == {"path": "/v1/signals.after", "after": None, "limit": 50}
    assert feed_server.bodies[1]["after"] == TODAY.isoformat()


def test_a_feed_that_fails_is_unavailable_and_the_next_read_starts_from_the_same_cursor(feed_server: FeedServer) -> None:
    client = HttpSignals(f"http://127.0.0.1:{feed_server.server_port}")
    feed_server.fail = True
    with pytest.raises(SourceUnavailable):
        client.signals_after("2026-11-01", 50)
    feed_server.fail = False
    assert client.signals_after("2026-11-01", 50).signals


def test_the_configured_feed_is_the_sample_or_the_http_one_with_its_url() -> None:
    assert build_signal_source({}, [60]).name == "sample"
    assert build_signal_source({"SIGNALS_BACKEND": "http", "SIGNALS_URL": "https://r.example/feed"}, [60]).name == "http"
    with pytest.raises(ValueError, match="SIGNALS_URL"):
        build_signal_source({"SIGNALS_BACKEND": "http"}, [60])
