"""``flask catalog check DIR`` and ``flask catalog diff DIR``: a province's catalog, checked and compared.

``check`` needs no database: it loads the directory with the same loader the app uses and prints
every problem as ``file:line: key: what``. ``diff`` compares the directory with the live catalog
(or ``--against`` another directory, or ``--from-version`` a version applications were submitted
with) and counts the applications in flight of each affected bundle (docs/catalog.md).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from flask.cli import AppGroup

from bff.core.catalog import Catalog, CatalogError, check_catalog_dir, default_catalog, load_catalog
from bff.core.catalog_diff import diff_catalogs, render_diff

catalog_cli = AppGroup("catalog", help="Check a catalog directory and see what it changes.")
DIRECTORY = click.Path(exists=True, file_okay=False, path_type=Path)


@catalog_cli.command("check", with_appcontext=False)
@click.argument("directory", type=DIRECTORY)
def check_catalog(directory: Path) -> None:
    """Validate DIRECTORY (same layout as bff/catalog); exit 1 listing every problem."""
    problems = check_catalog_dir(directory)
    if problems:
        for problem in problems:
            click.echo(problem)
        click.echo(f"{len(problems)} problem(s) in {directory}", err=True)
        sys.exit(1)
    catalog = load_catalog(directory)
    click.echo(f"{directory}: valid, version {catalog.version}: {len(catalog.bundles)} bundles, "
               f"{len(catalog.items)} items, {len(catalog.fields)} fields, {len(catalog.departments)} departments")


@catalog_cli.command("diff")
@click.argument("directory", type=DIRECTORY)
@click.option("--against", type=DIRECTORY, help="Compare with this directory instead of the live catalog.")
@click.option("--from-version", help="Compare with the catalog of this version (one applications were submitted with).")
@click.option("--json", "as_json", is_flag=True, help="Print the comparison as JSON.")
def diff_catalog(directory: Path, against: Path | None, from_version: str | None, as_json: bool) -> None:
    """What DIRECTORY changes for the live bundles, and how many applications of each are in flight."""
    from bff.extensions import db
    from bff.services.catalog_versions import in_flight_by_bundle

    after = _loaded(directory)
    before = _before(against, from_version)
    found = diff_catalogs(before, after)
    in_flight = in_flight_by_bundle(db.session)
    db.session.rollback()
    if as_json:
        for bundle in [*found["bundles"]["changed"], *found["bundles"]["removed"]]:
            bundle["in_flight"] = in_flight.get(bundle["code"], 0)
        click.echo(json.dumps(found, ensure_ascii=False, indent=2))
    else:
        click.echo(render_diff(found, in_flight))


def _loaded(directory: Path) -> Catalog:
    try:
        return load_catalog(directory)
    except CatalogError as error:
        raise click.ClickException(f"{directory} is not a valid catalog (run `flask catalog check`):\n"
                                   + "\n".join(error.problems)) from error


def _before(against: Path | None, version: str | None) -> Catalog:
    if against is not None and version is not None:
        raise click.UsageError("give --against or --from-version, not both")
    if against is not None:
        return _loaded(against)
    if version is None:
        return default_catalog()
    from bff.extensions import db
    from bff.services.catalog_versions import catalog_at_version, recorded_versions

    found = catalog_at_version(db.session, version)
    if found is None:
        known = ", ".join(v["version"] for v in recorded_versions(db.session)) or "none yet"
        raise click.ClickException(f"no application was submitted with catalog version {version} (recorded: {known})")
    return found
