"""How encrypted pushes travel to push services: the port the sender writes to.

The sender (:mod:`bff.adapters.push.sender`) encrypts, signs and reads the answers; a transport only
moves requests and answers. Encryption is asked for one push at a time (``prepare``), when a slot
towards that push service frees, so the CPU encrypts the next push while earlier ones are on the wire.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Protocol
from urllib.parse import urlsplit


@dataclass(frozen=True)
class Request:
    endpoint: str
    headers: Mapping[str, str]  # the same object for every push of one message to one push service
    body: bytes


@dataclass(frozen=True)
class Answer:
    status: int  # 0: no answer came (connection error, timeout, garbled response)
    retry_after: str | None = None
    text: str = ""
    error: str | None = None  # why no answer came


Prepare = Callable[[int], Request | None]  # the push at this index, encrypted; None if it failed alone
Done = Callable[[int, Answer], None]


class Transport(Protocol):
    def send(self, waiting: Mapping[str, deque[int]], prepare: Prepare, done: Done) -> None:
        """Send every push index waiting per origin, a bounded number in flight per origin; call
        ``done`` once per index that ``prepare`` turned into a request. Never raises for a push
        service's answer or silence."""

    def close(self) -> None:
        """Close the kept-alive connections."""


@lru_cache(maxsize=4096)  # a device's endpoint is parsed once, not several times per push
def split_endpoint(endpoint: str) -> tuple[str, str, str]:
    """(origin, host[:port], request target) of a push endpoint."""
    parts = urlsplit(endpoint)
    return (f"{parts.scheme}://{parts.netloc}", parts.netloc,
            (parts.path or "/") + (f"?{parts.query}" if parts.query else ""))
