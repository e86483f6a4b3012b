"""Reviewing a flagged withdrawal (docs/payments.md, "Reviewing a flagged withdrawal") from several operators at once,
half saying PAID and half NOT_PAID: exactly one resolution takes effect, its hold resolved once, the others refused
with PAYMENTS_WITHDRAWAL_STATE; the CLI reaches the same function. Assertions are on outcomes, never on timing."""

from __future__ import annotations

import json
import threading
from typing import Any

import psycopg
import pytest
from click.testing import CliRunner

from mercato.client import Client
from mercato.errors import MercatoError


def _flagged(db_url: str, prefix: str) -> tuple[int, int]:
    """A rails world and a withdrawal of its payer's wallet that the rail's answer flagged; (withdrawal, wallet)."""
    with psycopg.connect(db_url, autocommit=True) as conn:
        wallet = conn.execute("SELECT (tests.rails_world(%s, 5000) ->> 'wallet')::bigint", (prefix,)).fetchone()[0]
        with conn.transaction():
            conn.execute("SELECT set_config('request.jwt.claims', %s, true)",
                         (json.dumps({"sub": f"{prefix}-payer", "role": "mercato_user"}),))
            wid = conn.execute("SELECT (api.request_withdrawal(%s, 'MPESA', 100, '254712345678') ->> 'id')::bigint",
                               (wallet,)).fetchone()[0]
        conn.execute("SELECT payments.finish_withdrawal(%s, 'FLAGGED', 'MISMATCH', 'the rail confirmed 90.00')", (wid,))
    return wid, wallet


def test_concurrent_reviews_take_effect_once(db_url: str) -> None:
    wid, wallet = _flagged(db_url, "wz")
    operators = 8
    barrier = threading.Barrier(operators)
    outcomes: list[Any] = []
    lock = threading.Lock()

    def operator(i: int) -> None:
        with Client(db_url, max_size=1, claims={"sub": "wz-admin", "role": "mercato_user"}, role="mercato_user") as admin:
            barrier.wait()
            try:
                result: Any = admin.payments.resolve_flagged_withdrawal(wid, "PAID" if i % 2 else "NOT_PAID",
                                                                        f"operator {i}")
            except MercatoError as exc:
                result = exc.code
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=operator, args=(i,)) for i in range(operators)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    done = [o for o in outcomes if isinstance(o, dict)]
    assert len(done) == 1, outcomes
    assert sorted(o for o in outcomes if not isinstance(o, dict)) == ["PAYMENTS_WITHDRAWAL_STATE"] * (operators - 1)
    with psycopg.connect(db_url, autocommit=True) as conn:
        status, hold = conn.execute("SELECT w.status, h.status FROM payments.withdrawal w JOIN ledger.hold h"
                                    " ON h.id = w.hold_id WHERE w.id = %s", (wid,)).fetchone()
        held = conn.execute("SELECT held FROM ledger.account_balance(%s)", (wallet,)).fetchone()[0]
        bad = conn.execute("SELECT count(*) FROM ledger.check() WHERE NOT ok").fetchone()[0]
    assert (status, hold) == (("COMPLETED", "CAPTURED") if done[0]["outcome"] == "PAID" else ("FAILED", "RELEASED"))
    assert held == 0 and bad == 0


def test_the_cli_resolves(db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from mercato.cli import cli

    wid, _ = _flagged(db_url, "wy")
    monkeypatch.setenv("DATABASE_URL", db_url)
    payer = CliRunner().invoke(cli, ["pay", "withdrawal-resolve", str(wid), "--outcome", "NOT_PAID", "--reason",
                                     "give it back", "--as", "wy-payer"])
    assert isinstance(payer.exception, MercatoError) and payer.exception.code == "IDENTITY_PERMISSION_DENIED"
    result = CliRunner().invoke(cli, ["pay", "withdrawal-resolve", str(wid), "--outcome", "not_paid", "--reason",
                                      "the provider's statement has no such payout", "--as", "wy-admin"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["status"] == "FAILED"
