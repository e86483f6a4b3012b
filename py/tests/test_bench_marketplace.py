"""``mercato bench marketplace``: the OTP case end to end on a tiny fixture (never an assertion on speed)."""

from __future__ import annotations

import uuid

import psycopg
import pytest
from click.testing import CliRunner

from mercato.harness.bench_marketplace import MarketplaceBench
from mercato.cli import cli


def test_otp_rounds_verify_every_code_they_try(server_url: str) -> None:
    prefix = f"mercato_mpbenchtest_{uuid.uuid4().hex[:8]}"
    lines: list[str] = []
    bench = MarketplaceBench(server_url, prefix=prefix, log=lines.append)
    try:
        # 2 rounds of 1 s at 2 clients: more codes than two clients can verify in that time on a fast machine
        # (2,500 ran out once: pgbench aborts with "expected one row, got 0")
        result = bench.otp(clients=2, seconds=1, sessions=8000, scale=1, rounds=2)
    finally:
        with psycopg.connect(server_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{prefix}_otp" WITH (FORCE)')
    assert result.checks_ok, result.failures
    assert isinstance(result.per_second, float) and result.items > 0  # its size is not the test's business
    assert len(result.baseline_tps) == 3  # before, between and after the two rounds
    assert "2 rounds" in result.notes and "ratio by round" in result.notes
    runs = [line for line in lines if line.startswith("[run] OTP verifications")]
    assert runs == ["[run] OTP verifications, 2 clients, 1 s, round 1 of 2", "[run] OTP verifications, 2 clients, 1 s, round 2 of 2"]
    with psycopg.connect(server_url, autocommit=True) as conn:
        assert conn.execute("SELECT count(*) FROM pg_database WHERE datname LIKE %s", (prefix + "%",)).fetchone()[0] == 0


def test_otp_rounds_must_fit_in_the_codes_lifetime() -> None:
    with pytest.raises(ValueError, match="do not fit in the codes' lifetime"):
        MarketplaceBench("dbname=unused").otp(seconds=120, rounds=3)
    out = CliRunner().invoke(cli, ["bench", "marketplace", "--case", "otp", "--seconds", "120", "--rounds", "3"])
    assert out.exit_code == 2 and "do not fit in the codes' 10-minute lifetime" in out.output
