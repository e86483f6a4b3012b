"""``mercato settle``: pay providers for closed periods from escrow; read cycles; integrity.

Settling is a back-office action (the database URL's role, or ``--as`` an admin); a provider can read its own
cycles with ``--as SUBJECT``.
"""

from __future__ import annotations

import sys

import click

from mercato.cli.common import caller_option, client_for, emit

json_option = click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
DATE = click.DateTime(["%Y-%m-%d"])
CYCLE_COLUMNS = ["id", "provider_id", "currency", "period_start", "period_end", "gross", "commission", "net", "reference"]


@click.group(name="settle")
def command() -> None:
    """Settlement: per provider and closed period, gross - commission = net, from escrow."""


@command.command()
@click.argument("provider_id", type=int)
@click.option("--from", "start", type=DATE, required=True, help="First day of the period (YYYY-MM-DD).")
@click.option("--to", "end", type=DATE, required=True, help="Last day of the period, before today.")
@click.option("--reference", "-r", required=True, help="Idempotency key: a replay returns the original cycle.")
@click.option("--currency", default=None, help="Default: the MARKETPLACE_CURRENCY setting.")
@caller_option
@json_option
def provider(provider_id: int, start, end, reference: str, currency: str | None, as_subject: str | None,
             as_json: bool) -> None:  # type: ignore[no-untyped-def]
    """Settle one provider for [--from, --to]."""
    with client_for(as_subject) as client:
        cycle = client.settlement.settle_provider(provider_id, start.date(), end.date(), reference, currency)
    emit(cycle, as_json=as_json, columns=None if as_json else CYCLE_COLUMNS)


@command.command()
@click.option("--from", "start", type=DATE, required=True)
@click.option("--to", "end", type=DATE, required=True)
@click.option("--one-transaction", is_flag=True,
              help="Settle everyone in one transaction (settlement.run_period) instead of one committed step per provider.")
@caller_option
@json_option
def run(start, end, one_transaction: bool, as_subject: str | None, as_json: bool) -> None:  # type: ignore[no-untyped-def]
    """Settle every provider with earnings in [--from, --to].

    By default one committed transaction per provider and currency (api.period_to_settle, then
    api.settle_period_step for each): resumable after a crash, no lock held for the whole run, and safe behind a
    transaction pooler. --one-transaction prints totals per currency."""
    with client_for(as_subject) as client:
        if one_transaction:
            emit(client.settlement.run(start.date(), end.date()), as_json=as_json)
            return
        cycles, skipped = client.settlement.run_in_steps(start.date(), end.date())
    emit({"cycles": cycles, "skipped_already_settled": skipped}, as_json=as_json)


@command.command()
@click.option("--provider", "provider_id", type=int, default=None)
@click.option("--limit", type=int, default=100, show_default=True)
@caller_option
@json_option
def cycles(provider_id: int | None, limit: int, as_subject: str | None, as_json: bool) -> None:
    """Settlement cycles: a provider's own (--as), or any for the back office."""
    with client_for(as_subject) as client:
        emit(client.settlement.list_cycles(provider_id, limit), as_json=as_json, columns=None if as_json else CYCLE_COLUMNS)


@command.command()
@click.argument("cycle_id", type=int)
@caller_option
@json_option
def show(cycle_id: int, as_subject: str | None, as_json: bool) -> None:
    """One cycle with its lines."""
    with client_for(as_subject) as client:
        data = client.settlement.get_cycle(cycle_id)
    if as_json:
        emit(data, as_json=True)
        return
    emit({k: data[k] for k in CYCLE_COLUMNS}, as_json=False)
    click.echo()
    emit(data["lines"], as_json=False, title="lines:",
         columns=["contract_line_id", "vehicle_days", "unit_price", "gross", "commission_rate", "commission", "net",
                  "ledger_transaction_id"])


@command.command()
@json_option
def check(as_json: bool) -> None:
    """Verify settlement's invariants; exit 1 on any violation."""
    with client_for(None) as client:
        results = client.settlement.check()
    emit(results, as_json=as_json, columns=None if as_json else ["check_name", "ok", "violations"])
    failed = [r for r in results if not r.ok]
    if failed:
        if not as_json:
            for r in failed:
                click.echo(f"{r.check_name}: {r.violations} violation(s), e.g. {(r.sample or [])[:3]}", err=True)
        sys.exit(1)
