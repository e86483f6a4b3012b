"""``mercato bench store``: a tiny real run of every case (never an assertion on speed): the report's structure,
inventory.check() clean after every case, and the CLI writing its own Markdown section."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import psycopg
import pytest
from click.testing import CliRunner

from mercato.harness import bench_store as s


def _databases(server_url: str, prefix: str) -> int:
    with psycopg.connect(server_url, autocommit=True) as conn:
        return conn.execute("SELECT count(*) FROM pg_database WHERE datname LIKE %s", (prefix + "%",)).fetchone()[0]


def test_every_case_at_two_client_counts_reports_rates_ratios_waits_and_a_clean_inventory_check(
        server_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """One run through the CLI (the JSON report and the Markdown section), every case at 1 and 2 clients for a second."""
    from mercato.cli import cli

    prefix = f"mercato_storebenchtest_{uuid.uuid4().hex[:8]}"
    doc = tmp_path / "benchmarks.md"
    doc.write_text("# Benchmarks\n\nhand-written\n\n<!-- auth:start -->\nother bench\n<!-- auth:end -->\n")
    monkeypatch.setenv("DATABASE_URL", server_url)
    args = ["bench", "store", "--seconds", "1", "--clients", "1,2", "--products", "300", "--scale", "1",
            "--db-prefix", prefix, "--output", str(doc), "--json"]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert "[run] hot, 2 clients" in result.stderr
    report = json.loads(result.stdout)
    assert report["checks_ok"] is True
    rows = report["results"]
    assert [(r["case"], r["clients"]) for r in rows] == [(c, n) for n in (1, 2) for c in s.CASE_NAMES]
    assert list(s.CASE_NAMES) == ["reserve3", "hot", "ship", "order", "order_hot", "search"]
    for row in rows:
        assert row["tps"] and row["tps"] > 0, row
        assert row["tpcb_tps"] and row["ratio_tpcb"] and row["ratio_tpcb"] > 0, row
        assert row["checks_ok"] and not row["failures"], row
        assert row["waits"]["samples"] > 0 and set(row["waits"]) >= {"active", "lock", "lock_manager", "wal", "cpu"}, row
        assert row["cpu_ms_per_call"] is None or row["cpu_ms_per_call"] > 0, row
        # the targets: hot against reserve3, order_hot against order, order, ship and search against TPC-B, reserve3 none
        if row["case"] == "reserve3":
            assert row["met"] is None and row["basis_ratio"] is None
        else:
            assert row["met"] in (True, False) and row["basis_ratio"] is not None, row
    assert report["hot_scaling"]["from"] == 1 and report["hot_scaling"]["to"] == 2 and report["hot_scaling"]["ratio"] > 0
    # every case run was followed by a clean inventory.check(); TPC-B before and after the cases at each client count
    assert [r["check_ok"] for r in report["runs"]] == [True] * 12
    assert [(r["clients"], r["round"]) for r in report["tpcb"]] == [(1, 0), (1, 1), (2, 0), (2, 1)]
    assert report["world"]["variants"] == 300 and len(report["world"]["locations"]) == 2
    text = doc.read_text()
    assert text.count(s.MARKERS[0]) == 1 and "hand-written" in text and "other bench" in text
    assert text.count("## Store results") == 1 and "| hot | 2 |" in text and ("shared with other work" in text or "nothing else busy" in text)
    assert "Case hot from 1 to 2 clients" in text
    assert _databases(server_url, prefix) == 0, "dropped afterwards (--drop is the default)"


def test_a_failed_inventory_check_fails_the_case(server_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The check after a case is what decides, whatever the speed: a violation is the case's failure."""
    prefix = f"mercato_storebenchbad_{uuid.uuid4().hex[:8]}"
    real = s.StoreBench._check
    calls: list[int] = []

    def broken_after_the_seed(conn: psycopg.Connection) -> list[str]:
        calls.append(1)
        return real(conn) if len(calls) == 1 else ["on_hand_equals_movements: 1 violations, e.g. []"]

    monkeypatch.setattr(s.StoreBench, "_check", staticmethod(broken_after_the_seed))
    bench = s.StoreBench(s.StoreSettings(url=server_url, seconds=1, clients=(1,), products=100, db_prefix=prefix))
    try:
        bench.setup()                                   # the seed's own check is the real one, and clean
        run = bench.run_case(s.CASES[s.CASE_NAMES.index("search")], 1, 1)
    finally:
        bench.drop_databases()
    assert run.tps and run.check_ok is False
    assert bench.failures == {"search/1/1": ["inventory.check(): on_hand_equals_movements: 1 violations, e.g. []"]}
    assert _databases(server_url, prefix) == 0
