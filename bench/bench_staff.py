"""Service-desk benchmark: a resident's timeline with 10,000 events, and search among 1,000,000 residents.

Usage: python -m bench.bench_staff [--seconds 5] [--concurrency 8] [--residents 1000000]
                                   [--events 10000] [--workers 1] [--reuse]

On PostgreSQL (database ``onething_bench_staff``, rebuilt unless ``--reuse`` finds it seeded)
and Redis, through the real HTTP endpoints of the BFF under gunicorn + gevent, next to the
bare-Flask baseline measured in the same run (bench/baseline_app.py). Goals: timeline
p99 ≤ 100 ms, search by ID number p99 ≤ 20 ms.

Residents are bulk-loaded with COPY: ID numbers and mobiles are real ciphertexts from the
app's PiiCipher and their lookup hashes are the real ``lookup_hash``, so the search does
exactly what it does in production. Only 127.0.0.1 is contacted; every load is bounded.

``bench.run`` imports every bench_*.py: :func:`scenarios` gives it nothing, because this
benchmark needs its own database.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import time
from concurrent.futures import ProcessPoolExecutor
from datetime import date, timedelta
from typing import Any

import psycopg
import redis as redis_lib

from bench.harness import Result, Scenario, Server, load, report
from bench.run import SERVER_URL

DB_NAME = "onething_bench_staff"
REDIS_SERVER = os.environ.get("BENCH_REDIS_SERVER", "redis://127.0.0.1:6379")
ISSUER = "bench-staff"
CHUNK = 50_000
OTHERS_PER_EVENT = 20  # the resident's events are one in twenty of the table
EVENT_NAMES = ["login", "draft_saved", "case_transitioned", "push_delivered", "notification_created",
               "case_dispatched", "callback_received", "staff_viewed", "rating_given", "sms_sent"]


def scenarios(ctx: Any) -> list[Scenario]:
    return []  # needs its own database of a million residents: run ``python -m bench.bench_staff``


# --- Data ---------------------------------------------------------------------------------------

def resident_numbers(index: int) -> tuple[str, str]:
    """The ID number and mobile of bench resident ``index`` (deterministic, checksum-valid)."""
    from bff.core.idnumber import make_id_number

    born = date(1940, 1, 1) + timedelta(days=index // 900 % 25_000)
    return make_id_number("330106", born, index % 900 + 10), f"15{index:09d}"


def _copy_rows(args: tuple[int, int, str, str]) -> bytes:
    """One chunk of ``users`` rows in COPY text format (runs in a worker process)."""
    start, stop, key, hash_key = args
    from bff.store.crypto import PiiCipher

    cipher = PiiCipher(key, hash_key)
    lines = []
    for index in range(start, stop):
        id_number, mobile = resident_numbers(index)
        lines.append("\t".join((
            ISSUER, f"r{index}", "居民", cipher.encrypt(id_number), cipher.lookup_hash(id_number),
            cipher.encrypt(mobile), cipher.lookup_hash(mobile), '["resident"]', "f", "2026-01-01 00:00:00+00")))
    return ("\n".join(lines) + "\n").encode()


def seed_residents(url: str, count: int, key: str, hash_key: str) -> None:
    started = time.monotonic()
    with psycopg.connect(url) as connection:
        connection.execute("DROP INDEX IF EXISTS ix_users_id_number_hash")
        connection.execute("DROP INDEX IF EXISTS ix_users_mobile_hash")
        columns = "issuer, subject, name, id_number, id_number_hash, mobile, mobile_hash, roles, elder_mode, created_at"
        chunks = [(start, min(start + CHUNK, count), key, hash_key) for start in range(0, count, CHUNK)]
        with connection.cursor() as cursor, cursor.copy(f"COPY users ({columns}) FROM STDIN") as copy, \
                ProcessPoolExecutor(max_workers=max(os.cpu_count() or 1, 1)) as pool:
            for block in pool.map(_copy_rows, chunks):
                copy.write(block)
        connection.execute("CREATE INDEX ix_users_id_number_hash ON users (id_number_hash)")
        connection.execute("CREATE INDEX ix_users_mobile_hash ON users (mobile_hash)")
        connection.execute("ANALYZE users")
    print(f"seeded {count:,} residents in {time.monotonic() - started:.1f}s")


def seed_timeline(url: str, resident_id: int, application_id: int, officer_id: int, count: int,
                  residents: int) -> None:
    """``count`` events about one resident (half about their application), among 19 times as many
    events of other residents: the resident's are a sliver of a busy events table, as in production."""
    rng = random.Random(7)
    started = time.monotonic()
    with psycopg.connect(url) as connection:
        connection.execute("DELETE FROM events")
        first_user = connection.execute("SELECT min(id) FROM users WHERE issuer = %s", (ISSUER,)).fetchone()
        others = (first_user[0] if first_user and first_user[0] else 1, residents)
        with connection.cursor() as cursor, cursor.copy(
                "COPY events (occurred_at, name, actor_user_id, subject_user_id, application_id, data) "
                "FROM STDIN") as copy:
            total = count * OTHERS_PER_EVENT
            start = time.time() - total * 3
            for index in range(total):
                name = rng.choice(EVENT_NAMES)
                when = time.strftime("%Y-%m-%d %H:%M:%S+00", time.gmtime(start + index * 3))
                data = json.dumps({"version": index, "device": 1})
                if index % OTHERS_PER_EVENT:
                    copy.write_row((when, name, None, rng.randint(others[0], others[0] + others[1] - 1), None, data))
                    continue
                actor = officer_id if name == "case_transitioned" else (resident_id if index % 3 else None)
                about_application = index // OTHERS_PER_EVENT % 2 == 0
                copy.write_row((when, name, actor, resident_id, application_id if about_application else None, data))
        connection.execute("ANALYZE events")
    print(f"seeded {count * OTHERS_PER_EVENT:,} events ({count:,} about the resident) "
          f"in {time.monotonic() - started:.1f}s")


def timeline_seeded(url: str, resident_id: int, count: int) -> bool:
    with psycopg.connect(url) as connection:
        mine = connection.execute("SELECT count(*) FROM events WHERE subject_user_id = %s", (resident_id,)).fetchone()
        everyone = connection.execute("SELECT count(*) FROM events").fetchone()
    return bool(mine and everyone and mine[0] >= count and everyone[0] >= count * OTHERS_PER_EVENT)


def prepare(reuse: bool, residents: int, events: int) -> tuple[str, bool]:
    url = SERVER_URL.rpartition("/")[0] + f"/{DB_NAME}"
    if reuse:
        try:
            with psycopg.connect(url) as connection:
                seeded = connection.execute("SELECT count(*) FROM users WHERE issuer = %s", (ISSUER,)).fetchone()
            if seeded and seeded[0] >= residents:
                return url, False
        except psycopg.OperationalError:
            pass
    with psycopg.connect(SERVER_URL, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{DB_NAME}"')
    from bff.store.migrate import upgrade

    upgrade(url.replace("postgresql://", "postgresql+psycopg://", 1))
    return url, True


def claim_redis() -> tuple[str, redis_lib.Redis, str]:
    """A Redis database number claimed the way the tests claim theirs, so neither wipes the other."""
    admin = redis_lib.Redis.from_url(f"{REDIS_SERVER}/0")
    for number in range(15, 0, -1):
        if admin.set(f"onething-test-claim:{number}", "bench_staff", nx=True, ex=3600):
            return f"{REDIS_SERVER}/{number}", admin, f"onething-test-claim:{number}"
    raise RuntimeError("no free Redis database number")


# --- People and sessions ------------------------------------------------------------------------

def seed_people(app: Any, url: str, seeded: bool, events: int, residents: int) -> dict[str, Any]:
    from sqlalchemy import select

    from bff.core.applications import format_application_number
    from bff.demo import persona
    from bff.extensions import db
    from bff.services.users import upsert_user_from_claims
    from bff.store.models import Application

    people: dict[str, Any] = {}
    with app.app_context():
        for key in ("zhoumin", "zhangwei", "officer-health"):
            who = persona(key)
            user = upsert_user_from_claims(db.session, "bench-demo", who.key, {
                "name": who.name, "id_number": who.id_number, "phone_number": who.mobile,
                "roles": list(who.roles), "department": who.department})
            people[key] = user.id
        number = format_application_number(date(2026, 11, 26), 1)
        application = db.session.scalar(select(Application).where(Application.number == number))
        if application is None:
            application = Application(number=number, user_id=people["zhangwei"], bundle="birth",
                                      status="in_progress", subject="newborn")
            db.session.add(application)
        db.session.commit()
        people["application_id"] = application.id
        staff = app.extensions["sessions"].create(people["zhoumin"], ["staff"], None, device="bench", place="bench")
        people["cookie"] = f"{app.config['SESSION_COOKIE_NAME']}={staff.id}"
    if seeded or not timeline_seeded(url, people["zhangwei"], events):
        seed_timeline(url, people["zhangwei"], people["application_id"], people["officer-health"], events,
                      residents)
    vacuum(url)
    with psycopg.connect(url) as connection:
        low, high = connection.execute("SELECT min(id), max(id) FROM events WHERE subject_user_id = %s",
                                       (people["zhangwei"],)).fetchone() or (1, 1)
    people["event_ids"] = (low, high)
    return people


def vacuum(url: str) -> None:
    """What autovacuum does in production (it may be off on a benchmark server): without the visibility
    map that VACUUM sets, PostgreSQL cannot scan the (subject_user_id, id) index alone and walks the
    primary key past every other resident's newer events (each run's searches add thousands)."""
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute("VACUUM (ANALYZE) events")


def open_grant(port: int, people: dict[str, Any]) -> dict[str, str]:
    import http.client

    headers = {"Cookie": people["cookie"], "X-OneThing-CSRF": "1", "Content-Type": "application/json"}
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request("POST", f"/api/v1/staff/residents/{people['zhangwei']}/access",
                       body=json.dumps({"ticket": "BENCH-0001"}), headers=headers)
    response = connection.getresponse()
    body = json.loads(response.read())
    assert response.status == 201, body
    return {**headers, "X-Staff-Grant": body["grant"]}


# --- Scenarios ----------------------------------------------------------------------------------

def staff_scenarios(people: dict[str, Any], headers: dict[str, str], residents: int) -> list[Scenario]:
    rid = people["zhangwei"]
    base = f"/api/v1/staff/residents/{rid}/timeline"
    rng = random.Random(11)

    def deep_page(_: int) -> tuple[str, dict[str, str], bytes | None]:
        return f"{base}?limit=50&before={rng.randint(*people['event_ids'])}", headers, None

    def search(_: int) -> tuple[str, dict[str, str], bytes | None]:
        id_number, _mobile = resident_numbers(rng.randrange(residents))
        return "/api/v1/staff/search", headers, json.dumps({"query": id_number}).encode()

    return [
        Scenario("staff timeline, first page (10k events)", "GET", f"{base}?limit=50", headers=headers),
        Scenario("staff timeline, a deep page (before=…)", "GET", base, vary=deep_page),
        Scenario("staff timeline, rare kind (ratings)", "GET", f"{base}?kinds=ratings&limit=50", headers=headers),
        Scenario(f"staff search by ID number ({residents // 1000}k)", "POST", "/api/v1/staff/search", vary=search),
    ]


def direct_search(app: Any, residents: int, samples: int = 2000) -> list[float]:
    """The search's database part alone: one indexed lookup by keyed hash, in process."""
    from sqlalchemy import select

    from bff.extensions import db
    from bff.store.crypto import lookup_hash
    from bff.store.models import User

    rng, timings = random.Random(5), []
    with app.app_context():
        for _ in range(samples):
            id_number, _mobile = resident_numbers(rng.randrange(residents))
            started = time.perf_counter()
            found = db.session.scalars(select(User).where(User.id_number_hash == lookup_hash(id_number))).all()
            timings.append((time.perf_counter() - started) * 1000)
            assert len(found) == 1
            db.session.rollback()
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--residents", type=int, default=1_000_000)
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=1, help="gunicorn workers of the BFF (baseline: the same)")
    parser.add_argument("--reuse", action="store_true", help="keep a database already seeded by an earlier run")
    args = parser.parse_args()

    url, fresh = prepare(args.reuse, args.residents, args.events)
    redis_url, admin, claim = claim_redis()
    try:
        env = {**os.environ, "DATABASE_URL": url, "REDIS_URL": redis_url, "ONETHING_LOG_LEVEL": "WARNING"}
        os.environ.update({"DATABASE_URL": url, "REDIS_URL": redis_url})
        from bff.app import create_app

        app = create_app({"DATABASE_URL": url, "REDIS_URL": redis_url, "LOG_LEVEL": "WARNING"})
        app.extensions["redis"].flushdb()
        if fresh:
            seed_residents(url, args.residents, app.config["PII_KEY"], app.config["PII_HASH_KEY"])
        people = seed_people(app, url, fresh, args.events, args.residents)
        run(app, env, people, args)
    finally:
        admin.delete(claim)


def run(app: Any, env: dict[str, str], people: dict[str, Any], args: argparse.Namespace) -> None:
    """Each scenario twice: one connection (the latency a staff member sees) and under load."""
    baseline_server = Server("bench.baseline_app:app", env, workers=args.workers)
    app_server = Server("wsgi:app", env, workers=args.workers)
    tables: dict[int, tuple[Result, list[Result]]] = {}
    try:
        headers = open_grant(app_server.port, people)
        load(baseline_server.port, Scenario("warm-up", "GET", "/readyz"), seconds=1)
        for concurrency in sorted({1, args.concurrency}):
            baseline = load(baseline_server.port, Scenario("baseline: bare Flask /readyz", "GET", "/readyz"),
                            seconds=args.seconds, concurrency=concurrency)
            results: list[Result] = []
            for scenario in staff_scenarios(people, headers, args.residents):
                load(app_server.port, scenario, seconds=min(1.0, args.seconds))  # warm-up
                results.append(load(app_server.port, scenario, seconds=args.seconds, concurrency=concurrency))
            tables[concurrency] = (baseline, results)
    finally:
        app_server.stop()
        baseline_server.stop()
    direct = direct_search(app, args.residents)
    load_average = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"\nOneThing service-desk benchmark, {time.strftime('%Y-%m-%d %H:%M')}, gunicorn -k gevent -w {args.workers}, "
          f"{args.seconds:.0f}s each; {args.residents:,} residents, {args.events:,} timeline events; "
          f"ratio = req/s ÷ baseline req/s; {os.cpu_count()} CPUs, load average {load_average:.1f}")
    goals = {"timeline": 100.0, "search": 20.0}
    for concurrency, (baseline, results) in tables.items():
        print(f"\n{concurrency} connection{'s' if concurrency > 1 else ''}:")
        print(report(results, baseline))
        for result in results:
            goal = goals["search" if "search" in result.name else "timeline"]
            verdict = "meets" if result.percentile(99) <= goal else "MISSES"
            print(f"  {result.name}: p99 {result.percentile(99):.2f} ms {verdict} the {goal:.0f} ms goal")
    ordered = sorted(direct)
    print(f"\nsearch by ID number, database lookup alone (in process, {len(direct)} samples): "
          f"p50 {statistics.median(direct):.2f} ms, p99 {ordered[int(len(ordered) * 0.99)]:.2f} ms")


if __name__ == "__main__":
    main()
