"""``mercato bench auth``: one tiny real run of every case (never an assertion on speed), the CLI writing its Markdown
section, and the JWT check the access-token case relies on."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import psycopg
import pytest
from click.testing import CliRunner

from mercato.harness import bench_auth as a


def _databases(server_url: str, prefix: str) -> int:
    with psycopg.connect(server_url, autocommit=True) as conn:
        return conn.execute("SELECT count(*) FROM pg_database WHERE datname LIKE %s", (prefix + "%",)).fetchone()[0]


def test_every_case_reports_a_rate_a_ratio_and_clean_checks(server_url: str) -> None:
    prefix = f"mercato_authbenchtest_{uuid.uuid4().hex[:8]}"
    lines: list[str] = []
    # cost 6 instead of 12 keeps the test short; the case and its check are the same
    settings = a.AuthSettings(url=server_url, seconds=1, clients=2, scale=1, cost=6, low_cost=4, workers=2, messages=200,
                              batch=50, db_prefix=prefix)
    report = a.run(settings, log=lines.append)
    assert report.checks_ok, report.failures
    rows = {r.case: r for r in report.rows()}
    assert list(rows) == list(a.CASE_NAMES)
    for row in rows.values():
        assert row.per_second and row.per_second > 0, row
        assert row.tpcb_tps and row.ratio and row.ratio > 0, row
        assert row.checks_ok and not row.failures, row
    assert (rows["sign_in"].cost, rows["sign_in_low"].cost, rows["refresh"].cost) == (6, 4, None)
    tpcb = [r for r in report.report.runs if r.case == "tpcb"]
    assert [r.round for r in tpcb] == [0, 1], "TPC-B before and after the cases"
    assert any(line.startswith("[run] outbox, 2 senders") for line in lines)
    text = a.render_markdown(report)
    assert text.startswith("## Sign-in results") and "| sign_in | 6 |" in text and "| sign_in_low | 4 |" in text
    assert json.loads(json.dumps(report.as_dict(), default=str))["checks_ok"] is True
    assert _databases(server_url, prefix) == 0, "dropped afterwards (--drop is the default)"


def test_the_cli_writes_its_own_section_and_keeps_the_rest(server_url: str, tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    from mercato.cli import cli

    prefix = f"mercato_authbenchcli_{uuid.uuid4().hex[:8]}"
    doc = tmp_path / "benchmarks.md"
    doc.write_text("# Benchmarks\n\nhand-written\n\n<!-- marketplace:start -->\nother bench\n<!-- marketplace:end -->\n")
    monkeypatch.setenv("DATABASE_URL", server_url)
    args = ["bench", "auth", "--seconds", "1", "--clients", "2", "--scale", "1", "--case", "refresh", "--case", "me",
            "--db-prefix", prefix, "--output", str(doc)]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert "refresh" in result.stdout and "checks: ok" in result.stdout
    for _ in range(2):   # a second write replaces the section
        text = doc.read_text()
        assert text.count(a.MARKERS[0]) == 1 and "hand-written" in text and "other bench" in text
        assert "| refresh |" in text and "| me |" in text and "| sign_in |" not in text
        a.update_markdown(doc, text[text.index(a.MARKERS[0]) + len(a.MARKERS[0]):text.index(a.MARKERS[1])])
    assert _databases(server_url, prefix) == 0


def test_verified_claims_checks_the_signature_as_postgrest_does() -> None:
    import base64
    import hashlib
    import hmac

    def part(obj: dict) -> str:
        return base64.urlsafe_b64encode(json.dumps(obj).encode()).rstrip(b"=").decode()

    secret = "s" * 40
    body = f"{part({'alg': 'HS256', 'typ': 'JWT'})}.{part({'sub': 'x', 'sid': 7})}"
    sig = base64.urlsafe_b64encode(hmac.new(secret.encode(), body.encode(), hashlib.sha256).digest()).rstrip(b"=").decode()
    assert a.verified_claims(f"{body}.{sig}", secret) == {"sub": "x", "sid": 7}
    with pytest.raises(ValueError, match="bad signature"):
        a.verified_claims(f"{body}.{sig}", secret + "!")
    none = f"{part({'alg': 'none'})}.{part({'sub': 'x'})}."
    with pytest.raises(ValueError, match="not HS256"):
        a.verified_claims(none, secret)
