"""``mercato db``: the embedded cluster (up/down/url/psql) and Sqitch-compatible deployment."""

from __future__ import annotations

import os
import shutil
import sys

import click

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
    names = ("mercato_anon", "mercato_user", "mercato_service", "mercato_authenticator", "mercato_owner")
    query = "SELECT rolname FROM pg_roles WHERE rolname = ANY(%s)"
    with psycopg.connect(database_url(), autocommit=True) as conn:
        before = {r[0] for r in conn.execute(query, (list(names),))}
        conn.execute(script)
        after = {r[0] for r in conn.execute(query, (list(names),))}
    for name in names:
        click.echo(f"{name}: {'created' if name in after - before else 'exists'}")


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
