"""``mercato ledger``: accounts, transfers, holds, reversals, balances, statements, integrity, sweep.

The CLI acts as a trusted back-office caller (the database URL's role). Amounts are passed through as
text; the database validates them. Every refusal is one ``error: <CODE>: …`` line and exit status 1.
"""

from __future__ import annotations

import datetime as dt
import sys
import time
from decimal import Decimal, InvalidOperation

import click

from mercato.cli.common import emit
from mercato.client import Client


class AmountType(click.ParamType):
    """A decimal amount as typed (validated as a number here, as money by the database)."""

    name = "amount"

    def convert(self, value, param, ctx):  # type: ignore[no-untyped-def]
        try:
            Decimal(str(value))
        except InvalidOperation:
            self.fail(f"{value!r} is not a decimal amount", param, ctx)
        return str(value)


AMOUNT = AmountType()
INSTANT = click.DateTime(["%Y-%m-%dT%H:%M:%S.%f%z", "%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%dT%H:%M:%S.%f", "%Y-%m-%dT%H:%M:%S",
                          "%Y-%m-%d"])


def _utc(value: dt.datetime | None) -> dt.datetime | None:
    """A naive instant typed on the command line is UTC (the cluster's zone), never this machine's zone."""
    return value if value is None or value.tzinfo else value.replace(tzinfo=dt.timezone.utc)


def _destination(value: str) -> dict[str, str | int]:
    account, sep, amount = value.partition(":")
    if not sep or not account.isdigit():
        raise click.BadParameter(f"{value!r}: expected ACCOUNT_ID:AMOUNT, e.g. 7:90.00", param_hint="--to")
    return {"account_id": int(account), "amount": AMOUNT.convert(amount, None, None)}


json_option = click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
reference_option = click.option("--reference", "-r", required=True,
                                help="Caller reference (idempotency key): replaying it returns the original result.")


@click.group(name="ledger")
def command() -> None:
    """Double-entry ledger: accounts, transfers, escrow holds, reversals, integrity."""


@command.command("open")
@click.option("--owner-type", required=True, help="e.g. BUSINESS, PROVIDER, PLATFORM")
@click.option("--owner-id", required=True)
@click.option("--purpose", required=True,
              type=click.Choice(["MAIN", "ESCROW", "COMMISSION", "CREDIT_LINE", "CLEARING", "EXTERNAL", "FEES", "REVENUE"]))
@click.option("--currency", required=True, help="ISO 4217 code, e.g. ETB")
@click.option("--allow-negative", is_flag=True)
@click.option("--overdraft-limit", type=AMOUNT, default="0")
@click.option("--receive-only", is_flag=True)
@click.option("--slots", type=int, default=1, show_default=True, help="> 1 makes a hot account")
@json_option
def open_(owner_type: str, owner_id: str, purpose: str, currency: str, allow_negative: bool, overdraft_limit: str,
          receive_only: bool, slots: int, as_json: bool) -> None:
    """Open (or find the identical) ledger account."""
    with Client() as client:
        account_id = client.ledger.open_account(owner_type, owner_id, purpose, currency, allow_negative=allow_negative,
                                         overdraft_limit=overdraft_limit, receive_only=receive_only, slots=slots)
        emit(client.ledger.account_balance(account_id), as_json=as_json)


@command.command()
@reference_option
@click.option("--from", "debit", type=int, required=True, help="Account to debit.")
@click.option("--to", "credit", type=int, required=True, help="Account to credit.")
@click.option("--amount", type=AMOUNT, required=True)
@click.option("--memo")
@json_option
def transfer(reference: str, debit: int, credit: int, amount: str, memo: str | None, as_json: bool) -> None:
    """Move money between two accounts (one balanced transaction)."""
    with Client() as client:
        tx = client.ledger.transfer(reference, debit, credit, amount, memo=memo)
        emit({"reference": reference, "transaction_id": tx}, as_json=as_json)


@command.command()
@reference_option
@click.option("--account", type=int, required=True)
@click.option("--amount", type=AMOUNT, required=True)
@click.option("--expires-in", type=click.IntRange(1, 10 * 366 * 24 * 60), default=None,
              help="Minutes until the hold expires, counted on the database clock (at most 10 years). A retry "
                   "computes a new expiry, so it is a different request: retry with --expires-at instead.")
@click.option("--expires-at", type=INSTANT, default=None,
              help="Instant the hold expires (UTC unless an offset is given); the same on every retry.")
@click.option("--memo")
@json_option
def hold(reference: str, account: int, amount: str, expires_in: int | None, expires_at: dt.datetime | None,
         memo: str | None, as_json: bool) -> None:
    """Reserve funds on an account (escrow)."""
    if expires_in is not None and expires_at is not None:
        raise click.BadParameter("give --expires-in or --expires-at, not both", param_hint="--expires-at")
    with Client() as client:
        expires_at = _utc(expires_at)
        if expires_in is not None:  # the database clock decides (CONVENTIONS.md), not this machine's
            with client.transaction() as conn:
                expires_at = conn.execute("SELECT now() + make_interval(mins => %s)", (expires_in,)).fetchone()[0]
        hold_id = client.ledger.create_hold(reference, account, amount, expires_at=expires_at, memo=memo)
        emit({"reference": reference, "hold_id": hold_id}, as_json=as_json)


@command.command()
@reference_option
@click.option("--hold", "hold_id", type=int, required=True)
@click.option("--to", "destinations", multiple=True, required=True, metavar="ACCOUNT_ID:AMOUNT",
              help="A destination; repeat for a split (e.g. --to 7:90.00 --to 9:10.00).")
@click.option("--memo")
@json_option
def capture(reference: str, hold_id: int, destinations: tuple[str, ...], memo: str | None, as_json: bool) -> None:
    """Capture a hold to one or more destinations; the rest is released."""
    parsed = [_destination(d) for d in destinations]
    with Client() as client:
        tx = client.ledger.capture_hold(reference, hold_id, parsed, memo=memo)
        emit({"reference": reference, "hold_id": hold_id, "transaction_id": tx}, as_json=as_json)


@command.command()
@reference_option
@click.option("--hold", "hold_id", type=int, required=True)
@json_option
def release(reference: str, hold_id: int, as_json: bool) -> None:
    """Release a hold."""
    with Client() as client:
        client.ledger.release_hold(reference, hold_id)
        emit({"reference": reference, "hold_id": hold_id, "status": "RELEASED"}, as_json=as_json)


@command.command()
@reference_option
@click.option("--transaction", "transaction_id", type=int, required=True)
@click.option("--memo")
@json_option
def reverse(reference: str, transaction_id: int, memo: str | None, as_json: bool) -> None:
    """Reverse a transaction (post its mirror image, once)."""
    with Client() as client:
        tx = client.ledger.reverse(reference, transaction_id, memo=memo)
        emit({"reference": reference, "reversed": transaction_id, "transaction_id": tx}, as_json=as_json)


@command.command()
@click.argument("account_ids", type=int, nargs=-1, required=True)
@click.option("--at", type=INSTANT, default=None,
              help="Balance as of this instant (UTC unless an offset is given).")
@json_option
def balance(account_ids: tuple[int, ...], at: dt.datetime | None, as_json: bool) -> None:
    """Balance, held and available of accounts (or the balance at an instant with --at)."""
    with Client() as client:
        if at is None:
            emit([client.ledger.account_balance(a) for a in account_ids], as_json=as_json)
        else:
            at = _utc(at)
            emit([{"account_id": a, "at": at, "balance": client.ledger.balance_at(a, at)} for a in account_ids],
                 as_json=as_json)


@command.command()
@click.argument("account_id", type=int)
@click.option("--from", "start", type=INSTANT, default=None, help="First instant (inclusive; UTC unless an offset is given).")
@click.option("--to", "end", type=INSTANT, default=None, help="Last instant (exclusive).")
@click.option("--after-seq", type=click.IntRange(0), default=0, show_default=True,
              help="Keyset pagination: last seq seen (plain accounts; a hot account numbers entries per slot, use --all).")
@click.option("--limit", type=click.IntRange(1, 10000), default=50, show_default=True)
@click.option("--all", "everything", is_flag=True, help="Every entry in the range, fetched page by page (any account).")
@json_option
def statement(account_id: int, start: dt.datetime | None, end: dt.datetime | None, after_seq: int, limit: int,
              everything: bool, as_json: bool) -> None:
    """Entries of an account, oldest first, with running balances."""
    with Client() as client:
        if everything:
            lines = list(client.ledger.iter_statement(account_id, start=_utc(start), end=_utc(end), page_size=max(limit, 500)))
        else:
            lines = client.ledger.statement(account_id, start=_utc(start), end=_utc(end), after_seq=after_seq, limit=limit)
        emit(lines, as_json=as_json,
             columns=None if as_json else ["seq", "slot", "posted_at", "amount", "balance_after", "reference", "memo"])


@command.command()
@json_option
def check(as_json: bool) -> None:
    """Verify the ledger's invariants; exit 1 and show the offending rows on any violation.

    A full scan of the entries (twice): tens of seconds for millions of entries. It says so on stderr when it
    starts and how long it took when it is done; stdout carries only the results.
    """
    click.echo("ledger.check(): verifying every entry, account and hold (a full scan) ...", err=True)
    started = time.monotonic()
    with Client() as client:
        results = client.ledger.check()
    failed = [r for r in results if not r.ok]
    click.echo(f"ledger.check(): {len(results) - len(failed)} of {len(results)} checks ok, "
               f"{time.monotonic() - started:.1f} s", err=True)
    emit(results, as_json=as_json, columns=None if as_json else ["check_name", "ok", "violations"])
    if failed:
        if not as_json:
            for r in failed:
                click.echo(f"\n{r.check_name}: {r.violations} violation(s), e.g.", err=True)
                for row in (r.sample or [])[:10]:
                    click.echo(f"  {row}", err=True)
        sys.exit(1)


@command.command()
@click.option("--limit", type=click.IntRange(1, 100000), default=1000, show_default=True)
@json_option
def sweep(limit: int, as_json: bool) -> None:
    """Expire holds past their expiry (run from a scheduler)."""
    with Client() as client:
        emit({"expired": client.ledger.expire_holds(limit)}, as_json=as_json)
