"""The credit foundation (issue 20, docs/credit.md) as PostgREST serves it, through the library and the CLI: a vendor
and a retailer register themselves, the credit operator approves and scores them, the vendor opens a line, an order
(a ledger transfer from the line account, as the orders of a later change will post it) takes exactly the available
credit, the line's figures and statement come from the ledger, a downgrade freezes a line in debt. Superuser
connections only arrange the world (tests.credit_world, the stand-in order and payment)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import psycopg
import pytest
from click.testing import CliRunner

from mercato.client import Client
from mercato.errors import MercatoError
from jwt_helper import rest_as_authenticator, sign


@pytest.fixture
def world(db_url: str) -> Iterator[dict[str, Any]]:
    prefix = f"cr{uuid.uuid4().hex[:6]}"
    with psycopg.connect(db_url, autocommit=True) as conn:
        ids = conn.execute("SELECT tests.credit_world(%s)", (prefix,)).fetchone()[0]
        sales = conn.execute("SELECT ledger.open_account('TEST', %s, 'MAIN', 'INR', true)", (f"{prefix}-sales",)).fetchone()[0]
    yield {**ids, "prefix": prefix, "sales": sales}


def _user(sub: str) -> dict[str, str]:
    return {"sub": sub, "role": "mercato_user"}


def _order(db_url: str, line_id: int, sales: int, amount: str, reference: str) -> None:
    with psycopg.connect(db_url, autocommit=True) as conn:
        conn.execute("SELECT ledger.transfer(%s, (SELECT account_id FROM credit.credit_line WHERE id = %s), %s, %s, "
                     "'order', '{\"credit_type\": \"ORDER_CREDIT\"}')", (reference, line_id, sales, Decimal(amount)))


def test_parties_and_a_line_through_the_library(db_url: str, world: dict[str, Any]) -> None:
    p = world["prefix"]
    with Client(db_url, claims=_user(f"{p}-stranger"), role="mercato_user") as stranger, \
            Client(db_url, claims=_user(f"{p}-operator"), role="mercato_user") as operator, \
            Client(db_url, claims=_user(f"{p}-vendor"), role="mercato_user") as vendor, \
            Client(db_url, claims=_user(f"{p}-retailer"), role="mercato_user") as retailer:
        new_vendor = stranger.credit.register_vendor(f"{p} traders", f"{p.upper()}-X", "29")
        assert [v["status"] for v in stranger.credit.vendors()] == ["PENDING"]
        with pytest.raises(MercatoError) as refused:
            stranger.credit.approve_vendor(new_vendor, "1000")
        assert refused.value.code == "IDENTITY_PERMISSION_DENIED"
        operator.credit.reject_vendor(new_vendor, "documents missing")
        assert {v["vendor_id"]: v["status"] for v in operator.credit.vendors()}[new_vendor] == "REJECTED"
        assert operator.credit.risk_band(700, "INR")["max_limit"] == Decimal("200000.00")

        line = vendor.credit.open_line(world["vendor"], world["retailer"], "2500.00", terms_days=15)
        _order(db_url, line, world["sales"], "2500.00", f"{p}-o1")
        got = retailer.credit.line(line)
        assert (got["credit_limit"], got["debt"], got["available"]) == (Decimal("2500.00"), Decimal("2500.00"),
                                                                        Decimal("0.00"))
        with pytest.raises(MercatoError) as refused:
            vendor.credit.set_limit(line, "2499.99")
        assert refused.value.code == "LEDGER_OVERDRAFT_BELOW_DEBT"
        assert [(r["ledger_number"], r["transaction_type"], r["outstanding"]) for r in retailer.credit.statement(line)] \
            == [(1, "ORDER_CREDIT", Decimal("2500.00"))]
        operator.credit.set_retailer_score(world["retailer"], 320, "defaulted")
        assert retailer.credit.line(line)["status"] == "FROZEN"
        assert [x["line_id"] for x in retailer.credit.my_lines()] == [line]
        with pytest.raises(MercatoError) as refused:
            stranger.credit.line(line)
        assert refused.value.code == "CREDIT_UNKNOWN_LINE"


def test_limit_boundary_over_http(db_url: str, world: dict[str, Any]) -> None:
    p = world["prefix"]
    rest = rest_as_authenticator(db_url)
    try:
        vendor = sign(_user(f"{p}-vendor"))
        opened = rest.rpc("open_credit_line", {"p_vendor_id": world["vendor"], "p_retailer_id": world["retailer"],
                                               "p_limit": "100.00"}, token=vendor)
        assert opened.ok, opened.body
        line = opened.body
        _order(db_url, line, world["sales"], "99.99", f"{p}-o1")
        with pytest.raises(psycopg.Error, match="LEDGER_INSUFFICIENT_FUNDS"):
            _order(db_url, line, world["sales"], "0.02", f"{p}-o2")
        _order(db_url, line, world["sales"], "0.01", f"{p}-o3")
        shown = rest.rpc("credit_line", {"p_line_id": line}, token=vendor)
        assert shown.ok and Decimal(str(shown.body[0]["available"])) == 0, shown.body
        over = rest.rpc("set_credit_limit", {"p_line_id": line, "p_limit": "100000.01"}, token=vendor)
        assert (over.status, over.code) == (409, "CREDIT_EXPOSURE_CAP"), over.body
        anon = rest.rpc("credit_line", {"p_line_id": line})
        assert anon.status in (401, 403)
    finally:
        rest.close()


def test_the_cli(db_url: str, world: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    from mercato.cli import cli

    p = world["prefix"]
    monkeypatch.setenv("DATABASE_URL", db_url)
    runner = CliRunner()

    def run(*args: str) -> str:
        r = runner.invoke(cli, list(args))
        assert r.exit_code == 0, (args, r.output, r.exception)
        return r.output

    vendor = run("credit", "vendor", "register", f"{p} cli", f"{p.upper()}-C", "--state", "07", "--as",
                 f"{p}-stranger").strip()
    assert "APPROVED" in run("credit", "vendor", "approve", vendor, "--cap", "5000", "--as", f"{p}-operator")
    assert "exposure cap 6000" in run("credit", "vendor", "cap", vendor, "6000")
    retailer = run("credit", "retailer", "register", f"{p} cli shop", "--state", "07", "--as", f"{p}-stranger").strip()
    assert "(LOW)" in run("credit", "retailer", "score", retailer, "800", "--note", "good", "--as", f"{p}-operator")
    line = run("credit", "line", "open", vendor, retailer, "1000", "--terms", "10", "--as", f"{p}-stranger").strip()
    assert run("credit", "line", "limit", line, "1500", "--as", f"{p}-stranger").strip() == "1500"
    _order(db_url, int(line), world["sales"], "10.00", f"{p}-cli-o1")
    assert "1490.00" in run("credit", "line", "show", line, "--as", f"{p}-stranger")
    assert "ORDER_CREDIT" in run("credit", "line", "statement", line, "--as", f"{p}-stranger")
    assert run("credit", "line", "freeze", line, "--reason", "audit", "--as", f"{p}-stranger").strip() == "FROZEN"
    assert run("credit", "line", "unfreeze", line, "--as", f"{p}-stranger").strip() == "ACTIVE"
    assert line in run("credit", "line", "list", "--as", f"{p}-stranger")
    assert f"{p} cli shop" in run("credit", "retailer", "list", "--as", f"{p}-stranger")
    assert f"{p.upper()}-C" in run("credit", "vendor", "list", "--status", "APPROVED")
    r = runner.invoke(cli, ["credit", "line", "close", line, "--as", f"{p}-stranger"])
    assert isinstance(r.exception, MercatoError) and r.exception.code == "CREDIT_LINE_NOT_SETTLED"
    assert "REJECTED" in run("credit", "vendor", "reject", str(world["pending"]), "no GSTIN")


def test_concurrent_raises_never_exceed_the_exposure_cap(db_url: str, world: dict[str, Any]) -> None:
    """Two lines of one vendor (cap 100,000) raised to 60,000 each at once: the vendor's row lock serializes the cap
    check, so exactly one raise succeeds and the sum of the limits stays within the cap, whatever the timing."""
    import threading

    p = world["prefix"]
    with Client(db_url, claims=_user(f"{p}-operator"), role="mercato_user") as operator:
        operator.credit.set_retailer_score(world["unscored"], 700, "scored")
    with Client(db_url, claims=_user(f"{p}-vendor"), role="mercato_user") as vendor:
        lines = [vendor.credit.open_line(world["vendor"], world[r], "10") for r in ("retailer", "unscored")]
    barrier = threading.Barrier(len(lines))
    outcomes: dict[int, str] = {}

    def raise_limit(line: int) -> None:
        with Client(db_url, claims=_user(f"{p}-vendor"), role="mercato_user", max_size=1) as client:
            barrier.wait()
            try:
                client.credit.set_limit(line, "60000")
                outcomes[line] = "ok"
            except MercatoError as exc:
                outcomes[line] = exc.code

    threads = [threading.Thread(target=raise_limit, args=(line,)) for line in lines]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes.values()) == ["CREDIT_EXPOSURE_CAP", "ok"], outcomes
    with Client(db_url, claims=_user(f"{p}-operator"), role="mercato_user") as operator:
        total = sum(x["credit_limit"] for x in operator.credit.my_lines(vendor_id=world["vendor"]))
    assert total == Decimal("60010"), total
