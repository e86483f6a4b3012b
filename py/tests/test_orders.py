"""The orders lifecycle (issue 18; docs/orders.md) exactly as PostgREST serves it: the NOINHERIT authenticator, one
transaction per request, the claims of a signed JWT (mercato.harness.postgrest), then through the library and the CLI.
Superuser connections only arrange the world (tenants, users, catalog variants, customers) and read the facts.

A shop's admin places, imports, records payments, fulfils and cancels; a customer-user places and cancels its own;
another tenant neither sees nor reaches any of it. Races: 16 clients place an order each for the last N units of a
DENY variant (exactly N win, the rest INVENTORY_INSUFFICIENT, numbers gapless, inventory.check() clean); 8 clients
import the same external order at once (one order, one number). Outcomes are asserted, never timing."""

from __future__ import annotations

import threading
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import psycopg
import pytest
from click.testing import CliRunner
from psycopg.conninfo import make_conninfo

from mercato.client import Client
from mercato.errors import MercatoError
from mercato.harness.postgrest import PostgREST, Response
from jwt_helper import rest_as_authenticator, sign


@dataclass
class World:
    url: str
    rest: PostgREST
    tenant: dict[str, int]
    sub: dict[str, str]
    variant: dict[str, int]
    location: dict[str, int]
    customer: dict[str, int]

    def claims(self, who: str | None) -> dict[str, Any]:
        return {"role": "mercato_service"} if who is None else {"sub": self.sub[who], "role": "mercato_user"}

    def call(self, fn: str, args: dict[str, Any] | None = None, who: str | None = None,
             rest: PostgREST | None = None) -> Response:
        return (rest or self.rest).rpc(fn, args or {}, token=sign(self.claims(who)))

    def ok(self, fn: str, args: dict[str, Any] | None = None, who: str | None = None) -> Any:
        r = self.call(fn, args, who)
        assert r.ok, (fn, who, r.status, r.body)
        return r.body

    def refused(self, fn: str, args: dict[str, Any], who: str | None, status: int, code: str) -> Response:
        r = self.call(fn, args, who)
        assert (r.status, r.code) == (status, code), (fn, who, r.status, r.body)
        return r

    def facts(self, query: str, *params: Any) -> list[tuple]:
        with psycopg.connect(self.url) as conn:
            return conn.execute(query, params).fetchall()

    def numbers(self, tenant: str = "A") -> list[int]:
        return [r[0] for r in self.facts("SELECT number FROM orders.sales_order WHERE tenant_id = %s ORDER BY number",
                                         self.tenant[tenant])]

    def check_clean(self) -> None:
        failed = self.facts("SELECT check_name, violations, sample FROM inventory.check() WHERE NOT ok")
        assert failed == [], failed


@pytest.fixture
def world(db_url: str) -> Iterator[World]:
    """Tenants A and B in USD, an admin of each (TENANT_ADMIN: orders.manage), a clerk of A without permissions, a
    customer-user of A (buyer) and one of B; variants of A: a DENY card, a CONTINUE one, an untracked one (all 10.00,
    published); one of B; A's STANDARD tax 8.25 %; locations: A's warehouse and store, B's warehouse."""
    tag = uuid.uuid4().hex[:6]
    users = {"a_admin": "A", "b_admin": "B", "a_clerk": "A"}
    sub = {k: f"kc|ord-{k}-{tag}" for k in [*users, "buyer", "b_buyer"]}
    with psycopg.connect(db_url, autocommit=True) as conn:
        tenant = {t: conn.execute("SELECT identity.create_tenant(%s, %s)", (f"ord-{t.lower()}-{tag}", t)).fetchone()[0]
                  for t in ("A", "B")}
        for k, t in users.items():
            uid = conn.execute("SELECT identity.register_user(%s, 'STAFF', %s, %s)", (sub[k], k, tenant[t])).fetchone()[0]
            if k.endswith("admin"):
                conn.execute("SELECT identity.assign_role(%s, 'TENANT_ADMIN', %s)", (uid, tenant[t]))
        variant = {name: conn.execute("SELECT tests.catalog_variant(%s, %s, %s, NULL, %s)",
                                      (tenant[t], f"{name.upper()}-{tag}", policy, track)).fetchone()[0]
                   for name, t, policy, track in (("card", "A", "DENY", True), ("sealed", "A", "CONTINUE", True),
                                                  ("free", "A", "DENY", False), ("other", "B", "DENY", True))}
        conn.execute("UPDATE catalog.product SET status = 'ACTIVE', published_at = now() WHERE tenant_id = ANY(%s)",
                     (list(tenant.values()),))
        conn.execute("INSERT INTO orders.tax_rate (tenant_id, tax_code, effective_from, rate) "
                     "VALUES (%s, 'STANDARD', '2020-01-01', 0.0825)", (tenant["A"],))
        customer = {"buyer": conn.execute("SELECT tests.orders_customer(%s, %s, %s)",
                                          (tenant["A"], f"buyer-{tag}@example.com", sub["buyer"])).fetchone()[0],
                    "b_buyer": conn.execute("SELECT tests.orders_customer(%s, %s, %s)",
                                            (tenant["B"], f"bbuyer-{tag}@example.com", sub["b_buyer"])).fetchone()[0]}
    rest = rest_as_authenticator(db_url)
    w = World(db_url, rest, tenant, sub, variant, {}, customer)
    w.location["wh"] = w.ok("create_inventory_location", {"p_code": "WH", "p_name": "Warehouse", "p_priority": 10}, "a_admin")
    w.location["store"] = w.ok("create_inventory_location", {"p_code": "STORE", "p_name": "Store", "p_kind": "STORE",
                                                             "p_priority": 20}, "a_admin")
    w.location["b_wh"] = w.ok("create_inventory_location", {"p_code": "WH", "p_name": "B warehouse"}, "b_admin")
    yield w
    rest.close()


def _order(*lines: tuple[int, int], **fields: Any) -> dict[str, Any]:
    return {"lines": [{"variant_id": v, "quantity": q} for v, q in lines], **fields}


def test_place_pay_fulfil_and_cancel_through_postgrest(world: World) -> None:
    w, card, free = world, world.variant["card"], world.variant["free"]
    w.ok("receive_stock", {"p_variant_id": card, "p_location_id": w.location["wh"], "p_quantity": 5}, "a_admin")
    # staff place a POS order: the database computes everything; a wrong expected total writes nothing
    doc = _order((card, 2), (free, 1), source="POS", shipping="5.00", customer_id=w.customer["buyer"])
    w.refused("place_order", {"p_order": doc, "p_expected": {"total_price": "35.00"}}, "a_admin", 422,
              "ORDERS_TOTALS_MISMATCH")
    assert w.numbers() == [] and w.facts("SELECT count(*) FROM inventory.reservation") == [(0,)]
    order = w.ok("place_order", {"p_order": doc, "p_expected": {"total_price": "37.48", "total_tax": "2.48"}}, "a_admin")
    assert (order["number"], order["subtotal"], order["total_tax"], order["total_price"]) == (1, "30", "2.48", "37.48")
    assert [(l["sku"].split("-")[0], l["title"].split(" ")[0]) for l in order["lines"]] == [("CARD", "Product"), ("FREE", "Product")]
    # external payment on the channel, then fulfilment in two steps
    paid = w.ok("record_external_payment", {"p_order_id": order["id"], "p_amount": "37.48", "p_reference": "pos-1"}, "a_admin")
    assert (paid["method"], paid["amount"]) == ("EXTERNAL", 37.48)
    line1 = order["lines"][0]["id"]
    shipped = w.ok("fulfil_order", {"p_order_id": order["id"], "p_lines": [{"line_id": line1, "quantity": 1}],
                                    "p_tracking_numbers": ["1Z-A"]}, "a_admin")
    assert [(s["line_id"], s["quantity"]) for s in shipped] == [(line1, 1)]
    w.refused("fulfil_order", {"p_order_id": order["id"], "p_lines": [{"line_id": line1, "quantity": 2}]}, "a_admin", 409,
              "ORDERS_FULFILMENT_EXCEEDS")
    w.refused("cancel_order", {"p_order_id": order["id"], "p_reason": "too late"}, "a_admin", 409, "ORDERS_NOT_CANCELLABLE")
    w.ok("fulfil_order", {"p_order_id": order["id"], "p_tracking_numbers": ["1Z-B"]}, "a_admin")
    got = w.ok("get_order", {"p_order_id": order["id"]}, "a_admin")
    assert (got["status"], got["financial_status"], got["fulfillment_status"], got["tracking_numbers"]) == \
        ("FULFILLED", "PAID", "FULFILLED", ["1Z-A", "1Z-B"])
    # a customer places on the web store and cancels it while pending and unpaid
    mine = w.ok("place_order", {"p_order": _order((card, 1), reserve_minutes=15)}, "buyer")
    assert mine["customer_id"] == w.customer["buyer"] and mine["number"] == 2
    w.refused("place_order", {"p_order": {**_order((card, 1)), "lines": [{"variant_id": card, "quantity": 1, "price": "1"}]}},
              "buyer", 403, "IDENTITY_PERMISSION_DENIED")
    w.refused("fulfil_order", {"p_order_id": mine["id"]}, "a_admin", 409, "ORDERS_NOT_FULFILLABLE")   # unpaid web order
    cancelled = w.ok("cancel_order", {"p_order_id": mine["id"], "p_reason": "changed my mind"}, "buyer")
    assert (cancelled["status"], cancelled["financial_status"]) == ("CANCELLED", "VOIDED")
    assert w.facts("SELECT on_hand, reserved FROM inventory.stock WHERE variant_id = %s", card) == [(3, 0)]
    # the views, per caller
    assert {o["number"] for o in w.rest.get("orders", token=sign(w.claims("buyer"))).body} == {1, 2}
    assert w.rest.get("orders", token=sign(w.claims("b_admin"))).body == []
    assert w.rest.get("order_lines", token=sign(w.claims("a_clerk"))).body == []
    assert len(w.rest.get("order_payments", token=sign(w.claims("a_admin"))).body) == 1
    w.check_clean()


def test_tenants_are_apart(world: World) -> None:
    w, card = world, world.variant["card"]
    w.ok("receive_stock", {"p_variant_id": card, "p_location_id": w.location["wh"], "p_quantity": 2}, "a_admin")
    a_order = w.ok("place_order", {"p_order": _order((card, 1), source="MANUAL")}, "a_admin")
    w.refused("place_order", {"p_order": _order((card, 1))}, "b_admin", 404, "ORDERS_UNKNOWN_VARIANT")
    w.refused("place_order", {"p_order": _order((w.variant["other"], 1), customer_id=w.customer["buyer"])}, "b_admin",
              404, "ORDERS_UNKNOWN_CUSTOMER")
    for fn, args in (("get_order", {}), ("cancel_order", {"p_reason": "x"}), ("fulfil_order", {}),
                     ("record_external_payment", {"p_amount": "1", "p_reference": "b-1"})):
        w.refused(fn, {"p_order_id": a_order["id"], **args}, "b_admin", 404, "ORDERS_UNKNOWN_ORDER")
    w.refused("place_order", {"p_order": _order((card, 1)), "p_tenant_id": w.tenant["B"]}, "a_admin", 403,
              "IDENTITY_TENANT_MISMATCH")
    w.refused("import_order", {"p_source": "EBAY", "p_external_id": "x", "p_order": _order((card, 1))}, "a_clerk", 403,
              "IDENTITY_PERMISSION_DENIED")
    assert w.ok("list_orders", {}, "b_admin") == []
    assert [o["number"] for o in w.ok("list_orders", {"p_tenant_id": w.tenant["A"]})] == [1]   # the back office
    w.check_clean()


def _race(w: World, fn: str, args: list[dict[str, Any]], who: str = "a_admin") -> list[Response]:
    """Each client its own emulator (its own connection); all start at once; every outcome kept."""
    rests = [rest_as_authenticator(w.url) for _ in args]
    barrier = threading.Barrier(len(args))
    results: list[Response | None] = [None] * len(args)

    def client(i: int) -> None:
        barrier.wait()
        results[i] = w.call(fn, args[i], who, rest=rests[i])

    threads = [threading.Thread(target=client, args=(i,)) for i in range(len(args))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    for r in rests:
        r.close()
    assert all(r is not None for r in results), "every client finished"
    return results  # type: ignore[return-value]


@pytest.mark.parametrize("units", [1, 5])
def test_sixteen_clients_place_orders_for_the_last_units(world: World, units: int) -> None:
    """16 orders of one unit each, ``units`` left: exactly ``units`` orders, the rest INVENTORY_INSUFFICIENT with
    nothing written, numbers 1..units without a gap, no over-reserved row."""
    w, card = world, world.variant["card"]
    w.ok("receive_stock", {"p_variant_id": card, "p_location_id": w.location["wh"], "p_quantity": units}, "a_admin")
    results = _race(w, "place_order", [{"p_order": _order((card, 1), (w.variant["free"], 1), source="POS")}
                                       for _ in range(16)])
    outcomes = Counter((r.status, r.code) for r in results)
    assert outcomes == Counter({(200, None): units, (409, "INVENTORY_INSUFFICIENT"): 16 - units}), outcomes
    assert w.numbers() == list(range(1, units + 1)), "gapless: the losers drew no number (or gave it back)"
    assert w.facts("SELECT count(*) FROM orders.line WHERE tenant_id = %s", w.tenant["A"]) == [(2 * units,)]
    assert w.facts("SELECT on_hand, reserved, available FROM inventory.stock WHERE variant_id = %s", card) == \
        [(units, units, 0)]
    w.check_clean()


def test_eight_concurrent_imports_of_one_external_order_make_one(world: World) -> None:
    w, card = world, world.variant["card"]
    w.ok("receive_stock", {"p_variant_id": card, "p_location_id": w.location["wh"], "p_quantity": 3}, "a_admin")
    doc = {**_order((card, 1)), "payment": {"amount": "10.83", "reference": "eb-pay-7"}}
    results = _race(w, "import_order", [{"p_source": "EBAY", "p_external_id": "EB-7", "p_order": doc} for _ in range(8)])
    assert Counter(r.status for r in results) == Counter({200: 8}), [r.body for r in results if not r.ok]
    assert {r.body["id"] for r in results} == {results[0].body["id"]} and results[0].body["financial_status"] == "PAID"
    assert w.numbers() == [1]
    assert w.facts("SELECT count(*) FROM orders.payment") == [(1,)]
    assert w.facts("SELECT reserved FROM inventory.stock WHERE variant_id = %s", card) == [(1,)]
    w.refused("import_order", {"p_source": "EBAY", "p_external_id": "EB-7", "p_order": _order((card, 2))}, "a_admin",
              409, "ORDERS_IMPORT_CONFLICT")
    w.check_clean()


def test_the_library_and_the_cli(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    w, card, free = world, world.variant["card"], world.variant["free"]
    w.ok("receive_stock", {"p_variant_id": card, "p_location_id": w.location["wh"], "p_quantity": 4}, "a_admin")
    with Client(make_conninfo(w.url, user="mercato_authenticator")) as app:
        admin = app.as_caller(w.claims("a_admin"), role="mercato_user")
        assert admin.orders.set_tax_rate("reduced", "0.05")["rate"] == Decimal("0.05")
        placed = admin.orders.place(_order((card, 1), source="POS"), {"total_price": "10.83"})
        assert placed["total_price"] == "10.83"
        with pytest.raises(MercatoError) as info:
            admin.orders.place(_order((card, 1)), {"total_price": "1"})
        assert (info.value.code, info.value.http_status) == ("ORDERS_TOTALS_MISMATCH", 422)
        assert info.value.detail == "total_price: expected 1, computed 10.83"
        with pytest.raises(TypeError):
            admin.orders.place(_order((card, 1)), {"total_price": 10.83})
        assert admin.orders.record_external_payment(placed["id"], Decimal("10.83"), "lib-1")["kind"] == "PAYMENT"
        assert [s["quantity"] for s in admin.orders.fulfil(placed["id"], tracking_numbers=["T-1"])] == [1]
        imported = admin.orders.import_order("TCGPLAYER", "TCG-1", _order((free, 2)))
        assert admin.orders.import_order("TCGPLAYER", "TCG-1", _order((free, 2)))["id"] == imported["id"]
        assert admin.orders.cancel(imported["id"], "buyer cancelled")["status"] == "CANCELLED"
        assert admin.orders.get(placed["id"])["fulfillment_status"] == "FULFILLED"
        assert [o["number"] for o in admin.orders.list(limit=1)] == [2]
        assert [o["number"] for o in admin.orders.list(before_number=2)] == [1]

    from mercato.cli import cli

    monkeypatch.setenv("DATABASE_URL", w.url)
    runner = CliRunner()

    def run(*args: str, code: int = 0) -> str:
        r = runner.invoke(cli, list(args), catch_exceptions=False, standalone_mode=False)
        assert r.exit_code == code, r.output
        return r.output

    as_admin = ("--as", w.sub["a_admin"])
    assert "STANDARD" in run("orders", "tax-rate", "STANDARD", "0.09", "--from", "2099-01-01", *as_admin)
    out = run("orders", "place", "--line", f"{card}:1", "--source", "POS", "--expect-total", "10.83", "--json", *as_admin)
    assert '"number": 3' in out
    order_id = next(o["id"] for o in admin_list(w) if o["number"] == 3)
    assert "EXTERNAL" in run("orders", "pay", str(order_id), "10.83", "--ref", "cli-1", *as_admin)
    assert str(card) in run("orders", "fulfil", str(order_id), "--tracking", "T-9", *as_admin)
    assert "FULFILLED" in run("orders", "get", str(order_id), *as_admin)
    assert "EB-9" in run("orders", "import", "EBAY", "EB-9", "--line", f"{free}:1=4.50", "--paid", "4.87", *as_admin)
    four = next(o["id"] for o in admin_list(w) if o["number"] == 4)
    assert "CANCELLED" in run("orders", "cancel", str(four), "--reason", "test", *as_admin)
    assert "EBAY" in run("orders", "list", "--source", "EBAY", *as_admin)
    w.check_clean()


def admin_list(w: World) -> list[dict[str, Any]]:
    return w.ok("list_orders", {"p_limit": 500}, "a_admin")
