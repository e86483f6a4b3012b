"""Many clients at once: random transfers, holds, captures, releases, expiries, reversals, and replays of
one reference from two threads at the same instant. Afterwards every invariant holds and nothing
happened twice."""

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

THREADS = 16          # random workers, each with its own pooled connection
RACERS = 2            # plus two threads that fire the same reference at the same instant
SECONDS = 12
OP_WEIGHTS = {"transfer": 20, "hot": 10, "hold": 20, "capture": 10, "release": 10, "expire": 10, "reverse": 10,
              "replay": 10, "batch": 8, "post": 2, "hot-out": 2, "rail": 10}
EXPECTED_REFUSALS = {"LEDGER_INSUFFICIENT_FUNDS", "LEDGER_HOLD_RESOLVED", "LEDGER_HOLD_EXPIRED",
                     "LEDGER_ALREADY_REVERSED", "LEDGER_NOT_REVERSIBLE"}


def test_concurrent_random_operations_keep_every_invariant(db_url: str) -> None:
    with Client(db_url, min_size=THREADS + RACERS, max_size=THREADS + RACERS + 2) as client:
        bank = client.ledger.open_account("PLATFORM", "bank", "CLEARING", "ETB", allow_negative=True)
        hot = client.ledger.open_account("PLATFORM", "fees", "COMMISSION", "ETB", slots=8)
        # a payment rail's clearing account: hot and allowed below zero, so debits take one slot as credits do
        rail = client.ledger.open_account("RAIL", "r", "CLEARING", "ETB", allow_negative=True, slots=8)
        wallets = [client.ledger.open_account("USER", str(i), "MAIN", "ETB", overdraft_limit="20" if i % 5 == 0 else "0")
                   for i in range(24)]
        client.ledger.post_batch([{"reference": f"fund-{w}", "debit_account_id": bank, "credit_account_id": w, "amount": "300"}
                           for w in wallets])

        lock = threading.Lock()
        open_holds: list[tuple[int, int]] = []
        transactions: list[int] = []
        outcome: dict[int, str] = {}                      # hold id -> CAPTURED / RELEASED, by our own calls
        resolved_by_us: collections.Counter[int] = collections.Counter()
        reversed_by_us: collections.Counter[int] = collections.Counter()
        shared_refs = [f"shared-{i}" for i in range(200)]
        shared_results: dict[str, set[int]] = collections.defaultdict(set)
        refusals: collections.Counter[str] = collections.Counter()
        failures: list[str] = []
        deadlocks: list[str] = []
        ops: collections.Counter[str] = collections.Counter()
        deadline = time.monotonic() + SECONDS

        def refused(op: str, exc: MercatoError) -> None:
            with lock:
                if exc.sqlstate == "40P01":      # a deadlock is a bug in the lock order, never "expected"
                    deadlocks.append(f"{op}: {exc.one_line()}")
                if exc.code in EXPECTED_REFUSALS:
                    refusals[exc.code] += 1
                else:
                    failures.append(f"{op}: {exc.code} {exc.one_line()}")

        def worker(seed: int) -> None:
            rnd = random.Random(seed)
            while time.monotonic() < deadline and not failures:
                # hot-account debits lock every slot and queue all hot credits behind them: rare, as in life
                op = rnd.choices(list(OP_WEIGHTS), weights=list(OP_WEIGHTS.values()))[0]
                try:
                    if op in ("transfer", "hot"):
                        a, b = rnd.sample(wallets, 2)
                        tx = client.ledger.transfer(f"t-{seed}-{ops[op]}-{rnd.random()}", a, hot if op == "hot" else b,
                                             Decimal(rnd.randint(1, 3000)) / 100)
                        with lock:
                            transactions.append(tx)
                    elif op == "hot-out":   # transfer debiting the hot account: locks all its slots
                        tx = client.ledger.transfer(f"ho-{seed}-{rnd.random()}", hot, rnd.choice(wallets),
                                             Decimal(rnd.randint(1, 200)) / 100)
                        with lock:
                            transactions.append(tx)
                    elif op == "rail":    # top-ups (rail -> wallet, one slot debited) and payouts (wallet -> rail)
                        w = rnd.choice(wallets)
                        a, b = (rail, w) if rnd.random() < 0.6 else (w, rail)
                        tx = client.ledger.transfer(f"rl-{seed}-{rnd.random()}", a, b, Decimal(rnd.randint(1, 2000)) / 100)
                        with lock:
                            transactions.append(tx)
                    elif op == "batch":   # set-based, locks in ascending id order, credits a hot account to slot 0
                        items = []
                        for k in range(rnd.randint(2, 6)):
                            a, b = rnd.sample(wallets, 2)
                            items.append({"reference": f"b-{seed}-{rnd.random()}", "debit_account_id": a,
                                          "credit_account_id": hot if k == 0 else b,
                                          "amount": Decimal(rnd.randint(1, 500)) / 100})
                        done = client.ledger.post_batch(items)
                        with lock:
                            transactions.extend(r.transaction_id for r in done)
                    elif op == "post":    # multi-leg, debiting the hot account (locks all its slots)
                        a, b = rnd.sample(wallets, 2)
                        tx = client.ledger.post(f"p-{seed}-{rnd.random()}", [
                            {"account_id": hot, "amount": "0.30", "side": "DEBIT"},
                            {"account_id": a, "amount": "0.50", "side": "DEBIT"},
                            {"account_id": b, "amount": "0.80", "side": "CREDIT"}])
                        with lock:
                            transactions.append(tx)
                    elif op == "hold":
                        # expiring from 0.2 s to 3 s from now: some expire under the workers' feet
                        expires = dt.datetime.now(dt.timezone.utc) + dt.timedelta(milliseconds=rnd.randint(200, 3000))
                        source = rnd.choice(wallets)
                        hid = client.ledger.create_hold(f"h-{seed}-{rnd.random()}", source,
                                                 Decimal(rnd.randint(100, 2000)) / 100,
                                                 expires_at=expires if rnd.random() < 0.7 else None)
                        with lock:
                            open_holds.append((hid, source))
                    elif op in ("capture", "release"):
                        with lock:
                            hid, source = rnd.choice(open_holds) if open_holds else (None, None)
                        if hid is None:
                            continue
                        try:
                            if op == "capture":
                                dest = rnd.choice([w for w in wallets if w != source])
                                client.ledger.capture_hold(f"c-{hid}-{seed}-{rnd.random()}", hid,
                                                    [{"account_id": dest, "amount": "0.50"},
                                                     {"account_id": hot, "amount": "0.05"}])
                            else:
                                client.ledger.release_hold(f"r-{hid}-{seed}-{rnd.random()}", hid)
                        except MercatoError as exc:
                            if exc.code in ("LEDGER_HOLD_RESOLVED", "LEDGER_HOLD_EXPIRED") and rnd.random() < 0.5:
                                with lock:   # forget it sometimes; meanwhile others may still collide on it
                                    if (hid, source) in open_holds:
                                        open_holds.remove((hid, source))
                            raise
                        with lock:
                            resolved_by_us[hid] += 1
                            outcome[hid] = "CAPTURED" if op == "capture" else "RELEASED"
                            if (hid, source) in open_holds:
                                open_holds.remove((hid, source))
                    elif op == "expire":
                        client.ledger.expire_holds(50)
                    elif op == "reverse":
                        with lock:
                            tx = rnd.choice(transactions) if transactions else None
                        if tx is not None:
                            client.ledger.reverse(f"rv-{tx}-{seed}-{rnd.random()}", tx)
                            with lock:
                                reversed_by_us[tx] += 1
                    elif op == "replay":
                        ref = rnd.choice(shared_refs)
                        n = int(ref.split("-")[1])
                        tx = client.ledger.transfer(ref, bank, wallets[n % len(wallets)], "1.00")
                        with lock:
                            shared_results[ref].add(tx)
                    with lock:
                        ops[op] += 1
                except MercatoError as exc:
                    refused(op, exc)

        # Two racers: at each round both pass a barrier and make the *same* call with the same reference at
        # the same instant (transfer, create_hold, then release of that hold); both must get the same answer.
        barrier = threading.Barrier(RACERS)
        race_answers: list[dict[str, set]] = []
        race_answers_lock = threading.Lock()

        def racer(me: int) -> None:
            rnd = random.Random(1000 + me)
            round_no = 0
            while True:
                try:
                    barrier.wait(timeout=30)
                except threading.BrokenBarrierError:
                    return
                if time.monotonic() >= deadline or failures:
                    barrier.abort()
                    return
                round_no += 1
                src, dst = wallets[round_no % len(wallets)], wallets[(round_no + 7) % len(wallets)]
                answer: dict[str, object] = {}
                hid = None
                try:
                    answer["transfer"] = client.ledger.transfer(f"race-t-{round_no}", src, dst, "0.10")
                    answer["hold"] = hid = client.ledger.create_hold(f"race-h-{round_no}", src, "0.20")
                except MercatoError as exc:
                    answer["error"] = exc.code
                    refused("race", exc)

                def record() -> None:
                    with race_answers_lock:
                        while len(race_answers) < round_no:
                            race_answers.append(collections.defaultdict(set))
                        for k, v in answer.items():
                            race_answers[round_no - 1][k].add(v)

                # What was posted is recorded even when the other racer stopped at the deadline meanwhile (it may
                # read the clock just after this one did) and the barrier below is broken.
                record()
                answer = {}
                try:
                    barrier.wait(timeout=30)
                except threading.BrokenBarrierError:
                    return
                if hid is not None:
                    try:
                        client.ledger.release_hold(f"race-r-{round_no}", hid)   # the replay returns normally
                        answer["release"] = "ok"
                    except MercatoError as exc:
                        refused("race release", exc)
                record()
                time.sleep(rnd.random() / 100)

        threads = [threading.Thread(target=worker, args=(seed,)) for seed in range(THREADS)]
        threads += [threading.Thread(target=racer, args=(me,)) for me in range(RACERS)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        print(f"\noperations: {dict(ops)}\nexpected refusals: {dict(refusals)}\nraces: {len(race_answers)}")
        print(f"deadlocks: {len(deadlocks)}")
        assert not deadlocks, deadlocks[:10]
        assert not failures, failures[:10]
        assert sum(ops.values()) > 500, "the run did real work"
        assert ops["hold"] and ops["capture"] and ops["release"] and ops["reverse"] and ops["expire"]
        assert ops["batch"] and ops["post"] and ops["hot"] and ops["hot-out"] and ops["rail"]

        # the same reference from two threads at once: one posting, the same id for both callers
        assert len(race_answers) >= 20, "the racers raced"
        for i, answers in enumerate(race_answers, start=1):
            for key in ("transfer", "hold"):
                assert len(answers[key]) <= 1, (i, key, answers[key])

        results = client.ledger.check()
        assert all(r.ok for r in results), [r for r in results if not r.ok]
        assert all(len(ids) == 1 for ids in shared_results.values()), "a replayed reference posted twice"
        assert all(n == 1 for n in resolved_by_us.values()), "a hold was captured/released twice"
        assert all(n == 1 for n in reversed_by_us.values()), "a transaction was reversed twice"
        assert client.ledger.account_balance(hot).available >= 0

        with psycopg.connect(db_url, autocommit=True) as conn:
            q = lambda sql, *args: conn.execute(sql, args).fetchall()  # noqa: E731
            before_sweep = q("SELECT clock_timestamp()")[0][0]
            client.ledger.expire_holds(100_000)
            # each reference posted once (one namespace for postings, one for holds)
            assert q("SELECT reference FROM ledger.transaction GROUP BY 1 HAVING count(*) > 1") == []
            assert q("SELECT reference FROM ledger.hold GROUP BY 1 HAVING count(*) > 1") == []
            assert q("SELECT count(*) FROM ledger.transaction WHERE reference LIKE 'shared-%%'")[0][0] \
                == len(shared_results)
            assert q("SELECT count(*) FROM ledger.transaction WHERE reference LIKE 'race-t-%%'")[0][0] \
                == sum(1 for a in race_answers if a["transfer"])
            # no account below its limit (plain accounts on the row; hot accounts over their slots)
            assert q("SELECT id FROM ledger.account WHERE NOT allow_negative AND slots = 1"
                     " AND balance - held < -overdraft_limit") == []
            # every balance (each slot of a hot account, and the account as a whole) = the sum of its entries
            assert q("SELECT a.id FROM ledger.account a LEFT JOIN ledger.entry e ON e.account_id = a.id AND e.slot = 0"
                     " GROUP BY a.id, a.balance HAVING a.balance <> coalesce(sum(e.amount), 0)") == []
            assert q("SELECT s.account_id, s.slot FROM ledger.account_slot s LEFT JOIN ledger.entry e"
                     " ON e.account_id = s.account_id AND e.slot = s.slot GROUP BY s.account_id, s.slot, s.balance"
                     " HAVING s.balance <> coalesce(sum(e.amount), 0)") == []
            hot_total = q("SELECT (SELECT balance FROM ledger.account WHERE id = %s)"
                          " + (SELECT coalesce(sum(balance), 0) FROM ledger.account_slot WHERE account_id = %s),"
                          " (SELECT sum(amount) FROM ledger.entry WHERE account_id = %s),"
                          " (SELECT count(DISTINCT slot) FROM ledger.entry WHERE account_id = %s)", hot, hot, hot, hot)[0]
            assert hot_total[0] == hot_total[1] == client.ledger.account_balance(hot).balance
            assert hot_total[2] > 1, "hot credits were spread over slots"
            rail_total = q("SELECT (SELECT balance FROM ledger.account WHERE id = %s)"
                           " + (SELECT coalesce(sum(balance), 0) FROM ledger.account_slot WHERE account_id = %s),"
                           " (SELECT sum(amount) FROM ledger.entry WHERE account_id = %s),"
                           " (SELECT count(DISTINCT slot) FROM ledger.entry WHERE account_id = %s AND amount < 0)",
                           rail, rail, rail, rail)[0]
            assert rail_total[0] == rail_total[1] == client.ledger.account_balance(rail).balance
            assert rail_total[2] > 1, "the clearing account's debits were spread over slots"
            # the trial balance: all entries of the currency sum to zero
            assert q("SELECT sum(amount) FROM ledger.entry")[0][0] == 0
            # held = sum of the open holds, per account
            assert q("SELECT a.id FROM ledger.account a LEFT JOIN ledger.hold h ON h.account_id = a.id AND"
                     " h.status = 'OPEN' GROUP BY a.id, a.held HAVING a.held <> coalesce(sum(h.amount), 0)") == []
            # every hold resolved at most once, the way the caller that succeeded says
            statuses = dict(q("SELECT id, status FROM ledger.hold"))
            assert {hid: statuses[hid] for hid in outcome} == outcome
            assert q("SELECT id FROM ledger.hold WHERE status = 'EXPIRED' AND (expires_at IS NULL"
                     " OR resolved_at < expires_at)") == []
            assert q("SELECT id FROM ledger.hold WHERE status = 'OPEN' AND expires_at < %s", before_sweep) == []
            # one CAPTURE transaction per captured hold, and no other
            assert q("SELECT count(*) FROM ledger.hold WHERE status = 'CAPTURED'")[0][0] \
                == q("SELECT count(*) FROM ledger.transaction WHERE kind = 'CAPTURE'")[0][0] \
                == q("SELECT count(DISTINCT transaction_id) FROM ledger.hold WHERE status = 'CAPTURED'")[0][0]
            # reversals: each reversed transaction once, linked both ways
            assert q("SELECT reversal_of FROM ledger.transaction WHERE reversal_of IS NOT NULL"
                     " GROUP BY 1 HAVING count(*) > 1") == []
            assert q("SELECT count(*) FROM ledger.transaction WHERE kind = 'REVERSAL'")[0][0] == len(reversed_by_us)
            by_status = dict(q("SELECT status, count(*) FROM ledger.hold GROUP BY 1"))
        print(f"holds by status: {by_status}")
        assert by_status.get("EXPIRED", 0) > 0, "some holds expired"
        assert by_status.get("CAPTURED", 0) + by_status.get("RELEASED", 0) \
            == sum(resolved_by_us.values()) + sum(1 for a in race_answers if a["release"])
