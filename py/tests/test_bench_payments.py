"""``mercato bench payments``: a tiny real run of every case (never an assertion on speed): the report's structure,
ledger.check() clean after every case, each call leaving its row, and the CLI writing its own Markdown section."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import psycopg
import pytest
from click.testing import CliRunner

from mercato.harness import bench_payments as p


def _databases(server_url: str, prefix: str) -> int:
    with psycopg.connect(server_url, autocommit=True) as conn:
        return conn.execute("SELECT count(*) FROM pg_database WHERE datname LIKE %s", (prefix + "%",)).fetchone()[0]


def test_every_case_reports_rates_ratios_and_a_clean_ledger(server_url: str, tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """One run through the CLI (the JSON report and the Markdown section), every case at 1 and 2 clients for a second."""
    from mercato.cli import cli

    prefix = f"mercato_paybenchtest_{uuid.uuid4().hex[:8]}"
    doc = tmp_path / "benchmarks.md"
    doc.write_text("# Benchmarks\n\nhand-written\n\n<!-- store:start -->\nother bench\n<!-- store:end -->\n")
    monkeypatch.setenv("DATABASE_URL", server_url)
    args = ["bench", "payments", "--seconds", "1", "--clients", "1,2", "--payers", "50", "--merchants", "5",
            "--sessions", "20000", "--scale", "1", "--db-prefix", prefix, "--output", str(doc), "--json"]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["checks_ok"] is True
    rows = report["results"]
    assert [(r["case"], r["clients"]) for r in rows] == [(c, n) for n in (1, 2) for c in p.CASE_NAMES]
    assert list(p.CASE_NAMES) == ["webhook", "intent", "intent_hot"]
    for row in rows:
        assert row["tps"] and row["tps"] > 0, row
        assert row["ratio_tpcb"] and row["ratio_tpcb"] > 0, row
        assert row["checks_ok"] and not row["failures"], row
        assert row["met"] in (True, False) and row["basis_ratio"] is not None, row
    assert report["hot_scaling"] is None
    assert [r["check_ok"] for r in report["runs"]] == [True] * 6
    assert report["world"]["payers"] == 50 and report["world"]["delivered_before"] == 2000
    text = doc.read_text()
    assert text.count(p.MARKERS[0]) == 1 and "hand-written" in text and "other bench" in text
    assert text.count("## Payments results") == 1 and "| intent_hot | 2 |" in text
    assert _databases(server_url, prefix) == 0, "dropped afterwards (--drop is the default)"
