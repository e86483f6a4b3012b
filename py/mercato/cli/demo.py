"""``mercato demo``: the guided tour of :mod:`mercato.harness.demo` (imported only when the command runs).

The demo writes demo rows and, to show "a month of use", moves one RFQ's and contract's dates into the past in one
transaction with the guard triggers off (``session_replication_role = replica``, :mod:`mercato.harness.timeshift`).
So it runs on the embedded cluster only; with ``DATABASE_URL`` set it refuses unless ``--any-database`` says that
database is a scratch one.
"""

from __future__ import annotations

import os

import click


_any_database = click.option(
    "--any-database", is_flag=True,
    help="Run on the database DATABASE_URL names (a scratch database: the demo writes rows and moves dates with guard "
         "triggers off for one transaction).")


def _refuse_other_database(any_database: bool) -> None:
    if os.environ.get("DATABASE_URL") and not any_database:
        raise click.UsageError(
            "the demo writes demo rows and moves dates with guard triggers off (session_replication_role = replica) "
            "for one transaction, so it runs on the embedded cluster only. DATABASE_URL names another database; if "
            "that is a scratch database, run `mercato demo --any-database`.")


@click.group(name="demo", invoke_without_command=True)
@_any_database
@click.pass_context
def command(ctx: click.Context, any_database: bool) -> None:
    """Tell the Mercato story (Movello, end to end) on the embedded cluster (or, with --any-database, on DATABASE_URL's
    database); `mercato demo store` tells the card shop's, `mercato demo payments` the payments platform's."""
    if ctx.invoked_subcommand is not None:
        ctx.obj = {"any_database": any_database}
        return
    _refuse_other_database(any_database)
    from mercato.harness.demo import tell

    tell()


@command.command(name="store")
@_any_database
@click.pass_context
def store(ctx: click.Context, any_database: bool) -> None:
    """The card shop (issue 18): a graded slab and sealed product in two locations, channel orders (one imported
    twice), two buyers racing for the last copy, a fulfilment batch, a purchase order partly received, a refund to store
    credit, the inventory summary and inventory.check()."""
    _refuse_other_database(any_database or bool((ctx.obj or {}).get("any_database")))
    from mercato.harness.demo_store import tell

    tell()


@command.command(name="payments")
@_any_database
@click.pass_context
def payments(ctx: click.Context, any_database: bool) -> None:
    """The payments platform (issue 19): M-Pesa and bank top-ups through the rail simulator (a duplicate callback, a
    spoofed one the status query does not confirm, a bad signature), a payment split between wallet and M-Pesa, goods
    escrow released on delivery, an invoice paid by QR, an installment plan with a late payment, a withdrawal with its
    fee, the fee report and ledger.check()."""
    _refuse_other_database(any_database or bool((ctx.obj or {}).get("any_database")))
    from mercato.harness.demo_payments import tell

    tell()
