"""``mercato demo``: the guided tour of :mod:`mercato.harness.demo` (imported only when the command runs).

The demo writes demo rows and, to show "a month of use", moves one RFQ's and contract's dates into the past in one
transaction with the guard triggers off (``session_replication_role = replica``, :mod:`mercato.harness.timeshift`).
So it runs on the embedded cluster only; with ``DATABASE_URL`` set it refuses unless ``--any-database`` says that
database is a scratch one.
"""

from __future__ import annotations

import os

import click


@click.command(name="demo")
@click.option("--any-database", is_flag=True,
              help="Run on the database DATABASE_URL names (a scratch database: the demo writes rows and moves dates "
                   "with guard triggers off for one transaction).")
def command(any_database: bool) -> None:
    """Tell the Mercato story on the embedded cluster (or, with --any-database, on DATABASE_URL's database)."""
    if os.environ.get("DATABASE_URL") and not any_database:
        raise click.UsageError(
            "the demo writes demo rows and moves dates with guard triggers off (session_replication_role = replica) "
            "for one transaction, so it runs on the embedded cluster only. DATABASE_URL names another database; if "
            "that is a scratch database, run `mercato demo --any-database`.")
    from mercato.harness.demo import tell

    tell()
