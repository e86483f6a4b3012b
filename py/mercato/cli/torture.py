"""``mercato torture``: many clients, a random operation mix, crash-restarts, then every invariant."""

from __future__ import annotations

import sys
import time

import click


@click.command(name="torture")
@click.option("--clients", type=click.IntRange(1, 256), default=8, show_default=True)
@click.option("--seconds", type=click.FloatRange(1, 86_400), default=30, show_default=True)
@click.option("--crashes", type=click.IntRange(0, 1000), default=0, show_default=True,
              help="Kill the server (pg_ctl stop -m immediate) this many times during the run, restarting it each time.")
@click.option("--accounts", type=click.IntRange(10, 1_000_000), default=200, show_default=True)
@click.option("--seed", type=int, default=1, show_default=True)
@click.option("--market/--no-market", default=True, show_default=True,
              help="Run the marketplace's operations (RFQs, bids, awards, contracts, escrow, OTP delivery, settlement) "
                   "alongside the ledger's.")
@click.option("--auth/--no-auth", default=True, show_default=True,
              help="Run sign-in, refresh (a reused token too), sign-out, revoke-all, access-token checks and outbox "
                   "enqueue/claim/report alongside.")
@click.option("--store/--no-store", default=True, show_default=True,
              help="Run the store's operations alongside: orders placed (staff, customers), imported, paid (external, "
                   "store credit), fulfilled, cancelled, refunded; reservations expired; fulfilment batches; purchase "
                   "order receipts.")
@click.option("--payments/--no-payments", default=True, show_default=True,
              help="Run the payments product alongside: payment intents (idempotency keys), refunds, KCB top-ups and "
                   "withdrawals, signed bank callbacks (duplicates, bad signatures), the payments jobs.")
def command(clients: int, seconds: float, crashes: int, accounts: int, seed: int, market: bool, auth: bool,
            store: bool, payments: bool) -> None:
    """Run the torture mix on a dedicated embedded cluster (.mercato/torture), then check the invariants.

    The cluster is separate from the project's, so killing it disturbs nothing else; its database is
    re-created and deployed at every run. Exit status 1 on any violation.
    """
    from mercato.harness.torture import dedicated_cluster, run

    cluster, url = dedicated_cluster("torture", log=lambda line: click.echo(line, err=True))
    click.echo(f"[setup] deployed; {clients} clients for {seconds:g} s, {crashes} crashes"
               f"{', with the marketplace' if market else ''}{', with sign-in and the outbox' if auth else ''}"
               f"{', with the store' if store else ''}{', with payments' if payments else ''}", err=True)
    last = [0.0]

    def progress(report, elapsed: float) -> None:  # type: ignore[no-untyped-def]
        if elapsed - last[0] >= 2 or elapsed < 0.1:
            last[0] = elapsed
            rate = report.operations / elapsed if elapsed else 0
            click.echo(f"[{elapsed:6.1f}s] operations {report.operations:,} ({rate:,.0f}/s), refused "
                       f"{sum(report.refused.values()):,}, retried {report.retries:,}, crashes {report.crashes}/{crashes}",
                       err=True)

    started = time.monotonic()
    report = run(url, clients=clients, seconds=seconds, crashes=crashes, crash=cluster.crash, restart=cluster.up,
                 accounts=accounts, seed=seed, market=market, auth=auth, store=store, payments=payments,
                 progress=progress)
    click.echo(f"operations {report.operations:,} in {report.seconds:.1f} s by {clients} clients "
               f"({report.operations / max(report.seconds, 1e-9):,.0f}/s); crashes {report.crashes}; "
               f"retried after a lost answer {report.retries:,}; idempotent replays checked {report.replays:,}")
    click.echo("by kind: " + ", ".join(f"{k} {v:,}" for k, v in report.by_kind.most_common()))
    click.echo("refused (documented codes): " + (", ".join(f"{k} {v:,}" for k, v in report.refused.most_common()) or "none"))
    if report.store:
        click.echo("store: " + ", ".join(f"{k} {v:,}" for k, v in report.store.items()))
    if report.payments:
        click.echo("payments: " + ", ".join(f"{k} {v}" for k, v in report.payments.items()))
    click.echo(f"violations: {len(report.violations)} (checked in {time.monotonic() - started - report.seconds:.1f} s)")
    for v in report.violations[:50]:
        click.echo(f"VIOLATION {v}")
    if report.violations:
        sys.exit(1)
