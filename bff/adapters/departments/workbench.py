"""The built-in workbench: for departments without a system of their own.

Their officers work the case in our officer workbench (``/api/v1/officer``), which reads
the cases table directly, so delivery needs no network: the dispatch service marks the
case delivered in the same transaction that marks the outbox row done.
"""

from __future__ import annotations

from bff.adapters.departments.base import Delivery, DeliveryResult, DepartmentGateway


class WorkbenchGateway(DepartmentGateway):
    name = "workbench"

    def send(self, delivery: Delivery) -> DeliveryResult:
        return DeliveryResult(True, external_id=None)
