"""Customers, store credit, loyalty points and refunds (issue 18; docs/orders-money.md) end to end: through the emulated
PostgREST (NOINHERIT authenticator, signed JWT, one transaction per request), the library and the CLI. Superuser
connections only arrange the world (a USD shop, stock, orders written as place_order would write them) and read what
was written.

Store credit is issued, spent, and a spend above the balance is refused with nothing written; eight clients racing to
spend one customer's credit never overdraw it and exactly the affordable number win; points are earned once even when
the trigger's condition repeats, and redeemed; partial refunds go to the original account and to store credit, an
over-refund is refused; ledger.check() and inventory.check() stay clean.
"""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import psycopg
import pytest
from click.testing import CliRunner
from psycopg.conninfo import make_conninfo
from psycopg.types.json import Jsonb

from mercato.client import Client
from mercato.errors import MercatoError
from mercato.harness.postgrest import PostgREST, Response
from jwt_helper import rest_as_authenticator, sign


@dataclass
class World:
    url: str
    rest: PostgREST
    tenant: int
    sub: dict[str, str]
    uid: dict[str, int]
    variant: int
    location: int
    tag: str

    def call(self, fn: str, args: dict[str, Any] | None = None, who: str | None = None,
             rest: PostgREST | None = None) -> Response:
        claims = {"role": "mercato_service"} if who is None else {"sub": self.sub[who], "role": "mercato_user"}
        return (rest or self.rest).rpc(fn, args or {}, token=sign(claims))

    def ok(self, fn: str, args: dict[str, Any] | None = None, who: str | None = None) -> Any:
        r = self.call(fn, args, who)
        assert r.ok, (fn, who, r.status, r.body)
        return r.body

    def refused(self, fn: str, args: dict[str, Any], who: str | None, status: int, code: str) -> Response:
        r = self.call(fn, args, who)
        assert (r.status, r.code) == (status, code), (fn, who, r.status, r.body)
        return r

    def order(self, customer: int | None, price: str, quantity: int = 1, reserve: bool = False) -> int:
        with psycopg.connect(self.url, autocommit=True) as conn:
            return conn.execute("SELECT tests.order_for(%s, %s, %s, %s)",
                                (self.tenant, customer, Jsonb([{"variant_id": self.variant, "quantity": quantity,
                                                                "price": price}]),
                                 self.location if reserve else None)).fetchone()[0]

    def sql(self, query: str, *params: Any) -> list[tuple]:
        with psycopg.connect(self.url, autocommit=True) as conn:
            return conn.execute(query, params).fetchall()

    def checks_clean(self) -> None:
        bad = self.sql("SELECT 'ledger', * FROM ledger.check() WHERE violations > 0 "
                       "UNION ALL SELECT 'inventory', * FROM inventory.check() WHERE violations > 0")
        assert bad == [], bad


@pytest.fixture
def world(db_url: str) -> Iterator[World]:
    """A USD shop: its admin (TENANT_ADMIN: orders.manage), a clerk without permissions, two buyers (users of the
    tenant), a tracked variant with 50 units at a warehouse."""
    tag = uuid.uuid4().hex[:6]
    users = ("admin", "clerk", "buyer", "buyer2")
    sub = {k: f"kc|cus-{k}-{tag}" for k in users}
    with psycopg.connect(db_url, autocommit=True) as conn:
        tenant = conn.execute("SELECT identity.create_tenant(%s, 'Shop')", (f"cus-{tag}",)).fetchone()[0]
        conn.execute("SELECT identity.set_tenant_currency(%s, 'USD')", (tenant,))
        uid = {k: conn.execute("SELECT identity.register_user(%s, 'STAFF', %s, %s)", (sub[k], k, tenant)).fetchone()[0]
               for k in users}
        conn.execute("SELECT identity.assign_role(%s, 'TENANT_ADMIN', %s)", (uid["admin"], tenant))
        variant = conn.execute("SELECT tests.catalog_variant(%s, %s)", (tenant, f"CUS-{tag}")).fetchone()[0]
    with psycopg.connect(db_url) as conn:   # one transaction as the back office
        conn.execute("SELECT set_config('request.jwt.claims', '{\"role\": \"mercato_service\"}', true)")
        location = conn.execute("SELECT inventory.create_location('WH', 'Warehouse', 'WAREHOUSE', 10, true, %s)",
                                (tenant,)).fetchone()[0]
        conn.execute("SELECT inventory.receive(%s, %s, 50, p_tenant_id => %s)", (variant, location, tenant))
    rest = rest_as_authenticator(db_url)
    yield World(db_url, rest, tenant, sub, uid, variant, location, tag)
    rest.close()


def test_store_credit_is_issued_spent_and_never_overdrawn(world: World) -> None:
    w = world
    me = w.ok("create_my_customer", {"p_customer": {"email": f"Buyer-{w.tag}@Example.com"}}, "buyer")
    assert me["email"] == f"buyer-{w.tag}@example.com" and me["user_id"] == w.uid["buyer"]
    issued = w.ok("issue_store_credit", {"p_customer_id": me["id"], "p_amount": "30.00", "p_reason": "welcome",
                                         "p_idempotency_key": "w-1"}, "admin")
    assert issued["balance"] == "30.00"
    assert w.ok("issue_store_credit", {"p_customer_id": me["id"], "p_amount": "30.00", "p_reason": "welcome",
                                       "p_idempotency_key": "w-1"}, "admin")["balance"] == "30.00", "a retry posts once"
    w.refused("issue_store_credit", {"p_customer_id": me["id"], "p_amount": "1", "p_reason": "x"}, "clerk", 403,
              "IDENTITY_PERMISSION_DENIED")
    w.refused("issue_store_credit", {"p_customer_id": me["id"], "p_amount": "1", "p_reason": "x"}, "buyer", 403,
              "IDENTITY_PERMISSION_DENIED")
    order = w.order(me["id"], "25.00", 2)
    paid = w.ok("pay_with_store_credit", {"p_order_id": order, "p_amount": "20.00"}, "buyer")
    assert (paid["method"], paid["amount"]) == ("STORE_CREDIT", "20.00")
    before = w.sql("SELECT amount_paid, (SELECT count(*) FROM orders.payment WHERE order_id = %s) FROM orders.sales_order "
                   "WHERE id = %s", order, order)
    w.refused("pay_with_store_credit", {"p_order_id": order, "p_amount": "10.01"}, "buyer", 402, "LEDGER_INSUFFICIENT_FUNDS")
    assert w.sql("SELECT amount_paid, (SELECT count(*) FROM orders.payment WHERE order_id = %s) FROM orders.sales_order "
                 "WHERE id = %s", order, order) == before, "a refused spend writes nothing"
    assert w.ok("customer_balances", {}, "buyer") == {
        "customer_id": me["id"], "currency": "USD", "store_credit": "10.00", "points": 0, "total_spent": "20.00",
        "order_count": 1}
    # another buyer's order cannot be paid from this buyer's credit, and it cannot read the first buyer's balances
    other = w.ok("create_my_customer", {"p_customer": {"last_name": "Two"}}, "buyer2")
    w.refused("pay_with_store_credit", {"p_order_id": w.order(other["id"], "5.00"), "p_amount": "1"}, "buyer", 403,
              "IDENTITY_PERMISSION_DENIED")
    w.refused("customer_balances", {"p_customer_id": me["id"]}, "buyer2", 403, "IDENTITY_PERMISSION_DENIED")
    w.checks_clean()


def test_eight_clients_racing_for_one_customer_s_credit_never_overdraw_it(world: World) -> None:
    """The customer holds 35.00; eight requests each pay 10.00 of its own order at once: exactly three win, five are
    refused by the ledger, the balance ends at 5.00 and never went below zero (every entry's balance_after >= 0)."""
    w = world
    customer = w.ok("create_customer", {"p_customer": {"email": f"race-{w.tag}@example.com"}}, "admin")["id"]
    w.ok("issue_store_credit", {"p_customer_id": customer, "p_amount": "35.00", "p_reason": "race"}, "admin")
    orders = [w.order(customer, "10.00") for _ in range(8)]
    results: list[Response] = []
    lock, start = threading.Lock(), threading.Barrier(8)

    def spend(order: int) -> None:
        rest = rest_as_authenticator(w.url)   # one emulator (one connection) per concurrent request
        try:
            start.wait()
            r = w.call("pay_with_store_credit", {"p_order_id": order, "p_amount": "10.00"}, "admin", rest=rest)
        finally:
            rest.close()
        with lock:
            results.append(r)

    threads = [threading.Thread(target=spend, args=(o,)) for o in orders]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(r.ok for r in results) == 3, [(r.status, r.body) for r in results]
    assert sorted((r.status, r.code) for r in results if not r.ok) == [(402, "LEDGER_INSUFFICIENT_FUNDS")] * 5
    account = w.sql("SELECT id FROM ledger.account WHERE owner_type = 'CUSTOMER' AND owner_id = %s AND currency = 'USD'",
                    str(customer))[0][0]
    assert w.sql("SELECT balance FROM ledger.account_balance(%s)", account)[0][0] == Decimal("5.00")
    assert w.sql("SELECT min(balance_after) FROM ledger.entry WHERE account_id = %s", account)[0][0] >= 0
    assert w.sql("SELECT count(*) FROM orders.payment WHERE order_id = ANY(%s)", orders)[0][0] == 3
    w.checks_clean()


def test_points_are_earned_once_and_redeemed(world: World) -> None:
    w = world
    me = w.ok("create_my_customer", {"p_customer": {"email": f"pts-{w.tag}@example.com"}}, "buyer")
    w.ok("set_loyalty_rule", {"p_points_per_unit": "1.5", "p_point_value": "0.10"}, "admin")
    w.refused("set_loyalty_rule", {"p_points_per_unit": "1", "p_point_value": "0.10"}, "buyer", 403,
              "IDENTITY_PERMISSION_DENIED")
    order = w.order(me["id"], "21.99")
    with psycopg.connect(w.url, autocommit=True) as conn:
        conn.execute("SELECT tests.fund_order_external(%s, 21.99, %s)", (order, f"ext-{w.tag}"))
        # the earn trigger's condition comes true twice: the transition guard (FULFILLED never goes back) is switched
        # off for this one transaction, as a writer that bypassed it would, to prove the ledger reference posts once
        with conn.transaction():
            conn.execute("ALTER TABLE orders.sales_order DISABLE TRIGGER sales_order_transition")
            for status in ("FULFILLED", "PARTIAL", "FULFILLED"):
                conn.execute("UPDATE orders.sales_order SET fulfillment_status = %s WHERE id = %s", (status, order))
            conn.execute("ALTER TABLE orders.sales_order ENABLE TRIGGER sales_order_transition")
    assert w.ok("customer_balances", {}, "buyer")["points"] == 32, "floor(21.99 x 1.5), once"
    assert w.sql("SELECT count(*) FROM ledger.transaction WHERE reference = %s", f"order:{order}:loyalty_earn")[0][0] == 1
    second = w.order(me["id"], "5.00")
    w.refused("pay_with_points", {"p_order_id": second, "p_points": 33}, "buyer", 402, "LEDGER_INSUFFICIENT_FUNDS")
    assert w.sql("SELECT count(*) FROM orders.payment WHERE order_id = %s", second)[0][0] == 0
    paid = w.ok("pay_with_points", {"p_order_id": second, "p_points": 30}, "buyer")
    assert (paid["method"], paid["amount"], paid["points"]) == ("LOYALTY_POINTS", "3.00", 30)
    assert w.ok("customer_balances", {}, "buyer")["points"] == 2
    w.checks_clean()


def test_partial_refunds_to_the_original_account_and_to_store_credit(world: World) -> None:
    w = world
    customer = w.ok("create_customer", {"p_customer": {"email": f"ref-{w.tag}@example.com"}}, "admin")["id"]
    order = w.order(customer, "10.00", 3, reserve=True)
    line = w.sql("SELECT id FROM orders.line WHERE order_id = %s", order)[0][0]
    w.sql("SELECT tests.fund_order_external(%s, 30, %s)", order, f"ext-r-{w.tag}")
    w.refused("refund_order", {"p_order_id": order, "p_amount": "30.01", "p_reason": "x"}, "admin", 409,
              "ORDERS_REFUND_EXCEEDS")
    w.refused("refund_order", {"p_order_id": order, "p_amount": "1", "p_reason": "x",
                               "p_lines": [{"line_id": line, "quantity": 4}]}, "admin", 409, "ORDERS_REFUND_EXCEEDS")
    w.refused("refund_order", {"p_order_id": order, "p_amount": "1", "p_reason": "x"}, "clerk", 403,
              "IDENTITY_PERMISSION_DENIED")
    assert w.sql("SELECT amount_refunded FROM orders.sales_order WHERE id = %s", order)[0][0] == 0, "refusals wrote nothing"
    # one unit ships (only what shipped comes back to the shelf), then comes back damaged
    w.sql("SELECT count(*) FROM orders.fulfil_for(%s, %s, %s::jsonb)", w.tenant, order,
          json.dumps([{"line_id": line, "quantity": 1}]))
    on_hand = w.sql("SELECT on_hand FROM inventory.stock WHERE variant_id = %s", w.variant)[0][0]
    first = w.ok("refund_order", {"p_order_id": order, "p_amount": "10.00", "p_reason": "one damaged",
                                  "p_lines": [{"line_id": line, "quantity": 1, "restock": True}]}, "admin")
    assert (first["financial_status"], first["amount_refunded"], first["refunds"][0]["method"]) == \
        ("PARTIALLY_REFUNDED", "10.00", "EXTERNAL")
    assert first["restocked"] == [{"line_id": line, "variant_id": w.variant, "location_id": w.location, "quantity": 1}]
    assert w.sql("SELECT on_hand FROM inventory.stock WHERE variant_id = %s", w.variant)[0][0] == on_hand + 1
    second = w.ok("refund_order", {"p_order_id": order, "p_amount": "5.00", "p_reason": "goodwill",
                                   "p_destination": "STORE_CREDIT"}, "admin")
    assert second["refunds"][0]["method"] == "STORE_CREDIT"
    assert w.ok("customer_balances", {"p_customer_id": customer}, "admin")["store_credit"] == "5.00"
    w.refused("refund_order", {"p_order_id": order, "p_amount": "15.01", "p_reason": "x"}, "admin", 409,
              "ORDERS_REFUND_EXCEEDS")
    assert w.sql("SELECT total_spent FROM orders.customer WHERE id = %s", customer)[0][0] == Decimal("15.00")
    w.checks_clean()


def test_the_library_and_the_cli(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    w = world
    with Client(make_conninfo(w.url, user="mercato_authenticator")) as app:
        admin = app.as_caller({"sub": w.sub["admin"], "role": "mercato_user"}, role="mercato_user")
        c = admin.customers.create({"email": f"lib-{w.tag}@example.com", "tags": ["vip"], "accepts_marketing": True})
        assert c["marketing_consent_at"] is not None
        assert admin.customers.update(c["id"], {"accepts_marketing": False})["marketing_consent_at"] is None
        assert [x["id"] for x in admin.customers.find(tag="vip")] == [c["id"]]
        assert admin.customers.issue_store_credit(c["id"], Decimal("12.34"), "lib")["balance"] == "12.34"
        with pytest.raises(MercatoError) as info:
            admin.customers.issue_store_credit(c["id"], "0.001", "lib")
        assert info.value.code == "LEDGER_AMOUNT_PRECISION"
        buyer = app.as_caller({"sub": w.sub["buyer"], "role": "mercato_user"}, role="mercato_user")
        assert buyer.customers.create_mine({"last_name": "Lib"})["user_id"] == w.uid["buyer"]
        assert buyer.customers.mine()["last_name"] == "Lib"
        assert buyer.customers.balances()["store_credit"] == "0"

    from mercato.cli import cli

    monkeypatch.setenv("DATABASE_URL", w.url)
    runner = CliRunner()

    def run(*args: str) -> str:
        r = runner.invoke(cli, list(args), catch_exceptions=False, standalone_mode=False)
        assert r.exit_code == 0, r.output
        return r.output

    as_admin = ("--as", w.sub["admin"])
    made = json.loads(run("customers", "create", "--email", f"cli-{w.tag}@example.com", "--tag", "cli", "--json", *as_admin))
    cid = made["id"]
    assert "DISABLED" in run("customers", "update", str(cid), '{"status": "DISABLED"}', *as_admin)
    assert f"cli-{w.tag}@example.com" in run("customers", "get", str(cid), "--tenant", str(w.tenant))   # back office
    assert str(cid) in run("customers", "list", "cli", *as_admin)
    assert "7.50" in run("customers", "issue-credit", str(cid), "7.50", "--reason", "cli", *as_admin)
    order = w.order(cid, "8.00", reserve=True)
    line = w.sql("SELECT id FROM orders.line WHERE order_id = %s", order)[0][0]
    assert "STORE_CREDIT" in run("customers", "pay-credit", str(order), "7.50", *as_admin)
    assert "0.05" in run("customers", "loyalty-rule", "1", "0.05", *as_admin)
    w.sql("SELECT tests.fund_order_external(%s, 0.50, %s)", order, f"ext-c-{w.tag}")
    w.sql("SELECT count(*) FROM orders.fulfil_for(%s, %s)", w.tenant, order)   # shipped, so that it can be restocked
    out = run("customers", "refund", str(order), "8.00", "--reason", "returned", "--line", f"{line}:1:restock", *as_admin)
    assert "REFUNDED" in out
    assert json.loads(run("customers", "balances", str(cid), "--json", *as_admin))["store_credit"] == "7.50"
    w.checks_clean()
