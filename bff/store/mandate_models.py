"""Mandates (委托代办): who may act for whom, in what, until when.

Kept apart from ``models.py``; imported at the end of it so the metadata (and Alembic)
see this table.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from bff.core.mandates import Terms
from bff.store.models import Base, BigId, utcnow


class Mandate(Base):
    """A principal's authorisation of an agent for one bundle or one application.

    The agent is a relative from the registry or a registered community agent. A relative may
    not have signed in yet: ``agent_id_hash`` (the lookup hash of their ID number) finds them at
    their first sign-in and ``agent_user_id`` is then filled. ``agent_ref`` is the registry's
    opaque reference of the relative, never their ID number.
    """

    __tablename__ = "mandates"
    __table_args__ = (
        CheckConstraint("(bundle IS NULL) <> (application_number IS NULL)", name="one_target"),
        Index("ix_mandates_agent_user_id_revoked_at", "agent_user_id", "revoked_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    principal_user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    agent_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    agent_kind: Mapped[str] = mapped_column(String(20))  # relative | community_agent
    agent_ref: Mapped[str | None] = mapped_column(String(80))
    agent_id_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    agent_name: Mapped[str] = mapped_column(String(100), default="")
    relation: Mapped[str | None] = mapped_column(String(20))  # the agent as the principal's: child, spouse, …
    scope: Mapped[str] = mapped_column(String(20))  # apply_follow | receive_money
    bundle: Mapped[str | None] = mapped_column(String(60))
    application_number: Mapped[str | None] = mapped_column(String(32))
    expires_at: Mapped[datetime] = mapped_column()
    revoked_at: Mapped[datetime | None] = mapped_column(default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    accepted_at: Mapped[datetime | None] = mapped_column(default=None)  # the agent first used it

    def terms(self) -> Terms:
        return Terms(self.principal_user_id, self.agent_user_id, self.scope, self.bundle,
                     self.application_number, self.expires_at, self.revoked_at)
