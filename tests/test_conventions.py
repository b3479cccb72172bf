"""House rules that hold for every route and module, enforced by walking the code."""

from __future__ import annotations

import ast
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from auth.permissions import RULES, rule_for
from bff.extensions import db
from bff.store.models import Base

ROOT = Path(__file__).resolve().parent.parent
FORBIDDEN_IN_CORE = {"flask", "flask_smorest", "sqlalchemy", "redis", "rq", "requests", "httpx", "urllib3",
                     "http", "urllib", "socket", "psycopg", "werkzeug", "gevent", "bff.store", "bff.api",
                     "bff.services", "bff.adapters", "bff.extensions", "auth"}


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def offending(names: set[str], forbidden: set[str]) -> set[str]:
    return {n for n in names if any(n == f or n.startswith(f + ".") for f in forbidden)}


def test_every_route_declares_who_may_call_it(app):
    undeclared = []
    for rule in app.url_map.iter_rules():
        view = app.view_functions[rule.endpoint]
        for method in sorted((rule.methods or set()) - {"OPTIONS"}):
            declared = rule_for(view, method)
            if declared not in RULES:
                undeclared.append(f"{method} {rule.rule} ({rule.endpoint}): {declared!r}")
    assert not undeclared, "routes without an access rule:\n" + "\n".join(undeclared)


def test_the_route_table_is_not_empty_so_the_walk_above_means_something(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert {"health.healthz", "health.readyz", "web.page"} <= endpoints


def test_core_imports_no_framework_database_cache_or_http_client():
    problems = {}
    for path in sorted((ROOT / "bff" / "core").rglob("*.py")):
        bad = offending(imported_modules(path), FORBIDDEN_IN_CORE)
        if bad:
            problems[str(path.relative_to(ROOT))] = sorted(bad)
    assert not problems, f"bff/core must stay pure: {problems}"


def test_auth_never_imports_bff():
    problems = {}
    for path in sorted((ROOT / "auth").rglob("*.py")):
        bad = offending(imported_modules(path), {"bff"})
        if bad:
            problems[str(path.relative_to(ROOT))] = sorted(bad)
    assert not problems, f"auth/ is wired by bff and must not import it: {problems}"


def test_migrations_at_head_match_the_models(app):
    with db.engine.connect() as connection:  # the per-run database, built by the migrations
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, Base.metadata)
    assert differences == [], f"run alembic autogenerate: models and migrations differ: {differences}"


def test_every_setting_is_documented_in_env_example():
    from bff.config import DEFAULTS

    documented = (ROOT / ".env.example").read_text(encoding="utf-8")
    missing = [key for key in DEFAULTS
               if f"ONETHING_{key}=" not in documented and not documented.count(f"\n{key}=")]
    assert not missing, f"add these settings to .env.example: {missing}"
