"""The ledger through the Python library and the CLI, end to end on a freshly deployed database."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

from mercato.cli import cli
from mercato.client import Client
from mercato.config import project_root
from mercato.errors import MercatoError
from mercato.ledger import Balance, CheckResult, StatementLine


@pytest.fixture
def client(db_url: str) -> Client:
    with Client(db_url) as c:
        yield c


@pytest.fixture
def accounts(client: Client) -> dict[str, int]:
    ids = {
        "bank": client.open_account("PLATFORM", "bank", "CLEARING", "ETB", allow_negative=True),
        "biz": client.open_account("BUSINESS", "b1", "MAIN", "ETB"),
        "prov": client.open_account("PROVIDER", "p1", "MAIN", "ETB"),
        "fees": client.open_account("PLATFORM", "fees", "COMMISSION", "ETB", slots=4),
    }
    client.transfer("fund", ids["bank"], ids["biz"], Decimal("1000.00"))
    return ids


def test_transfer_and_typed_balance(client: Client, accounts: dict[str, int]) -> None:
    tx = client.transfer("t1", accounts["biz"], accounts["prov"], "250.25", memo="rent")
    assert client.transfer("t1", accounts["biz"], accounts["prov"], "250.25", memo="rent") == tx, "replay"
    bal = client.account_balance(accounts["biz"])
    assert isinstance(bal, Balance)
    assert (bal.balance, bal.held, bal.available, bal.currency) == (Decimal("749.75"), 0, Decimal("749.75"), "ETB")
    with pytest.raises(MercatoError) as info:
        client.transfer("t1", accounts["biz"], accounts["prov"], "1")
    assert (info.value.code, info.value.http_status) == ("LEDGER_IDEMPOTENCY_CONFLICT", 422)


@pytest.mark.parametrize("amount, code, status", [
    ("5000", "LEDGER_INSUFFICIENT_FUNDS", 402),
    ("1.001", "LEDGER_AMOUNT_PRECISION", 400),
    ("0", "LEDGER_AMOUNT_INVALID", 400),
    ("-3", "LEDGER_AMOUNT_INVALID", 400),
])
def test_refusals_have_codes_and_change_nothing(client: Client, accounts: dict[str, int], amount: str, code: str,
                                                status: int) -> None:
    with pytest.raises(MercatoError) as info:
        client.transfer(f"bad-{amount}", accounts["biz"], accounts["prov"], amount)
    assert (info.value.code, info.value.http_status) == (code, status)
    assert client.account_balance(accounts["biz"]).balance == Decimal("1000.00")
    assert client.account_balance(accounts["prov"]).balance == 0


def test_floats_are_refused_before_reaching_the_database(client: Client, accounts: dict[str, int]) -> None:
    with pytest.raises(TypeError):
        client.transfer("float", accounts["biz"], accounts["prov"], 0.1)  # type: ignore[arg-type]


def test_hold_capture_release_expire(client: Client, accounts: dict[str, int]) -> None:
    h1 = client.create_hold("h1", accounts["biz"], "300")
    assert client.account_balance(accounts["biz"]).available == Decimal("700.00")
    tx = client.capture_hold("c1", h1, [{"account_id": accounts["prov"], "amount": "270"},
                                        {"account_id": accounts["fees"], "amount": Decimal("27")}])
    assert tx > 0
    biz = client.account_balance(accounts["biz"])
    assert (biz.balance, biz.held, biz.available) == (Decimal("703.00"), 0, Decimal("703.00")), "3.00 released"
    assert client.account_balance(accounts["fees"]).balance == Decimal("27")
    with pytest.raises(MercatoError) as info:
        client.release_hold("r1", h1)
    assert info.value.code == "LEDGER_HOLD_RESOLVED" and info.value.http_status == 409

    h2 = client.create_hold("h2", accounts["biz"], "100", expires_at=dt.datetime.now(dt.timezone.utc)
                            + dt.timedelta(seconds=1))
    client.release_hold("r2", h2)
    client.release_hold("r2", h2)   # replay of the same release
    with pytest.raises(MercatoError) as info:
        client.create_hold("h3", accounts["biz"], "1", expires_at=dt.datetime(2000, 1, 1, tzinfo=dt.timezone.utc))
    assert info.value.code == "LEDGER_HOLD_EXPIRY_INVALID"
    assert client.expire_holds() == 0


def test_post_batch_reverse_statement_balance_at_check(client: Client, accounts: dict[str, int]) -> None:
    items = client.post_batch([
        {"reference": f"b{i}", "debit_account_id": accounts["biz"], "credit_account_id": accounts["prov"], "amount": "1.50"}
        for i in range(10)])
    assert [i.reference for i in items] == [f"b{i}" for i in range(10)]
    assert client.post_batch([{"reference": "b0", "debit_account_id": accounts["biz"],
                               "credit_account_id": accounts["prov"], "amount": "1.50"}])[0] == items[0], "replay"
    assert client.account_balance(accounts["prov"]).balance == Decimal("15.00")
    post = client.post("p1", [{"account_id": accounts["biz"], "amount": "10", "side": "DEBIT"},
                              {"account_id": accounts["prov"], "amount": "9", "side": "CREDIT"},
                              {"account_id": accounts["fees"], "amount": "1", "side": "CREDIT"}])
    rev = client.reverse("rv1", post)
    assert rev > post
    with pytest.raises(MercatoError) as info:
        client.reverse("rv2", post)
    assert info.value.code == "LEDGER_ALREADY_REVERSED"
    lines = client.statement(accounts["biz"], limit=5)
    assert all(isinstance(line, StatementLine) for line in lines) and [line.seq for line in lines] == [1, 2, 3, 4, 5]
    page2 = client.statement(accounts["biz"], after_seq=lines[-1].seq, limit=100)
    assert page2[0].seq == 6 and page2[-1].balance_after == client.account_balance(accounts["biz"]).balance
    for earlier, later in zip(lines + page2, (lines + page2)[1:]):
        assert later.balance_before == earlier.balance_after
    assert client.balance_at(accounts["biz"], lines[0].posted_at) == Decimal("1000.00")
    results = client.check()
    assert results and all(isinstance(r, CheckResult) and r.ok for r in results)


def invoke(db_url: str, *args: str) -> tuple[int, str, str]:
    runner = CliRunner()
    result = runner.invoke(cli, list(args), env={"DATABASE_URL": db_url}, catch_exceptions=False,
                           standalone_mode=True)
    return result.exit_code, result.stdout, result.stderr


def test_cli_ledger_commands(db_url: str, accounts: dict[str, int]) -> None:
    code, out, _ = invoke(db_url, "ledger", "transfer", "-r", "cli-1", "--from", str(accounts["biz"]),
                          "--to", str(accounts["prov"]), "--amount", "12.34", "--json")
    assert code == 0 and json.loads(out)["transaction_id"] > 0
    code, out, _ = invoke(db_url, "ledger", "balance", str(accounts["prov"]))
    assert code == 0 and "12.34" in out and "available" in out
    code, out, _ = invoke(db_url, "ledger", "hold", "-r", "cli-h", "--account", str(accounts["biz"]), "--amount", "5",
                          "--json")
    hold_id = json.loads(out)["hold_id"]
    code, out, _ = invoke(db_url, "ledger", "capture", "-r", "cli-c", "--hold", str(hold_id),
                          "--to", f"{accounts['prov']}:4", "--to", f"{accounts['fees']}:1")
    assert code == 0
    code, out, _ = invoke(db_url, "ledger", "statement", str(accounts["prov"]), "--json")
    assert [Decimal(line["amount"]) for line in json.loads(out)] == [Decimal("12.34"), Decimal("4")]
    code, out, _ = invoke(db_url, "ledger", "check")
    assert code == 0 and "trial_balance_per_currency" in out


def run_mercato(db_url: str, *args: str) -> subprocess.CompletedProcess:
    exe = Path(sys.executable).parent / "mercato"
    return subprocess.run([str(exe), *args], capture_output=True, text=True, cwd=project_root(),
                          env={**os.environ, "DATABASE_URL": db_url}, timeout=120)


def test_cli_errors_are_one_line_and_check_fails_on_violation(db_url: str, accounts: dict[str, int],
                                                             client: Client) -> None:
    nsf = run_mercato(db_url, "ledger", "transfer", "-r", "x", "--from", str(accounts["prov"]),
                      "--to", str(accounts["biz"]), "--amount", "1")
    assert nsf.returncode == 1 and nsf.stderr.count("\n") == 1
    assert nsf.stderr.startswith("error: LEDGER_INSUFFICIENT_FUNDS: ")
    assert run_mercato(db_url, "ledger", "check").returncode == 0
    # tamper with a balance as the owner (triggers off): check must fail and show the row
    with client.transaction() as conn:
        conn.execute("ALTER TABLE ledger.account DISABLE TRIGGER USER")
        conn.execute("UPDATE ledger.account SET balance = balance + 1 WHERE id = %s", (accounts["prov"],))
        conn.execute("ALTER TABLE ledger.account ENABLE TRIGGER USER")
    broken = run_mercato(db_url, "ledger", "check")
    assert broken.returncode == 1
    assert "balance_equals_entries" in broken.stderr and str(accounts["prov"]) in broken.stderr


def test_accounts_status_hot_slots_and_expiry(client: Client, accounts: dict[str, int]) -> None:
    from mercato.ledger import BatchResult

    with pytest.raises(MercatoError) as info:
        client.account_balance(10 ** 12)
    assert (info.value.code, info.value.http_status) == ("LEDGER_UNKNOWN_ACCOUNT", 404)
    # opening the same account again returns it; other settings are refused
    assert client.open_account("BUSINESS", "b1", "MAIN", "ETB") == accounts["biz"]
    with pytest.raises(MercatoError) as info:
        client.open_account("BUSINESS", "b1", "MAIN", "ETB", overdraft_limit="5")
    assert (info.value.code, info.value.http_status) == ("LEDGER_ACCOUNT_EXISTS", 409)
    with pytest.raises(MercatoError) as info:
        client.open_account("PLATFORM", "x", "COMMISSION", "ETB", slots=4, allow_negative=True)
    assert info.value.code == "LEDGER_HOT_ACCOUNT_POLICY"
    # a hot account's balance is the sum over its slots, read through one call
    for i in range(6):
        client.transfer(f"hot{i}", accounts["biz"], accounts["fees"], "2.50")
    fees = client.account_balance(accounts["fees"])
    assert (fees.balance, fees.available, fees.status) == (Decimal("15.00"), Decimal("15.00"), "ACTIVE")
    assert len({line.slot for line in client.statement(accounts["fees"])}) >= 1
    # frozen accounts refuse postings (423) until unfrozen
    client.set_account_status(accounts["prov"], "FROZEN")
    with pytest.raises(MercatoError) as info:
        client.transfer("to-frozen", accounts["biz"], accounts["prov"], "1")
    assert (info.value.code, info.value.http_status) == ("LEDGER_ACCOUNT_FROZEN", 423)
    client.set_account_status(accounts["prov"], "ACTIVE")
    items = client.post_batch([{"reference": "pb1", "debit_account_id": accounts["biz"],
                                "credit_account_id": accounts["prov"], "amount": Decimal("1")}])
    assert items == [BatchResult("pb1", items[0].transaction_id)]
    # a hold past its expiry cannot be captured (410) and stays open until expire_holds resolves it
    soon = client.create_hold("hx", accounts["biz"], "10", expires_at=dt.datetime.now(dt.timezone.utc)
                              + dt.timedelta(milliseconds=300))
    import time

    time.sleep(0.6)
    with pytest.raises(MercatoError) as info:
        client.capture_hold("cx", soon, [{"account_id": accounts["prov"], "amount": "10"}])
    assert (info.value.code, info.value.http_status) == ("LEDGER_HOLD_EXPIRED", 410)
    assert client.account_balance(accounts["biz"]).held == Decimal("10")
    assert client.expire_holds() == 1
    assert client.account_balance(accounts["biz"]).held == 0
    with pytest.raises(MercatoError) as info:
        client.release_hold("rx", soon)
    assert info.value.code == "LEDGER_HOLD_RESOLVED"
    assert all(r.ok for r in client.check())


def test_cli_hold_release_reverse_sweep_and_bad_input(db_url: str, accounts: dict[str, int]) -> None:
    code, out, _ = invoke(db_url, "ledger", "open", "--owner-type", "PROVIDER", "--owner-id", "p9", "--purpose", "MAIN",
                          "--currency", "ETB", "--json")
    opened = json.loads(out)
    assert code == 0 and opened["balance"] == "0" and opened["status"] == "ACTIVE" and opened["account_id"] > 0
    code, out, _ = invoke(db_url, "ledger", "hold", "-r", "h-cli", "--account", str(accounts["biz"]), "--amount", "7",
                          "--expires-in", "60", "--json")
    assert code == 0
    hold_id = json.loads(out)["hold_id"]
    code, out, _ = invoke(db_url, "ledger", "release", "-r", "r-cli", "--hold", str(hold_id))
    assert code == 0 and "RELEASED" in out
    code, out, _ = invoke(db_url, "ledger", "transfer", "-r", "t-cli", "--from", str(accounts["biz"]),
                          "--to", str(accounts["prov"]), "--amount", "3", "--json")
    tx = json.loads(out)["transaction_id"]
    code, out, _ = invoke(db_url, "ledger", "reverse", "-r", "rv-cli", "--transaction", str(tx), "--json")
    assert code == 0 and json.loads(out)["reversed"] == tx
    code, out, _ = invoke(db_url, "ledger", "sweep", "--json")
    assert code == 0 and json.loads(out) == {"expired": 0}
    code, out, _ = invoke(db_url, "ledger", "balance", str(accounts["biz"]), "--at", "2000-01-01", "--json")
    assert code == 0 and json.loads(out)[0]["balance"] == "0"
    # usage errors: click's BadParameter (exit 2), never a traceback
    for args in (["hold", "-r", "x", "--account", "1", "--amount", "1", "--expires-in", "99999999999"],
                 ["capture", "-r", "x", "--hold", "1", "--to", "nonsense"],
                 ["capture", "-r", "x", "--hold", "1", "--to", "1:abc"],
                 ["transfer", "--from", "1", "--to", "2", "--amount", "1"]):
        result = CliRunner().invoke(cli, ["ledger", *args], env={"DATABASE_URL": db_url})
        assert result.exit_code == 2, (args, result.output)
        assert result.exception is None or isinstance(result.exception, SystemExit), (args, result.exception)


def test_cli_refusals_through_the_real_entry_point(db_url: str, accounts: dict[str, int]) -> None:
    for args, code in ((["balance", "999999999"], "LEDGER_UNKNOWN_ACCOUNT"),
                       (["transfer", "-r", "q", "--from", str(accounts["biz"]), "--to", str(accounts["biz"]),
                         "--amount", "1"], "LEDGER_SAME_ACCOUNT"),
                       (["capture", "-r", "q", "--hold", "424242", "--to", f"{accounts['prov']}:1"],
                        "LEDGER_UNKNOWN_HOLD"),
                       (["transfer", "-r", "q", "--from", str(accounts["biz"]), "--to", str(accounts["prov"]),
                         "--amount", "NaN"], "LEDGER_AMOUNT_INVALID")):
        proc = run_mercato(db_url, "ledger", *args)
        assert proc.returncode == 1, (args, proc.stderr)
        assert proc.stderr.startswith(f"error: {code}: ") and proc.stderr.count("\n") == 1, proc.stderr
        assert "Traceback" not in proc.stderr
    usage = run_mercato(db_url, "ledger", "hold", "-r", "x", "--account", "1", "--amount", "1", "--expires-in", "0")
    assert usage.returncode == 2 and "Traceback" not in usage.stderr and "--expires-in" in usage.stderr
