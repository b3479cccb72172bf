"""Proactive service: registry signals, the offers they made, automatic grants, the resident's choices.

Kept apart from ``models.py``; imported at the end of it so the metadata (and Alembic) see these
tables. People are named by the lookup hash of their ID number (a recipient may never have signed
in: their offers wait for them); the ID number itself is encrypted.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bff.store.crypto import Encrypted
from bff.store.models import Base, BigId, utcnow


class LifeSignal(Base):
    """A registry life event as received: stored once per source id (the durable intent), with the
    outcome of applying it (``applied``, or ``stale`` when a later one about the person came first)."""

    __tablename__ = "life_signals"
    __table_args__ = (UniqueConstraint("source", "signal_id", name="uq_life_signals_source_signal_id"),
                      Index("ix_life_signals_person_hash_sequence", "person_hash", "sequence"))

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    source: Mapped[str] = mapped_column(String(40))
    signal_id: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(20))
    person_hash: Mapped[str] = mapped_column(String(64))
    person_id_number: Mapped[str] = mapped_column(Encrypted(512))
    sequence: Mapped[int] = mapped_column(BigId)
    occurred_on: Mapped[date] = mapped_column(Date)
    record: Mapped[str | None] = mapped_column(String(60))
    age: Mapped[int | None] = mapped_column()
    outcome: Mapped[str] = mapped_column(String(20), default="applied")
    offers: Mapped[int] = mapped_column(default=0)
    received_at: Mapped[datetime] = mapped_column(default=utcnow)


class Offer(Base):
    """A bundle (or an automatic item) offered to one person because of a signal. One per
    (recipient, kind, subject) ever: a declined or used offer cannot come back."""

    __tablename__ = "offers"
    __table_args__ = (UniqueConstraint("recipient_hash", "kind", "subject_ref", name="uq_offers_recipient_kind_subject"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    signal_id: Mapped[int] = mapped_column(ForeignKey("life_signals.id"))
    kind: Mapped[str] = mapped_column(String(20))  # birth | after-death | retirement | automatic
    bundle: Mapped[str | None] = mapped_column(String(60))
    item: Mapped[str | None] = mapped_column(String(60))
    recipient_hash: Mapped[str] = mapped_column(String(64), index=True)
    recipient_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    relation: Mapped[str] = mapped_column(String(20))
    subject_ref: Mapped[str] = mapped_column(String(80))
    subject_name: Mapped[str | None] = mapped_column(Encrypted(512))  # the deceased, to their family
    occurred_on: Mapped[date] = mapped_column(Date)
    questions: Mapped[list[Any]] = mapped_column(JSON, default=list)  # field keys left to the resident
    status: Mapped[str] = mapped_column(String(20), default="open")  # open | accepted | declined
    application_number: Mapped[str | None] = mapped_column(String(32))
    expires_on: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column()


class AutoGrant(Base):
    """免申即享: an item granted without an application, the data it rested on, and any objection."""

    __tablename__ = "auto_grants"
    __table_args__ = (UniqueConstraint("user_id", "item", name="uq_auto_grants_user_id_item"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    item: Mapped[str] = mapped_column(String(60))
    department: Mapped[str] = mapped_column(String(40), index=True)
    reference: Mapped[str] = mapped_column(String(40))
    basis: Mapped[dict[str, Any]] = mapped_column(JSON)  # fact key -> value (no personal data)
    signal_id: Mapped[int | None] = mapped_column(ForeignKey("life_signals.id"))
    status: Mapped[str] = mapped_column(String(20), default="granted")  # granted | objected | withdrawn
    decided_at: Mapped[datetime] = mapped_column(default=utcnow)
    objection: Mapped[str | None] = mapped_column(Encrypted(4096))
    objected_at: Mapped[datetime | None] = mapped_column()
    review_outcome: Mapped[str | None] = mapped_column(String(20))  # upheld | withdrawn
    review_note: Mapped[str | None] = mapped_column(Text)
    reviewed_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reviewed_at: Mapped[datetime | None] = mapped_column()


class ProactiveSettings(Base):
    """A resident's choices: offer kinds turned off; items consented to (item code -> when)."""

    __tablename__ = "proactive_settings"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    offers_off: Mapped[list[Any]] = mapped_column(JSON, default=list)
    automatic_items: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class SignalCursor(Base):
    """Where the BFF is in each source's feed of signals."""

    __tablename__ = "signal_cursors"

    source: Mapped[str] = mapped_column(String(40), primary_key=True)
    cursor: Mapped[str | None] = mapped_column(String(200))
    polled_at: Mapped[datetime] = mapped_column(default=utcnow)
