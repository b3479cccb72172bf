"""Test fixtures on real PostgreSQL and real Redis.

- One PostgreSQL database per xdist worker (``onething_test_gw0`` …), built by
  running the Alembic migrations; every table is truncated after each test.
- One Redis database number per worker, flushed after each test.
``TEST_DATABASE_URL`` (a server URL; default the local server) and
``TEST_REDIS_URL`` (default the local server) choose the servers.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import text

from bff.app import CSRF_HEADER, create_app
from bff.extensions import db
from bff.store import migrate
from bff.store.models import Base

SERVER_URL = os.environ.get("TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
REDIS_SERVER = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379")


def worker_index(worker_id: str) -> int:
    return 0 if worker_id == "master" else int(worker_id.removeprefix("gw"))


def _database_url(name: str) -> str:
    base, _, _ = SERVER_URL.rpartition("/")
    return f"{base}/{name}"


@pytest.fixture(scope="session")
def database_url(worker_id: str) -> Iterator[str]:
    name = f"onething_test_{worker_id}"
    with psycopg.connect(SERVER_URL, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')
    url = _database_url(name)
    migrate.upgrade(url.replace("postgresql://", "postgresql+psycopg://", 1))
    yield url


@pytest.fixture(scope="session")
def redis_url(worker_id: str) -> str:
    return f"{REDIS_SERVER.rstrip('/')}/{1 + worker_index(worker_id) % 15}"


@pytest.fixture(scope="session")
def base_config(database_url: str, redis_url: str) -> dict[str, Any]:
    return {"DATABASE_URL": database_url, "REDIS_URL": redis_url, "ENV": "testing", "LOG_LEVEL": "INFO"}


@pytest.fixture(scope="session")
def session_app(base_config: dict[str, Any]) -> Flask:
    return create_app(base_config)


@pytest.fixture
def app(session_app: Flask) -> Iterator[Flask]:
    with session_app.app_context():
        yield session_app
    _reset(session_app)


def _reset(app: Flask) -> None:
    tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    with db.engine.begin() as connection:  # type: ignore[union-attr]
        connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    app.extensions["redis"].client.flushdb()


class ApiClient(FlaskClient):
    """A test client that sends the PWA's CSRF header unless told not to."""

    def open(self, *args: Any, **kwargs: Any) -> Any:
        headers = dict(kwargs.pop("headers", None) or {})
        if kwargs.pop("csrf", True):
            headers.setdefault(CSRF_HEADER, "1")
        kwargs["headers"] = headers
        return super().open(*args, **kwargs)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    app.test_client_class = ApiClient
    return app.test_client()
