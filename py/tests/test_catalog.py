"""The catalog (issue 18, docs/catalog.md) exactly as PostgREST serves it: the NOINHERIT authenticator, one transaction
per request, the claims of a signed JWT (mercato.harness.postgrest). Superuser connections only arrange the world
(tenants, users, currencies) and read what was written; direct reads as an API role go through the same role switch
and claims PostgREST uses.

Two shops (tenants A and B) never see or reach each other's products, variants or channel ids, through the api or
through a direct read with an API role; a SKU is unique per tenant but the same SKU lives in both; an amount with
more decimals than the currency has is refused and writes nothing; a product is ACTIVE only when published; search
ranks a title match above a description match, finds a misspelt title and a partial SKU, and its keyset pages return
every row exactly once; the library and the CLI do the same through the api.
"""

from __future__ import annotations

import json
import uuid
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


@dataclass
class World:
    url: str
    rest: PostgREST
    tenant: dict[str, int]      # "A" / "B" -> tenant id
    sub: dict[str, str]
    uid: dict[str, int]
    tag: str

    def call(self, fn: str, args: dict[str, Any] | None = None, who: str | None = None) -> Response:
        claims = {"role": "mercato_service"} if who is None else {"sub": self.sub[who], "role": "mercato_user"}
        return self.rest.rpc(fn, args or {}, token=sign(claims))

    def ok(self, fn: str, args: dict[str, Any] | None = None, who: str | None = None) -> Any:
        r = self.call(fn, args, who)
        assert r.ok, (fn, who, r.status, r.body)
        return r.body

    def refused(self, fn: str, args: dict[str, Any], who: str | None, status: int, code: str) -> None:
        r = self.call(fn, args, who)
        assert (r.status, r.code) == (status, code), (fn, who, r.status, r.body)

    def product(self, who: str, **fields: Any) -> int:
        return self.ok("create_product", {"p_product": {"title": "Product", **fields}}, who)

    def variant(self, who: str, product_id: int, **fields: Any) -> int:
        return self.ok("add_variant", {"p_product_id": product_id, "p_variant": fields}, who)

    def as_api_role(self, who: str, query: str, *params: Any) -> list[tuple]:
        """A direct read as PostgREST would run it for this user's JWT: SET LOCAL ROLE, claims set locally."""
        with psycopg.connect(self.url) as conn:
            conn.execute("SELECT set_config('request.jwt.claims', %s, true)",
                         (json.dumps({"sub": self.sub[who], "role": "mercato_user"}),))
            conn.execute("SET LOCAL ROLE mercato_user")
            rows = conn.execute(query, params).fetchall()
            conn.rollback()
        return rows


@pytest.fixture
def world(db_url: str) -> Iterator[World]:
    """Shops A and B in USD, an admin (TENANT_ADMIN: catalog.manage) and a staff user (no role) of each, a platform
    admin."""
    tag = uuid.uuid4().hex[:6]
    users = {"a_admin": "A", "a_staff": "A", "b_admin": "B", "b_staff": "B", "padmin": None}
    sub = {k: f"kc|cat-{k}-{tag}" for k in users}
    with psycopg.connect(db_url, autocommit=True) as conn:
        tenant = {t: conn.execute("SELECT identity.create_tenant(%s, %s)", (f"cat-{t.lower()}-{tag}", t)).fetchone()[0]
                  for t in ("A", "B")}
        for t in tenant.values():
            conn.execute("SELECT identity.set_tenant_currency(%s, 'USD')", (t,))
        uid = {k: conn.execute("SELECT identity.register_user(%s, 'STAFF', %s, %s)",
                               (sub[k], k, tenant.get(t) if t else None)).fetchone()[0] for k, t in users.items()}
        for k in ("a_admin", "b_admin"):
            conn.execute("SELECT identity.assign_role(%s, 'TENANT_ADMIN', %s)", (uid[k], tenant[users[k]]))
        conn.execute("SELECT identity.assign_role(%s, 'PLATFORM_ADMIN')", (uid["padmin"],))
    rest = rest_as_authenticator(db_url)
    yield World(db_url, rest, tenant, sub, uid, tag)
    rest.close()


def test_tenants_never_see_or_reach_each_other_s_catalog(world: World) -> None:
    w = world
    pa = w.product("a_admin", title="A's card")
    va = w.variant("a_admin", pa, sku="A-1", price="1.00")
    w.ok("link_product_channel", {"p_product_id": pa, "p_channel": "EBAY", "p_external_id": "e-1"}, "a_admin")
    pb = w.product("b_admin", title="B's card")
    vb = w.variant("b_admin", pb, sku="B-1", price="2.00")
    w.ok("link_product_channel", {"p_product_id": pb, "p_channel": "EBAY", "p_external_id": "e-1"}, "b_admin")

    for me, mine, theirs, my_variant, their_variant, their_tenant in (("a", pa, pb, va, vb, "B"), ("b", pb, pa, vb, va, "A")):
        for who in (f"{me}_admin", f"{me}_staff"):
            # through the api: the other shop's rows are as if absent
            assert [r["product_id"] for r in w.ok("search_catalog", {"p_query": "card"}, who)] == [mine]
            assert w.ok("get_product", {"p_product_id": mine}, who)["variants"][0]["id"] == my_variant
            w.refused("get_product", {"p_product_id": theirs}, who, 404, "CATALOG_UNKNOWN_PRODUCT")
            w.refused("get_variant", {"p_variant_id": their_variant}, who, 404, "CATALOG_UNKNOWN_VARIANT")
            assert w.ok("product_by_channel", {"p_channel": "EBAY", "p_external_id": "e-1"}, who) == mine
            w.refused("search_catalog", {"p_tenant_id": w.tenant[their_tenant]}, who, 403, "IDENTITY_TENANT_MISMATCH")
            # through a direct read with the API role: row-level security
            for table in ("catalog.product", "catalog.variant", "catalog.product_channel"):
                seen = {t for (t,) in w.as_api_role(who, f"SELECT DISTINCT tenant_id FROM {table}")}
                assert seen == {w.tenant[me.upper()]}, (who, table, seen)
        admin = f"{me}_admin"
        w.refused("update_product", {"p_product_id": theirs, "p_changes": {"title": "mine now"}}, admin, 404,
                  "CATALOG_UNKNOWN_PRODUCT")
        w.refused("update_variant", {"p_variant_id": their_variant, "p_changes": {"price": "0"}}, admin, 404,
                  "CATALOG_UNKNOWN_VARIANT")
        w.refused("add_variant", {"p_product_id": theirs, "p_variant": {"sku": "X", "price": "1"}}, admin, 404,
                  "CATALOG_UNKNOWN_PRODUCT")
        w.refused("publish_product", {"p_product_id": theirs}, admin, 404, "CATALOG_UNKNOWN_PRODUCT")
        w.refused("create_product", {"p_product": {"title": "x"}, "p_tenant_id": w.tenant[their_tenant]}, admin, 403,
                  "IDENTITY_TENANT_MISMATCH")
    # staff without catalog.manage read but never write; the platform admin and the back office name the tenant
    w.refused("create_product", {"p_product": {"title": "x"}}, "a_staff", 403, "IDENTITY_PERMISSION_DENIED")
    w.refused("create_product", {"p_product": {"title": "x"}}, "padmin", 400, "CATALOG_INVALID_INPUT")
    assert w.ok("create_product", {"p_product": {"title": "from the platform"}, "p_tenant_id": w.tenant["B"]}, "padmin") > 0
    assert w.ok("get_product", {"p_product_id": pa, "p_tenant_id": w.tenant["A"]})["title"] == "A's card"
    with psycopg.connect(w.url) as conn:
        assert conn.execute("SELECT tenant_id FROM catalog.product WHERE title = 'from the platform'").fetchone()[0] \
            == w.tenant["B"]


def test_a_sku_is_unique_per_tenant_and_the_same_sku_lives_in_two_tenants(world: World) -> None:
    w = world
    pa, pb = w.product("a_admin"), w.product("b_admin")
    w.variant("a_admin", pa, sku="PKM-001", price="10", option1="NM")
    w.refused("add_variant", {"p_product_id": pa, "p_variant": {"sku": "PKM-001", "price": "10", "option1": "LP"}},
              "a_admin", 409, "CATALOG_SKU_TAKEN")
    other = w.variant("a_admin", pa, sku="PKM-002", price="10", option1="LP")
    w.refused("update_variant", {"p_variant_id": other, "p_changes": {"sku": "PKM-001"}}, "a_admin", 409, "CATALOG_SKU_TAKEN")
    assert w.variant("b_admin", pb, sku="PKM-001", price="10", option1="NM") > 0
    w.refused("add_variant", {"p_product_id": pa, "p_variant": {"sku": "PKM-003", "price": "10", "option1": "NM"}},
              "a_admin", 409, "CATALOG_OPTIONS_TAKEN")
    with psycopg.connect(w.url) as conn:
        assert conn.execute("SELECT tenant_id, count(*) FROM catalog.variant WHERE sku = 'PKM-001' AND tenant_id IN (%s, %s) "
                            "GROUP BY 1 ORDER BY 1", (w.tenant["A"], w.tenant["B"])).fetchall() \
            == [(w.tenant["A"], 1), (w.tenant["B"], 1)]


def test_a_price_with_too_many_decimals_is_refused_and_nothing_is_written(world: World) -> None:
    w = world
    p = w.product("a_admin")
    v = w.variant("a_admin", p, sku="OK-1", price="12.50", cost="8")

    def state() -> tuple:
        with psycopg.connect(w.url) as conn:
            return conn.execute(
                "SELECT (SELECT count(*) FROM catalog.variant WHERE product_id = %s),"
                " (SELECT array_agg(price::text || '/' || coalesce(cost::text, '') ORDER BY id) FROM catalog.variant"
                "   WHERE product_id = %s),"
                " (SELECT count(*) FROM audit.event WHERE entity_type = 'catalog.variant')", (p, p)).fetchone()

    before = state()
    for field, value in (("price", "12.505"), ("compare_at_price", "20.001"), ("cost", "0.125")):
        r = w.call("add_variant", {"p_product_id": p, "p_variant": {"sku": f"BAD-{field}", "price": "1", field: value}},
                   "a_admin")
        assert (r.status, r.code) == (400, "CATALOG_AMOUNT_SCALE"), r.body
        assert field in r.body["details"] and "USD allows 2 decimals" in r.body["details"], r.body
        w.refused("update_variant", {"p_variant_id": v, "p_changes": {field: value}}, "a_admin", 400, "CATALOG_AMOUNT_SCALE")
    assert state() == before, "a refused amount wrote nothing (no variant, no change, no audit event)"
    assert w.ok("get_variant", {"p_variant_id": v}, "a_admin")["price"] == "12.50"


def test_publish_rules(world: World) -> None:
    w = world
    p = w.product("a_admin", title="Draft first")
    doc = w.ok("get_product", {"p_product_id": p}, "a_admin")
    assert (doc["status"], doc["published_at"]) == ("DRAFT", None)
    w.refused("publish_product", {"p_product_id": p}, "a_staff", 403, "IDENTITY_PERMISSION_DENIED")
    published = w.ok("publish_product", {"p_product_id": p}, "a_admin")
    assert published["status"] == "ACTIVE" and published["published_at"] is not None
    assert w.ok("publish_product", {"p_product_id": p}, "a_admin")["published_at"] == published["published_at"]
    assert w.ok("archive_product", {"p_product_id": p}, "a_admin")["status"] == "ARCHIVED"
    w.refused("publish_product", {"p_product_id": p}, "a_admin", 409, "CATALOG_INVALID_TRANSITION")
    w.refused("add_variant", {"p_product_id": p, "p_variant": {"sku": "LATE", "price": "1"}}, "a_admin", 409,
              "CATALOG_INVALID_TRANSITION")
    assert w.ok("unarchive_product", {"p_product_id": p}, "a_admin")["status"] == "DRAFT"
    again = w.ok("publish_product", {"p_product_id": p}, "a_admin")
    assert again["status"] == "ACTIVE" and again["published_at"] == published["published_at"]
    # whoever writes: ACTIVE without published_at is refused by the table (the owner, as a migration would write)
    with psycopg.connect(w.url) as conn:
        conn.execute("SET LOCAL ROLE mercato_owner")
        with pytest.raises(psycopg.errors.CheckViolation):
            conn.execute("INSERT INTO catalog.product (tenant_id, title, status) VALUES (%s, 'x', 'ACTIVE')",
                         (w.tenant["A"],))
        conn.rollback()
        conn.execute("SET LOCAL ROLE mercato_owner")
        conn.execute("UPDATE catalog.product SET status = 'ARCHIVED' WHERE id = %s", (p,))
        with pytest.raises(psycopg.Error, match="CATALOG_INVALID_TRANSITION"):
            conn.execute("UPDATE catalog.product SET status = 'ACTIVE' WHERE id = %s", (p,))


def test_search_ranks_a_title_match_above_a_description_match(world: World) -> None:
    w = world
    in_desc = w.product("a_admin", title="Booster box", description="may hold a Mewtwo")
    in_vendor = w.product("a_admin", title="Sleeves", vendor="Mewtwo Supplies")
    in_title = w.product("a_admin", title="Mewtwo Holo", description="first edition")
    w.product("a_admin", title="Unrelated", description="nothing here")
    rows = w.ok("search_catalog", {"p_query": "mewtwo"}, "a_admin")
    assert [r["product_id"] for r in rows] == [in_title, in_desc, in_vendor]
    assert rows[0]["score"] > rows[1]["score"] > rows[2]["score"]


def test_trigrams_find_a_misspelt_title_a_partial_sku_and_a_barcode(world: World) -> None:
    w = world
    chz = w.product("a_admin", title="Charizard Holo Base Set")
    slab = w.product("a_admin", title="Graded slab")
    w.variant("a_admin", slab, sku="PKM-BS-004-PSA10", barcode="0820650853043", price="4999.00")
    w.product("a_admin", title="Blastoise Holo")
    assert [r["product_id"] for r in w.ok("search_catalog", {"p_query": "charzard"}, "a_admin")] == [chz]
    assert [r["product_id"] for r in w.ok("search_catalog", {"p_query": "Charizrd base"}, "a_admin")] == [chz]
    assert [r["product_id"] for r in w.ok("search_catalog", {"p_query": "psa10"}, "a_admin")] == [slab]
    assert [r["product_id"] for r in w.ok("search_catalog", {"p_query": "BS-004"}, "a_admin")] == [slab]
    assert [r["product_id"] for r in w.ok("search_catalog", {"p_query": "0820650853043"}, "a_admin")] == [slab]
    # and the other shop finds none of it
    assert w.ok("search_catalog", {"p_query": "charzard"}, "b_admin") == []


def test_keyset_pages_return_every_row_exactly_once(world: World) -> None:
    w = world
    ids = [w.product("a_admin", title=f"Pikachu {i}" if i % 3 else f"Promo {i}",
                     description="pikachu inside" if i % 3 == 0 else "", category="cards" if i % 2 else "sealed")
           for i in range(23)]
    w.product("b_admin", title="Pikachu of B")

    def pages(args: dict[str, Any], size: int) -> list[list[int]]:
        out, cursor = [], None
        for _ in range(50):
            rows = w.ok("search_catalog", {**args, "p_limit": size, "p_cursor": cursor}, "a_admin")
            if rows:
                out.append([r["product_id"] for r in rows])
            if len(rows) < size:
                return out
            cursor = rows[-1]["cursor"]
        raise AssertionError("pages never ended")

    for args in ({}, {"p_query": "pikachu"}, {"p_filters": {"category": "cards"}}):
        whole = [r["product_id"] for r in w.ok("search_catalog", {**args, "p_limit": 100}, "a_admin")]
        for size in (1, 4, 7):
            paged = pages(args, size)
            flat = [i for page in paged for i in page]
            assert flat == whole and len(set(flat)) == len(flat), (args, size)
            assert all(len(page) == size for page in paged[:-1])
    assert sorted(r["product_id"] for r in w.ok("search_catalog", {"p_limit": 100}, "a_admin")) == ids
    w.refused("search_catalog", {"p_cursor": "garbage!"}, "a_admin", 400, "CATALOG_INVALID_CURSOR")


def test_the_library_and_the_cli_manage_the_catalog(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    w, a = world, world.tenant["A"]
    with Client(make_conninfo(w.url, user="mercato_authenticator")) as app:
        admin = app.as_caller({"sub": w.sub["a_admin"], "role": "mercato_user"}, role="mercato_user")
        p = admin.catalog.create_product({"title": "Library card", "tags": ["lib"]})
        from decimal import Decimal
        v = admin.catalog.add_variant(p, {"sku": f"LIB-{w.tag}", "price": Decimal("3.10"), "max_quantity": 1})
        assert admin.catalog.get_variant(v)["price"] == "3.10"
        assert admin.catalog.publish_product(p)["status"] == "ACTIVE"
        assert admin.catalog.link_channel(p, "POS", "pos-1") == [{"channel": "POS", "external_id": "pos-1"}]
        page = admin.catalog.search("library", limit=1)
        assert [r.product_id for r in page.rows] == [p] and page.next_cursor is not None
        assert admin.catalog.search("library", limit=1, cursor=page.next_cursor).rows == []
        with pytest.raises(MercatoError) as info:
            admin.catalog.add_variant(p, {"sku": "LIB-2", "price": "0.001"})
        assert (info.value.code, info.value.http_status) == ("CATALOG_AMOUNT_SCALE", 400)

    from mercato.cli import cli

    monkeypatch.setenv("DATABASE_URL", w.url)
    runner = CliRunner()

    def run(*args: str) -> str:
        r = runner.invoke(cli, list(args), catch_exceptions=False, standalone_mode=False)
        assert r.exit_code == 0, r.output
        return r.output

    as_admin = ("--as", w.sub["a_admin"])
    pid = int(run("catalog", "product", "create", "Venusaur Holo", "--tag", "pokemon", *as_admin))
    assert int(run("catalog", "variant", "add", str(pid), "--sku", f"VEN-{w.tag}", "--price", "45.00",
                   "--max-quantity", "1", *as_admin)) > 0
    assert "ACTIVE" in run("catalog", "product", "publish", str(pid), *as_admin)
    assert "Venusaur Holo" in run("catalog", "search", "venusar", *as_admin)
    assert "ARCHIVED" in run("catalog", "product", "archive", str(pid), "--tenant", str(a))   # the back office
    found = json.loads(run("catalog", "search", "venusaur", "--status", "ARCHIVED", "--json", *as_admin))
    assert [r["product_id"] for r in found["rows"]] == [pid]


def test_racing_writers_of_one_sku_leave_exactly_one_variant(world: World) -> None:
    """Eight requests add the same SKU at once (each with its own options): the unique key decides, exactly one wins and
    every other is refused with CATALOG_SKU_TAKEN, never a raw unique violation."""
    import threading

    w = world
    p = w.product("a_admin")
    results: list[Response] = []
    lock, start = threading.Lock(), threading.Barrier(8)

    def add(i: int) -> None:
        rest = rest_as_authenticator(w.url)   # one emulator (one connection) per concurrent request
        try:
            start.wait()
            r = rest.rpc("add_variant", {"p_product_id": p, "p_variant": {"sku": "RACE-1", "price": "1", "option1": f"o{i}"}},
                         token=sign({"sub": w.sub["a_admin"], "role": "mercato_user"}))
        finally:
            rest.close()
        with lock:
            results.append(r)

    threads = [threading.Thread(target=add, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(r.ok for r in results) == 1, [(r.status, r.body) for r in results]
    assert sorted((r.status, r.code) for r in results if not r.ok) == [(409, "CATALOG_SKU_TAKEN")] * 7
    with psycopg.connect(w.url) as conn:
        assert conn.execute("SELECT count(*) FROM catalog.variant WHERE product_id = %s", (p,)).fetchone()[0] == 1
