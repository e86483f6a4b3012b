"""Marketplace operations for the torture run, and the marketplace invariants checked after it.

Each client owns one business; providers (with insured vehicles) are shared. A client drives its own RFQs through
the whole flow, one step per operation: create and publish (a bid deadline two seconds away), bids by random
providers on anybody's open RFQs, award to the cheapest bids after the deadline, contract, activation (escrow),
vehicle assignment, OTP-verified delivery (sometimes a wrong code first). Settlements run on a history made at set-up
(one contract per provider, delivered and then moved 45 days into the past, as the demo does), settling random single
days of it with client-specific references, so that clients race to settle the same provider-day.

Every step may be cut by a crash. A step is written so that sending it again is safe: it first looks at the state
its previous attempt may have reached (through the back office's read access, as an operator would) and carries on
from there; functions with their own idempotency (a bid re-sent, create_contract, settle_provider's reference)
simply answer the same. ``verify_market`` then checks that every acknowledged step is in the database once, and the
invariants the issue names: every ACTIVE contract fully escrowed or settled (``contracts.check()``), no vehicle in
two overlapping live assignments, every code verified at most once, no provider period settled twice
(``settlement.check()`` and the cycles themselves).
"""

from __future__ import annotations

import datetime as dt
import json
import threading
from dataclasses import dataclass, field
from typing import Any, Callable

import psycopg

from mercato.harness.timeshift import shift_into_past
from mercato.harness.torture import Refused

HISTORY_SHIFT_DAYS = 45
HISTORY_DAYS = 30
#: Bidding stays open this long in the run. RFQs are published with the deadline an hour away (RFQ_MIN_BID_WINDOW_MINUTES
#: is 60); the run's clock then closes bidding early by moving the deadline to now (``_close_bidding``), as the tests do.
BIDDING_SECONDS = 1.5


@dataclass
class Market:
    businesses: list[dict[str, Any]]          # per client: {"sub", "id"}
    providers: list[dict[str, Any]]           # {"sub", "id", "vehicles": [...]}
    history: tuple[dt.date, dt.date]          # the settleable period of the history contracts
    open_rfqs: list[dict[str, Any]] = field(default_factory=list)   # shared: RFQs open for bidding
    lock: threading.Lock = field(default_factory=threading.Lock)


def _as(conn: psycopg.Connection, sub: str, query: str, params: tuple = ()) -> list[tuple]:
    """One call as a user, the way PostgREST makes it: role and claims set for this transaction only."""
    with conn.transaction():
        conn.execute("SET LOCAL ROLE mercato_user")
        conn.execute("SELECT set_config('request.jwt.claims', %s, true)", (json.dumps({"sub": sub, "role": "mercato_user"}),))
        return conn.execute(query, params).fetchall()


_PHONES: dict[int, str] = {}      # session id -> latest code, as the businesses' phones received them
_PHONES_LOCK = threading.Lock()


def _sms_code(conn: psycopg.Connection, session_id: int) -> str:
    """The session's code the way the business gets it: the outbox's SMS messages are drained as a sender (role
    mercato_sender: claim, report sent) into the shared phones, whichever worker's session they belong to; then the
    session's latest code is read there. A message another worker drained is found all the same."""
    with _PHONES_LOCK:
        with conn.transaction():
            conn.execute("SET LOCAL ROLE mercato_sender")
            claimed = conn.execute("SELECT id, lease_token, params, secret FROM api.outbox_claim('SMS', 1000, 60, 'torture-phone')").fetchall()
            for mid, lease, params, secret in sorted(claimed, key=lambda r: r[0]):
                conn.execute("SELECT api.outbox_report_sent(%s, %s)", (mid, lease))
                if secret and params.get("session_id") is not None:
                    _PHONES[int(params["session_id"])] = secret["code"]
        return _PHONES[session_id]


def _service(conn: psycopg.Connection, query: str, params: tuple = ()) -> list[tuple]:
    """A back-office read or call (the torture connections run as mercato_service): the api views and functions."""
    with conn.transaction():
        return conn.execute(query, params).fetchall()


# -- set-up ----------------------------------------------------------------------------------------

def setup_market(url: str, clients: int, providers: int = 4, vehicles: int = 100, tag: str = "tt") -> Market:
    """Parties through the functions, a settleable history per provider, and the businesses' wallets funded."""
    today = dt.date.today()
    with psycopg.connect(url, autocommit=True) as conn:
        admin = f"kc|{tag}-admin"
        uid = conn.execute("SELECT identity.register_user(%s, 'ADMIN', 'torture admin')", (admin,)).fetchone()[0]
        conn.execute("SELECT identity.assign_role(%s, 'PLATFORM_ADMIN')", (uid,))
        businesses = []
        for i in range(clients):
            sub = f"kc|{tag}-biz-{i}"
            conn.execute("SELECT identity.register_user(%s, 'BUSINESS', %s, NULL, NULL, %s)",
                         (sub, f"business {i}", f"+2519{i:08d}"))   # its phone: where its delivery codes go
            bid = _as(conn, sub, "SELECT api.register_business(%s, 'LOGISTICS')", (f"Torture business {i}",))[0][0]
            _as(conn, admin, "SELECT api.set_business_kyb(%s, 'VERIFIED')", (bid,))
            conn.execute("SELECT parties.top_up_business(%s, 100000000, %s)", (bid, f"{tag}-topup-{i}"))
            businesses.append({"sub": sub, "id": bid})
        # The torture publishes far more RFQs than the STANDARD tier's 10 a month: its businesses are ENTERPRISE
        # (unlimited), set here directly as the tier job would for a large fleet.
        conn.execute("UPDATE parties.business SET tier_code = 'ENTERPRISE' WHERE id = ANY(%s)", ([b["id"] for b in businesses],))
        provs = []
        for p in range(providers):
            sub = f"kc|{tag}-prov-{p}"
            conn.execute("SELECT identity.register_user(%s, 'PROVIDER', %s)", (sub, f"provider {p}"))
            pid = _as(conn, sub, "SELECT api.register_provider('COMPANY', %s)", (f"Torture provider {p}",))[0][0]
            _as(conn, admin, "SELECT api.set_provider_verification(%s, 'VERIFIED')", (pid,))
            cars = []
            for n in range(vehicles):
                vid = _as(conn, sub, "SELECT api.add_vehicle(%s, 'SEDAN', 4)", (f"TT {p:02d} {n:03d}",))[0][0]
                ins = _as(conn, sub, "SELECT api.add_vehicle_insurance(%s, 'COMPREHENSIVE', 'Nyala', %s, %s, %s)",
                          (vid, today - dt.timedelta(days=HISTORY_SHIFT_DAYS + 1), today + dt.timedelta(days=400),
                           "https://docs.example/tt.pdf"))[0][0]
                _as(conn, admin, "SELECT api.set_vehicle_status(%s, 'ACTIVE')", (vid,))
                _as(conn, admin, "SELECT api.verify_insurance(%s, 'VERIFIED')", (ins,))
                cars.append(vid)
            provs.append({"sub": sub, "id": pid, "vehicles": cars})
        history = _history(conn, businesses[0], provs, admin, today)
    return Market(businesses=businesses, providers=provs, history=history)


def _history(conn: psycopg.Connection, business: dict, providers: list[dict], admin: str, today: dt.date) -> tuple[dt.date, dt.date]:
    """One delivered one-vehicle contract per provider, moved HISTORY_SHIFT_DAYS into the past (mercato.harness.timeshift, as
    `mercato demo` does): days that settlement may pay during the run."""
    start = today + dt.timedelta(days=1)
    end = start + dt.timedelta(days=HISTORY_DAYS - 1)
    sub = business["sub"]
    rfq = _as(conn, sub, "SELECT api.create_rfq('history', %s, %s, now() + interval '61 minutes', %s)",
              (start, end, json.dumps([{"vehicle_type": "SEDAN", "quantity": len(providers)}])))[0][0]
    _as(conn, sub, "SELECT api.publish_rfq(%s)", (rfq,))
    line = conn.execute("SELECT id FROM marketplace.rfq_line WHERE rfq_id = %s", (rfq,)).fetchone()[0]
    for p in providers:
        _as(conn, p["sub"], "SELECT api.submit_bid(%s, %s)",
            (rfq, json.dumps([{"rfq_line_id": line, "unit_price": "1000", "quantity": 1}])))
    conn.execute("UPDATE marketplace.rfq SET bid_deadline = clock_timestamp() WHERE id = %s", (rfq,))
    bids = _as(conn, sub, "SELECT bidder FROM api.rfq_bids(%s)", (rfq,))
    _as(conn, sub, "SELECT api.award_rfq(%s, %s)",
        (rfq, json.dumps([{"rfq_line_id": line, "bidder": b[0], "quantity": 1} for b in bids])))
    contract = _as(conn, sub, "SELECT (api.create_contract(%s)).id", (rfq,))[0][0]
    _as(conn, sub, "SELECT api.activate_contract(%s)", (contract,))
    for p in providers:
        cline = conn.execute("SELECT id FROM contracts.contract_line WHERE contract_id = %s AND provider_id = %s",
                             (contract, p["id"])).fetchone()[0]
        assignment = _as(conn, p["sub"], "SELECT (api.assign_vehicle(%s, %s)).id", (cline, p["vehicles"][0]))[0][0]
        sid = _as(conn, p["sub"], "SELECT session_id FROM api.start_delivery_session(%s, 'DELIVERY')", (assignment,))[0][0]
        code = _sms_code(conn, sid)
        _as(conn, sub, "SELECT verified FROM api.verify_code(%s, %s)", (sid, code))
    shift_into_past(conn, rfq, contract, HISTORY_SHIFT_DAYS)
    shift = dt.timedelta(days=HISTORY_SHIFT_DAYS)
    return start - shift, min(end - shift, today - dt.timedelta(days=1))


# -- operations ------------------------------------------------------------------------------------
# Each returns (kind, reference, call) like the ledger's operations; call(conn) is safe to send again.

def op_rfq(world: Any, st: Any) -> tuple[str, str, Callable] | None:
    m: Market = world.market
    biz = m.businesses[st.client]
    ref = st.ref("rfq")
    start = dt.date.today() + dt.timedelta(days=1 + st.rng.randrange(360))
    end = start + dt.timedelta(days=st.rng.randrange(2, 8))
    quantity = st.rng.randint(1, 2)

    def call(conn: psycopg.Connection) -> int:
        # The title is the client's reference: a retry first looks for what its lost attempt may have created.
        found = _service(conn, "SELECT id FROM api.rfqs WHERE business_id = %s AND title = %s", (biz["id"], ref))
        rfq = found[0][0] if found else _as(
            conn, biz["sub"], "SELECT api.create_rfq(%s, %s, %s, clock_timestamp() + interval '61 minutes', %s)",
            (ref, start, end, json.dumps([{"vehicle_type": "SEDAN", "quantity": quantity}])))[0][0]
        _as(conn, biz["sub"], "SELECT api.publish_rfq(%s)", (rfq,))
        return rfq

    def done(rfq: int, conn: psycopg.Connection) -> None:
        line = _service(conn, "SELECT id FROM api.rfq_lines WHERE rfq_id = %s", (rfq,))[0][0]
        closes = dt.datetime.now(dt.timezone.utc) + dt.timedelta(seconds=BIDDING_SECONDS)
        item = {"rfq": rfq, "line": line, "quantity": quantity, "deadline": closes, "stage": "PUBLISHED", "owner": st.client}
        st.market.append(item)
        with m.lock:
            m.open_rfqs.append(item)
    st.after = done
    return "rfq", ref, call


def op_bid(world: Any, st: Any) -> tuple[str, str, Callable] | None:
    m: Market = world.market
    with m.lock:
        now = dt.datetime.now(dt.timezone.utc)
        m.open_rfqs[:] = [r for r in m.open_rfqs if r["deadline"] > now - dt.timedelta(seconds=1)]
        if not m.open_rfqs:
            return None
        item = st.rng.choice(m.open_rfqs)
    prov = st.rng.choice(m.providers)
    price = str(st.rng.randint(500, 2000))
    qty = st.rng.randint(1, item["quantity"])
    lines = json.dumps([{"rfq_line_id": item["line"], "unit_price": price, "quantity": qty}])
    ref = st.ref("bid")
    # Re-sending the same bid returns it unchanged: submit_bid is its own idempotency.
    return "bid", ref, lambda c: _as(c, prov["sub"], "SELECT api.submit_bid(%s, %s)", (item["rfq"], lines))[0][0]


def op_advance(world: Any, st: Any) -> tuple[str, str, Callable] | None:
    """Move one of this client's RFQs one step further: award, contract, activate, assign, deliver."""
    m: Market = world.market
    now = dt.datetime.now(dt.timezone.utc)
    ready = [r for r in st.market if r["stage"] != "DONE" and (r["stage"] != "PUBLISHED" or r["deadline"] < now)]
    if not ready:
        return None
    item = st.rng.choice(ready)
    biz = m.businesses[st.client]
    ref = st.ref(item["stage"].lower())
    stage = item["stage"]
    if stage == "PUBLISHED":
        def award(conn: psycopg.Connection) -> list[int]:
            _close_bidding(conn, item["rfq"])
            status = _service(conn, "SELECT status FROM api.rfqs WHERE id = %s", (item["rfq"],))[0][0]
            if status == "AWARDED":          # the lost attempt did it
                return [item["rfq"], _service(conn, "SELECT count(*) FROM api.awards WHERE rfq_id = %s", (item["rfq"],))[0][0]]
            bids = _as(conn, biz["sub"], "SELECT bidder, quantity_offered FROM api.rfq_bids(%s) ORDER BY rank", (item["rfq"],))
            if not bids:
                return [item["rfq"], 0]
            left, awards = item["quantity"], []
            for bidder, offered in bids:
                if left == 0:
                    break
                take = min(left, offered)
                awards.append({"rfq_line_id": item["line"], "bidder": bidder, "quantity": take})
                left -= take
            return [item["rfq"], _as(conn, biz["sub"], "SELECT api.award_rfq(%s, %s)", (item["rfq"], json.dumps(awards)))[0][0]]

        def after(result: list, conn: psycopg.Connection) -> None:
            item["stage"] = "AWARDED" if result[1] else "DONE"
        st.after = after
        return "award", ref, award
    if stage == "AWARDED":
        def contract(conn: psycopg.Connection) -> int:   # create_contract returns the existing contract if any
            return _as(conn, biz["sub"], "SELECT (api.create_contract(%s)).id", (item["rfq"],))[0][0]

        def after(k: int, conn: psycopg.Connection) -> None:
            item["contract"], item["stage"] = k, "CONTRACTED"
        st.after = after
        return "contract", ref, contract
    if stage == "CONTRACTED":
        def activate(conn: psycopg.Connection) -> int:
            status = _service(conn, "SELECT status FROM api.contracts WHERE id = %s", (item["contract"],))[0][0]
            if status != "ACTIVE":
                _as(conn, biz["sub"], "SELECT api.activate_contract(%s)", (item["contract"],))
            return item["contract"]

        def after(_k: int, conn: psycopg.Connection) -> None:
            item["lines"] = _service(conn, "SELECT id, provider_id FROM api.contract_lines WHERE contract_id = %s ORDER BY id",
                                     (item["contract"],))
            item["assignments"], item["stage"] = [], "ACTIVE"
        st.after = after
        return "activate", ref, activate
    if stage == "ACTIVE":
        lines = item["lines"]
        if len(item["assignments"]) < len(lines):
            line_id, provider_id = lines[len(item["assignments"])]
            prov = next(p for p in m.providers if p["id"] == provider_id)
            vehicle = st.rng.choice(prov["vehicles"][1:])

            def assign(conn: psycopg.Connection) -> int:
                found = _service(conn, "SELECT id FROM api.assignments WHERE contract_line_id = %s AND status <> 'CANCELLED'",
                                 (line_id,))
                if found:
                    return found[0][0]
                return _as(conn, prov["sub"], "SELECT (api.assign_vehicle(%s, %s)).id", (line_id, vehicle))[0][0]

            def after(a: int, conn: psycopg.Connection) -> None:
                item["assignments"].append((a, prov))
                if len(item["assignments"]) == len(lines):
                    item["stage"], item["delivered"] = "ASSIGNED", 0
            st.after = after
            return "assign", ref, assign
    if stage == "ASSIGNED":
        assignment, prov = item["assignments"][item["delivered"]]
        wrong_first = st.rng.random() < 0.3

        def deliver(conn: psycopg.Connection) -> int:
            sessions = _service(conn, "SELECT id, status FROM api.delivery_sessions WHERE assignment_id = %s AND session_type = 'DELIVERY' "
                                      "AND status IN ('PENDING', 'VERIFIED')", (assignment,))
            if sessions and sessions[0][1] == "VERIFIED":
                return sessions[0][0]     # the lost attempt verified it
            if sessions:                  # a code was issued and lost with the answer: ask for a new one
                sid = sessions[0][0]
                _as(conn, prov["sub"], "SELECT message_id FROM api.resend_code(%s)", (sid,))
            else:
                sid = _as(conn, prov["sub"], "SELECT session_id FROM api.start_delivery_session(%s, 'DELIVERY')",
                          (assignment,))[0][0]
            code = _sms_code(conn, sid)   # the business reads it on its phone: the provider never sees it
            if wrong_first:
                _as(conn, biz["sub"], "SELECT verified FROM api.verify_code(%s, %s)", (sid, f"{(int(code) + 1) % 1000000:06d}"))
            verified, outcome = _as(conn, biz["sub"], "SELECT verified, outcome FROM api.verify_code(%s, %s, %s)",
                                    (sid, code, json.dumps({"fuel_level": "FULL", "odometer_km": 1000})))[0][:2]
            if not verified:
                raise Refused(f"verify_code:{outcome}")
            return sid

        def after(_sid: int, conn: psycopg.Connection) -> None:
            item["delivered"] += 1
            if item["delivered"] == len(item["assignments"]):
                item["stage"] = "DONE"
        st.after = after
        return "deliver", ref, deliver
    return None


def _close_bidding(conn: psycopg.Connection, rfq: int) -> None:
    """The run's simulated clock: bidding on this RFQ is over (its deadline moves to now). Done as the session's
    superuser, like the tests' fixtures; bids racing it are still refused by the database's own deadline check."""
    with conn.transaction():
        conn.execute("SET LOCAL ROLE NONE")
        conn.execute("UPDATE marketplace.rfq SET bid_deadline = clock_timestamp() WHERE id = %s AND status = 'PUBLISHED' "
                     "AND bid_deadline > clock_timestamp()", (rfq,))


def op_settle(world: Any, st: Any) -> tuple[str, str, Callable] | None:
    m: Market = world.market
    first, last = m.history
    if last < first:
        return None
    prov = st.rng.choice(m.providers)
    day = first + dt.timedelta(days=st.rng.randrange((last - first).days + 1))
    ref = st.ref("settle")
    # Client-specific references: clients race to settle the same provider-day; one wins, the others are refused.
    return "settle", ref, lambda c: _service(c, "SELECT (api.settle_provider(%s, %s, %s, %s)).id",
                                             (prov["id"], day, day, ref))[0][0]


#: name -> (weight, operation), merged into the torture mix when the marketplace runs
OPERATIONS = {
    "rfq": (3, op_rfq),
    "bid": (8, op_bid),
    "advance": (10, op_advance),
    "settle": (2, op_settle),
}


# -- afterwards ------------------------------------------------------------------------------------

def verify_market(url: str, acks: list[Any]) -> list[str]:
    """Every acknowledged marketplace step present once, and the marketplace invariants."""
    problems: list[str] = []
    with psycopg.connect(url, autocommit=True) as conn:
        titles: dict[str, list[int]] = {}
        for title, rid in conn.execute("SELECT title, id FROM marketplace.rfq WHERE title LIKE 'tt-rfq-%'").fetchall():
            titles.setdefault(title, []).append(rid)
        cycles = dict(conn.execute("SELECT reference, id FROM settlement.cycle WHERE reference LIKE 'tt-settle-%'").fetchall())
        for ack in acks:
            if ack.kind == "bid":
                if conn.execute("SELECT count(*) FROM marketplace.bid WHERE id = %s", (ack.result,)).fetchone()[0] != 1:
                    problems.append(f"acknowledged bid {ack.reference} -> {ack.result} is missing")
            elif ack.kind == "rfq" and titles.get(ack.reference) != [ack.result]:
                problems.append(f"acknowledged RFQ {ack.reference} -> {ack.result}: found {titles.get(ack.reference)}")
            elif ack.kind == "award" and ack.result[1]:
                row = conn.execute("SELECT r.status, (SELECT count(*) FROM marketplace.award a WHERE a.rfq_id = r.id) "
                                   "FROM marketplace.rfq r WHERE r.id = %s", (ack.result[0],)).fetchone()
                if row != ("AWARDED", ack.result[1]):
                    problems.append(f"acknowledged award {ack.reference} of RFQ {ack.result[0]}: found {row}")
            elif ack.kind == "activate":
                row = conn.execute("SELECT k.status, count(l.id) FILTER (WHERE l.hold_id IS NULL) FROM contracts.contract k "
                                   "JOIN contracts.contract_line l ON l.contract_id = k.id WHERE k.id = %s GROUP BY k.status",
                                   (ack.result,)).fetchone()
                if row is None or row[0] != "ACTIVE" or row[1] != 0:
                    problems.append(f"acknowledged activation of contract {ack.result} is not ACTIVE with every line escrowed: {row}")
            elif ack.kind == "deliver":
                row = conn.execute("SELECT s.status, a.status FROM delivery.session s JOIN contracts.assignment a "
                                   "ON a.id = s.assignment_id WHERE s.id = %s", (ack.result,)).fetchone()
                if row != ("VERIFIED", "ACTIVE"):
                    problems.append(f"acknowledged delivery session {ack.result}: session/assignment are {row}")
            elif ack.kind == "settle" and cycles.get(ack.reference) != ack.result:
                problems.append(f"acknowledged settlement {ack.reference} -> {ack.result}: found {cycles.get(ack.reference)}")
        for check in ("contracts.check()", "settlement.check()"):
            for name, ok, violations, sample in conn.execute(f"SELECT * FROM {check}").fetchall():
                if not ok:
                    problems.append(f"{check} {name}: {violations} violations, e.g. {sample}")
        for label, query in INVARIANTS.items():
            rows = conn.execute(query).fetchall()
            if rows:
                problems.append(f"{label}: {len(rows)} violations, e.g. {rows[:3]}")
    return problems


#: invariant -> a query returning the violating rows (none when it holds)
INVARIANTS = {
    "a vehicle in two overlapping live assignments": """
        SELECT a.vehicle_id, a.id, b.id FROM contracts.assignment a JOIN contracts.assignment b
            ON b.vehicle_id = a.vehicle_id AND b.id > a.id AND b.period && a.period
         WHERE a.status IN ('PENDING_DELIVERY', 'ACTIVE') AND b.status IN ('PENDING_DELIVERY', 'ACTIVE')""",
    "a code verified more than once": """
        SELECT otp_id, count(*) FROM delivery.otp_attempt WHERE outcome = 'VERIFIED' GROUP BY otp_id HAVING count(*) > 1""",
    "a session verified more than once": """
        SELECT session_id, count(*) FROM delivery.otp_attempt WHERE outcome = 'VERIFIED' GROUP BY session_id HAVING count(*) > 1""",
    "a provider period settled twice": """
        SELECT a.provider_id, a.id, b.id FROM settlement.cycle a JOIN settlement.cycle b
            ON b.provider_id = a.provider_id AND b.currency = a.currency AND b.id > a.id
           AND daterange(a.period_start, a.period_end, '[]') && daterange(b.period_start, b.period_end, '[]')""",
}
# "Every ACTIVE contract fully escrowed or settled" is contracts.check() (escrowed_matches_status: an ACTIVE line escrowed
# its total; hold_equals_escrow_remainder: its open hold is exactly escrowed - settled - released, none when that is 0).
