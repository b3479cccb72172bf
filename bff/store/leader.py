"""One active process of a kind across a deployment: a PostgreSQL advisory lock.

Any number of ``cron`` processes may run; the one that holds the lock schedules the periodic jobs
and the others wait, so losing the active one (a crash, a lost host) loses nothing: a standby
takes the lock within one poll. The lock is session-level, held on a connection of its own for
as long as the process is active; when that connection dies the server releases it.

A session-level lock needs a direct connection: behind a transaction-pooling proxy (PgBouncer)
the server session is shared, so the leader's URL must point at PostgreSQL itself.
SQLite (the embedded default) has one process of each kind, which is always the leader.
"""

from __future__ import annotations

import logging

from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import SQLAlchemyError

log = logging.getLogger("bff.leader")


class LeaderLock:
    def __init__(self, engine: Engine, key: int) -> None:
        self.engine = engine
        self.key = key
        self.connection: Connection | None = None
        self.held = False

    def hold(self) -> bool:
        """Whether this process is the leader now: keeps the lock it has (checking that its
        connection is alive), or takes it if it is free. Never raises: a database it cannot reach
        makes it a standby until it can."""
        if self.engine.dialect.name != "postgresql":
            return True
        try:
            if self.connection is None:
                self.connection = self.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
                self.held = False
            if self.held:
                self.connection.execute(text("SELECT 1"))
            else:
                self.held = bool(self.connection.execute(text("SELECT pg_try_advisory_lock(:key)"),
                                                         {"key": self.key}).scalar())
            return self.held
        except SQLAlchemyError as error:
            log.warning("leader lock: database unreachable (%s); standing by", type(error).__name__)
            self.release()
            return False

    def release(self) -> None:
        """Give the lock up (closing its connection releases it on the server)."""
        if self.connection is not None:
            try:
                self.connection.invalidate()
                self.connection.close()
            except SQLAlchemyError:
                pass
        self.connection, self.held = None, False
