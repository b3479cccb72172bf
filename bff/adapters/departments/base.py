"""The base class of department gateways (the port is ``bff.core.ports.DepartmentGateway``).

A gateway delivers one message (a case to handle, a supplement, a withdrawal) to
the department that owns the case. It must be safe to call twice with the same
``message_id``: delivery is at-least-once, and the department deduplicates on it.
"""

from __future__ import annotations

import logging
import time

from bff.core.ports import CaseStatus, Delivery, DeliveryResult

__all__ = ["CaseStatus", "Delivery", "DeliveryResult", "DepartmentGateway"]

log = logging.getLogger("bff.departments")


class DepartmentGateway:  # implements bff.core.ports.DepartmentGateway
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

    def query(self, reference: str) -> CaseStatus:
        try:
            return self.ask(reference)
        except Exception as error:  # noqa: BLE001 - an unreachable department is a result, not a crash
            return CaseStatus(False, error=f"{type(error).__name__}: {error}"[:300])

    def ask(self, reference: str) -> CaseStatus:
        """The workbench is ours: what it holds is the case itself, so there is nothing to reconcile."""
        return CaseStatus(True, known=True)
