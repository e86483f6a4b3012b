"""Integrity checks as jobs and one CLI command (issue 16).

A settled world (a business, providers, an active contract, one settlement: rows in the ledger, contracts and
settlement) passes every module's check: ``mercato db check`` exits 0 and every ``<module>.integrity`` job run is
recorded OK. A ledger balance corrupted by the owner with the triggers off makes ``mercato db check`` exit 1 naming the
check and the account, and the job ``ledger.integrity`` is recorded FAILED with LEDGER_INTEGRITY_VIOLATION and the
violation in its detail, while the other modules' integrity jobs still succeed.
"""

from __future__ import annotations

import json
import re

import psycopg
import pytest
from click.testing import CliRunner

from mercato import integrity, jobs
from mercato.cli import cli
from mercato.config import plan_modules

INTEGRITY_JOBS = ["contracts.integrity", "inventory.integrity", "ledger.integrity", "settlement.integrity"]


@pytest.fixture
def settled(db_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """A settled rental world (tests.settlement_world and one settlement), committed; DATABASE_URL points at it."""
    with psycopg.connect(db_url) as conn:
        conn.execute("SELECT tests.put(k, v) FROM tests.settlement_world()")
        conn.execute("SELECT settlement.settle_provider(tests.id('p1'), current_date - 20, current_date - 14, 'r1')")
    monkeypatch.setenv("DATABASE_URL", db_url)
    return db_url


def _corrupt_a_balance(db_url: str) -> int:
    """Add 1 to the balance of an account with entries, as the superuser with the table's triggers off."""
    with psycopg.connect(db_url) as conn:
        account_id = conn.execute("SELECT account_id FROM ledger.entry ORDER BY account_id LIMIT 1").fetchone()[0]
        conn.execute("ALTER TABLE ledger.account DISABLE TRIGGER USER")
        conn.execute("UPDATE ledger.account SET balance = balance + 1 WHERE id = %s", (account_id,))
        conn.execute("ALTER TABLE ledger.account ENABLE TRIGGER USER")
    return account_id


def test_every_module_with_a_check_is_checked_and_has_an_integrity_job(db_url: str) -> None:
    with integrity.connect(db_url) as conn:
        modules = integrity.check_modules(conn)
        registered = {j.name: j for j in jobs.list_jobs(conn)}
    assert modules == [m for m in plan_modules() if m in ("ledger", "contracts", "settlement", "inventory")], modules
    for module in modules:
        job = registered[f"{module}.integrity"]
        assert job.enabled and job.function == f"{module}.assert_integrity()", job


def test_clean_world_passes_the_cli_and_the_jobs(settled: str) -> None:
    result = CliRunner().invoke(cli, ["db", "check", "--json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output[result.output.index("["):])
    assert {r["module"] for r in rows} == {"ledger", "contracts", "settlement", "inventory"}
    assert all(r["ok"] and r["violations"] == 0 for r in rows), rows
    with jobs.connect(settled) as conn:
        contracts_lines = conn.execute("SELECT count(*) FROM contracts.contract_line").fetchone()[0]
        cycles = conn.execute("SELECT count(*) FROM settlement.cycle").fetchone()[0]
        assert contracts_lines > 0 and cycles > 0, "the world has rows in every checked module"
        runs = [jobs.run_job(conn, name) for name in INTEGRITY_JOBS]
    assert [(r.job, r.outcome) for r in runs] == [(name, "OK") for name in INTEGRITY_JOBS], runs
    assert all(r.result["failed"] == 0 and r.result["checks"] > 0 for r in runs)


def test_corrupted_balance_fails_the_cli_and_the_ledger_job(settled: str) -> None:
    account_id = _corrupt_a_balance(settled)

    result = CliRunner().invoke(cli, ["db", "check"])
    assert result.exit_code == 1, result.output
    assert "ledger.balance_equals_entries: 1 violation(s)" in result.output
    assert f'"account_id": {account_id},' in result.output, result.output
    summary = [m for line in result.output.splitlines() if (m := re.match(r"(\d+) of (\d+) checks ok", line))]
    assert summary and int(summary[0][1]) == int(summary[0][2]) - 1, "one check failed, the others passed"

    ran = CliRunner().invoke(cli, ["jobs", "run"])
    assert ran.exit_code == 1, ran.output
    assert "failed: ledger.integrity" in ran.output.splitlines()[-1], ran.output
    with jobs.connect(settled) as conn:
        latest = {r.job: r for r in reversed(jobs.history(conn, limit=100))}
    failed = latest["ledger.integrity"]
    assert (failed.outcome, failed.error_sqlstate, failed.error_code) == ("FAILED", "PT500", "LEDGER_INTEGRITY_VIOLATION")
    assert failed.error_detail.startswith("1 of 10 checks failed: balance_equals_entries: 1 violation(s), e.g. ")
    assert f'"account_id": {account_id},' in failed.error_detail
    assert latest["contracts.integrity"].ok and latest["settlement.integrity"].ok
    history = CliRunner().invoke(cli, ["jobs", "history", "ledger.integrity"])
    assert history.exit_code == 0 and "LEDGER_INTEGRITY_VIOLATION" in history.output, history.output
