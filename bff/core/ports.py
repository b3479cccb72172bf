"""Ports onto systems outside the BFF. Adapters in ``bff/adapters`` implement them.

Prefill ports (government data sharing, 数据共享)
--------------------------------------------------
Eight sources answer questions about people by ID number (never by name). Each
returns plain frozen records, or ``None`` / an empty list when it holds nothing;
none of them writes. When a source cannot answer (timeout, outage, open circuit)
it raises :class:`SourceUnavailable`; callers then treat that source's data as
unknown — the resident types what it would have supplied, and items that depend
on it are included "to be confirmed" — and never fail the whole request.

Implementations: ``bff.adapters.prefill.sample`` (the demo world, built-in) and
``bff.adapters.prefill.http`` (the JSON contract of docs/prefill-contract.md).
:class:`PrefillSources` bundles one of each for the services.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Protocol, runtime_checkable


class SourceUnavailable(Exception):
    """A data source did not answer in time or is switched off by its circuit breaker."""

    def __init__(self, source: str, reason: str = "") -> None:
        super().__init__(f"{source} unavailable{': ' + reason if reason else ''}")
        self.source = source


# ---- records -------------------------------------------------------------------

@dataclass(frozen=True)
class Person:
    """A person in the population registry. ``ref`` is an opaque registry reference that
    can be shown to the person's relatives in place of the ID number."""

    ref: str
    id_number: str
    name: str
    sex: str  # male | female
    born: date
    ethnicity: str = "han"
    mobile: str | None = None
    hukou_address: str | None = None
    hukou_region: str | None = None  # 6-digit administrative code of the hukou
    community: str | None = None
    marital_status: str | None = None  # married | unmarried | widowed | divorced
    spouse_id_number: str | None = None
    died: date | None = None


@dataclass(frozen=True)
class Relative:
    """A family or household member of someone, as the registry records the relation."""

    ref: str
    relation: str  # spouse | child | parent | sibling, from the person's point of view
    name: str
    id_number: str
    died: date | None = None
    same_household: bool = True


@dataclass(frozen=True)
class BirthRecord:
    """A hospital's delivery record of a birth (before the baby has a name or ID number)."""

    number: str
    hospital: str
    born: date
    sex: str
    weight_grams: int
    gestation_weeks: int
    delivery_mode: str  # vaginal | caesarean
    mother_id_number: str
    mother_name: str


@dataclass(frozen=True)
class DeathRecord:
    number: str
    id_number: str
    died: date
    place_type: str  # hospital | home | elsewhere
    hospital: str | None
    cause_category: str  # disease | accident | other


@dataclass(frozen=True)
class PensionAccount:
    number: str
    employer: str | None
    contribution_months: int
    retirement_date: date | None
    retirement_type: str = "normal"
    in_payment: bool = False
    maternity_insured: bool = False
    insured_region: str | None = None  # administrative code of the city holding the account; None: here
    insured_in: str | None = None  # that city's name, as the resident knows it


@dataclass(frozen=True)
class MedicalInsuranceAccount:
    number: str
    kind: str  # employee | resident
    contribution_months: int
    insured_region: str | None = None  # administrative code of the city holding the account; None: here
    insured_in: str | None = None
    chronic_condition: str | None = None  # an outpatient chronic or special disease (门诊慢特病) seen in claims


@dataclass(frozen=True)
class SocialSecurityCard:
    """The social security card and its bank (financial) account."""

    number: str
    bank_name: str
    bank_account: str
    holder_name: str


@dataclass(frozen=True)
class HousingFundAccount:
    number: str
    employer: str | None
    active: bool = True


@dataclass(frozen=True)
class Card:
    """A licence or card: driving licence, disability card or senior card."""

    kind: str  # driving-licence | disability-card | senior-card
    number: str
    valid: bool = True


# ---- records of the life-stage bundles (school, work, marriage, home) ---------------------

@dataclass(frozen=True)
class MarriageBooking:
    """A couple's appointment at a marriage registry office (婚姻登记预约), booked and confirmed
    online by both parties; the registry links the two only through it until they marry."""

    number: str
    office: str
    booked_for: date
    first_id_number: str
    second_id_number: str


@dataclass(frozen=True)
class UnemploymentRecord:
    """A person's open unemployment registration (失业登记) at a public employment service."""

    number: str
    registered_on: date
    office: str


@dataclass(frozen=True)
class PropertyRecord:
    """A home in the real-estate register (不动产登记): ``registered`` (a title the person holds)
    or ``contracted`` (a filed purchase contract, 网签备案, awaiting the transfer registration).
    The seller of a contracted new home is its developer, a company, never a private person."""

    number: str  # the title certificate number, or the contract's filing number
    status: str  # registered | contracted
    address: str
    region: str  # 6-digit administrative code
    floor_area: str  # square metres, as registered ("89.37")
    seller: str | None = None
    contract_date: date | None = None
    price_yuan: int | None = None


# ---- ports ---------------------------------------------------------------------

@runtime_checkable
class PopulationRegistry(Protocol):
    """Population registry (公安人口库 / 户籍): persons, family relations, hukou, marriage."""

    def person(self, id_number: str) -> Person | None:
        """The person with this ID number (living or deceased), or None."""

    def person_by_ref(self, ref: str) -> Person | None:
        """The person with this registry reference, or None."""

    def relatives(self, id_number: str) -> list[Relative]:
        """Spouse, children, parents and household members of the person, living or not."""

    def count_named(self, name: str) -> int:
        """How many registered people have exactly this name (the newborn name-duplication check)."""

    def marriage_booking(self, id_number: str) -> MarriageBooking | None:
        """The person's confirmed, upcoming marriage-registration appointment, or None."""


@runtime_checkable
class MedicalRecords(Protocol):
    """Hospital birth and death records (卫健)."""

    def births_to(self, parent_id_number: str) -> list[BirthRecord]:
        """Delivery records in which this person is the mother or the mother's spouse, newest first."""

    def death_record(self, id_number: str) -> DeathRecord | None:
        """The death medical record of this person, or None."""


@runtime_checkable
class SocialInsurance(Protocol):
    """Social insurance and pension accounts (人社, 医保) and the social security card."""

    def pension_account(self, id_number: str) -> PensionAccount | None:
        """The employee pension account, or None."""

    def medical_insurance(self, id_number: str) -> MedicalInsuranceAccount | None:
        """The medical-insurance account, or None."""

    def social_security_card(self, id_number: str) -> SocialSecurityCard | None:
        """The social security card with its bank (financial) account, or None."""

    def unemployment_registration(self, id_number: str) -> UnemploymentRecord | None:
        """The person's open unemployment registration, or None."""


@runtime_checkable
class HousingFund(Protocol):
    """Housing provident fund accounts (公积金)."""

    def account(self, id_number: str) -> HousingFundAccount | None:
        """The person's housing fund account, or None."""


@runtime_checkable
class Licences(Protocol):
    """Licences and cards: driving licence (交警), disability card (残联), senior card (民政)."""

    def card(self, id_number: str, kind: str) -> Card | None:
        """The person's card of ``kind`` (driving-licence | disability-card | senior-card), or None."""


# ---- assistance, elderly care and veterans (civil affairs, veterans affairs) -----------------

@dataclass(frozen=True)
class HouseholdMeans:
    """The household economic-status check (居民家庭经济状况核对): civil affairs gathers income and
    property of every household member from tax, social insurance, property, vehicle and bank records."""

    members: int
    monthly_income: int  # yuan, every member's income in an average month of the last 12
    financial_assets: int  # yuan: deposits, securities, insurance with a cash value
    homes: int
    vehicles: int
    medical_self_paid: int = 0  # yuan, every member's self-paid medical costs in the last 12 months
    checked_on: date | None = None


@dataclass(frozen=True)
class CareAssessment:
    """An older person's assessed ability to care for themselves (老年人能力评估)."""

    level: str  # intact | mild | moderate | severe
    assessed_on: date
    number: str = ""


@dataclass(frozen=True)
class VeteranRecord:
    """A discharged service member's record with veterans affairs (退役军人信息)."""

    number: str  # the discharge certificate number (退役证)
    discharged: date
    service_months: int
    resettlement: str  # self-employment (自主就业) | job-placement (安排工作)
    unit: str = ""


@runtime_checkable
class CivilAffairs(Protocol):
    """Civil affairs (民政): the household means check and older people's care assessments."""

    def household_means(self, id_number: str) -> HouseholdMeans | None:
        """The latest means check of the person's household, or None when none was authorised."""

    def care_assessment(self, id_number: str) -> CareAssessment | None:
        """The person's latest care assessment, or None."""


@runtime_checkable
class VeteransAffairs(Protocol):
    """Veterans affairs (退役军人事务): discharge records."""

    def veteran(self, id_number: str) -> VeteranRecord | None:
        """The person's discharge record, or None."""
@runtime_checkable
class RealEstate(Protocol):
    """The real-estate register (不动产登记中心): titles and filed purchase contracts."""

    def properties(self, id_number: str) -> list[PropertyRecord]:
        """The homes the person holds a title to or has a filed purchase contract for."""


@dataclass(frozen=True)
class PrefillSources:
    """One implementation of each prefill port; what the services are handed."""

    population: PopulationRegistry
    medical: MedicalRecords
    social_insurance: SocialInsurance
    housing_fund: HousingFund
    licences: Licences
    civil_affairs: CivilAffairs
    veterans: VeteransAffairs
    name: str = "sample"
    extra: dict[str, object] = field(default_factory=dict, compare=False)
    # Last and optional, so sources built before the register existed still build: None reads as
    # "the register is unavailable" and its facts as unknown.
    real_estate: RealEstate | None = None


# ---- Department gateways (applications) ----------------------------------------------------
# How a case reaches the department that handles it. Implementations:
# ``bff.adapters.departments.webhook`` (the department's own system, signed HTTP) and
# ``bff.adapters.departments.workbench`` (our officer workbench). Delivery is at-least-once:
# the same ``message_id`` may arrive twice and the department deduplicates on it.

@dataclass(frozen=True)
class Delivery:
    message_id: str
    department: str
    topic: str  # case.submitted | case.supplemented | case.withdrawn
    body: dict[str, object] = field(default_factory=dict)
    request_id: str | None = None  # the request the message comes from, sent as X-Request-Id


@dataclass(frozen=True)
class DeliveryResult:
    delivered: bool
    external_id: str | None = None
    error: str | None = None
    permanent: bool = False  # retrying cannot help (4xx, 410 Gone): dead-letter at once
    retry_after: float | None = None  # seconds, when the department said so


@dataclass(frozen=True)
class CaseStatus:
    """What a department's system answers when asked for a case's status."""

    reachable: bool
    known: bool = False  # False: the department has no such case (it acknowledged and lost it)
    data: dict[str, object] | None = None  # as a callback's body: status, occurred_at, decision fields
    error: str | None = None


@runtime_checkable
class DepartmentGateway(Protocol):
    name: str

    def deliver(self, delivery: Delivery) -> DeliveryResult:
        """Hand one message to the department; never raises (failures are results)."""

    def query(self, reference: str) -> CaseStatus:
        """Ask the department for a case's status; never raises (failures are results)."""


class Resolver(Protocol):
    """Turns a push service's host name into addresses (``bff.adapters.push.transport.resolve``:
    the system's resolver in production, a fixed map where a test names the answer)."""

    def addresses(self, host: str, port: int) -> list[str]:
        """The host's addresses as text (IPv4 or IPv6); raises ``OSError`` when it has none."""


# ---- Life-event signals (无感智办) ------------------------------------------------------
# What the registries tell the BFF without anyone asking: a birth a hospital recorded, a death, an
# age reached, a retirement date a month away. Polled (docs/proactive.md says why): the source keeps
# the feed and the BFF keeps its place in it (a cursor), so nothing is lost while the BFF is down.
# Implementations: ``bff.adapters.signals.sample`` (the demo world) and ``bff.adapters.signals.http``.

SIGNAL_KINDS = ("birth", "death", "age", "retirement")


@dataclass(frozen=True)
class LifeEventSignal:
    """One registry event. The same ``id`` twice is the same signal; ``sequence`` orders the signals
    about one person (``id_number``: the mother for a birth, the deceased, the person of an age or a
    retirement)."""

    id: str
    kind: str  # birth | death | age | retirement
    id_number: str
    sequence: int
    occurred_on: date  # the birth, the death, the day the age is reached, the retirement date
    record: str | None = None  # the hospital's birth or death record number
    age: int | None = None  # an age signal: the age reached


@dataclass(frozen=True)
class SignalPage:
    signals: tuple[LifeEventSignal, ...]
    cursor: str | None  # where the next read starts (None: from the beginning)


class SourceOfSignals(Protocol):
    """A registry's feed of life events, read in order from a cursor."""

    name: str

    def signals_after(self, cursor: str | None, limit: int) -> SignalPage:
        """Signals after ``cursor`` (oldest first, at most ``limit``) and the cursor after them;
        raises :class:`SourceUnavailable` when the feed cannot be read."""


# ---- documents ---------------------------------------------------------------------

class DocumentStorage(Protocol):
    """Where uploaded documents' bytes live (already encrypted by the caller: the storage never
    sees a plaintext document). Keys are opaque, made by the caller; the metadata is in the database.

    Implementations: ``bff.adapters.storage.filesystem`` (a directory; the embedded default)."""

    name: str

    def put(self, key: str, content: bytes) -> None:
        """Store ``content`` under ``key`` (a new key each time; never overwrites)."""

    def get(self, key: str) -> bytes:
        """The content stored under ``key``; raises ``KeyError`` when there is none."""

    def delete(self, key: str) -> None:
        """Forget ``key`` (nothing happens when it is already gone)."""


@dataclass(frozen=True)
class ScanResult:
    clean: bool
    signature: str | None = None  # what the scanner found, for the log and the audit


class VirusScanner(Protocol):
    """Looks at an upload before it is stored (``bff.adapters.scan``)."""

    name: str

    def scan(self, content: bytes) -> ScanResult:
        """Whether ``content`` may be stored; never raises for a finding (a result says it)."""
