"""The store's TCG attributes (issue 18, docs/store.md) exactly as PostgREST serves them: the NOINHERIT authenticator,
one transaction per request, the claims of a signed JWT (mercato.harness.postgrest).

Every refusal of a TCG rule answers HTTP 400 with the code STORE_INVALID_CARD_ATTRIBUTE in the message and a detail
``field: reason`` naming the field (never a bare CHECK failure, 23514, and never a rounded value); duplicates answer
409 STORE_CARD_UNIT_EXISTS; one shop neither reads nor writes another's cards. Superuser connections only arrange the
world: tenants, users, and the catalog products and variants (the catalog has no writing api yet)."""

from __future__ import annotations

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

from mercato.client import Client
from mercato.errors import MercatoError
from mercato.harness.postgrest import PostgREST, Response
from jwt_helper import rest_as_authenticator, sign

INVALID = "STORE_INVALID_CARD_ATTRIBUTE"


@dataclass
class World:
    url: str
    rest: PostgREST
    tenant: dict[str, int]          # "A" / "B" -> tenant id
    sub: dict[str, str]
    product: dict[str, int]         # "A" / "B" / "A2" -> catalog product id
    variants: dict[str, list[int]]  # product key -> its catalog variants (the first three: max_quantity 1)

    def call(self, fn: str, args: dict[str, Any] | None = None, who: str | None = None) -> Response:
        claims = {"role": "mercato_service"} if who is None else {"sub": self.sub[who], "role": "mercato_user"}
        return self.rest.rpc(fn, args or {}, token=sign(claims))

    def ok(self, fn: str, args: dict[str, Any] | None = None, who: str | None = None) -> Any:
        r = self.call(fn, args, who)
        assert r.ok, (fn, who, r.status, r.body)
        return r.body

    def refused(self, fn: str, args: dict[str, Any], who: str | None, status: int, code: str,
                detail: str | None = None) -> Response:
        r = self.call(fn, args, who)
        assert (r.status, r.code) == (status, code), (fn, args, who, r.status, r.body)
        assert r.body["code"] == f"PT{status}", r.body
        if detail is not None:
            assert r.body["details"] == detail, r.body
        return r


@pytest.fixture
def world(db_url: str) -> Iterator[World]:
    """Shops A and B (USD), an admin of each (TENANT_ADMIN: store.manage), a clerk of A without any permission; a
    catalog product of each with six variants, the first three one-of-a-kind (max_quantity 1), and a second of A's."""
    tag = uuid.uuid4().hex[:6]
    users = {"a_admin": "A", "b_admin": "B", "clerk": "A"}
    sub = {k: f"kc|tcg-{k}-{tag}" for k in users}
    with psycopg.connect(db_url, autocommit=True) as conn:
        tenant = {t: conn.execute("SELECT identity.create_tenant(%s, %s)", (f"tcg-{t.lower()}-{tag}", t)).fetchone()[0]
                  for t in ("A", "B")}
        conn.execute("UPDATE identity.tenant SET currency = 'USD' WHERE id = ANY(%s)", (list(tenant.values()),))
        uid = {k: conn.execute("SELECT identity.register_user(%s, 'STAFF', %s, %s)", (sub[k], k, tenant[t])).fetchone()[0]
               for k, t in users.items()}
        for k in ("a_admin", "b_admin"):
            conn.execute("SELECT identity.assign_role(%s, 'TENANT_ADMIN', %s)", (uid[k], tenant[users[k]]))
        product, variants = {}, {}
        for key, t in (("A", "A"), ("B", "B"), ("A2", "A")):
            product[key] = conn.execute("INSERT INTO catalog.product (tenant_id, title) VALUES (%s, %s) RETURNING id",
                                        (tenant[t], f"Card {key}")).fetchone()[0]
            variants[key] = [conn.execute(
                "INSERT INTO catalog.variant (tenant_id, product_id, sku, option1, price, max_quantity) "
                "VALUES (%s, %s, %s, %s, 10, %s) RETURNING id",
                (tenant[t], product[key], f"{key}-{n}-{tag}", f"{key}-{n}", 1 if n <= 3 else None)).fetchone()[0]
                for n in range(1, 7)]
    rest = rest_as_authenticator(db_url)
    yield World(db_url, rest, tenant, sub, product, variants)
    rest.close()


def _slab(variant: int, company: str, grade: Any, cert: str, **extra: Any) -> dict[str, Any]:
    return {"p_variant_id": variant, "p_printing": "NONFOIL", "p_grading_company": company, "p_grade": grade,
            "p_cert_number": cert, **extra}


def test_each_tcg_rule_answers_400_with_the_field_and_the_reason(world: World) -> None:
    w, a = world, world.variants["A"]
    assert w.ok("add_card", {"p_product_id": w.product["A"], "p_game": "MTG", "p_set_code": "LEA", "p_cmc": 0,
                             "p_color_identity": ["U", "W"], "p_legalities": {"vintage": "restricted"}}, "a_admin") \
        == w.product["A"]
    card = {"p_product_id": w.product["A2"], "p_game": "MTG", "p_set_code": "LEB"}
    for change, detail in (
            ({"p_cmc": -1}, "cmc: must be 0 or more, not -1"),
            ({"p_color_identity": ["W", "P"]}, "color_identity: P is not a color (W, U, B, R, G)"),
            ({"p_legalities": {"modern": "allowed"}},
             'legalities: modern is "allowed"; a format is legal, not_legal, restricted or banned'),
            ({"p_game": "MAGIC"}, "game: unknown game MAGIC (MTG, POKEMON, YUGIOH, LORCANA)"),
            ({"p_game": "POKEMON", "p_cmc": 2}, "cmc: only MTG cards have a mana value, not POKEMON cards")):
        w.refused("add_card", {**card, **change}, "a_admin", 400, INVALID, detail)

    for args, detail in (
            (_slab(a[0], "PSA", 9.25, "1"), "grade: PSA has no grade 9.25 (1 to 10; half grades 1.5 to 8.5 only)"),
            (_slab(a[0], "PSA", 9.5, "1"), "grade: PSA has no grade 9.5 (1 to 10; half grades 1.5 to 8.5 only)"),
            (_slab(a[0], "BGS", 95, "1"), "grade: BGS has no grade 95 (1 to 10 in steps of 0.5)"),
            (_slab(a[0], "SGC", 10, "1"), "grade_label: SGC 10 (scale 1) is PRISTINE or GEM_MINT: say which"),
            (_slab(a[0], "CGC", 10, "1", p_scale_version=1, p_grade_label="GEM_MINT"),
             "grade_label: CGC 10 (scale 1) is PRISTINE, not GEM_MINT"),
            (_slab(a[0], "BGS", 9, "1", p_centering=9.5, p_corners=9, p_edges=9.5, p_surface=8),
             "grade: BGS subgrades 9.5/9/9.5/8 (centering/corners/edges/surface) make an overall 8.5, not 9"),
            (_slab(a[0], "HGA", 9, None), "cert_number: required when graded"),
            (_slab(a[3], "PSA", 9, "2"),
             f"max_quantity: a graded slab is one unit: variant {a[3]} needs max_quantity 1, not unlimited"),
            ({"p_variant_id": a[4], "p_printing": "HOLOFOIL", "p_condition": "NEAR_MINT"},
             "printing: MTG cards have no printing HOLOFOIL (NONFOIL, FOIL, ETCHED)"),
            ({"p_variant_id": a[4], "p_printing": "FOIL", "p_language": "XX", "p_condition": "NEAR_MINT"},
             "language: XX is not a card language (api.lookups('CARD_LANGUAGE') lists them)"),
            ({"p_variant_id": a[4], "p_printing": "FOIL", "p_condition": "NEAR_MINT", "p_serial_number": "251/250"},
             "serial_number: n/m needs 1 <= n <= m, not 251/250")):
        w.refused("add_card_variant", args, "a_admin", 400, INVALID, detail)

    # what passes, and the duplicates (409)
    assert w.ok("add_card_variant", _slab(a[0], "BGS", 10, "0012345678", p_centering=10, p_corners=10, p_edges=10,
                                          p_surface=10), "a_admin") == a[0]
    w.refused("add_card_variant", _slab(a[1], "BGS", 9, "0012345678"), "a_admin", 409, "STORE_CARD_UNIT_EXISTS",
              f"cert_number: BGS 0012345678 is already variant {a[0]}")
    assert w.ok("add_card_variant", {"p_variant_id": a[4], "p_printing": "FOIL", "p_condition": "LIGHTLY_PLAYED"},
                "a_admin") == a[4]
    w.refused("add_card_variant", {"p_variant_id": a[5], "p_printing": "foil", "p_condition": "lightly_played"},
              "a_admin", 409, "STORE_CARD_UNIT_EXISTS",
              f"condition: product {w.product['A']} in LIGHTLY_PLAYED, FOIL, EN is already variant {a[4]}")
    rows = {r["variant_id"]: r for r in w.ok("store_card_variants", {"p_product_id": w.product["A"]}, "a_admin")}
    assert (rows[a[0]]["grade_label"], rows[a[0]]["graded"]) == ("BLACK_LABEL", True)
    assert (rows[a[4]]["condition"], rows[a[4]]["tcgplayer_condition"]) == ("LIGHTLY_PLAYED", "LIGHTLY_PLAYED")


def test_one_shop_neither_reads_nor_writes_another_s_cards(world: World) -> None:
    w = world
    w.ok("add_card", {"p_product_id": w.product["A"], "p_game": "POKEMON", "p_set_code": "BS"}, "a_admin")
    w.ok("add_card_variant", {"p_variant_id": w.variants["A"][4], "p_printing": "HOLOFOIL", "p_condition": "MINT",
                              "p_language": "JA"}, "a_admin")
    w.ok("add_card", {"p_product_id": w.product["B"], "p_game": "YUGIOH", "p_set_code": "LOB"}, "b_admin")
    w.ok("add_card_variant", _slab(w.variants["B"][0], "PSA", 10, "B-1", p_printing="FIRST_EDITION"), "b_admin")

    assert [r["product_id"] for r in w.ok("store_cards", {}, "a_admin")] == [w.product["A"]]
    assert [r["product_id"] for r in w.ok("store_cards", {}, "b_admin")] == [w.product["B"]]
    assert w.ok("store_card_variants", {"p_product_id": w.product["B"]}, "a_admin") == []
    assert [r["variant_id"] for r in w.ok("store_card_variants", {}, "b_admin")] == [w.variants["B"][0]]
    # B's product and variant are as if absent to A's admin; naming B's tenant is refused
    w.refused("add_card", {"p_product_id": w.product["B"], "p_game": "MTG", "p_set_code": "LEA"}, "a_admin", 404,
              "STORE_UNKNOWN_PRODUCT", f"product_id: product {w.product['B']} in tenant {w.tenant['A']}")
    w.refused("add_card_variant", {"p_variant_id": w.variants["B"][1], "p_printing": "FIRST_EDITION",
                                   "p_condition": "MINT"}, "a_admin", 404, "STORE_UNKNOWN_VARIANT")
    w.refused("add_card", {"p_product_id": w.product["B"], "p_game": "MTG", "p_set_code": "LEA",
                           "p_tenant_id": w.tenant["B"]}, "a_admin", 403, "IDENTITY_TENANT_MISMATCH")
    # staff without store.manage or catalog.manage write nothing, but read their shop's cards
    w.refused("add_card_variant", {"p_variant_id": w.variants["A"][5], "p_printing": "HOLOFOIL", "p_condition": "MINT"},
              "clerk", 403, "IDENTITY_PERMISSION_DENIED")
    assert [r["product_id"] for r in w.ok("store_cards", {}, "clerk")] == [w.product["A"]]
    # the back office reads both, or the tenant it names; anonymous callers read nothing
    both = {r["product_id"] for r in w.ok("store_cards", {})}
    assert {w.product["A"], w.product["B"]} <= both
    assert [r["product_id"] for r in w.ok("store_cards", {"p_tenant_id": w.tenant["B"]})] == [w.product["B"]]
    anon = w.rest.rpc("store_cards", {})
    assert anon.status in (401, 403), (anon.status, anon.body)
    # the reference data and the BGS calculator are public
    assert w.rest.rpc("bgs_overall", {"p_centering": 9.5, "p_corners": 9.5, "p_edges": 9.5, "p_surface": 8}).body == 9.0
    grades = w.rest.rpc("grading_grades", {"p_grading_company": "PSA"}).body
    assert 9.5 not in {g["grade"] for g in grades} and {1.5, 8.5, 10} <= {g["grade"] for g in grades}


def test_two_writers_of_one_slab_or_one_unit_at_once_leave_one_and_the_loser_gets_409(world: World) -> None:
    """The trigger's own duplicate check cannot see an uncommitted row: the unique indexes decide, and
    store.add_card_variant (through api.add_card_variant) turns the loser's unique violation into STORE_CARD_UNIT_EXISTS (outcomes asserted, never
    timing: the second writer waits on the first one's index entry until it commits)."""
    w, a = world, world.variants["A"]
    w.ok("add_card", {"p_product_id": w.product["A"], "p_game": "MTG", "p_set_code": "LEA"}, "a_admin")
    claims = f'{{"sub": "{w.sub["a_admin"]}", "role": "mercato_user"}}'
    for first, second, field in (
            ("SELECT api.add_card_variant(%s, 'NONFOIL', p_grading_company := 'PSA', p_grade := 10, p_cert_number := 'RACE-1')",
             "SELECT api.add_card_variant(%s, 'NONFOIL', p_grading_company := 'PSA', p_grade := 9, p_cert_number := 'RACE-1')",
             "cert_number"),
            ("SELECT api.add_card_variant(%s, 'FOIL', 'EN', 'DAMAGED')",
             "SELECT api.add_card_variant(%s, 'FOIL', 'EN', 'DAMAGED')", "condition")):
        v1, v2 = (a[0], a[1]) if field == "cert_number" else (a[4], a[5])
        outcome: dict[str, Any] = {}
        with psycopg.connect(w.url) as one, psycopg.connect(w.url) as two:
            for conn in (one, two):
                conn.execute("SELECT set_config('request.jwt.claims', %s, true)", (claims,))
                conn.execute("SET LOCAL ROLE mercato_user")
            one.execute(first, (v1,))                  # written, not committed

            def race() -> None:
                try:
                    two.execute(second, (v2,))
                    two.commit()
                    outcome["second"] = "ok"
                except psycopg.Error as e:
                    two.rollback()
                    outcome["second"] = (e.sqlstate, str(e).split(":")[0], e.diag.message_detail)

            t = threading.Thread(target=race)
            t.start()
            t.join(0.5)                                # (the writer is still waiting, or already refused: either is fine)
            one.commit()
            t.join(30)
            assert not t.is_alive()
        sqlstate, code, detail = outcome["second"]
        assert (sqlstate, code) == ("PT409", "STORE_CARD_UNIT_EXISTS"), outcome
        assert detail.startswith(f"{field}: "), detail
    with psycopg.connect(w.url) as conn:
        assert conn.execute("SELECT count(*) FROM store.card_variant WHERE tenant_id = %s AND cert_number = 'RACE-1'",
                            (w.tenant["A"],)).fetchone()[0] == 1
        assert conn.execute("SELECT count(*) FROM store.card_variant WHERE tenant_id = %s AND condition = 'DAMAGED'",
                            (w.tenant["A"],)).fetchone()[0] == 1


def test_the_library_adds_cards_and_raises_the_field_and_the_reason(world: World) -> None:
    """client.store calls the same api wrappers: a refusal is a MercatoError with the code, HTTP 400 and the detail."""
    w, a = world, world.variants["A"]
    with Client(make_conninfo(w.url, user="mercato_authenticator")) as app:
        admin = app.as_caller({"sub": w.sub["a_admin"], "role": "mercato_user"}, role="mercato_user")
        assert admin.store.add_card(w.product["A"], "MTG", "LEA", cmc=Decimal("3"), color_identity=["G", "U"],
                                    legalities={"legacy": "legal"}) == w.product["A"]
        assert admin.store.add_card_variant(a[0], "NONFOIL", grading_company="BGS", grade=Decimal("8.5"),
                                            cert_number="LIB-1",
                                            subgrades={"centering": Decimal("9.5"), "corners": Decimal("9"),
                                                       "edges": Decimal("9.5"), "surface": Decimal("8")}) == a[0]
        with pytest.raises(MercatoError) as info:
            admin.store.add_card_variant(a[1], "NONFOIL", grading_company="PSA", grade=Decimal("9.25"), cert_number="LIB-2")
        assert (info.value.code, info.value.http_status, info.value.detail) == \
            (INVALID, 400, "grade: PSA has no grade 9.25 (1 to 10; half grades 1.5 to 8.5 only)")
        assert admin.store.bgs_overall("9.5", "9.5", "9.5", "8") == Decimal("9")


def test_the_cli_adds_cards_and_prints_the_refusal(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    from mercato.cli import cli

    w, a = world, world.variants["A"]
    monkeypatch.setenv("DATABASE_URL", w.url)
    runner = CliRunner()
    as_admin = ("--as", w.sub["a_admin"])
    r = runner.invoke(cli, ["store", "add-card", str(w.product["A"]), "MTG", "LEA", "--colors", "UW", *as_admin])
    assert (r.exit_code, r.output.strip()) == (0, str(w.product["A"])), r.output
    r = runner.invoke(cli, ["store", "add-variant", str(a[0]), "NONFOIL", "--grader", "BGS", "--grade", "9",
                            "--cert", "CLI-1", "--subgrades", "9.5/9/9.5/8", *as_admin])
    assert isinstance(r.exception, MercatoError), r.output      # (mercato's entry point prints it as one line)
    assert (r.exception.code, r.exception.detail) == (
        INVALID, "grade: BGS subgrades 9.5/9/9.5/8 (centering/corners/edges/surface) make an overall 8.5, not 9")
    r = runner.invoke(cli, ["store", "add-variant", str(a[0]), "NONFOIL", "--grader", "BGS", "--grade", "8.5",
                            "--cert", "CLI-1", "--subgrades", "9.5/9/9.5/8", *as_admin])
    assert (r.exit_code, r.output.strip()) == (0, str(a[0])), r.output
    r = runner.invoke(cli, ["store", "bgs-overall", "9.5", "9.5", "9.5", "8"])
    assert (r.exit_code, r.output.strip()) == (0, "9"), r.output


def test_a_graded_slab_in_one_call_and_a_refusal_leaves_no_catalog_row(world: World) -> None:
    """api.create_card and api.create_card_variant create the catalog product and variant through the catalog's
    functions and the TCG attributes in the same request: the slab's catalog variant has max_quantity 1, and a refused
    attribute answers 400 and leaves no catalog product or variant behind (the request's transaction is undone)."""
    w, tag = world, uuid.uuid4().hex[:6]
    product = w.ok("create_card", {"p_product": {"title": f"Mox Sapphire {tag}"}, "p_game": "MTG", "p_set_code": "LEA",
                                   "p_collector_number": "265"}, "a_admin")
    slab = w.ok("create_card_variant", {"p_product_id": product, "p_variant": {"sku": f"PSA-{tag}", "price": "30000.00"},
                                        "p_printing": "NONFOIL", "p_grading_company": "PSA", "p_grade": 9,
                                        "p_cert_number": f"C-{tag}"}, "a_admin")
    with psycopg.connect(w.url, autocommit=True) as conn:
        assert conn.execute("SELECT v.product_id, v.tenant_id, v.max_quantity, c.graded FROM catalog.variant v "
                            "JOIN store.card_variant c ON c.variant_id = v.id WHERE v.id = %s",
                            (slab,)).fetchone() == (product, w.tenant["A"], 1, True)

    w.refused("create_card", {"p_product": {"title": f"Mox Ruby {tag}"}, "p_game": "MTG", "p_set_code": "LEA",
                              "p_color_identity": ["R", "P"]},
              "a_admin", 400, INVALID, "color_identity: P is not a color (W, U, B, R, G)")
    w.refused("create_card_variant", {"p_product_id": product, "p_variant": {"sku": f"BAD-{tag}", "price": "1",
                                                                             "option1": "PSA 9.25"},
                                      "p_printing": "NONFOIL", "p_grading_company": "PSA", "p_grade": 9.25,
                                      "p_cert_number": f"D-{tag}"},
              "a_admin", 400, INVALID, "grade: PSA has no grade 9.25 (1 to 10; half grades 1.5 to 8.5 only)")
    with psycopg.connect(w.url, autocommit=True) as conn:
        assert conn.execute("SELECT count(*) FROM catalog.product WHERE title = %s", (f"Mox Ruby {tag}",)).fetchone()[0] == 0
        assert conn.execute("SELECT count(*) FROM catalog.variant WHERE sku = %s", (f"BAD-{tag}",)).fetchone()[0] == 0
        assert conn.execute("SELECT count(*) FROM catalog.variant WHERE product_id = %s", (product,)).fetchone()[0] == 1
