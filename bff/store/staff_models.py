"""Service-desk records: internal notes and escalations written by staff (客服).

Kept apart from ``models.py``; imported at the end of it so the metadata (and Alembic)
see these tables.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from bff.store.crypto import Encrypted
from bff.store.models import Base, BigId, utcnow


class StaffNote(Base):
    """An internal note about a resident, or an escalation of one case to its department.

    The text is encrypted at rest (a caller may say something personal); residents never
    see notes, officers see the escalations of their department.
    """

    __tablename__ = "staff_notes"
    __table_args__ = (
        Index("ix_staff_notes_resident_user_id_id", "resident_user_id", "id"),
        Index("ix_staff_notes_department_id", "department", "id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    kind: Mapped[str] = mapped_column(String(20), default="note")  # note | escalation
    resident_user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    author_user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    application_id: Mapped[int | None] = mapped_column(ForeignKey("applications.id"))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"))
    department: Mapped[str | None] = mapped_column(String(40))
    text: Mapped[str] = mapped_column(Encrypted(8000))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
