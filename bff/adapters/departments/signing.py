"""HMAC-SHA256 signatures for department webhooks and callbacks.

The scheme follows Standard Webhooks: the signed content is ``{id}.{timestamp}.{body}``;
the headers are ``webhook-id``, ``webhook-timestamp`` (Unix seconds) and
``webhook-signature: v1,<base64 HMAC-SHA256>`` (several space-separated signatures are
accepted, so a department can rotate its secret). Each department has its own secret.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from typing import Protocol

ID_HEADER = "webhook-id"
TIMESTAMP_HEADER = "webhook-timestamp"
SIGNATURE_HEADER = "webhook-signature"
TOLERANCE_SECONDS = 300


class Headers(Protocol):
    """Anything with ``get`` by header name: a dict, or werkzeug's ``Headers``."""

    def get(self, key: str, /) -> str | None: ...


class SignatureInvalid(Exception):
    """The request was not signed by the department, or too long ago."""


def sign(secret: str, message_id: str, timestamp: int, body: bytes) -> str:
    content = f"{message_id}.{timestamp}.".encode() + body
    digest = hmac.new(secret.encode(), content, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode("ascii")


def signed_headers(secret: str, message_id: str, body: bytes, now: float | None = None) -> dict[str, str]:
    timestamp = int(now if now is not None else time.time())
    return {ID_HEADER: message_id, TIMESTAMP_HEADER: str(timestamp),
            SIGNATURE_HEADER: sign(secret, message_id, timestamp, body),
            "Content-Type": "application/json"}


def verify(secret: str, headers: Headers, body: bytes, now: float | None = None) -> str:
    """Return the message id when ``headers`` carry a valid, fresh signature of ``body``."""
    message_id = headers.get(ID_HEADER) or ""
    raw_timestamp = headers.get(TIMESTAMP_HEADER) or ""
    if not message_id or not raw_timestamp.isdigit():
        raise SignatureInvalid("missing webhook-id or webhook-timestamp")
    timestamp = int(raw_timestamp)
    if abs((now if now is not None else time.time()) - timestamp) > TOLERANCE_SECONDS:
        raise SignatureInvalid("timestamp outside the tolerance")
    expected = sign(secret, message_id, timestamp, body)
    offered = (headers.get(SIGNATURE_HEADER) or "").split()
    if not any(hmac.compare_digest(expected, candidate) for candidate in offered):
        raise SignatureInvalid("signature does not match")
    return message_id
