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
        "bank": client.ledger.open_account("PLATFORM", "bank", "CLEARING", "ETB", allow_negative=True),
        "biz": client.ledger.open_account("BUSINESS", "b1", "MAIN", "ETB"),
        "prov": client.ledger.open_account("PROVIDER", "p1", "MAIN", "ETB"),
        "fees": client.ledger.open_account("PLATFORM", "fees", "COMMISSION", "ETB", slots=4),
    }
    client.ledger.transfer("fund", ids["bank"], ids["biz"], Decimal("1000.00"))
    return ids


def test_transfer_and_typed_balance(client: Client, accounts: dict[str, int]) -> None:
    tx = client.ledger.transfer("t1", accounts["biz"], accounts["prov"], "250.25", memo="rent")
    assert client.ledger.transfer("t1", accounts["biz"], accounts["prov"], "250.25", memo="rent") == tx, "replay"
    bal = client.ledger.account_balance(accounts["biz"])
    assert isinstance(bal, Balance)
    assert (bal.balance, bal.held, bal.available, bal.currency) == (Decimal("749.75"), 0, Decimal("749.75"), "ETB")
    with pytest.raises(MercatoError) as info:
        client.ledger.transfer("t1", accounts["biz"], accounts["prov"], "1")
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
        client.ledger.transfer(f"bad-{amount}", accounts["biz"], accounts["prov"], amount)
    assert (info.value.code, info.value.http_status) == (code, status)
    assert client.ledger.account_balance(accounts["biz"]).balance == Decimal("1000.00")
    assert client.ledger.account_balance(accounts["prov"]).balance == 0


def test_floats_are_refused_before_reaching_the_database(client: Client, accounts: dict[str, int]) -> None:
    with pytest.raises(TypeError):
        client.ledger.transfer("float", accounts["biz"], accounts["prov"], 0.1)  # type: ignore[arg-type]


def test_hold_capture_release_expire(client: Client, accounts: dict[str, int]) -> None:
    h1 = client.ledger.create_hold("h1", accounts["biz"], "300")
    assert client.ledger.account_balance(accounts["biz"]).available == Decimal("700.00")
    tx = client.ledger.capture_hold("c1", h1, [{"account_id": accounts["prov"], "amount": "270"},
                                        {"account_id": accounts["fees"], "amount": Decimal("27")}])
    assert tx > 0
    biz = client.ledger.account_balance(accounts["biz"])
    assert (biz.balance, biz.held, biz.available) == (Decimal("703.00"), 0, Decimal("703.00")), "3.00 released"
    assert client.ledger.account_balance(accounts["fees"]).balance == Decimal("27")
    with pytest.raises(MercatoError) as info:
        client.ledger.release_hold("r1", h1)
    assert info.value.code == "LEDGER_HOLD_RESOLVED" and info.value.http_status == 409

    h2 = client.ledger.create_hold("h2", accounts["biz"], "100", expires_at=dt.datetime.now(dt.timezone.utc)
                            + dt.timedelta(seconds=1))
    client.ledger.release_hold("r2", h2)
    client.ledger.release_hold("r2", h2)   # replay of the same release
    with pytest.raises(MercatoError) as info:
        client.ledger.create_hold("h3", accounts["biz"], "1", expires_at=dt.datetime(2000, 1, 1, tzinfo=dt.timezone.utc))
    assert info.value.code == "LEDGER_HOLD_EXPIRY_INVALID"
    assert client.ledger.expire_holds() == 0


def test_post_batch_reverse_statement_balance_at_check(client: Client, accounts: dict[str, int]) -> None:
    items = client.ledger.post_batch([
        {"reference": f"b{i}", "debit_account_id": accounts["biz"], "credit_account_id": accounts["prov"], "amount": "1.50"}
        for i in range(10)])
    assert [i.reference for i in items] == [f"b{i}" for i in range(10)]
    assert client.ledger.post_batch([{"reference": "b0", "debit_account_id": accounts["biz"],
                               "credit_account_id": accounts["prov"], "amount": "1.50"}])[0] == items[0], "replay"
    assert client.ledger.account_balance(accounts["prov"]).balance == Decimal("15.00")
    post = client.ledger.post("p1", [{"account_id": accounts["biz"], "amount": "10", "side": "DEBIT"},
                              {"account_id": accounts["prov"], "amount": "9", "side": "CREDIT"},
                              {"account_id": accounts["fees"], "amount": "1", "side": "CREDIT"}])
    rev = client.ledger.reverse("rv1", post)
    assert rev > post
    with pytest.raises(MercatoError) as info:
        client.ledger.reverse("rv2", post)
    assert info.value.code == "LEDGER_ALREADY_REVERSED"
    lines = client.ledger.statement(accounts["biz"], limit=5)
    assert all(isinstance(line, StatementLine) for line in lines) and [line.seq for line in lines] == [1, 2, 3, 4, 5]
    page2 = client.ledger.statement(accounts["biz"], after_seq=lines[-1].seq, limit=100)
    assert page2[0].seq == 6 and page2[-1].balance_after == client.ledger.account_balance(accounts["biz"]).balance
    for earlier, later in zip(lines + page2, (lines + page2)[1:]):
        assert later.balance_before == earlier.balance_after
    assert client.ledger.balance_at(accounts["biz"], lines[0].posted_at) == Decimal("1000.00")
    results = client.ledger.check()
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
    code, out, err = invoke(db_url, "ledger", "check")
    assert code == 0 and "trial_balance_per_currency" in out
    assert "full scan" in err and "10 of 10 checks ok" in err and "checks ok" not in out


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
    assert "9 of 10 checks ok" in broken.stderr


def test_accounts_status_hot_slots_and_expiry(client: Client, accounts: dict[str, int]) -> None:
    from mercato.ledger import BatchResult

    with pytest.raises(MercatoError) as info:
        client.ledger.account_balance(10 ** 12)
    assert (info.value.code, info.value.http_status) == ("LEDGER_UNKNOWN_ACCOUNT", 404)
    # opening the same account again returns it; other settings are refused
    assert client.ledger.open_account("BUSINESS", "b1", "MAIN", "ETB") == accounts["biz"]
    with pytest.raises(MercatoError) as info:
        client.ledger.open_account("BUSINESS", "b1", "MAIN", "ETB", overdraft_limit="5")
    assert (info.value.code, info.value.http_status) == ("LEDGER_ACCOUNT_EXISTS", 409)
    with pytest.raises(MercatoError) as info:
        client.ledger.open_account("PLATFORM", "x", "COMMISSION", "ETB", slots=4, overdraft_limit="10")
    assert info.value.code == "LEDGER_HOT_ACCOUNT_POLICY"
    # a hot account's balance is the sum over its slots, read through one call
    for i in range(6):
        client.ledger.transfer(f"hot{i}", accounts["biz"], accounts["fees"], "2.50")
    fees = client.ledger.account_balance(accounts["fees"])
    assert (fees.balance, fees.available, fees.status) == (Decimal("15.00"), Decimal("15.00"), "ACTIVE")
    assert len({line.slot for line in client.ledger.statement(accounts["fees"])}) >= 1
    # frozen accounts refuse postings (423) until unfrozen
    client.ledger.set_account_status(accounts["prov"], "FROZEN")
    with pytest.raises(MercatoError) as info:
        client.ledger.transfer("to-frozen", accounts["biz"], accounts["prov"], "1")
    assert (info.value.code, info.value.http_status) == ("LEDGER_ACCOUNT_FROZEN", 423)
    client.ledger.set_account_status(accounts["prov"], "ACTIVE")
    items = client.ledger.post_batch([{"reference": "pb1", "debit_account_id": accounts["biz"],
                                "credit_account_id": accounts["prov"], "amount": Decimal("1")}])
    assert items == [BatchResult("pb1", items[0].transaction_id)]
    # a hold past its expiry cannot be captured (410) and stays open until expire_holds resolves it
    soon = client.ledger.create_hold("hx", accounts["biz"], "10", expires_at=dt.datetime.now(dt.timezone.utc)
                              + dt.timedelta(milliseconds=300))
    import time

    time.sleep(0.6)
    with pytest.raises(MercatoError) as info:
        client.ledger.capture_hold("cx", soon, [{"account_id": accounts["prov"], "amount": "10"}])
    assert (info.value.code, info.value.http_status) == ("LEDGER_HOLD_EXPIRED", 410)
    assert client.ledger.account_balance(accounts["biz"]).held == Decimal("10")
    assert client.ledger.expire_holds() == 1
    assert client.ledger.account_balance(accounts["biz"]).held == 0
    with pytest.raises(MercatoError) as info:
        client.ledger.release_hold("rx", soon)
    assert info.value.code == "LEDGER_HOLD_RESOLVED"
    assert all(r.ok for r in client.ledger.check())


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


def _code(fn) -> tuple[str, int]:
    """Call fn, which must be refused; return (code, http status)."""
    with pytest.raises(MercatoError) as info:
        fn()
    return info.value.code, info.value.http_status


def _balances(client: Client, *ids: int) -> list[tuple[Decimal, Decimal]]:
    return [(b.balance, b.held) for b in (client.ledger.account_balance(i) for i in ids)]


def test_post_batch_is_all_or_nothing_and_idempotent_per_element(client: Client, accounts: dict[str, int]) -> None:
    biz, prov = accounts["biz"], accounts["prov"]
    before = _balances(client, biz, prov)
    good = {"reference": "ok-1", "debit_account_id": biz, "credit_account_id": prov, "amount": "1.00"}
    # one element over the funds: the whole batch is refused, the good element is not posted either
    assert _code(lambda: client.ledger.post_batch([good, {**good, "reference": "ok-2", "amount": "5000"}])) \
        == ("LEDGER_INSUFFICIENT_FUNDS", 402)
    assert _code(lambda: client.ledger.post_batch([good, {**good, "reference": "ok-2", "amount": "0.001"}]))[0] \
        == "LEDGER_AMOUNT_PRECISION"
    assert _code(lambda: client.ledger.post_batch([good, {**good, "reference": "fund"}]))[0] \
        == "LEDGER_IDEMPOTENCY_CONFLICT", "a reference used by an earlier posting, for another request"
    assert _code(lambda: client.ledger.post_batch([good, good]))[0] == "LEDGER_INVALID_BATCH", "duplicate reference"
    assert _code(lambda: client.ledger.post_batch([]))[0] == "LEDGER_INVALID_BATCH"
    assert _code(lambda: client.ledger.post_batch([{**good, "debit_account_id": accounts["fees"]}]))[0] \
        == "LEDGER_HOT_ACCOUNT_POLICY", "a batch never debits a hot account"
    assert _balances(client, biz, prov) == before
    with client.transaction() as conn:
        assert conn.execute("SELECT count(*) FROM ledger.transaction WHERE reference LIKE 'ok-%'").fetchone()[0] == 0
    # a batch mixing a replayed element and a new one: the replay returns its id, only the new one posts
    first = client.ledger.post_batch([good])
    again = client.ledger.post_batch([good, {**good, "reference": "ok-3", "credit_account_id": accounts["fees"]}])
    assert again[0] == first[0] and again[1].transaction_id not in (first[0].transaction_id,)
    assert client.ledger.account_balance(prov).balance == Decimal("1.00")
    assert client.ledger.account_balance(accounts["fees"]).balance == Decimal("1.00"), "batch credits reach a hot account"


def test_post_legs_replay_and_refusals(client: Client, accounts: dict[str, int]) -> None:
    biz, prov, fees = accounts["biz"], accounts["prov"], accounts["fees"]
    legs = [{"account_id": biz, "amount": "10", "side": "DEBIT"},
            {"account_id": prov, "amount": Decimal("7.5"), "side": "CREDIT"},
            {"account_id": fees, "amount": "2.5", "side": "CREDIT"}]
    tx = client.ledger.post("p-1", legs, memo="split", metadata={"order": 7})
    assert client.ledger.post("p-1", legs, memo="split", metadata={"order": 7}) == tx, "replay"
    assert _code(lambda: client.ledger.post("p-1", [legs[0], {**legs[1], "amount": "8"}, {**legs[2], "amount": "2"}])) \
        == ("LEDGER_IDEMPOTENCY_CONFLICT", 422)
    assert _code(lambda: client.ledger.post("p-2", [legs[0], {**legs[1], "amount": "10.01"}])) == ("LEDGER_UNBALANCED", 400)
    assert _code(lambda: client.ledger.post("p-2", legs[:1]))[0] == "LEDGER_INVALID_LEGS"
    assert _code(lambda: client.ledger.post("p-2", [legs[0], {**legs[1], "side": "SIDEWAYS", "amount": "10"}]))[0] \
        == "LEDGER_INVALID_LEGS"
    netting = [{"account_id": biz, "amount": "1", "side": "DEBIT"}, {"account_id": biz, "amount": "1", "side": "CREDIT"},
               {"account_id": prov, "amount": "1", "side": "CREDIT"}, {"account_id": prov, "amount": "1", "side": "DEBIT"}]
    assert _code(lambda: client.ledger.post("p-2", netting))[0] == "LEDGER_INVALID_LEGS", "an account's legs net to zero"
    # a hot account may be debited by post (all slots locked, their sum checked)
    client.ledger.post("p-3", [{"account_id": fees, "amount": "2.5", "side": "DEBIT"},
                        {"account_id": prov, "amount": "2.5", "side": "CREDIT"}])
    assert _balances(client, biz, prov, fees) == [(Decimal("990"), 0), (Decimal("10.0"), 0), (0, 0)]
    assert _code(lambda: client.ledger.post("p-4", [{"account_id": fees, "amount": "0.01", "side": "DEBIT"},
                                              {"account_id": prov, "amount": "0.01", "side": "CREDIT"}])) \
        == ("LEDGER_INSUFFICIENT_FUNDS", 402)


def test_account_rules(client: Client, accounts: dict[str, int]) -> None:
    biz, prov = accounts["biz"], accounts["prov"]
    usd = client.ledger.open_account("BUSINESS", "b1", "MAIN", "USD")
    assert usd != biz, "one account per currency"
    assert _code(lambda: client.ledger.transfer("x-1", biz, usd, "1")) == ("LEDGER_CURRENCY_MISMATCH", 400)
    # the client calls api.transfer, whose memo is a core.long_text: refused before ledger.transfer runs
    assert _code(lambda: client.ledger.transfer("x-1", biz, prov, "1", memo="x" * 100_000)) == ("CORE_INPUT_TOO_LARGE", 413)
    assert _code(lambda: client.ledger.transfer("", biz, prov, "1")) == ("LEDGER_REFERENCE_INVALID", 400)
    assert _code(lambda: client.ledger.transfer("x-1", biz, 10 ** 12, "1")) == ("LEDGER_UNKNOWN_ACCOUNT", 404)
    assert _code(lambda: client.ledger.transfer("x-1", biz, prov, "Infinity"))[0] == "LEDGER_AMOUNT_INVALID"
    assert client.ledger.transfer("x-exp", biz, prov, Decimal("1E+1")) > 0, "exponent notation is an exact decimal too"
    # receive-only accounts take credits and refuse debits
    ro = client.ledger.open_account("PLATFORM", "rev", "REVENUE", "ETB", receive_only=True)
    client.ledger.transfer("x-ro", biz, ro, "5")
    assert _code(lambda: client.ledger.transfer("x-ro2", ro, biz, "1")) == ("LEDGER_RECEIVE_ONLY", 403)
    # overdraft: down to -limit, not one cent further
    od = client.ledger.open_account("BUSINESS", "od", "CREDIT_LINE", "ETB", overdraft_limit="50.00")
    client.ledger.transfer("x-od", od, prov, "50.00")
    assert client.ledger.account_balance(od).available == Decimal("-50.00")
    assert _code(lambda: client.ledger.transfer("x-od2", od, prov, "0.01"))[0] == "LEDGER_INSUFFICIENT_FUNDS"
    # closing needs an empty account and is final
    assert _code(lambda: client.ledger.set_account_status(prov, "CLOSED")) == ("LEDGER_ACCOUNT_NOT_EMPTY", 409)
    empty = client.ledger.open_account("PROVIDER", "gone", "MAIN", "ETB")
    client.ledger.set_account_status(empty, "CLOSED")
    assert client.ledger.account_balance(empty).status == "CLOSED"
    assert _code(lambda: client.ledger.transfer("x-cl", biz, empty, "1")) == ("LEDGER_ACCOUNT_CLOSED", 423)
    assert _code(lambda: client.ledger.set_account_status(empty, "ACTIVE"))[0] == "LEDGER_ACCOUNT_CLOSED"
    assert _code(lambda: client.ledger.set_account_status(biz, "GONE"))[1] == 400
    # posted rows are immutable, even for the owner
    with pytest.raises(MercatoError) as info:
        with client.transaction() as conn:
            conn.execute("UPDATE ledger.entry SET amount = amount + 1")
    assert (info.value.code, info.value.http_status) == ("LEDGER_IMMUTABLE", 403)
    assert all(r.ok for r in client.ledger.check())


def test_holds_replay_and_refusals(client: Client, accounts: dict[str, int]) -> None:
    biz, prov, fees = accounts["biz"], accounts["prov"], accounts["fees"]
    h = client.ledger.create_hold("hold-1", biz, "100", memo="order 1")
    assert client.ledger.create_hold("hold-1", biz, "100", memo="order 1") == h, "replay: same hold, nothing more held"
    assert client.ledger.account_balance(biz).held == Decimal("100")
    assert _code(lambda: client.ledger.create_hold("hold-1", biz, "101")) == ("LEDGER_IDEMPOTENCY_CONFLICT", 422)
    assert _code(lambda: client.ledger.create_hold("hold-2", biz, "900.01")) == ("LEDGER_INSUFFICIENT_FUNDS", 402)
    assert _code(lambda: client.ledger.transfer("spend", biz, prov, "900.01"))[0] == "LEDGER_INSUFFICIENT_FUNDS", \
        "held money is not available to transfers"
    assert _code(lambda: client.ledger.create_hold("hold-2", fees, "1"))[0] == "LEDGER_HOT_ACCOUNT_POLICY"
    assert _code(lambda: client.ledger.capture_hold("cap-1", h, [{"account_id": prov, "amount": "100.01"}])) \
        == ("LEDGER_CAPTURE_EXCEEDS_HOLD", 400)
    assert _code(lambda: client.ledger.capture_hold("cap-1", h, [{"account_id": prov, "amount": "60"},
                                                          {"account_id": fees, "amount": "40.01"}]))[0] \
        == "LEDGER_CAPTURE_EXCEEDS_HOLD", "the split's sum counts"
    assert _code(lambda: client.ledger.capture_hold("cap-1", 10 ** 12, [{"account_id": prov, "amount": "1"}])) \
        == ("LEDGER_UNKNOWN_HOLD", 404)
    assert client.ledger.account_balance(biz).held == Decimal("100"), "refused captures changed nothing"
    dests = [{"account_id": prov, "amount": "60"}, {"account_id": fees, "amount": "40"}]
    tx = client.ledger.capture_hold("cap-1", h, dests)
    assert client.ledger.capture_hold("cap-1", h, dests) == tx, "a replayed capture returns the original transaction"
    assert _code(lambda: client.ledger.capture_hold("cap-2", h, dests)) == ("LEDGER_HOLD_RESOLVED", 409)
    assert _code(lambda: client.ledger.release_hold("rel-1", h)) == ("LEDGER_HOLD_RESOLVED", 409)
    assert _balances(client, biz, prov, fees) == [(Decimal("900"), 0), (Decimal("60"), 0), (Decimal("40"), 0)]
    with client.transaction() as conn:
        assert conn.execute("SELECT count(*) FROM ledger.transaction WHERE reference LIKE 'cap-%'").fetchone()[0] == 1
    # the captured transaction can be reversed like any other (funds permitting)
    rv = client.ledger.reverse("cap-rv", tx)
    assert _balances(client, biz, prov, fees) == [(Decimal("1000"), 0), (0, 0), (0, 0)] and rv > tx


def test_reversal_once_replay_not_reversible_and_funds(client: Client, accounts: dict[str, int]) -> None:
    biz, prov = accounts["biz"], accounts["prov"]
    tx = client.ledger.transfer("r-1", biz, prov, "40")
    rv = client.ledger.reverse("rv-1", tx, memo="refund")
    assert client.ledger.reverse("rv-1", tx, memo="refund") == rv, "replay of the reversal"
    assert _code(lambda: client.ledger.reverse("rv-2", tx)) == ("LEDGER_ALREADY_REVERSED", 409)
    assert _code(lambda: client.ledger.reverse("rv-3", rv)) == ("LEDGER_NOT_REVERSIBLE", 409)
    assert _code(lambda: client.ledger.reverse("rv-4", 10 ** 12)) == ("LEDGER_UNKNOWN_TRANSACTION", 404)
    assert _code(lambda: client.ledger.reverse("r-1", client.ledger.transfer("r-2", biz, prov, "1")))[0] \
        == "LEDGER_IDEMPOTENCY_CONFLICT", "one reference namespace for all postings"
    # the money left the credited account: the reversal respects funds
    t3 = client.ledger.transfer("r-3", biz, prov, "30")
    client.ledger.transfer("r-4", prov, biz, "31")
    assert _code(lambda: client.ledger.reverse("rv-5", t3)) == ("LEDGER_INSUFFICIENT_FUNDS", 402)
    assert _balances(client, biz, prov) == [(Decimal("1000"), 0), (0, 0)]
    with client.transaction() as conn:
        links = conn.execute("SELECT reversal_of, reversed_by FROM ledger.transaction WHERE id IN (%s, %s) ORDER BY id",
                             (tx, rv)).fetchall()
    assert links == [(None, rv), (tx, None)], "linked both ways"


def test_statement_ranges_pagination_and_balance_at(client: Client, accounts: dict[str, int]) -> None:
    biz, prov, fees = accounts["biz"], accounts["prov"], accounts["fees"]
    for i in range(12):
        client.ledger.transfer(f"s-{i}", biz, prov, f"{i + 1}.00")
    lines = client.ledger.statement(prov)
    assert [line.amount for line in lines] == [Decimal(f"{i + 1}.00") for i in range(12)]
    assert [line.reference for line in lines] == [f"s-{i}" for i in range(12)]
    # keyset pages of 5 give the same lines as one read
    pages, after = [], 0
    while page := client.ledger.statement(prov, after_seq=after, limit=5):
        pages.append(page)
        after = page[-1].seq
    assert [len(p) for p in pages] == [5, 5, 2] and sum(pages, []) == lines
    # time ranges: [from, to)
    mid = lines[4].posted_at
    assert client.ledger.statement(prov, start=mid) == lines[4:]
    assert client.ledger.statement(prov, end=mid) == lines[:4]
    assert client.ledger.statement(prov, start=lines[2].posted_at, end=lines[5].posted_at) == lines[2:5]
    # balance_at: before the first entry 0, at each posting its balance_after, now the balance
    assert client.ledger.balance_at(prov, lines[0].posted_at - dt.timedelta(microseconds=1)) == 0
    for line in lines:
        assert client.ledger.balance_at(prov, line.posted_at) == line.balance_after
    assert client.ledger.balance_at(prov, dt.datetime.now(dt.timezone.utc)) == client.ledger.account_balance(prov).balance
    assert _code(lambda: client.ledger.statement(10 ** 12))[0] == "LEDGER_UNKNOWN_ACCOUNT"
    assert _code(lambda: client.ledger.statement(prov, limit=0))[1] == 400
    # iter_statement pages any account exactly, hot ones included (slots number their entries separately)
    assert list(client.ledger.iter_statement(prov, page_size=5)) == lines
    for i in range(9):
        client.ledger.transfer(f"hs-{i}", prov, fees, "1.00")
    client.ledger.transfer("hs-out", fees, biz, "4.00")
    client.ledger.post_batch([{"reference": f"hb-{i}", "debit_account_id": biz, "credit_account_id": fees, "amount": "0.50"}
                       for i in range(3)])
    hot = client.ledger.statement(fees, limit=1000)
    assert len(hot) == 13 and len({(line.slot, line.seq) for line in hot}) == 13
    assert list(client.ledger.iter_statement(fees, page_size=2)) == hot
    assert sum(1 for _ in client.ledger.iter_statement(fees, start=hot[3].posted_at, page_size=3)) == 10
    assert client.ledger.balance_at(fees, dt.datetime.now(dt.timezone.utc)) == client.ledger.account_balance(fees).balance \
        == Decimal("6.50")


def test_statement_refuses_seq_paging_of_a_hot_account(client: Client, accounts: dict[str, int]) -> None:
    """seq counts per slot on a hot account, so paging by after_seq would skip entries: it is refused, and
    paging by time (iter_statement) returns every entry exactly once."""
    biz, fees = accounts["biz"], accounts["fees"]
    for i in range(4):
        client.ledger.transfer(f"ha-{i}", biz, fees, "1.00")    # transfer credits go to slots 1..n-1
    client.ledger.post_batch([{"reference": "hb", "debit_account_id": biz, "credit_account_id": fees, "amount": "1"}])  # slot 0
    everything = client.ledger.statement(fees)
    assert len(everything) == 5
    with pytest.raises(MercatoError) as info:
        client.ledger.statement(fees, after_seq=1, limit=2)
    assert info.value.code == "CORE_INVALID_ARGUMENT" and "p_after_seq" in (info.value.detail or "")
    assert list(client.ledger.iter_statement(fees, page_size=2)) == everything


def test_cli_table_json_and_statement_options(db_url: str, accounts: dict[str, int], client: Client) -> None:
    for i in range(3):
        client.ledger.transfer(f"ct-{i}", accounts["biz"], accounts["prov"], "1.25")
    code, out, _ = invoke(db_url, "ledger", "balance", str(accounts["biz"]), str(accounts["prov"]))
    header, rule, *rows = out.splitlines()
    assert code == 0 and header.split() == ["account_id", "currency", "balance", "held", "available", "status"]
    assert set(rule) <= {"-", " "} and len(rows) == 2 and rows[1].split()[2] == "3.75"
    code, out, _ = invoke(db_url, "ledger", "balance", str(accounts["biz"]), "--json")
    assert code == 0 and json.loads(out) == [{"account_id": accounts["biz"], "currency": "ETB", "balance": "996.25",
                                              "held": "0", "available": "996.25", "status": "ACTIVE"}]
    code, out, _ = invoke(db_url, "ledger", "statement", str(accounts["prov"]), "--limit", "2", "--after-seq", "1",
                          "--json")
    assert code == 0 and [line["reference"] for line in json.loads(out)] == ["ct-1", "ct-2"]
    code, out, _ = invoke(db_url, "ledger", "statement", str(accounts["prov"]), "--all", "--limit", "1")
    assert code == 0 and [row.split()[-1] for row in out.splitlines()[2:]] == ["ct-0", "ct-1", "ct-2"]
    code, out, _ = invoke(db_url, "ledger", "statement", str(accounts["prov"]), "--from", "2999-01-01", "--json")
    assert code == 0 and json.loads(out) == []
    code, out, _ = invoke(db_url, "ledger", "check", "--json")
    assert code == 0 and all(row["ok"] for row in json.loads(out))
    code, out, _ = invoke(db_url, "ledger", "replay-nothing")
    assert code == 2


def test_cli_hold_retry_with_expires_at_is_idempotent(db_url: str, accounts: dict[str, int], client: Client) -> None:
    args = ["ledger", "hold", "-r", "h-at", "--account", str(accounts["biz"]), "--amount", "2.50",
            "--expires-at", "2999-01-01T00:00:00", "--json"]
    first, again = invoke(db_url, *args), invoke(db_url, *args)
    assert first[0] == again[0] == 0 and json.loads(first[1]) == json.loads(again[1])
    assert client.ledger.account_balance(accounts["biz"]).held == Decimal("2.50"), "held once"
    code, _, err = invoke(db_url, "ledger", "hold", "-r", "h-at2", "--account", str(accounts["biz"]), "--amount", "1",
                          "--expires-at", "2999-01-01", "--expires-in", "5")
    assert code == 2 and "not both" in err
    past = run_mercato(db_url, "ledger", "hold", "-r", "h-at3", "--account", str(accounts["biz"]), "--amount", "1",
                       "--expires-at", "2001-01-01")
    assert past.returncode == 1 and past.stderr.startswith("error: LEDGER_HOLD_EXPIRY_INVALID: ")


def test_the_library_as_the_service_role_and_app_roles_refused(client: Client, accounts: dict[str, int]) -> None:
    """Grants, not superuser powers: every method works as mercato_service; an app user can call none."""
    service = client.as_caller({"sub": "svc|payments", "role": "mercato_service"}, role="mercato_service")
    biz, prov, fees = accounts["biz"], accounts["prov"], accounts["fees"]
    acct = service.ledger.open_account("PROVIDER", "svc", "ESCROW", "ETB")
    service.ledger.set_account_status(acct, "ACTIVE")
    tx = service.ledger.transfer("svc-t", biz, acct, "10")
    service.ledger.post("svc-p", [{"account_id": acct, "amount": "1", "side": "DEBIT"},
                           {"account_id": prov, "amount": "1", "side": "CREDIT"}])
    service.ledger.post_batch([{"reference": "svc-b", "debit_account_id": acct, "credit_account_id": fees, "amount": "1"}])
    h = service.ledger.create_hold("svc-h", acct, "3")
    service.ledger.capture_hold("svc-c", h, [{"account_id": prov, "amount": "2"}])
    service.ledger.release_hold("svc-r", service.ledger.create_hold("svc-h2", acct, "1"))
    assert service.ledger.expire_holds() == 0
    with pytest.raises(MercatoError) as info:
        service.ledger.reverse("svc-rv", tx)
    assert info.value.code == "LEDGER_INSUFFICIENT_FUNDS", "the escrow spent part of it: no reversal"
    assert service.ledger.account_balance(acct).balance == Decimal("6")
    assert service.ledger.balance_at(acct, dt.datetime.now(dt.timezone.utc)) == Decimal("6")
    assert [line.reference for line in service.ledger.statement(acct)] == ["svc-t", "svc-p", "svc-b", "svc-c"]
    assert all(r.ok for r in service.ledger.check())
    user = client.as_caller({"sub": "kc|alice", "role": "mercato_user"}, role="mercato_user")
    for call in (lambda: user.ledger.transfer("u-t", biz, prov, "1"), lambda: user.ledger.account_balance(biz),
                 lambda: user.ledger.create_hold("u-h", biz, "1"), lambda: user.ledger.check()):
        with pytest.raises(MercatoError) as info:
            call()
        assert info.value.http_status == 403, info.value
    with client.transaction() as conn:
        assert conn.execute("SELECT count(*) FROM ledger.transaction WHERE reference LIKE 'u-%'").fetchone()[0] == 0
