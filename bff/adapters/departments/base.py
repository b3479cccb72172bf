"""The department-gateway port and its result types.

A gateway delivers one message (a case to handle, a supplement, a withdrawal) to
the department that owns the case. It must be safe to call twice with the same
``message_id``: delivery is at-least-once, and the department deduplicates on it.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from typing import Any

log = logging.getLogger("bff.departments")


@dataclass(frozen=True)
class Delivery:
    message_id: str
    department: str
    topic: str  # case.submitted | case.supplemented | case.withdrawn
    body: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class DeliveryResult:
    delivered: bool
    external_id: str | None = None
    error: str | None = None
    permanent: bool = False  # retrying cannot help (4xx, 410 Gone)
    retry_after: float | None = None  # seconds, when the department said so


class DepartmentGateway:
    """Base class: timing, logging and error capture; subclasses implement :meth:`send`."""

    name = "gateway"

    def deliver(self, delivery: Delivery) -> DeliveryResult:
        started = time.perf_counter()
        try:
            result = self.send(delivery)
        except Exception as error:  # noqa: BLE001 - any failure becomes a retry, never a crash
            result = DeliveryResult(False, error=f"{type(error).__name__}: {error}"[:300])
        elapsed_ms = (time.perf_counter() - started) * 1000
        # Ids and outcomes only: the body carries personal data and never reaches the log.
        log.info("deliver %s %s to %s via %s: %s in %.0f ms", delivery.topic, delivery.message_id,
                 delivery.department, self.name, "ok" if result.delivered else result.error, elapsed_ms)
        return result

    def send(self, delivery: Delivery) -> DeliveryResult:
        raise NotImplementedError
