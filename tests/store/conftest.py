"""Fixtures of the store tests: each runs on PostgreSQL and on SQLite."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy.orm import Session, sessionmaker

from bff.extensions import db
from bff.store import migrate
from bff.store.engine import make_engine


@pytest.fixture(params=["postgresql", "sqlite"])
def new_session(request: pytest.FixtureRequest, app: Flask, tmp_path: Path) -> Iterator[Callable[[], Session]]:
    """Sessions on the database named by the parameter (``app`` configures the PII cipher and
    truncates PostgreSQL's tables afterwards); SQLite is the embedded default's, migrated by the
    same Alembic scripts into a temporary file."""
    if request.param == "postgresql":
        yield db.new_session
        return
    url = f"sqlite:///{tmp_path / 'onething.db'}"
    migrate.upgrade(url)
    engine = make_engine(url)
    try:
        yield sessionmaker(engine, expire_on_commit=False)
    finally:
        engine.dispose()
