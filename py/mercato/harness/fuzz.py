"""Bad-input fuzzing of the HTTP API, through the PostgREST emulator.

Every function of the ``api`` schema is called with arguments drawn by hypothesis — wrong types,
NULLs, zero, negative, huge and over-precise amounts, unknown ids, other parties' ids, unicode and
overlong strings, malformed JSON documents, documents of the right shape with a JSON null (or a
missing member) inside, values one past the maximum of their input type (core.name_text, core.json_doc,
…), ±infinity and out-of-range dates and instants — by every kind of caller (anonymous, each registered
party, a shop's staff and one of its customers, the back office). The parties have something to act on: a
published RFQ, a closed one with a bid, a hold; the shop (:func:`seed_shop`) an order, a fulfilment batch and a
purchase order.

A call passes when it either succeeds or fails with a code the documentation promises: a Mercato code
from ``core.error`` (docs/errors.md), or one of the PostgreSQL SQLSTATEs docs/errors.md lists *raised
while converting an argument* (PostgREST's json_to_record). A raw SQLSTATE from inside a function (a
NOT NULL violation showing the failing row, a date overflow, …) is a violation even when its SQLSTATE is
listed, and so is any undocumented one. A call that fails must change nothing: a checksum of every
table of every Mercato schema is compared before and after it.

Violations (undocumented codes, internal errors, a failed call with side effects) are collected
with the call that produced them so that each can be replayed and turned into a regression test.
"""

from __future__ import annotations

import functools
import json
import re
import secrets
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import psycopg
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from psycopg.conninfo import make_conninfo

from mercato.config import plan_modules
from mercato.harness.docs import POSTGRES_ERRORS, fetch_input_types
from mercato.harness.postgrest import PostgREST, sign_token


#: SQLSTATEs a caller may legitimately receive besides Mercato's own PTxyz codes: PostgREST's own, and the PostgreSQL
#: ones docs/errors.md lists — those only from converting an argument, never from inside a function (see classify).
ALLOWED_SQLSTATES = {s for s, _ in POSTGRES_ERRORS} | {"PGRST202", "PGRST101"}
#: Raw SQLSTATEs any statement may raise, inside a function too: retry or timeout.
ANYWHERE_SQLSTATES = {"40001", "40P01", "57014"}


@dataclass
class Violation:
    function: str
    args: dict[str, Any]
    caller: str
    status: int
    body: Any
    reason: str


@dataclass
class FuzzReport:
    calls: int = 0
    failed_as_documented: int = 0
    succeeded: int = 0
    by_status: Counter = field(default_factory=Counter)
    by_function: Counter = field(default_factory=Counter)
    violations: list[Violation] = field(default_factory=list)


@functools.cache
def schemas() -> tuple[str, ...]:
    """Every Mercato schema: the modules sqitch.plan creates."""
    return tuple(plan_modules())


def checksum(conn: psycopg.Connection) -> str:
    """One digest over the contents of every table of every Mercato schema (sequences excluded)."""
    tables = conn.execute("""
        SELECT format('%%I.%%I', n.nspname, c.relname) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname = ANY(%s) AND c.relkind = 'r' ORDER BY 1""", (list(schemas()),)).fetchall()
    parts = " UNION ALL ".join(
        f"SELECT {i} AS i, coalesce(md5(string_agg(t::text, ',' ORDER BY t::text)), '') AS h FROM {name} t"
        for i, (name,) in enumerate(tables))
    return conn.execute(f"SELECT md5(string_agg(h, '|' ORDER BY i)) FROM ({parts}) x").fetchone()[0]


def api_functions(conn: psycopg.Connection) -> list[dict[str, Any]]:
    """Every callable api function with its input parameters (name, type, has default, base type of a domain)."""
    rows = conn.execute("""
        SELECT p.proname, p.proargnames, p.proargmodes, p.pronargs, p.pronargdefaults,
               ARRAY(SELECT format_type(t, NULL) FROM unnest(p.proargtypes::oid[]) WITH ORDINALITY u(t, i) ORDER BY i),
               ARRAY(SELECT format_type(CASE WHEN ty.typtype = 'd' THEN ty.typbasetype ELSE ty.oid END, NULL)
                       FROM unnest(p.proargtypes::oid[]) WITH ORDINALITY u(t, i) JOIN pg_type ty ON ty.oid = u.t
                      ORDER BY u.i)
          FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
         WHERE n.nspname = 'api' AND p.prorettype NOT IN ('event_trigger'::regtype, 'trigger'::regtype)
         ORDER BY p.proname""").fetchall()
    found = []
    for name, names, modes, nargs, ndefaults, types, bases in rows:
        names = names or []
        in_names = names[:nargs] if modes is None else [n for n, m in zip(names, modes) if m in ("i", "b", "v")]
        params = [(n, t, i >= nargs - ndefaults, b) for i, (n, t, b) in enumerate(zip(in_names, types, bases))]
        found.append({"name": name, "params": params})
    return found


def seed_parties(db_url: str) -> tuple[dict[str, dict | None], list[int], list[str]]:
    """Callers for a fuzz run, on a freshly deployed database: two businesses and a provider with funded wallets,
    a platform admin, an unknown subject, the back office and anonymous; and things to act on, so that calls get
    past "who are you" into parsing: business 1 (KYB verified) has a published RFQ and a closed one that provider 3
    (verified) bid on, and a hold on its wallet. Returns (callers, ids worth trying, texts worth trying)."""
    ids: list[int] = []
    with psycopg.connect(db_url, autocommit=True) as conn:
        bank = conn.execute("SELECT ledger.open_account('PLATFORM', 'bank', 'CLEARING', 'ETB', true)").fetchone()[0]
        ids.append(bank)
        parties = {}
        for n, kind in ((1, "BUSINESS"), (2, "BUSINESS"), (3, "PROVIDER")):
            uid = conn.execute("SELECT identity.register_user(%s, %s, %s)", (f"kc|u{n}", kind, f"U{n}")).fetchone()[0]
            table = "business (user_id, name, business_type)" if kind == "BUSINESS" else "provider (user_id, name, provider_type)"
            extra = "RETAIL" if kind == "BUSINESS" else "COMPANY"
            pid = conn.execute(f"INSERT INTO parties.{table} VALUES (%s, %s, %s) RETURNING id", (uid, f"P{n}", extra)).fetchone()[0]
            acc = conn.execute("SELECT ledger.open_account(%s, %s, 'MAIN', 'ETB')", (kind, str(pid))).fetchone()[0]
            conn.execute("SELECT ledger.transfer(%s, %s, %s, 100)", (f"fund-{n}", bank, acc))
            ids += [uid, pid, acc]
            parties[n] = (pid, acc)
        admin = conn.execute("SELECT identity.register_user('kc|admin', 'ADMIN', 'Admin')").fetchone()[0]
        conn.execute("SELECT identity.assign_role(%s, 'PLATFORM_ADMIN')", (admin,))

        def as_(sub: str, query: str, params: tuple = ()) -> Any:
            with conn.transaction():
                conn.execute("SELECT set_config('request.jwt.claims', %s, true)", (json.dumps({"sub": sub, "role": "mercato_user"}),))
                return conn.execute(query, params).fetchall()

        as_("kc|admin", "SELECT parties.set_business_kyb(%s, 'VERIFIED')", (parties[1][0],))
        as_("kc|admin", "SELECT parties.set_provider_verification(%s, 'VERIFIED')", (parties[3][0],))
        rfqs = []
        for title in ("open", "closed"):
            rfq = as_("kc|u1", "SELECT marketplace.create_rfq(%s, current_date + 1, current_date + 5, now() + interval '3 hours', "
                               "'[{\"vehicle_type\": \"SEDAN\", \"quantity\": 3}]')", (title,))[0][0]
            as_("kc|u1", "SELECT marketplace.publish_rfq(%s)", (rfq,))
            line = conn.execute("SELECT id FROM marketplace.rfq_line WHERE rfq_id = %s", (rfq,)).fetchone()[0]
            as_("kc|u3", "SELECT marketplace.submit_bid(%s, %s)",
                (rfq, json.dumps([{"rfq_line_id": line, "unit_price": "100", "quantity": 2}])))
            rfqs += [line, rfq]
        conn.execute("UPDATE marketplace.rfq SET bid_deadline = clock_timestamp() WHERE id = %s", (rfqs[-1],))
        aliases = [r[0] for r in as_("kc|u1", "SELECT bidder FROM marketplace.rfq_bids(%s)", (rfqs[-1],))]
        hold = conn.execute("SELECT ledger.create_hold('fuzz-hold', %s, 10)", (parties[1][1],)).fetchone()[0]
    shop_callers, shop_ids = seed_shop(db_url)
    escrow_callers, escrow_ids = seed_escrow(db_url)
    ids = rfqs + [hold] + shop_ids + escrow_ids + ids   # the likeliest to reach a parser first: sampled_from prefers early elements
    callers = {"anonymous": None, "business": {"sub": "kc|u1", "role": "mercato_user"},
               "provider": {"sub": "kc|u3", "role": "mercato_user"}, "admin": {"sub": "kc|admin", "role": "mercato_user"},
               "stranger": {"sub": "kc|nobody", "role": "mercato_user"}, "service": {"role": "mercato_service"},
               **shop_callers, **escrow_callers}
    return callers, ids, aliases


def seed_shop(db_url: str) -> tuple[dict[str, dict], list[int]]:
    """The store's callers and things to act on (issue 18), so that the orders, inventory, customers and store
    functions get past "who are you" into parsing: the torture's shop (mercato.harness.torture_store.setup_store: a USD
    tenant, its TENANT_ADMIN, a customer-user, five variants — a slab among them — at two locations, a distributor),
    with an order placed at the warehouse and partly paid, a fulfilment batch of it and a submitted purchase order.
    Returns (callers: shop_staff and shop_customer, ids worth trying)."""
    from mercato.harness.torture_store import ADMIN, setup_store

    w = setup_store(db_url, 1)
    me = w.clients[0]
    staff = {"sub": ADMIN, "role": "mercato_user"}

    with psycopg.connect(db_url, autocommit=True) as conn:
        def as_(claims: dict, query: str, params: tuple = ()) -> Any:
            with conn.transaction():
                conn.execute("SELECT set_config('request.jwt.claims', %s, true), set_config('role', 'mercato_user', true)",
                             (json.dumps(claims),))
                return conn.execute(query, params).fetchone()[0]

        wh = w.locations["WH"]
        order = as_(staff, "SELECT api.place_order(%s::jsonb)", (json.dumps({
            "source": "POS", "customer_id": me.customer,
            "lines": [{"variant_id": w.variants["booster"], "quantity": 2, "location_id": wh}]}),))
        as_(staff, "SELECT (api.record_external_payment(%s, 1, 'fuzz-pos-1')).id", (order["id"],))
        batch = as_(staff, "SELECT (api.create_fulfilment_batch(%s, %s::jsonb)).id", (wh, json.dumps([order["id"]])))
        po = as_(staff, "SELECT (api.create_purchase_order(%s, %s, %s::jsonb)).id", (w.distributor, wh, json.dumps(
            [{"variant_id": w.variants["scarce"], "quantity": 4, "unit_cost": "9.00"}])))
        as_(staff, "SELECT (api.submit_purchase_order(%s)).id", (po,))
        po_line = conn.execute("SELECT id FROM store.purchase_order_line WHERE purchase_order_id = %s", (po,)).fetchone()[0]
    ids = [order["id"], order["lines"][0]["id"], *w.variants.values(), *w.locations.values(), batch, po, po_line,
           me.customer, w.distributor]
    return {"shop_staff": staff, "shop_customer": {"sub": me.sub, "role": "mercato_user"}}, ids


def seed_escrow(db_url: str) -> tuple[dict[str, dict], list[int]]:
    """The payments shop's callers and things to act on (issue 19), so that the shop, escrow and installment functions
    get past "who are you": a MERCHANT organization with its shop (opened by the platform admin kc|admin), a published
    variant in stock, a buyer with a funded KES wallet, one order paid into escrow and one on an installment plan. Returns
    (callers: escrow_buyer and escrow_merchant, ids worth trying)."""
    with psycopg.connect(db_url, autocommit=True) as conn:
        def as_(claims: dict, query: str, params: tuple = ()) -> Any:
            with conn.transaction():
                conn.execute("SELECT set_config('request.jwt.claims', %s, true), set_config('role', %s, true)",
                             (json.dumps(claims), claims["role"]))
                return conn.execute(query, params).fetchone()[0]

        buyer = conn.execute("SELECT identity.register_user('kc|fz-buyer', 'CUSTOMER', 'Fuzz buyer')").fetchone()[0]
        owner = conn.execute("SELECT identity.register_user('kc|fz-merchant', 'MERCHANT', 'Fuzz merchant')").fetchone()[0]
        org = conn.execute("SELECT identity.open_organization('MERCHANT', NULL, 'Fuzz shop', %s)", (owner,)).fetchone()[0]
        admin = {"sub": "kc|admin", "role": "mercato_user"}
        service = {"role": "mercato_service"}
        shop = as_(admin, "SELECT api.open_shop(%s, 'fuzz-shop')", (org,))
        tenant = shop["tenant_id"]
        product = as_(service, "SELECT api.create_product('{\"title\": \"Fuzz goods\"}', %s)", (tenant,))
        variant = as_(service, "SELECT api.add_variant(%s, '{\"sku\": \"FZ-1\", \"price\": \"10.00\"}', %s)",
                      (product, tenant))
        as_(service, "SELECT api.publish_product(%s, %s) ->> 'id'", (product, tenant))
        wh = as_(service, "SELECT api.create_inventory_location('WH', 'Warehouse', 'WAREHOUSE', 10, true, %s)", (tenant,))
        as_(service, "SELECT (api.receive_stock(%s, %s, 100, p_tenant_id => %s)).variant_id", (variant, wh, tenant))
        external = conn.execute("SELECT ledger.open_account('PLATFORM', 'fuzz', 'EXTERNAL', 'KES', true)").fetchone()[0]
        wallet = conn.execute("SELECT payments.wallet_for('USER', %s, 'KES')", (buyer,)).fetchone()[0]
        conn.execute("SELECT ledger.transfer('fuzz-fund-kes', %s, %s, 1000)", (external, wallet))
        me = {"sub": "kc|fz-buyer", "role": "mercato_user"}
        doc = json.dumps({"lines": [{"variant_id": variant, "quantity": 2}]})
        paid, unpaid = (as_(me, "SELECT api.place_shop_order(%s, %s::jsonb)", (shop["shop_id"], doc))["id"]
                        for _ in range(2))
        escrow = as_(me, "SELECT api.pay_shop_order(%s)", (paid,))["escrow_id"]
        plan = as_(me, "SELECT api.create_installment_plan(%s, 2)", (unpaid,))
    ids = [shop["shop_id"], paid, unpaid, escrow, plan["id"], plan["schedule"][1]["id"], variant, wallet, org]
    return {"escrow_buyer": me, "escrow_merchant": {"sub": "kc|fz-merchant", "role": "mercato_user"}}, ids


# -- values ---------------------------------------------------------------------------------------

def _ids(known: list[int]) -> st.SearchStrategy:
    return st.one_of(st.sampled_from(known or [1]), st.sampled_from([0, -1, 2**31, 2**63 - 1, -(2**63)]),
                     st.integers(min_value=-(2**63), max_value=2**63 - 1),
                     st.sampled_from(["1", "x", "1.5", "", "9" * 30]))


AMOUNTS = st.one_of(
    st.sampled_from(["0", "-1", "-0.01", "0.001", "1.005", "1e20", "1e-20", "NaN", "Infinity", "-Infinity",
                     "99999999999999999999.99", "1,00", " 1 ", "", "0x10", "1e309"]),
    st.integers(0, 6).flatmap(lambda places: st.decimals(allow_nan=False, allow_infinity=False, places=places,
                                                         min_value=Decimal("-1e6"), max_value=Decimal("1e6"))).map(str),
    st.integers(min_value=-10**20, max_value=10**20),
    st.floats(allow_nan=True, allow_infinity=True))

TEXTS = st.one_of(
    st.text(max_size=40),
    st.text(alphabet=st.characters(min_codepoint=0x80, max_codepoint=0x10FFFF, blacklist_categories=("Cs",)), max_size=20),
    st.sampled_from(["", " ", "x" * 300, "x" * 10_001, "'; DROP TABLE ledger.entry; --", "\u202e\u0301", "%s%n",
                     "NULL", "null", "MAIN", "ETB", "USD", "ACTIVE", "BUSINESS", "PROVIDER", "ADMIN", "SMS",
                     "kc|b1", "DELIVERY", "RETURN", "EV_SEDAN", "DIESEL", "2026-01-01"]))

JSONS = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(min_value=-10**20, max_value=10**20), st.text(max_size=10),
              st.sampled_from(["1.00", "-5", "abc", "0.001"])),
    lambda children: st.one_of(st.lists(children, max_size=4),
                               st.dictionaries(st.sampled_from(["account_id", "amount", "side", "reference", "debit_account_id",
                                                                "credit_account_id", "rfq_line_id", "quantity", "unit_price",
                                                                "alias", "vehicle_type", "x"]), children, max_size=4)),
    max_leaves=12)

INSTANTS = st.one_of(
    st.sampled_from(["infinity", "-infinity", "1970-01-01T00:00:00Z", "9999-12-31T23:59:59Z", "2026-13-45", "yesterday",
                     "now", "epoch", "", "0", "10000-01-01T00:00:00Z", "0001-01-01T00:00:00Z", "4713-01-01 BC",
                     "294276-12-31T23:59:59Z", "+infinity", "Infinity"]),
    st.datetimes().map(lambda d: d.isoformat() + "Z"))

DATES = st.one_of(st.dates().map(str), st.sampled_from(["2026-02-30", "", "infinity", "-infinity", "0001-01-01", "today",
                                                        "10000-01-01", "5874897-12-31", "0001-12-31 BC", "9999-12-31"]))

# Documents of the right shape, each member possibly a JSON null, missing or of the wrong kind: what reaches a parser.
_CODES = st.sampled_from(["SEDAN", "HYBRID", "DEBIT", "CREDIT", "ETB", "BRONZE", "GOLD", "FULL", "HALF", "x", ""])
_URLS = st.sampled_from(["https://x.test/a.jpg", "http://x.test/b", "ftp://x", "", "javascript:alert(1)"])


def _member(plausible: st.SearchStrategy) -> st.SearchStrategy:
    """A member's value: mostly plausible, often a JSON null, sometimes anything."""
    return st.one_of(plausible, plausible, st.none(), JSONS)


def _object(members: dict[str, st.SearchStrategy]) -> st.SearchStrategy:
    """An object with these members, each possibly null or missing."""
    return st.fixed_dictionaries({}, optional={k: _member(v) for k, v in members.items()}) | \
        st.fixed_dictionaries({k: _member(v) for k, v in members.items()})


def shapes(known_ids: list[int], known_texts: list[str]) -> dict[str, st.SearchStrategy]:
    """Per document parameter name, documents shaped like the api documents them (see each function's comment)."""
    ids = st.one_of(st.sampled_from(known_ids or [1]), st.integers(-1, 10**6), st.sampled_from(["1", "x"]))
    amounts = st.one_of(st.sampled_from(["1", "10.00", "0.001", "-5", "0", "1e3"]), st.integers(-5, 1000))
    quantities = st.one_of(st.integers(-1, 5), st.sampled_from(["1", 1.5, 10**10]))
    texts = st.one_of(TEXTS, st.sampled_from(known_texts or ["x"]))
    images = st.dictionaries(st.sampled_from(["front", "back", "left", "interior"]), _member(_URLS), max_size=3)
    bid_line = _object({"rfq_line_id": ids, "unit_price": amounts, "quantity": quantities})
    rfq_line = _object({"vehicle_type": _CODES, "engine_type": _CODES, "quantity": quantities,
                        "with_driver": st.booleans(), "notes": texts})
    free = st.dictionaries(st.text(max_size=8), JSONS, max_size=4)

    def lists(item: st.SearchStrategy) -> st.SearchStrategy:
        return st.lists(st.one_of(item, item, item, st.none()), min_size=1, max_size=3)

    return {
        "p_lines": st.one_of(lists(bid_line), lists(rfq_line)),
        "p_awards": lists(_object({"rfq_line_id": ids, "bidder": texts, "quantity": quantities})),
        "p_legs": lists(_object({"account_id": ids, "amount": amounts, "side": _CODES})),
        "p_destinations": lists(_object({"account_id": ids, "amount": amounts})),
        "p_transfers": lists(_object({"reference": texts, "debit_account_id": ids, "credit_account_id": ids,
                                      "amount": amounts, "memo": texts})),
        "p_rules": lists(_object({"tier_code": _CODES, "currency": _CODES, "rate": st.sampled_from(["0.05", "0", "1", "x"]),
                                  "minimum_amount": amounts, "maximum_amount": amounts})),
        "p_handover": _object({"photos": images, "odometer_km": quantities, "fuel_level": _CODES, "notes": texts}),
        "p_images": images,
        "p_metadata": free,
        "p_body": free,
    }


def oversized(domain: dict[str, Any]) -> st.SearchStrategy:
    """Values just past (and far past) the maximum a bounded input type states (see mercato.harness.docs.fetch_input_types)."""
    limits, base = domain.get("limits") or {}, domain["base"]
    if base in ("jsonb", "json") and "bytes" in limits:
        n = limits["bytes"] + 1
        many = [{f"k{i}": None for i in range(n // 9)}] if n <= 1 << 20 else []   # many small members, nulls all
        return st.sampled_from([{"k": "x" * (n - 9)}, ["é" * (n // 2)], *many])
    if base.endswith("[]") and "elements" in limits:
        return st.sampled_from([["x"] * (limits["elements"] + 1), ["x" * (limits.get("characters", 10_000) + 1)]])
    if "characters" in limits:
        n = limits["characters"] + 1
        return st.sampled_from(["x" * n, "é" * n, "🙂" * n])
    return st.nothing()


def value_for(pg_type: str, known_ids: list[int], *, base: str | None = None, name: str = "",
              domain: dict[str, Any] | None = None, shaped: dict[str, st.SearchStrategy] | None = None) -> st.SearchStrategy:
    """Values for one parameter: mostly of roughly the right shape, sometimes anything at all, sometimes one past the
    maximum of its input type (a domain is fuzzed by its base type)."""
    pg_type = base or pg_type
    if pg_type in ("bigint", "integer", "smallint"):
        typed = _ids(known_ids)
    elif pg_type == "numeric":
        typed = AMOUNTS
    elif pg_type in ("text", "character varying", "character"):
        typed = TEXTS
    elif pg_type in ("jsonb", "json"):
        typed = st.one_of(shaped[name], shaped[name], JSONS) if shaped and name in shaped else JSONS
    elif pg_type.startswith("timestamp"):
        typed = INSTANTS
    elif pg_type == "date":
        typed = DATES
    elif pg_type == "boolean":
        typed = st.one_of(st.booleans(), st.sampled_from(["yes", "t", 2]))
    elif pg_type.endswith("[]"):
        typed = st.lists(st.one_of(TEXTS, st.integers(), st.none()), max_size=5)
    else:
        typed = st.one_of(TEXTS, st.integers())
    if domain:
        return st.one_of(typed, typed, typed, typed, typed, typed, oversized(domain), st.none(), JSONS)
    return st.one_of(typed, typed, typed, st.none(), JSONS)


# -- the run --------------------------------------------------------------------------------------

_CODE = re.compile(r"^([A-Z][A-Z0-9]*_[A-Z0-9_]+): ")


def classify(status: int, body: Any, codes: set[str], context: str | None = None) -> str | None:
    """None when the response is acceptable, else why not. ``context`` is the server's error CONTEXT: a PostgreSQL
    SQLSTATE that docs/errors.md lists is acceptable only from converting an argument (no function in the context);
    from inside a function it is a raw error (a NOT NULL violation, an overflow) that the function should have refused
    with a code, and a violation."""
    if 200 <= status < 300:
        return None
    if not isinstance(body, dict):
        return "error without a body"
    sqlstate = body.get("code") or ""
    if sqlstate.startswith("PT"):
        match = _CODE.match(body.get("message") or "")
        if not match:
            return f"{sqlstate} without a CODE: message"
        if match.group(1) not in codes:
            return f"code {match.group(1)} is not in core.error"
        return None
    if sqlstate in ANYWHERE_SQLSTATES:
        return None
    if sqlstate in ALLOWED_SQLSTATES:
        where = re.search(r"(?:PL/pgSQL|SQL) function \"?([\w.]+)", context or "")
        return None if where is None else f"raw SQLSTATE {sqlstate} from inside {where.group(1)}"
    if sqlstate == "XX000":
        return "internal error (XX000)"
    return f"undocumented SQLSTATE {sqlstate}"


def run(db_url: str, *, examples: int = 200, callers: dict[str, dict | None], known_ids: list[int],
        known_texts: list[str] | None = None, functions: list[str] | None = None, seed: int | None = None,
        progress=None) -> FuzzReport:
    """Fuzz every api function (or those named) with ``examples`` calls each.

    ``db_url`` is a superuser conninfo of a deployed database (used for checksums only); calls go
    through the authenticator as PostgREST's would. ``callers`` maps a label to JWT claims
    (None = anonymous), signed here with a secret drawn for this run (the emulator verifies them as PostgREST would);
    ``known_ids`` and ``known_texts`` (e.g. bidder aliases) are worth drawing.
    """
    report = FuzzReport()
    with psycopg.connect(db_url, autocommit=True) as admin:
        targets = [f for f in api_functions(admin) if functions is None or f["name"] in functions]
        codes = {row[0] for row in admin.execute("SELECT code FROM core.error")}
        domains = {t["name"]: t for t in fetch_input_types(db_url)}
        shaped = shapes(known_ids, known_texts or [])
        secret = secrets.token_urlsafe(48)
        tokens = {label: None if claims is None else sign_token(claims, secret) for label, claims in callers.items()}
        rest = PostgREST(make_conninfo(db_url, user="mercato_authenticator"), jwt_secret=secret)
        try:
            for index, target in enumerate(targets):
                if progress:
                    progress(index, len(targets), target["name"], report)
                _fuzz_one(rest, admin, target, tokens, known_ids, codes, examples, seed, report, domains, shaped)
        finally:
            rest.close()
    return report


def _fuzz_one(rest: PostgREST, admin: psycopg.Connection, target: dict, callers: dict[str, str | None],
              known_ids: list[int], codes: set[str], examples: int, seed: int | None, report: FuzzReport,
              domains: dict[str, dict], shaped: dict[str, st.SearchStrategy]) -> None:
    arg_strategies = {}
    for name, pg_type, has_default, base in target["params"]:
        value = value_for(pg_type, known_ids, base=base, name=name, domain=domains.get(pg_type), shaped=shaped)
        arg_strategies[name] = st.one_of(value, st.just(_OMIT)) if has_default else value
    args_strategy = st.fixed_dictionaries(arg_strategies).map(lambda d: {k: v for k, v in d.items() if v is not _OMIT})
    caller_strategy = st.sampled_from(sorted(callers))
    state = [checksum(admin)]   # the database as the last call left it

    @settings(max_examples=examples, deadline=None, database=None, derandomize=seed is None,
              suppress_health_check=list(HealthCheck))
    @given(args=args_strategy, caller=caller_strategy)
    def one_call(args: dict, caller: str) -> None:
        before = state[0]
        response = rest.rpc(target["name"], json.loads(json.dumps(args, default=str)), token=callers[caller])
        report.calls += 1
        report.by_status[response.status] += 1
        report.by_function[target["name"]] += 1
        why = classify(response.status, response.body, codes, response.context)
        state[0] = checksum(admin)
        if response.ok:
            report.succeeded += 1
        else:
            report.failed_as_documented += why is None
            if why is None and state[0] != before:
                why = "a failed call changed the database"
        if why is not None:
            report.violations.append(Violation(target["name"], args, caller, response.status, response.body, why))

    if seed is not None:
        from hypothesis import seed as hypothesis_seed

        one_call = hypothesis_seed(seed)(one_call)
    one_call()


def brief(value: Any, limit: int = 300) -> str:
    """repr(value), cut to ``limit`` characters (oversized arguments are megabytes)."""
    text = repr(value)
    return text if len(text) <= limit else f"{text[:limit]}… ({len(text):,} characters)"


class _Omit:
    def __repr__(self) -> str:
        return "<omitted>"


_OMIT = _Omit()
