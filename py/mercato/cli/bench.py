"""``mercato bench``: benchmarks that drive real load (pgbench) against the target server.

``mercato bench ledger`` (and ``marketplace``, ``outbox``, ``auth``, ``store``) creates its own databases (``--db-prefix``, dropped
and re-created on every run) on the server of DATABASE_URL or the embedded cluster, and never touches the ``mercato`` database.
Progress goes to stderr; the results table (or ``--json``) to stdout.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from types import ModuleType

import click

from mercato.cli.common import LazyChoice


def _harness() -> ModuleType:
    """mercato.harness.bench, imported when a bench command (or its help) needs it, never when the CLI starts."""
    from mercato.harness import bench

    return bench


@click.group(name="bench")
def command() -> None:
    """Benchmarks against a real server (results as ratios to pgbench's TPC-B-like run)."""


def _clients(_ctx: click.Context, _param: click.Parameter, value: str) -> tuple[int, ...]:
    try:
        counts = tuple(int(x) for x in value.split(",") if x.strip())
    except ValueError:
        raise click.BadParameter("a comma-separated list of client counts, e.g. 8,32") from None
    if not counts or any(c < 1 for c in counts):
        raise click.BadParameter("a comma-separated list of positive client counts, e.g. 8,32")
    return counts


@command.command(name="ledger")
@click.option("--seconds", type=click.IntRange(1), default=None, help="Duration of each pgbench run [30; 5 with --quick].")
@click.option("--clients", default="8,32", show_default=True, callback=_clients,
              help="Client counts, comma-separated; every case runs at each.")
@click.option("--quick", is_flag=True, help="Smoke test: 5 s runs, 2,000 accounts, TPC-B scale 5.")
@click.option("--accounts", type=click.IntRange(2), default=None, help="Funded accounts [100,000; 2,000 with --quick].")
@click.option("--scale", type=click.IntRange(1), default=None, help="pgbench -i scale of the baseline [50; 5 with --quick].")
@click.option("--batch", type=click.IntRange(1, 10000), default=100, show_default=True,
              help="Transfers per ledger.post_batch call.")
@click.option("--slots", type=click.IntRange(2, 64), default=64, show_default=True,
              help="Balance slots of the hot COMMISSION account (the most there may be; at least the client count "
                   "avoids queueing on a slot).")
@click.option("--db-prefix", default="mercato_bench", show_default=True,
              help="Database names: <prefix> (ledger) and <prefix>_tpcb (baseline); dropped and re-created.")
@click.option("--case", "cases", multiple=True, type=LazyChoice(lambda: _harness().CASE_NAMES),
              help="Run only this case (repeatable; default: all). The TPC-B baseline always runs.")
@click.option("--rounds", type=click.IntRange(1, 20), default=1, show_default=True,
              help="Repeat the cases this often per client count, a TPC-B run between rounds; each round is compared "
                   "with the TPC-B runs around it and the verdict is on the median (steadier on a small shared machine).")
@click.option("--profile", is_flag=True,
              help="Diagnosis: per-function self time of every ledger case (track_functions=all; slightly slower).")
@click.option("--keep/--drop", default=True, show_default=True, help="Keep the bench databases afterwards.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write the results section of this Markdown file (e.g. docs/benchmarks.md).")
def ledger(seconds: int | None, clients: tuple[int, ...], quick: bool, accounts: int | None, scale: int | None,
           batch: int, slots: int, db_prefix: str, cases: tuple[str, ...], rounds: int, profile: bool, keep: bool,
           as_json: bool, output: Path | None) -> None:
    """The ledger under load: transfers (random and hot account), batches, hold + capture.

    Targets (ratios in the same run, same client count): transfer ≥ 1.2 × TPC-B tps; hot-account
    transfer ≥ 0.8 × random transfer and no drop with more clients; post_batch ≥ 4 × TPC-B in
    transfers; create_hold + capture_hold pairs ≥ 0.6 × TPC-B. ledger.check() after every case.
    """
    from mercato.config import database_url, project_root

    b = _harness()
    if not re.fullmatch(r"[a-z_][a-z0-9_]{0,50}", db_prefix) or db_prefix in ("postgres", "mercato"):
        raise click.BadParameter("lower-case letters, digits and _, not postgres/mercato", param_hint="--db-prefix")
    settings = b.Settings(
        url=database_url(),
        seconds=seconds or (5 if quick else 30),
        clients=clients,
        accounts=accounts or (2_000 if quick else 100_000),
        scale=scale or (5 if quick else 50),
        batch=batch,
        slots=slots,
        db_prefix=db_prefix,
        quick=quick,
        keep=keep,
        profile=profile,
        rounds=rounds,
        command=b.command_line(sys.argv[1:]),
    )
    if settings.accounts > 2 ** 31 or settings.accounts < 2:
        raise click.BadParameter("between 2 and 2^31", param_hint="--accounts")
    selected = [c for c in b.CASES if not cases or c.name in cases]
    report = b.run(settings, root=project_root(), log=lambda line: click.echo(line, err=True), cases=selected)
    if output is not None:
        b.update_markdown(output, b.render_markdown(report))
        click.echo(f"[done] results written to {output}", err=True)
    if as_json:
        click.echo(json.dumps(report.as_dict(), indent=2, ensure_ascii=False))
    else:
        click.echo(b.render_text(report))
    if not report.checks_ok:
        raise click.ClickException("ledger.check() reported violations or a pgbench run aborted (see above)")


@command.command(name="marketplace")
@click.option("--case", "cases", multiple=True, type=click.Choice(["otp", "tiers", "settlement"]),
              help="Run only this case (repeatable; default: all).")
@click.option("--seconds", type=click.IntRange(1), default=30, show_default=True, help="Duration of the OTP pgbench runs.")
@click.option("--clients", type=click.IntRange(1), default=8, show_default=True, help="Clients of the OTP case.")
@click.option("--rounds", type=click.IntRange(1, 3), default=1, show_default=True,
              help="OTP runs, a TPC-B run before and after each; the ratio is their median (all must fit in the "
                   "codes' 10-minute lifetime).")
@click.option("--providers", type=click.IntRange(10), default=100_000, show_default=True, help="Providers of the tiers case.")
@click.option("--contracts", type=click.IntRange(10), default=10_000, show_default=True,
              help="Active contracts of the settlement case.")
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write the marketplace section of this Markdown file (e.g. docs/benchmarks.md).")
def marketplace(cases: tuple[str, ...], seconds: int, clients: int, rounds: int, providers: int, contracts: int,
                output: Path | None) -> None:
    """OTP verifications/s against TPC-B (target ≥ 0.8 ×), parties.recalculate_tiers() over many providers,
    settlement of many active contracts (seconds). Each case on its own fresh database; checks must stay clean."""
    from mercato.config import database_url
    from mercato.harness.bench_marketplace import MarketplaceBench, render_markdown, update_markdown

    b = _harness()

    if "otp" in (cases or ("otp",)) and MarketplaceBench.otp_plan_seconds(seconds, rounds) > MarketplaceBench.OTP_CODE_LIFETIME_S:
        raise click.BadParameter(f"{rounds} rounds of {seconds} s do not fit in the codes' 10-minute lifetime",
                                 param_hint="--rounds / --seconds")
    server = database_url()
    info = b.machine_info(re.sub(r"/[^/?]*(\?|$)", r"/postgres\1", server, count=1) if "://" in server else server)
    bench = MarketplaceBench(server, log=lambda line: click.echo(line, err=True))
    results = []
    for case in cases or ("otp", "tiers", "settlement"):
        if case == "otp":
            results.append(bench.otp(clients=clients, seconds=seconds, rounds=rounds))
        elif case == "tiers":
            results.append(bench.tiers(providers))
        else:
            results.append(bench.settlement(contracts))
    machine = {"machine": f"{info['cpus']} CPUs ({info['cpu_model']}), {info['memory_gb']} GB RAM",
               "load": info["load_average"],
               "server": f"{info['postgresql']}; " + ", ".join(f"{k}={v}" for k, v in sorted(info["server_settings"].items()))}
    text = render_markdown(results, command=b.command_line(sys.argv[1:]), machine=machine)
    click.echo(text)
    if output is not None:
        update_markdown(output, text)
        click.echo(f"wrote the marketplace section of {output}", err=True)
    if not all(r.checks_ok for r in results):
        sys.exit(1)


@command.command(name="outbox")
@click.option("--workers", type=click.IntRange(1, 64), default=8, show_default=True,
              help="Senders (threads with a connection each); pgbench TPC-B runs with as many clients.")
@click.option("--messages", type=click.IntRange(100), default=20_000, show_default=True)
@click.option("--batch", type=click.IntRange(1, 10000), default=100, show_default=True, help="Messages per claim.")
@click.option("--seconds", type=click.IntRange(1), default=10, show_default=True, help="Duration of the pgbench run.")
@click.option("--scale", type=click.IntRange(1), default=8, show_default=True, help="pgbench -i scale of the baseline.")
@click.option("--db-prefix", default="mercato_bench_outbox", show_default=True,
              help="Database names: <prefix> (outbox) and <prefix>_tpcb; dropped and re-created, dropped after.")
@click.option("--keep", is_flag=True, help="Keep the databases afterwards.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
def outbox(workers: int, messages: int, batch: int, seconds: int, scale: int, db_prefix: str, keep: bool,
           as_json: bool) -> None:
    """Outbox messages claimed and acknowledged per second by N senders, beside pgbench TPC-B (a ratio)."""
    from mercato.cli.common import emit
    from mercato.config import database_url
    from mercato.harness import bench_outbox

    result = bench_outbox.run(database_url(), workers=workers, messages=messages, batch=batch, seconds=seconds,
                              scale=scale, db_prefix=db_prefix, keep=keep, log=lambda line: click.echo(line, err=True))
    emit(result.as_dict(), as_json=as_json)
    if not (result.all_sent and result.secrets_left == 0):
        click.echo("error: not every message was SENT with its secret deleted", err=True)
        sys.exit(1)


@command.command(name="auth")
@click.option("--seconds", type=click.IntRange(1), default=30, show_default=True, help="Duration of each pgbench run.")
@click.option("--clients", type=click.IntRange(1, 256), default=8, show_default=True,
              help="pgbench clients of TPC-B and of every case, each client its own user.")
@click.option("--rounds", type=click.IntRange(1, 20), default=1, show_default=True,
              help="Repeat the cases this often, a TPC-B run between rounds; each round against the TPC-B runs around it, "
                   "medians reported.")
@click.option("--scale", type=click.IntRange(1), default=50, show_default=True, help="pgbench -i scale of the baseline.")
@click.option("--cost", type=click.IntRange(4, 15), default=12, show_default=True,
              help="bcrypt cost of the sign_in case (AUTH_BCRYPT_COST's production default).")
@click.option("--low-cost", type=click.IntRange(4, 15), default=4, show_default=True,
              help="bcrypt cost of the sign_in_low case (what the tests use).")
@click.option("--workers", type=click.IntRange(1, 64), default=8, show_default=True, help="Senders of the outbox case.")
@click.option("--messages", type=click.IntRange(100), default=20_000, show_default=True,
              help="Messages the outbox case drains per round.")
@click.option("--batch", type=click.IntRange(1, 10000), default=100, show_default=True, help="Messages per claim.")
@click.option("--case", "cases", multiple=True, type=LazyChoice(lambda: _auth_harness().CASE_NAMES),
              help="Run only this case (repeatable; default: all). The TPC-B baseline always runs.")
@click.option("--db-prefix", default="mercato_bench_auth", show_default=True,
              help="Database names: <prefix>, <prefix>_tpcb, <prefix>_outbox; dropped and re-created.")
@click.option("--keep/--drop", default=False, show_default=True, help="Keep the bench databases afterwards.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write the sign-in section of this Markdown file (e.g. docs/benchmarks.md).")
def auth(seconds: int, clients: int, rounds: int, scale: int, cost: int, low_cost: int, workers: int, messages: int,
         batch: int, cases: tuple[str, ...], db_prefix: str, keep: bool, as_json: bool, output: Path | None) -> None:
    """Sign-ins/s at the production and a low bcrypt cost, refreshes/s, access-token checks (api.me)/s and outbox
    messages claimed and acknowledged/s, each as a ratio to pgbench TPC-B, with CPU and WAL per call. Each client
    is its own user; the calls are made as PostgREST makes them. Exit status 1 when a run's outcome check fails."""
    from mercato.config import database_url, project_root

    b = _harness()
    a = _auth_harness()
    if not re.fullmatch(r"[a-z_][a-z0-9_]{0,40}", db_prefix) or db_prefix in ("postgres", "mercato"):
        raise click.BadParameter("lower-case letters, digits and _, not postgres/mercato", param_hint="--db-prefix")
    settings = a.AuthSettings(url=database_url(), seconds=seconds, clients=clients, rounds=rounds, scale=scale, cost=cost,
                              low_cost=low_cost, workers=workers, messages=messages, batch=batch, db_prefix=db_prefix,
                              keep=keep, cases=tuple(c for c in a.CASE_NAMES if not cases or c in cases),
                              command=b.command_line(sys.argv[1:]))
    report = a.run(settings, root=project_root(), log=lambda line: click.echo(line, err=True))
    if output is not None:
        a.update_markdown(output, a.render_markdown(report))
        click.echo(f"[done] results written to {output}", err=True)
    if as_json:
        click.echo(json.dumps(report.as_dict(), indent=2, ensure_ascii=False, default=str))
    else:
        click.echo(a.render_text(report))
    if not report.checks_ok:
        raise click.ClickException("a run's outcome check failed or a pgbench run aborted (see above)")


def _auth_harness() -> ModuleType:
    """mercato.harness.bench_auth, imported only when `bench auth` (or its help) needs it."""
    from mercato.harness import bench_auth

    return bench_auth


def _store_harness() -> ModuleType:
    """mercato.harness.bench_store, imported only when `bench store` (or its help) needs it."""
    from mercato.harness import bench_store

    return bench_store


@command.command(name="store")
@click.option("--seconds", type=click.IntRange(1), default=30, show_default=True, help="Duration of each pgbench run.")
@click.option("--clients", default="8,32", show_default=True, callback=_clients,
              help="Client counts, comma-separated; TPC-B and every case run at each.")
@click.option("--rounds", type=click.IntRange(1, 20), default=1, show_default=True,
              help="Repeat the cases this often per client count, a TPC-B run between rounds; medians reported.")
@click.option("--products", type=click.IntRange(100), default=100_000, show_default=True,
              help="Catalog products, one variant each, stocked at both locations.")
@click.option("--scale", type=click.IntRange(1), default=50, show_default=True, help="pgbench -i scale of the baseline.")
@click.option("--case", "cases", multiple=True, type=LazyChoice(lambda: _store_harness().CASE_NAMES),
              help="Run only this case (repeatable; default: all). The TPC-B baseline always runs.")
@click.option("--profile", is_flag=True, help="Diagnosis: per-function self time of every case (track_functions=all).")
@click.option("--db-prefix", default="mercato_bench_store", show_default=True,
              help="Database names: <prefix> (the store) and <prefix>_tpcb; dropped and re-created.")
@click.option("--keep/--drop", default=False, show_default=True, help="Keep the bench databases afterwards.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write the store results section of this Markdown file (e.g. docs/benchmarks.md).")
def store(seconds: int, clients: tuple[int, ...], rounds: int, products: int, scale: int, cases: tuple[str, ...],
          profile: bool, db_prefix: str, keep: bool, as_json: bool, output: Path | None) -> None:
    """The store under load: reservations (3 random lines; the hot variant + 2), reserve + ship, order placement
    (api.place_order of 3 lines; with the hot variant), catalog search, each as a ratio to pgbench TPC-B at the same
    client count, with CPU, WAL and lock waits per call.

    Targets: order ≥ 0.4 × TPC-B; hot ≥ 0.5 × reserve3 and order_hot ≥ 0.5 × order, no drop from the lowest to the
    highest client count; ship ≥ 0.5 × TPC-B; search ≥ 2 × TPC-B. inventory.check() after every case: a violation fails the command (exit status 1)."""
    from mercato.config import database_url, project_root

    b = _harness()
    s = _store_harness()
    if not re.fullmatch(r"[a-z_][a-z0-9_]{0,40}", db_prefix) or db_prefix in ("postgres", "mercato"):
        raise click.BadParameter("lower-case letters, digits and _, not postgres/mercato", param_hint="--db-prefix")
    settings = s.StoreSettings(url=database_url(), seconds=seconds, clients=clients, rounds=rounds, products=products,
                               scale=scale, db_prefix=db_prefix, keep=keep, profile=profile,
                               cases=tuple(c for c in s.CASE_NAMES if not cases or c in cases),
                               command=b.command_line(sys.argv[1:]))
    report = s.run(settings, root=project_root(), log=lambda line: click.echo(line, err=True))
    if output is not None:
        s.update_markdown(output, s.render_markdown(report))
        click.echo(f"[done] results written to {output}", err=True)
    if as_json:
        click.echo(json.dumps(report.as_dict(), indent=2, ensure_ascii=False, default=str))
    else:
        click.echo(s.render_text(report))
    if not report.checks_ok:
        raise click.ClickException("inventory.check() reported violations or a pgbench run failed (see above)")


def _payments_harness() -> ModuleType:
    """mercato.harness.bench_payments, imported only when `bench payments` (or its help) needs it."""
    from mercato.harness import bench_payments

    return bench_payments


@command.command(name="payments")
@click.option("--seconds", type=click.IntRange(1), default=20, show_default=True, help="Duration of each pgbench run.")
@click.option("--clients", default="8,32", show_default=True, callback=_clients,
              help="Client counts, comma-separated; TPC-B and every case run at each.")
@click.option("--rounds", type=click.IntRange(1, 20), default=1, show_default=True,
              help="Repeat the cases this often per client count, a TPC-B run between rounds; medians reported.")
@click.option("--payers", type=click.IntRange(10), default=2_000, show_default=True,
              help="Payers, each with a funded KES wallet.")
@click.option("--merchants", type=click.IntRange(2), default=200, show_default=True, help="Merchants.")
@click.option("--sessions", type=click.IntRange(100), default=60_000, show_default=True,
              help="Pending KCB funding sessions seeded (a tenth delivered before the runs); each new webhook call "
                   "completes one, so there must be more than the webhook case's calls over all runs.")
@click.option("--scale", type=click.IntRange(1), default=50, show_default=True, help="pgbench -i scale of the baseline.")
@click.option("--case", "cases", multiple=True, type=LazyChoice(lambda: _payments_harness().CASE_NAMES),
              help="Run only this case (repeatable; default: all). The TPC-B baseline always runs.")
@click.option("--profile", is_flag=True, help="Diagnosis: per-function self time of every case (track_functions=all).")
@click.option("--db-prefix", default="mercato_bench_payments", show_default=True,
              help="Database names: <prefix> (payments) and <prefix>_tpcb; dropped and re-created.")
@click.option("--keep/--drop", default=False, show_default=True, help="Keep the bench databases afterwards.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write the payments results section of this Markdown file (e.g. docs/benchmarks.md).")
def payments(seconds: int, clients: tuple[int, ...], rounds: int, payers: int, merchants: int, sessions: int,
             scale: int, cases: tuple[str, ...], profile: bool, db_prefix: str, keep: bool, as_json: bool,
             output: Path | None) -> None:
    """Payments under load: signed webhook ingestion with 30 % duplicates (new events complete funding sessions), a
    payment intent created and confirmed from a wallet (random merchant; the hot merchant), each as a ratio to pgbench
    TPC-B at the same client count, with CPU, WAL and lock waits per call.

    Targets: webhook ≥ 1.0 × TPC-B events/s; intent ≥ 0.4 × TPC-B pairs/s; intent_hot ≥ 0.8 × intent.
    ledger.check() after every case: a violation fails the command (exit status 1)."""
    from mercato.config import database_url, project_root

    b = _harness()
    p = _payments_harness()
    if not re.fullmatch(r"[a-z_][a-z0-9_]{0,40}", db_prefix) or db_prefix in ("postgres", "mercato"):
        raise click.BadParameter("lower-case letters, digits and _, not postgres/mercato", param_hint="--db-prefix")
    settings = p.PaymentsSettings(url=database_url(), seconds=seconds, clients=clients, rounds=rounds, payers=payers,
                                  merchants=merchants, sessions=sessions, scale=scale, db_prefix=db_prefix, keep=keep,
                                  profile=profile, cases=tuple(c for c in p.CASE_NAMES if not cases or c in cases),
                                  command=b.command_line(sys.argv[1:]))
    report = p.run(settings, root=project_root(), log=lambda line: click.echo(line, err=True))
    if output is not None:
        p.update_markdown(output, p.render_markdown(report))
        click.echo(f"[done] results written to {output}", err=True)
    if as_json:
        click.echo(json.dumps(report.as_dict(), indent=2, ensure_ascii=False, default=str))
    else:
        click.echo(p.render_text(report))
    if not report.checks_ok:
        raise click.ClickException("ledger.check() reported violations or a pgbench run failed (see above)")
