"""The engine module's psycopg tuning: checked against one psycopg release, and in effect."""

from __future__ import annotations

import psycopg
import pytest
from psycopg import _queries as psycopg_queries

from bff.store import engine


def test_the_installed_psycopg_is_the_release_the_statement_cache_tuning_was_checked_against() -> None:
    # On failure: re-check the private constants named next to PSYCOPG_CHECKED_VERSION, then bump it.
    assert psycopg.__version__ == engine.PSYCOPG_CHECKED_VERSION


def test_making_a_postgresql_engine_raises_the_statement_cache_limits(database_url: str,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(psycopg_queries, "MAX_CACHED_STATEMENT_PARAMS", 50)  # psycopg's own defaults
    monkeypatch.setattr(psycopg_queries, "MAX_CACHED_STATEMENT_LENGTH", 4096)
    made = engine.make_engine(database_url.replace("postgresql://", "postgresql+psycopg://", 1))
    try:
        with made.connect() as connection:
            assert connection.exec_driver_sql("SELECT 1").scalar() == 1
    finally:
        made.dispose()
    assert psycopg_queries.MAX_CACHED_STATEMENT_PARAMS == engine.STATEMENT_CACHE_PARAMS
    assert psycopg_queries.MAX_CACHED_STATEMENT_LENGTH == engine.STATEMENT_CACHE_LENGTH
