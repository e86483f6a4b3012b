"""Contracts and settlement through the Python client and the CLI, each caller identified by its claims exactly
as PostgREST would (role mercato_user + request.jwt.claims). Fixture rows from other modules (parties, vehicles,
RFQ awards) are written directly as the owner, as the pgTAP tests do."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import psycopg
import pytest
from click.testing import CliRunner

from mercato.cli import cli
from mercato.client import Client
from mercato.config import project_root
from mercato.errors import MercatoError

TODAY = dt.date.today()


def _one(conn: psycopg.Connection, sql: str, *params: Any) -> Any:
    return conn.execute(sql, params).fetchone()[0]


def build_world(db_url: str, *, start: dt.date, end: dt.date, lines: list[tuple[str, int, str]],
                businesses: int = 1, vehicles_per_provider: int = 3, tag: str = "") -> dict[str, Any]:
    """Wallets, one business (biz-1..), two providers (prov-1, prov-2) with insured sedans, and one AWARDED RFQ per
    business with the given lines [(provider key, quantity, unit price)] of sedans. Returns the ids."""
    w: dict[str, Any] = {}
    with psycopg.connect(db_url, autocommit=True) as conn:
        conn.execute("SET mercato.bulk_load = on")  # awarded RFQs with their bids, loaded as history
        bank = _one(conn, "SELECT ledger.open_account('PLATFORM', 'bank', 'CLEARING', 'ETB', true)")
        for p in (1, 2):
            sub = f"prov-{p}{tag}"
            wallet = _one(conn, "SELECT ledger.open_account('PROVIDER', %s, 'MAIN', 'ETB')", sub)
            uid = _one(conn, "SELECT identity.register_user(%s, 'PROVIDER', %s)", sub, sub)
            pid = _one(conn, "INSERT INTO parties.provider (user_id, provider_type, name, verification_status, wallet_account_id) "
                             "VALUES (%s, 'COMPANY', %s, 'VERIFIED', %s) RETURNING id", uid, sub, wallet)
            w[f"p{p}"], w[f"w_p{p}"] = pid, wallet
            for n in range(vehicles_per_provider):
                vid = _one(conn, "INSERT INTO fleet.vehicle (provider_id, plate_number, vehicle_type, engine_type, seat_count, status) "
                                 "VALUES (%s, %s, 'SEDAN', 'PETROL', 4, 'ACTIVE') RETURNING id", pid, f"P{p}{tag.upper()}-{n}")
                conn.execute("INSERT INTO fleet.vehicle_insurance (vehicle_id, insurance_type, company_name, coverage_start, "
                             "coverage_end, certificate_url, status) VALUES (%s, 'COMPREHENSIVE', 'Nyala', %s, %s, "
                             "'https://example.test/c', 'VERIFIED')", (vid, start - dt.timedelta(days=30), end + dt.timedelta(days=30)))
                w[f"v{p}_{n}"] = vid
        for b in range(1, businesses + 1):
            sub = f"biz-{b}{tag}"
            wallet = _one(conn, "SELECT ledger.open_account('BUSINESS', %s, 'MAIN', 'ETB')", sub)
            conn.execute("SELECT ledger.transfer(%s, %s, %s, 10000000)", (f"fund-{sub}", bank, wallet))
            uid = _one(conn, "SELECT identity.register_user(%s, 'BUSINESS', %s)", sub, sub)
            bid = _one(conn, "INSERT INTO parties.business (user_id, name, business_type, kyb_status, wallet_account_id) "
                             "VALUES (%s, %s, 'NGO', 'VERIFIED', %s) RETURNING id", uid, sub, wallet)
            rfq = _one(conn, "INSERT INTO marketplace.rfq (business_id, title, currency, start_date, end_date, bid_deadline, status, "
                             "published_at, awarded_at) VALUES (%s, 'fleet', 'ETB', %s, %s, %s, 'AWARDED', now() - interval '3 days', "
                             "now() - interval '1 day') RETURNING id",
                       bid, start, end, dt.datetime.combine(start - dt.timedelta(days=2), dt.time(), dt.timezone.utc))
            for n, (prov, qty, price) in enumerate(lines, 1):
                line = _one(conn, "INSERT INTO marketplace.rfq_line (rfq_id, line_no, vehicle_type, quantity_required) "
                                  "VALUES (%s, %s, 'SEDAN', %s) RETURNING id", rfq, n, qty)
                conn.execute("INSERT INTO marketplace.bid (rfq_id, provider_id, status) VALUES (%s, %s, 'AWARDED') "
                             "ON CONFLICT (rfq_id, provider_id) DO NOTHING", (rfq, w[prov]))
                bid_id = _one(conn, "SELECT id FROM marketplace.bid WHERE rfq_id = %s AND provider_id = %s", rfq, w[prov])
                conn.execute("INSERT INTO marketplace.bid_line (bid_id, rfq_line_id, unit_price, quantity_offered) "
                             "VALUES (%s, %s, %s, %s)", (bid_id, line, price, qty))
                conn.execute("INSERT INTO marketplace.award (rfq_id, rfq_line_id, bid_id, provider_id, quantity_awarded, unit_price, "
                             "awarded_at) VALUES (%s, %s, %s, %s, %s, %s, now() - interval '1 day')",
                             (rfq, line, bid_id, w[prov], qty, price))
            w[f"b{b}"], w[f"w_b{b}"], w[f"rfq{b}"] = bid, wallet, rfq
    return w


def as_user(client: Client, subject: str) -> Client:
    return client.as_caller({"sub": subject, "role": "mercato_user"}, role="mercato_user")


def start_assignments(db_url: str, contract_id: int, started_on: dt.date) -> None:
    """What delivery would have recorded had the vehicles been assigned and handed over on ``started_on``
    (back-dated for the test as the owner, with the guard trigger off)."""
    with psycopg.connect(db_url, autocommit=True) as conn:
        conn.execute("ALTER TABLE contracts.assignment DISABLE TRIGGER assignment_guard")
        conn.execute("UPDATE contracts.assignment SET status = 'ACTIVE', started_on = %s, period = daterange(%s, upper(period)) "
                     "WHERE contract_id = %s AND status = 'PENDING_DELIVERY'", (started_on, started_on, contract_id))
        conn.execute("ALTER TABLE contracts.assignment ENABLE TRIGGER assignment_guard")


@pytest.fixture
def service(db_url: str) -> Client:
    with Client(db_url) as client:
        yield client


def test_contract_lifecycle_through_the_client(db_url: str, service: Client) -> None:
    w = build_world(db_url, start=TODAY, end=TODAY + dt.timedelta(days=9), lines=[("p1", 2, "100.00"), ("p2", 1, "55.55")])
    biz, prov1, prov2 = as_user(service, "biz-1"), as_user(service, "prov-1"), as_user(service, "prov-2")

    with pytest.raises(MercatoError) as info:
        as_user(service, "prov-1").contracts.create_contract(w["rfq1"])
    assert info.value.code == "IDENTITY_NOT_A_BUSINESS"
    contract = biz.contracts.create_contract(w["rfq1"])
    assert contract.status == "PENDING_ACTIVATION" and contract.total_amount == Decimal("2555.50")
    assert biz.contracts.create_contract(w["rfq1"]).id == contract.id, "a retry returns the same contract"

    active = biz.contracts.activate_contract(contract.id)
    assert active.status == "ACTIVE" and active.activated_at is not None
    assert service.ledger.account_balance(w["w_b1"]).held == Decimal("2555.50")

    lines = {l["provider_id"]: l for l in biz.contracts.get_contract(contract.id)["lines"]}
    a1 = prov1.contracts.assign_vehicle(lines[w["p1"]]["id"], w["v1_0"])
    assert a1.status == "PENDING_DELIVERY" and a1.contract_id == contract.id
    with pytest.raises(MercatoError) as info:
        prov2.contracts.assign_vehicle(lines[w["p1"]]["id"], w["v2_0"])
    assert info.value.code == "CONTRACTS_FORBIDDEN" and info.value.http_status == 403
    with pytest.raises(MercatoError) as info:
        prov1.contracts.assign_vehicle(lines[w["p1"]]["id"], w["v1_0"])
    assert info.value.code == "CONTRACTS_VEHICLE_DOUBLE_BOOKED" and info.value.http_status == 409
    prov2.contracts.assign_vehicle(lines[w["p2"]]["id"], w["v2_0"])

    seen_by_p2 = prov2.contracts.get_contract(contract.id)
    assert [l["provider_id"] for l in seen_by_p2["lines"]] == [w["p2"]], "a provider sees only its own lines"
    assert [c.id for c in prov1.contracts.list_contracts()] == [contract.id]

    ended = biz.contracts.terminate_contract(contract.id, "project cancelled")
    assert ended.status == "TERMINATED"
    # nothing was delivered, nothing earned: the whole escrow is back
    assert service.ledger.account_balance(w["w_b1"]).held == Decimal("0")
    assert all(r.ok for r in service.contracts.check())
    assert all(r.ok for r in service.ledger.check()), "and the ledger agrees"


def test_insufficient_funds_changes_nothing(db_url: str, service: Client) -> None:
    w = build_world(db_url, start=TODAY, end=TODAY + dt.timedelta(days=364), lines=[("p1", 500, "100.00")])
    biz = as_user(service, "biz-1")
    contract = biz.contracts.create_contract(w["rfq1"])
    assert contract.total_amount == Decimal("18250000.00")
    before = service.ledger.account_balance(w["w_b1"])
    with pytest.raises(MercatoError) as info:
        biz.contracts.activate_contract(contract.id)
    assert info.value.code == "CONTRACTS_INSUFFICIENT_FUNDS" and info.value.http_status == 402
    assert "18250000" in (info.value.detail or "") and "10000000" in (info.value.detail or ""), "needed vs available"
    assert service.ledger.account_balance(w["w_b1"]) == before
    assert biz.contracts.get_contract(contract.id)["status"] == "PENDING_ACTIVATION"


def test_settlement_through_the_client(db_url: str, service: Client) -> None:
    start = TODAY - dt.timedelta(days=10)
    w = build_world(db_url, start=start, end=TODAY + dt.timedelta(days=9), lines=[("p1", 1, "142.87")])
    biz = as_user(service, "biz-1")
    contract = biz.contracts.create_contract(w["rfq1"])
    biz.contracts.activate_contract(contract.id)
    line = biz.contracts.get_contract(contract.id)["lines"][0]
    with psycopg.connect(db_url, autocommit=True) as conn:   # the vehicle was delivered on day one
        conn.execute("INSERT INTO contracts.assignment (contract_line_id, contract_id, provider_id, vehicle_id, period, status, "
                     "started_on) VALUES (%s, %s, %s, %s, daterange(%s, %s), 'ACTIVE', %s)",
                     (line["id"], contract.id, w["p1"], w["v1_0"], start, TODAY + dt.timedelta(days=10), start))
    period_end = start + dt.timedelta(days=6)
    cycle = service.settlement.settle_provider(w["p1"], start, period_end, "week-1")
    assert (cycle.gross, cycle.commission, cycle.net) == (Decimal("1000.09"), Decimal("100.01"), Decimal("900.08"))
    assert service.settlement.settle_provider(w["p1"], start, period_end, "week-1").id == cycle.id, "a replay returns the cycle"
    with pytest.raises(MercatoError) as info:
        service.settlement.settle_provider(w["p1"], start + dt.timedelta(days=3), period_end + dt.timedelta(days=1), "other")
    assert info.value.code == "SETTLEMENT_PERIOD_SETTLED" and info.value.http_status == 409
    assert service.ledger.account_balance(w["w_p1"]).balance == Decimal("900.08")

    run = service.settlement.run(period_end + dt.timedelta(days=1), TODAY - dt.timedelta(days=1))
    assert [(r.currency, r.cycles, r.lines, r.gross) for r in run] == [("ETB", 1, 1, Decimal("428.61"))]
    prov = as_user(service, "prov-1")
    assert {c.id for c in prov.settlement.list_cycles()} >= {cycle.id}
    assert len(prov.settlement.get_cycle(cycle.id)["lines"]) == 1
    with pytest.raises(MercatoError) as info:
        as_user(service, "prov-2").settlement.get_cycle(cycle.id)
    assert info.value.code == "SETTLEMENT_FORBIDDEN"
    with pytest.raises(MercatoError) as info:
        prov.settlement.settle_provider(w["p1"], start, period_end, "self")
    assert info.value.code == "SETTLEMENT_FORBIDDEN"
    assert all(r.ok for r in service.contracts.check()) and all(r.ok for r in service.settlement.check())


def invoke(db_url: str, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), env={"DATABASE_URL": db_url}, catch_exceptions=False,
                                standalone_mode=True)
    return result.exit_code, result.stdout, result.stderr


def run_mercato(db_url: str, *args: str) -> subprocess.CompletedProcess:
    """The installed entry point, so refusals go through the one-line error handler."""
    exe = Path(sys.executable).parent / "mercato"
    return subprocess.run([str(exe), *args], capture_output=True, text=True, cwd=project_root(),
                          env={**os.environ, "DATABASE_URL": db_url}, timeout=120)


def test_cli_contract_and_settle(db_url: str) -> None:
    start = TODAY - dt.timedelta(days=5)
    w = build_world(db_url, start=start, end=TODAY + dt.timedelta(days=4), lines=[("p1", 1, "10.00")])
    code, out, _ = invoke(db_url, "contract", "create", str(w["rfq1"]), "--as", "biz-1", "--json")
    assert code == 0, out
    contract = json.loads(out)
    assert contract["status"] == "PENDING_ACTIVATION" and contract["total_amount"] == "100.0000"
    code, out, _ = invoke(db_url, "contract", "activate", str(contract["id"]), "--as", "biz-1")
    assert code == 0 and "ACTIVE" in out
    code, out, _ = invoke(db_url, "contract", "show", str(contract["id"]), "--as", "biz-1", "--json")
    line = json.loads(out)["lines"][0]
    code, out, _ = invoke(db_url, "contract", "assign", "--line", str(line["id"]), "--vehicle", str(w["v1_0"]), "--as", "prov-1")
    assert code == 0 and "PENDING_DELIVERY" in out
    full = run_mercato(db_url, "contract", "assign", "--line", str(line["id"]), "--vehicle", str(w["v1_1"]), "--as", "prov-1")
    assert full.returncode == 1 and full.stderr.startswith("error: CONTRACTS_LINE_FULL:") and full.stderr.count("\n") == 1
    stranger = run_mercato(db_url, "contract", "terminate", str(contract["id"]), "--reason", "x", "--as", "nobody")
    assert stranger.returncode == 1 and stranger.stderr.startswith("error: IDENTITY_NOT_AUTHENTICATED:")
    start_assignments(db_url, contract["id"], start)
    code, out, _ = invoke(db_url, "settle", "provider", str(w["p1"]), "--from", str(start), "--to", str(TODAY - dt.timedelta(days=1)),
                          "-r", "cli-1", "--json")
    assert code == 0, out
    cycle = json.loads(out)
    assert (cycle["gross"], cycle["commission"], cycle["net"]) == ("50.0000", "12.5000", "37.5000"), \
        "5 days x 10.00: the 50.00 minimum commission takes at most its share (0.25) of the line"
    code, out, _ = invoke(db_url, "settle", "cycles", "--as", "prov-1")
    assert code == 0 and "cli-1" in out
    code, out, _ = invoke(db_url, "settle", "show", str(cycle["id"]))
    assert code == 0 and "vehicle_days" in out
    code, out, _ = invoke(db_url, "contract", "terminate", str(contract["id"]), "--reason", "done", "--as", "biz-1")
    assert code == 0 and "TERMINATED" in out
    code, out, _ = invoke(db_url, "contract", "check")
    assert code == 0 and "hold_equals_escrow_remainder" in out
    code, out, _ = invoke(db_url, "settle", "check")
    assert code == 0
    code, out, _ = invoke(db_url, "contract", "list", "--as", "biz-1", "--json")
    assert [c["status"] for c in json.loads(out)] == ["TERMINATED"]
    with psycopg.connect(db_url, autocommit=True) as conn:    # corrupt one line's bookkeeping (guard off)
        conn.execute("ALTER TABLE contracts.contract_line DISABLE TRIGGER contract_line_guard")
        conn.execute("UPDATE contracts.contract_line SET released = released - 1 WHERE id = %s", (line["id"],))
        conn.execute("ALTER TABLE contracts.contract_line ENABLE TRIGGER contract_line_guard")
    broken = run_mercato(db_url, "contract", "check")
    assert broken.returncode == 1 and "hold_equals_escrow_remainder" in broken.stderr
