"""The staff timeline's live path: an SSE stream of *hints* about one opened resident.

The stream reuses the process's one subscriber (:class:`bff.services.notifications.live.EventFanout`, keyed by
the resident's user id) and :func:`bff.services.notifications.live.stream_events` (Last-Event-ID replay,
keep-alives, ``retry``, bounded lifetime). Each message carries only the event's id and name —
never its data: the page then fetches ``timeline?after=<latest>``, the audited read that renders.

The stream lives no longer than the grant: its lifetime is cut to what remains of it, and a grant
closed meanwhile ends the stream at the next keep-alive.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from typing import Any

import redis as redis_lib

from bff.services.notifications import live
from bff.services.notifications import live as events
from bff.services.service_desk.access import Grant, is_open
from bff.store import Session

REPLAY_BATCH = 500


def hint(message: str) -> str:
    """An SSE block reduced to its id and event name; blocks without data pass unchanged."""
    if "\ndata:" not in message:
        return message  # retry, id-only block or keep-alive comment
    fields = dict(line.split(": ", 1) for line in message.strip("\n").split("\n") if ": " in line)
    event_id, name = int(fields["id"]), fields["event"]
    data = json.dumps({"id": event_id, "name": name}, separators=(",", ":"))
    return f"id: {event_id}\nevent: {name}\ndata: {data}\n\n"


def timeline_hints(fanout: live.EventFanout, client: redis_lib.Redis, factory: Callable[[], Session], grant: Grant,
                   last_event_id: int | None, settings: live.StreamSettings, *,
                   clock: Callable[[], float] = time.time) -> Iterator[str]:
    """The text of one staff stream about ``grant``'s resident (runs outside any app context)."""
    resident_id = grant.resident_user_id

    def events_after(after: int) -> list[dict[str, Any]]:
        with factory() as session:
            return [{"id": row.id, "name": row.name}
                    for row in events.events_after(session, resident_id, after, REPLAY_BATCH)]

    def latest_id() -> int:
        with factory() as session:
            return events.latest_event_id(session, resident_id)

    lifetime = max(0.0, min(settings.lifetime, grant.expires_at - clock()))
    chunks = live.stream_events(fanout, resident_id, last_event_id, events_after=events_after,
                                latest_id=latest_id, settings=replace(settings, lifetime=lifetime))
    return _while_open(chunks, lambda: is_open(client, grant), every=settings.keepalive)


def _while_open(chunks: Iterator[str], still_open: Callable[[], bool], *, every: float) -> Iterator[str]:
    """Hints of ``chunks`` until the grant is closed (checked at most every ``every`` seconds)."""
    checked = time.monotonic()
    try:
        for chunk in chunks:
            yield hint(chunk)
            if time.monotonic() - checked >= every:
                if not still_open():
                    return
                checked = time.monotonic()
    finally:
        chunks.close()  # type: ignore[attr-defined]
