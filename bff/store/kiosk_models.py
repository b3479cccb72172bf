"""Enrolled kiosks: the hall devices whose QR login tickets may name a place.

Kept apart from ``models.py``; imported at the end of it so the metadata (and Alembic)
see this table.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from bff.store.models import Base, BigId, utcnow


class Kiosk(Base):
    """A kiosk an administrator enrolled, and the hash of the device credential it holds.

    The credential itself is shown once at enrolment and never stored: a leaked table
    cannot be turned into a kiosk that names a hall.
    """

    __tablename__ = "kiosks"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    hall: Mapped[str] = mapped_column(String(60))
    device_name: Mapped[str] = mapped_column(String(40))
    credential_hash: Mapped[str] = mapped_column(String(64), unique=True)
    enrolled_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(default=None)

    @property
    def place(self) -> str:
        """What the resident's phone shows as where the kiosk stands."""
        return f"{self.hall} {self.device_name}"
