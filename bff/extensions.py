"""Unbound extension singletons; ``create_app`` calls ``init_app`` on each."""

from __future__ import annotations

import redis as redis_lib
from flask import Flask, current_app, g
from flask_smorest import Api
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session, sessionmaker

from bff.errors import ErrorSchema
from bff.store.engine import Pools, make_engine


class DatabaseState:
    """The engine and session factory of one app."""

    def __init__(self, url: str, pools: Pools | None = None) -> None:
        self.engine = make_engine(url, pools=pools)
        self.factory = sessionmaker(self.engine, expire_on_commit=False)
        # Reads that need no transaction: each statement commits on its own, so a request
        # pays no BEGIN and ROLLBACK round trips (psycopg sends BEGIN separately). On PostgreSQL
        # its own pool of connections that stay in autocommit, so that neither checkout nor
        # return has an isolation level or a transaction to reset.
        self.read_engine = (make_engine(url, autocommit=True, pools=pools) if not url.startswith("sqlite")
                            else self.engine.execution_options(isolation_level="AUTOCOMMIT"))
        self.read_factory = sessionmaker(self.read_engine, expire_on_commit=False)


class Database:
    """Per-app engine (``db.engine``); one SQLAlchemy session per app context (``db.session``).

    ``db.read_session`` is a second, autocommit session for views that only read: no
    transaction, so no BEGIN/ROLLBACK round trips. Never write through it. ``db.read_connection``
    is the same without the ORM, for the busiest reads.

    State lives in ``app.extensions["db"]`` so several apps (tests) never share it.
    """

    def init_app(self, app: Flask) -> None:
        app.extensions["db"] = DatabaseState(app.config["SQLALCHEMY_URL"], Pools.from_config(app.config))
        app.teardown_appcontext(self._close_session)

    @property
    def state(self) -> DatabaseState:
        return current_app.extensions["db"]  # type: ignore[no-any-return]

    @property
    def engine(self) -> Engine:
        return self.state.engine

    def new_session(self) -> Session:
        return self.state.factory()

    def new_autocommit_session(self) -> Session:
        """A session whose every statement commits at once (one round trip, no BEGIN/COMMIT)."""
        return self.state.read_factory()

    @property
    def session(self) -> Session:
        if "db_session" not in g:
            g.db_session = self.new_session()
        return g.db_session  # type: ignore[no-any-return]

    @property
    def read_session(self) -> Session:
        if "db_read_session" not in g:
            g.db_read_session = self.state.read_factory()
        return g.db_read_session  # type: ignore[no-any-return]

    @property
    def read_connection(self) -> Connection:
        """For the hottest reads of plain rows: an autocommit connection without an ORM session."""
        if "db_read_connection" not in g:
            g.db_read_connection = self.state.read_engine.connect()
        return g.db_read_connection  # type: ignore[no-any-return]

    @staticmethod
    def _close_session(_exc: BaseException | None) -> None:
        for name in ("db_session", "db_read_session", "db_read_connection"):
            session = g.pop(name, None)
            if session is not None:
                session.close()


class RedisClient:
    """The app's Redis connection pool (``redis.client``), kept in ``app.extensions["redis"]``."""

    def init_app(self, app: Flask) -> None:
        url = app.config["REDIS_URL"]
        if not url:
            raise RuntimeError(
                "REDIS_URL is not set; `make run` starts an embedded Redis, "
                "or point REDIS_URL at a server"
            )
        # redis-py caps a pool at 100 connections by default; SSE and workers need more.
        pool = redis_lib.ConnectionPool.from_url(
            url, max_connections=1000, decode_responses=True,
            socket_timeout=float(app.config["REDIS_SOCKET_TIMEOUT_SECONDS"]),
            socket_connect_timeout=float(app.config["REDIS_CONNECT_TIMEOUT_SECONDS"]))
        app.extensions["redis"] = redis_lib.Redis(connection_pool=pool)

    @property
    def client(self) -> redis_lib.Redis:
        return current_app.extensions["redis"]  # type: ignore[no-any-return]


db = Database()
redis = RedisClient()
class OneThingApi(Api):
    """flask-smorest's Api, documenting errors with our envelope (``bff.errors``)."""

    ERROR_SCHEMA = ErrorSchema


api = OneThingApi()
