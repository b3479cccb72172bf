"""The schema version the database is migrated to (Alembic's own table)."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.engine import Connection

__all__ = ["Connection", "migrated_revision"]


def migrated_revision(connection: Connection) -> str | None:
    """The Alembic revision the database is at, in one round trip (None before the first migration)."""
    return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
