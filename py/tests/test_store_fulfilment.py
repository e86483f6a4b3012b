"""Fulfilment batches (issue 18, docs/store.md "Fulfilment batches") as PostgREST serves them, through the library and
the CLI: orders placed through api.place_order are batched at a location, picked from a pick list summed per variant,
shipped through the orders module (partial when a line is reserved elsewhere) and completed; a race of batches for the
same orders lets each order into exactly one. Superuser connections only arrange the world."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import psycopg
import pytest
from click.testing import CliRunner

from mercato.client import Client
from mercato.errors import MercatoError
from mercato.harness.postgrest import PostgREST, Response
from jwt_helper import rest_as_authenticator, sign


@dataclass
class World:
    url: str
    rest: PostgREST
    tenant: int
    admin: str
    variant: dict[str, int]
    location: dict[str, int]

    def call(self, fn: str, args: dict[str, Any]) -> Response:
        return self.rest.rpc(fn, args, token=sign({"sub": self.admin, "role": "mercato_user"}))

    def ok(self, fn: str, args: dict[str, Any]) -> Any:
        r = self.call(fn, args)
        assert r.ok, (fn, r.status, r.body)
        return r.body

    def place(self, lines: list[tuple[str, int, str]]) -> int:
        body = self.ok("place_order", {"p_order": {"source": "POS", "lines": [
            {"variant_id": self.variant[v], "quantity": q, "location_id": self.location[loc]} for v, q, loc in lines]}})
        return int(body["id"] if isinstance(body, dict) else body[0]["id"])


@pytest.fixture
def world(db_url: str) -> Iterator[World]:
    """A USD shop with an admin (TENANT_ADMIN), two variants, a warehouse and a store, each holding 20 of each."""
    tag = uuid.uuid4().hex[:6]
    admin = f"kc|ful-admin-{tag}"
    with psycopg.connect(db_url, autocommit=True) as conn:
        tenant = conn.execute("SELECT identity.create_tenant(%s, 'Fulfil shop')", (f"ful-{tag}",)).fetchone()[0]
        conn.execute("UPDATE identity.tenant SET currency = 'USD' WHERE id = %s", (tenant,))
        uid = conn.execute("SELECT identity.register_user(%s, 'STAFF', 'Admin', %s)", (admin, tenant)).fetchone()[0]
        conn.execute("SELECT identity.assign_role(%s, 'TENANT_ADMIN', %s)", (uid, tenant))
        variant = {k: conn.execute("SELECT tests.catalog_variant(%s, %s)", (tenant, f"{k}-{tag}")).fetchone()[0]
                   for k in ("booster", "slab")}
        with conn.transaction():   # as the back office, for this transaction only
            conn.execute("SELECT set_config('request.jwt.claims', '{\"role\": \"mercato_service\"}', true)")
            location = {code: conn.execute("SELECT inventory.create_location(%s, %s, p_tenant_id => %s)",
                                           (code, code.title(), tenant)).fetchone()[0] for code in ("WH", "STORE")}
            for v in variant.values():
                for loc in location.values():
                    conn.execute("SELECT inventory.receive(%s, %s, 20, p_tenant_id => %s)", (v, loc, tenant))
    rest = rest_as_authenticator(db_url)
    yield World(db_url, rest, tenant, admin, variant, {"WH": location["WH"], "STORE": location["STORE"]})
    rest.close()


def test_a_batch_is_picked_packed_and_shipped_over_http(world: World) -> None:
    w = world
    o1 = w.place([("booster", 2, "WH"), ("slab", 1, "WH")])
    o2 = w.place([("booster", 3, "WH"), ("booster", 1, "STORE")])
    r = w.call("create_fulfilment_batch", {"p_location_id": w.location["STORE"], "p_order_ids": [o1]})
    assert (r.status, r.code) == (409, "STORE_ORDER_NOT_BATCHABLE"), r.body
    batch = w.ok("create_fulfilment_batch", {"p_location_id": w.location["WH"], "p_order_ids": [o1, o2],
                                             "p_estimated_pick_time": 15})
    assert (batch["status"], batch["total_orders"], batch["total_items"]) == ("CREATED", 2, 6)
    picks = {row["variant_id"]: (row["quantity"], row["orders"]) for row in
             w.ok("batch_pick_list", {"p_batch_id": batch["id"]})}
    assert picks == {w.variant["booster"]: (5, 2), w.variant["slab"]: (1, 1)}
    for status in ("PICKING", "PICKED", "PACKING"):
        assert w.ok("advance_fulfilment_batch", {"p_batch_id": batch["id"], "p_status": status})["status"] == status
    shipped = w.ok("ship_fulfilment_batch", {"p_batch_id": batch["id"], "p_tracking": {str(o1): ["1Z-1"], str(o2): ["1Z-2"]}})
    assert shipped["status"] == "SHIPPED"
    with psycopg.connect(w.url) as conn:
        states = dict(conn.execute("SELECT id, fulfillment_status FROM orders.sales_order WHERE id = ANY(%s)",
                                   ([o1, o2],)).fetchall())
        assert states == {o1: "FULFILLED", o2: "PARTIAL"}
        assert conn.execute("SELECT on_hand, reserved FROM inventory.stock WHERE variant_id = %s AND location_id = %s",
                            (w.variant["booster"], w.location["WH"])).fetchone() == (15, 0)
        assert conn.execute("SELECT count(*) FROM inventory.check() WHERE NOT ok").fetchone()[0] == 0
    r = w.call("cancel_fulfilment_batch", {"p_batch_id": batch["id"], "p_reason": "late"})
    assert (r.status, r.code) == (409, "STORE_BATCH_TRANSITION")
    assert w.ok("advance_fulfilment_batch", {"p_batch_id": batch["id"], "p_status": "COMPLETED"})["status"] == "COMPLETED"


def test_racing_batches_take_each_order_once(world: World) -> None:
    """Eight staff sessions each try to batch the same four orders at once: exactly one batch gets them, the others
    are refused with STORE_ORDER_NOT_BATCHABLE and leave no order behind (outcomes, not timing)."""
    w = world
    orders = [w.place([("booster", 1, "WH")]) for _ in range(4)]
    results: list[Any] = []
    barrier = threading.Barrier(8)

    def attempt() -> None:
        with Client(w.url, claims={"sub": w.admin, "role": "mercato_user"}, role="mercato_user") as c:
            barrier.wait()
            try:
                results.append(c.store.create_batch(w.location["WH"], orders))
            except MercatoError as exc:
                results.append(exc.code)

    threads = [threading.Thread(target=attempt) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    won = [r for r in results if isinstance(r, dict)]
    assert len(won) == 1 and sorted(r for r in results if not isinstance(r, dict)) == ["STORE_ORDER_NOT_BATCHABLE"] * 7
    with psycopg.connect(w.url) as conn:
        assert conn.execute("SELECT count(*), count(DISTINCT batch_id) FROM store.batch_order WHERE order_id = ANY(%s)",
                            (orders,)).fetchone() == (4, 1)


def test_the_library_and_the_cli(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    from mercato.cli import cli

    w = world
    order = w.place([("slab", 2, "STORE")])
    monkeypatch.setenv("DATABASE_URL", w.url)
    runner = CliRunner()
    as_admin = ("--as", w.admin)
    r = runner.invoke(cli, ["store", "batch", "create", str(w.location["STORE"]), str(order), *as_admin])
    assert r.exit_code == 0, r.output
    import json
    batch = json.loads(r.output)["id"]
    r = runner.invoke(cli, ["store", "batch", "pick-list", str(batch), *as_admin])
    assert r.exit_code == 0 and json.loads(r.output)["quantity"] == 2, r.output
    for status in ("PICKING", "PICKED", "PACKING"):
        r = runner.invoke(cli, ["store", "batch", "advance", str(batch), status, *as_admin])
        assert r.exit_code == 0, r.output
    r = runner.invoke(cli, ["store", "batch", "ship", str(batch), "--tracking", f"{order}=1Z-CLI", *as_admin])
    assert r.exit_code == 0 and json.loads(r.output)["status"] == "SHIPPED", r.output
    with Client(w.url, claims={"sub": w.admin, "role": "mercato_user"}, role="mercato_user") as c:
        with pytest.raises(MercatoError) as info:
            c.store.cancel_batch(batch, "too late")
        assert (info.value.code, info.value.http_status) == ("STORE_BATCH_TRANSITION", 409)
        assert c.store.advance_batch(batch, "COMPLETED")["status"] == "COMPLETED"
