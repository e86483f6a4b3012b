"""The rails end to end (issue 19; docs/payments.md, "Rails and webhooks"): the rail simulator plays M-Pesa and KCB
against a test database through the library (top-ups and withdrawals under each scenario, a B2C time-out followed by
a late success paid once), the CLI drives it, and 16 clients deliver the same webhooks at once with every credit
applied exactly once. Superuser connections only arrange the world and read the outcome; assertions are on outcomes
and ledger.check(), never on timing."""

from __future__ import annotations

import json
import random
import threading
import uuid
from decimal import Decimal
from typing import Any

import psycopg
import pytest
from click.testing import CliRunner

from mercato.client import Client
from mercato.harness.rail_simulator import RailSimulator, setup_rails

SOURCE = "127.0.0.1"


def _scalar(db_url: str, query: str, *params: Any) -> Any:
    with psycopg.connect(db_url, autocommit=True) as conn:
        row = conn.execute(query, params).fetchone()
    return None if row is None else row[0]


@pytest.fixture
def world(db_url: str) -> dict[str, Any]:
    """A payer with a funded KES wallet; MPESA and KCB made ACTIVE for the simulator (credentials in the dict)."""
    sub = f"kc|rails-{uuid.uuid4().hex[:6]}"
    with psycopg.connect(db_url, autocommit=True) as conn:
        uid = conn.execute("SELECT identity.register_user(%s, 'CUSTOMER', 'Rails payer')", (sub,)).fetchone()[0]
        wallet = conn.execute("SELECT payments.wallet_for('USER', %s, 'KES')", (uid,)).fetchone()[0]
        conn.execute("SELECT ledger.transfer('test:rails:py', ledger.open_account('PLATFORM', 'test', 'EXTERNAL', 'KES', true),"
                     " %s, 5000)", (wallet,))
    with Client(db_url, max_size=1) as edge:
        creds = setup_rails(edge, allowlist=[f"{SOURCE}/32"], signed_rails=("KCB",))
    return {"sub": sub, "wallet": wallet, **creds}


def _payer(db_url: str, world: dict[str, Any]) -> Client:
    return Client(db_url, max_size=1, claims={"sub": world["sub"], "role": "mercato_user"}, role="mercato_user")


def _balance(db_url: str, account: int) -> Decimal:
    return _scalar(db_url, "SELECT balance FROM ledger.account_balance(%s)", account)


def _ledger_ok(db_url: str) -> None:
    assert _scalar(db_url, "SELECT count(*) FROM ledger.check() WHERE NOT ok") == 0, "ledger.check() passes"


def test_the_simulator_end_to_end(db_url: str, world: dict[str, Any]) -> None:
    wallet = world["wallet"]
    with Client(db_url, max_size=1) as edge, Client(db_url, max_size=1, role="mercato_sender") as sender, \
            _payer(db_url, world) as payer:
        def simulator(scenario: str) -> RailSimulator:
            return RailSimulator(sender, edge, tokens=world["tokens"], keys=world["keys"], scenario=scenario, source=SOURCE)

        # an M-Pesa top-up: STK push accepted, callback, our status query, completed
        s = payer.payments.create_funding_session(wallet, "MPESA", "100", "254712345678")
        simulator("success").run_once()
        assert payer.payments.funding_session(s["id"])["status"] == "COMPLETED"
        assert _balance(db_url, wallet) == Decimal("5100")

        # cancelled by the user (1032) and insufficient funds (1): failed, nothing credited
        for scenario, code in (("cancelled", "1032"), ("insufficient", "1")):
            s = payer.payments.create_funding_session(wallet, "MPESA", "50", "254712345678")
            simulator(scenario).run_once()
            got = payer.payments.funding_session(s["id"])
            assert (got["status"], got["failure_code"]) == ("FAILED", code), got
        assert _balance(db_url, wallet) == Decimal("5100")

        # a bank top-up whose callbacks arrive twice: credited once
        s = payer.payments.create_funding_session(wallet, "KCB", "40.50", "ACC-123456")
        sim = simulator("duplicate")
        sim.run_once()
        assert payer.payments.funding_session(s["id"])["status"] == "COMPLETED"
        assert _balance(db_url, wallet) == Decimal("5140.50")

        # never: accepted, then silence; the session stays PENDING (the expiry job ends it)
        s = payer.payments.create_funding_session(wallet, "MPESA", "10", "254712345678")
        simulator("never").run_once()
        assert payer.payments.funding_session(s["id"])["instruction_state"] == "ACCEPTED"

        # an STK push the user never answered (1037): failed; two top-ups whose callbacks come newest first: completed
        s = payer.payments.create_funding_session(wallet, "MPESA", "20", "254712345678")
        simulator("timeout").run_once()
        got = payer.payments.funding_session(s["id"])
        assert (got["status"], got["failure_code"]) == ("FAILED", "1037"), got
        both = [payer.payments.create_funding_session(wallet, rail, amount, who)["id"]
                for rail, amount, who in (("KCB", "5", "ACC-123456"), ("MPESA", "6", "254712345678"))]
        simulator("out_of_order").run_once()
        assert [payer.payments.funding_session(i)["status"] for i in both] == ["COMPLETED", "COMPLETED"]
        assert _balance(db_url, wallet) == Decimal("5151.50")

        # a B2C payout: queue time-out, then a late success: paid once
        w = payer.payments.request_withdrawal(wallet, "MPESA", "300", "254712345678")
        simulator("timeout").run_once()
        got = payer.payments.withdrawal(w["id"])
        assert got["status"] == "COMPLETED", got
        assert _balance(db_url, wallet) == Decimal("4851.50")
        assert _scalar(db_url, "SELECT count(*) FROM outbox.message WHERE template = 'mpesa.b2c'") == 1, "never re-sent"
        assert _scalar(db_url, "SELECT count(*) FROM payments.webhook_event WHERE processing_state = 'RECEIVED'") == 0
    _ledger_ok(db_url)


def test_the_cli_funds_and_simulates(db_url: str, world: dict[str, Any], monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    from mercato.cli import cli

    monkeypatch.setenv("DATABASE_URL", db_url)
    runner = CliRunner()
    r = runner.invoke(cli, ["pay", "fund", str(world["wallet"]), "--rail", "MPESA", "--amount", "25",
                            "--payer", "254712345678", "--as", world["sub"]])
    assert r.exit_code == 0, r.output
    session = json.loads(r.output)["id"]
    state = tmp_path / "sim.json"
    r = runner.invoke(cli, ["rails", "simulate", "--setup", "--state", str(state), "--source", SOURCE])
    assert r.exit_code == 0, r.output
    assert json.loads(r.output.strip().splitlines()[-1])["outcomes"] == {"Completed": 1}
    r = runner.invoke(cli, ["pay", "funding", str(session), "--as", world["sub"]])
    assert r.exit_code == 0 and json.loads(r.output)["status"] == "COMPLETED", r.output
    _ledger_ok(db_url)


def _deliver_all(db_url: str, calls: list[tuple[str, dict[str, str], str]], clients: int = 16) -> list[dict[str, Any]]:
    """Each of ``clients`` threads, with its own connection, delivers every call (in its own random order), all
    starting together; every answer."""
    barrier = threading.Barrier(clients)
    answers: list[dict[str, Any]] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def run(seed: int) -> None:
        try:
            with Client(db_url, max_size=1) as edge:
                mine = calls[:]
                random.Random(seed).shuffle(mine)
                barrier.wait()
                for provider, headers, body in mine:
                    a = edge.payments.ingest_webhook(provider, headers, body)
                    with lock:
                        answers.append(a)
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    return answers


def test_sixteen_clients_deliver_the_same_webhooks(db_url: str, world: dict[str, Any]) -> None:
    wallet = world["wallet"]
    before = _balance(db_url, wallet)
    with Client(db_url, max_size=1) as edge, Client(db_url, max_size=1, role="mercato_sender") as sender, \
            _payer(db_url, world) as payer:
        sim = RailSimulator(sender, edge, tokens=world["tokens"], keys=world["keys"], source=SOURCE)
        sessions = [payer.payments.create_funding_session(wallet, rail, amount, payer_id)["id"]
                    for rail, amount, payer_id in (("MPESA", "11", "254712345678"), ("MPESA", "12", "254712345679"),
                                                   ("KCB", "13.25", "ACC-777777"), ("KCB", "14", "ACC-888888"))]
        # the provider's side, but the callbacks are kept instead of delivered
        for m in sender.outbox.claim("RAIL", 100, 60, "test"):
            sim.handle(m)
        first = [(c.provider, c.headers, c.body) for c in sim.pending]
        sim.pending = []
        answers = _deliver_all(db_url, first)
        # each distinct callback applied by exactly one client; the others were duplicates
        assert sorted(a["state"] for a in answers).count("PROCESSED") == len(first), answers
        assert {a["state"] for a in answers} == {"PROCESSED", "DUPLICATE"}
        # the M-Pesa callbacks asked one status query each; its answers, delivered by 16 clients at once
        for m in sender.outbox.claim("RAIL", 100, 60, "test"):
            sim.handle(m)
        second = [(c.provider, c.headers, c.body) for c in sim.pending]
        assert len(second) == 2, "one status query per M-Pesa top-up"
        answers = _deliver_all(db_url, second)
        assert sorted(a["state"] for a in answers).count("PROCESSED") == 2
        for s in sessions:
            assert payer.payments.funding_session(s)["status"] == "COMPLETED"
    assert _balance(db_url, wallet) - before == Decimal("50.25"), "every credit applied exactly once"
    assert _scalar(db_url, "SELECT count(*) FROM ledger.transaction WHERE reference LIKE 'payments:funding:%%:complete'") == 4
    _ledger_ok(db_url)
