"""The store's purchasing (issue 18, docs/store.md "Purchasing") end to end through the library (``client.purchasing``)
and the CLI (``mercato store distributor|po …``), as a shop's TENANT_ADMIN: distributors, a purchase order whose totals
the database computes (an expected total that does not add up writes nothing), submit against the minimum order,
partial and complete receipts into stock at the lines' cost (the moving average follows), over-receipt only when
allowed, reorder suggestions turned into drafts once; and a race: many clients receiving the same purchase order line
at once never receive more than was ordered. Superuser connections only arrange the world and read facts."""

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


@dataclass
class World:
    url: str
    tenant: dict[str, int]
    sub: dict[str, str]
    variant: dict[str, int]
    location: dict[str, int]

    def claims(self, who: str) -> dict[str, Any]:
        return {"sub": self.sub[who], "role": "mercato_user"}

    def fact(self, query: str, *params: Any) -> Any:
        with psycopg.connect(self.url, autocommit=True) as conn:
            return conn.execute(query, params).fetchone()

    def check_clean(self) -> None:
        with psycopg.connect(self.url, autocommit=True) as conn:
            bad = conn.execute("SELECT check_name, violations FROM inventory.check() WHERE NOT ok").fetchall()
        assert not bad, bad


@pytest.fixture
def world(db_url: str) -> Iterator[World]:
    """Shops A and B (USD), an admin of each (TENANT_ADMIN: store.manage) and a clerk of A without permissions; two
    tracked variants of A and one of B; a warehouse of each (as the back office)."""
    tag = uuid.uuid4().hex[:6]
    users = {"a_admin": "A", "b_admin": "B", "clerk": "A"}
    sub = {k: f"kc|pur-{k}-{tag}" for k in users}
    with psycopg.connect(db_url, autocommit=True) as conn:
        tenant = {t: conn.execute("SELECT identity.create_tenant(%s, %s)", (f"pur-{t.lower()}-{tag}", t)).fetchone()[0]
                  for t in ("A", "B")}
        uid = {k: conn.execute("SELECT identity.register_user(%s, 'STAFF', %s, %s)", (sub[k], k, tenant[t])).fetchone()[0]
               for k, t in users.items()}
        for k in ("a_admin", "b_admin"):
            conn.execute("SELECT identity.assign_role(%s, 'TENANT_ADMIN', %s)", (uid[k], tenant[users[k]]))
        variant = {name: conn.execute("SELECT tests.catalog_variant(%s, %s)", (tenant[t], f"PUR-{name}-{tag}")).fetchone()[0]
                   for name, t in (("booster", "A"), ("sleeves", "A"), ("b_box", "B"))}
        location = {t: conn.execute("SELECT inventory.create_location('WH', 'Warehouse', p_tenant_id => %s)",
                                    (tenant[t],)).fetchone()[0] for t in ("A", "B")}
    yield World(db_url, tenant, sub, variant, location)


def test_purchasing_through_the_library(world: World) -> None:
    w, booster, sleeves, wh = world, world.variant["booster"], world.variant["sleeves"], world.location["A"]
    with Client(make_conninfo(w.url, user="mercato_authenticator")) as app:
        admin = app.as_caller(w.claims("a_admin"), role="mercato_user").purchasing
        acme = admin.create_distributor("acme", "Acme", contact_info={"email": "po@acme.test"}, payment_terms="Net 30",
                                        payment_terms_days=30, minimum_order="100.00", lead_time_days=4)
        admin.set_distributor_item(acme, booster, "3.25", distributor_sku="AC-BOOST", preferred=True)
        with pytest.raises(MercatoError) as info:
            admin.create_distributor("ACME", "Again")
        assert (info.value.code, info.value.http_status) == ("STORE_DISTRIBUTOR_EXISTS", 409)

        # the database computes the totals; an expected total that does not add up writes nothing
        with pytest.raises(MercatoError) as info:
            admin.create_order(acme, wh, [{"variant_id": booster, "quantity": 24}], tax_amount="2.00",
                               expected_total="79.00")
        assert info.value.code == "STORE_PO_TOTAL_MISMATCH"
        assert info.value.detail == ("purchase order PO-000001: expected total 79.00, but subtotal 78.00 + tax 2.00 + "
                                     "shipping 0 = 80.00")
        assert w.fact("SELECT count(*) FROM store.purchase_order WHERE tenant_id = %s", w.tenant["A"])[0] == 0
        order = admin.create_order(acme, wh, [{"variant_id": booster, "quantity": 24}], tax_amount="2.00",
                                   expected_total="80.00")
        assert (order["po_number"], order["status"], order["subtotal"], order["total_amount"]) == \
            ("PO-000001", "DRAFT", Decimal("78.00"), Decimal("80.00"))
        with pytest.raises(MercatoError) as info:
            admin.submit(order["id"])
        assert info.value.code == "STORE_PO_BELOW_MINIMUM"
        order = admin.add_lines(order["id"], [{"variant_id": sleeves, "quantity": 10, "unit_cost": "2.50"}],
                                expected_total="105.00")
        assert admin.submit(order["id"], expected_total="105.00")["status"] == "SUBMITTED"
        assert admin.confirm(order["id"], external_po_number="ACME-1")["status"] == "CONFIRMED"

        # receipts: stock in at the line's cost, PARTIAL then RECEIVED; over-receipt only when allowed
        got = admin.receive(order["id"], [{"variant_id": booster, "quantity": 12}])
        assert (got["status"], got["quantity"]) == ("PARTIAL", 12)
        assert w.fact("SELECT on_hand, avg_cost FROM inventory.stock WHERE variant_id = %s", booster) == (12, Decimal("3.25"))
        with pytest.raises(MercatoError) as info:
            admin.receive(order["id"], [{"variant_id": booster, "quantity": 13}])
        assert (info.value.code, info.value.http_status) == ("STORE_PO_OVER_RECEIPT", 409)
        got = admin.receive(order["id"], [{"variant_id": booster, "quantity": 13, "allow_over_receipt": True},
                                          {"variant_id": sleeves, "quantity": 10}])
        assert (got["status"], got["quantity"], got["over_received"]) == ("RECEIVED", 23, 1)

        # reorder: under the point, a draft once
        with psycopg.connect(w.url, autocommit=True) as conn:   # planning settings (the inventory's, as the owner)
            conn.execute("UPDATE inventory.stock SET reorder_point = 40, reorder_quantity = 20 WHERE variant_id = %s",
                         (booster,))
        [suggestion] = admin.reorder_suggestions()
        assert (suggestion["variant_id"], suggestion["available"], suggestion["suggested_quantity"],
                suggestion["distributor_code"]) == (booster, 25, 20, "ACME")
        made = admin.create_reorder_orders()
        assert [(o["status"], o["subtotal"]) for o in made] == [("DRAFT", Decimal("65.00"))]
        assert admin.create_reorder_orders() == [] and admin.reorder_suggestions() == []

        # another shop's staff see none of it; a clerk may not
        other = app.as_caller(w.claims("b_admin"), role="mercato_user")
        with pytest.raises(MercatoError) as info:
            other.purchasing.receive(order["id"], [{"variant_id": booster, "quantity": 1}])
        assert info.value.code == "STORE_UNKNOWN_PURCHASE_ORDER"
        clerk = app.as_caller(w.claims("clerk"), role="mercato_user")
        with pytest.raises(MercatoError) as info:
            clerk.purchasing.create_distributor("CLERK", "No")
        assert info.value.code == "IDENTITY_PERMISSION_DENIED"
    w.check_clean()


def test_purchasing_through_the_cli(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    from mercato.cli import cli

    w, booster, wh = world, world.variant["booster"], world.location["A"]
    monkeypatch.setenv("DATABASE_URL", w.url)
    runner = CliRunner()

    def run(*args: str, code: int = 0) -> str:
        r = runner.invoke(cli, list(args), catch_exceptions=False, standalone_mode=False)
        assert r.exit_code == code, r.output
        return r.output

    me = ("--as", w.sub["a_admin"])
    acme = int(run("store", "distributor", "create", "ACME", "--name", "Acme", "--minimum-order", "10", "--lead-time", "3", *me))
    run("store", "distributor", "update", str(acme), "--name", "Acme Distribution", *me)
    run("store", "distributor", "item", str(acme), str(booster), "3.25", "--sku", "AC-1", "--preferred", *me)
    out = run("store", "po", "create", str(acme), str(wh), "--line", f"{booster}:4", "--json", *me)
    assert '"PO-000001"' in out and '"13.00"' in out
    po = w.fact("SELECT id FROM store.purchase_order WHERE tenant_id = %s", w.tenant["A"])[0]
    run("store", "po", "charges", str(po), "--tax", "1.00", "--shipping", "0", "--expect-total", "14.00", *me)
    assert "SUBMITTED" in run("store", "po", "submit", str(po), *me)
    assert "CONFIRMED" in run("store", "po", "confirm", str(po), "--external", "A-9", *me)
    assert "PARTIAL" in run("store", "po", "receive", str(po), "--line", f"v{booster}:3", *me)
    assert "CANCELLED" in run("store", "po", "cancel", str(po), "--reason", "closed short", *me)
    assert w.fact("SELECT on_hand FROM inventory.stock WHERE variant_id = %s", booster) == (3,)
    run("store", "po", "suggestions", *me)
    run("store", "po", "reorder", "--tenant", str(w.tenant["A"]))   # the back office names the tenant
    r = runner.invoke(cli, ["store", "po", "receive", str(po), "--line", f"v{booster}:1", *me])
    assert r.exit_code == 1 and isinstance(r.exception, MercatoError) and r.exception.code == "STORE_PO_TRANSITION"
    w.check_clean()


def test_many_clients_receiving_one_line_never_receive_more_than_ordered(world: World) -> None:
    """Sixteen clients each receive 3 of a line ordered 10 at once: exactly three succeed (9 received), the others are
    refused with STORE_PO_OVER_RECEIPT; stock equals what was received and the movements sum to it."""
    w, booster, wh = world, world.variant["booster"], world.location["A"]
    with Client(make_conninfo(w.url, user="mercato_authenticator"), max_size=16) as app:
        admin = app.as_caller(w.claims("a_admin"), role="mercato_user")
        acme = admin.purchasing.create_distributor("RACE", "Race")
        order = admin.purchasing.create_order(acme, wh, [{"variant_id": booster, "quantity": 10, "unit_cost": "1.00"}])
        admin.purchasing.submit(order["id"])
        line = w.fact("SELECT id FROM store.purchase_order_line WHERE purchase_order_id = %s", order["id"])[0]
        barrier = threading.Barrier(16)
        outcomes: list[str] = []
        lock = threading.Lock()

        def receive() -> None:
            barrier.wait()
            try:
                admin.purchasing.receive(order["id"], [{"line_id": line, "quantity": 3}])
                result = "ok"
            except MercatoError as exc:
                result = exc.code
            with lock:
                outcomes.append(result)

        threads = [threading.Thread(target=receive) for _ in range(16)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert Counter(outcomes) == Counter({"ok": 3, "STORE_PO_OVER_RECEIPT": 13}), outcomes
    assert w.fact("SELECT quantity_received, quantity_over_received FROM store.purchase_order_line WHERE id = %s", line) == (9, 0)
    assert w.fact("SELECT count(*), sum(quantity) FROM store.purchase_receipt_line WHERE purchase_order_line_id = %s", line) == (3, 9)
    assert w.fact("SELECT on_hand FROM inventory.stock WHERE variant_id = %s AND location_id = %s", booster, wh) == (9,)
    assert w.fact("SELECT status FROM store.purchase_order WHERE id = %s", order["id"]) == ("PARTIAL",)
    w.check_clean()
