"""``mercato db``: the embedded cluster (up/down/url/psql) and Sqitch-compatible deployment."""

from __future__ import annotations

import json
import os
import shutil
import sys

import click

from mercato.cli.common import emit
from mercato.cluster import Cluster
from mercato.config import database_url


@click.group()
def db() -> None:
    """Manage the database: embedded cluster and deployments."""


@db.command()
def up() -> None:
    """Create (first time) and start the embedded cluster in .mercato/."""
    if os.environ.get("DATABASE_URL"):
        click.echo("DATABASE_URL is set; the embedded cluster is not used", err=True)
        return
    cluster = Cluster.default()
    cluster.up()
    click.echo(f"embedded PostgreSQL running: {cluster.url()}")


@db.command()
def down() -> None:
    """Stop the embedded cluster."""
    cluster = Cluster.default()
    cluster.down()
    click.echo("embedded PostgreSQL stopped")


@db.command()
def url() -> None:
    """Print the connection URL Mercato uses (DATABASE_URL or the embedded cluster)."""
    click.echo(database_url())


@db.command()
def roles() -> None:
    """Create Mercato's cluster-wide roles where missing (db/roles.sql); run it before pg_restore on a fresh cluster."""
    import psycopg

    from mercato.config import project_root

    script = (project_root() / "db" / "roles.sql").read_text()
    names = ("mercato_anon", "mercato_user", "mercato_service", "mercato_authenticator", "mercato_owner",
             "mercato_sender")
    query = "SELECT rolname FROM pg_roles WHERE rolname = ANY(%s)"
    with psycopg.connect(database_url(), autocommit=True) as conn:
        before = {r[0] for r in conn.execute(query, (list(names),))}
        conn.execute(script)
        after = {r[0] for r in conn.execute(query, (list(names),))}
    for name in names:
        click.echo(f"{name}: {'created' if name in after - before else 'exists'}")


@db.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
def check(as_json: bool) -> None:
    """Run every module's integrity checks (ledger, contracts, settlement, ...); exit 1 on any violation.

    Each module's check() in one snapshot (full scans: it says so on stderr when it starts and how long it took);
    stdout carries one line per check, stderr each violated check with sample offending rows. The same checks run
    daily as the jobs <module>.integrity (mercato jobs history). Not to be confused with check-drift (deployed scripts).
    """
    import time

    from mercato import integrity

    started = time.monotonic()
    with integrity.connect() as conn:
        modules = integrity.check_modules(conn)
        click.echo(f"checking {', '.join(modules) or 'no module'} (full scans) ...", err=True)
        results = integrity.check_all(conn, modules)
    failed = [r for r in results if not r.ok]
    click.echo(f"{len(results) - len(failed)} of {len(results)} checks ok, {time.monotonic() - started:.1f} s", err=True)
    emit(results, as_json=as_json, columns=None if as_json else ["module", "check_name", "ok", "violations"])
    if failed:
        if not as_json:
            for r in failed:
                click.echo(f"\n{r.module}.{r.check_name}: {r.violations} violation(s), e.g.", err=True)
                for row in (r.sample or [])[:10]:
                    click.echo(f"  {json.dumps(row, ensure_ascii=False)}", err=True)
        sys.exit(1)


@db.command(context_settings={"ignore_unknown_options": True})
@click.argument("psql_args", nargs=-1, type=click.UNPROCESSED)
def psql(psql_args: tuple[str, ...]) -> None:
    """Open psql on the target database (extra arguments go to psql)."""
    exe = shutil.which("psql")
    if not exe:
        raise click.ClickException("psql not found (apt-get install postgresql-client)")
    target = database_url()
    sys.stdout.flush()
    os.execv(exe, [exe, target, *psql_args])


try:
    import mercato.cli.db_sqitch as db_sqitch
except ModuleNotFoundError as exc:  # pragma: no cover - during bootstrap only
    if exc.name != "mercato.cli.db_sqitch":
        raise
else:
    db_sqitch.register(db)
