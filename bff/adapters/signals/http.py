"""The HTTP signal feed of docs/proactive.md: ``POST {SIGNALS_URL}/v1/signals.after``.

Polled, as the prefill contract is called: the body carries the cursor (ID numbers travel only in
answers, never in URLs). A failed or refused read raises :class:`~bff.core.ports.SourceUnavailable`
and the poller tries again next time from the same cursor. Nothing personal is logged.
"""

from __future__ import annotations

import logging
from datetime import date
from typing import Any

import requests

from bff.core.ports import SIGNAL_KINDS, LifeEventSignal, SignalPage, SourceUnavailable

log = logging.getLogger(__name__)


class HttpSignals:
    name = "http"

    def __init__(self, base_url: str, *, timeout: float = 5.0, session: requests.Session | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.http = session or requests.Session()

    def signals_after(self, cursor: str | None, limit: int) -> SignalPage:
        try:
            answer = self.http.post(f"{self.base_url}/v1/signals.after", json={"after": cursor, "limit": limit},
                                    timeout=self.timeout, headers={"Accept": "application/json"})
            answer.raise_for_status()
            result = answer.json()["result"]
            signals = tuple(decode_signal(raw) for raw in result["signals"])
        except (requests.RequestException, ValueError, KeyError, TypeError) as error:
            log.warning("signal feed unreadable: %s", type(error).__name__)
            raise SourceUnavailable("signals", type(error).__name__) from error
        return SignalPage(signals[:limit], result.get("cursor", cursor))


def decode_signal(raw: dict[str, Any]) -> LifeEventSignal:
    """One signal of the contract; raises ValueError on a missing or malformed value."""
    if raw.get("kind") not in SIGNAL_KINDS:
        raise ValueError("unknown signal kind")
    sequence, age = raw["sequence"], raw.get("age")
    if not isinstance(sequence, int) or isinstance(sequence, bool) or (age is not None and not isinstance(age, int)):
        raise ValueError("sequence and age are integers")
    return LifeEventSignal(str(raw["id"]), raw["kind"], str(raw["id_number"]).upper(), sequence,
                           date.fromisoformat(raw["occurred_on"]), raw.get("record"), age)
