"""Sending encrypted pushes to devices: pywebpush encryption, then a transport keeps many in flight.

The caller decides what to do with the :class:`PushResult`: record it, prune the device
(``gone``), or schedule a retry (``retry_after``). This module never sleeps and never
retries by itself, so an RQ worker is never held by a slow or throttling push service.
"""

from __future__ import annotations

import logging
import re
import ssl
import threading
import time
from collections import deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urlsplit

import certifi
import requests
import urllib3
from py_vapid import Vapid
from pywebpush import WebPusher

from bff.adapters.push.transport import Answer, Request, Transport, split_endpoint
from bff.adapters.push.transport.resolve import AddressRefused, Destinations
from bff.adapters.push.transport.selector import ADDRESS_REFUSED, SelectorTransport

log = logging.getLogger("bff.push")
JWT_LIFETIME = 12 * 3600  # the longest RFC 8292 push services accept is 24 h
JWT_RENEW_BEFORE = 3600
# Topic and Urgency are written as header values: visible ASCII only (no CR/LF, no spaces).
SAFE = re.compile(r"[\x21-\x7e]*")


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
    error: str | None = None  # the detail, for the server's log only
    refused: bool = False  # the endpoint or its address is not one pushes may go to: never sent

    @property
    def reason(self) -> str:
        """The outcome in one word staff may read: never an exception's name, an address or a port."""
        if self.delivered:
            return "delivered"
        if self.refused:
            return "not_allowed"
        if self.gone:
            return "gone"
        if self.status == 429 or self.status >= 500:
            return "busy"
        return "rejected" if self.status else "unreachable"


class WebPushSender:
    """pywebpush's encryption, handed to a transport that keeps many pushes in flight from one
    thread (by default the home-made HTTP/1.1 one, :mod:`bff.adapters.push.transport.selector`:
    docs/push-transport.md says why); the VAPID header signed once per push service for the JWT's
    lifetime. TLS is verified against ``ca_file`` (certifi's bundle unless a test names its own).
    Pushes go only where ``destinations`` allows (by default: the known push services over https,
    at public addresses); an endpoint it refuses is never contacted. Origins behind a proxy
    (``HTTPS_PROXY``) go through urllib3 instead."""

    name = "webpush"

    def __init__(self, vapid: Vapid, subject: str, *, timeout: float = 10.0,
                 default_retry_after: float = 30.0, connections_per_service: int = 16,
                 ca_file: str | None = None, transport: Transport | None = None,
                 destinations: Destinations | None = None) -> None:
        self.vapid = vapid
        self.destinations = destinations or Destinations()
        self.subject = subject
        self.timeout = timeout
        self.default_retry_after = default_retry_after
        self.connections_per_service = connections_per_service
        self.ca_file = ca_file or certifi.where()
        self.transport = transport or SelectorTransport(timeout, connections_per_service,
                                                        ssl.create_default_context(cafile=self.ca_file),
                                                        self.destinations)
        self._headers: dict[str, tuple[float, dict[str, str]]] = {}
        self._proxies: dict[str, str | None] = {}
        self._pools: dict[str, urllib3.PoolManager] = {}
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
            if not (SAFE.fullmatch(message.topic) and SAFE.fullmatch(message.urgency)):
                raise ValueError("Topic and Urgency must be visible ASCII")
        results: list[PushResult | None] = [None] * len(pushes)
        waiting: dict[str, deque[int]] = {}
        for index, (info, message) in enumerate(pushes):
            endpoint = str(info.get("endpoint") or "")
            origin = _origin(endpoint)
            if not ENDPOINT.fullmatch(endpoint):
                results[index] = PushResult(0, error="invalid endpoint")
            elif not self.destinations.endpoint_allowed(endpoint):  # saved before the rule, or by hand
                results[index] = PushResult(0, error="endpoint not allowed", refused=True)
            elif self._proxy(origin):
                results[index] = self._send_through_proxy(info, message)
            else:
                waiting.setdefault(origin, deque()).append(index)
        if waiting:
            self._send_direct(pushes, waiting, results)
        return [result or PushResult(0, retry_after=self.default_retry_after, error="not sent") for result in results]

    def close(self) -> None:
        """Close the kept-alive connections."""
        self.transport.close()

    def _send_direct(self, pushes: Sequence[tuple[Mapping[str, Any], PushMessage]],
                     waiting: dict[str, deque[int]], results: list[PushResult | None]) -> None:
        shared: dict[tuple[str, PushMessage], dict[str, str]] = {}  # headers of one message to one service

        def prepare(index: int) -> Request | None:
            info, message = pushes[index]
            try:
                body = WebPusher(dict(info)).encode(message.payload, "aes128gcm")["body"]
            except Exception as error:  # noqa: BLE001 - a malformed subscription fails alone
                results[index] = PushResult(0, error=f"cannot encrypt: {type(error).__name__}")
                return None
            endpoint = info["endpoint"]
            key = (_origin(endpoint), message)
            headers = shared.get(key)
            if headers is None:
                headers = shared[key] = self.push_headers(endpoint, message)
            return Request(endpoint, headers, body)

        def done(index: int, answer: Answer) -> None:
            results[index] = self.classify_answer(answer)

        self.transport.send(waiting, prepare, done)

    def push_headers(self, endpoint: str, message: PushMessage) -> dict[str, str]:
        return {**self.vapid_headers(endpoint), "Urgency": message.urgency, "Topic": message.topic,
                "TTL": str(message.ttl), "Content-Encoding": "aes128gcm",
                "Content-Type": "application/octet-stream"}

    def classify_answer(self, answer: Answer) -> PushResult:
        if answer.error == ADDRESS_REFUSED:  # nothing was sent, and resending cannot change that soon
            return PushResult(0, error=answer.error, refused=True)
        if answer.status == 0:  # no answer (connection error, timeout, garbled response): worth a retry later
            return PushResult(0, retry_after=self.default_retry_after, error=answer.error)
        return self.classify(answer.status, answer.retry_after, answer.text)

    def _proxy(self, origin: str) -> str | None:
        """The proxy for this origin from the environment (HTTPS_PROXY, NO_PROXY), read once."""
        if origin not in self._proxies:
            self._proxies[origin] = requests.utils.get_environ_proxies(origin).get(urlsplit(origin).scheme)
        return self._proxies[origin]

    def _send_through_proxy(self, subscription_info: Mapping[str, Any], message: PushMessage) -> PushResult:
        endpoint = subscription_info["endpoint"]
        parts = urlsplit(endpoint)
        try:  # the proxy resolves the name again: deployments behind one let it refuse internal ranges too
            self.destinations.address_for(parts.hostname or "", parts.port or 443)
        except AddressRefused:
            return PushResult(0, error=ADDRESS_REFUSED, refused=True)
        except OSError as error:
            return PushResult(0, retry_after=self.default_retry_after, error=type(error).__name__)
        body = WebPusher(dict(subscription_info)).encode(message.payload, "aes128gcm")["body"]
        headers = self.push_headers(endpoint, message)
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
                    options: dict[str, Any] = {"maxsize": self.connections_per_service, "ca_certs": self.ca_file}
                    pool = urllib3.ProxyManager(str(self._proxy(origin)), **options)
                    self._pools[origin] = pool
        return pool


NO_RETRIES = urllib3.Retry(0, read=False)  # never re-send a push by ourselves: the caller schedules retries


# An endpoint we can write as a request target: http(s), a host, and visible ASCII only.
ENDPOINT = re.compile(r"https?://[\x21-\x2e\x30-\x7e]+(/[\x21-\x7e]*)?")


def _origin(endpoint: str) -> str:
    return split_endpoint(endpoint)[0]


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
