"""The HTTP prefill adapter: every prefill port over the JSON contract of docs/prefill-contract.md.

Each call is ``POST {PREFILL_URL}/v1/{operation}`` with a JSON body of parameters
(ID numbers never travel in URLs, so they stay out of access logs) and answers
``{"result": …}``. Calls time out (``timeout`` seconds); each data source has its
own circuit breaker, so an outage of one source (say, licences) leaves the others
answering. A failed or refused call raises :class:`~bff.core.ports.SourceUnavailable`.
Nothing personal is logged: only the operation and the kind of failure.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

import requests

from bff.adapters.prefill.contract import OPERATIONS, decode
from bff.core.ports import (
    BirthRecord,
    Card,
    CareAssessment,
    DeathRecord,
    HouseholdMeans,
    HousingFundAccount,
    MarriageBooking,
    MedicalInsuranceAccount,
    PensionAccount,
    Person,
    PrefillSources,
    PropertyRecord,
    Relative,
    SocialSecurityCard,
    SourceUnavailable,
    UnemploymentRecord,
    VeteranRecord,
)

log = logging.getLogger(__name__)


class CircuitBreaker:
    """Opens after ``failures_to_open`` consecutive failures; after ``open_seconds`` lets one call try."""

    def __init__(self, failures_to_open: int = 5, open_seconds: float = 30.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.failures_to_open = failures_to_open
        self.open_seconds = open_seconds
        self.clock = clock
        self.failures = 0
        self.opened_at: float | None = None
        self._lock = threading.Lock()

    @property
    def state(self) -> str:
        if self.opened_at is None:
            return "closed"
        return "open" if self.clock() - self.opened_at < self.open_seconds else "half-open"

    def allow(self) -> bool:
        with self._lock:
            if self.state != "half-open":
                return self.state == "closed"
            self.opened_at = self.clock()  # one trial call; others wait for its outcome
            return True

    def succeeded(self) -> None:
        with self._lock:
            self.failures, self.opened_at = 0, None

    def failed(self) -> None:
        with self._lock:
            self.failures += 1
            if self.failures >= self.failures_to_open:
                self.opened_at = self.clock()


class HttpPrefillClient:
    """One client per upstream; :meth:`sources` hands out a view per port."""

    def __init__(self, base_url: str, *, timeout: float = 2.0, failures_to_open: int = 5, open_seconds: float = 30.0,
                 session: requests.Session | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.session = session or requests.Session()
        self.breakers = {source: CircuitBreaker(failures_to_open, open_seconds)
                         for source, *_ in OPERATIONS.values()}

    def call(self, operation: str, **params: Any) -> Any:
        source, _attribute, _method, _names, record_type, many = OPERATIONS[operation]
        breaker = self.breakers[source]
        if not breaker.allow():
            raise SourceUnavailable(source, "circuit open")
        try:
            response = self.session.post(f"{self.base_url}/v1/{operation}", json=params, timeout=self.timeout,
                                         headers={"Accept": "application/json"})
            response.raise_for_status()
            result = decode(record_type, response.json()["result"], many)
        except (requests.RequestException, ValueError, KeyError, TypeError) as error:
            breaker.failed()
            log.warning("prefill %s failed: %s", operation, type(error).__name__)
            raise SourceUnavailable(source, type(error).__name__) from error
        breaker.succeeded()
        return result

    def sources(self) -> PrefillSources:
        return PrefillSources(_Population(self), _Medical(self), _SocialInsurance(self), _HousingFund(self),
                              _Licences(self), _CivilAffairs(self), _Veterans(self), name="http",
                              real_estate=_RealEstate(self))


class _Port:
    def __init__(self, client: HttpPrefillClient) -> None:
        self.client = client


class _Population(_Port):
    def person(self, id_number: str) -> Person | None:
        return self.client.call("population.person", id_number=id_number)  # type: ignore[no-any-return]

    def person_by_ref(self, ref: str) -> Person | None:
        return self.client.call("population.person_by_ref", ref=ref)  # type: ignore[no-any-return]

    def relatives(self, id_number: str) -> list[Relative]:
        return self.client.call("population.relatives", id_number=id_number) or []  # type: ignore[no-any-return]

    def count_named(self, name: str) -> int:
        return int(self.client.call("population.count_named", name=name) or 0)

    def marriage_booking(self, id_number: str) -> MarriageBooking | None:
        return self.client.call("population.marriage_booking", id_number=id_number)  # type: ignore[no-any-return]


class _Medical(_Port):
    def births_to(self, parent_id_number: str) -> list[BirthRecord]:
        return self.client.call("medical.births_to", parent_id_number=parent_id_number) or []  # type: ignore[no-any-return]

    def death_record(self, id_number: str) -> DeathRecord | None:
        return self.client.call("medical.death_record", id_number=id_number)  # type: ignore[no-any-return]


class _SocialInsurance(_Port):
    def pension_account(self, id_number: str) -> PensionAccount | None:
        return self.client.call("social.pension_account", id_number=id_number)  # type: ignore[no-any-return]

    def medical_insurance(self, id_number: str) -> MedicalInsuranceAccount | None:
        return self.client.call("social.medical_insurance", id_number=id_number)  # type: ignore[no-any-return]

    def social_security_card(self, id_number: str) -> SocialSecurityCard | None:
        return self.client.call("social.social_security_card", id_number=id_number)  # type: ignore[no-any-return]

    def unemployment_registration(self, id_number: str) -> UnemploymentRecord | None:
        return self.client.call("social.unemployment_registration", id_number=id_number)  # type: ignore[no-any-return]


class _HousingFund(_Port):
    def account(self, id_number: str) -> HousingFundAccount | None:
        return self.client.call("housing.account", id_number=id_number)  # type: ignore[no-any-return]


class _Licences(_Port):
    def card(self, id_number: str, kind: str) -> Card | None:
        return self.client.call("licences.card", id_number=id_number, kind=kind)  # type: ignore[no-any-return]


class _CivilAffairs(_Port):
    def household_means(self, id_number: str) -> HouseholdMeans | None:
        return self.client.call("civil.household_means", id_number=id_number)  # type: ignore[no-any-return]

    def care_assessment(self, id_number: str) -> CareAssessment | None:
        return self.client.call("civil.care_assessment", id_number=id_number)  # type: ignore[no-any-return]


class _Veterans(_Port):
    def veteran(self, id_number: str) -> VeteranRecord | None:
        return self.client.call("veterans.veteran", id_number=id_number)  # type: ignore[no-any-return]
class _RealEstate(_Port):
    def properties(self, id_number: str) -> list[PropertyRecord]:
        return self.client.call("real_estate.properties", id_number=id_number) or []  # type: ignore[no-any-return]
