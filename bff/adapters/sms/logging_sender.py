"""The embedded default: an SMS "sent" by writing it to the log (masked number, no PII in text)."""

from __future__ import annotations

import logging

from bff.core.pii import mask_mobile

log = logging.getLogger("bff.sms")


class LoggingSmsSender:
    name = "log"

    def __init__(self) -> None:
        self.sent: list[tuple[str, str, str]] = []  # (masked mobile, text, reference), newest last

    def send(self, mobile: str, text: str, *, reference: str) -> None:
        masked = mask_mobile(mobile) or ""
        log.info("SMS %s to %s: %s", reference, masked, text)
        self.sent.append((masked, text, reference))
        del self.sent[:-100]
