"""Catalog versions: the snapshot of each version applications were submitted with, and how many
applications of each bundle are still in flight (what a catalog change would meet)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from sqlalchemy import func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from bff.store.models import Application, CatalogSnapshot, utcnow


def save_snapshot(session: Session, version: str, files: Mapping[str, str]) -> bool:
    """Store the files of ``version`` unless stored already (in the caller's transaction).

    ``True``: this transaction wrote it (not yet committed); ``False``: it was there, committed by
    an earlier one. On PostgreSQL a concurrent writer of the same version waits for the first."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = (insert(CatalogSnapshot).values(version=version, files=dict(files), created_at=utcnow())
                 .on_conflict_do_nothing(index_elements=[CatalogSnapshot.version])
                 .returning(CatalogSnapshot.version))
    return session.execute(statement).scalar() is not None  # no row back: it was there


def snapshot_exists(session: Session, version: str) -> bool:
    """Is the snapshot of ``version`` stored (a primary-key look-up, no files read)?"""
    return session.scalar(select(CatalogSnapshot.version).where(CatalogSnapshot.version == version)) is not None


def snapshot_files(connection: Connection | Session, version: str) -> dict[str, str] | None:
    """The files of catalog ``version``, or ``None`` when no application recorded it."""
    files = connection.execute(select(CatalogSnapshot.files).where(CatalogSnapshot.version == version)).scalar()
    return dict(files) if files is not None else None


def snapshot_versions(session: Session) -> list[tuple[str, str]]:
    """``(version, created_at ISO)`` of every stored snapshot, the newest first."""
    rows = session.execute(select(CatalogSnapshot.version, CatalogSnapshot.created_at)
                           .order_by(CatalogSnapshot.created_at.desc()))
    return [(version, created.isoformat()) for version, created in rows]


def in_flight_by_bundle(session: Session, finished: Iterable[str], draft: str) -> dict[str, int]:
    """How many submitted, not finished applications each bundle has."""
    rows = session.execute(
        select(Application.bundle, func.count()).where(Application.status.not_in([*finished, draft]))
        .group_by(Application.bundle))
    return {bundle: int(count) for bundle, count in rows}
