"""Live progress by Server-Sent Events: one Redis subscriber per process, one queue per client.

``record_event`` announces each committed event on ``events:user:<id>``. The
:class:`EventFanout` of a process holds the only pattern subscription; it loads each
announced event once and hands the rendered message to the queues of that user's open
streams. Under gunicorn's gevent worker (monkey-patched) the thread and queues below are
greenlets and cooperative queues; under the threaded development or test server they are
plain threads. Nothing here sleeps while holding a database connection.

Redis is only a hint: a stream that reconnects with ``Last-Event-ID`` replays from the
database, and a lost subscription makes every stream re-read what it may have missed. The
reads of that replay (and of the polling fallback) are at the end of this module.
"""

from __future__ import annotations

import json
import logging
import queue
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from bff.core.events import resident_data
from bff.metrics import SSE_CLIENTS
from bff.outbox import CHANNEL_PREFIX
from bff.store import Session
from bff.store.models import Event
from bff.store.queries import events as queries

log = logging.getLogger("bff.live")
RESYNC = object()  # put in every queue after the subscription was lost and re-established


@dataclass(frozen=True)
class Rendered:
    id: int
    text: str


def render(event: dict[str, Any]) -> Rendered:
    """One SSE message; its id is the Event id, so the browser's Last-Event-ID is exact."""
    data = json.dumps(event, ensure_ascii=False, separators=(",", ":"))
    return Rendered(event["id"], f"id: {event['id']}\nevent: {event['name']}\ndata: {data}\n\n")


class EventFanout:
    """The one subscriber of a process; ``load_event(id)`` reads an event as its owner sees it."""

    def __init__(self, redis_client: Any, load_event: Callable[[int], dict[str, Any] | None]) -> None:
        self.redis = redis_client
        self.load_event = load_event
        self._clients: dict[int, set[queue.Queue[Any]]] = {}
        self._lock = threading.Lock()
        self._started = False
        self.ready = threading.Event()

    def subscribe(self, user_id: int) -> queue.Queue[Any]:
        self._ensure_started()
        inbox: queue.Queue[Any] = queue.Queue(maxsize=1000)
        with self._lock:
            self._clients.setdefault(user_id, set()).add(inbox)
        SSE_CLIENTS.inc()
        return inbox

    def unsubscribe(self, user_id: int, inbox: queue.Queue[Any]) -> None:
        with self._lock:
            streams = self._clients.get(user_id, set())
            if inbox in streams:
                SSE_CLIENTS.dec()
            streams.discard(inbox)
            if not streams:
                self._clients.pop(user_id, None)

    def client_count(self) -> int:
        with self._lock:
            return sum(len(streams) for streams in self._clients.values())

    def _ensure_started(self) -> None:
        with self._lock:
            if self._started:
                return
            self._started = True
        threading.Thread(target=self._run, name="sse-fanout", daemon=True).start()
        self.ready.wait(5)

    def _run(self) -> None:
        first = True
        while True:
            try:
                self._listen(resync=not first)
            except Exception as error:  # noqa: BLE001 - Redis went away: retry, then resync streams
                log.warning("SSE subscriber lost Redis (%s); reconnecting", type(error).__name__)
                time.sleep(1)
            first = False

    def _listen(self, *, resync: bool) -> None:
        pubsub = self.redis.pubsub(ignore_subscribe_messages=True)
        try:
            pubsub.psubscribe(f"{CHANNEL_PREFIX}*")
            self.ready.set()
            if resync:
                self._broadcast_resync()
            while True:
                message = pubsub.get_message(timeout=5.0)
                if message is not None:
                    self._deliver(message["channel"], message["data"])
        finally:
            pubsub.close()

    def _deliver(self, channel: str, data: str) -> None:
        user_id = int(channel.rsplit(":", 1)[1])
        with self._lock:
            streams = list(self._clients.get(user_id, ()))
        if not streams:
            return  # nobody of this user is watching here: no database read at all
        event = self.load_event(int(json.loads(data)["id"]))
        if event is None:
            return
        rendered = render(event)
        for inbox in streams:
            _offer(inbox, rendered)

    def _broadcast_resync(self) -> None:
        with self._lock:
            streams = [inbox for group in self._clients.values() for inbox in group]
        for inbox in streams:
            _offer(inbox, RESYNC)


def _offer(inbox: queue.Queue[Any], item: Any) -> None:
    try:
        inbox.put_nowait(item)
    except queue.Full:  # a stalled client: it will replay from the database when it reconnects
        pass


@dataclass(frozen=True)
class StreamSettings:
    keepalive: float = 15.0
    retry_ms: int = 3000
    lifetime: float = 300.0  # then the stream ends and the browser reconnects with Last-Event-ID


def stream_events(fanout: EventFanout, user_id: int, last_event_id: int | None, *,
                  events_after: Callable[[int], Sequence[dict[str, Any]]],
                  latest_id: Callable[[], int], settings: StreamSettings) -> Iterator[str]:
    """The text of one SSE stream: replay after ``last_event_id``, then live, with keep-alives.

    The queue is registered before the replay, so nothing committed meanwhile is missed;
    ids already sent are skipped, so nothing is sent twice.
    """
    inbox = fanout.subscribe(user_id)
    sent = SentIds()
    try:
        yield f"retry: {settings.retry_ms}\n\n"
        if last_event_id is None:
            # Starts "now": an id-only block sets the browser's Last-Event-ID without an event.
            start = latest_id()
            sent.floor = start
            yield f"id: {start}\n\n"
        else:
            sent.floor = last_event_id
            yield from _replay(events_after, sent)
        deadline = time.monotonic() + settings.lifetime
        while (remaining := deadline - time.monotonic()) > 0:
            try:
                item = inbox.get(timeout=min(settings.keepalive, remaining))
            except queue.Empty:
                yield ": keep-alive\n\n"
                continue
            if item is RESYNC:
                yield from _replay(events_after, sent)
            elif sent.take(item.id):
                yield item.text
    finally:
        fanout.unsubscribe(user_id, inbox)


def _replay(events_after: Callable[[int], Sequence[dict[str, Any]]], sent: SentIds) -> Iterator[str]:
    while batch := events_after(sent.highest()):
        for event in batch:
            if sent.take(event["id"]):
                yield render(event).text


class SentIds:
    """Ids this stream has sent (or that were before its start), to skip duplicates."""

    def __init__(self) -> None:
        self.floor = 0
        self._recent: set[int] = set()

    def take(self, event_id: int) -> bool:
        """``True`` the first time an id is seen after the floor: send it."""
        if event_id <= self.floor or event_id in self._recent:
            return False
        self._recent.add(event_id)
        if len(self._recent) > 2000:  # keep memory bounded: the oldest half become the floor
            ordered = sorted(self._recent)
            self.floor = ordered[1000]
            self._recent = set(ordered[1001:])
        return True

    def highest(self) -> int:
        return max(self._recent, default=self.floor)


# --- Reading a person's events (the replay, and the polling fallback of the stream) -----------

def events_after(session: Session, user_id: int, after: int, limit: int = 100) -> list[Event]:
    """The user's events with id > ``after``, oldest first."""
    return queries.events_of_subject_after(session, user_id, after, limit)


def latest_event_id(session: Session, user_id: int) -> int:
    """The id of the user's latest event (0 if none): where a new stream starts."""
    return queries.latest_event_id_of_subject(session, user_id)


def event_view(event: Event) -> dict[str, Any]:
    """What a resident sees of one of their events (data never carries plaintext PII, and staff-only
    keys are left out)."""
    return {"id": event.id, "name": event.name, "occurred_at": event.occurred_at.isoformat(),
            "application_id": event.application_id, "data": resident_data(event.name, event.data)}


def load_event_view(session: Session, event_id: int) -> dict[str, Any] | None:
    """:func:`event_view` of one event by id (``None`` if there is none)."""
    row = session.get(Event, event_id)
    return event_view(row) if row is not None else None
