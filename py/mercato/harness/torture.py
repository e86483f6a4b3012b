"""Torture run: many clients, a random mix of operations, optional crash-restarts, then the invariants.

``run()`` drives N client threads, each with its own connection (as ``mercato_service``, the back office, calling
the ``api`` functions it is granted), for S seconds. With ``client_url`` the clients connect through a transaction
pooler (pgbouncer, ``pool_mode = transaction``) instead and keep no session state there (:class:`PooledConnection`);
set-up and the checks afterwards still connect directly. Every operation carries an idempotency reference; when a call
gets no answer (the server died, the connection broke) the client reconnects and sends **the same call with the same
reference** until it gets one. What the server acknowledged is recorded. A crash thread may kill the server with
``pg_ctl stop -m immediate`` several times during the run and start it again
(recovery replays the WAL).

Afterwards:

- every acknowledged operation is present exactly once (looked up by its reference);
- every replayed call returned the original result;
- ``ledger.check()`` reports no violation (trial balance, balances = entries, held = open holds,
  gap-free sequences, …);
- with the marketplace (:mod:`mercato.harness.torture_market`), sign-in with the outbox
  (:mod:`mercato.harness.torture_auth`) and the store (:mod:`mercato.harness.torture_store`), their own invariants.

Operations are plain functions in :data:`OPERATIONS`, so modules can add their own.
"""

from __future__ import annotations

import datetime as dt
import random
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import psycopg
from psycopg.pq import TransactionStatus

CURRENCY = "ETB"


@dataclass
class World:
    """What the clients share: the accounts to play with."""

    accounts: list[int]
    hot: int
    bank: int
    market: Any = None          # mercato.harness.torture_market.Market when the marketplace runs too
    auth: Any = None            # mercato.harness.torture_auth.AuthWorld when sign-in and the outbox run too
    store: Any = None           # mercato.harness.torture_store.StoreWorld when the store (orders, stock, batches) runs too
    payments: Any = None        # mercato.harness.torture_payments.PayWorld when the payments product runs too


@dataclass
class Ack:
    kind: str
    reference: str
    result: Any


@dataclass
class ClientState:
    rng: random.Random
    client: int
    counter: int = 0
    open_holds: list[int] = field(default_factory=list)
    transfers: list[tuple[str, int]] = field(default_factory=list)   # (reference, transaction id) not yet reversed
    acks: list[Ack] = field(default_factory=list)
    market: list[dict] = field(default_factory=list)   # this client's RFQs on their way through the marketplace
    after: Callable[[Any, psycopg.Connection], None] | None = None   # what an acknowledged step updates locally

    def ref(self, kind: str) -> str:
        self.counter += 1
        return f"tt-{kind}-{self.client}-{self.counter}"


class Refused(Exception):
    """The server answered with a domain error (a documented refusal): an answer, not a failure."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


# -- operations: each returns (kind, reference, call) where call(conn) -> result -----------------

Call = Callable[[psycopg.Connection], Any]


def _amount(rng: random.Random, lo: int = 1, hi: int = 500) -> Decimal:
    return Decimal(rng.randint(lo, hi)) / 100


def op_transfer(world: World, st: ClientState) -> tuple[str, str, Call]:
    a, b = st.rng.sample(world.accounts, 2)
    ref, amount = st.ref("tr"), _amount(st.rng)
    return "transfer", ref, lambda c: c.execute("SELECT api.transfer(%s, %s, %s, %s)", (ref, a, b, amount)).fetchone()[0]


def op_transfer_hot(world: World, st: ClientState) -> tuple[str, str, Call]:
    a = st.rng.choice(world.accounts)
    ref, amount = st.ref("th"), _amount(st.rng, 1, 50)
    return "transfer", ref, lambda c: c.execute("SELECT api.transfer(%s, %s, %s, %s)", (ref, a, world.hot, amount)).fetchone()[0]


def op_batch(world: World, st: ClientState) -> tuple[str, str, Call]:
    import json

    ref = st.ref("bt")
    items = []
    for i in range(10):
        a, b = st.rng.sample(world.accounts, 2)
        items.append({"reference": f"{ref}-{i}", "debit_account_id": a, "credit_account_id": b,
                      "amount": str(_amount(st.rng))})
    doc = json.dumps(items)
    return "batch", ref, lambda c: [r[1] for r in c.execute("SELECT * FROM api.post_batch(%s)", (doc,)).fetchall()]


def op_hold(world: World, st: ClientState) -> tuple[str, str, Call]:
    a = st.rng.choice(world.accounts)
    ref, amount = st.ref("ho"), _amount(st.rng, 100, 1000)
    # Some holds expire soon. The instant is fixed by the client, as a real client's retry would resend it.
    expires = dt.datetime.now(dt.timezone.utc) + dt.timedelta(seconds=2) if st.rng.random() < 0.2 else None
    return "hold", ref, lambda c: c.execute("SELECT api.create_hold(%s, %s, %s, %s)", (ref, a, amount, expires)).fetchone()[0]


def op_capture(world: World, st: ClientState) -> tuple[str, str, Call] | None:
    if not st.open_holds:
        return None
    hold = st.open_holds.pop(st.rng.randrange(len(st.open_holds)))
    provider = st.rng.choice(world.accounts)
    ref = st.ref("ca")
    sql = ("SELECT api.capture_hold(%s, %s, jsonb_build_array("
           "jsonb_build_object('account_id', %s::bigint, 'amount', '0.90'), "
           "jsonb_build_object('account_id', %s::bigint, 'amount', '0.10')))")
    return "capture", ref, lambda c: c.execute(sql, (ref, hold, provider, world.hot)).fetchone()[0]


def op_release(world: World, st: ClientState) -> tuple[str, str, Call] | None:
    if not st.open_holds:
        return None
    hold = st.open_holds.pop(st.rng.randrange(len(st.open_holds)))
    ref = st.ref("re")
    return "release", ref, lambda c: (c.execute("SELECT api.release_hold(%s, %s)", (ref, hold)), hold)[1]


def op_sweep(world: World, st: ClientState) -> tuple[str, str, Call]:
    return "sweep", "", lambda c: c.execute("SELECT api.expire_holds(100)").fetchone()[0]


def op_reverse(world: World, st: ClientState) -> tuple[str, str, Call] | None:
    if not st.transfers:
        return None
    _, tx = st.transfers.pop(st.rng.randrange(len(st.transfers)))
    ref = st.ref("rv")
    return "reverse", ref, lambda c: c.execute("SELECT api.reverse_transaction(%s, %s)", (ref, tx)).fetchone()[0]


#: name -> (weight, operation)
OPERATIONS: dict[str, tuple[int, Callable[[World, ClientState], tuple[str, str, Call] | None]]] = {
    "transfer": (30, op_transfer),
    "transfer_hot": (15, op_transfer_hot),
    "batch": (5, op_batch),
    "hold": (15, op_hold),
    "capture": (10, op_capture),
    "release": (5, op_release),
    "sweep": (2, op_sweep),
    "reverse": (5, op_reverse),
}


# -- the run ---------------------------------------------------------------------------------------

@dataclass
class Report:
    seconds: float = 0.0
    clients: int = 0
    operations: int = 0
    refused: Counter = field(default_factory=Counter)
    refused_by_kind: Counter = field(default_factory=Counter)     # (kind, code)
    by_kind: Counter = field(default_factory=Counter)
    retries: int = 0
    replays: int = 0
    crashes: int = 0
    violations: list[str] = field(default_factory=list)
    store: dict[str, Any] = field(default_factory=dict)   # what the store part left in its shop (torture_store.SUMMARY)
    payments: dict[str, Any] = field(default_factory=dict)   # what the payments part left (torture_payments.SUMMARY)


def setup(url: str, accounts: int = 200) -> World:
    """Open and fund the accounts the run plays with (through the ledger's functions)."""
    import json

    with psycopg.connect(url, autocommit=True) as conn:
        bank = conn.execute("SELECT ledger.open_account('PLATFORM', 'bank', 'CLEARING', %s, true)", (CURRENCY,)).fetchone()[0]
        hot = conn.execute("SELECT ledger.open_account('PLATFORM', 'torture-hot', 'COMMISSION', %s, false, 0, false, 8)",
                           (CURRENCY,)).fetchone()[0]
        ids = [r[0] for r in conn.execute(
            "SELECT ledger.open_account('BUSINESS', 'torture-' || g, 'MAIN', %s) FROM generate_series(1, %s) g",
            (CURRENCY, accounts)).fetchall()]
        doc = json.dumps([{"reference": f"tt-fund-{a}", "debit_account_id": bank, "credit_account_id": a,
                           "amount": "100000.00"} for a in ids])
        conn.execute("SELECT count(*) FROM ledger.post_batch(%s)", (doc,))
    return World(accounts=ids, hot=hot, bank=bank)


class PooledConnection:
    """A torture client's connection through a transaction pooler, where consecutive transactions may run on different
    backends and each backend serves other clients in between. Nothing is set for the session: every transaction starts
    with ``SET LOCAL ROLE mercato_service`` (what a direct connection sets once for the session), a statement sent
    outside a transaction runs in a transaction of its own, and nothing is prepared on the server
    (``prepare_threshold=None``). Offers what the operations use of a connection: ``execute``, ``transaction``
    (nested: a savepoint, as psycopg's), ``close`` and ``closed``."""

    def __init__(self, conn: psycopg.Connection) -> None:
        self.conn = conn

    @property
    def closed(self) -> bool:
        return self.conn.closed

    def close(self) -> None:
        self.conn.close()

    def _idle(self) -> bool:
        return self.conn.info.transaction_status == TransactionStatus.IDLE

    @contextmanager
    def transaction(self) -> Iterator[psycopg.Transaction]:
        outermost = self._idle()
        with self.conn.transaction() as tx:
            if outermost:
                self.conn.execute("SET LOCAL ROLE mercato_service")
            yield tx

    def execute(self, query: Any, params: Any = None) -> psycopg.Cursor:
        if not self._idle():
            return self.conn.execute(query, params)
        with self.transaction():
            return self.conn.execute(query, params)   # the rows are on the client: readable after COMMIT


def _connect(url: str, deadline: float, pooled: bool = False) -> psycopg.Connection:
    while True:
        try:
            if pooled:
                pooled_conn = psycopg.connect(url, autocommit=True, connect_timeout=3, prepare_threshold=None)
                return PooledConnection(pooled_conn)  # type: ignore[return-value]
            conn = psycopg.connect(url, autocommit=True, connect_timeout=3)
            conn.execute("SET ROLE mercato_service")
            return conn
        except psycopg.OperationalError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def _client(url: str, world: World, st: ClientState, stop: threading.Event, report: Report, lock: threading.Lock,
            give_up: float, operations: dict, pooled: bool = False) -> None:
    names = list(operations)
    weights = [operations[n][0] for n in names]
    conn = _connect(url, give_up, pooled)
    try:
        while not stop.is_set():
            st.after = None
            picked = operations[st.rng.choices(names, weights)[0]][1](world, st)
            if picked is None:
                continue
            kind, ref, call = picked
            result, code, retried = _call_until_answered(url, conn, call, give_up, pooled)
            conn = result.pop("conn")
            with lock:
                report.operations += 1
                report.retries += retried
                report.by_kind[kind] += 1
                if code:
                    report.refused[code] += 1
                    report.refused_by_kind[(kind, code)] += 1
            if code is None:
                st.acks.append(Ack(kind, ref, result["value"]))
                if st.after is not None:
                    value, after = result["value"], st.after
                    done, _, _ = _call_until_answered(url, conn, lambda c: after(value, c), give_up, pooled)
                    conn = done.pop("conn")
                if kind == "hold":
                    st.open_holds.append(result["value"])
                elif kind == "transfer":
                    st.transfers.append((ref, result["value"]))
                if ref and kind != "sweep" and st.rng.random() < 0.05:
                    # An idempotent replay of what was just acknowledged must return the same result.
                    again, code2, _ = _call_until_answered(url, conn, call, give_up, pooled)
                    conn = again.pop("conn")
                    with lock:
                        report.replays += 1
                        # A bid re-sent after bidding closed is refused, and rightly: the bid it repeats stands
                        # (verify_market finds it by id).
                        late_bid = kind == "bid" and code2 == "MARKETPLACE_BIDDING_CLOSED"
                        if not late_bid and (code2 is not None or again["value"] != result["value"]):
                            report.violations.append(f"replay of {kind} {ref} gave {code2 or again['value']!r}, "
                                                     f"first answer {result['value']!r}")
    finally:
        conn.close()


def _call_until_answered(url: str, conn: psycopg.Connection, call: Call, give_up: float,
                         pooled: bool = False) -> tuple[dict, str | None, int]:
    """Send the call; on a lost connection, reconnect and send the same call again (same reference)."""
    retried = 0
    while True:
        try:
            value = call(conn)
            return {"value": value, "conn": conn}, None, retried
        except Refused as exc:
            return {"value": None, "conn": conn}, exc.code, retried
        except psycopg.OperationalError:
            retried += 1
            try:
                conn.close()
            except Exception:
                pass
            if pooled:   # the pooler accepts the connection at once and fails the call while the server is down
                time.sleep(min(0.2, 0.01 * retried))
            conn = _connect(url, give_up, pooled)
        except psycopg.Error as exc:
            if conn.closed or exc.sqlstate in ("57P01", "57P02", "57P03", "08006", "08003"):
                retried += 1
                conn = _connect(url, give_up, pooled)
                continue
            message = exc.diag.message_primary or ""
            code = message.split(":", 1)[0] if exc.sqlstate and exc.sqlstate.startswith("PT") else exc.sqlstate
            return {"value": None, "conn": conn}, code or "UNKNOWN", retried


def run(url: str, *, clients: int = 8, seconds: float = 30, crashes: int = 0, crash: Callable[[], None] | None = None,
        restart: Callable[[], None] | None = None, accounts: int = 200, seed: int = 1, market: bool = True,
        auth: bool = True, store: bool = True, payments: bool = True,
        progress: Callable[[Report, float], None] | None = None, client_url: str | None = None) -> Report:
    """Run the torture mix against a deployed database; ``crash``/``restart`` kill and start its server.
    With ``market`` the marketplace's operations (mercato.harness.torture_market) join the ledger's; with ``auth`` the
    sign-in and outbox operations (mercato.harness.torture_auth); with ``store`` the store's orders, payments, refunds,
    stock, fulfilment batches and purchasing (mercato.harness.torture_store); with ``payments`` the payments product's
    intents, refunds, top-ups, withdrawals and signed bank callbacks (mercato.harness.torture_payments).
    With ``client_url`` (the same database through a transaction pooler, e.g. :mod:`mercato.harness.pgbouncer`) the
    clients connect there, through :class:`PooledConnection`; set-up and verification use ``url``."""
    world = setup(url, accounts)
    operations = dict(OPERATIONS)
    if market:
        from mercato.harness import torture_market

        world.market = torture_market.setup_market(url, clients)
        operations.update(torture_market.OPERATIONS)
    if auth:
        from mercato.harness import torture_auth

        world.auth = torture_auth.setup_auth(url, clients)
        operations.update(torture_auth.OPERATIONS)
    if store:
        from mercato.harness import torture_store

        world.store = torture_store.setup_store(url, clients)
        operations.update(torture_store.OPERATIONS)
    if payments:
        from mercato.harness import torture_payments

        world.payments = torture_payments.setup_payments(url, clients)
        operations.update(torture_payments.OPERATIONS)
    report = Report(clients=clients)
    stop, lock = threading.Event(), threading.Lock()
    states = [ClientState(random.Random(seed * 1000 + i), i) for i in range(clients)]
    started = time.monotonic()
    give_up = started + seconds + 120
    threads = [threading.Thread(target=_client, args=(client_url or url, world, s, stop, report, lock, give_up, operations,
                                                      client_url is not None), daemon=True)
               for s in states]
    for t in threads:
        t.start()
    crash_times = [started + seconds * (i + 1) / (crashes + 1) for i in range(crashes)] if crash else []
    # Run for the given time, and until every crash asked for has happened (a slow recovery on a loaded machine
    # must not swallow the last ones).
    while time.monotonic() < started + seconds or crash_times:
        now = time.monotonic()
        if crash_times and now >= crash_times[0]:
            crash_times.pop(0)
            crash()
            report.crashes += 1
            time.sleep(0.3)
            restart()
        if progress:
            progress(report, now - started)
        time.sleep(min(1.0, max(0.05, (crash_times[0] - now) if crash_times else 1.0)))
    stop.set()
    for t in threads:
        t.join(timeout=180)
    report.seconds = time.monotonic() - started
    report.violations += verify(url, [a for s in states for a in s.acks])
    with psycopg.connect(url, autocommit=True) as conn:
        documented = {code for (code,) in conn.execute("SELECT code FROM core.error").fetchall()}
    for (kind, code), n in sorted(report.refused_by_kind.items()):
        # Refusals are fine when documented; a raw SQLSTATE (e.g. 23505) is a bug. "x:y" codes are answers the
        # client itself classed as refusals (a code that did not verify).
        if ":" not in code and code not in documented:
            report.violations.append(f"{n} {kind} call(s) refused with an undocumented code {code}")
    if market:
        report.violations += torture_market.verify_market(url, [a for s in states for a in s.acks])
    if auth:
        report.violations += torture_auth.verify_auth(url, world.auth, [a for s in states for a in s.acks])
    if store:
        report.violations += torture_store.verify_store(url, world.store, [a for s in states for a in s.acks])
        report.store = dict(world.store.summary)
    if payments:
        report.violations += torture_payments.verify_payments(url, world.payments, [a for s in states for a in s.acks])
        report.payments = dict(world.payments.summary)
    return report


def verify(url: str, acks: list[Ack]) -> list[str]:
    """Every acknowledged operation exactly once, and the ledger's own invariants."""
    problems: list[str] = []
    with psycopg.connect(url, autocommit=True) as conn:
        tx_refs = {r: (k, i) for r, k, i in conn.execute(
            "SELECT reference, kind, id FROM ledger.transaction WHERE reference LIKE 'tt-%'").fetchall()}
        hold_refs = {r: i for r, i in conn.execute("SELECT reference, id FROM ledger.hold WHERE reference LIKE 'tt-%'").fetchall()}
        released = {r for (r,) in conn.execute(
            "SELECT resolution_ref FROM ledger.hold WHERE status = 'RELEASED' AND resolution_ref LIKE 'tt-%'").fetchall()}
        for ack in acks:
            if ack.kind in ("transfer", "capture", "reverse"):
                found = tx_refs.get(ack.reference)
                if found is None or found[1] != ack.result:
                    problems.append(f"acknowledged {ack.kind} {ack.reference} -> {ack.result} is missing or different: {found}")
            elif ack.kind == "hold":
                if hold_refs.get(ack.reference) != ack.result:
                    problems.append(f"acknowledged hold {ack.reference} -> {ack.result} is missing")
            elif ack.kind == "release":
                if ack.reference not in released:
                    problems.append(f"acknowledged release {ack.reference} is missing")
            elif ack.kind == "batch":
                for n, tx in enumerate(ack.result):
                    found = tx_refs.get(f"{ack.reference}-{n}")
                    if found is None or found[1] != tx:
                        problems.append(f"acknowledged batch item {ack.reference}-{n} -> {tx} is missing or different")
        for name, ok, violations, sample in conn.execute("SELECT * FROM ledger.check()").fetchall():
            if not ok:
                problems.append(f"ledger.check {name}: {violations} violations, e.g. {sample}")
    return problems


def dedicated_cluster(name: str = "torture", log: Callable[[str], None] = lambda _line: None, port: int | None = None):
    """A separate embedded cluster (``.mercato/<name>``) with a freshly deployed ``mercato_torture`` database, so
    that killing its server disturbs nothing else. Returns (cluster, conninfo). ``port`` (default: MERCATO_PORT, else
    the cluster's remembered or first free port) lets a test run it beside the project's cluster on MERCATO_PORT."""
    from mercato.cluster import Cluster, _choose_port
    from mercato.config import project_root
    from mercato.sqitch import Engine

    home = project_root() / ".mercato" / name
    home.parent.mkdir(exist_ok=True)
    cluster = Cluster(home=home, port=port or _choose_port(home))
    log(f"[setup] cluster {home} on port {cluster.port}")
    cluster.up()
    with psycopg.connect(cluster.url("postgres"), autocommit=True) as conn:
        conn.execute('DROP DATABASE IF EXISTS "mercato_torture" WITH (FORCE)')
        conn.execute('CREATE DATABASE "mercato_torture"')
    url = cluster.url("mercato_torture")
    Engine.from_project(url).deploy()
    return cluster, url
