"""Issue 16, "Safe behind pgbouncer in transaction mode": the torture and a concurrent load through a real pgbouncer.

py/tests/test_pgbouncer_session_state.py shows that no call of the library or the CLI (and the demo) leaves session
state on a backend. This file shows that correctness holds under load when clients really share backends: a real
pgbouncer (:mod:`mercato.harness.pgbouncer`, ``pool_mode = transaction``) with a pool of TWO server connections stands
in front of the database, so consecutive transactions of one client run on different backends and every
backend serves many clients in between.

* ``test_torture_through_pgbouncer``: the CI-sized torture (:func:`mercato.harness.torture.run`, four clients posting
  ledger operations and driving RFQs through bids, awards, contracts, escrow, OTP delivery and settlement) with its
  clients connected through pgbouncer (``client_url``: :class:`mercato.harness.torture.PooledConnection`, role set per
  transaction, nothing prepared on the server), while the server behind pgbouncer is killed and restarted twice
  (on a dedicated cluster, as py/tests/test_torture.py does directly): in-flight transactions lose their server
  ("server conn crashed?"), waiting clients are held or refused until the server is back, and every client sends its
  unanswered call again. Asserted: no violation (every acknowledged operation present exactly once, replays answered
  the same, every refusal a documented code, ``ledger.check()``, ``contracts.check()``, ``settlement.check()`` and the
  marketplace invariants), every operation kind exercised, no refusal for a prepared statement that does not exist
  (SQLSTATE 26000) or already exists (42P05) or for a privilege (42501), and the clients' transactions went through
  pgbouncer.
* ``test_concurrent_identities_through_pgbouncer``: eight threads, each its own business user (``Client.as_caller``
  with its JWT claims) and its own back-office caller, share one client-side pool on pgbouncer. Each moves money in
  and out of its business's wallet, reads its wallet and its identity as the user after every transfer, and drafts
  and publishes RFQs until its business's monthly quota refuses. Every answer must be the thread's own: the actor is
  the thread's user, the user's accounts are exactly its wallet with exactly the balance its own acknowledged
  transfers make, its RFQ list is exactly the RFQs it created. Afterwards, from the tables: each thread's transfers
  are there once with its accounts and amounts, the wallets' and the counter account's balances are the totals the
  threads acknowledged, each thread's RFQs belong to its business and are audited under its subject, every business
  published exactly its quota, and ``ledger.check()`` is clean.

Only outcomes are asserted, never timings.
"""

from __future__ import annotations

import datetime as dt
import random
import shutil
import threading
from decimal import Decimal
from typing import Any

import psycopg
from psycopg.conninfo import conninfo_to_dict

from mercato.client import Client
from mercato.errors import MercatoError
from mercato.harness import pgbouncer
from mercato.harness.torture import dedicated_cluster
from mercato.harness.torture import run as torture

LEDGER_KINDS = {"transfer", "batch", "hold", "capture", "release", "reverse", "sweep"}
MARKET_KINDS = {"rfq", "bid", "award", "contract", "activate", "assign", "deliver", "settle"}


def _xacts(bouncer: pgbouncer.PgBouncer, dbname: str) -> int:
    """Transactions pgbouncer has passed to ``dbname`` so far."""
    return sum(int(row["total_xact_count"]) for row in bouncer.show("STATS") if row["database"] == dbname)


def test_torture_through_pgbouncer() -> None:
    cluster, url = dedicated_cluster("torture-pgbouncer-ci")
    try:
        with pgbouncer.running(cluster.url("postgres"), pool_size=2) as bouncer:
            dbname = conninfo_to_dict(url)["dbname"]
            before = _xacts(bouncer, dbname)
            report = torture(url, client_url=bouncer.url(dbname), clients=4, seconds=12, crashes=2,
                             crash=cluster.crash, restart=cluster.up, accounts=50, seed=16)
            through = _xacts(bouncer, dbname) - before
    finally:
        cluster.down()
        shutil.rmtree(cluster.home, ignore_errors=True)   # a fresh cluster (and a free port) every run
    assert report.crashes == 2
    assert not report.violations, report.violations[:10]
    assert report.operations > 300, report
    assert report.replays > 0, "idempotent replays were exercised"
    assert set(report.by_kind) >= LEDGER_KINDS | MARKET_KINDS, report.by_kind
    # a prepared statement missing on (26000) or left on (42P05) the backend a transaction landed on, a call that lost
    # its role (42501)
    wrong = {kc: n for kc, n in report.refused_by_kind.items() if kc[1] in ("26000", "42P05", "42501")}
    assert not wrong, wrong
    assert through >= report.operations, f"only {through} transactions went through pgbouncer: {report}"


# -- eight identities on two backends ---------------------------------------------------------------------------------

THREADS = 8
TRANSFERS = 100         # per thread
RFQS = 14               # drafted per thread, each then published: more than a STANDARD business's monthly quota


def _load_world(db_url: str) -> dict[str, Any]:
    """THREADS verified businesses (tests.verified_business: users kc|load-<i>, wallets funded with 1000) and one
    counter account the back office moves their money to and from. Loaded directly, not through the pooler."""
    with psycopg.connect(db_url, autocommit=True) as conn:
        threads = []
        for i in range(THREADS):
            business, wallet, user = conn.execute("SELECT * FROM tests.verified_business(%s, 1000, %s)",
                                                  (f"kc|load-{i}", f"Load business {i}")).fetchone()
            threads.append({"sub": f"kc|load-{i}", "business": business, "wallet": wallet, "user": user,
                            "service_sub": f"svc|load-{i}"})
        currency = conn.execute("SELECT currency FROM ledger.account WHERE id = %s",
                                (threads[0]["wallet"],)).fetchone()[0]
        counter = conn.execute("SELECT ledger.open_account('PLATFORM', 'load-counter', 'CLEARING', %s, true)",
                               (currency,)).fetchone()[0]
        balances = dict(conn.execute("SELECT a.id, b.balance FROM ledger.account a, ledger.account_balance(a.id) b "
                                     "WHERE a.id = ANY(%s)", ([t["wallet"] for t in threads] + [counter],)).fetchall())
    return {"threads": threads, "counter": counter, "balances": balances}


def test_concurrent_identities_through_pgbouncer(db_url: str, server_url: str) -> None:
    world = _load_world(db_url)
    counter, start_balances = world["counter"], world["balances"]
    dbname = conninfo_to_dict(db_url)["dbname"]
    today = dt.date.today()
    failures: list[str] = []
    results: dict[int, dict[str, Any]] = {}
    lock = threading.Lock()

    def work(i: int, me: dict[str, Any], service: Client) -> None:
        rng = random.Random(1600 + i)
        user = service.as_caller({"sub": me["sub"], "role": "mercato_user"}, role="mercato_user")
        office = service.as_caller({"sub": me["service_sub"], "role": "mercato_service"}, role="mercato_service")
        mine: dict[str, Any] = {"transfers": {}, "rfqs": [], "published": [], "refusals": []}
        results[i] = mine
        balance = start_balances[me["wallet"]]

        def expect(what: str, seen: Any, wanted: Any) -> None:
            if seen != wanted:
                with lock:
                    failures.append(f"thread {i} ({me['sub']}): {what} was {seen!r}, expected {wanted!r}")

        for n in range(TRANSFERS):
            actor = user.identity.current_actor()
            expect("current_actor", (actor.subject, actor.user_id), (me["sub"], me["user"]))
            amount = Decimal(rng.randint(1, 500)) / 100
            pay_in = rng.random() < 0.5
            ref = f"load-{i}-tr-{n}"
            debit, credit = (counter, me["wallet"]) if pay_in else (me["wallet"], counter)
            tx = office.ledger.transfer(ref, debit, credit, amount)
            mine["transfers"][ref] = (tx, debit, credit, amount)
            balance += amount if pay_in else -amount
            accounts = [(a["account_id"], a["balance"]) for a in user.call("api.my_accounts")]
            expect(f"my_accounts after {ref}", accounts, [(me["wallet"], balance)])
            if n < RFQS:
                start = today + dt.timedelta(days=2 + n)
                deadline = dt.datetime.now(dt.timezone.utc) + dt.timedelta(hours=2)
                rfq = user.marketplace.create_rfq(f"load-{i}-rfq-{n}", start, start + dt.timedelta(days=3), deadline,
                                                  [{"vehicle_type": "SEDAN", "quantity": 1}])
                mine["rfqs"].append(rfq)
                try:
                    user.marketplace.publish_rfq(rfq)
                    mine["published"].append(rfq)
                except MercatoError as exc:
                    mine["refusals"].append(exc.code)
                expect("my_rfqs", sorted(r["rfq_id"] for r in user.marketplace.my_rfqs()), sorted(mine["rfqs"]))
        mine["balance"] = balance

    def guarded(i: int, me: dict[str, Any], service: Client) -> None:
        try:
            work(i, me, service)
        except Exception as exc:  # noqa: BLE001 - reported below
            with lock:
                failures.append(f"thread {i} ({me['sub']}): {exc!r}")

    with pgbouncer.running(server_url, pool_size=2) as bouncer:
        with Client(bouncer.url(dbname), min_size=THREADS, max_size=THREADS) as service:
            threads = [threading.Thread(target=guarded, args=(i, me, service)) for i, me in enumerate(world["threads"])]
            for t in threads:
                t.start()
            for t in threads:
                t.join(120)
            assert not any(t.is_alive() for t in threads), "a thread did not finish"
            # the client-side pool held THREADS connections; pgbouncer served them with its two backends
            backends = {row["remote_pid"] for row in bouncer.show("SERVERS") if row["database"] == dbname}
            checks = service.ledger.check()
        assert 1 <= len(backends) <= 2, backends

    assert not failures, "\n".join(failures[:30])

    quota: set[int] = set()
    with psycopg.connect(db_url, autocommit=True) as conn:
        posted = {ref: (tx, debit, credit, amount) for ref, tx, debit, credit, amount in conn.execute(
            "SELECT t.reference, t.id, d.account_id, c.account_id, c.amount FROM ledger.transaction t "
            "JOIN ledger.entry d ON d.transaction_id = t.id AND d.amount < 0 "
            "JOIN ledger.entry c ON c.transaction_id = t.id AND c.amount > 0 "
            "WHERE t.reference LIKE 'load-%'").fetchall()}
        balances = dict(conn.execute("SELECT a.id, b.balance FROM ledger.account a, ledger.account_balance(a.id) b "
                                     "WHERE a.id = ANY(%s)", (list(start_balances),)).fetchall())
        rfqs = conn.execute("SELECT r.id, r.title, r.business_id, r.status, "
                            "       (SELECT array_agg(DISTINCT e.actor_subject) FROM audit.event e "
                            "         WHERE e.entity_type = 'rfq' AND e.entity_id = r.id::text) "
                            "  FROM marketplace.rfq r WHERE r.title LIKE 'load-%'").fetchall()
        used = dict(conn.execute("SELECT business_id, sum(used) FROM marketplace.rfq_quota "
                                 "GROUP BY business_id").fetchall())

    acknowledged = {ref: t for mine in results.values() for ref, t in mine["transfers"].items()}
    assert len(acknowledged) == THREADS * TRANSFERS
    assert posted == acknowledged, "the ledger holds exactly the acknowledged transfers, with their accounts"
    net_out = Decimal(0)
    for i, me in enumerate(world["threads"]):
        mine = results[i]
        assert balances[me["wallet"]] == mine["balance"], f"thread {i}'s wallet is not what its transfers made"
        net_out += mine["balance"] - start_balances[me["wallet"]]
        own = [(rid, status, business, subjects) for rid, title, business, status, subjects in rfqs
               if title.startswith(f"load-{i}-rfq-")]
        assert sorted(r[0] for r in own) == sorted(mine["rfqs"]), f"thread {i}'s RFQs"
        assert all(business == me["business"] and subjects == [me["sub"]] for _, _, business, subjects in own), (
            f"thread {i}'s RFQs belong to its business and are audited under its subject: {own}")
        assert sorted(rid for rid, status, _, _ in own if status == "PUBLISHED") == sorted(mine["published"])
        assert set(mine["refusals"]) == {"MARKETPLACE_QUOTA_EXCEEDED"}, mine["refusals"]
        assert used[me["business"]] == len(mine["published"]), "the quota counted this business's publishes only"
        quota.add(len(mine["published"]))
    assert len(quota) == 1 and 0 < quota.pop() < RFQS, "every business published exactly its (equal) quota"
    assert balances[counter] == start_balances[counter] - net_out, "the counter account holds the threads' totals"
    assert checks and all(c.ok for c in checks), [c for c in checks if not c.ok]
