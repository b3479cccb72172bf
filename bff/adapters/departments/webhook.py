"""The webhook gateway: a signed JSON POST to the department's own system.

Any status other than 2xx is a failure. 410 Gone and other 4xx (except 408, 409,
425, 429) are permanent; 429/503 may carry ``Retry-After``. A 409 means the
department already has this message id, which counts as delivered.

The status query (``GET .../cases/<reference>``) is how cases a department acknowledged and then
lost are found: 404 means it has no such case, and the case is delivered again.
"""

from __future__ import annotations

import ipaddress
import json
from typing import Any
from urllib.parse import quote, urlsplit

import requests

from bff.adapters.departments.base import CaseStatus, Delivery, DeliveryResult, DepartmentGateway
from bff.adapters.departments.signing import signed_headers

RETRYABLE_4XX = {408, 425, 429}


class UnsafeDepartmentUrl(ValueError):
    """A department URL that points at link-local or metadata addresses."""


def check_department_url(url: str) -> str:
    """Only http(s) URLs, and never the cloud metadata / link-local range (SSRF)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UnsafeDepartmentUrl(f"not an http(s) URL: {url!r}")
    try:
        address = ipaddress.ip_address(parts.hostname)
    except ValueError:
        return url
    if address.is_link_local or address.is_multicast or address.is_unspecified:
        raise UnsafeDepartmentUrl(f"refusing department URL on {address}")
    return url


class WebhookGateway(DepartmentGateway):
    name = "webhook"

    def __init__(self, url: str, secret: str, *, timeout: float = 10.0,
                 http: requests.Session | None = None) -> None:
        self.url = check_department_url(url)
        self.secret = secret
        self.timeout = timeout
        self.http = http or requests.Session()

    def ask(self, reference: str) -> CaseStatus:
        """``GET <base>/cases/<reference>``, signed like a message (its id ``status.<reference>``, an
        empty body), where ``<base>`` is the message URL without its last segment."""
        url = f"{self.url.rsplit('/', 1)[0]}/cases/{quote(reference, safe='')}"
        response = self.http.get(url, timeout=self.timeout, allow_redirects=False,
                                 headers=signed_headers(self.secret, f"status.{reference}", b""))
        if response.status_code == 404:
            return CaseStatus(True, known=False)
        if response.status_code != 200:
            return CaseStatus(False, error=f"HTTP {response.status_code}")
        data = response.json()
        if not isinstance(data, dict) or data.get("case") != reference or not isinstance(data.get("status"), str):
            return CaseStatus(False, error="malformed status answer")
        return CaseStatus(True, known=True, data=data)

    def send(self, delivery: Delivery) -> DeliveryResult:
        body = json.dumps({"type": delivery.topic, **delivery.body}, ensure_ascii=False,
                          separators=(",", ":")).encode()
        headers = signed_headers(self.secret, delivery.message_id, body)
        if delivery.request_id:
            headers["X-Request-Id"] = delivery.request_id
        response = self.http.post(self.url, data=body, timeout=self.timeout, allow_redirects=False,
                                  headers=headers)
        if 200 <= response.status_code < 300 or response.status_code == 409:
            return DeliveryResult(True, external_id=_external_id(response))
        retry_after = _retry_after(response.headers.get("Retry-After"))
        permanent = 400 <= response.status_code < 500 and response.status_code not in RETRYABLE_4XX
        return DeliveryResult(False, error=f"HTTP {response.status_code}", permanent=permanent,
                              retry_after=retry_after)


def _external_id(response: requests.Response) -> str | None:
    try:
        data: Any = response.json()
    except ValueError:
        return None
    value = data.get("external_id") if isinstance(data, dict) else None
    return str(value)[:80] if value else None


def _retry_after(value: str | None) -> float | None:
    if value and value.strip().isdigit():
        return float(value.strip())
    return None
