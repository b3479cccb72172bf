"""Catalog versions: the catalog a submitted application reads, and what a catalog change meets.

An application records the version of the catalog it was submitted with
(``applications.catalog_version``). The first submission with a version stores that version's
files (``catalog_snapshots``); afterwards every read about the application — its detail, the
officer's view, the outputs its approval must give, the heirs' consent — asks
:func:`catalog_of` for its version: the live catalog when the versions match (no query), else
the snapshot, loaded once per process. So a later catalog change never alters a submitted
application, while new drafts and submissions use the new definitions.
"""

from __future__ import annotations

import logging
from typing import Any

from bff.core import applications as rules
from bff.core.catalog import Catalog, CatalogError, default_catalog, live_catalog_files, load_catalog_files
from bff.store import Connection, Session
from bff.store.queries import catalog as store

log = logging.getLogger("bff.catalog")

# Snapshots read, by version. Versions change with deployments: a handful per process at most.
_loaded: dict[str, Catalog] = {}
LOADED_LIMIT = 16


def record_catalog_version(session: Session) -> str:
    """The live catalog's version, its snapshot stored in the caller's transaction if not there yet.

    A look-up by primary key on every submission rather than a memory of this process: the row
    is the truth, and a rolled-back first submission must not leave its version without one."""
    catalog = default_catalog()
    if not store.snapshot_exists(session, catalog.version):
        store.save_snapshot(session, catalog.version, live_catalog_files())
    return catalog.version


def catalog_of(connection: Connection | Session, version: str | None) -> Catalog:
    """The catalog an application of ``version`` reads: the live one when it is that version; else
    its snapshot. An application submitted before snapshots existed reads the live catalog."""
    live = default_catalog()
    if not version or version == live.version:
        return live
    found = _loaded.get(version)
    if found is None:
        found = _load_snapshot(connection, version)
        if found is None:
            return live
        if len(_loaded) >= LOADED_LIMIT:
            _loaded.pop(next(iter(_loaded)))
        _loaded[version] = found
    return found


def _load_snapshot(connection: Connection | Session, version: str) -> Catalog | None:
    files = store.snapshot_files(connection, version)
    if files is None:
        return None
    try:
        return load_catalog_files(files)
    except CatalogError as error:  # a later loader refusing old data: the live catalog is the fallback
        log.error("catalog snapshot %s no longer loads: %s", version, error.problems[:3])
        return None


def catalog_at_version(session: Session, version: str) -> Catalog | None:
    """The catalog of a recorded ``version`` (``None``: no application was submitted with it)."""
    live = default_catalog()
    return live if version == live.version else _load_snapshot(session, version)


def recorded_versions(session: Session) -> list[dict[str, Any]]:
    """The versions applications were submitted with, the newest first."""
    return [{"version": version, "recorded_at": at} for version, at in store.snapshot_versions(session)]


def in_flight_by_bundle(session: Session) -> dict[str, int]:
    """Submitted applications not finished yet, per bundle: those a catalog change meets."""
    return store.in_flight_by_bundle(session, rules.FINISHED_APPLICATION, rules.DRAFT)
