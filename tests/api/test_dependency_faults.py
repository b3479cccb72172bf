"""While Redis is paused or gone, requests that need it answer 503 with Retry-After (never 500, never
a hang), readiness says why, and sessions are there again when it is back."""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from bff.app import create_app
from tests.conftest import ApiClient, _reset
from tests.factories import create_user, sign_in
from tests.fakes.redis_server import RedisServer


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[RedisServer]:
    server = RedisServer(tmp_path, persistent=True).start()
    yield server
    server.stop()


@pytest.fixture
def own_app(base_config: dict[str, Any], redis_server: RedisServer) -> Iterator[Flask]:
    app = create_app({**base_config, "REDIS_URL": redis_server.url, "REDIS_SOCKET_TIMEOUT_SECONDS": 1.0,
                      "REDIS_CONNECT_TIMEOUT_SECONDS": 1.0})
    app.test_client_class = ApiClient
    with app.app_context():
        yield app
    _reset(app)


def test_without_redis_a_signed_in_request_gets_503_with_retry_after_and_readiness_says_why(own_app, redis_server):
    client = own_app.test_client()
    sign_in(own_app, client, create_user("zhangwei"))
    assert client.get("/api/v1/me").status_code == 200
    redis_server.kill()
    started = time.monotonic()
    response = client.get("/api/v1/me", headers={"Accept-Language": "en"})
    assert time.monotonic() - started < 10
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "5"
    assert response.json["reason"] == "dependency_unavailable" and response.json["retry_after"] == 5
    assert response.json["message"] == "The service is temporarily unavailable."
    ready = own_app.test_client().get("/readyz")  # a load balancer sends no session cookie
    assert ready.status_code == 503 and ready.json["checks"]["redis"] == "unreachable"
    assert ready.headers["Retry-After"] == "5"
    redis_server.start()  # with its append-only file: the session is still there
    me = client.get("/api/v1/me")
    assert me.status_code == 200, me.json
    assert client.get("/readyz").status_code == 200


def test_a_paused_redis_answers_503_within_the_socket_timeout_not_a_hang(own_app, redis_server):
    client = own_app.test_client()
    sign_in(own_app, client, create_user("zhangwei"))
    redis_server.process.send_signal(signal.SIGSTOP)  #: the server takes connections and never answers
    try:
        started = time.monotonic()
        response = client.get("/api/v1/me")
        elapsed = time.monotonic() - started
    finally:
        redis_server.process.send_signal(signal.SIGCONT)
    assert response.status_code == 503 and response.headers["Retry-After"] == "5"
    assert elapsed < 10
    assert client.get("/api/v1/me").status_code == 200


def test_a_request_that_finds_the_pools_exhausted_waits_its_timeout_then_answers_503_not_500(base_config):
    app = create_app({**base_config, "DB_POOL_SIZE": 1, "DB_MAX_OVERFLOW": 0, "DB_READ_POOL_SIZE": 1,
                      "DB_READ_MAX_OVERFLOW": 0, "DB_POOL_TIMEOUT_SECONDS": 0.5})
    app.test_client_class = ApiClient
    client = app.test_client()
    with app.app_context():
        sign_in(app, client, create_user("zhangwei"))
    state = app.extensions["db"]
    held = [state.engine.connect(), state.read_engine.connect()]  # other requests hold every connection
    try:
        response = client.get("/api/v1/applications")
        assert response.status_code == 503, response.json
        assert response.headers["Retry-After"] == "5" and response.json["reason"] == "dependency_unavailable"
    finally:
        for connection in held:
            connection.close()
    assert client.get("/api/v1/applications").status_code == 200
    app.extensions["db"].engine.dispose()  # the fixture's app (another role) cleans up after the test
    app.extensions["db"].read_engine.dispose()


@pytest.fixture
def limited_role(database_url: str, testrun_uid: str) -> Iterator[str]:
    """A database role the server lets hold at most 3 connections: the server's own refusal
    ("too many connections"), as when max_connections is reached, without taking the shared
    server's connections from anyone else."""
    import psycopg

    role = f"onething_limited_{testrun_uid[:8]}_{os.getpid()}"
    with psycopg.connect(database_url, autocommit=True) as admin:
        admin.execute(f'CREATE ROLE "{role}" LOGIN CONNECTION LIMIT 3')
        admin.execute(f'GRANT ALL ON ALL TABLES IN SCHEMA public TO "{role}"')
        admin.execute(f'GRANT ALL ON ALL SEQUENCES IN SCHEMA public TO "{role}"')
    base, _, name = database_url.rpartition("/")
    scheme, _, host = base.partition("://")
    yield f"{scheme}://{role}@{host.rpartition('@')[2]}/{name}"
    with psycopg.connect(database_url, autocommit=True) as admin:
        admin.execute(f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = '{role}'")
        admin.execute(f'DROP OWNED BY "{role}"')
        admin.execute(f'DROP ROLE "{role}"')


def test_when_the_server_refuses_connections_a_request_answers_503_not_500(app, base_config, limited_role):
    import psycopg

    limited = create_app({**base_config, "DATABASE_URL": limited_role})
    limited.test_client_class = ApiClient
    client = limited.test_client()
    with limited.app_context():
        sign_in(limited, client, create_user("zhangwei"))
    limited.extensions["db"].engine.dispose()
    limited.extensions["db"].read_engine.dispose()
    others = [psycopg.connect(limited_role) for _ in range(3)]  # other processes took every connection
    try:
        response = client.get("/api/v1/applications")
        assert response.status_code == 503, response.json
        assert response.headers["Retry-After"] == "5" and response.json["reason"] == "dependency_unavailable"
    finally:
        for connection in others:
            connection.close()
    assert client.get("/api/v1/applications").status_code == 200
    limited.extensions["db"].engine.dispose()  # the fixture's app (another role) cleans up after the test
    limited.extensions["db"].read_engine.dispose()
