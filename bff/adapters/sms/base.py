"""The SMS port: send a short text to a mobile number.

Implementations must be safe to call again with the same ``reference`` (the notify job
may retry) and must never log the mobile number unmasked.
"""

from __future__ import annotations

from typing import Protocol


class SmsSender(Protocol):
    name: str

    def send(self, mobile: str, text: str, *, reference: str) -> None:
        """Hand the text to the SMS provider; raise on failure (the caller records and retries)."""
