"""The family around one application: its members (lead, co-handlers, requests and invitations)
and the rule that a subject has at most one active application per bundle.

Kept apart from ``models.py``; imported at the end of it so the metadata (and Alembic) see them.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from bff.store.models import Application, Base, BigId, utcnow

# What "active" means for the one-application-per-subject rule: submitted and not withdrawn.
# Finished applications stay in: a family does not re-do a completed birth or after-death bundle.
# "self" subjects (retirement) and unknown ones (a birth outside hospital, no record) are left out.
ACTIVE_SUBJECT_WHERE = "subject_ref IS NOT NULL AND subject_ref <> 'self' AND status NOT IN ('draft', 'withdrawn')"
ONE_PER_SUBJECT = "uq_applications_bundle_subject_active"

Index(ONE_PER_SUBJECT, Application.bundle, Application.subject_ref, unique=True,
      postgresql_where=text(ACTIVE_SUBJECT_WHERE), sqlite_where=text(ACTIVE_SUBJECT_WHERE))


class ApplicationMember(Base):
    """Someone of the family in an application: the lead (who applied, or was handed the lead) or
    a co-handler; a join request waiting for the lead, an invitation waiting for the invitee.

    ``user_id`` is empty while an invitation waits for a relative who has never signed in: it is
    matched by ``invitee_hash`` (the keyed hash of their ID number, as ``users.id_number_hash``)
    at their first sign-in. ``name`` is the name the registry gives (shown to the family).
    """

    __tablename__ = "application_members"
    __table_args__ = (
        UniqueConstraint("application_id", "user_id", name="uq_application_members_application_user"),
        UniqueConstraint("application_id", "invitee_hash", name="uq_application_members_application_invitee"),
        Index("ix_application_members_user_id_status", "user_id", "status"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    invitee_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    name: Mapped[str] = mapped_column(String(100), default="")
    relation: Mapped[str | None] = mapped_column(String(20))  # to the subject: child, spouse, mother, father, …
    role: Mapped[str] = mapped_column(String(12), default="co_handler")  # lead | co_handler
    status: Mapped[str] = mapped_column(String(12), default="active")  # active | requested | invited | left | declined
    invited_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column()
