"""Property-based test: random operation sequences against a small Python model of the ledger.

The model is a test oracle (it may do arithmetic; the product never does money arithmetic in Python).
After every step, balance, held and available of every account in the database equal the model's, and
the database refuses exactly what the model says must be refused.
"""

from __future__ import annotations

import itertools
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from mercato.client import Client
from mercato.errors import MercatoError

AMOUNTS = st.integers(min_value=1, max_value=40_000).map(lambda cents: Decimal(cents) / 100)
_run = itertools.count()


@pytest.fixture
def model_client(db_url: str) -> Client:
    with Client(db_url) as client:
        yield client


def test_ledger_matches_model(model_client: Client) -> None:
    client = model_client

    class LedgerModel(RuleBasedStateMachine):
        @initialize()
        def setup(self) -> None:
            self.run = next(_run)
            self.bank = client.open_account("MODEL", f"bank-{self.run}", "CLEARING", "ETB", allow_negative=True)
            self.accounts: dict[int, dict] = {}
            for i, limit in enumerate((Decimal(0), Decimal(0), Decimal(50))):
                aid = client.open_account("MODEL", f"{self.run}-{i}", "MAIN", "ETB", overdraft_limit=limit)
                self.accounts[aid] = {"balance": Decimal(0), "held": Decimal(0), "limit": limit}
            self.holds: dict[int, tuple[int, Decimal]] = {}
            self.txs: list[tuple[int, list[tuple[int, Decimal]]]] = []   # (tx id, [(account, signed amount)])
            self.reversed: set[int] = set()
            self.fund_refs: list[str] = []
            self.n = 0

        def ref(self, kind: str) -> str:
            self.n += 1
            return f"m{self.run}-{kind}-{self.n}"

        def available(self, aid: int) -> Decimal:
            a = self.accounts[aid]
            return a["balance"] - a["held"]

        def expect(self, ok: bool, fn, code: str):
            if ok:
                return fn()
            with pytest.raises(MercatoError) as info:
                fn()
            assert info.value.code == code
            return None

        @precondition(lambda self: len(self.accounts) < 6)
        @rule(limit=st.sampled_from([Decimal(0), Decimal(0), Decimal("25.50")]))
        def open_account(self, limit: Decimal) -> None:
            key = f"{self.run}-{len(self.accounts)}"
            aid = client.open_account("MODEL", key, "MAIN", "ETB", overdraft_limit=limit)
            assert client.open_account("MODEL", key, "MAIN", "ETB", overdraft_limit=limit) == aid, "same again"
            self.expect(False, lambda: client.open_account("MODEL", key, "MAIN", "ETB", overdraft_limit="7"),
                        "LEDGER_ACCOUNT_EXISTS")
            self.accounts[aid] = {"balance": Decimal(0), "held": Decimal(0), "limit": limit}

        @rule(data=st.data(), bad=st.sampled_from(["precision", "zero", "negative", "same", "conflict"]))
        def refused(self, data, bad: str) -> None:
            """Malformed requests are refused with their code and change nothing (the invariant checks that)."""
            src, dst = data.draw(st.permutations(sorted(self.accounts)))[:2]
            amount, code = {"precision": ("0.001", "LEDGER_AMOUNT_PRECISION"), "zero": ("0", "LEDGER_AMOUNT_INVALID"),
                            "negative": ("-1", "LEDGER_AMOUNT_INVALID"), "same": ("1", "LEDGER_SAME_ACCOUNT"),
                            "conflict": ("0.01", "LEDGER_IDEMPOTENCY_CONFLICT")}[bad]
            if bad == "same":
                dst = src
            ref = self.ref("bad")
            if bad == "conflict":
                if not self.fund_refs:
                    return
                ref = data.draw(st.sampled_from(self.fund_refs))   # a posted reference, another request
            self.expect(False, lambda: client.transfer(ref, src, dst, amount), code)

        @rule(data=st.data(), amount=AMOUNTS)
        def fund(self, data, amount: Decimal) -> None:
            aid = data.draw(st.sampled_from(sorted(self.accounts)))
            ref = self.ref("fund")
            tx = client.transfer(ref, self.bank, aid, amount)
            self.fund_refs.append(ref)
            self.accounts[aid]["balance"] += amount
            self.txs.append((tx, [(aid, amount)]))

        @rule(data=st.data(), amount=AMOUNTS)
        def transfer(self, data, amount: Decimal) -> None:
            src, dst = data.draw(st.permutations(sorted(self.accounts)))[:2]
            ok = self.available(src) - amount >= -self.accounts[src]["limit"]
            ref = self.ref("t")
            tx = self.expect(ok, lambda: client.transfer(ref, src, dst, amount), "LEDGER_INSUFFICIENT_FUNDS")
            if ok:
                assert client.transfer(ref, src, dst, amount) == tx, "a replay returns the original"
                self.accounts[src]["balance"] -= amount
                self.accounts[dst]["balance"] += amount
                self.txs.append((tx, [(src, -amount), (dst, amount)]))

        @rule(data=st.data(), amount=AMOUNTS)
        def hold(self, data, amount: Decimal) -> None:
            aid = data.draw(st.sampled_from(sorted(self.accounts)))
            ok = self.available(aid) - amount >= -self.accounts[aid]["limit"]
            hid = self.expect(ok, lambda: client.create_hold(self.ref("h"), aid, amount), "LEDGER_INSUFFICIENT_FUNDS")
            if ok:
                self.accounts[aid]["held"] += amount
                self.holds[hid] = (aid, amount)

        @precondition(lambda self: self.holds)
        @rule(data=st.data(), share=st.integers(min_value=1, max_value=100))
        def capture(self, data, share: int) -> None:
            hid = data.draw(st.sampled_from(sorted(self.holds)))
            aid, amount = self.holds.pop(hid)
            dst = data.draw(st.sampled_from(sorted(a for a in self.accounts if a != aid)))
            part = (amount * share / 100).quantize(Decimal("0.01"))
            if part == 0:
                part = Decimal("0.01")
            self.expect(False, lambda: client.capture_hold(self.ref("c"), hid, [
                {"account_id": dst, "amount": part}, {"account_id": self.bank, "amount": amount}]),
                "LEDGER_CAPTURE_EXCEEDS_HOLD")
            split = data.draw(st.booleans()) and part >= Decimal("0.02")
            if split:   # two destinations: dst and the bank
                first = (part / 2).quantize(Decimal("0.01"))
                dests = [{"account_id": dst, "amount": first}, {"account_id": self.bank, "amount": part - first}]
                legs = [(aid, -part), (dst, first)]
            else:
                dests = [{"account_id": dst, "amount": part}]
                legs = [(aid, -part), (dst, part)]
            ref = self.ref("c")
            tx = client.capture_hold(ref, hid, dests)
            assert client.capture_hold(ref, hid, dests) == tx, "a replayed capture returns the original"
            self.accounts[aid]["held"] -= amount
            self.accounts[aid]["balance"] -= part
            self.accounts[dst]["balance"] += legs[1][1]
            self.txs.append((tx, legs))
            with pytest.raises(MercatoError) as info:
                client.release_hold(self.ref("r"), hid)
            assert info.value.code == "LEDGER_HOLD_RESOLVED"

        @precondition(lambda self: self.holds)
        @rule(data=st.data())
        def release(self, data) -> None:
            hid = data.draw(st.sampled_from(sorted(self.holds)))
            aid, amount = self.holds.pop(hid)
            client.release_hold(self.ref("r"), hid)
            self.accounts[aid]["held"] -= amount

        @precondition(lambda self: any(tx not in self.reversed for tx, _ in self.txs))
        @rule(data=st.data())
        def reverse(self, data) -> None:
            tx, legs = data.draw(st.sampled_from([t for t in self.txs if t[0] not in self.reversed]))
            ok = all(self.available(a) - amt >= -self.accounts[a]["limit"]
                     for a, amt in legs if a in self.accounts and amt > 0)
            rev = self.expect(ok, lambda: client.reverse(self.ref("rv"), tx), "LEDGER_INSUFFICIENT_FUNDS")
            if ok:
                self.reversed.add(tx)
                self.reversed.add(rev)
                for a, amt in legs:
                    if a in self.accounts:
                        self.accounts[a]["balance"] -= amt

        @invariant()
        def balances_match(self) -> None:
            for aid, m in self.accounts.items():
                bal = client.account_balance(aid)
                assert (bal.balance, bal.held, bal.available) == (m["balance"], m["held"], m["balance"] - m["held"])

        def teardown(self) -> None:
            assert all(r.ok for r in client.check())

    LedgerModel.TestCase.settings = settings(max_examples=50, stateful_step_count=25, deadline=None,
                                             suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                    HealthCheck.too_slow])
    LedgerModel.TestCase().runTest()
