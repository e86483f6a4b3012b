"""``mercato bench store``: a tiny real run of every case (never an assertion on speed): the report's structure,
inventory.check() clean after every case, and the CLI writing its own Markdown section."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import psycopg
import pytest
from click.testing import CliRunner

from mercato.harness import bench as b
from mercato.harness import bench_store as s


def _databases(server_url: str, prefix: str) -> int:
    with psycopg.connect(server_url, autocommit=True) as conn:
        return conn.execute("SELECT count(*) FROM pg_database WHERE datname LIKE %s", (prefix + "%",)).fetchone()[0]


def test_every_case_reports_a_rate_a_ratio_waits_and_a_clean_inventory_check(server_url: str) -> None:
    prefix = f"mercato_storebenchtest_{uuid.uuid4().hex[:8]}"
    lines: list[str] = []
    settings = s.StoreSettings(url=server_url, seconds=1, clients=(2,), products=300, scale=1, db_prefix=prefix)
    report = s.run(settings, log=lines.append)
    assert report.checks_ok, report.failures
    rows = {r.case: r for r in report.rows()}
    assert list(rows) == list(s.CASE_NAMES) == ["reserve3", "hot", "ship", "search"]
    for row in rows.values():
        assert row.clients == 2 and row.tps and row.tps > 0, row
        assert row.tpcb_tps and row.ratio_tpcb and row.ratio_tpcb > 0, row
        assert row.checks_ok and not row.failures, row
        assert row.waits and row.waits["samples"] > 0 and set(row.waits) >= {"active", "lock", "wal", "cpu"}, row
    # the targets: hot against reserve3, ship and search against TPC-B, reserve3 none (the order case will carry one)
    assert rows["reserve3"].met is None and rows["hot"].basis_ratio is not None
    assert rows["ship"].basis_ratio == rows["ship"].ratio_tpcb and rows["search"].met is not None
    # every case run was followed by inventory.check(), and the world is what the bench says
    case_runs = [r for r in report.report.runs if r.case != b.TPCB]
    assert [r.check_ok for r in case_runs] == [True] * 4
    assert report.world["variants"] == 300 and len(report.world["locations"]) == 2
    assert [r.round for r in report.report.runs if r.case == b.TPCB] == [0, 1], "TPC-B before and after the cases"
    assert any(line.startswith("[run] hot, 2 clients") for line in lines)
    text = s.render_markdown(report)
    assert text.startswith("## Store results") and "| hot | 2 |" in text and "shared with other helpers" in text
    assert json.loads(json.dumps(report.as_dict(), default=str))["checks_ok"] is True
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


def test_the_cli_writes_its_own_section_and_reports_the_hot_scaling(server_url: str, tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    from mercato.cli import cli

    prefix = f"mercato_storebenchcli_{uuid.uuid4().hex[:8]}"
    doc = tmp_path / "benchmarks.md"
    doc.write_text("# Benchmarks\n\nhand-written\n\n<!-- auth:start -->\nother bench\n<!-- auth:end -->\n")
    monkeypatch.setenv("DATABASE_URL", server_url)
    args = ["bench", "store", "--seconds", "1", "--clients", "1,2", "--products", "100", "--scale", "1",
            "--case", "hot", "--db-prefix", prefix, "--output", str(doc)]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert "inventory.check(): ok after every case" in result.stdout and "hot 2 vs 1 clients" in result.stdout
    text = doc.read_text()
    assert text.count(s.MARKERS[0]) == 1 and "hand-written" in text and "other bench" in text
    assert "| hot | 1 |" in text and "| hot | 2 |" in text and "| search |" not in text
    assert "Hot variant from 1 to 2 clients" in text
    assert _databases(server_url, prefix) == 0
