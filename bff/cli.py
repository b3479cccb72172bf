"""Flask commands: ``flask --app wsgi:app <command>``.

Commands are added inside :func:`register_cli` (one function per command).
"""

from __future__ import annotations

from typing import Any

import click
from flask import Flask, current_app

from bff.extensions import db


def register_cli(app: Flask) -> None:
    app.cli.add_command(db_upgrade)
    app.cli.add_command(seed_demo)
    app.cli.add_command(devidp)
    app.cli.add_command(simulate_departments)
    app.cli.add_command(sweep_now)


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
    from bff.services.demo import seed_demo_kiosk, seed_demo_offers, seed_demo_world
    from bff.services.forms import current_sources

    count = seed_demo_world(db.session, issuer=current_app.config["OIDC_ISSUER"])
    credential = seed_demo_kiosk(db.session, secret_key=current_app.config["SECRET_KEY"])
    offers = seed_demo_offers(db.session, current_app.config, current_sources())
    public_url = current_app.config["PUBLIC_URL"].rstrip("/")
    click.echo(f"demo world ready: {count} people, {offers['offers']} offers from {offers['applied']} registry signals")
    # Open this once on the browser acting as the hall kiosk: it keeps the kiosk's credential.
    click.echo(f"demo kiosk (enrolled): {public_url}/kiosk#kiosk-credential={credential}")


@click.command("devidp")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8001, show_default=True, type=int)
def devidp(host: str, port: int) -> None:
    """Run the development OpenID Connect provider with the demo personas (never in production)."""
    from auth.devidp import DevIdpRefused, create_devidp_app, make_devidp_server

    config = current_app.config
    if config["ENV"] == "production" or not config["DEVIDP_ENABLED"]:
        raise click.ClickException("the development identity provider is disabled (production mode or DEVIDP_ENABLED=false)")
    public_url = config["PUBLIC_URL"].rstrip("/")
    try:
        provider = create_devidp_app(
            demo_persona_dicts(), issuer=config["OIDC_ISSUER"], client_id=config["OIDC_CLIENT_ID"],
            client_secret=config["OIDC_CLIENT_SECRET"], redirect_uris=[f"{public_url}/auth/callback"],
            post_logout_redirect_uris=[f"{public_url}/"], production=config["ENV"] == "production")
    except DevIdpRefused as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"development identity provider at {config['OIDC_ISSUER']} (listening on {host}:{port})")
    make_devidp_server(provider, host, port).serve_forever()


def demo_persona_dicts() -> list[dict[str, object]]:
    """The demo personas as the plain claims data the development provider serves."""
    from bff.demo import personas

    return [{"sub": p.key, "name": p.name, "name_en": p.name_en, "phone_number": p.mobile,
             "id_number": p.id_number, "roles": list(p.roles), "department": p.department,
             "description_zh": p.description_zh, "description_en": p.description_en,
             "can_log_in": p.can_log_in} for p in personas()]


@click.command("simulate-departments")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8002, show_default=True, type=int)
@click.option("--accept-delay", type=float, help="Seconds before a case is accepted")
@click.option("--decide-delay", type=float, help="Seconds before a decision")
@click.option("--supplement-share", type=float, help="Share of cases that ask for a supplement (0–1)")
@click.option("--reject-share", type=float, help="Share of cases rejected (0–1)")
@click.option("--failure-share", type=float, help="Share of requests answered 503 (0–1)")
def simulate_departments(host: str, port: int, **overrides: float | None) -> None:
    """Run the department simulator: department systems over the signed webhook protocol."""
    from dataclasses import replace

    from bff.simulator import DepartmentSimulator, knobs_from_config, serve

    given: dict[str, Any] = {k: v for k, v in overrides.items() if v is not None}
    knobs = replace(knobs_from_config(current_app.config), **given)
    simulator = DepartmentSimulator(current_app.config["DEPARTMENT_SIMULATOR_SECRET"], knobs)
    click.echo(f"department simulator on http://{host}:{port} ({knobs})")
    serve(simulator, host, port).serve_forever()


@click.command("sweep")
def sweep_now() -> None:
    """Run the sweeper once: re-queue stuck dispatches, flag cases due soon or overdue."""
    from bff.jobs.tasks import sweep

    click.echo(sweep())
