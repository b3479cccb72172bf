"""Heirs' consents and uploaded documents.

Kept apart from ``models.py``; imported at the end of it so the metadata (and Alembic) see
these tables. Names, mobiles and ID-number hashes of heirs are personal data: names and mobiles
are encrypted, the ID number is kept only as its keyed hash (to find the heir's account when
they sign in), and a document's content lives encrypted in the storage port, not here.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Date, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bff.store.crypto import Encrypted
from bff.store.models import Base, BigId, utcnow

RefId = BigInteger().with_variant(Integer(), "sqlite")


class HeirConsent(Base):
    """One heir's answer for one application (covering all its inheritance items)."""

    __tablename__ = "heir_consents"
    __table_args__ = (
        UniqueConstraint("application_id", "heir_ref", name="uq_heir_consents_application_heir"),
        Index("ix_heir_consents_heir_id_hash_decision", "heir_id_hash", "decision"),
        Index("ix_heir_consents_decision_deadline", "decision", "deadline"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    application_id: Mapped[int] = mapped_column(RefId, ForeignKey("applications.id"), index=True)
    heir_ref: Mapped[str] = mapped_column(String(80))  # the registry's opaque reference
    heir_name: Mapped[str] = mapped_column(Encrypted(512))
    heir_id_hash: Mapped[str] = mapped_column(String(64))
    heir_mobile: Mapped[str | None] = mapped_column(Encrypted(512))
    heir_user_id: Mapped[int | None] = mapped_column(RefId, ForeignKey("users.id"), index=True)
    relation: Mapped[str] = mapped_column(String(20))  # spouse | child | parent (to the deceased)
    decision: Mapped[str] = mapped_column(String(12), default="pending")  # pending|agreed|declined|renounced|ended
    undertaking: Mapped[bool] = mapped_column(default=False)
    undertaking_version: Mapped[str | None] = mapped_column(String(20))
    deadline: Mapped[date] = mapped_column(Date)
    decided_at: Mapped[datetime | None] = mapped_column()
    decided_by_user_id: Mapped[int | None] = mapped_column(RefId, ForeignKey("users.id"))
    sms_sent_at: Mapped[datetime | None] = mapped_column()  # the fallback for heirs with no account
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Upload(Base):
    """A document the law needs and shared data cannot supply (metadata; content in storage)."""

    __tablename__ = "uploads"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    application_id: Mapped[int] = mapped_column(RefId, ForeignKey("applications.id"), index=True)
    case_id: Mapped[int | None] = mapped_column(RefId, ForeignKey("cases.id"), index=True)
    code: Mapped[str] = mapped_column(String(60))
    content_type: Mapped[str] = mapped_column(String(40))
    size: Mapped[int] = mapped_column()
    sha256: Mapped[str] = mapped_column(String(64))
    storage_key: Mapped[str] = mapped_column(String(80), unique=True)
    wrapped_key: Mapped[str] = mapped_column(String(200))  # the file's own key, sealed by the PII cipher
    uploaded_by: Mapped[int] = mapped_column(RefId, ForeignKey("users.id"))
    scan_status: Mapped[str] = mapped_column(String(12), default="clean")  # clean (infected ones are refused)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
