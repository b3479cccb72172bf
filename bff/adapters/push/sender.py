"""Sending one encrypted push to one device: pywebpush encryption, urllib3 connection pools.

The caller decides what to do with the :class:`PushResult`: record it, prune the device
(``gone``), or schedule a retry (``retry_after``). This module never sleeps and never
retries by itself, so an RQ worker is never held by a slow or throttling push service.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urlsplit

import certifi
import requests
import urllib3
from py_vapid import Vapid
from pywebpush import WebPusher

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
    """pywebpush's encryption, sent over pooled kept-alive connections (urllib3, thread-safe),
    with the VAPID header signed once per push service for the JWT's lifetime."""

    name = "webpush"

    def __init__(self, vapid: Vapid, subject: str, *, timeout: float = 10.0,
                 default_retry_after: float = 30.0, connections_per_service: int = 16) -> None:
        self.vapid = vapid
        self.subject = subject
        self.timeout = timeout
        self.default_retry_after = default_retry_after
        self.connections_per_service = connections_per_service
        self._headers: dict[str, tuple[float, dict[str, str]]] = {}
        self._pools: dict[str, urllib3.PoolManager] = {}
        self._lock = threading.Lock()

    def send(self, subscription_info: Mapping[str, Any], message: PushMessage) -> PushResult:
        if message.ttl <= 0:
            raise ValueError("a push needs a TTL: 0 means it is dropped when the device is offline")
        endpoint = subscription_info["endpoint"]
        body = WebPusher(dict(subscription_info)).encode(message.payload, "aes128gcm")["body"]
        headers = {**self.vapid_headers(endpoint), "Urgency": message.urgency, "Topic": message.topic,
                   "TTL": str(message.ttl), "Content-Encoding": "aes128gcm"}
        try:
            response = self._pool(endpoint).request(
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

    def _pool(self, endpoint: str) -> urllib3.PoolManager:
        """Kept-alive connections per push service, shared by the sending threads.

        Proxy settings (HTTPS_PROXY, NO_PROXY) are read once per push service, not on every
        request (that lookup cost more than the encryption).
        """
        origin = _origin(endpoint)
        pool = self._pools.get(origin)
        if pool is None:
            with self._lock:
                pool = self._pools.get(origin)
                if pool is None:
                    proxy = requests.utils.get_environ_proxies(origin).get(urlsplit(origin).scheme)
                    options: dict[str, Any] = {"maxsize": self.connections_per_service, "ca_certs": certifi.where()}
                    pool = urllib3.ProxyManager(proxy, **options) if proxy else urllib3.PoolManager(**options)
                    self._pools[origin] = pool
        return pool


NO_RETRIES = urllib3.Retry(0, read=False)  # never re-send a push by ourselves: the caller schedules retries


def _origin(endpoint: str) -> str:
    parts = urlsplit(endpoint)
    return f"{parts.scheme}://{parts.netloc}"


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
