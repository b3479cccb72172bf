"""Sending one encrypted push to one device with pywebpush.

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

import requests
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
    """pywebpush with a kept-alive HTTP session and VAPID headers signed once per push service."""

    name = "webpush"

    def __init__(self, vapid: Vapid, subject: str, *, timeout: float = 10.0,
                 default_retry_after: float = 30.0) -> None:
        self.vapid = vapid
        self.subject = subject
        self.timeout = timeout
        self.default_retry_after = default_retry_after
        self._headers: dict[str, tuple[float, dict[str, str]]] = {}
        self._local = threading.local()

    def send(self, subscription_info: Mapping[str, Any], message: PushMessage) -> PushResult:
        if message.ttl <= 0:
            raise ValueError("a push needs a TTL: 0 means it is dropped when the device is offline")
        headers = {**self.vapid_headers(subscription_info["endpoint"]),
                   "Urgency": message.urgency, "Topic": message.topic}
        pusher = WebPusher(dict(subscription_info), requests_session=self._session(subscription_info["endpoint"]))
        try:
            response = pusher.send(message.payload, headers, ttl=message.ttl,
                                   content_encoding="aes128gcm", timeout=self.timeout)
        except requests.RequestException as error:
            return PushResult(0, retry_after=self.default_retry_after, error=type(error).__name__)
        return self.classify(response)

    def classify(self, response: requests.Response) -> PushResult:
        status = response.status_code
        if status in (200, 201, 202):
            return PushResult(status, delivered=True)
        if status in (404, 410):
            return PushResult(status, gone=True, error="subscription gone")
        if status == 429 or status >= 500:
            wait = parse_retry_after(response.headers.get("Retry-After"))
            return PushResult(status, retry_after=self.default_retry_after if wait is None else wait,
                              error=f"HTTP {status}")
        # 400 bad request, 401/403 VAPID or key mismatch, 413 too large: retrying cannot help.
        return PushResult(status, error=f"HTTP {status}: {response.text[:120]}")

    def vapid_headers(self, endpoint: str) -> dict[str, str]:
        """``Authorization: vapid t=…, k=…`` for the endpoint's origin, re-signed before it expires."""
        parts = urlsplit(endpoint)
        audience = f"{parts.scheme}://{parts.netloc}"
        cached = self._headers.get(audience)
        now = time.time()
        if cached is None or cached[0] - now < JWT_RENEW_BEFORE:
            expires = int(now) + JWT_LIFETIME
            signed = self.vapid.sign({"sub": self.subject, "aud": audience, "exp": expires})
            cached = (expires, {"Authorization": signed["Authorization"]})
            self._headers[audience] = cached
        return cached[1]

    def _session(self, endpoint: str) -> requests.Session:
        """A kept-alive session per thread (sessions are not thread-safe) and per push service.

        Proxy settings (HTTPS_PROXY, NO_PROXY) are read once per push service, not on every
        request as requests would (that lookup cost more than the encryption).
        """
        parts = urlsplit(endpoint)
        origin = f"{parts.scheme}://{parts.netloc}"
        sessions: dict[str, requests.Session] = self._local.__dict__.setdefault("sessions", {})
        if origin not in sessions:
            session = requests.Session()
            session.trust_env = False
            session.proxies = requests.utils.get_environ_proxies(origin)
            sessions[origin] = session
        return sessions[origin]


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
