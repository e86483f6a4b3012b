"""Races that only real concurrency shows: one vehicle booked from two threads onto two overlapping contracts,
and one provider's period settled from two threads at once. Each race is run twice: with the first transaction
held open while the second arrives (deterministic: the second must wait on the constraint, then be refused or
replay), and with threads released together by a barrier."""

from __future__ import annotations

import datetime as dt
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from typing import Any, Callable

import psycopg

from mercato.client import Client
from mercato.errors import MercatoError
from test_contracts_client import as_user, build_world

TODAY = dt.date.today()


def _contracts(db_url: str, client: Client, *, businesses: int, start: dt.date, end: dt.date,
               lines: list[tuple[str, int, str]]) -> tuple[dict[str, Any], list[int], list[int]]:
    """Activated contracts (one per business) over the same dates; returns the world, contract and line ids."""
    w = build_world(db_url, start=start, end=end, lines=lines, businesses=businesses)
    contract_ids, line_ids = [], []
    for b in range(1, businesses + 1):
        biz = as_user(client, f"biz-{b}")
        contract = biz.contracts.create_contract(w[f"rfq{b}"])
        biz.contracts.activate_contract(contract.id)
        contract_ids.append(contract.id)
        line_ids.append(biz.contracts.get_contract(contract.id)["lines"][0]["id"])
    return w, contract_ids, line_ids


def _race(calls: list[Callable[[], Any]]) -> list[Any]:
    """Run the calls in threads released at the same instant; each result is a value or the MercatoError."""
    barrier = threading.Barrier(len(calls))

    def run(call: Callable[[], Any]) -> Any:
        barrier.wait()
        try:
            return call()
        except MercatoError as exc:
            return exc

    with ThreadPoolExecutor(len(calls)) as pool:
        return list(pool.map(run, calls))


def _held_open(db_url: str, first_sql: str, first_params: tuple, second: Callable[[], Any]) -> tuple[Any, Any]:
    """Run first_sql in a transaction left open, start second() in a thread, check it waits, commit the first,
    and return (first result, second outcome)."""
    with psycopg.connect(db_url) as conn:
        first = conn.execute(first_sql, first_params).fetchone()
        outcome: list[Any] = []

        def run() -> None:
            try:
                outcome.append(second())
            except MercatoError as exc:
                outcome.append(exc)

        thread = threading.Thread(target=run)
        thread.start()
        time.sleep(0.5)
        assert thread.is_alive(), "the second call must wait for the first transaction"
        conn.commit()
        thread.join(30)
    assert not thread.is_alive()
    return first, outcome[0]


def test_concurrent_double_booking_is_refused(db_url: str) -> None:
    with Client(db_url, max_size=6) as client:
        w, contracts, lines = _contracts(db_url, client, businesses=3, start=TODAY, end=TODAY + dt.timedelta(days=20),
                                         lines=[("p1", 2, "20.00")])
        prov = as_user(client, "prov-1")

        # 1. the first booking is still uncommitted when the second arrives: the second waits, then is refused
        first, second = _held_open(
            db_url,
            "SELECT set_config('request.jwt.claims', '{\"sub\": \"prov-1\"}', true), "
            "(contracts.assign_vehicle(p_contract_line_id := %s, p_vehicle_id := %s)).id",
            (lines[0], w["v1_0"]),
            lambda: prov.contracts.assign_vehicle(lines[1], w["v1_0"]))
        assert isinstance(second, MercatoError) and second.code == "CONTRACTS_VEHICLE_DOUBLE_BOOKED", second

        # 2. three threads at once book one vehicle onto three overlapping contracts: exactly one wins
        results = _race([lambda l=l: prov.contracts.assign_vehicle(l, w["v1_1"]) for l in lines])
        won = [r for r in results if not isinstance(r, MercatoError)]
        lost = [r for r in results if isinstance(r, MercatoError)]
        assert len(won) == 1 and len(lost) == 2, results
        assert {e.code for e in lost} == {"CONTRACTS_VEHICLE_DOUBLE_BOOKED"}

        with psycopg.connect(db_url) as conn:
            per_vehicle = conn.execute(
                "SELECT vehicle_id, count(*) FROM contracts.assignment WHERE status IN ('PENDING_DELIVERY', 'ACTIVE') "
                "GROUP BY vehicle_id ORDER BY vehicle_id").fetchall()
        assert per_vehicle == [(w["v1_0"], 1), (w["v1_1"], 1)]
        assert all(r.ok for r in client.contracts.check())


def test_concurrent_double_settlement_pays_once(db_url: str) -> None:
    start = TODAY - dt.timedelta(days=10)
    with Client(db_url, max_size=6) as client:
        w, contracts, lines = _contracts(db_url, client, businesses=1, start=start, end=TODAY + dt.timedelta(days=5),
                                         lines=[("p1", 1, "100.00")])
        with psycopg.connect(db_url, autocommit=True) as conn:
            conn.execute("INSERT INTO contracts.assignment (contract_line_id, contract_id, provider_id, vehicle_id, period, "
                         "status, started_on) VALUES (%s, %s, %s, %s, daterange(%s, %s), 'ACTIVE', %s)",
                         (lines[0], contracts[0], w["p1"], w["v1_0"], start, TODAY + dt.timedelta(days=6), start))
        first_end = start + dt.timedelta(days=4)
        settle = "SELECT (settlement.settle_provider(p_provider_id := %s, p_period_start := %s, p_period_end := %s, p_reference := %s)).id"

        # 1. another reference for the same period while the first settlement is uncommitted: waits, then refused
        first, second = _held_open(db_url, settle, (w["p1"], start, first_end, "a"),
                                   lambda: client.settlement.settle_provider(w["p1"], start, first_end, "b"))
        assert isinstance(second, MercatoError) and second.code == "SETTLEMENT_PERIOD_SETTLED", second
        # 2. the same reference while the first is uncommitted: waits, then replays the original cycle
        second_end = first_end + dt.timedelta(days=2)
        first, second = _held_open(db_url, settle, (w["p1"], first_end + dt.timedelta(days=1), second_end, "c"),
                                   lambda: client.settlement.settle_provider(w["p1"], first_end + dt.timedelta(days=1), second_end, "c"))
        assert not isinstance(second, MercatoError) and second.id == first[0]
        # 3. four threads settle the rest at once, two references: exactly one cycle, paid once
        rest = (second_end + dt.timedelta(days=1), TODAY - dt.timedelta(days=1))
        results = _race([lambda r=r: client.settlement.settle_provider(w["p1"], *rest, r) for r in ("d", "e", "d", "e")])
        cycles = {r.id for r in results if not isinstance(r, MercatoError)}
        refused = {r.code for r in results if isinstance(r, MercatoError)}
        assert len(cycles) == 1 and refused <= {"SETTLEMENT_PERIOD_SETTLED"}, results

        # 10 days x 100.00 = 1000.00 earned in cycles of 5, 2 and 3 days: 10 % commission (50.00, 20.00, 30.00)
        # lifted to the 50.00 minimum per cycle line
        assert client.ledger.account_balance(w["w_p1"]).balance == Decimal("850.00")
        assert len(client.settlement.list_cycles(w["p1"])) == 3
        assert all(r.ok for r in client.contracts.check())
        assert all(r.ok for r in client.settlement.check())
        assert all(r.ok for r in client.ledger.check())
