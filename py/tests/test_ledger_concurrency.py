"""Many clients at once: random transfers, holds, captures, releases, expiries, reversals and replays of
one reference from two threads. Afterwards every invariant holds and nothing happened twice."""

from __future__ import annotations

import collections
import datetime as dt
import random
import threading
import time
from decimal import Decimal

import psycopg

from mercato.client import Client
from mercato.errors import MercatoError

THREADS = 16
SECONDS = 8
EXPECTED_REFUSALS = {"LEDGER_INSUFFICIENT_FUNDS", "LEDGER_HOLD_RESOLVED", "LEDGER_HOLD_EXPIRED",
                     "LEDGER_ALREADY_REVERSED", "LEDGER_NOT_REVERSIBLE"}


def test_concurrent_random_operations_keep_every_invariant(db_url: str) -> None:
    with Client(db_url, min_size=THREADS, max_size=THREADS + 2) as client:
        bank = client.open_account("PLATFORM", "bank", "CLEARING", "ETB", allow_negative=True)
        hot = client.open_account("PLATFORM", "fees", "COMMISSION", "ETB", slots=8)
        wallets = [client.open_account("USER", str(i), "MAIN", "ETB", overdraft_limit="20" if i % 5 == 0 else "0")
                   for i in range(24)]
        client.post_batch([{"reference": f"fund-{w}", "debit_account_id": bank, "credit_account_id": w, "amount": "100"}
                           for w in wallets])

        lock = threading.Lock()
        open_holds: list[tuple[int, int]] = []
        transactions: list[int] = []
        resolved_by_us: collections.Counter[int] = collections.Counter()
        shared_refs = [f"shared-{i}" for i in range(200)]
        shared_results: dict[str, set[int]] = collections.defaultdict(set)
        refusals: collections.Counter[str] = collections.Counter()
        failures: list[str] = []
        ops: collections.Counter[str] = collections.Counter()
        deadline = time.monotonic() + SECONDS

        def worker(seed: int) -> None:
            rnd = random.Random(seed)
            while time.monotonic() < deadline and not failures:
                op = rnd.choice(["transfer", "transfer", "hot", "hold", "capture", "release", "expire", "reverse",
                                 "replay"])
                try:
                    if op in ("transfer", "hot"):
                        a, b = rnd.sample(wallets, 2)
                        tx = client.transfer(f"t-{seed}-{ops[op]}-{rnd.random()}", a, hot if op == "hot" else b,
                                             Decimal(rnd.randint(1, 3000)) / 100)
                        with lock:
                            transactions.append(tx)
                    elif op == "hold":
                        expires = dt.datetime.now(dt.timezone.utc) + dt.timedelta(milliseconds=rnd.randint(200, 3000))
                        source = rnd.choice(wallets)
                        hid = client.create_hold(f"h-{seed}-{rnd.random()}", source,
                                                 Decimal(rnd.randint(100, 2000)) / 100, expires_at=expires)
                        with lock:
                            open_holds.append((hid, source))
                    elif op in ("capture", "release"):
                        with lock:
                            hid, source = rnd.choice(open_holds) if open_holds else (None, None)
                        if hid is None:
                            continue
                        if op == "capture":
                            dest = rnd.choice([w for w in wallets if w != source])
                            client.capture_hold(f"c-{hid}-{seed}-{rnd.random()}", hid,
                                                [{"account_id": dest, "amount": "0.50"},
                                                 {"account_id": hot, "amount": "0.05"}])
                        else:
                            client.release_hold(f"r-{hid}-{seed}-{rnd.random()}", hid)
                        with lock:
                            resolved_by_us[hid] += 1
                    elif op == "expire":
                        client.expire_holds(50)
                    elif op == "reverse":
                        with lock:
                            tx = rnd.choice(transactions) if transactions else None
                        if tx is not None:
                            client.reverse(f"rv-{tx}-{seed}-{rnd.random()}", tx)
                    elif op == "replay":
                        ref = rnd.choice(shared_refs)
                        n = int(ref.split("-")[1])
                        tx = client.transfer(ref, bank, wallets[n % len(wallets)], "1.00")
                        with lock:
                            shared_results[ref].add(tx)
                    with lock:
                        ops[op] += 1
                except MercatoError as exc:
                    with lock:
                        if exc.code in EXPECTED_REFUSALS:
                            refusals[exc.code] += 1
                        else:
                            failures.append(f"{op}: {exc.code} {exc.one_line()}")

        threads = [threading.Thread(target=worker, args=(seed,)) for seed in range(THREADS)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        print(f"\noperations: {dict(ops)}\nexpected refusals: {dict(refusals)}")
        assert not failures, failures[:10]
        assert sum(ops.values()) > 500, "the run did real work"

        results = client.check()
        assert all(r.ok for r in results), [r for r in results if not r.ok]
        assert all(len(ids) == 1 for ids in shared_results.values()), "a replayed reference posted twice"
        assert all(n == 1 for n in resolved_by_us.values()), "a hold was captured/released twice"
        with psycopg.connect(db_url) as conn:
            assert conn.execute("SELECT count(*) FROM ledger.transaction WHERE reference LIKE 'shared-%%'").fetchone()[0] \
                == len(shared_results)
            negative = conn.execute(
                "SELECT count(*) FROM ledger.account WHERE NOT allow_negative AND slots = 1 "
                "AND balance - held < -overdraft_limit").fetchone()[0]
            assert negative == 0
            statuses = dict(conn.execute("SELECT status, count(*) FROM ledger.hold GROUP BY 1").fetchall())
        print(f"holds by status: {statuses}")
        assert statuses.get("CAPTURED", 0) + statuses.get("RELEASED", 0) == sum(resolved_by_us.values())
