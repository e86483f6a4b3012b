"""Goods escrow under concurrency (issue 19; docs/payments.md, "Shops, wallet payments and goods escrow").

Twelve clients race on the same four due escrows: buyers confirming delivery, buyers opening disputes and the
auto-release job, all at once. Every escrow must be settled by exactly one of them — RELEASED once (one release posting,
the merchant paid once minus the fee) or DISPUTED (never released) — and every loser told PAYMENTS_ESCROW_STATE (or,
for the job, nothing released). Outcomes only, never timing.
"""

from __future__ import annotations

import json
import threading
from decimal import Decimal
from typing import Any

import psycopg
import pytest


def _as_buyer(conn: psycopg.Connection, sub: str, query: str, params: tuple) -> Any:
    with conn.transaction():
        conn.execute("SELECT set_config('request.jwt.claims', %s, true)", (json.dumps({"sub": sub, "role": "mercato_user"}),))
        conn.execute("SET LOCAL ROLE mercato_user")
        return conn.execute(query, params).fetchone()[0]


@pytest.fixture
def escrows(db_url: str) -> dict[str, Any]:
    """tests.escrow_world('race'): four orders of 20.00 paid from the buyer's wallet into escrow, all past their
    auto-release date; a 1.5 % PAYMENT fee for the WALLET rail."""
    with psycopg.connect(db_url, autocommit=True) as conn:
        w = conn.execute("SELECT tests.escrow_world('race')").fetchone()[0]
        conn.execute("SELECT tests.fund_user_wallet(%s, 1000)", (w["payer"],))
        with conn.transaction():
            conn.execute("SELECT set_config('request.jwt.claims', '{\"role\": \"mercato_service\"}', true)")
            conn.execute("SELECT payments.set_fee_rule(NULL, 'PAYMENT', 'WALLET', 'KES', 1.5)")
        ids = []
        for _ in range(4):
            order = conn.execute("SELECT tests.shop_order('race-payer', %s, %s, 2)", (w["shop_id"], w["variant"])).fetchone()[0]
            ids.append(_as_buyer(conn, "race-payer", "SELECT (api.pay_shop_order(%s) ->> 'escrow_id')::bigint", (order,)))
        conn.execute("UPDATE payments.goods_escrow SET funded_at = funded_at - interval '15 days', "
                     "release_after = now() - interval '1 day' WHERE id = ANY(%s)", (ids,))
    return {"world": w, "escrows": ids}


def test_clients_racing_on_the_same_escrows_resolve_each_once(db_url: str, escrows: dict[str, Any]) -> None:
    ids = escrows["escrows"]
    w = escrows["world"]
    plan = [(kind, ids[i % len(ids)]) for i, kind in enumerate(["confirm", "dispute", "job"] * 4)]   # 12 clients
    start = threading.Barrier(len(plan))
    lock = threading.Lock()
    results: list[tuple[str, int, str]] = []   # (kind, escrow, "ok" | error code | "released:n")

    def client(kind: str, escrow: int) -> None:
        with psycopg.connect(db_url, autocommit=True) as conn:
            start.wait()
            try:
                if kind == "confirm":
                    _as_buyer(conn, "race-payer", "SELECT api.confirm_delivery(%s)", (escrow,))
                    outcome = "ok"
                elif kind == "dispute":
                    _as_buyer(conn, "race-payer", "SELECT api.open_dispute(%s, 'never arrived')", (escrow,))
                    outcome = "ok"
                else:
                    outcome = f"released:{conn.execute('SELECT payments.release_due_escrows()').fetchone()[0]}"
            except psycopg.Error as exc:
                outcome = (exc.diag.message_primary or "").split(":")[0]
        with lock:
            results.append((kind, escrow, outcome))

    threads = [threading.Thread(target=client, args=p) for p in plan]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == len(plan)

    with psycopg.connect(db_url, autocommit=True) as conn:
        rows = {r[0]: r[1:] for r in conn.execute(
            "SELECT id, status, released_by, merchant_amount, fee FROM payments.goods_escrow WHERE id = ANY(%s)", (ids,))}
        postings = dict(conn.execute(
            "SELECT e.id, count(t.id) FROM payments.goods_escrow e LEFT JOIN ledger.transaction t "
            "ON t.reference = 'payments:escrow:' || e.id || ':release' WHERE e.id = ANY(%s) GROUP BY e.id", (ids,)).fetchall())
        wallet = conn.execute("SELECT balance FROM ledger.account_balance(payments.wallet_for('ORG', %s, 'KES'))",
                              (w["merchant"],)).fetchone()[0]
        failing = conn.execute("SELECT count(*) FROM ledger.check() WHERE NOT ok").fetchone()[0]

    for escrow in ids:
        status, released_by, merchant_amount, fee = rows[escrow]
        mine = [r for r in results if r[1] == escrow and r[0] != "job"]
        confirmed = sum(1 for k, _, o in mine if k == "confirm" and o == "ok")
        disputed = sum(1 for k, _, o in mine if k == "dispute" and o == "ok")
        assert status in ("RELEASED", "DISPUTED"), (escrow, status)
        # exactly one winner: the buyer's confirmation, the buyer's dispute or the job
        assert confirmed == (1 if released_by == "BUYER" else 0), (escrow, rows[escrow], mine)
        assert disputed == (1 if status == "DISPUTED" else 0), (escrow, rows[escrow], mine)
        assert confirmed + disputed + (1 if released_by == "AUTO" else 0) == 1, (escrow, rows[escrow], mine)
        assert postings[escrow] == (1 if status == "RELEASED" else 0), (escrow, postings[escrow])
        # every loser among the buyers was told the escrow had moved on
        assert all(o in ("ok", "PAYMENTS_ESCROW_STATE") for _, _, o in mine), mine
    jobs = [o for k, _, o in results if k == "job"]
    assert all(o.startswith("released:") for o in jobs), jobs
    assert sum(int(o.split(":")[1]) for o in jobs) == sum(1 for r in rows.values() if r[1] == "AUTO")
    assert wallet == sum((r[2] - r[3] for r in rows.values() if r[0] == "RELEASED"), Decimal(0))
    assert failing == 0


def test_the_library_and_the_cli(db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """A shop order paid from the wallet, released on delivery; a dispute resolved; an installment plan paid and
    cancelled — through client.payments and ``mercato pay shop | escrow | installments``."""
    from click.testing import CliRunner

    from mercato.cli import cli
    from mercato.client import Client
    from mercato.errors import MercatoError

    with psycopg.connect(db_url, autocommit=True) as conn:
        w = conn.execute("SELECT tests.escrow_world('lib')").fetchone()[0]
        conn.execute("SELECT tests.fund_user_wallet(%s, 500)", (w["payer"],))
    with Client(db_url, claims={"sub": "lib-payer", "role": "mercato_user"}, role="mercato_user") as buyer:
        order = buyer.payments.place_shop_order(w["shop_id"], {"lines": [{"variant_id": w["variant"], "quantity": 3}]})
        assert order["total_price"] == "30.00"
        paid = buyer.payments.pay_shop_order(order["id"])
        assert (paid["escrow_status"], paid["amount_held"], paid["funded"]) == ("HELD", "30.00", True)
        assert buyer.payments.confirm_delivery(paid["escrow_id"])["status"] == "RELEASED"
        with pytest.raises(MercatoError) as info:
            buyer.payments.confirm_delivery(paid["escrow_id"])
        assert (info.value.code, info.value.http_status) == ("PAYMENTS_ESCROW_STATE", 409)
        planned = buyer.payments.place_shop_order(w["shop_id"], {"lines": [{"variant_id": w["variant"], "quantity": 1}]})
        plan = buyer.payments.create_installment_plan(planned["id"], 3, 7)
        assert [i["amount"] for i in plan["schedule"]] == ["3.33", "3.33", "3.34"]
    monkeypatch.setenv("DATABASE_URL", db_url)
    runner = CliRunner()
    r = runner.invoke(cli, ["pay", "installments", "pay", str(plan["schedule"][0]["id"]), "--as", "lib-payer"])
    assert r.exit_code == 0 and '"amount": "3.33"' in r.output, r.output
    r = runner.invoke(cli, ["pay", "installments", "cancel", str(plan["id"]), "--as", "lib-payer"])
    assert r.exit_code == 0 and '"cancel_refund": "3.16"' in r.output, r.output   # 3.33 minus 5 % (0.17)
    r = runner.invoke(cli, ["pay", "escrow", "show", str(paid["escrow_id"]), "--as", "lib-clerk"])
    assert r.exit_code == 0 and '"status": "RELEASED"' in r.output, r.output
    r = runner.invoke(cli, ["pay", "escrow", "show", str(paid["escrow_id"]), "--as", "lib-buyer2"])
    assert isinstance(r.exception, MercatoError) and r.exception.code == "PAYMENTS_UNKNOWN_ESCROW"
