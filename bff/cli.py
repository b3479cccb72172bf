"""Flask commands: ``flask --app wsgi:app <command>``.

Commands are added inside :func:`register_cli` (one function per command).
"""

from __future__ import annotations

from typing import Any

import click
from flask import Flask, current_app

from bff.cli_catalog import catalog_cli
from bff.extensions import db
from bff.store import Session
from bff.store.models import Case


def register_cli(app: Flask) -> None:
    app.cli.add_command(db_upgrade)
    app.cli.add_command(seed_demo)
    app.cli.add_command(devidp)
    app.cli.add_command(simulate_departments)
    app.cli.add_command(sweep_now)
    app.cli.add_command(db_budget)
    app.cli.add_command(cases)
    app.cli.add_command(catalog_cli)


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
@click.option("--forget-share", type=float, help="Share of cases acknowledged and then lost (0–1)")
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


@click.command("db-budget")
@click.option("--max-connections", default=100, show_default=True, type=int, help="The server's max_connections")
@click.option("--instances", default=2, show_default=True, type=int, help="BFF hosts or containers")
@click.option("--web-workers", default=2, show_default=True, type=int, help="gunicorn workers per instance")
@click.option("--rq-workers", default=2, show_default=True, type=int, help="worker processes in all")
@click.option("--crons", default=2, show_default=True, type=int, help="cron processes (one active)")
def db_budget(max_connections: int, **processes: int) -> None:
    """Print the pool settings that keep the whole deployment under the server's max_connections."""
    from bff.core.capacity import Deployment, NoRoom, budget

    deployment = Deployment(**processes)
    try:
        pools = budget(max_connections, deployment)
    except NoRoom as error:
        raise click.ClickException(str(error)) from error
    for title, sizes in (("web processes (the BFF)", (pools.web_size, pools.web_overflow, pools.web_read_size,
                                                      pools.web_read_overflow)),
                         ("job processes (worker, cron)", (pools.job_size, 0, pools.job_read_size, 0))):
        click.echo(f"# {title}")
        for name, value in zip(("DB_POOL_SIZE", "DB_MAX_OVERFLOW", "DB_READ_POOL_SIZE", "DB_READ_MAX_OVERFLOW"),
                               sizes, strict=True):
            click.echo(f"ONETHING_{name}={value}")
    click.echo(f"# at most {pools.total(deployment)} connections of {max_connections}")


@click.group("cases")
def cases() -> None:
    """Reconcile cases with the departments' systems (docs/operations.md)."""


def _named_cases(reference: str | None, department: str | None) -> tuple[Session, list[Case]]:
    from bff.services.reconcile import cases_named

    if bool(reference) == bool(department):
        raise click.UsageError("name one case reference, or --department CODE")
    session = db.session
    found = cases_named(session, reference, department)
    if not found:
        raise click.ClickException(f"no such case: {reference}" if reference else
                                   f"no open dispatched case of {department}")
    return session, found


@cases.command("resync")
@click.argument("reference", required=False)
@click.option("--department", help="every open dispatched case of this department")
def cases_resync(reference: str | None, department: str | None) -> None:
    """Ask the department for each case's status and apply it (redeliver what it does not know)."""
    from flask import current_app

    from bff.services.dispatch import DispatchSettings
    from bff.services.reconcile import resync_case

    session, found = _named_cases(reference, department)
    settings = DispatchSettings.from_config(current_app.config)
    for case in found:
        click.echo(f"{case.reference}: {resync_case(session, case, settings)}")


@cases.command("redeliver")
@click.argument("reference", required=False)
@click.option("--department", help="every open dispatched case of this department")
def cases_redeliver(reference: str | None, department: str | None) -> None:
    """Send each case to its department again (a department restored from a backup)."""
    from bff.services.reconcile import redeliver_case

    session, found = _named_cases(reference, department)
    for case in found:
        click.echo(f"{case.reference}: {redeliver_case(session, case)}")
