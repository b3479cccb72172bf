"""Test fixtures on real PostgreSQL and real Redis.

- One PostgreSQL database per xdist worker (``onething_test_gw0`` …), built by
  running the Alembic migrations; every table is truncated after each test.
- One Redis database number per worker, flushed after each test.
``TEST_DATABASE_URL`` (a server URL; default the local server) and
``TEST_REDIS_URL`` (default the local server) choose the servers.
"""

from __future__ import annotations

import os
import socket
import time
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest
import redis as redis_lib
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import text

from bff.app import CSRF_HEADER, create_app
from bff.config import DEFAULTS
from bff.store import migrate
from bff.store.models import Base

SERVER_URL = os.environ.get("TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
REDIS_SERVER = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379")


def _database_url(name: str) -> str:
    base, _, _ = SERVER_URL.rpartition("/")
    return f"{base}/{name}"


@pytest.fixture(scope="session")
def database_url(worker_id: str, testrun_uid: str) -> Iterator[str]:
    # Named by run and worker, so two test runs on one machine never share a database.
    name = f"onething_test_{testrun_uid[:8]}_{worker_id}"
    with psycopg.connect(SERVER_URL, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    url = _database_url(name)
    migrate.upgrade(url.replace("postgresql://", "postgresql+psycopg://", 1))
    yield url
    with psycopg.connect(SERVER_URL, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def redis_url(testrun_uid: str) -> Iterator[str]:
    """Claims a free Redis database number (1–15) for this worker, so concurrent runs stay apart."""
    admin = redis_lib.Redis.from_url(f"{REDIS_SERVER.rstrip('/')}/0")
    owner = f"{testrun_uid}:{os.getpid()}"
    for _ in range(600):
        for number in range(1, 16):
            if admin.set(f"onething-test-claim:{number}", owner, nx=True, ex=3600):
                url = f"{REDIS_SERVER.rstrip('/')}/{number}"
                redis_lib.Redis.from_url(url).flushdb()
                yield url
                admin.delete(f"onething-test-claim:{number}")
                return
        time.sleep(0.5)
    raise RuntimeError("no free Redis database number for tests (15 claimed)")


@pytest.fixture(scope="session")
def unreachable_url() -> Iterator[str]:
    """A URL on a port this process holds bound but never listens on: a connection is refused at
    once, and nothing else (a running `make run`) can take the port while the tests run."""
    with socket.socket() as held:
        held.bind(("127.0.0.1", 0))
        yield f"http://127.0.0.1:{held.getsockname()[1]}"


@pytest.fixture(scope="session")
def base_config(database_url: str, redis_url: str, unreachable_url: str) -> dict[str, Any]:
    # The development issuer's fixed port may be busy (`make run`): the tests' provider is chosen here.
    return {"DATABASE_URL": database_url, "REDIS_URL": redis_url, "ENV": "testing", "LOG_LEVEL": "INFO",
            "OIDC_ISSUER": unreachable_url,
            # the fake push service (tests/fakes/push_service.py) listens on this machine
            "PUSH_EXTRA_HOSTS": "127.0.0.1"}


# The fixed ports `make run` serves on (the BFF and its development identity provider).
DEVELOPMENT_PORTS = tuple(int(DEFAULTS[key].rsplit(":", 1)[1]) for key in ("PUBLIC_URL", "OIDC_ISSUER"))


@pytest.fixture
def development_ports_busy() -> Iterator[None]:
    """While the test runs, `make run`'s fixed ports answer as its identity provider does."""
    from tests.fakes.identity_provider import development_ports_taken

    with development_ports_taken(DEVELOPMENT_PORTS):
        yield


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
    with app.extensions["db"].engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    app.extensions["redis"].flushdb()


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
