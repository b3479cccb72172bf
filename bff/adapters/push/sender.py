"""Sending encrypted pushes to devices: pywebpush encryption, kept-alive connections driven from one thread.

The caller decides what to do with the :class:`PushResult`: record it, prune the device
(``gone``), or schedule a retry (``retry_after``). This module never sleeps and never
retries by itself, so an RQ worker is never held by a slow or throttling push service.
"""

from __future__ import annotations

import logging
import re
import selectors
import ssl
import threading
import time
from collections import deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

import certifi
import requests
import urllib3
from py_vapid import Vapid
from pywebpush import WebPusher

from bff.adapters.push import http1

log = logging.getLogger("bff.push")
JWT_LIFETIME = 12 * 3600  # the longest RFC 8292 push services accept is 24 h
JWT_RENEW_BEFORE = 3600


@dataclass(frozen=True)
class PushMessage:
    payload: bytes
    ttl: int
    urgency: str
    topic: str


@dataclass(frozen=True)
class PushResult:
    status: int  # HTTP status; 0 when no answer came (connection error, timeout)
    delivered: bool = False
    gone: bool = False  # 404/410: the subscription is dead, delete it
    retry_after: float | None = None  # seconds, when a retry can help (429, 5xx, no answer)
    error: str | None = None


class WebPushSender:
    """pywebpush's encryption, sent over kept-alive connections: many pushes in flight from one
    thread (:mod:`bff.adapters.push.http1`), the VAPID header signed once per push service for
    the JWT's lifetime. Origins behind a proxy (``HTTPS_PROXY``) go through urllib3 instead."""

    name = "webpush"

    def __init__(self, vapid: Vapid, subject: str, *, timeout: float = 10.0,
                 default_retry_after: float = 30.0, connections_per_service: int = 16) -> None:
        self.vapid = vapid
        self.subject = subject
        self.timeout = timeout
        self.default_retry_after = default_retry_after
        self.connections_per_service = connections_per_service
        self._headers: dict[str, tuple[float, dict[str, str]]] = {}
        self._idle: dict[str, list[http1.Connection]] = {}
        self._proxies: dict[str, str | None] = {}
        self._pools: dict[str, urllib3.PoolManager] = {}
        self._ssl: ssl.SSLContext | None = None
        self._lock = threading.Lock()

    def send(self, subscription_info: Mapping[str, Any], message: PushMessage) -> PushResult:
        return self.send_many([subscription_info], message)[0]

    def send_many(self, infos: Sequence[Mapping[str, Any]], message: PushMessage) -> list[PushResult]:
        """Send ``message`` to every subscription (see :meth:`send_each`)."""
        return self.send_each([(info, message) for info in infos])

    def send_each(self, pushes: Sequence[tuple[Mapping[str, Any], PushMessage]]) -> list[PushResult]:
        """Send each (subscription, message), up to ``connections_per_service`` in flight per push
        service; one result per push, in order. Never raises for a push service's answer."""
        for message in {message for _, message in pushes}:
            if message.ttl <= 0:
                raise ValueError("a push needs a TTL: 0 means it is dropped when the device is offline")
            if not (http1.SAFE.fullmatch(message.topic) and http1.SAFE.fullmatch(message.urgency)):
                raise ValueError("Topic and Urgency must be visible ASCII")
        results: list[PushResult | None] = [None] * len(pushes)
        waiting: dict[str, deque[int]] = {}
        for index, (info, message) in enumerate(pushes):
            endpoint = str(info.get("endpoint") or "")
            origin = _origin(endpoint)
            if not ENDPOINT.fullmatch(endpoint):
                results[index] = PushResult(0, error="invalid endpoint")
            elif self._proxy(origin):
                results[index] = self._send_through_proxy(info, message)
            else:
                waiting.setdefault(origin, deque()).append(index)
        if waiting:
            self._send_direct(pushes, waiting, results)
        return [result or PushResult(0, retry_after=self.default_retry_after, error="not sent") for result in results]

    def _send_direct(self, pushes: Sequence[tuple[Mapping[str, Any], PushMessage]],
                     waiting: dict[str, deque[int]], results: list[PushResult | None]) -> None:
        batch = _Batch(self, pushes, waiting, results)
        try:
            batch.run()
        finally:
            batch.close()

    def check_out(self, origin: str) -> http1.Connection:
        with self._lock:
            idle = self._idle.get(origin, [])
            while idle:
                connection = idle.pop()
                if not connection.dropped():
                    return connection
                connection.close()
        if origin.startswith("https:") and self._ssl is None:
            self._ssl = ssl.create_default_context(cafile=certifi.where())
        return http1.Connection(origin, self.timeout, self._ssl)

    def check_in(self, spare: Mapping[str, list[http1.Connection]]) -> None:
        with self._lock:
            for origin, connections in spare.items():
                idle = self._idle.setdefault(origin, [])
                for connection in connections:
                    if len(idle) < self.connections_per_service:
                        idle.append(connection)
                    else:
                        connection.close()

    def _proxy(self, origin: str) -> str | None:
        """The proxy for this origin from the environment (HTTPS_PROXY, NO_PROXY), read once."""
        if origin not in self._proxies:
            self._proxies[origin] = requests.utils.get_environ_proxies(origin).get(urlsplit(origin).scheme)
        return self._proxies[origin]

    def _send_through_proxy(self, subscription_info: Mapping[str, Any], message: PushMessage) -> PushResult:
        endpoint = subscription_info["endpoint"]
        body = WebPusher(dict(subscription_info)).encode(message.payload, "aes128gcm")["body"]
        headers = {**self.vapid_headers(endpoint), "Urgency": message.urgency, "Topic": message.topic,
                   "TTL": str(message.ttl), "Content-Encoding": "aes128gcm"}
        try:
            response = self._proxy_pool(endpoint).request(
                "POST", endpoint, body=body, headers=headers, retries=NO_RETRIES,
                timeout=urllib3.Timeout(connect=self.timeout, read=self.timeout))
        except urllib3.exceptions.HTTPError as error:
            return PushResult(0, retry_after=self.default_retry_after, error=type(error).__name__)
        return self.classify(response.status, response.headers.get("Retry-After"),
                             response.data.decode("utf-8", "replace"))

    def classify(self, status: int, retry_after: str | None, text: str) -> PushResult:
        if status in (200, 201, 202):
            return PushResult(status, delivered=True)
        if status in (404, 410):
            return PushResult(status, gone=True, error="subscription gone")
        if status == 429 or status >= 500:
            wait = parse_retry_after(retry_after)
            return PushResult(status, retry_after=self.default_retry_after if wait is None else wait,
                              error=f"HTTP {status}")
        # 400 bad request, 401/403 VAPID or key mismatch, 413 too large: retrying cannot help.
        return PushResult(status, error=f"HTTP {status}: {text[:120]}")

    def vapid_headers(self, endpoint: str) -> dict[str, str]:
        """``Authorization: vapid t=…, k=…`` for the endpoint's origin, re-signed before it expires."""
        audience = _origin(endpoint)
        cached = self._headers.get(audience)
        now = time.time()
        if cached is None or cached[0] - now < JWT_RENEW_BEFORE:
            expires = int(now) + JWT_LIFETIME
            signed = self.vapid.sign({"sub": self.subject, "aud": audience, "exp": expires})
            cached = (expires, {"Authorization": signed["Authorization"]})
            self._headers[audience] = cached
        return cached[1]

    def _proxy_pool(self, endpoint: str) -> urllib3.PoolManager:
        origin = _origin(endpoint)
        pool = self._pools.get(origin)
        if pool is None:
            with self._lock:
                pool = self._pools.get(origin)
                if pool is None:
                    options: dict[str, Any] = {"maxsize": self.connections_per_service, "ca_certs": certifi.where()}
                    pool = urllib3.ProxyManager(str(self._proxy(origin)), **options)
                    self._pools[origin] = pool
        return pool


class _Batch:
    """One ``send_each`` call's pushes in flight: one per connection, up to the sender's limit per
    push service; each answer frees its connection for the next push to that service."""

    def __init__(self, sender: WebPushSender, pushes: Sequence[tuple[Mapping[str, Any], PushMessage]],
                 waiting: dict[str, deque[int]], results: list[PushResult | None]) -> None:
        self.sender, self.pushes, self.waiting, self.results = sender, pushes, waiting, results
        self.selector = selectors.DefaultSelector()
        self.in_flight: dict[http1.Connection, tuple[int, float]] = {}  # connection → (push index, deadline)
        self.spare: dict[str, list[http1.Connection]] = {origin: [] for origin in waiting}
        self.registered: set[http1.Connection] = set()
        # (origin, TTL, urgency, topic) → the header lines the pushes of one message to one service share
        self.heads: dict[tuple[str, int, str, str], bytes] = {}

    def run(self) -> None:
        for origin, queue in self.waiting.items():
            for _ in range(min(self.sender.connections_per_service, len(queue))):
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
                        self.finish(connection, self.failure("timeout"), None)

    def read(self, connection: http1.Connection) -> None:
        try:
            response = connection.receive()
        except (OSError, http1.ProtocolError) as error:
            self.finish(connection, self.failure(type(error).__name__), None)
            return
        if response is not None:
            result = self.sender.classify(response.status, response.headers.get("retry-after"),
                                          response.body.decode("utf-8", "replace"))
            self.finish(connection, result, connection if response.keep_alive else None)

    def finish(self, connection: http1.Connection, result: PushResult, reusable: http1.Connection | None) -> None:
        index, _ = self.in_flight.pop(connection)
        self.results[index] = result
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
        """Encrypt the next push to ``origin`` and write it on ``connection`` (or a pooled or new one)."""
        queue, sender = self.waiting[origin], self.sender
        while queue:
            index = queue.popleft()
            info, message = self.pushes[index]
            endpoint = info["endpoint"]
            try:
                body = WebPusher(dict(info)).encode(message.payload, "aes128gcm")["body"]
            except Exception as error:  # noqa: BLE001 - a malformed subscription fails alone
                self.results[index] = PushResult(0, error=f"cannot encrypt: {type(error).__name__}")
                continue
            shared = (origin, message.ttl, message.urgency, message.topic)
            head = self.heads.get(shared)
            if head is None:  # the same for every push of this message to this push service
                head = self.heads[shared] = http1.header_lines({
                    **sender.vapid_headers(endpoint), "Urgency": message.urgency, "Topic": message.topic,
                    "TTL": str(message.ttl), "Content-Encoding": "aes128gcm",
                    "Content-Type": "application/octet-stream"})
            _, host, target = _split(endpoint)
            request = http1.request_with_head("POST", target, host, head, body)
            try:
                connection = connection or sender.check_out(origin)
                connection.send(request)
            except OSError as error:
                if connection is not None:
                    self.forget(connection)
                connection = None
                self.results[index] = self.failure(type(error).__name__)
                continue
            if connection not in self.registered:
                self.selector.register(connection, selectors.EVENT_READ, connection)
                self.registered.add(connection)
            self.in_flight[connection] = (index, time.monotonic() + sender.timeout)
            return
        if connection is not None:
            self.forget(connection, keep=True)
            self.spare[origin].append(connection)

    def forget(self, connection: http1.Connection, *, keep: bool = False) -> None:
        """Out of the selector; closed unless ``keep``."""
        if connection in self.registered:
            self.selector.unregister(connection)
            self.registered.discard(connection)
        if not keep:
            connection.close()

    def failure(self, error: str) -> PushResult:
        """No answer (connection error, timeout, garbled response): worth a retry later."""
        return PushResult(0, retry_after=self.sender.default_retry_after, error=error)

    def close(self) -> None:
        for connection in self.in_flight:
            connection.close()
        self.selector.close()
        self.sender.check_in(self.spare)


DEADLINE_CHECK = 0.05  # seconds between looks at the pushes' deadlines
NO_RETRIES = urllib3.Retry(0, read=False)  # never re-send a push by ourselves: the caller schedules retries


# An endpoint we can write as a request target: http(s), a host, and visible ASCII only.
ENDPOINT = re.compile(r"https?://[\x21-\x2e\x30-\x7e]+(/[\x21-\x7e]*)?")


@lru_cache(maxsize=4096)  # a device's endpoint is parsed once, not several times per push
def _split(endpoint: str) -> tuple[str, str, str]:
    """(origin, host[:port], request target) of a push endpoint."""
    parts = urlsplit(endpoint)
    return (f"{parts.scheme}://{parts.netloc}", parts.netloc,
            (parts.path or "/") + (f"?{parts.query}" if parts.query else ""))


def _origin(endpoint: str) -> str:
    return _split(endpoint)[0]


def parse_retry_after(value: str | None) -> float | None:
    """``Retry-After`` as seconds: delta-seconds or an HTTP date (RFC 9110 §10.2.3)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        return max(parsedate_to_datetime(value).timestamp() - time.time(), 0.0)
    except (TypeError, ValueError):
        return None
