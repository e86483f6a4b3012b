"""``client.ledger``: one method per ``api`` wrapper of a ``ledger`` function (accounts, postings, holds, reversals,
balances and statements, the integrity check).

Amounts go in as :class:`~decimal.Decimal` or decimal strings and come back as ``Decimal``; Python never
adds, subtracts or rounds money — the database does, and refuses what it must (see docs/errors.md).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Iterable, Iterator, Mapping

from psycopg.types.json import Jsonb

from mercato.module import ModuleClient

Amount = Decimal | str | int


@dataclass(frozen=True)
class Balance:
    account_id: int
    currency: str
    balance: Decimal
    held: Decimal
    available: Decimal
    status: str


@dataclass(frozen=True)
class StatementLine:
    seq: int
    slot: int
    transaction_id: int
    posted_at: dt.datetime
    amount: Decimal
    balance_before: Decimal
    balance_after: Decimal
    reference: str
    memo: str | None


@dataclass(frozen=True)
class CheckResult:
    check_name: str
    ok: bool
    violations: int
    sample: list[Any] | None


@dataclass(frozen=True)
class BatchResult:
    """One element of a ``post_batch``: its reference and the transaction posted (or replayed) for it."""

    reference: str
    transaction_id: int


def _amount(value: Amount) -> str:
    """Pass an amount to the database as exact decimal text (no float ever; the database validates it)."""
    if isinstance(value, (float, bool)):
        raise TypeError("amounts must be Decimal, str or int, never float or bool")
    return str(value)


def _leg(leg: Mapping[str, Any]) -> dict[str, Any]:
    """A JSON element with its amount as text; a missing amount is left for the database to refuse."""
    out = dict(leg)
    if out.get("amount") is not None:
        out["amount"] = _amount(out["amount"])
    return out


class LedgerClient(ModuleClient):
    """``client.ledger``: the double-entry ledger through its ``api`` wrappers — open accounts, post transfers,
    balanced transactions and batches, create, capture, release and expire escrow holds, reverse, read balances and
    statements, run ``ledger.check()``. The back office calls most of them; the database decides who may."""

    module = "ledger"

    # -- accounts ---------------------------------------------------------------------------------
    def open_account(self, owner_type: str, owner_id: str, purpose: str, currency: str, *,
                     allow_negative: bool = False, overdraft_limit: Amount = 0, receive_only: bool = False,
                     slots: int = 1, metadata: dict[str, Any] | None = None) -> int:
        return self._call_value("api.open_account", owner_type=owner_type, owner_id=owner_id, purpose=purpose,
                                currency=currency, allow_negative=allow_negative,
                                overdraft_limit=_amount(overdraft_limit), receive_only=receive_only, slots=slots,
                                metadata=Jsonb(metadata or {}))

    def set_account_status(self, account_id: int, status: str) -> None:
        self._call("api.set_account_status", account_id=account_id, status=status)

    # -- postings ---------------------------------------------------------------------------------
    def transfer(self, reference: str, debit_account_id: int, credit_account_id: int, amount: Amount, *,
                 memo: str | None = None, metadata: dict[str, Any] | None = None) -> int:
        return self._call_value("api.transfer", reference=reference, debit_account_id=debit_account_id,
                                credit_account_id=credit_account_id, amount=_amount(amount), memo=memo,
                                metadata=Jsonb(metadata or {}))

    def post(self, reference: str, legs: Iterable[Mapping[str, Any]], *, memo: str | None = None,
             metadata: dict[str, Any] | None = None) -> int:
        """legs: [{"account_id": 1, "amount": "10.00", "side": "DEBIT"}, ...]"""
        return self._call_value("api.post_transaction", reference=reference, legs=Jsonb([_leg(l) for l in legs]),
                                memo=memo, metadata=Jsonb(metadata or {}))

    def post_batch(self, transfers: Iterable[Mapping[str, Any]]) -> list[BatchResult]:
        """transfers: [{"reference", "debit_account_id", "credit_account_id", "amount", "memo"?}, ...];
        all or nothing, idempotent per element reference."""
        rows = self._call("api.post_batch", transfers=Jsonb([_leg(t) for t in transfers]))
        return [BatchResult(**row) for row in rows]

    # -- holds ------------------------------------------------------------------------------------
    def create_hold(self, reference: str, account_id: int, amount: Amount, *,
                    expires_at: dt.datetime | None = None, memo: str | None = None) -> int:
        return self._call_value("api.create_hold", reference=reference, account_id=account_id,
                                amount=_amount(amount), expires_at=expires_at, memo=memo)

    def capture_hold(self, reference: str, hold_id: int, destinations: Iterable[Mapping[str, Any]], *,
                     memo: str | None = None) -> int:
        """destinations: [{"account_id": 7, "amount": "90.00"}, ...]; the rest of the hold is released."""
        return self._call_value("api.capture_hold", reference=reference, hold_id=hold_id,
                                destinations=Jsonb([_leg(d) for d in destinations]), memo=memo)

    def release_hold(self, reference: str, hold_id: int) -> None:
        self._call("api.release_hold", reference=reference, hold_id=hold_id)

    def expire_holds(self, limit: int = 1000) -> int:
        return self._call_value("api.expire_holds", limit=limit)

    def reverse(self, reference: str, transaction_id: int, *, memo: str | None = None) -> int:
        return self._call_value("api.reverse_transaction", reference=reference, transaction_id=transaction_id,
                                memo=memo)

    # -- reads ------------------------------------------------------------------------------------
    def account_balance(self, account_id: int) -> Balance:
        return Balance(**self._call("api.account_balance", account_id=account_id)[0])

    def balance_at(self, account_id: int, at: dt.datetime) -> Decimal:
        return self._call_value("api.balance_at", account_id=account_id, at=at)

    def statement(self, account_id: int, *, start: dt.datetime | None = None, end: dt.datetime | None = None,
                  after_seq: int = 0, limit: int = 100) -> list[StatementLine]:
        params: dict[str, Any] = {"account_id": account_id, "after_seq": after_seq, "limit": limit}
        if start is not None:
            params["from"] = start
        if end is not None:
            params["to"] = end
        return [StatementLine(**row) for row in self._call("api.account_statement", **params)]

    def iter_statement(self, account_id: int, *, start: dt.datetime | None = None, end: dt.datetime | None = None,
                       page_size: int = 500) -> Iterator[StatementLine]:
        """Every entry of the account in [start, end), oldest first, fetched page by page.

        Pages by time, not by ``seq``: a hot account numbers its entries per slot, so ``after_seq`` cannot page
        it. Each page starts at the last ``posted_at`` seen (inclusive) and skips the (slot, seq) already
        returned at that instant; when a whole page shares one instant the page grows, so nothing is lost
        or repeated, for plain and hot accounts alike.
        """
        limit = page_size
        seen_at: set[tuple[int, int]] = set()   # (slot, seq) already yielded at the instant ``start``
        while True:
            page = self.statement(account_id, start=start, end=end, limit=limit)
            fresh = [line for line in page if (line.slot, line.seq) not in seen_at]
            yield from fresh
            if len(page) < limit:
                return
            last = page[-1].posted_at
            if last == start:   # the whole page is one instant: read more of it next time
                if limit >= 10000 and not fresh:
                    raise RuntimeError(f"account {account_id}: more than 10000 entries at {last}; cannot page")
                limit = min(limit * 2, 10000)
            else:
                seen_at, limit = set(), page_size
            seen_at |= {(line.slot, line.seq) for line in page if line.posted_at == last}
            start = last

    def check(self) -> list[CheckResult]:
        return [CheckResult(**row) for row in self._call("api.ledger_check")]
