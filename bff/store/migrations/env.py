"""Alembic environment: runs against the URL that ``bff.store.migrate`` sets."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine, pool

from bff.store.models import Base

config = context.config
url: str = config.get_main_option("sqlalchemy.url") or ""
assert url, "set sqlalchemy.url (use bff.store.migrate)"


def run_migrations() -> None:
    engine = create_engine(url, poolclass=pool.NullPool)
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=Base.metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


run_migrations()
