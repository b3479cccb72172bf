"""`make bench`: the BFF under gunicorn + gevent on PostgreSQL and Redis vs a bare Flask baseline.

Usage: python -m bench.run [--seconds 5] [--concurrency 8] [--only NAME-PREFIX]
Scenario modules are ``bench/bench_*.py`` files exposing ``scenarios(ctx)``.
"""

from __future__ import annotations

import argparse
import importlib
import inspect
import json
import os
import pkgutil
import time
from pathlib import Path
from typing import Any

import psycopg

from bench.harness import ROOT, Result, Scenario, Server, load, merge, report

SERVER_URL = os.environ.get("BENCH_DATABASE_SERVER", "postgresql://postgres@127.0.0.1:5432/postgres")
DB_NAME = "onething_bench"
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")


class Context:
    """What scenario modules get: the app (for seeding through real services) and sign-in cookies."""

    def __init__(self, app: Any, cookie_name: str) -> None:
        self.app = app
        self.cookie_name = cookie_name

    def sign_in(self, persona_key: str) -> dict[str, str]:
        """Headers of a signed-in browser for the demo persona (user created as login would)."""
        from bff.demo import persona
        from bff.extensions import db
        from bff.services.users import upsert_user_from_claims

        who = persona(persona_key)
        with self.app.app_context():
            user = upsert_user_from_claims(db.session, self.app.config["OIDC_ISSUER"], who.key, {
                "name": who.name, "id_number": who.id_number, "phone_number": who.mobile,
                "roles": list(who.roles), "department": who.department})
            db.session.commit()
            record = self.app.extensions["sessions"].create(user.id, list(user.roles), user.department,
                                                            device="bench", place="bench")
        return {"Cookie": f"{self.cookie_name}={record.id}", "X-OneThing-CSRF": "1",
                "Content-Type": "application/json"}


def prepare_database(name: str = DB_NAME) -> str:
    """A new, migrated database ``name`` (each benchmark has its own: they drop theirs at start)."""
    with psycopg.connect(SERVER_URL, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')
    url = SERVER_URL.rpartition("/")[0] + f"/{name}"
    from bff.store.migrate import upgrade

    upgrade(url.replace("postgresql://", "postgresql+psycopg://", 1))
    return url


def scenario_modules() -> list[Any]:
    names = sorted(m.name for m in pkgutil.iter_modules([str(Path(__file__).parent)]) if m.name.startswith("bench_"))
    return [importlib.import_module(f"bench.{name}") for name in names]


def collect_scenarios(ctx: Context, modules: list[Any]) -> list[Scenario]:
    found = [Scenario("readyz", "GET", "/readyz")]
    for module in modules:
        produce = module.scenarios
        items = produce(ctx) if inspect.signature(produce).parameters else produce()
        found.extend(item if isinstance(item, Scenario) else Scenario(*item) for item in items)
    return found


def start_identity_provider(env: dict[str, str]) -> tuple[Any, str]:
    """The development identity provider, for the login figures (a real OIDC provider over HTTP)."""
    import subprocess
    import sys

    from bench.harness import free_port, wait_for_port

    port = free_port()
    issuer = f"http://127.0.0.1:{port}"
    process = subprocess.Popen([sys.executable, "-m", "flask", "--app", "wsgi:app", "devidp", "--port", str(port)],
                               cwd=ROOT, env={**env, "ONETHING_OIDC_ISSUER": issuer}, start_new_session=True,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_for_port(port)
    return process, issuer


ROUNDS = 4


def alternate(baseline_port: int, app_port: int, scenario: Scenario, args: Any) -> tuple[Result, Result]:
    """The scenario and the baseline in alternating slices, so that whatever else the machine is
    doing weighs on both alike; returns (scenario, its baseline)."""
    slice_seconds = args.seconds / ROUNDS
    base = Scenario("baseline: bare Flask /readyz", "GET", "/readyz")
    mine: list[Result] = []
    theirs: list[Result] = []
    for _ in range(ROUNDS):
        theirs.append(load(baseline_port, base, seconds=slice_seconds, concurrency=args.concurrency))
        mine.append(load(app_port, scenario, seconds=slice_seconds, concurrency=args.concurrency))
    return merge(scenario.name, mine), merge(base.name, theirs)


def wait_until_ready(port: int, timeout: float = 60.0) -> None:
    """Until /readyz answers 200 a few times in a row (every worker has built the app)."""
    import http.client

    deadline = time.monotonic() + timeout
    streak = 0
    while streak < 10 and time.monotonic() < deadline:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        try:
            connection.request("GET", "/readyz")
            streak = streak + 1 if connection.getresponse().status == 200 else 0
        except OSError:
            streak = 0
        finally:
            connection.close()
        time.sleep(0.1)


def load_baseline_alone(env: dict[str, str], args: Any) -> Result:
    """The baseline when no scenario was selected."""
    server = Server("bench.baseline_app:app", env, workers=args.workers)
    try:
        load(server.port, Scenario("warm-up", "GET", "/readyz"), seconds=1)
        return load(server.port, Scenario("baseline: bare Flask /readyz", "GET", "/readyz"),
                    seconds=args.seconds, concurrency=args.concurrency)
    finally:
        server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--only", default="")
    parser.add_argument("--workers", type=int, default=1,
                        help="gunicorn gevent workers for both servers (production runs one per core)")
    args = parser.parse_args()

    database_url = prepare_database()
    env = {**os.environ, "DATABASE_URL": database_url, "REDIS_URL": REDIS_URL, "ONETHING_LOG_LEVEL": "WARNING",
           "ONETHING_RATE_LIMIT_QR_TICKETS_PER_MINUTE": "100000000"}
    idp_process, issuer = start_identity_provider(env)
    env["ONETHING_OIDC_ISSUER"] = issuer
    os.environ.update({"DATABASE_URL": database_url, "REDIS_URL": REDIS_URL, "ONETHING_OIDC_ISSUER": issuer})
    from bff.app import create_app

    app = create_app({"DATABASE_URL": database_url, "REDIS_URL": REDIS_URL, "LOG_LEVEL": "WARNING"})
    app.extensions["redis"].flushdb()
    ctx = Context(app, app.config["SESSION_COOKIE_NAME"])
    modules = scenario_modules()
    scenarios = [s for s in collect_scenarios(ctx, modules) if s.name.startswith(args.only)]

    baseline_server = Server("bench.baseline_app:app", env, workers=args.workers)
    app_server = Server("wsgi:app", env, workers=args.workers)
    base = Scenario("baseline: bare Flask /readyz", "GET", "/readyz")
    try:
        # Both servers warm and idle before anything is measured (a worker still importing the
        # app takes CPU from whatever is being measured: once a third of the baseline's rate).
        wait_until_ready(app_server.port)
        load(baseline_server.port, base, seconds=1)
        load(app_server.port, Scenario("warm-up", "GET", "/readyz"), seconds=1)
        results: list[Result] = []
        paired: list[Result] = []
        for scenario in scenarios:
            load(app_server.port, scenario, seconds=min(1.0, args.seconds))  # warm-up
            result, baseline_slices = alternate(baseline_server.port, app_server.port, scenario, args)
            results.append(result)
            paired.append(baseline_slices)
        for module in modules:
            if hasattr(module, "custom"):
                before = load(baseline_server.port, base, seconds=args.seconds / 2, concurrency=args.concurrency)
                measured = [r for r in module.custom(ctx, app_server.port, args.seconds, args.concurrency)
                            if r.name.startswith(args.only)]
                after = load(baseline_server.port, base, seconds=args.seconds / 2, concurrency=args.concurrency)
                results.extend(measured)
                paired.extend([merge(base.name, [before, after])] * len(measured))
    finally:
        app_server.stop()
        baseline_server.stop()
        os.killpg(idp_process.pid, 15)
    baseline = merge(base.name, paired) if paired else load_baseline_alone(env, args)
    print(f"\nOneThing benchmark, {time.strftime('%Y-%m-%d %H:%M')}, gunicorn -k gevent -w {args.workers}, "
          f"{args.concurrency} connections, {args.seconds:.0f}s each in {ROUNDS} slices alternating with the "
          f"baseline; ratio = req/s ÷ the baseline's req/s in the same slices (base r/s)\n")
    print(report(results, baseline, paired))
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / "latest.json").write_text(json.dumps([
        {"name": r.name, "rps": r.rps, "p50_ms": r.percentile(50), "p99_ms": r.percentile(99),
         "errors": r.errors, "baseline_rps": b.rps, "ratio": r.rps / b.rps}
        for r, b in [(baseline, baseline), *zip(results, paired, strict=True)]], indent=2))


if __name__ == "__main__":
    main()
