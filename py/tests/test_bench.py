"""``mercato bench ledger``: parsing, rendering, and one tiny real run (never an assertion on speed)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import psycopg
from psycopg.conninfo import make_conninfo

from mercato.harness import bench as b
from mercato.config import project_root

PGBENCH_OK = """\
pgbench (15.20 (Debian 15.20-0+deb12u1))
transaction type: bench/transfer_random.sql
scaling factor: 1
query mode: simple
number of clients: 8
number of threads: 2
maximum number of tries: 1
duration: 3 s
number of transactions actually processed: 2276
number of failed transactions: 0 (0.000%)
latency average = 10.535 ms
initial connection time = 14.296 ms
tps = 759.930127 (without initial connection time)
"""

PGBENCH_ABORTED = """\
transaction type: bench/transfer_random.sql
number of clients: 2
number of transactions actually processed: 3
number of failed transactions: 0 (0.000%)
Run was aborted; the above results are incomplete.
"""
PGBENCH_ABORTED_ERR = (
    "pgbench: error: client 1 script 0 aborted in command 6 query 0: ERROR:  LEDGER_SAME_ACCOUNT: "
    "debit and credit account are the same\n"
)


def test_parse_pgbench_output() -> None:
    r = b.parse_pgbench(PGBENCH_OK)
    assert r.tps == 759.930127 and r.transactions == 2276 and r.failed == 0 and r.latency_ms == 10.535
    assert r.error is None and not r.aborted
    old = b.parse_pgbench("tps = 12.5 (excluding connections establishing)\n")
    assert old.tps == 12.5 and old.error is None


def test_parse_pgbench_aborted_run_is_an_error() -> None:
    r = b.parse_pgbench(PGBENCH_ABORTED, PGBENCH_ABORTED_ERR, 2)
    assert r.aborted and r.tps is None
    assert "LEDGER_SAME_ACCOUNT" in r.error
    assert b.parse_pgbench("", "pgbench: error: connection refused\n", 1).error


def _report() -> b.Report:
    def run(case: str, clients: int, tps: float, per_call: int = 1, **kw) -> b.Run:
        extra = {} if case == b.TPCB else {"check_ok": True, "check_seconds": 0.1, "transfers_posted": 100,
                                            "bytes_growth": 80_000}
        return b.Run(case, clients, 3, tps, per_call, **{**extra, **kw})

    runs = [
        run("tpcb", 8, 1000.0), run("transfer_random", 8, 1300.0), run("transfer_hot", 8, 1000.0),
        run("post_batch", 8, 30.0, 100), run("hold_capture", 8, 700.0),
        run("tpcb", 32, 900.0), run("transfer_random", 32, 1000.0), run("transfer_hot", 32, 950.0),
        run("post_batch", 32, 50.0, 100),
        run("hold_capture", 32, 800.0, check_ok=False,
            check_failures=[{"check_name": "trial_balance", "violations": 1, "sample": None}]),
    ]
    machine = {"cpus": 2, "cpu_model": "test", "memory_gb": 1.0, "postgresql": "PostgreSQL 15", "kernel": "x",
               "date": "2026-01-01 00:00 UTC", "load_average": "0.00 0.00 0.00", "server_settings": {"fsync": "on"}}
    settings = {"command": "mercato bench ledger --quick", "pgbench": "pgbench -n", "accounts": 2000, "scale": 5,
                "batch": 100, "slots": 16, "quick": True}
    return b.Report(machine, settings, runs, {"deploy": 1.0})


def test_evaluate_ratios_and_targets() -> None:
    rows = {(r.case, r.clients): r for r in _report().rows()}
    assert rows[("transfer_random", 8)].ratio == 1.3 and rows[("transfer_random", 8)].met
    assert rows[("transfer_random", 32)].ratio == 1000 / 900 and not rows[("transfer_random", 32)].met
    assert rows[("transfer_hot", 8)].ratio == 1000 / 1300 and not rows[("transfer_hot", 8)].met  # vs random
    assert rows[("transfer_hot", 32)].met
    assert rows[("post_batch", 8)].transfers_per_s == 3000 and not rows[("post_batch", 8)].met  # 3.0 < 4
    assert rows[("post_batch", 32)].ratio == 5000 / 900 and rows[("post_batch", 32)].met
    assert rows[("hold_capture", 8)].met
    assert not rows[("hold_capture", 32)].met  # fast enough, but check() failed
    assert rows[("transfer_hot scaling", "32 vs 8")].ratio == 0.95 and rows[("transfer_hot scaling", "32 vs 8")].met
    report = _report()
    assert not report.all_met and not report.checks_ok
    assert report.as_dict()["bytes_per_transfer"][0]["bytes_per_transfer"] == 800


def test_markdown_keeps_the_hand_written_part(tmp_path: Path) -> None:
    section = b.render_markdown(_report())
    assert "| transfer_random | 8 | 1,300.0 | 1,300.0 | 1,000.0 | 1.30 | ≥ 1.2 × TPC-B | yes |" in section
    assert "hold_capture @ 32 clients: **FAILED**" in section and "trial_balance (1)" in section
    doc = tmp_path / "benchmarks.md"
    doc.write_text(f"# Benchmarks\n\nHand-written intro.\n\n{b.RESULTS_START}\nstale generated text\n{b.RESULTS_END}\n\n## Remarks\n\nKeep me.\n")
    b.update_markdown(doc, section)
    b.update_markdown(doc, section)  # idempotent
    text = doc.read_text()
    assert text.startswith("# Benchmarks\n\nHand-written intro.\n") and text.endswith("## Remarks\n\nKeep me.\n")
    assert "stale generated" not in text and text.count(b.RESULTS_START) == 1 and text.count("## Results") == 1
    fresh = tmp_path / "new.md"
    b.update_markdown(fresh, section)
    assert fresh.read_text().startswith("# Benchmarks") and b.RESULTS_END in fresh.read_text()


def test_bench_ledger_quick_run(server_url: str) -> None:
    """A tiny real run: every case produces a numeric tps and ledger.check() is ok after each.
    Speed is never asserted here."""
    prefix = f"mercato_benchtest_{uuid.uuid4().hex[:8]}"
    exe = Path(sys.executable).parent / "mercato"
    env = {**os.environ, "DATABASE_URL": make_conninfo(server_url, dbname="postgres")}
    try:
        result = subprocess.run(
            [str(exe), "bench", "ledger", "--quick", "--seconds", "1", "--clients", "2", "--accounts", "200",
             "--scale", "1", "--batch", "10", "--rounds", "2", "--db-prefix", prefix, "--drop", "--json"],
            capture_output=True, text=True, cwd=project_root(), env=env, timeout=120)
        assert result.returncode == 0, result.stderr
        assert "Traceback" not in result.stderr
        report = json.loads(result.stdout)
        runs = {(r["case"], r["clients"], r["round"]): r for r in report["runs"]}
        # two rounds: TPC-B, the cases, TPC-B, the cases, TPC-B
        assert set(runs) == {(b.TPCB, 2, k) for k in (0, 1, 2)} | {(c, 2, k) for c in b.CASE_NAMES for k in (1, 2)}
        assert [r["round"] for r in report["runs"] if r["case"] == b.TPCB] == [0, 1, 2]
        assert all(len(row["ratios"]) == 2 for row in report["results"] if row["case"] in b.CASE_NAMES)
        for (case, _, _), r in runs.items():
            assert isinstance(r["tps"], float), (case, r)  # numeric; its size is not the test's business
            assert r["error"] is None and not r["failed"], (case, r)
            assert r["foreign_cpu"] is None or 0 <= r["foreign_cpu"] <= 1, (case, r)  # local server: a share
            assert (r["cpu_ms_per_call"] is None) == (r["foreign_cpu"] is None), (case, r)  # measured where local
            assert r["cpu_ms_per_call"] is None or r["cpu_ms_per_call"] > 0, (case, r)
            wal = r["wal_per_call"]  # every run commits, so it writes WAL and flushes it
            assert wal["bytes"] > 0 and wal["records"] > 0 and wal["calls_per_flush"] > 0, (case, wal)
            if case != b.TPCB:
                assert r["check_ok"] is True, (case, r["check_failures"])
                assert r["transfers_posted"] > 0 and r["bytes_growth"] is not None
        assert report["checks_ok"] is True
        assert {row["case"] for row in report["results"]} >= set(b.CASE_NAMES)
        assert "[setup] funded 200/200 accounts" in result.stderr
    finally:
        with psycopg.connect(server_url, autocommit=True) as conn:
            for name in (prefix, f"{prefix}_tpcb"):
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    with psycopg.connect(server_url, autocommit=True) as conn:
        assert conn.execute("SELECT count(*) FROM pg_database WHERE datname LIKE %s", (prefix + "%",)).fetchone()[0] == 0


def test_baseline_is_the_mean_of_the_runs_before_and_after() -> None:
    report = _report()
    report.runs.append(b.Run(b.TPCB, 8, 3, 1600.0, 1))
    assert report.baseline(8) == (1300.0, [1000.0, 1600.0])
    rows = {(r.case, r.clients): r for r in report.rows()}
    assert rows[("transfer_random", 8)].ratio == 1.0 and not rows[("transfer_random", 8)].met
    assert "mean of 1,000.0 and 1,600.0" in rows[("tpcb", 8)].target
    report.runs.append(b.Run(b.TPCB, 32, 3, None, 1, error="boom"))
    assert report.baseline(32)[0] is None
    assert not {(r.case, r.clients): r for r in report.rows()}[("tpcb", 32)].met


def test_cpu_meter_measures_a_share_and_ignores_non_servers(server_url: str) -> None:
    assert b.CpuMeter.available(os.getpid()) is None  # not a PostgreSQL backend
    assert b.CpuMeter.available(2 ** 22 + 12345) is None  # no such process
    with psycopg.connect(server_url, autocommit=True) as conn:
        postmaster = b.CpuMeter.available(conn.info.backend_pid)
        if postmaster is None:  # a remote server: nothing to measure, and nothing is claimed
            assert b.CpuMeter(None).end() is None
            return
        meter = b.CpuMeter(postmaster)
        meter.begin()
        conn.execute("SELECT count(*) FROM generate_series(1, 300000)")
        meter.sample()
        share = meter.end()
    assert share is not None and 0 <= share <= 1
    assert meter.ours_seconds is not None and meter.ours_seconds > 0  # the query's own backend is counted as ours


def test_interference_is_reported() -> None:
    report = _report()
    report.runs[1].foreign_cpu = 0.42
    report.runs[2].foreign_cpu = 0.01
    assert [r.case for r in b.noisy_runs(report)] == ["transfer_random"]
    section = b.render_markdown(report)
    assert "transfer_random @ 8 (42% CPU elsewhere)" in section and "transfer_hot @ 8 1%" in section
    assert "interference during transfer_random @ 8: (other processes used 42% of the CPUs" in b.render_text(report)


def test_cpu_per_call_against_tpcb() -> None:
    report = _report()
    assert b.cpu_summary(report) == [] and "### CPU per call" not in b.render_markdown(report)  # a remote server
    for r in report.runs:
        r.transactions, r.cpu_seconds = 1000, 0.75 if r.case == b.TPCB else 1.5
    report.runs.append(b.Run(b.TPCB, 8, 3, 1000.0, 1, transactions=1000, cpu_seconds=0.25))
    cpu = {(c["case"], c["clients"]): c for c in b.cpu_summary(report)}
    assert cpu[("hold_capture", 8)]["cpu_ms_per_call"] == 1.5
    assert cpu[("hold_capture", 8)]["times_tpcb"] == 1.5 / 0.5  # TPC-B: mean of 0.75 and 0.25 ms
    assert cpu[("hold_capture", 32)]["times_tpcb"] == 2.0 and cpu[(b.TPCB, 32)]["times_tpcb"] is None
    assert "| hold_capture | 8 | 1.500 | 3.00 |" in b.render_markdown(report)
    assert report.as_dict()["cpu_per_call"] == b.cpu_summary(report)
    assert b.Run(b.TPCB, 8, 3, 1.0, 1, transactions=0, cpu_seconds=1.0).cpu_ms_per_call is None


def test_wal_per_call() -> None:
    report = _report()
    assert b.wal_summary(report) == [] and "### WAL per call" not in b.render_markdown(report)
    run = b.Run("transfer_random", 8, 10, 100.0, 1, transactions=1000,
                wal=b.WalDelta(records=13_000, fpi=1_000, bytes=7_000_000, syncs=250, sync_ms=5_000.0))
    report.runs.append(run)
    assert run.wal_per_call == {"bytes": 7000.0, "fpi": 1.0, "records": 13.0, "calls_per_flush": 4.0,
                                "ms_per_flush": 20.0, "flush_busy": 0.5}
    assert "| transfer_random | 8 | 7,000 | 1.00 | 13.0 | 4.0 | 20.000 | 50% |" in b.render_markdown(report)
    assert report.as_dict()["wal_per_call"] == b.wal_summary(report)
    untimed = b.Run("transfer_random", 8, 10, 100.0, 1, transactions=1000,
                    wal=b.WalDelta(records=1, fpi=0, bytes=100, syncs=0, sync_ms=None))
    assert untimed.wal_per_call["calls_per_flush"] is None and untimed.wal_per_call["ms_per_flush"] is None
    assert b._wal_delta(None, (1, 1, 1, 1, 1.0, True)) is None
    assert b._wal_delta((1, 0, 10, 2, 5.0, False), (3, 1, 30, 4, 9.0, False)) == b.WalDelta(2, 1, 20, 2, None)


def _rounds_report() -> b.Report:
    """Three rounds at 8 and 32 clients: TPC-B before, then (cases, TPC-B) three times."""
    report = _report()
    runs: list[b.Run] = []
    ok = {"check_ok": True, "check_seconds": 0.1, "transfers_posted": 100, "bytes_growth": 80_000}
    for clients, tpcb, capture, hot in ((8, (1000.0, 1200.0, 800.0, 1000.0), (500.0, 700.0, 650.0), (900.0, 1100.0, 1000.0)),
                                        (32, (900.0, 900.0, 900.0, 900.0), (450.0, 600.0, 500.0), (950.0, 950.0, 700.0))):
        runs.append(b.Run(b.TPCB, clients, 3, tpcb[0], 1, round=0))
        for r in (1, 2, 3):
            runs.append(b.Run("transfer_random", clients, 3, 1000.0, 1, round=r, **ok))
            runs.append(b.Run("transfer_hot", clients, 3, hot[r - 1], 1, round=r, **ok))
            runs.append(b.Run("hold_capture", clients, 3, capture[r - 1], 1, round=r, **ok))
            runs.append(b.Run(b.TPCB, clients, 3, tpcb[r], 1, round=r))
    report.runs = runs
    return report


def test_rounds_are_judged_on_the_median_against_the_tpcb_runs_around_each() -> None:
    report = _rounds_report()
    assert report.rounds == 3
    assert report.round_baseline(8, 1) == 1100.0 and report.round_baseline(8, 3) == 900.0
    rows = {(r.case, r.clients): r for r in report.rows()}
    capture = rows[("hold_capture", 8)]
    # round by round: 500/1100 (0.45), 700/1000, 650/900 -> median 0.7: met, although the first round alone is not
    assert capture.ratios == [500 / 1100, 700 / 1000, 650 / 900]
    assert capture.ratio == 700 / 1000 and capture.met and capture.tps == 650.0
    assert rows[("hold_capture", 32)].ratio == 500 / 900 and not rows[("hold_capture", 32)].met  # one good round of three
    hot = rows[("transfer_hot scaling", "32 vs 8")]
    assert hot.ratios == [950 / 900, 950 / 1100, 700 / 1000] and hot.ratio == 950 / 1100 and not hot.met
    assert rows[("transfer_hot", 8)].ratios == [0.9, 1.1, 1.0] and rows[("transfer_hot", 8)].ratio == 1.0
    assert "(mean of 4 runs, 800.0–1,200.0)" in rows[("tpcb", 8)].target
    section = b.render_markdown(report)
    assert "| hold_capture | 8 | 650.0 | 650.0 | 1,000.0 | 0.70 (0.45–0.72) | ≥ 0.6 × TPC-B (pairs) | yes |" in section
    assert "3 rounds per client count" in section and "- hold_capture @ 8 clients, round 2: ok" in section
    text = b.render_text(report)
    assert "0.70 (0.45–0.72)" in text


def test_a_round_without_a_figure_fails_the_verdict() -> None:
    report = _rounds_report()
    next(r for r in report.runs if r.case == "hold_capture" and r.clients == 8 and r.round == 2).tps = None
    row = {(r.case, r.clients): r for r in report.rows()}[("hold_capture", 8)]
    assert row.ratio is None and not row.met
