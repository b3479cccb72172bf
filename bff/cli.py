"""Flask commands: ``flask --app wsgi:app <command>``.

Each engineer adds commands inside :func:`register_cli` (one function per command).
"""

from __future__ import annotations

import click
from flask import Flask, current_app

from bff.extensions import db


def register_cli(app: Flask) -> None:
    app.cli.add_command(db_upgrade)
    app.cli.add_command(seed_demo)


@click.command("db-upgrade")
def db_upgrade() -> None:
    """Apply the Alembic migrations to the configured database."""
    from bff.store.migrate import upgrade

    url = current_app.config["SQLALCHEMY_URL"]
    if url.startswith("sqlite:///"):
        from pathlib import Path

        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    upgrade(url)
    click.echo("database at head")


@click.command("seed-demo")
def seed_demo() -> None:
    """Create the demo world's people as users (idempotent: running it twice changes nothing)."""
    from bff.services.demo import seed_demo_world

    count = seed_demo_world(db.session, issuer=current_app.config["OIDC_ISSUER"])
    click.echo(f"demo world ready: {count} people")
