"""Resolving a quarantined webhook event (docs/payments.md, "Resolving quarantined webhook events") from several
operators at once: whatever the interleaving, exactly one resolution takes effect and the others are refused with
PAYMENTS_WEBHOOK_EVENT_FINAL; the library and the CLI reach the same function. Assertions are on outcomes, never on
timing."""

from __future__ import annotations

import json
import threading
from typing import Any

import psycopg
import pytest
from click.testing import CliRunner

from mercato.client import Client
from mercato.errors import MercatoError


def _quarantined(conn: psycopg.Connection, checkout: str) -> int:
    """An authenticated M-Pesa STK callback naming a CheckoutRequestID no instruction has: QUARANTINED on arrival."""
    conn.execute("SELECT set_config('request.jwt.claims', '{\"sub\": \"rz-admin\", \"role\": \"mercato_user\"}', true)")
    token = conn.execute("SELECT api.set_rail('MPESA', p_status => 'ACTIVE', p_source_allowlist => '{127.0.0.1/32}'),"
                         " api.new_rail_path_token('MPESA')").fetchone()[1]
    conn.execute("SELECT set_config('request.jwt.claims', '{\"role\": \"mercato_service\"}', true)")
    answer = conn.execute("SELECT api.ingest_webhook('MPESA', tests.mpesa_headers(%s, '127.0.0.1'),"
                          " tests.stk_callback(%s, 0, 100, 'RCPTZ'))", (token, checkout)).fetchone()[0]
    assert answer["state"] == "QUARANTINED", answer
    return int(answer["event_id"])


@pytest.fixture
def event(db_url: str) -> int:
    with psycopg.connect(db_url, autocommit=True) as conn:
        conn.execute("SELECT tests.payments_world('rz')")
        with conn.transaction():
            return _quarantined(conn, "ws_CO_RZ")


def _admin(db_url: str) -> Client:
    return Client(db_url, max_size=1, claims={"sub": "rz-admin", "role": "mercato_user"}, role="mercato_user")


def test_concurrent_resolutions_take_effect_once(db_url: str, event: int) -> None:
    operators = 8
    barrier = threading.Barrier(operators)
    outcomes: list[Any] = []
    lock = threading.Lock()

    def operator(i: int) -> None:
        action = "DISMISS" if i % 2 else "REPROCESS"
        with _admin(db_url) as admin:
            barrier.wait()
            try:
                result: Any = admin.payments.resolve_webhook_event(event, action, f"operator {i}")
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
    refused = [o for o in outcomes if not isinstance(o, dict)]
    # A REPROCESS of a still-unknown reference leaves the event QUARANTINED (resolvable again); a DISMISS closes it.
    # Whatever the order, the event ends closed by exactly one DISMISS and every later attempt is refused.
    assert sum(1 for o in done if o["state"] == "IGNORED") == 1, outcomes
    assert all(o["state"] == "QUARANTINED" for o in done if o["action"] == "REPROCESS"), outcomes
    assert set(refused) <= {"PAYMENTS_WEBHOOK_EVENT_FINAL"}, outcomes
    with psycopg.connect(db_url, autocommit=True) as conn:
        rows = conn.execute("SELECT action, from_state, to_state FROM payments.webhook_resolution WHERE event_id = %s"
                            " ORDER BY id", (event,)).fetchall()
        state = conn.execute("SELECT processing_state, error_code FROM payments.webhook_event WHERE id = %s",
                             (event,)).fetchone()
    assert len(rows) == len(done), "one recorded resolution per one that took effect"
    assert rows[-1] == ("DISMISS", "QUARANTINED", "IGNORED") and state == ("IGNORED", "DISMISSED")


def test_the_cli_resolves(db_url: str, event: int, monkeypatch: pytest.MonkeyPatch) -> None:
    from mercato.cli import cli

    monkeypatch.setenv("DATABASE_URL", db_url)
    listed = CliRunner().invoke(cli, ["pay", "webhooks", "list", "--state", "QUARANTINED", "--as", "rz-admin"])
    assert listed.exit_code == 0, listed.output
    assert [json.loads(line)["id"] for line in listed.output.splitlines()] == [event]
    result = CliRunner().invoke(cli, ["pay", "webhooks", "resolve", str(event), "--action", "dismiss", "--reason",
                                      "a test push", "--as", "rz-admin"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["state"] == "IGNORED"
    again = CliRunner().invoke(cli, ["pay", "webhooks", "resolve", str(event), "--action", "DISMISS", "--reason",
                                     "twice", "--as", "rz-admin"])
    assert isinstance(again.exception, MercatoError) and again.exception.code == "PAYMENTS_WEBHOOK_EVENT_FINAL"
    payer = CliRunner().invoke(cli, ["pay", "webhooks", "resolve", str(event), "--action", "DISMISS", "--reason",
                                     "mine", "--as", "rz-payer"])
    assert isinstance(payer.exception, MercatoError) and payer.exception.code == "IDENTITY_PERMISSION_DENIED"
