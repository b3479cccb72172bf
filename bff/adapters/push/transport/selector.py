"""The home-made transport: kept-alive HTTP/1.1 connections (:mod:`bff.adapters.push.transport.http1`), one
push in flight per connection, every connection driven from one thread by a selector."""

from __future__ import annotations

import selectors
import ssl
import threading
import time
from collections import deque
from collections.abc import Mapping
from urllib.parse import urlsplit

from bff.adapters.push.transport import Answer, Done, Prepare, http1, split_endpoint
from bff.adapters.push.transport.resolve import AddressRefused, Destinations

ADDRESS_REFUSED = "address refused"  # Answer.error when the host resolved only to addresses pushes may not go to

DEADLINE_CHECK = 0.05  # seconds between looks at the pushes' deadlines


class SelectorTransport:
    """Up to ``per_origin`` connections per push service, kept between calls; each one opened to
    an address ``destinations`` checked (public ones only, unless it says otherwise)."""

    def __init__(self, timeout: float, per_origin: int, ssl_context: ssl.SSLContext,
                 destinations: Destinations | None = None) -> None:
        self.timeout, self.per_origin, self.ssl_context = timeout, per_origin, ssl_context
        self.destinations = destinations or Destinations()
        self._idle: dict[str, list[http1.Connection]] = {}
        self._lock = threading.Lock()

    def send(self, waiting: Mapping[str, deque[int]], prepare: Prepare, done: Done) -> None:
        batch = _Batch(self, waiting, prepare, done)
        try:
            batch.run()
        finally:
            batch.close()

    def close(self) -> None:
        with self._lock:
            for connections in self._idle.values():
                for connection in connections:
                    connection.close()
            self._idle.clear()

    def check_out(self, origin: str) -> http1.Connection:
        with self._lock:
            idle = self._idle.get(origin, [])
            while idle:
                connection = idle.pop()
                if not connection.dropped():
                    return connection
                connection.close()
        parts = urlsplit(origin)
        port = parts.port or (443 if parts.scheme == "https" else 80)
        address = self.destinations.address_for(parts.hostname or "", port)
        return http1.Connection(origin, self.timeout, self.ssl_context, address)

    def check_in(self, spare: Mapping[str, list[http1.Connection]]) -> None:
        with self._lock:
            for origin, connections in spare.items():
                idle = self._idle.setdefault(origin, [])
                for connection in connections:
                    if len(idle) < self.per_origin:
                        idle.append(connection)
                    else:
                        connection.close()


class _Batch:
    """One ``send`` call's pushes in flight: one per connection, up to the transport's limit per
    push service; each answer frees its connection for the next push to that service."""

    def __init__(self, transport: SelectorTransport, waiting: Mapping[str, deque[int]],
                 prepare: Prepare, done: Done) -> None:
        self.transport, self.waiting, self.prepare, self.done = transport, waiting, prepare, done
        self.selector = selectors.DefaultSelector()
        self.in_flight: dict[http1.Connection, tuple[int, float]] = {}  # connection → (push index, deadline)
        self.spare: dict[str, list[http1.Connection]] = {origin: [] for origin in waiting}
        self.registered: set[http1.Connection] = set()
        self.heads: dict[tuple[tuple[str, str], ...], bytes] = {}  # header lines shared by pushes of a message

    def run(self) -> None:
        for origin, queue in self.waiting.items():
            for _ in range(min(self.transport.per_origin, len(queue))):
                self.start_next(origin, None)
        checked = time.monotonic()
        while self.in_flight:
            timeout = max(min(deadline for _, deadline in self.in_flight.values()) - time.monotonic(), 0)
            for key, _ in self.selector.select(min(timeout, DEADLINE_CHECK)):
                self.read(key.data)
            now = time.monotonic()
            if now - checked >= DEADLINE_CHECK:  # not after every answer: deadlines are seconds away
                checked = now
                for connection, (_, deadline) in list(self.in_flight.items()):
                    if deadline <= now:  # no answer in time: the connection cannot be trusted any more
                        self.finish(connection, Answer(0, error="timeout"), None)

    def read(self, connection: http1.Connection) -> None:
        try:
            response = connection.receive()
        except (OSError, http1.ProtocolError) as error:
            self.finish(connection, Answer(0, error=type(error).__name__), None)
            return
        if response is not None:
            answer = Answer(response.status, response.headers.get("retry-after"),
                            response.body.decode("utf-8", "replace"))
            self.finish(connection, answer, connection if response.keep_alive else None)

    def finish(self, connection: http1.Connection, answer: Answer, reusable: http1.Connection | None) -> None:
        index, _ = self.in_flight.pop(connection)
        self.done(index, answer)
        if reusable is None or not self.waiting[connection.origin]:
            self.selector.unregister(connection)  # stays registered only to carry the next push
            self.registered.discard(connection)
        if reusable is None:
            connection.close()
        if self.waiting[connection.origin]:
            self.start_next(connection.origin, reusable)
        elif reusable is not None:
            self.spare[connection.origin].append(reusable)

    def start_next(self, origin: str, connection: http1.Connection | None) -> None:
        """Prepare the next push to ``origin`` and write it on ``connection`` (or a pooled or new one)."""
        queue = self.waiting[origin]
        while queue:
            index = queue.popleft()
            request = self.prepare(index)
            if request is None:
                continue
            _, host, target = split_endpoint(request.endpoint)
            data = http1.request_with_head("POST", target, host, self.head(request.headers), request.body)
            try:
                connection = connection or self.transport.check_out(origin)
                connection.send(data)
            except OSError as error:
                if connection is not None:
                    self.forget(connection)
                connection = None
                refused = isinstance(error, AddressRefused)
                self.done(index, Answer(0, error=ADDRESS_REFUSED if refused else type(error).__name__))
                continue
            if connection not in self.registered:
                self.selector.register(connection, selectors.EVENT_READ, connection)
                self.registered.add(connection)
            self.in_flight[connection] = (index, time.monotonic() + self.transport.timeout)
            return
        if connection is not None:
            self.forget(connection, keep=True)
            self.spare[origin].append(connection)

    def head(self, headers: Mapping[str, str]) -> bytes:
        """The encoded header lines, once per message and push service (not once per push)."""
        key = tuple(headers.items())
        head = self.heads.get(key)
        if head is None:
            head = self.heads[key] = http1.header_lines(dict(headers))
        return head

    def forget(self, connection: http1.Connection, *, keep: bool = False) -> None:
        """Out of the selector; closed unless ``keep``."""
        if connection in self.registered:
            self.selector.unregister(connection)
            self.registered.discard(connection)
        if not keep:
            connection.close()

    def close(self) -> None:
        for connection in self.in_flight:
            connection.close()
        self.selector.close()
        self.transport.check_in(self.spare)
