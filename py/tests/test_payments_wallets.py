"""Wallets, KYC levels and fees (issue 19, docs/payments.md) as PostgREST serves them, through the library and the CLI:
a payer opens its wallet and reads balance, statement and limits; a payments administrator sets a KYC level and fee
rules; anyone signed in quotes a fee; a merchant reads its own fee report and nobody else's. Superuser connections only
arrange the world (tests.payments_world, money from an external test account, one fee charged)."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import psycopg
import pytest
from click.testing import CliRunner

from mercato.client import Client
from mercato.errors import MercatoError
from mercato.harness.postgrest import PostgREST
from jwt_helper import rest_as_authenticator, sign


@pytest.fixture
def world(db_url: str) -> Iterator[dict[str, Any]]:
    prefix = f"pw{uuid.uuid4().hex[:6]}"
    with psycopg.connect(db_url, autocommit=True) as conn:
        ids = conn.execute("SELECT tests.payments_world(%s)", (prefix,)).fetchone()[0]
        wallet = conn.execute("SELECT payments.wallet_for('USER', %s, 'KES')", (ids["payer"],)).fetchone()[0]
        conn.execute("SELECT ledger.transfer(%s, ledger.open_account('PLATFORM', 'test', 'EXTERNAL', 'KES', true), %s, "
                     "1000)", (f"test:{prefix}:fund", wallet))
        # one fee the platform earned on a payment to the merchant (as an operation would record it)
        conn.execute("SELECT ledger.transfer(%s, %s, payments.revenue_account('KES'), 2.50)", (f"test:{prefix}:fee", wallet))
        conn.execute("SELECT payments.record_fee(%s, 'PAYMENT', NULL, %s, 'KES', 100, 2.50, NULL, 'test', 1)",
                     (f"test:{prefix}:fee", ids["merchant"]))
    rest = rest_as_authenticator(db_url)
    yield {**ids, "prefix": prefix, "wallet": wallet, "rest": rest}
    rest.close()


def _user(sub: str) -> dict[str, str]:
    return {"sub": sub, "role": "mercato_user"}


def test_wallets_kyc_and_fees_over_http(world: dict[str, Any]) -> None:
    rest: PostgREST = world["rest"]
    p = world["prefix"]
    payer, admin = sign(_user(f"{p}-payer")), sign(_user(f"{p}-admin"))
    owner, clerk = sign(_user(f"{p}-merchant")), sign(_user(f"{p}-clerk"))
    opened = rest.rpc("open_wallet", {"p_currency": "KES"}, token=payer)
    assert opened.ok and opened.body == world["wallet"], opened.body
    mine = rest.rpc("my_wallets", {}, token=payer)
    assert mine.ok and [(w["wallet_id"], Decimal(str(w["balance"]))) for w in mine.body] == [(world["wallet"],
                                                                                               Decimal("997.50"))]
    statement = rest.rpc("wallet_statement", {"p_wallet_id": world["wallet"]}, token=payer)
    assert statement.ok and [r["reference"] for r in statement.body] == [f"test:{p}:fund", f"test:{p}:fee"]
    assert rest.rpc("wallet_statement", {"p_wallet_id": world["wallet"]}, token=clerk).code == "PAYMENTS_UNKNOWN_WALLET"
    assert rest.rpc("wallet_limits", {"p_wallet_id": world["wallet"]}, token=payer).body["kyc_level"] == 0

    refused = rest.rpc("set_kyc_level", {"p_owner_type": "USER", "p_owner_id": world["payer"], "p_level": 2}, token=payer)
    assert (refused.status, refused.code) == (403, "IDENTITY_PERMISSION_DENIED"), refused.body
    assert rest.rpc("set_kyc_level", {"p_owner_type": "USER", "p_owner_id": world["payer"], "p_level": 2,
                                      "p_note": "ID checked"}, token=admin).ok
    limits = rest.rpc("wallet_limits", {"p_wallet_id": world["wallet"]}, token=payer).body
    assert (limits["kyc_level"], limits["max_balance"]) == (2, "1000000.00"), limits

    rule = rest.rpc("set_fee_rule", {"p_organization_id": None, "p_operation": "PAYMENT", "p_rail": None,
                                     "p_currency": "KES", "p_percent": "1.5", "p_fixed": "1", "p_min_fee": "5"},
                    token=admin)
    assert rule.ok, rule.body
    quote = rest.rpc("fee_quote", {"p_operation": "PAYMENT", "p_rail": "MPESA", "p_organization_id": None,
                                   "p_currency": "KES", "p_amount": "1000"}, token=payer)
    assert quote.ok and Decimal(str(quote.body)) == Decimal("16.00"), quote.body
    period = {"p_from": (dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=1)).isoformat(),
              "p_to": (dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=1)).isoformat()}
    report = rest.rpc("fee_report", {"p_organization_id": world["merchant"], **period}, token=owner)
    assert report.ok and [(r["charges"], Decimal(str(r["fees"]))) for r in report.body] == [(1, Decimal("2.50"))]
    assert rest.rpc("fee_report", {"p_organization_id": world["merchant"], **period}, token=clerk).status == 403
    assert rest.rpc("fee_report", {"p_organization_id": None, **period}, token=admin).ok
    assert rest.rpc("my_wallets", {}).status in (401, 403), "not anonymously"


def test_the_library(db_url: str, world: dict[str, Any]) -> None:
    p = world["prefix"]
    now = dt.datetime.now(dt.timezone.utc)
    with Client(db_url, claims=_user(f"{p}-payer"), role="mercato_user") as payer:
        assert payer.payments.open_wallet("KES") == world["wallet"]
        assert payer.payments.my_wallets()[0]["available"] == Decimal("997.50")
        rows = payer.payments.wallet_statement(world["wallet"], from_=now - dt.timedelta(hours=1), limit=1)
        assert [r["balance_after"] for r in rows] == [Decimal("1000")]
        assert payer.payments.wallet_limits(world["wallet"])["daily_withdrawal"] == "20000.00"
        assert payer.payments.fee_quote("PAYMENT", "KES", "100") == Decimal("0")
        with pytest.raises(MercatoError) as info:
            payer.payments.set_kyc_level("USER", world["payer"], 1)
        assert info.value.code == "IDENTITY_PERMISSION_DENIED"
    with Client(db_url, claims=_user(f"{p}-merchant"), role="mercato_user") as owner:
        org_wallet = owner.payments.open_wallet("KES", world["merchant"])
        assert {w["wallet_id"] for w in owner.payments.my_wallets()} == {org_wallet}
        report = owner.payments.fee_report(now - dt.timedelta(days=1), now + dt.timedelta(days=1), world["merchant"])
        assert [r["fees"] for r in report] == [Decimal("2.50")]
    with Client(db_url) as service:
        service.payments.set_kyc_level("ORG", world["merchant"], 3, "merchant verified")
        rule = service.payments.set_fee_rule("PAYMENT", "KES", "2", organization_id=world["merchant"], max_fee="10")
        assert isinstance(rule, int)
        assert service.payments.fee_quote("PAYMENT", "KES", "1000", organization_id=world["merchant"]) == Decimal("10.00")
        assert service.payments.wallet_limits(org_wallet)["kyc_level"] == 3
        with pytest.raises(MercatoError) as info:
            service.payments.fee_report(now, now - dt.timedelta(days=1))
        assert info.value.code == "PAYMENTS_INVALID_INPUT"


def test_the_cli(db_url: str, world: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    from mercato.cli import cli

    p = world["prefix"]
    monkeypatch.setenv("DATABASE_URL", db_url)
    runner = CliRunner()

    def run(*args: str) -> str:
        r = runner.invoke(cli, list(args))
        assert r.exit_code == 0, (args, r.output, r.exception)
        return r.output

    assert run("pay", "wallet", "open", "KES", "--as", f"{p}-payer").strip() == str(world["wallet"])
    assert "997.50" in run("pay", "wallet", "list", "--as", f"{p}-payer")
    assert f"test:{p}:fee" in run("pay", "wallet", "statement", str(world["wallet"]), "--as", f"{p}-payer")
    assert '"max_balance": "100000.00"' in run("pay", "wallet", "limits", str(world["wallet"]), "--json",
                                               "--as", f"{p}-payer")
    assert "KYC level 1" in run("pay", "kyc", "set", "USER", str(world["payer"]), "1", "--as", f"{p}-admin")
    assert run("pay", "fee", "set", "WITHDRAWAL", "KES", "0", "--fixed", "30", "--rail", "MPESA").strip().isdigit()
    assert run("pay", "fee", "quote", "WITHDRAWAL", "KES", "500", "--rail", "MPESA", "--as", f"{p}-payer").strip() == "30.00"
    today = dt.date.today()
    out = run("pay", "fee", "report", "--from", (today - dt.timedelta(days=1)).isoformat(), "--to",
              (today + dt.timedelta(days=1)).isoformat(), "--merchant", str(world["merchant"]), "--as", f"{p}-merchant")
    assert "2.50" in out, out
    r = runner.invoke(cli, ["pay", "wallet", "statement", str(world["wallet"]), "--as", f"{p}-clerk"])
    assert isinstance(r.exception, MercatoError) and r.exception.code == "PAYMENTS_UNKNOWN_WALLET"
