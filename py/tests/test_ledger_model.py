"""Property-based test: random operation sequences against a small Python model of the ledger.

The model is a test oracle (it may do arithmetic; the product never does money arithmetic in Python).
After every step, balance, held and available of every account in the database equal the model's, and
the database refuses exactly what the model says must be refused.
"""

from __future__ import annotations

import itertools
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, Phase, settings
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
            self.bank = client.ledger.open_account("MODEL", f"bank-{self.run}", "CLEARING", "ETB", allow_negative=True)
            self.accounts: dict[int, dict] = {}
            for i, limit in enumerate((Decimal(0), Decimal(0), Decimal(50))):
                aid = client.ledger.open_account("MODEL", f"{self.run}-{i}", "MAIN", "ETB", overdraft_limit=limit)
                self.accounts[aid] = {"balance": Decimal(0), "held": Decimal(0), "limit": limit, "hot": False}
            # a hot account: credits spread over slots, debits only through transfer/post/reverse, never held
            self.hot = client.ledger.open_account("MODEL", f"hot-{self.run}", "FEES", "ETB", slots=3)
            self.accounts[self.hot] = {"balance": Decimal(0), "held": Decimal(0), "limit": Decimal(0), "hot": True}
            self.posted: list[tuple[str, str, tuple, int]] = []   # (function, reference, transfer args, tx id)
            self.reversals: set[int] = set()
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
            aid = client.ledger.open_account("MODEL", key, "MAIN", "ETB", overdraft_limit=limit)
            assert client.ledger.open_account("MODEL", key, "MAIN", "ETB", overdraft_limit=limit) == aid, "same again"
            self.expect(False, lambda: client.ledger.open_account("MODEL", key, "MAIN", "ETB", overdraft_limit="7"),
                        "LEDGER_ACCOUNT_EXISTS")
            self.accounts[aid] = {"balance": Decimal(0), "held": Decimal(0), "limit": limit, "hot": False}

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
            self.expect(False, lambda: client.ledger.transfer(ref, src, dst, amount), code)

        @rule(data=st.data(), amount=AMOUNTS)
        def fund(self, data, amount: Decimal) -> None:
            aid = data.draw(st.sampled_from(sorted(self.accounts)))
            ref = self.ref("fund")
            tx = client.ledger.transfer(ref, self.bank, aid, amount)
            self.fund_refs.append(ref)
            self.accounts[aid]["balance"] += amount
            self.txs.append((tx, [(aid, amount)]))

        @rule(data=st.data(), amount=AMOUNTS)
        def transfer(self, data, amount: Decimal) -> None:
            src, dst = data.draw(st.permutations(sorted(self.accounts)))[:2]
            ok = self.available(src) - amount >= -self.accounts[src]["limit"]
            ref = self.ref("t")
            tx = self.expect(ok, lambda: client.ledger.transfer(ref, src, dst, amount), "LEDGER_INSUFFICIENT_FUNDS")
            if ok:
                assert client.ledger.transfer(ref, src, dst, amount) == tx, "a replay returns the original"
                self.posted.append(("transfer", ref, (src, dst, amount), tx))
                self.accounts[src]["balance"] -= amount
                self.accounts[dst]["balance"] += amount
                self.txs.append((tx, [(src, -amount), (dst, amount)]))

        @rule(data=st.data(), amount=AMOUNTS)
        def hold(self, data, amount: Decimal) -> None:
            aid = data.draw(st.sampled_from(sorted(self.accounts)))
            if self.accounts[aid]["hot"]:
                self.expect(False, lambda: client.ledger.create_hold(self.ref("h"), aid, amount), "LEDGER_HOT_ACCOUNT_POLICY")
                return
            ok = self.available(aid) - amount >= -self.accounts[aid]["limit"]
            ref = self.ref("h")
            hid = self.expect(ok, lambda: client.ledger.create_hold(ref, aid, amount), "LEDGER_INSUFFICIENT_FUNDS")
            if ok:
                assert client.ledger.create_hold(ref, aid, amount) == hid, "a replayed hold is the same hold, held once"
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
            self.expect(False, lambda: client.ledger.capture_hold(self.ref("c"), hid, [
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
            tx = client.ledger.capture_hold(ref, hid, dests)
            assert client.ledger.capture_hold(ref, hid, dests) == tx, "a replayed capture returns the original"
            self.accounts[aid]["held"] -= amount
            self.accounts[aid]["balance"] -= part
            self.accounts[dst]["balance"] += legs[1][1]
            self.txs.append((tx, legs))
            with pytest.raises(MercatoError) as info:
                client.ledger.release_hold(self.ref("r"), hid)
            assert info.value.code == "LEDGER_HOLD_RESOLVED"

        @precondition(lambda self: self.holds)
        @rule(data=st.data())
        def release(self, data) -> None:
            hid = data.draw(st.sampled_from(sorted(self.holds)))
            aid, amount = self.holds.pop(hid)
            client.ledger.release_hold(self.ref("r"), hid)
            self.accounts[aid]["held"] -= amount

        @precondition(lambda self: any(tx not in self.reversed for tx, _ in self.txs))
        @rule(data=st.data())
        def reverse(self, data) -> None:
            tx, legs = data.draw(st.sampled_from([t for t in self.txs if t[0] not in self.reversed]))
            ok = all(self.available(a) - amt >= -self.accounts[a]["limit"]
                     for a, amt in legs if a in self.accounts and amt > 0)
            rev = self.expect(ok, lambda: client.ledger.reverse(self.ref("rv"), tx), "LEDGER_INSUFFICIENT_FUNDS")
            if ok:
                self.reversed.add(tx)
                self.reversals.add(rev)
                for a, amt in legs:
                    if a in self.accounts:
                        self.accounts[a]["balance"] -= amt

        @precondition(lambda self: self.reversed)
        @rule(data=st.data())
        def reverse_again(self, data) -> None:
            """A reversed transaction is not reversed twice; a reversal is never reversed."""
            tx = data.draw(st.sampled_from(sorted(self.reversed)))
            self.expect(False, lambda: client.ledger.reverse(self.ref("rv"), tx), "LEDGER_ALREADY_REVERSED")
            rev = data.draw(st.sampled_from(sorted(self.reversals)))
            self.expect(False, lambda: client.ledger.reverse(self.ref("rv"), rev), "LEDGER_NOT_REVERSIBLE")

        @precondition(lambda self: self.posted)
        @rule(data=st.data())
        def replay(self, data) -> None:
            """Replaying a posted reference returns the original transaction and posts nothing (invariant)."""
            via, ref, (src, dst, amount), tx = data.draw(st.sampled_from(self.posted))
            if via == "transfer":
                assert client.ledger.transfer(ref, src, dst, amount) == tx
            else:
                assert client.ledger.post_batch([{"reference": ref, "debit_account_id": src, "credit_account_id": dst,
                                           "amount": amount}])[0].transaction_id == tx
            # the same reference for another request is refused, whichever function it comes through
            self.expect(False, lambda: client.ledger.transfer(ref, src, dst, amount + Decimal("0.01")),
                        "LEDGER_IDEMPOTENCY_CONFLICT")

        @rule(data=st.data(), size=st.integers(min_value=1, max_value=4))
        def batch(self, data, size: int) -> None:
            """post_batch: all or nothing; sources and destinations drawn apart so the funds rule is unambiguous."""
            plain = sorted(a for a in self.accounts if not self.accounts[a]["hot"])
            sources = data.draw(st.lists(st.sampled_from(plain), min_size=1, max_size=2, unique=True))
            targets = sorted(set(self.accounts) - set(sources))
            items, delta = [], {}
            for _ in range(size):
                src, dst = data.draw(st.sampled_from(sources)), data.draw(st.sampled_from(targets))
                amount = data.draw(AMOUNTS)
                items.append({"reference": self.ref("b"), "debit_account_id": src, "credit_account_id": dst,
                              "amount": amount})
                delta[src] = delta.get(src, Decimal(0)) - amount
                delta[dst] = delta.get(dst, Decimal(0)) + amount
            ok = all(self.available(s) + delta[s] >= -self.accounts[s]["limit"] for s in sources if s in delta)
            result = self.expect(ok, lambda: client.ledger.post_batch(items), "LEDGER_INSUFFICIENT_FUNDS")
            if ok:
                assert [r.reference for r in result] == [i["reference"] for i in items]
                for aid, d in delta.items():
                    self.accounts[aid]["balance"] += d
                for item, r in zip(items, result):
                    self.posted.append(("batch", item["reference"], (item["debit_account_id"], item["credit_account_id"],
                                                            item["amount"]), r.transaction_id))
                    self.txs.append((r.transaction_id, [(item["debit_account_id"], -item["amount"]),
                                                        (item["credit_account_id"], item["amount"])]))
            if data.draw(st.booleans()):
                self.expect(False, lambda: client.ledger.post_batch([{**items[0], "reference": self.ref("b"),
                                                               "debit_account_id": self.hot,
                                                               "credit_account_id": sources[0]}]),
                            "LEDGER_HOT_ACCOUNT_POLICY")

        @invariant()
        def balances_match(self) -> None:
            for aid, m in self.accounts.items():
                bal = client.ledger.account_balance(aid)
                assert (bal.balance, bal.held, bal.available) == (m["balance"], m["held"], m["balance"] - m["held"])

        def teardown(self) -> None:
            assert all(r.ok for r in client.ledger.check())

    LedgerModel.TestCase.settings = settings(max_examples=25, stateful_step_count=20, deadline=None,
                                             phases=[Phase.explicit, Phase.reuse, Phase.generate],  # no
                                             # minutes-long shrinking against a database; the failing steps print
                                             suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                    HealthCheck.too_slow])
    LedgerModel.TestCase().runTest()
