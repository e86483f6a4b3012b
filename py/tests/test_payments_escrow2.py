"""The second pass on shops, escrow and installments (issue 19; docs/payments.md, "Installments paid by payment intent",
"Cancelling or refunding an order held in escrow", "Listing escrows and installment plans").

* Clients race on the same open installments: the buyer confirming a payment intent that names the installment, the
  buyer paying it from the wallet, and the auto-debit job. Each installment is paid exactly once (one PAID, one order
  payment, the wallet debited once) and every loser is refused with nothing moved. Outcomes only, never timing.
* The library and the CLI: lists of escrows and plans, the merchant's cancellation of a shop order held in escrow.
"""

from __future__ import annotations

import json
import threading
from decimal import Decimal
from typing import Any

import psycopg
import pytest


def _as_user(conn: psycopg.Connection, sub: str, query: str, params: tuple) -> Any:
    with conn.transaction():
        conn.execute("SELECT set_config('request.jwt.claims', %s, true)", (json.dumps({"sub": sub, "role": "mercato_user"}),))
        conn.execute("SET LOCAL ROLE mercato_user")
        return conn.execute(query, params).fetchone()[0]


def test_intent_wallet_and_job_racing_on_installments_pay_each_once(db_url: str) -> None:
    with psycopg.connect(db_url, autocommit=True) as conn:
        w = conn.execute("SELECT tests.escrow_world('irace')").fetchone()[0]
        conn.execute("SELECT tests.fund_user_wallet(%s, 1000)", (w["payer"],))
        wallet = conn.execute("SELECT payments.wallet_for('USER', %s, 'KES')", (w["payer"],)).fetchone()[0]
        plans = []
        for _ in range(4):
            order = conn.execute("SELECT tests.shop_order('irace-payer', %s, %s, 2)", (w["shop_id"], w["variant"])).fetchone()[0]
            plans.append(_as_user(conn, "irace-payer", "SELECT api.create_installment_plan(%s, 2, 30)", (order,)))
        firsts = [p["schedule"][0]["id"] for p in plans]   # each due now: the job takes them too
        intents = [_as_user(conn, "irace-payer",
                            "SELECT (api.create_payment_intent(%s, 10, 'KES', p_metadata => %s::jsonb, "
                            "p_sources => %s::jsonb) ->> 'id')::bigint",
                            (w["merchant"], json.dumps({"installment_id": i}),
                             json.dumps([{"wallet_id": wallet, "amount": "10.00"}]))) for i in firsts]
        before = conn.execute("SELECT balance FROM ledger.account_balance(%s)", (wallet,)).fetchone()[0]

    work = [("intent", k) for k in range(4)] + [("wallet", k) for k in range(4)] + [("job", k) for k in range(4)]
    start = threading.Barrier(len(work))
    lock = threading.Lock()
    results: list[tuple[str, int, str]] = []

    def client(kind: str, k: int) -> None:
        with psycopg.connect(db_url, autocommit=True) as conn:
            start.wait()
            try:
                if kind == "intent":
                    outcome = _as_user(conn, "irace-payer", "SELECT api.confirm_payment_intent(%s) ->> 'status'", (intents[k],))
                elif kind == "wallet":
                    _as_user(conn, "irace-payer", "SELECT api.pay_installment(%s)", (firsts[k],))
                    outcome = "ok"
                else:
                    outcome = f"paid:{conn.execute('SELECT payments.collect_due_installments()').fetchone()[0]}"
            except psycopg.Error as exc:
                outcome = (exc.diag.message_primary or "").split(":")[0]
        with lock:
            results.append((kind, k, outcome))

    threads = [threading.Thread(target=client, args=p) for p in work]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == len(work)

    with psycopg.connect(db_url, autocommit=True) as conn:
        rows = {r[0]: r[1:] for r in conn.execute(
            "SELECT i.id, i.status, i.paid_by, (SELECT count(*) FROM orders.payment p WHERE p.order_id = pl.order_id "
            "AND p.kind = 'PAYMENT'), e.amount_held FROM payments.installment i "
            "JOIN payments.installment_plan pl ON pl.id = i.plan_id "
            "JOIN payments.goods_escrow e ON e.order_id = pl.order_id WHERE i.id = ANY(%s)", (firsts,))}
        statuses = dict(conn.execute("SELECT id, status FROM payments.payment_intent WHERE id = ANY(%s)", (intents,)).fetchall())
        after = conn.execute("SELECT balance FROM ledger.account_balance(%s)", (wallet,)).fetchone()[0]
        failing = conn.execute("SELECT count(*) FROM ledger.check() WHERE NOT ok").fetchone()[0]
    for k, inst in enumerate(firsts):
        status, paid_by, payments, held = rows[inst]
        assert (status, payments, held) == ("PAID", 1, Decimal("10.00")), (inst, rows[inst])   # paid once, held once
        intent_won = statuses[intents[k]] == "SUCCEEDED"
        assert intent_won == (paid_by == "INTENT"), (inst, paid_by, statuses[intents[k]])
        wallet_won = ("wallet", k, "ok") in results
        assert wallet_won == (paid_by == "BUYER"), (inst, paid_by, results)
        losers = [o for kind, kk, o in results if kk == k and kind in ("intent", "wallet") and o not in ("ok", "SUCCEEDED")]
        assert all(o == "PAYMENTS_PLAN_STATE" for o in losers), losers
    jobs = [o for kind, _, o in results if kind == "job"]
    assert sum(int(o.split(":")[1]) for o in jobs) == sum(1 for r in rows.values() if r[1] == "AUTO"), (jobs, rows)
    assert before - after == Decimal("40.00"), (before, after)   # four installments of 10.00, each debited once
    assert failing == 0


def test_lists_and_cancel_through_the_library_and_the_cli(db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from click.testing import CliRunner

    from mercato.cli import cli
    from mercato.client import Client
    from mercato.errors import MercatoError

    with psycopg.connect(db_url, autocommit=True) as conn:
        w = conn.execute("SELECT tests.escrow_world('lst')").fetchone()[0]
        conn.execute("SELECT tests.fund_user_wallet(%s, 500)", (w["payer"],))
    with Client(db_url, claims={"sub": "lst-payer", "role": "mercato_user"}, role="mercato_user") as buyer:
        order = buyer.payments.place_shop_order(w["shop_id"], {"lines": [{"variant_id": w["variant"], "quantity": 2}]})
        paid = buyer.payments.pay_shop_order(order["id"])
        planned = buyer.payments.place_shop_order(w["shop_id"], {"lines": [{"variant_id": w["variant"], "quantity": 1}]})
        plan = buyer.payments.create_installment_plan(planned["id"], 2, 7)
        assert [e["id"] for e in buyer.payments.list_escrows()] == [paid["escrow_id"]]
        assert [(p["id"], p["open_installments"]) for p in buyer.payments.list_installment_plans(status="active")] == \
            [(plan["id"], 2)]
        with pytest.raises(MercatoError) as info:
            buyer.payments.list_escrows(w["merchant"])
        assert info.value.code == "IDENTITY_UNKNOWN_ORGANIZATION"
    with Client(db_url, claims={"sub": "lst-merchant", "role": "mercato_user"}, role="mercato_user") as merchant:
        cancelled = merchant.payments.cancel_shop_order(order["id"], "cannot deliver")
        assert (cancelled["status"], cancelled["escrow"]["status"], cancelled["escrow"]["buyer_amount"]) == \
            ("CANCELLED", "REFUNDED", "20.00")
    monkeypatch.setenv("DATABASE_URL", db_url)
    runner = CliRunner()
    r = runner.invoke(cli, ["pay", "escrow", "list", "--merchant", str(w["merchant"]), "--status", "refunded",
                            "--as", "lst-clerk"])
    assert r.exit_code == 0 and f'"id": {paid["escrow_id"]}' in r.output, r.output
    r = runner.invoke(cli, ["pay", "installments", "list", "--merchant", str(w["merchant"])])
    assert r.exit_code == 0 and f'"id": {plan["id"]}' in r.output, r.output
    r = runner.invoke(cli, ["pay", "shop", "cancel", str(order["id"]), "again", "--as", "lst-merchant"])
    assert isinstance(r.exception, MercatoError) and r.exception.code == "ORDERS_NOT_CANCELLABLE", r.output
