"""SQLAlchemy models of the system of record.

Portable types only (JSON, not JSONB; no ARRAY; UTC timestamps) so the same
models run on PostgreSQL and on the embedded SQLite default.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Date, DateTime, ForeignKey, Index, Integer, MetaData, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

from bff.core import clock
from bff.store import crypto
from bff.store.crypto import Encrypted

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# SQLite only autoincrements INTEGER PRIMARY KEY; PostgreSQL gets a BIGINT.
BigId = BigInteger().with_variant(Integer(), "sqlite")


def utcnow() -> datetime:
    """Column defaults read the one clock, so a test that moves time moves them too."""
    return clock.utc_now()


class UtcDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC timestamps on both PostgreSQL and SQLite (which keeps no offset: what
    it returns is read as the UTC it was written in)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {datetime: UtcDateTime(), dict[str, Any]: JSON, list[Any]: JSON}


class User(Base):
    """A person known to the BFF, keyed by their identity provider's (issuer, subject)."""

    __tablename__ = "users"
    __table_args__ = (UniqueConstraint("issuer", "subject", name="uq_users_issuer_subject"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    issuer: Mapped[str] = mapped_column(String(255))
    subject: Mapped[str] = mapped_column(String(255))
    name: Mapped[str] = mapped_column(String(100), default="")
    id_number: Mapped[str | None] = mapped_column(Encrypted(512))
    id_number_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    mobile: Mapped[str | None] = mapped_column(Encrypted(512))
    mobile_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    # Set when the resident proved the number with an SMS code here: from then on that number wins
    # over the identity provider's, and it is the applicant's mobile on every form.
    mobile_verified_at: Mapped[datetime | None] = mapped_column()
    roles: Mapped[list[Any]] = mapped_column(default=lambda: ["resident"])
    department: Mapped[str | None] = mapped_column(String(40))
    language: Mapped[str | None] = mapped_column(String(8))
    elder_mode: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column()


class RoleGrant(Base):
    """Admin-maintained roles, added to those the identity provider's claim carries."""

    __tablename__ = "role_grants"
    __table_args__ = (UniqueConstraint("issuer", "subject", "role", name="uq_role_grants_who_role"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    issuer: Mapped[str] = mapped_column(String(255))
    subject: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(20))
    department: Mapped[str | None] = mapped_column(String(40))
    granted_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Event(Base):
    """Append-only record of anything that happened; timelines, SSE and audit read it."""

    __tablename__ = "events"
    __table_args__ = (
        Index("ix_events_subject_user_id_id", "subject_user_id", "id"),
        Index("ix_events_application_id_id", "application_id", "id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    occurred_at: Mapped[datetime] = mapped_column(default=utcnow)
    name: Mapped[str] = mapped_column(String(60))
    actor_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    subject_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    application_id: Mapped[int | None] = mapped_column(BigInteger().with_variant(Integer(), "sqlite"))
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)


class OutboxMessage(Base):
    """A side effect on another system, written in the same transaction as the change."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_status_next_attempt_at", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    topic: Mapped[str] = mapped_column(String(60))
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    status: Mapped[str] = mapped_column(String(20), default="pending")  # pending | done | dead
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_error: Mapped[str | None] = mapped_column(Text)
    done_at: Mapped[datetime | None] = mapped_column()
    # The event a "notify" row tells of. A relationship, so that the event and its row are written by
    # one flush (events first, their ids returned) instead of a flush per event.
    event_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("events.id"), default=None)
    event: Mapped[Event | None] = relationship(lazy="raise")


# --- Applications -----------------------------------------------------------------------------

class EncryptedJson(TypeDecorator[Any]):
    """A JSON value stored encrypted (answers hold ID numbers, addresses, bank accounts)."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Any) -> str | None:
        return None if value is None else crypto.cipher().encrypt(json.dumps(value, ensure_ascii=False))

    def process_result_value(self, value: Any, dialect: Any) -> Any:
        return None if value is None else json.loads(crypto.cipher().decrypt(value))


class Application(Base):
    """A bundle applied for once: a draft until submitted, then the parent of its cases.

    ``status`` is derived from the cases (``bff.core.applications``) and stored so lists
    can filter on it; ``version`` is the draft's ETag.
    """

    __tablename__ = "applications"
    __table_args__ = (Index("ix_applications_user_id_status", "user_id", "status"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    bundle: Mapped[str] = mapped_column(String(60))
    catalog_version: Mapped[str] = mapped_column(String(40), default="")
    subject: Mapped[str] = mapped_column(String(20), default="self")  # the bundle's subject kind
    subject_ref: Mapped[str | None] = mapped_column(String(80))  # opaque ref of bff.services.forms
    relation: Mapped[str | None] = mapped_column(String(20))
    channel: Mapped[str] = mapped_column(String(10), default="online")
    answers: Mapped[Any] = mapped_column(EncryptedJson(), default=dict)
    version: Mapped[int] = mapped_column(default=1)
    status: Mapped[str] = mapped_column(String(20), default="draft")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column()


class CatalogSnapshot(Base):
    """The catalog files of one version, written once, the first time an application is submitted
    with it: a submitted application keeps reading the items, fields, names and time limits of the
    version it records (``applications.catalog_version``) after the live catalog changes."""

    __tablename__ = "catalog_snapshots"

    version: Mapped[str] = mapped_column(String(40), primary_key=True)
    files: Mapped[dict[str, Any]] = mapped_column(JSON)  # relative path → YAML text
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Case(Base):
    """One department's part of an application."""

    __tablename__ = "cases"
    __table_args__ = (Index("ix_cases_department_status", "department", "status"),
                      # The sweeper reads cases by due date (flags, reconciliation), never every open case.
                      Index("ix_cases_due_on", "due_on"))

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), index=True)
    reference: Mapped[str] = mapped_column(String(40), unique=True)
    position: Mapped[int] = mapped_column(default=1)
    item: Mapped[str] = mapped_column(String(60))
    # Snapshots of the catalog at submission: the item's title and the only fields it may see.
    item_title: Mapped[dict[str, Any]] = mapped_column(default=dict)
    field_keys: Mapped[list[Any]] = mapped_column(default=list)
    certificate_kind: Mapped[str | None] = mapped_column(String(60))
    department: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(24), default="submitted")
    time_limit_days: Mapped[int] = mapped_column(default=0)
    due_on: Mapped[date | None] = mapped_column(Date)
    flag: Mapped[str | None] = mapped_column(String(12))  # due_soon | overdue
    gateway: Mapped[str | None] = mapped_column(String(20))
    dispatched_at: Mapped[datetime | None] = mapped_column()
    external_id: Mapped[str | None] = mapped_column(String(80))
    last_callback_at: Mapped[datetime | None] = mapped_column()
    supplement: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    decision: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    officer_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    accepted_at: Mapped[datetime | None] = mapped_column()
    decided_at: Mapped[datetime | None] = mapped_column()
    # The item graph, snapshotted at submission (bff.core.graph): the items of this application the
    # case needs approved first, the items that need it, and what it consumes ({name: "item.output"}).
    needs: Mapped[list[Any] | None] = mapped_column(JSON, default=None)
    dependents: Mapped[list[Any] | None] = mapped_column(JSON, default=None)
    consumes: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    # Data from other departments' decisions, filled at release ({name: {value, item, reference, output}}),
    # and what this case's own approval produced ({output: value}); both may hold personal data.
    inputs: Mapped[Any] = mapped_column(EncryptedJson(), nullable=True, default=None)
    outputs: Mapped[Any] = mapped_column(EncryptedJson(), nullable=True, default=None)
    # Other reasons a waiting case waits (e.g. {"consent": "pending"}); released only when empty.
    hold: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    # When the case could start (submission, or the release of a waiting case); due_on counts from it.
    ready_at: Mapped[datetime | None] = mapped_column(default=None)
    # When its department was last asked for its status (reconciliation of cases past their due date).
    status_checked_at: Mapped[datetime | None] = mapped_column(default=None)


class ProcessedCallback(Base):
    """A department callback already applied, by the department's event id (dedupe)."""

    __tablename__ = "processed_callbacks"
    __table_args__ = (UniqueConstraint("department", "event_id", name="uq_processed_callbacks_event"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    department: Mapped[str] = mapped_column(String(40))
    event_id: Mapped[str] = mapped_column(String(100))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"))
    outcome: Mapped[str] = mapped_column(String(20))
    received_at: Mapped[datetime] = mapped_column(default=utcnow)


class Certificate(Base):
    """An e-certificate (电子证照) a case issued; ``token`` is what its QR code carries."""

    __tablename__ = "certificates"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), unique=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    number: Mapped[str] = mapped_column(String(60), unique=True)
    kind: Mapped[str] = mapped_column(String(60))
    title_zh: Mapped[str] = mapped_column(String(200))
    title_en: Mapped[str] = mapped_column(String(200))
    token: Mapped[str] = mapped_column(String(64), unique=True)
    issuer: Mapped[str] = mapped_column(String(40))
    content: Mapped[Any] = mapped_column(EncryptedJson(), default=dict)
    issued_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column()


class IdempotencyKey(Base):
    """A submission's Idempotency-Key, scoped to the user, with the receipt it produced."""

    __tablename__ = "idempotency_keys"
    __table_args__ = (UniqueConstraint("user_id", "key", name="uq_idempotency_keys_user_key"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    key: Mapped[str] = mapped_column(String(128))
    fingerprint: Mapped[str] = mapped_column(String(64))
    completed: Mapped[bool] = mapped_column(default=False)
    response_status: Mapped[int | None] = mapped_column()
    response: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


from bff.store import (  # noqa: E402, F401
    consent_models,
    family_models,
    kiosk_models,
    mandate_models,
    notification_models,
    proactive_models,
    staff_models,
)
