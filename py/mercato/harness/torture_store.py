"""The store's operations in the torture run (issue 18), and the invariants checked after it.

Set-up (:func:`setup_store`, through the functions, as ``mercato demo store`` does): a USD shop (tenant ``tt-store``)
with its administrator (TENANT_ADMIN) and one customer-user per client (each with its own customer row); five variants —
``scarce`` (DENY, a few units, so that orders race for the last ones), ``slab`` (a PSA 10 graded slab: ``max_quantity``
1, one unit), ``common`` (CONTINUE: backorders), ``booster`` (DENY, ample) and ``pack`` (DENY, ample) — at two locations
(a warehouse and the shop floor), a distributor, no tax rate.

Operations, each one call as PostgREST makes it (claims and role, with the role's own settings, set for the transaction,
then the ``api`` function), by the shop's administrator or a client's customer-user:

- ``place`` (staff: POS, MANUAL or ONLINE_STORE, for the client's customer or none, lines at a named location or
  wherever the inventory places them, some with one-minute reservations) and ``place_mine`` (the customer-user, its
  own ONLINE_STORE order);
- ``import`` (TCGPLAYER, EBAY: channel prices, half with an external payment) and ``reimport`` (the same request again:
  must answer the same order);
- ``pay_external`` (its reference: a replay that meets ORDERS_PAYMENT_TAKEN looks the payment up and answers it, as a
  client would), ``issue_credit`` (idempotency key = reference), ``pay_credit`` (the customer-user or staff);
- ``fulfil`` (whole, or part of one line), ``cancel`` (staff, or the customer-user its own), ``refund`` (part of what
  is paid, to ORIGINAL or STORE_CREDIT, with shipped units restocked or unshipped ones returned without);
- ``expiry_sweep``: the run's clock moves one-minute reservations older than two seconds to expire now (as the
  marketplace part moves bid deadlines), then ``jobs.run('inventory.expire_reservations')`` — the jobs path;
- ``batch``: one step per operation of a client's fulfilment batch at the location its orders were placed: create
  (with the client's shippable orders) → pick list → PICKING → PICKED → PACKING → ship → COMPLETED (a batch whose
  shipment is refused, e.g. because a reservation expired, is cancelled);
- ``purchase``: one step per operation of a client's purchase order: create (scarce and booster to the warehouse) →
  submit → partial receipts until RECEIVED.

Refusals the rules make (INVENTORY_INSUFFICIENT, ORDERS_NOT_PAYABLE, ORDERS_NOT_FULFILLABLE, LEDGER_INSUFFICIENT_FUNDS,
STORE_ORDER_NOT_BATCHABLE, …) are answers, counted as refused. Each client works on its own orders, batches and
purchase orders; clients race each other on stock (the scarce units, the one slab), on the shop's counters and accounts
and against the expiry sweep. A step that is not idempotent (placement, store-credit payment, fulfilment, cancellation,
refund, batch and purchase steps) is safe to send again after a lost answer: before it is first sent the client reads
the state it changes (the order, the batch, the purchase order — its own, so nobody else changes it), and a retry that
finds it changed takes that as the lost attempt's doing (a placement, batch or purchase order is found by the note it
carries, the client's reference). Those have an empty reference and are never replayed on purpose; imports, external
payments and credit issues are.

``verify_store`` then checks the final state, so across every crash-restart (module docstring of torture, and
docs/reliability.md): ``inventory.check()`` (``ledger.check()`` runs for the whole mix); every order's totals equal its
lines; amount paid and refunded equal its payment rows, and the shop's sales account balance equals payments − refunds;
order numbers are 1..n; every acknowledged import is one order per (source, external id); no line fulfilled or refunded
beyond its quantity, restocked beyond what shipped, or fulfilled other than what its reservations shipped; the slab
never in two live reservations nor on hand twice or below zero; store-credit accounts never negative; every acknowledged
placement, payment and receipt is there.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Callable

import psycopg

from mercato.harness.torture import Refused
from mercato.harness.torture_auth import _call

TENANT = "tt-store"
ADMIN = "tt|store-admin"
#: name -> (price, policy, stock at WH, stock at STORE)
VARIANTS = {
    "scarce": ("19.99", "DENY", 3, 2),
    "slab": ("4200.00", "DENY", 0, 1),
    "common": ("0.25", "CONTINUE", 20, 10),
    "booster": ("5.49", "DENY", 200, 100),
    "pack": ("3.99", "DENY", 200, 100),
}
CHANNELS = ("TCGPLAYER", "EBAY")


@dataclass
class ClientStore:
    customer: int                                   # this client's customer row
    sub: str                                        # its customer-user
    orders: dict[int, dict] = field(default_factory=dict)     # order id -> the latest document the client read
    located: dict[int, int] = field(default_factory=dict)     # order id -> the location its lines were placed at
    imports: list[tuple[str, str, str, tuple]] = field(default_factory=list)   # (source, external id, doc, answer)
    batch: dict | None = None
    po: dict | None = None
    credit: Decimal = Decimal(0)                    # credit issued to the client's customer (never more is spent)


@dataclass
class StoreWorld:
    tenant: int
    settings: tuple[tuple[str, str], ...]
    variants: dict[str, int]
    prices: dict[int, Decimal]
    locations: dict[str, int]
    distributor: int
    clients: dict[int, ClientStore]
    problems: list[str] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)    # seconds per invariant check (verify_store)
    summary: dict[str, Any] = field(default_factory=dict)      # what the run left in the shop (verify_store)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def problem(self, text: str) -> None:
        with self.lock:
            self.problems.append(text)


# -- calls as PostgREST makes them ------------------------------------------------------------------

def _staff(w: StoreWorld, conn: psycopg.Connection, query: str, params: tuple = ()) -> list[tuple]:
    return _call(conn, "mercato_user", {"sub": ADMIN, "role": "mercato_user"}, w.settings, query, params)


def _customer(w: StoreWorld, me: ClientStore, conn: psycopg.Connection, query: str, params: tuple = ()) -> list[tuple]:
    return _call(conn, "mercato_user", {"sub": me.sub, "role": "mercato_user"}, w.settings, query, params)


def _get(w: StoreWorld, conn: psycopg.Connection, order_id: int) -> dict:
    return _staff(w, conn, "SELECT api.get_order(p_order_id => %s)", (order_id,))[0][0]


def _mark(doc: dict) -> tuple:
    """What a step of the order changes: a retry that finds it different knows its lost attempt went through."""
    return (doc["status"], doc["financial_status"], doc["fulfillment_status"], doc["amount_paid"], doc["amount_refunded"],
            tuple((l["fulfilled_quantity"], l["refunded_quantity"]) for l in doc["lines"]), len(doc["payments"]))


def _open(doc: dict) -> Decimal:
    return Decimal(doc["amount_paid"]) - Decimal(doc["amount_refunded"])


def _due(doc: dict) -> Decimal:
    return Decimal(doc["total_price"]) - Decimal(doc["amount_paid"])


# -- set-up ----------------------------------------------------------------------------------------

def setup_store(url: str, clients: int) -> StoreWorld:
    """The shop, its staff, one customer-user per client, the variants, two locations, stock and a distributor."""
    from mercato.client import Client, role_settings

    with Client(url) as service:
        tenant = service.identity.create_tenant(TENANT, "Torture card shop")
        service.call("api.set_tenant_currency", tenant_id=tenant, currency="USD")
        admin = service.identity.register_user(ADMIN, "STAFF", "Torture shop admin", tenant_id=tenant)
        service.identity.assign_role(admin, "TENANT_ADMIN", tenant_id=tenant)
        staff = service.as_caller({"sub": ADMIN, "role": "mercato_user"}, role="mercato_user")
        people: dict[int, ClientStore] = {}
        for i in range(clients):
            sub = f"tt|store-buyer-{i}"
            service.identity.register_user(sub, "CUSTOMER", f"Torture buyer {i}", tenant_id=tenant)
            me = service.as_caller({"sub": sub, "role": "mercato_user"}, role="mercato_user")
            customer = me.customers.create_mine({"email": f"buyer-{i}@torture.example", "first_name": f"Buyer{i}"})["id"]
            people[i] = ClientStore(customer=customer, sub=sub)
        locations = {"WH": staff.inventory.create_location("WH", "Warehouse", "WAREHOUSE", priority=10),
                     "STORE": staff.inventory.create_location("STORE", "Shop floor", "STORE", priority=20)}
        card = staff.store.create_card({"title": "Charizard - Base Set"}, "POKEMON", "BS", collector_number="4")
        sealed = staff.catalog.create_product({"title": "Sealed product", "vendor": "Torture"})
        variants: dict[str, int] = {}
        for name, (price, policy, at_wh, at_store) in VARIANTS.items():
            if name == "slab":
                variants[name] = staff.store.create_card_variant(card, {"sku": "TT-SLAB", "price": price}, "HOLOFOIL",
                                                                 grading_company="PSA", grade=Decimal("10"),
                                                                 cert_number="TT-PSA-1")
            else:
                variants[name] = staff.catalog.add_variant(sealed, {"sku": f"TT-{name.upper()}", "price": price,
                                                                    "option1": name, "inventory_policy": policy})
            for loc, n in (("WH", at_wh), ("STORE", at_store)):
                if n:
                    staff.inventory.receive(variants[name], locations[loc], n, (Decimal(price) / 2).quantize(Decimal("0.01")))
        for product in (card, sealed):
            staff.catalog.publish_product(product)
        distributor = staff.purchasing.create_distributor("TTDIST", "Torture distribution", payment_terms="NET30",
                                                          payment_terms_days=30)
    with psycopg.connect(url, autocommit=True) as conn:
        settings = role_settings(conn, "mercato_user")
        policies = dict(conn.execute("SELECT id, inventory_policy FROM catalog.variant WHERE id = ANY(%s)",
                                     (list(variants.values()),)).fetchall())
    for name, vid in variants.items():
        if policies[vid] != VARIANTS[name][1]:
            raise RuntimeError(f"variant {name} has policy {policies[vid]}, not {VARIANTS[name][1]}")
    return StoreWorld(tenant, settings, variants, {variants[n]: Decimal(p[0]) for n, p in VARIANTS.items()}, locations,
                      distributor, people)


def _state(world: Any, st: Any) -> tuple[StoreWorld, ClientStore]:
    w: StoreWorld = world.store
    return w, w.clients[st.client]


def _lines(w: StoreWorld, st: Any, located: int | None, prices: bool = False) -> list[dict]:
    names = st.rng.sample(list(VARIANTS), st.rng.choice((1, 1, 2, 3)))
    lines = []
    for name in names:
        vid = w.variants[name]
        quantity = 1 if name in ("slab", "scarce") else st.rng.randint(1, 4)
        line: dict[str, Any] = {"variant_id": vid, "quantity": quantity}
        if located is not None:
            line["location_id"] = located
        if prices:
            line["price"] = str(w.prices[vid] - Decimal("0.50") if w.prices[vid] > 1 else w.prices[vid])
        lines.append(line)
    return lines


def _found_by_note(w: StoreWorld, conn: psycopg.Connection, ref: str) -> dict | None:
    rows = _staff(w, conn, "SELECT id FROM api.orders WHERE note = %s", (ref,))
    if len(rows) > 1:
        w.problem(f"placement {ref} made {len(rows)} orders")
    return _get(w, conn, rows[0][0]) if rows else None


def _placed(doc: dict) -> tuple:
    return (doc["id"], doc["number"], tuple((l["id"], l["variant_id"], l["quantity"]) for l in doc["lines"]))


def _remember(me: ClientStore, located: int | None) -> Callable[[tuple, psycopg.Connection], None]:
    def after(result: tuple, _conn: psycopg.Connection) -> None:
        doc = result[-1]
        me.orders[doc["id"]] = doc
        if located is not None:
            me.located[doc["id"]] = located
    return after


# -- operations ------------------------------------------------------------------------------------
# Each returns (kind, reference, call) like the ledger's; an empty reference: never replayed on purpose.

def _place(world: Any, st: Any, mine: bool) -> tuple[str, str, Callable]:
    w, me = _state(world, st)
    ref = st.ref("so")
    located = st.rng.choice((None, w.locations["WH"], w.locations["STORE"]))
    order: dict[str, Any] = {"lines": _lines(w, st, located), "note": ref}
    if mine:
        order["source"] = "ONLINE_STORE"
    else:
        order["source"] = st.rng.choice(("POS", "MANUAL", "ONLINE_STORE"))
        if st.rng.random() < 0.7:
            order["customer_id"] = me.customer
    if order["source"] == "ONLINE_STORE" and st.rng.random() < 0.5:
        order["reserve_minutes"] = 1
    doc_text = json.dumps(order)
    sent = [False]

    def call(conn: psycopg.Connection) -> tuple:
        if sent[0]:
            found = _found_by_note(w, conn, ref)
            if found is not None:
                return (*_placed(found), found)
        sent[0] = True
        q = "SELECT api.place_order(p_order => %s::jsonb)"
        doc = (_customer(w, me, conn, q, (doc_text,)) if mine else _staff(w, conn, q, (doc_text,)))[0][0]
        return (*_placed(doc), doc)
    st.after = _remember(me, located)
    return ("place_mine" if mine else "place"), "", call


def op_place(world: Any, st: Any) -> tuple[str, str, Callable]:
    return _place(world, st, False)


def op_place_mine(world: Any, st: Any) -> tuple[str, str, Callable]:
    return _place(world, st, True)


def op_import(world: Any, st: Any) -> tuple[str, str, Callable]:
    w, me = _state(world, st)
    ref = st.ref("im")
    source = st.rng.choice(CHANNELS)
    located = st.rng.choice((None, w.locations["WH"]))
    lines = _lines(w, st, located, prices=True)
    shipping = Decimal(st.rng.choice(("0", "4.99")))
    order: dict[str, Any] = {"lines": lines, "shipping": str(shipping), "note": ref}
    if st.rng.random() < 0.5:
        total = sum(Decimal(l["price"]) * l["quantity"] for l in lines) + shipping
        order["payment"] = {"amount": str(total), "reference": f"{ref}-pay"}
    doc_text = json.dumps(order)

    def call(conn: psycopg.Connection) -> tuple:
        doc = _staff(w, conn, "SELECT api.import_order(p_source => %s, p_external_id => %s, p_order => %s::jsonb)",
                     (source, ref, doc_text))[0][0]
        return (source, ref, doc["id"], doc["number"])

    def after(result: tuple, conn: psycopg.Connection) -> None:
        if (source, ref) not in {(s, e) for s, e, _, _ in me.imports}:
            me.imports.append((source, ref, doc_text, result))
        me.orders[result[2]] = _get(w, conn, result[2])
        if located is not None:
            me.located[result[2]] = located
    st.after = after
    return "import", f"{source}:{ref}", call


def op_reimport(world: Any, st: Any) -> tuple[str, str, Callable] | None:
    w, me = _state(world, st)
    if not me.imports:
        return None
    source, ext, doc_text, first = st.rng.choice(me.imports)

    def call(conn: psycopg.Connection) -> tuple:
        doc = _staff(w, conn, "SELECT api.import_order(p_source => %s, p_external_id => %s, p_order => %s::jsonb)",
                     (source, ext, doc_text))[0][0]
        again = (source, ext, doc["id"], doc["number"])
        if again != first:
            w.problem(f"import {source}/{ext} again answered {again}, first {first}")
        return again
    return "reimport", "", call


def _pick(me: ClientStore, st: Any, test: Callable[[dict], bool]) -> dict | None:
    candidates = [d for d in me.orders.values() if test(d)]
    return st.rng.choice(candidates) if candidates else None


def op_pay_external(world: Any, st: Any) -> tuple[str, str, Callable] | None:
    w, me = _state(world, st)
    doc = _pick(me, st, lambda d: d["status"] in ("PENDING", "PROCESSING") and _due(d) > 0
                and d["financial_status"] in ("PENDING", "PARTIALLY_PAID"))
    if doc is None:
        return None
    due = _due(doc)
    amount = due if st.rng.random() < 0.6 else max(Decimal("0.01"), (due / 2).quantize(Decimal("0.01")))
    ref = st.ref("px")

    def call(conn: psycopg.Connection) -> tuple:
        try:
            row = _staff(w, conn, "SELECT id, amount FROM api.record_external_payment(p_order_id => %s, p_amount => %s,"
                                  " p_reference => %s)", (doc["id"], amount, ref))[0]
        except psycopg.Error as exc:
            if not (exc.sqlstate or "").startswith("PT") or "ORDERS_PAYMENT_TAKEN" not in (exc.diag.message_primary or ""):
                raise
            # taken: by this reference's earlier attempt (a lost answer, or this is a replay) — the client looks it up
            rows = _staff(w, conn, "SELECT id, amount FROM api.order_payments WHERE external_reference = %s"
                                   " AND kind = 'PAYMENT'", (ref,))
            if len(rows) != 1:
                raise
            row = rows[0]
        return (doc["id"], row[0], str(row[1]))

    def after(result: tuple, conn: psycopg.Connection) -> None:
        me.orders[doc["id"]] = _get(w, conn, doc["id"])
    st.after = after
    return "pay_external", ref, call


def op_issue_credit(world: Any, st: Any) -> tuple[str, str, Callable]:
    w, me = _state(world, st)
    ref = st.ref("ic")
    amount = Decimal(st.rng.randint(500, 5000)) / 100

    def call(conn: psycopg.Connection) -> tuple:
        doc = _staff(w, conn, "SELECT api.issue_store_credit(p_customer_id => %s, p_amount => %s, p_reason => 'torture',"
                              " p_idempotency_key => %s)", (me.customer, amount, ref))[0][0]
        return (me.customer, doc["transaction_id"], str(amount))
    return "issue_credit", ref, call


def _guarded(w: StoreWorld, me: ClientStore, order_id: int, prepare: Callable[[dict], Any],
             do: Callable[[psycopg.Connection, Any], Any]) -> Callable[[psycopg.Connection], tuple]:
    """A step of one of the client's orders that is not idempotent: the order is read before the step is first sent
    (``prepare`` decides the step's arguments from it, once); a retry after a lost answer that finds the order changed
    takes that as the lost attempt's doing and answers ("lost", …) instead of sending the step again."""
    state: dict[str, Any] = {}

    def call(conn: psycopg.Connection) -> tuple:
        if state.get("sent"):
            now = _get(w, conn, order_id)
            if _mark(now) != _mark(state["before"]):
                return ("lost", None, now)
        if "before" not in state:
            before = _get(w, conn, order_id)
            me.orders[order_id] = before
            state["args"] = prepare(before)
            state["before"] = before
        state["sent"] = True
        value = do(conn, state["args"])
        return ("done", value, _get(w, conn, order_id))
    return call


def _after_doc(me: ClientStore) -> Callable[[tuple, psycopg.Connection], None]:
    def after(result: tuple, _conn: psycopg.Connection) -> None:
        me.orders[result[2]["id"]] = result[2]
    return after


def op_pay_credit(world: Any, st: Any) -> tuple[str, str, Callable] | None:
    w, me = _state(world, st)
    doc = _pick(me, st, lambda d: d.get("customer_id") == me.customer and d["status"] in ("PENDING", "PROCESSING")
                and d["financial_status"] in ("PENDING", "PARTIALLY_PAID"))
    if doc is None:
        return None
    as_customer = st.rng.random() < 0.5

    def prepare(d: dict) -> Decimal:
        due = _due(d)
        part = due if st.rng.random() < 0.5 else (due / 3).quantize(Decimal("0.01"))
        return max(Decimal("0.01"), min(part, Decimal("80.00")))

    def do(conn: psycopg.Connection, amount: Decimal) -> Any:
        q = "SELECT api.pay_with_store_credit(p_order_id => %s, p_amount => %s)"
        row = (_customer(w, me, conn, q, (doc["id"], amount)) if as_customer else _staff(w, conn, q, (doc["id"], amount)))
        return (row[0][0]["id"], str(amount))
    st.after = _after_doc(me)
    return "pay_credit", "", _guarded(w, me, doc["id"], prepare, do)


def op_fulfil(world: Any, st: Any) -> tuple[str, str, Callable] | None:
    w, me = _state(world, st)
    doc = _pick(me, st, lambda d: d["status"] in ("PENDING", "PROCESSING") and d["fulfillment_status"] != "FULFILLED")
    if doc is None:
        return None
    whole = st.rng.random() < 0.6

    def prepare(d: dict) -> str | None:
        open_lines = [l for l in d["lines"] if l["fulfilled_quantity"] < l["quantity"]]
        if whole or not open_lines:
            return None
        line = st.rng.choice(open_lines)
        return json.dumps([{"line_id": line["id"],
                            "quantity": st.rng.randint(1, line["quantity"] - line["fulfilled_quantity"])}])

    def do(conn: psycopg.Connection, lines: str | None) -> Any:
        rows = _staff(w, conn, "SELECT line_id, quantity FROM api.fulfil_order(p_order_id => %s, p_lines => %s::jsonb,"
                               " p_tracking_numbers => %s)", (doc["id"], lines, [f"1Z-{doc['id']}"]))
        return tuple(rows)
    st.after = _after_doc(me)
    return "fulfil", "", _guarded(w, me, doc["id"], prepare, do)


def op_cancel(world: Any, st: Any) -> tuple[str, str, Callable] | None:
    w, me = _state(world, st)
    doc = _pick(me, st, lambda d: d["status"] in ("PENDING", "PROCESSING"))
    if doc is None:
        return None
    as_customer = doc.get("customer_id") == me.customer and st.rng.random() < 0.3

    def do(conn: psycopg.Connection, _args: Any) -> Any:
        q = "SELECT api.cancel_order(p_order_id => %s, p_reason => 'torture: changed their mind')"
        d = (_customer(w, me, conn, q, (doc["id"],)) if as_customer else _staff(w, conn, q, (doc["id"],)))[0][0]
        return d["status"]
    st.after = _after_doc(me)
    return "cancel", "", _guarded(w, me, doc["id"], lambda d: None, do)


def op_refund(world: Any, st: Any) -> tuple[str, str, Callable] | None:
    w, me = _state(world, st)
    doc = _pick(me, st, lambda d: _open(d) > 0 and d["status"] not in ("CANCELLED", "REFUNDED"))
    if doc is None:
        return None
    to_credit = doc.get("customer_id") is not None and st.rng.random() < 0.4

    def prepare(d: dict) -> tuple:
        left = _open(d)
        amount = left if st.rng.random() < 0.3 else max(Decimal("0.01"), (left * Decimal(st.rng.randint(1, 9)) / 10)
                                                        .quantize(Decimal("0.01")))
        lines: list[dict] = []
        shipped = [l for l in d["lines"] if l["fulfilled_quantity"] > l["refunded_quantity"]]
        unshipped = [l for l in d["lines"] if l["quantity"] - l["fulfilled_quantity"] > 0
                     and l["quantity"] > l["refunded_quantity"]]
        roll = st.rng.random()
        if shipped and roll < 0.5:
            l = st.rng.choice(shipped)   # returned and back on the shelf: only what shipped (and was not refunded)
            lines.append({"line_id": l["id"], "quantity": st.rng.randint(1, l["fulfilled_quantity"] - l["refunded_quantity"]),
                          "restock": True})
        elif unshipped and roll < 0.7:
            l = st.rng.choice(unshipped)   # never shipped: refunded, not restocked (still on hand)
            lines.append({"line_id": l["id"], "quantity": 1, "restock": False})
        return amount, json.dumps(lines)

    def do(conn: psycopg.Connection, args: tuple) -> Any:
        amount, lines = args
        d = _staff(w, conn, "SELECT api.refund_order(p_order_id => %s, p_amount => %s, p_reason => 'torture return',"
                            " p_lines => %s::jsonb, p_destination => %s)",
                   (doc["id"], amount, lines, "STORE_CREDIT" if to_credit else "ORIGINAL"))[0][0]
        return (str(amount), tuple(r["id"] for r in d["refunds"]))
    st.after = _after_doc(me)
    return "refund", "", _guarded(w, me, doc["id"], prepare, do)


def op_expiry_sweep(world: Any, st: Any) -> tuple[str, str, Callable]:
    w, _me = _state(world, st)

    def call(conn: psycopg.Connection) -> int:
        with conn.transaction():
            # the run's clock: one-minute reservations older than two seconds expire now (their terms are otherwise
            # immutable; the trigger is bypassed for this transaction only, as the marketplace part moves deadlines)
            conn.execute("SELECT set_config('role', 'none', true), set_config('session_replication_role', 'replica', true)")
            conn.execute("""
                UPDATE inventory.reservation r SET expires_at = clock_timestamp()
                 WHERE r.id IN (SELECT x.id FROM inventory.reservation x
                                 WHERE x.tenant_id = %s AND x.state = 'ACTIVE' AND x.ref_module = 'orders'
                                   AND x.expires_at < x.created_at + interval '2 minutes'
                                   AND x.created_at < clock_timestamp() - interval '2 seconds'
                                 ORDER BY x.id LIMIT 20 FOR UPDATE SKIP LOCKED)""", (w.tenant,))
        with conn.transaction():
            conn.execute("SELECT set_config('role', 'none', true)")   # the jobs path, as pg_cron runs it
            outcome, result, sqlstate, code = conn.execute(
                "SELECT outcome, result, error_sqlstate, error_code FROM jobs.run('inventory.expire_reservations')"
            ).fetchone()
        if outcome != "OK":
            raise Refused(code or sqlstate or "JOB_FAILED")
        return result
    return "expiry_sweep", "", call


# -- fulfilment batches ----------------------------------------------------------------------------

def _batch_status(w: StoreWorld, conn: psycopg.Connection, batch_id: int) -> str:
    return _staff(w, conn, "SELECT status FROM api.fulfilment_batches WHERE id = %s", (batch_id,))[0][0]


def op_batch(world: Any, st: Any) -> tuple[str, str, Callable] | None:
    w, me = _state(world, st)
    b = me.batch
    if b is None:
        loc = st.rng.choice((w.locations["WH"], w.locations["STORE"]))
        ids = [i for i, d in me.orders.items()
               if me.located.get(i) == loc and d["status"] in ("PENDING", "PROCESSING")
               and d["fulfillment_status"] != "FULFILLED"
               and (d["source"] != "ONLINE_STORE" or d["financial_status"] == "PAID")]
        if not ids:
            return None
        ids = st.rng.sample(ids, min(3, len(ids)))
        ref = st.ref("fb")
        sent = [False]

        def create(conn: psycopg.Connection) -> tuple:
            if sent[0]:
                rows = _staff(w, conn, "SELECT id FROM api.fulfilment_batches WHERE note = %s", (ref,))
                if rows:
                    return ("create", rows[0][0], tuple(sorted(ids)))
            sent[0] = True
            row = _staff(w, conn, "SELECT id FROM api.create_fulfilment_batch(p_location_id => %s, p_order_ids => %s::jsonb,"
                                  " p_note => %s)", (loc, json.dumps(ids), ref))[0]
            return ("create", row[0], tuple(sorted(ids)))

        def created(result: tuple, _conn: psycopg.Connection) -> None:
            me.batch = {"id": result[1], "orders": list(result[2]), "stage": "CREATED"}
        st.after = created
        return "fulfil_batch", "", create
    batch_id, stage = b["id"], b["stage"]
    steps = {"CREATED": "pick_list", "LISTED": "PICKING", "PICKING": "PICKED", "PICKED": "PACKING", "PACKING": "ship",
             "SHIPPED": "COMPLETED", "REFUSED": "cancel"}
    step = steps[stage]

    def call(conn: psycopg.Connection) -> tuple:
        if step == "pick_list":
            rows = _staff(w, conn, "SELECT variant_id, quantity FROM api.batch_pick_list(p_batch_id => %s)", (batch_id,))
            return ("pick_list", batch_id, "LISTED", tuple(rows))
        target = {"ship": "SHIPPED", "cancel": "CANCELLED"}.get(step, step)
        # a retry after a lost answer finds the step done (transitions never go back)
        if _batch_status(w, conn, batch_id) == target:
            return (step, batch_id, target, None)
        try:
            if step == "ship":
                _staff(w, conn, "SELECT status FROM api.ship_fulfilment_batch(p_batch_id => %s, p_tracking => %s::jsonb)",
                       (batch_id, json.dumps({str(o): [f"TT-{batch_id}-{o}"] for o in b["orders"]})))
            elif step == "cancel":
                _staff(w, conn, "SELECT status FROM api.cancel_fulfilment_batch(p_batch_id => %s, p_reason => 'torture:"
                                " shipment refused')", (batch_id,))
            else:
                _staff(w, conn, "SELECT status FROM api.advance_fulfilment_batch(p_batch_id => %s, p_status => %s)",
                       (batch_id, step))
        except psycopg.Error as exc:
            if step == "ship" and (exc.sqlstate or "").startswith("PT"):
                b["stage"] = "REFUSED"     # e.g. an order's reservation expired or it was cancelled: cancel the batch
            raise
        return (step, batch_id, target, None)

    def after(result: tuple, conn: psycopg.Connection) -> None:
        target = result[2]
        if target in ("COMPLETED", "CANCELLED"):
            me.batch = None
        else:
            b["stage"] = target
        if target == "SHIPPED":
            for o in b["orders"]:
                me.orders[o] = _get(w, conn, o)
    st.after = after
    return "fulfil_batch", "", call


# -- purchasing ------------------------------------------------------------------------------------

def op_purchase(world: Any, st: Any) -> tuple[str, str, Callable] | None:
    w, me = _state(world, st)
    po = me.po
    wh = w.locations["WH"]
    if po is None:
        ref = st.ref("po")
        lines = [{"variant_id": w.variants["scarce"], "quantity": st.rng.randint(2, 6), "unit_cost": "9.00"},
                 {"variant_id": w.variants["booster"], "quantity": st.rng.randint(4, 12), "unit_cost": "2.50"}]
        sent = [False]

        def create(conn: psycopg.Connection) -> tuple:
            if sent[0]:
                rows = _staff(w, conn, "SELECT id, status FROM api.store_purchase_orders WHERE notes = %s", (ref,))
                if rows:
                    return ("create", rows[0][0], rows[0][1])
            sent[0] = True
            row = _staff(w, conn, "SELECT id, status FROM api.create_purchase_order(p_distributor_id => %s,"
                                  " p_ship_to_location_id => %s, p_lines => %s::jsonb, p_notes => %s)",
                         (w.distributor, wh, json.dumps(lines), ref))[0]
            return ("create", row[0], row[1])

        def created(result: tuple, _conn: psycopg.Connection) -> None:
            me.po = {"id": result[1], "status": result[2]}
        st.after = created
        return "purchase", "", create
    po_id = po["id"]
    state: dict[str, Any] = {}

    def call(conn: psycopg.Connection) -> tuple:
        status = _staff(w, conn, "SELECT status FROM api.store_purchase_orders WHERE id = %s", (po_id,))[0][0]
        if po["status"] == "DRAFT":
            if status != "DRAFT":
                return ("submit", po_id, status, None)
            row = _staff(w, conn, "SELECT status FROM api.submit_purchase_order(p_purchase_order_id => %s)", (po_id,))[0]
            return ("submit", po_id, row[0], None)
        received = tuple(_staff(w, conn, "SELECT id, quantity_received, quantity_open FROM api.store_purchase_order_lines"
                                         " WHERE purchase_order_id = %s ORDER BY id", (po_id,)))
        if "before" in state and received != state["before"]:
            return ("receive", po_id, status, None)   # the lost attempt's receipt
        if "before" not in state:
            state["before"] = received
            state["lines"] = [{"line_id": i, "quantity": max(1, open_ // 2) if st.rng.random() < 0.7 else open_}
                              for i, _r, open_ in received if open_ > 0]
        row = _staff(w, conn, "SELECT receipt_id, status, quantity FROM api.receive_purchase_order(p_purchase_order_id => %s,"
                              " p_lines => %s::jsonb)", (po_id, json.dumps(state["lines"])))[0]
        return ("receive", po_id, row[1], (row[0], row[2]))

    def after(result: tuple, _conn: psycopg.Connection) -> None:
        po["status"] = result[2]
        if result[2] in ("RECEIVED", "CANCELLED"):
            me.po = None
    st.after = after
    return "purchase", "", call


#: name -> (weight, operation), merged into the torture mix when the store part runs
OPERATIONS = {
    "place": (8, op_place),
    "place_mine": (5, op_place_mine),
    "import": (5, op_import),
    "reimport": (2, op_reimport),
    "pay_external": (6, op_pay_external),
    "issue_credit": (2, op_issue_credit),
    "pay_credit": (4, op_pay_credit),
    "fulfil": (7, op_fulfil),
    "cancel": (3, op_cancel),
    "refund": (4, op_refund),
    "expiry_sweep": (1, op_expiry_sweep),
    "fulfil_batch": (5, op_batch),
    "purchase": (2, op_purchase),
}


# -- afterwards ------------------------------------------------------------------------------------

#: invariant -> a query over the shop's rows returning the violating rows (none when it holds)
INVARIANTS = {
    "an order whose totals are not its lines'": """
        SELECT o.id, o.subtotal, o.total_discounts, o.total_tax, o.total_price FROM orders.sales_order o
          LEFT JOIN LATERAL (SELECT coalesce(sum(l.subtotal), 0) AS sub, coalesce(sum(l.total_discount), 0) AS disc,
                                    coalesce(sum(l.tax_amount), 0) AS tax
                               FROM orders.line l WHERE l.order_id = o.id AND l.tenant_id = o.tenant_id) x ON true
         WHERE o.tenant_id = %(t)s AND (o.subtotal <> x.sub OR o.total_discounts <> x.disc OR o.total_tax <> x.tax
                OR o.total_price <> o.subtotal - o.total_discounts + o.total_tax + o.total_shipping)""",
    "an order whose amount paid or refunded is not its payment rows'": """
        SELECT o.id, o.amount_paid, o.amount_refunded, x.paid, x.refunded FROM orders.sales_order o
          LEFT JOIN LATERAL (SELECT coalesce(sum(p.amount) FILTER (WHERE p.kind = 'PAYMENT'), 0) AS paid,
                                    coalesce(sum(p.amount) FILTER (WHERE p.kind = 'REFUND'), 0) AS refunded
                               FROM orders.payment p WHERE p.order_id = o.id AND p.tenant_id = o.tenant_id) x ON true
         WHERE o.tenant_id = %(t)s AND (o.amount_paid <> x.paid OR o.amount_refunded <> x.refunded
                OR o.amount_refunded > o.amount_paid OR o.amount_paid > o.total_price)""",
    "the sales account's balance is not payments − refunds": """
        SELECT b.balance, x.net FROM ledger.account_balance(%(rev)s) b,
               (SELECT coalesce(sum(CASE WHEN p.kind = 'PAYMENT' THEN p.amount ELSE -p.amount END), 0) AS net
                  FROM orders.payment p WHERE p.tenant_id = %(t)s) x
         WHERE b.balance <> x.net""",
    "a payment row whose ledger transaction is not its amount into (or out of) the sales account": """
        SELECT p.id, p.kind, p.amount, e.amount FROM orders.payment p
          LEFT JOIN ledger.entry e ON e.transaction_id = p.ledger_transaction_id
                                  AND e.account_id = %(rev)s
         WHERE p.tenant_id = %(t)s AND p.method <> 'LOYALTY_POINTS'
           AND e.amount IS DISTINCT FROM CASE WHEN p.kind = 'PAYMENT' THEN p.amount ELSE -p.amount END""",
    "order numbers that are not 1..n": """
        SELECT count(*), count(DISTINCT number), min(number), max(number) FROM orders.sales_order WHERE tenant_id = %(t)s
        HAVING count(*) > 0 AND (count(DISTINCT number) <> count(*) OR min(number) <> 1 OR max(number) <> count(*))""",
    "an external order imported as more than one order": """
        SELECT source, external_id, count(*) FROM orders.sales_order WHERE tenant_id = %(t)s AND external_id IS NOT NULL
         GROUP BY 1, 2 HAVING count(*) > 1""",
    "a line fulfilled or refunded beyond its quantity, or restocked beyond what shipped": """
        SELECT l.id, l.quantity, l.fulfilled_quantity, l.refunded_quantity, x.refunded, x.restocked FROM orders.line l
          LEFT JOIN LATERAL (SELECT coalesce(sum(r.quantity), 0) AS refunded,
                                    coalesce(sum(r.quantity) FILTER (WHERE r.restock), 0) AS restocked
                               FROM orders.refund_line r WHERE r.line_id = l.id AND r.tenant_id = l.tenant_id) x ON true
         WHERE l.tenant_id = %(t)s AND (l.fulfilled_quantity > l.quantity OR l.refunded_quantity > l.quantity
                OR l.refunded_quantity <> x.refunded OR x.restocked > l.fulfilled_quantity)""",
    "a tracked line fulfilled other than what its reservations shipped": """
        SELECT l.id, l.fulfilled_quantity, x.shipped FROM orders.line l
          JOIN catalog.variant v ON v.id = l.variant_id AND v.track_inventory
          LEFT JOIN LATERAL (SELECT coalesce(sum(r.consumed), 0) AS shipped FROM inventory.reservation r
                              WHERE r.tenant_id = l.tenant_id AND r.ref_module = 'orders' AND r.ref_entity = 'line'
                                AND r.ref_id = l.id::text) x ON true
         WHERE l.tenant_id = %(t)s AND l.fulfilled_quantity <> x.shipped""",
    "the slab held by two live reservations": """
        SELECT count(*), array_agg(r.id) FROM inventory.reservation r JOIN inventory.stock s ON s.id = r.stock_id
         WHERE s.variant_id = %(slab)s AND r.state = 'ACTIVE' AND r.quantity > r.consumed HAVING count(*) > 1""",
    "the slab on hand twice, or below zero, at some point (its movements in order)": """
        SELECT m.id, m.kind, m.running FROM (
            SELECT mv.id, mv.kind, sum(mv.quantity) OVER (ORDER BY mv.id) AS running FROM inventory.movement mv
              JOIN inventory.stock s ON s.id = mv.stock_id WHERE s.variant_id = %(slab)s) m
         WHERE m.running > 1 OR m.running < 0""",
    "the slab shipped more often than it came in": """
        SELECT count(*) FILTER (WHERE mv.kind = 'SHIP'), count(*) FILTER (WHERE mv.kind IN ('RECEIPT', 'RETURN'))
          FROM inventory.movement mv JOIN inventory.stock s ON s.id = mv.stock_id WHERE s.variant_id = %(slab)s
        HAVING count(*) FILTER (WHERE mv.kind = 'SHIP') > count(*) FILTER (WHERE mv.kind IN ('RECEIPT', 'RETURN'))""",
    "a store-credit account below zero": """
        SELECT a.id, a.owner_id, b.balance FROM ledger.account a, ledger.account_balance(a.id) b
         WHERE a.owner_type = 'CUSTOMER' AND a.purpose = 'MAIN' AND a.currency = 'USD' AND b.balance < 0""",
    "a purchase order line received other than its receipts": """
        SELECT l.id, l.quantity_received, x.received FROM store.purchase_order_line l
          LEFT JOIN LATERAL (SELECT coalesce(sum(r.quantity), 0) AS received FROM store.purchase_receipt_line r
                              WHERE r.purchase_order_line_id = l.id) x ON true
         WHERE l.tenant_id = %(t)s AND l.quantity_received <> x.received""",
}


#: what the run left in the shop, for the record (docs/reliability.md)
SUMMARY = ("orders", "cancelled", "fulfilled", "refunded (status)", "payments", "refunds", "restocked units",
           "reservations expired", "batches completed", "batches cancelled", "receipts", "slab shipped")
SUMMARY_SQL = """
    SELECT (SELECT count(*) FROM orders.sales_order WHERE tenant_id = %(t)s),
           (SELECT count(*) FROM orders.sales_order WHERE tenant_id = %(t)s AND status = 'CANCELLED'),
           (SELECT count(*) FROM orders.sales_order WHERE tenant_id = %(t)s AND status = 'FULFILLED'),
           (SELECT count(*) FROM orders.sales_order WHERE tenant_id = %(t)s AND status = 'REFUNDED'),
           (SELECT count(*) FROM orders.payment WHERE tenant_id = %(t)s AND kind = 'PAYMENT'),
           (SELECT count(*) FROM orders.payment WHERE tenant_id = %(t)s AND kind = 'REFUND'),
           (SELECT coalesce(sum(quantity), 0) FROM orders.refund_line WHERE tenant_id = %(t)s AND restock),
           (SELECT count(*) FROM inventory.reservation WHERE tenant_id = %(t)s AND state = 'EXPIRED'),
           (SELECT count(*) FROM store.fulfilment_batch WHERE tenant_id = %(t)s AND status = 'COMPLETED'),
           (SELECT count(*) FROM store.fulfilment_batch WHERE tenant_id = %(t)s AND status = 'CANCELLED'),
           (SELECT count(*) FROM store.purchase_receipt WHERE tenant_id = %(t)s),
           (SELECT count(*) FROM inventory.movement mv JOIN inventory.stock s ON s.id = mv.stock_id
             WHERE s.variant_id = %(slab)s AND mv.kind = 'SHIP')"""


def verify_store(url: str, world: StoreWorld, acks: list[Any]) -> list[str]:
    """The store's invariants (module docstring) on the final state, and what the clients saw."""
    problems = list(world.problems)
    by_kind: dict[str, list[Any]] = {}
    for ack in acks:
        by_kind.setdefault(ack.kind, []).append(ack)
    params: dict[str, Any] = {"t": world.tenant, "slab": world.variants["slab"]}
    with psycopg.connect(url, autocommit=True) as conn:
        params["rev"] = conn.execute("SELECT orders.revenue_account(%s)", (world.tenant,)).fetchone()[0]
        for label, query in INVARIANTS.items():
            started = time.monotonic()
            try:
                rows = conn.execute(query, params).fetchall()
            except psycopg.Error as exc:
                problems.append(f"{label}: the check itself failed: {exc}")
                continue
            if rows:
                problems.append(f"{label}: {len(rows)} violations, e.g. {rows[:3]}")
            world.timings[label] = time.monotonic() - started
        for name, ok, violations, sample in conn.execute("SELECT * FROM inventory.check()").fetchall():
            if not ok:
                problems.append(f"inventory.check {name}: {violations} violations, e.g. {sample}")
        orders = {i: (n, src, ext) for i, n, src, ext in conn.execute(
            "SELECT id, number, source, external_id FROM orders.sales_order WHERE tenant_id = %s", (world.tenant,))}
        lines: dict[int, set] = {}
        for oid, lid, vid, q in conn.execute("SELECT order_id, id, variant_id, quantity FROM orders.line WHERE tenant_id = %s",
                                             (world.tenant,)):
            lines.setdefault(oid, set()).add((lid, vid, q))
        for ack in by_kind.get("place", []) + by_kind.get("place_mine", []):
            oid, number, placed = ack.result[0], ack.result[1], ack.result[2]
            if orders.get(oid, (None,))[0] != number or lines.get(oid) != set(placed):
                problems.append(f"acknowledged placement of order {oid} (number {number}, lines {placed}) is "
                                f"{orders.get(oid)} with lines {lines.get(oid)}")
        for ack in by_kind.get("import", []) + by_kind.get("reimport", []):
            source, ext, oid, number = ack.result
            if orders.get(oid) != (number, source, ext):
                problems.append(f"acknowledged import {source}/{ext} -> order {oid} number {number}: found {orders.get(oid)}")
        payments = {i: (o, k, str(a)) for i, o, k, a in conn.execute(
            "SELECT id, order_id, kind, amount FROM orders.payment WHERE tenant_id = %s", (world.tenant,))}
        for ack in by_kind.get("pay_external", []):
            oid, pid, amount = ack.result
            if payments.get(pid) != (oid, "PAYMENT", amount):
                problems.append(f"acknowledged external payment {ack.reference} {pid} of order {oid}: {payments.get(pid)}")
        for ack in by_kind.get("pay_credit", []) + by_kind.get("refund", []):
            if ack.result[0] != "done":
                continue
            ids = [ack.result[1][0]] if ack.kind == "pay_credit" else list(ack.result[1][1])
            for pid in ids:
                if pid not in payments:
                    problems.append(f"acknowledged {ack.kind} {pid} of order {ack.result[2]['id']} is missing")
        txs = {r for (r,) in conn.execute("SELECT reference FROM ledger.transaction WHERE reference LIKE 'customer:%'")}
        for ack in by_kind.get("issue_credit", []):
            if f"customer:{ack.result[0]}:store_credit:{ack.reference}" not in txs:
                problems.append(f"acknowledged store credit {ack.reference} is missing from the ledger")
        receipts = {i for (i,) in conn.execute("SELECT id FROM store.purchase_receipt WHERE tenant_id = %s", (world.tenant,))}
        for ack in by_kind.get("purchase", []):
            if ack.result[0] == "receive" and ack.result[3] is not None and ack.result[3][0] not in receipts:
                problems.append(f"acknowledged receipt {ack.result[3][0]} of purchase order {ack.result[1]} is missing")
        world.summary = dict(zip(SUMMARY, conn.execute(SUMMARY_SQL, params).fetchone()))
        batches = dict(conn.execute("SELECT id, status FROM store.fulfilment_batch WHERE tenant_id = %s", (world.tenant,)))
        for ack in by_kind.get("fulfil_batch", []):
            step, batch_id, target = ack.result[0], ack.result[1], ack.result[2] if len(ack.result) > 3 else None
            order = ["CREATED", "PICKING", "PICKED", "PACKING", "SHIPPED", "COMPLETED"]
            found = batches.get(batch_id)
            if found is None:
                problems.append(f"acknowledged batch {batch_id} ({step}) is missing")
            elif target in order and found in order and order.index(found) < order.index(target):
                problems.append(f"acknowledged batch {batch_id} step {step} -> {target}, found {found}")
    return problems


__all__ = ["OPERATIONS", "StoreWorld", "setup_store", "verify_store"]
