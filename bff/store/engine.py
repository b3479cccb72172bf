"""Engines: the one place that sets up SQLAlchemy and psycopg for the BFF.

Engine-level choices (pool sizes, autocommit reads, orjson for JSON columns, SQLite pragmas) and
the tuning of psycopg's statement cache live here, so that an upgrade of either library has one
module to re-check.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import orjson
from psycopg import _queries as psycopg_queries
from psycopg.types import json as psycopg_json
from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine

# The psycopg release the statement-cache tuning below was checked against. The tuning writes
# two private module constants (``psycopg._queries.MAX_CACHED_STATEMENT_PARAMS`` and
# ``MAX_CACHED_STATEMENT_LENGTH``); on an upgrade, check that both still exist and still bound
# the parsed-query cache (``PostgresQuery`` / ``_query2pg`` in ``psycopg/_queries.py``), that the
# raised values are still above the defaults, then bump this constant (a test fails until then).
PSYCOPG_CHECKED_VERSION = "3.3.9"
# A submission's multi-row INSERTs (cases, outbox rows) have more than psycopg's default 50
# parameters; their shapes are few, so keeping their parsed form is cheap.
STATEMENT_CACHE_PARAMS = 256
STATEMENT_CACHE_LENGTH = 16384


@dataclass(frozen=True)
class Pools:
    """One process's connection pools: the write pool and the autocommit read pool."""

    size: int = 10
    overflow: int = 20
    read_size: int = 5
    read_overflow: int = 20
    timeout: float = 10.0
    prepared_statements: bool = True

    @classmethod
    def from_config(cls, config: Any) -> Pools:
        return cls(int(config["DB_POOL_SIZE"]), int(config["DB_MAX_OVERFLOW"]), int(config["DB_READ_POOL_SIZE"]),
                   int(config["DB_READ_MAX_OVERFLOW"]), float(config["DB_POOL_TIMEOUT_SECONDS"]),
                   bool(config["DB_PREPARED_STATEMENTS"]))

    @property
    def most(self) -> int:
        """The most server connections the process can hold at once."""
        return self.size + self.overflow + self.read_size + self.read_overflow


def make_engine(url: str, *, autocommit: bool = False, pools: Pools | None = None) -> Engine:
    """An engine for ``url`` (PostgreSQL through psycopg, or SQLite for the embedded default).

    ``autocommit`` gives PostgreSQL reads their own pool of connections that stay in autocommit,
    so that neither checkout nor return has an isolation level or a transaction to reset."""
    pools = pools or Pools()
    kwargs: dict[str, Any] = {"future": True, "json_serializer": _json_text}
    if url.startswith("sqlite"):
        kwargs["connect_args"] = {"check_same_thread": False, "timeout": 15}
    else:
        kwargs.update(pool_size=pools.size, max_overflow=pools.overflow, pool_timeout=pools.timeout,
                      pool_pre_ping=False, pool_recycle=1800)
        if autocommit:
            kwargs.update(isolation_level="AUTOCOMMIT", pool_reset_on_return=None, pool_size=pools.read_size,
                          max_overflow=pools.read_overflow)
        if not pools.prepared_statements:
            kwargs["connect_args"] = {"prepare_threshold": None}
        tune_psycopg()
    engine = create_engine(url, **kwargs)
    if url.startswith("sqlite"):
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def tune_psycopg() -> None:
    """Process-wide psycopg settings: JSON parsed in C, and a larger parsed-statement cache.

    psycopg keeps the parsed form of a query only up to 50 parameters and 4096 characters; a
    submission's multi-row INSERTs exceed that and were parsed again on every request (a regex
    over the whole statement)."""
    psycopg_json.set_json_loads(orjson.loads)
    psycopg_queries.MAX_CACHED_STATEMENT_PARAMS = max(psycopg_queries.MAX_CACHED_STATEMENT_PARAMS,
                                                      STATEMENT_CACHE_PARAMS)
    psycopg_queries.MAX_CACHED_STATEMENT_LENGTH = max(psycopg_queries.MAX_CACHED_STATEMENT_LENGTH,
                                                      STATEMENT_CACHE_LENGTH)


def _json_text(value: Any) -> str:
    """JSON columns written by orjson (UTF-8 text, not escapes; int keys as strings, as json does)."""
    return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode()


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()
