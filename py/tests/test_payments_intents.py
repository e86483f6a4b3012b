"""Payment intents under concurrency (issue 19, docs/payments.md): 16 clients confirm the same intents at once — with
the same idempotency keys, and without keys — and every hold and capture is applied exactly once; 16 clients refund one
intent at once and the refunds never exceed the capture. Outcomes are asserted, never timings. The library and the CLI
drive a merchant's intent, a capture of part and a QR payment. Superuser connections only arrange the world."""

from __future__ import annotations

import json
import threading
import uuid
from collections import Counter
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import psycopg
import pytest
from click.testing import CliRunner

from mercato.client import Client
from mercato.errors import MercatoError

CLIENTS = 16


@pytest.fixture
def world(db_url: str) -> dict[str, Any]:
    prefix = f"pc{uuid.uuid4().hex[:6]}"
    with psycopg.connect(db_url, autocommit=True) as conn:
        w = conn.execute("SELECT tests.payments_world(%s)", (prefix,)).fetchone()[0]
        wallet = conn.execute("SELECT payments.wallet_for('USER', %s, 'KES')", (w["payer"],)).fetchone()[0]
        merchant_wallet = conn.execute("SELECT payments.wallet_for('ORG', %s, 'KES')", (w["merchant"],)).fetchone()[0]
        conn.execute("SELECT tests.fund_wallet(%s, 100000, %s)", (wallet, f"test:{prefix}:fund"))
    return {**w, "prefix": prefix, "wallet": wallet, "merchant_wallet": merchant_wallet}


def _as(db_url: str, sub: str) -> Client:
    return Client(db_url, max_size=1, claims={"sub": sub, "role": "mercato_user"}, role="mercato_user")


def _race(db_url: str, sub: str, action: Callable[[Client, int], Any]) -> list[Any]:
    """Run action(client, n) in CLIENTS threads released together; each outcome is a result or a MercatoError code."""
    barrier = threading.Barrier(CLIENTS)
    outcomes: list[Any] = [None] * CLIENTS

    def run(n: int) -> None:
        with _as(db_url, sub) as client:
            client.call("api.my_wallets")   # connected before the barrier
            barrier.wait()
            try:
                outcomes[n] = action(client, n)
            except MercatoError as exc:
                outcomes[n] = exc.code

    threads = [threading.Thread(target=run, args=(n,)) for n in range(CLIENTS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return outcomes


def _ledger_ok(db_url: str) -> bool:
    with psycopg.connect(db_url) as conn:
        return all(ok for (ok,) in conn.execute("SELECT ok FROM ledger.check()"))


def test_sixteen_clients_confirm_the_same_intents_once(db_url: str, world: dict[str, Any]) -> None:
    p, wallet = world["prefix"], world["wallet"]
    with _as(db_url, f"{p}-clerk") as clerk:
        made = [clerk.payments.create_intent(world["merchant"], "25.00", description=f"k{i}") for i in range(4)]
        made += [clerk.payments.create_intent(world["merchant"], "10.00", description=f"u{i}") for i in range(4)]
    secret = {m["id"]: m["client_secret"] for m in made}   # the merchant hands each customer its intent's secret
    keyed, unkeyed = [m["id"] for m in made[:4]], [m["id"] for m in made[4:]]

    def confirm_all(client: Client, n: int) -> list[Any]:
        results: list[Any] = []
        for i in keyed:   # the same key per intent in every client
            try:
                results.append(client.payments.confirm_intent(i, [{"wallet_id": wallet, "amount": "25.00"}],
                                                              idempotency_key=f"confirm-{i}",
                                                              client_secret=secret[i])["status"])
            except MercatoError as exc:
                results.append(exc.code)
        for i in unkeyed:
            try:
                results.append(client.payments.confirm_intent(i, [{"wallet_id": wallet, "amount": "10.00"}],
                                                              client_secret=secret[i])["status"])
            except MercatoError as exc:
                results.append(exc.code)
        return results

    outcomes = _race(db_url, f"{p}-payer", confirm_all)
    assert all(isinstance(o, list) for o in outcomes), outcomes
    per_keyed = [Counter(o[k] for o in outcomes) for k in range(4)]
    per_unkeyed = [Counter(o[4 + k] for o in outcomes) for k in range(4)]
    for c in per_keyed:   # the winner and the replays answer SUCCEEDED; a loser still racing gets the retryable 409
        assert set(c) <= {"SUCCEEDED", "PAYMENTS_IDEMPOTENCY_IN_PROGRESS"} and c["SUCCEEDED"] >= 1, c
    for c in per_unkeyed:   # without a key: one confirmation, the others find it no longer confirmable
        assert c == Counter({"SUCCEEDED": 1, "PAYMENTS_INTENT_STATE": CLIENTS - 1}), c
    with psycopg.connect(db_url) as conn:
        ids = keyed + unkeyed
        rows = conn.execute("SELECT status, attempt FROM payments.payment_intent WHERE id = ANY(%s)", (ids,)).fetchall()
        assert rows and all(r == ("SUCCEEDED", 1) for r in rows), rows
        holds = conn.execute("SELECT count(*) FROM payments.intent_share WHERE intent_id = ANY(%s) AND hold_id IS NOT NULL",
                             (ids,)).fetchone()[0]
        captures = conn.execute("SELECT count(*) FROM ledger.hold h JOIN payments.intent_share s ON s.hold_id = h.id "
                                "WHERE s.intent_id = ANY(%s) AND h.status = 'CAPTURED'", (ids,)).fetchone()[0]
        balance = conn.execute("SELECT balance FROM ledger.account WHERE id = %s", (wallet,)).fetchone()[0]
        merchant = conn.execute("SELECT balance FROM ledger.account WHERE id = %s", (world["merchant_wallet"],)).fetchone()[0]
        keys = conn.execute("SELECT count(*) FROM payments.idempotency_key WHERE key LIKE 'confirm-%%' AND scope_id = %s",
                            (world["payer"],)).fetchone()[0]
    assert (holds, captures, keys) == (8, 8, 4)
    assert balance == Decimal("100000") - 4 * Decimal("25") - 4 * Decimal("10"), "every hold captured exactly once"
    assert merchant == Decimal("140"), "no PAYMENT fee rule in force: the merchant got it all, once"
    assert _ledger_ok(db_url)


def test_concurrent_partial_refunds_never_exceed_the_capture(db_url: str, world: dict[str, Any]) -> None:
    p, wallet = world["prefix"], world["wallet"]
    with _as(db_url, f"{p}-payer") as payer:
        intent = payer.payments.create_intent(world["merchant"], "100.00", sources=[{"wallet_id": wallet, "amount": "100"}])
        assert payer.payments.confirm_intent(intent["id"])["status"] == "SUCCEEDED"
    outcomes = _race(db_url, f"{p}-merchant",
                     lambda client, n: client.payments.refund_intent(intent["id"], "30.00", reason=f"r{n}")["refund"]["amount"])
    assert Counter(outcomes) == Counter({"30.00": 3, "PAYMENTS_REFUND_EXCEEDS": CLIENTS - 3}), outcomes
    with psycopg.connect(db_url) as conn:
        refunded, captured = conn.execute("SELECT amount_refunded, amount_captured FROM payments.payment_intent "
                                          "WHERE id = %s", (intent["id"],)).fetchone()
        back = conn.execute("SELECT balance FROM ledger.account WHERE id = %s", (wallet,)).fetchone()[0]
    assert (refunded, captured) == (Decimal("90.00"), Decimal("100.00"))
    assert back == Decimal("100000") - Decimal("100") + Decimal("90")
    assert _ledger_ok(db_url)


def test_the_library_and_the_cli(db_url: str, world: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    from mercato.cli import cli

    p, wallet = world["prefix"], world["wallet"]
    monkeypatch.setenv("DATABASE_URL", db_url)
    runner = CliRunner()

    def run(*args: str) -> Any:
        result = runner.invoke(cli, ["pay", *args], catch_exceptions=False)
        assert result.exit_code == 0, result.output
        return json.loads(result.output)

    made = run("intent", "create", str(world["merchant"]), "40", "--manual", "--key", "cli-1", "--as", f"{p}-clerk")
    assert made["status"] == "REQUIRES_PAYMENT_METHOD"
    assert run("intent", "show", str(made["id"]), "--client-secret", made["client_secret"],
               "--as", f"{p}-admin")["status"] == "REQUIRES_PAYMENT_METHOD", "a non-member reads it with the secret"
    result = runner.invoke(cli, ["pay", "intent", "confirm", str(made["id"]), "--source", f"wallet:{wallet}:40",
                                 "--as", f"{p}-payer"])
    assert result.exit_code != 0 and "PAYMENTS_UNKNOWN_INTENT" in f"{result.output} {result.exception}"   # no secret
    held = run("intent", "confirm", str(made["id"]), "--source", f"wallet:{wallet}:40", "--client-secret",
               made["client_secret"], "--as", f"{p}-payer")
    assert held["status"] == "REQUIRES_CAPTURE"
    done = run("intent", "capture", str(made["id"]), "25", "--as", f"{p}-clerk")
    assert (done["status"], done["amount_captured"]) == ("SUCCEEDED", "25")
    assert len(run("intent", "show", str(made["id"]), "--as", f"{p}-payer")["events"]) == 4
    code = run("qr", "create", str(world["merchant"]), "--as", f"{p}-merchant")
    paid = run("qr", "pay", code["payload"], str(wallet), "7.50", "--as", f"{p}-payer")
    assert paid["amount_captured"] == "7.50"
    with _as(db_url, f"{p}-payer") as payer:
        with pytest.raises(MercatoError) as info:
            payer.payments.create_intent(world["merchant"], "1", sources=[{"wallet_id": wallet, "amount": "2"}])
        assert (info.value.code, info.value.http_status) == ("PAYMENTS_INVALID_INPUT", 400)
        listed = payer.payments.list_intents()
    assert {r["id"] for r in listed} >= {made["id"], paid["id"]}
    assert _ledger_ok(db_url)


def test_sixteen_deliveries_of_one_funding_hold_once(db_url: str, world: dict[str, Any]) -> None:
    """The hook the rails call when a funding completes, delivered by 16 sessions at once: one hold, one capture."""
    p, wallet = world["prefix"], world["wallet"]
    with _as(db_url, f"{p}-payer") as payer:
        intent = payer.payments.create_intent(world["merchant"], "50.00", sources=[
            {"wallet_id": wallet, "amount": "20"}, {"rail": "MPESA", "amount": "30"}])
        assert payer.payments.confirm_intent(intent["id"])["status"] == "PROCESSING"
    with psycopg.connect(db_url, autocommit=True) as conn:
        share = conn.execute("SELECT id FROM payments.intent_share WHERE intent_id = %s AND source = 'EXTERNAL'",
                             (intent["id"],)).fetchone()[0]
        conn.execute("SELECT tests.fund_wallet(%s, 30, %s)", (wallet, f"test:{p}:mpesa"))
    barrier = threading.Barrier(CLIENTS)
    answers: list[Any] = []
    lock = threading.Lock()

    def deliver() -> None:
        with psycopg.connect(db_url, autocommit=True) as conn:
            barrier.wait()
            answer = conn.execute("SELECT payments.external_share_funded(%s, %s)", (share, wallet)).fetchone()[0]
            with lock:
                answers.append(answer)

    threads = [threading.Thread(target=deliver) for _ in range(CLIENTS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert answers == [True] * CLIENTS
    with psycopg.connect(db_url) as conn:
        status, captured = conn.execute("SELECT status, amount_captured FROM payments.payment_intent WHERE id = %s",
                                        (intent["id"],)).fetchone()
        holds = conn.execute("SELECT count(*) FROM ledger.hold WHERE reference = %s",
                             (f"payments:intent_share:{share}:hold",)).fetchone()[0]
        balance = conn.execute("SELECT balance FROM ledger.account WHERE id = %s", (wallet,)).fetchone()[0]
    assert (status, captured, holds) == ("SUCCEEDED", Decimal("50.00"), 1)
    assert balance == Decimal("100000") + Decimal("30") - Decimal("50"), "the funding paid its share once"
    assert _ledger_ok(db_url)


def test_over_http_with_real_jwts(db_url: str, world: dict[str, Any]) -> None:
    """The emulated PostgREST: a merchant's intent confirmed by its customer with its client secret (absent or wrong:
    404, nothing changed), the idempotency statuses (the stored answer, 422), a refund above the capture (409), an unrelated caller (404), anonymous (401/403)."""
    from jwt_helper import rest_as_authenticator, sign

    p, wallet = world["prefix"], world["wallet"]
    clerk, payer, owner = (sign({"sub": f"{p}-{k}", "role": "mercato_user"}) for k in ("clerk", "payer", "merchant"))
    admin = sign({"sub": f"{p}-admin", "role": "mercato_user"})
    rest = rest_as_authenticator(db_url)
    try:
        made = rest.rpc("create_payment_intent", {"p_merchant_id": world["merchant"], "p_amount": "60", "p_currency": "KES",
                                                  "p_idempotency_key": "http-1"}, token=clerk)
        assert made.ok and made.body["status"] == "REQUIRES_PAYMENT_METHOD", made.body
        again = rest.rpc("create_payment_intent", {"p_merchant_id": world["merchant"], "p_amount": "60.00", "p_currency": "KES",
                                                   "p_idempotency_key": "http-1"}, token=clerk)
        assert again.ok and again.body["id"] == made.body["id"]
        other = rest.rpc("create_payment_intent", {"p_merchant_id": world["merchant"], "p_amount": "61", "p_currency": "KES",
                                                   "p_idempotency_key": "http-1"}, token=clerk)
        assert (other.status, other.code) == (422, "PAYMENTS_IDEMPOTENCY_MISMATCH"), other.body
        assert again.body["client_secret"] == made.body["client_secret"], "a replay carries the same client secret"
        pay = {"p_intent_id": made.body["id"], "p_sources": [{"wallet_id": wallet, "amount": "60"}]}
        for secret in (None, made.body["client_secret"][:-1] + "x"):   # absent or wrong: answered like an unknown intent
            refused = rest.rpc("confirm_payment_intent", {**pay, "p_client_secret": secret}, token=payer)
            assert (refused.status, refused.code) == (404, "PAYMENTS_UNKNOWN_INTENT"), refused.body
        public = rest.rpc("get_payment_intent", {"p_intent_id": made.body["id"],
                                                 "p_client_secret": made.body["client_secret"]}, token=admin)
        assert public.ok and public.body["status"] == "REQUIRES_PAYMENT_METHOD" and "shares" not in public.body, public.body
        done = rest.rpc("confirm_payment_intent", {**pay, "p_client_secret": made.body["client_secret"]}, token=payer)
        assert done.ok and done.body["status"] == "SUCCEEDED", done.body
        over = rest.rpc("refund_payment_intent", {"p_intent_id": made.body["id"], "p_amount": "61"}, token=owner)
        assert (over.status, over.code) == (409, "PAYMENTS_REFUND_EXCEEDS"), over.body
        seen = rest.rpc("get_payment_intent", {"p_intent_id": made.body["id"]}, token=admin)
        assert (seen.status, seen.code) == (404, "PAYMENTS_UNKNOWN_INTENT"), seen.body
        assert rest.rpc("get_payment_intent", {"p_intent_id": made.body["id"]}).status in (401, 403)
    finally:
        rest.close()
