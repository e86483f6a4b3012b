"""The shared inventory module (issue 18; docs/inventory.md) exactly as PostgREST serves it: the NOINHERIT
authenticator, one transaction per request, the claims of a signed JWT (mercato.harness.postgrest). Superuser
connections only arrange the world (tenants, users, catalog variants) and read the facts.

A tenant admin keeps locations and stock and reserves; another tenant neither sees nor reaches any of it; a user
without inventory.manage changes nothing. Reservations never oversell: 16 clients, each on a connection of its own,
compete for the last units of a variant, and exactly as many succeed as there are units, with no negative or
over-reserved row and inventory.check() clean. Outcomes are asserted, never timing."""

from __future__ import annotations

import random
import threading
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import psycopg
import pytest
from click.testing import CliRunner
from psycopg.conninfo import make_conninfo

from mercato.client import Client
from mercato.errors import MercatoError
from mercato.harness.postgrest import PostgREST, Response
from jwt_helper import rest_as_authenticator, sign

CLIENTS = 16


@dataclass
class World:
    url: str
    rest: PostgREST
    tenant: dict[str, int]
    sub: dict[str, str]
    variant: dict[str, int]
    location: dict[str, int]

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

    def stock(self, variant: str) -> list[tuple]:
        """(location, on_hand, reserved, available, backordered) rows of a variant, as the owner reads them."""
        return self.facts("SELECT location_id, on_hand, reserved, available, backordered FROM inventory.stock "
                          "WHERE variant_id = %s ORDER BY location_id", self.variant[variant])

    def check_clean(self) -> None:
        failed = self.facts("SELECT check_name, violations, sample FROM inventory.check() WHERE NOT ok")
        assert failed == [], failed


@pytest.fixture
def world(db_url: str) -> Iterator[World]:
    """Tenants A and B, an admin of each (TENANT_ADMIN), a staff user of A without permissions; variants of A: a DENY
    card, a CONTINUE one, a graded slab (max_quantity 1); one of B; locations: A's warehouse (priority 10) and store
    (20), B's warehouse."""
    tag = uuid.uuid4().hex[:6]
    users = {"a_admin": "A", "b_admin": "B", "a_staff": "A"}
    sub = {k: f"kc|inv-{k}-{tag}" for k in users}
    with psycopg.connect(db_url, autocommit=True) as conn:
        tenant = {t: conn.execute("SELECT identity.create_tenant(%s, %s)", (f"inv-{t.lower()}-{tag}", t)).fetchone()[0]
                  for t in ("A", "B")}
        for k, t in users.items():
            uid = conn.execute("SELECT identity.register_user(%s, 'STAFF', %s, %s)", (sub[k], k, tenant[t])).fetchone()[0]
            if k.endswith("admin"):
                conn.execute("SELECT identity.assign_role(%s, 'TENANT_ADMIN', %s)", (uid, tenant[t]))
        variant = {name: conn.execute("SELECT tests.catalog_variant(%s, %s, %s, %s)",
                                      (tenant[t], f"{name.upper()}-{tag}", policy, cap)).fetchone()[0]
                   for name, t, policy, cap in (("card", "A", "DENY", None), ("sealed", "A", "CONTINUE", None),
                                                ("slab", "A", "DENY", 1), ("other", "B", "DENY", None))}
    rest = rest_as_authenticator(db_url)
    w = World(db_url, rest, tenant, sub, variant, {})
    w.location["wh"] = w.ok("create_inventory_location", {"p_code": "WH", "p_name": "Warehouse", "p_priority": 10}, "a_admin")
    w.location["store"] = w.ok("create_inventory_location", {"p_code": "STORE", "p_name": "Store", "p_kind": "STORE",
                                                             "p_priority": 20}, "a_admin")
    w.location["b_wh"] = w.ok("create_inventory_location", {"p_code": "WH", "p_name": "B warehouse"}, "b_admin")
    yield w
    rest.close()


def _lines(*lines: tuple[int, int | None, int]) -> list[dict[str, Any]]:
    return [{"variant_id": v, "quantity": q, **({"location_id": loc} if loc is not None else {})} for v, loc, q in lines]


def test_stock_moves_and_movements_sum_to_on_hand(world: World) -> None:
    w, card, wh, store = world, world.variant["card"], world.location["wh"], world.location["store"]
    assert w.ok("receive_stock", {"p_variant_id": card, "p_location_id": wh, "p_quantity": 10, "p_unit_cost": "2.50"},
                "a_admin")["on_hand"] == 10
    w.ok("receive_stock", {"p_variant_id": card, "p_location_id": wh, "p_quantity": 10, "p_unit_cost": "3.50"}, "a_admin")
    assert w.facts("SELECT avg_cost FROM inventory.stock WHERE variant_id = %s AND location_id = %s", card, wh)[0][0] == 3
    w.ok("adjust_stock", {"p_variant_id": card, "p_location_id": wh, "p_delta": -2, "p_reason": "damaged in transit"},
         "a_admin")
    w.ok("transfer_stock", {"p_variant_id": card, "p_from_location_id": wh, "p_to_location_id": store, "p_quantity": 5},
         "a_admin")
    w.refused("count_stock", {"p_variant_id": card, "p_location_id": wh, "p_expected": 18, "p_counted": 12}, "a_admin",
              409, "INVENTORY_COUNT_STALE")
    assert w.ok("count_stock", {"p_variant_id": card, "p_location_id": wh, "p_expected": 13, "p_counted": 12},
                "a_admin")["on_hand"] == 12
    assert w.stock("card") == [(wh, 12, 0, 12, 0), (store, 5, 0, 5, 0)]
    # every stock row's movements sum to its on hand
    assert w.facts("SELECT s.id FROM inventory.stock s WHERE s.on_hand <> "
                   "(SELECT coalesce(sum(m.quantity), 0) FROM inventory.movement m WHERE m.stock_id = s.id)") == []
    kinds = [r[0] for r in w.facts("SELECT m.kind FROM inventory.movement m JOIN inventory.stock s ON s.id = m.stock_id "
                                   "WHERE s.variant_id = %s ORDER BY m.id", card)]
    assert kinds == ["RECEIPT", "RECEIPT", "ADJUSTMENT", "TRANSFER_OUT", "TRANSFER_IN", "COUNT"]
    # what a tenant's user reads (GET /inventory_summary) is exact at once
    summary = w.rest.get("inventory_summary", token=sign(w.claims("a_staff")))
    assert summary.status == 200
    assert [(r["variant_id"], r["on_hand"], r["available"]) for r in summary.body] == [(card, 17, 17)]
    w.check_clean()


def test_reservations_sum_demand_place_by_priority_backorder_and_ship(world: World) -> None:
    w, card, sealed, wh, store = world, world.variant["card"], world.variant["sealed"], world.location["wh"], world.location["store"]
    w.ok("receive_stock", {"p_variant_id": card, "p_location_id": wh, "p_quantity": 3}, "a_admin")
    w.ok("receive_stock", {"p_variant_id": card, "p_location_id": store, "p_quantity": 2}, "a_admin")
    w.ok("receive_stock", {"p_variant_id": sealed, "p_location_id": wh, "p_quantity": 1}, "a_admin")
    ref = {"p_ref_module": "orders", "p_ref_entity": "order", "p_ref_id": "o-1"}
    # two lines that each fit but together do not: refused together, naming variant, location and what is available
    r = w.refused("reserve_stock", {"p_lines": _lines((card, wh, 2), (card, wh, 2)), **ref}, "a_admin", 409,
                  "INVENTORY_INSUFFICIENT")
    assert r.body["details"] == f"variant {card} at location {wh}: 4 wanted, 3 available", r.body
    assert w.stock("card") == [(wh, 3, 0, 3, 0), (store, 2, 0, 2, 0)], "nothing changed"
    # unplaced lines draw on the warehouse (priority 10) first; CONTINUE backorders what is missing
    rows = w.ok("reserve_stock", {"p_lines": _lines((card, None, 4), (sealed, None, 3)), **ref,
                                  "p_expires_at": "2099-01-01T00:00:00Z"}, "a_admin")
    assert sorted((r["variant_id"], r["location_id"], r["quantity"], r["backordered"]) for r in rows) == \
        sorted([(card, wh, 3, 0), (card, store, 1, 0), (sealed, wh, 3, 2)])
    assert w.stock("sealed") == [(wh, 1, 1, 0, 2)], "one reserved, two backordered, nothing negative"
    # ship the warehouse part, release the rest of the order by its reference
    shipped = next(r["reservation_id"] for r in rows if r["location_id"] == wh and r["variant_id"] == card)
    assert w.ok("ship_reservation", {"p_reservation_id": shipped}, "a_admin")["state"] == "CONSUMED"
    assert w.ok("release_reservations", ref, "a_admin") == 2
    assert w.stock("card") == [(wh, 0, 0, 0, 0), (store, 2, 0, 2, 0)]
    assert w.stock("sealed") == [(wh, 1, 0, 1, 0)]
    w.check_clean()


def test_tenants_and_permissions(world: World) -> None:
    w, card, wh = world, world.variant["card"], world.location["wh"]
    w.ok("receive_stock", {"p_variant_id": card, "p_location_id": wh, "p_quantity": 3}, "a_admin")
    before = w.stock("card")
    # another tenant's admin: A's variant and location do not exist for it, naming A is refused
    w.refused("reserve_stock", {"p_lines": _lines((card, None, 1)), "p_ref_module": "orders", "p_ref_entity": "order",
                                "p_ref_id": "x"}, "b_admin", 404, "INVENTORY_UNKNOWN_VARIANT")
    w.refused("adjust_stock", {"p_variant_id": card, "p_location_id": wh, "p_delta": -1, "p_reason": "x"}, "b_admin",
              404, "INVENTORY_UNKNOWN_VARIANT")
    w.refused("stock_levels", {"p_tenant_id": w.tenant["A"]}, "b_admin", 403, "IDENTITY_TENANT_MISMATCH")
    # a user of A without inventory.manage reads (row-level security) but changes nothing
    w.refused("receive_stock", {"p_variant_id": card, "p_location_id": wh, "p_quantity": 1}, "a_staff", 403,
              "IDENTITY_PERMISSION_DENIED")
    assert w.stock("card") == before
    for view in ("inventory_stock", "inventory_locations", "inventory_movements", "inventory_reservations",
                 "inventory_summary", "inventory_channel_buffers"):
        mine = w.rest.get(view, token=sign(w.claims("b_admin")))
        assert mine.status == 200 and all(r["tenant_id"] == w.tenant["B"] for r in mine.body), (view, mine.body)
    assert {r["tenant_id"] for r in w.rest.get("inventory_stock", token=sign(w.claims("a_staff"))).body} == {w.tenant["A"]}
    # the graded slab: one in all locations, ever
    w.ok("receive_stock", {"p_variant_id": w.variant["slab"], "p_location_id": wh, "p_quantity": 1}, "a_admin")
    w.refused("receive_stock", {"p_variant_id": w.variant["slab"], "p_location_id": w.location["store"], "p_quantity": 1},
              "a_admin", 409, "INVENTORY_MAX_QUANTITY")


def _race(w: World, make_args: list[dict[str, Any]], fn: str | list[str] = "reserve_stock") -> list[Response]:
    """Each client its own emulator (its own connection); all start at once; every outcome kept."""
    rests = [rest_as_authenticator(w.url) for _ in make_args]
    barrier = threading.Barrier(len(make_args))
    results: list[Response | None] = [None] * len(make_args)
    fns = [fn] * len(make_args) if isinstance(fn, str) else fn

    def client(i: int) -> None:
        barrier.wait()
        results[i] = w.call(fns[i], make_args[i], "a_admin", rest=rests[i])

    threads = [threading.Thread(target=client, args=(i,)) for i in range(len(make_args))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    for r in rests:
        r.close()
    assert all(r is not None for r in results), "every client finished"
    return results  # type: ignore[return-value]


@pytest.mark.parametrize("units", [1, 5])
def test_sixteen_clients_race_for_the_last_units(world: World, units: int) -> None:
    """16 buyers, one unit each, ``units`` left: exactly ``units`` win, the rest are told INVENTORY_INSUFFICIENT."""
    w, card, wh = world, world.variant["card"], world.location["wh"]
    w.ok("receive_stock", {"p_variant_id": card, "p_location_id": wh, "p_quantity": units}, "a_admin")
    results = _race(w, [{"p_lines": _lines((card, None, 1)), "p_ref_module": "orders", "p_ref_entity": "order",
                         "p_ref_id": f"race-{i}"} for i in range(CLIENTS)])
    outcomes = Counter((r.status, r.code) for r in results)
    assert outcomes == Counter({(200, None): units, (409, "INVENTORY_INSUFFICIENT"): CLIENTS - units}), outcomes
    assert w.stock("card") == [(wh, units, units, 0, 0)], "everything reserved once, nothing negative or over-reserved"
    assert w.facts("SELECT count(*) FROM inventory.reservation r JOIN inventory.stock s ON s.id = r.stock_id "
                   "WHERE s.variant_id = %s AND r.state = 'ACTIVE'", card) == [(units,)]
    w.check_clean()


def test_sixteen_clients_with_lines_in_any_order_never_deadlock_nor_oversell(world: World) -> None:
    """Each buyer wants 2 of the card (two lines of 1) and 1 of the CONTINUE variant, its lines in a random order:
    demand is summed and locks are taken in one order, so every failure is INVENTORY_INSUFFICIENT
    (never a deadlock) and the stock is never over-reserved."""
    w, card, sealed, wh, store = world, world.variant["card"], world.variant["sealed"], world.location["wh"], world.location["store"]
    w.ok("receive_stock", {"p_variant_id": card, "p_location_id": wh, "p_quantity": 7}, "a_admin")
    w.ok("receive_stock", {"p_variant_id": card, "p_location_id": store, "p_quantity": 2}, "a_admin")
    w.ok("update_inventory_location", {"p_location_id": store, "p_status": "ACTIVE"}, "a_admin")
    rng = random.Random(18)
    args = []
    for i in range(CLIENTS):
        lines = [(card, None, 1), (card, None, 1), (sealed, wh, 1)]
        rng.shuffle(lines)
        args.append({"p_lines": _lines(*lines), "p_ref_module": "orders", "p_ref_entity": "order", "p_ref_id": f"mix-{i}"})
    results = _race(w, args)
    outcomes = Counter((r.status, r.code) for r in results)
    assert set(outcomes) <= {(200, None), (409, "INVENTORY_INSUFFICIENT")}, outcomes
    won = outcomes[(200, None)]
    # 9 cards in two locations, 2 per buyer: at most 4 buyers, and as many as the placements let through
    assert 1 <= won <= 4, outcomes
    reserved = sum(r[2] for r in w.stock("card"))
    assert reserved == 2 * won and all(r[3] >= 0 for r in w.stock("card")), w.stock("card")
    assert w.stock("sealed") == [(wh, 0, 0, 0, won)], "the CONTINUE variant backordered one per winning buyer"
    w.check_clean()


def test_sixteen_receipts_of_a_one_of_a_kind_slab_at_once_keep_one(world: World) -> None:
    """The graded slab (max_quantity 1) received by 16 clients at once, at two locations: exactly one receipt wins,
    the others are told INVENTORY_MAX_QUANTITY (the variant's lock spans its locations)."""
    w, slab = world, world.variant["slab"]
    locations = [w.location["wh"], w.location["store"]]
    results = _race(w, [{"p_variant_id": slab, "p_location_id": locations[i % 2], "p_quantity": 1} for i in range(CLIENTS)],
                    "receive_stock")
    outcomes = Counter((r.status, r.code) for r in results)
    assert outcomes == Counter({(200, None): 1, (409, "INVENTORY_MAX_QUANTITY"): CLIENTS - 1}), outcomes
    assert sum(r[1] for r in w.stock("slab")) == 1
    w.check_clean()


def test_a_reservation_shipped_released_and_expired_at_once_resolves_once(world: World) -> None:
    """16 clients at once ship, release, or release by reference the same reservations (and the sweep runs): each
    reservation resolves once, stock moves once."""
    w, card, wh = world, world.variant["card"], world.location["wh"]
    w.ok("receive_stock", {"p_variant_id": card, "p_location_id": wh, "p_quantity": 4}, "a_admin")
    made = w.ok("reserve_stock", {"p_lines": [{"variant_id": card, "location_id": wh, "quantity": 1, "ref_id": f"l-{i}"}
                                              for i in range(4)],
                                  "p_ref_module": "orders", "p_ref_entity": "order_line", "p_ref_id": "x"}, "a_admin")
    ids = [r["reservation_id"] for r in made]
    calls, args = [], []
    for i in range(CLIENTS):
        target = ids[i % 4]
        kind = i // 4 % 3
        if kind == 0:
            calls.append("ship_reservation"), args.append({"p_reservation_id": target})
        elif kind == 1:
            calls.append("release_reservation"), args.append({"p_reservation_id": target})
        else:
            calls.append("release_reservations"), args.append({"p_ref_module": "orders", "p_ref_entity": "order_line",
                                                               "p_ref_id": f"l-{i % 4}"})
    results = _race(w, args, calls)
    assert all(r.ok or r.code == "INVENTORY_RESERVATION_RESOLVED" for r in results), [r.body for r in results if not r.ok]
    states = w.facts("SELECT state, count(*) FROM inventory.reservation WHERE id = ANY(%s) GROUP BY state", ids)
    assert sum(n for _, n in states) == 4 and {s for s, _ in states} <= {"CONSUMED", "RELEASED"}, states
    shipped = sum(n for s, n in states if s == "CONSUMED")
    assert w.stock("card") == [(wh, 4 - shipped, 0, 4 - shipped, 0)], "each reservation moved stock once"
    w.check_clean()


def test_the_library_and_the_cli(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    w, card, wh = world, world.variant["card"], world.location["wh"]
    with Client(make_conninfo(w.url, user="mercato_authenticator")) as app:
        admin = app.as_caller(w.claims("a_admin"), role="mercato_user")
        assert admin.inventory.receive(card, wh, 4, "1.25").on_hand == 4
        made = admin.inventory.reserve([{"variant_id": card, "quantity": 3}], ("orders", "order", "lib-1"))
        assert [(r.location_id, r.quantity, r.backordered) for r in made] == [(wh, 3, 0)]
        with pytest.raises(MercatoError) as info:
            admin.inventory.reserve([{"variant_id": card, "quantity": 2}], ("orders", "order", "lib-2"))
        assert (info.value.code, info.value.http_status) == ("INVENTORY_INSUFFICIENT", 409)
        assert info.value.detail == f"variant {card} at any online location: 2 wanted, 1 available"
        assert admin.inventory.release(made[0].reservation_id) == 1
        assert [(s["sku"].split("-")[0], s["available"]) for s in admin.inventory.stock(card)] == [("CARD", 4)]
        assert [loc["code"] for loc in admin.inventory.locations()] == ["WH", "STORE"]

    from mercato.cli import cli

    monkeypatch.setenv("DATABASE_URL", w.url)
    runner = CliRunner()

    def run(*args: str, code: int = 0) -> str:
        r = runner.invoke(cli, list(args), catch_exceptions=False, standalone_mode=False)
        assert r.exit_code == code, r.output
        return r.output

    as_admin = ("--as", w.sub["a_admin"])
    assert "WH" in run("inventory", "locations", *as_admin)
    assert int(run("inventory", "add-location", "POP-UP", "--name", "Pop-up", "--kind", "STORE", *as_admin)) > 0
    run("inventory", "receive", str(card), str(wh), "2", "--cost", "1.50", *as_admin)
    run("inventory", "adjust", "--reason", "display copy", *as_admin, "--", str(card), str(wh), "-1")
    out = run("inventory", "reserve", "--line", f"{card}@{wh}:2", "--ref", "orders/order/cli-1", "--expires-in", "15",
              "--json", *as_admin)
    assert '"quantity": 2' in out
    assert "released 1 reservation(s)" in run("inventory", "release", "--ref", "orders/order/cli-1", *as_admin)
    assert "CARD" in run("inventory", "stock", "--variant", str(card), *as_admin)
    assert "on_hand_equals_movements" in run("inventory", "check")   # the back office
    w.check_clean()
