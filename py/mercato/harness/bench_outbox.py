"""The outbox benchmark (``mercato bench outbox``): messages claimed and acknowledged per second by 8 senders, beside
pgbench's TPC-B-like transactions per second on the same server in the same invocation (a ratio, as the ledger
benchmark reports; never a number compared with another machine's).

Setup: ``<prefix>`` deployed from the plan and filled with ``--messages`` PENDING SMS messages (each with a secret, as
an OTP would have); ``<prefix>_tpcb`` initialised by ``pgbench -i``. Then pgbench TPC-B runs for ``--seconds`` with the
same client count, and the senders (threads, each with its own connection, role mercato_sender) drain the outbox with
:func:`mercato.outbox.work` and a sink that discards. One acknowledged message costs a claim's share (a batch of
``--batch``) and one ``api.outbox_report_sent`` transaction, so the fair comparison is messages/s against TPC-B
transactions/s. The outcome is checked afterwards: every message SENT, no secret left.
"""

from __future__ import annotations

import subprocess
import threading
import time
from dataclasses import asdict, dataclass
from typing import Any, Callable

import psycopg
from psycopg import sql
from psycopg.conninfo import make_conninfo

from mercato.harness.bench import _dbname, _pg_args_env, parse_pgbench, pgbench_binary


@dataclass
class OutboxBench:
    workers: int
    messages: int
    batch: int
    seconds_to_drain: float
    messages_per_second: float
    tpcb_tps: float | None
    ratio_to_tpcb: float | None
    all_sent: bool
    secrets_left: int

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _recreate(admin_url: str, name: str) -> None:
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def tpcb_tps(url: str, clients: int, seconds: int, scale: int, log: Callable[[str], None]) -> float | None:
    """pgbench's TPC-B-like tps on a fresh ``-s scale`` database at ``url`` (created by the caller)."""
    pgbench = pgbench_binary()
    args, env = _pg_args_env(url)
    log(f"[setup] {_dbname(url)}: pgbench -i -s {scale}")
    init = subprocess.run([pgbench, "-i", "-q", "-s", str(scale), *args, _dbname(url)], capture_output=True, text=True,
                          env=env)
    if init.returncode != 0:
        raise RuntimeError(f"pgbench -i failed: {init.stderr.strip()[-500:]}")
    log(f"[run] pgbench TPC-B, {clients} clients, {seconds} s")
    proc = subprocess.run([pgbench, "-n", "-c", str(clients), "-j", str(clients), "-T", str(seconds), *args,
                           _dbname(url)], capture_output=True, text=True, env=env)
    result = parse_pgbench(proc.stdout, proc.stderr, proc.returncode)
    if result.error:
        log(f"[run] pgbench failed: {result.error}")
    return result.tps


def enqueue(outbox_url: str, messages: int, channel: str = "SMS") -> None:
    """``messages`` PENDING messages of ``channel`` through ``outbox.enqueue`` (as the owner), each with a secret as an
    OTP would have; then VACUUM ANALYZE, so that the senders' claims are planned on real statistics."""
    with psycopg.connect(outbox_url, autocommit=True) as conn:
        conn.execute("SELECT outbox.enqueue(%s, '+2519' || lpad(g::text, 8, '0'), 'bench.otp',"
                     " jsonb_build_object('n', g), jsonb_build_object('code', lpad(g::text, 6, '0')))"
                     " FROM generate_series(1, %s) g", (channel, messages))
        conn.execute("VACUUM ANALYZE outbox.message")


def drain(outbox_url: str, workers: int, batch: int, channel: str = "SMS") -> float:
    """``workers`` senders (threads, each its own connection as mercato_sender, :func:`mercato.outbox.work` with a sink
    that discards) drain ``channel`` until a claim finds nothing due; the seconds it took. Raises if a sender failed."""
    from mercato import outbox
    from mercato.client import Client

    clients = [Client(outbox_url, role=outbox.SENDER_ROLE, min_size=1, max_size=1) for _ in range(workers)]
    errors: list[BaseException] = []

    def sender(client: Client, name: str) -> None:
        try:
            outbox.work(client, channel, lambda _m: None, batch=batch, lease_seconds=300, worker=name, once=True)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=sender, args=(c, f"bench-{i}")) for i, c in enumerate(clients)]
    try:
        t0 = time.monotonic()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.monotonic() - t0
    finally:
        for c in clients:
            c.close()
    if errors:
        raise RuntimeError(f"a sender failed: {errors[0]!r}")
    return elapsed


def outcome(outbox_url: str) -> tuple[int, int]:
    """(messages SENT, secrets left) in the outbox database."""
    with psycopg.connect(outbox_url) as conn:
        sent = conn.execute("SELECT count(*) FROM outbox.message WHERE state = 'SENT'").fetchone()[0]
        secrets = conn.execute("SELECT count(*) FROM outbox.message_secret").fetchone()[0]
    return sent, secrets


def run(url: str, *, workers: int = 8, messages: int = 20_000, batch: int = 100, seconds: int = 10, scale: int = 8,
        db_prefix: str = "mercato_bench_outbox", keep: bool = False,
        log: Callable[[str], None] = lambda _line: None) -> OutboxBench:
    """Measure the outbox's drain rate with ``workers`` senders beside pgbench TPC-B at the same client count."""
    from mercato.sqitch import Engine

    admin_url = make_conninfo(url, dbname="postgres")
    outbox_url = make_conninfo(url, dbname=db_prefix)
    tpcb_url = make_conninfo(url, dbname=f"{db_prefix}_tpcb")
    try:
        _recreate(admin_url, _dbname(tpcb_url))
        tps = tpcb_tps(tpcb_url, workers, seconds, scale, log)

        log(f"[setup] {db_prefix}: deploying the plan, enqueueing {messages:,} messages")
        _recreate(admin_url, db_prefix)
        Engine.from_project(outbox_url).deploy()
        enqueue(outbox_url, messages)
        log(f"[run] {workers} senders drain the outbox, batches of {batch}")
        elapsed = drain(outbox_url, workers, batch)
        sent, secrets = outcome(outbox_url)
        rate = messages / elapsed
        return OutboxBench(workers=workers, messages=messages, batch=batch, seconds_to_drain=round(elapsed, 2),
                           messages_per_second=round(rate, 1), tpcb_tps=None if tps is None else round(tps, 1),
                           ratio_to_tpcb=None if not tps else round(rate / tps, 3), all_sent=sent == messages,
                           secrets_left=secrets)
    finally:
        if not keep:
            with psycopg.connect(admin_url, autocommit=True) as conn:
                for name in (db_prefix, f"{db_prefix}_tpcb"):
                    conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
