"""Contracts and settlement methods of the Mercato client: one method per ``api`` function over ``contracts`` /
``settlement``.

Who is calling comes from the client's claims (``Client.as_caller``), never from a parameter. Amounts come back as
``Decimal`` and are never computed on in Python: escrow, releases, commissions and their rounding all happen in the
database (see docs/contracts.md).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, fields
from decimal import Decimal
from typing import Any

from mercato.ledger import CheckResult


@dataclass(frozen=True)
class Contract:
    id: int
    contract_number: str
    rfq_id: int
    business_id: int
    currency: str
    start_date: dt.date
    end_date: dt.date
    total_amount: Decimal
    status: str
    commission_policy_version_id: int
    business_wallet_account_id: int
    created_at: dt.datetime
    activated_at: dt.datetime | None
    ended_at: dt.datetime | None
    end_reason: str | None


@dataclass(frozen=True)
class Assignment:
    id: int
    contract_line_id: int
    contract_id: int
    provider_id: int
    vehicle_id: int
    period: Any
    status: str
    started_on: dt.date | None
    ended_on: dt.date | None
    end_reason: str | None


@dataclass(frozen=True)
class Cycle:
    id: int
    provider_id: int
    currency: str
    period_start: dt.date
    period_end: dt.date
    gross: Decimal
    commission: Decimal
    net: Decimal
    status: str
    reference: str
    created_at: dt.datetime


@dataclass(frozen=True)
class RunResult:
    """What one settlement run did in one currency."""

    currency: str
    cycles: int
    lines: int
    gross: Decimal
    commission: Decimal
    net: Decimal
    skipped: int


def _row(cls: type, row: dict[str, Any] | None) -> Any:
    if row is None:
        raise LookupError(f"no {cls.__name__} returned")
    return cls(**{f.name: row.get(f.name) for f in fields(cls)})


class ContractsMixin:
    """Methods over the ``api`` wrappers of ``contracts.*`` and ``settlement.*``; mixed into
    :class:`mercato.client.Client`."""

    # provided by Client
    def call(self, function: str, **params: Any) -> list[dict[str, Any]]: ...  # pragma: no cover
    def call_one(self, function: str, **params: Any) -> dict[str, Any] | None: ...  # pragma: no cover
    def call_value(self, function: str, **params: Any) -> Any: ...  # pragma: no cover

    # -- contracts --------------------------------------------------------------------------------
    def create_contract(self, rfq_id: int) -> Contract:
        """The RFQ's one contract (made from its awards on the first call)."""
        return _row(Contract, self.call_one("api.create_contract", rfq_id=rfq_id))

    def activate_contract(self, contract_id: int) -> Contract:
        """Hold the full amount in escrow on the business wallet and make the contract ACTIVE."""
        return _row(Contract, self.call_one("api.activate_contract", contract_id=contract_id))

    def cancel_contract(self, contract_id: int, reason: str | None = None) -> Contract:
        return _row(Contract, self.call_one("api.cancel_contract", contract_id=contract_id, reason=reason))

    def assign_vehicle(self, contract_line_id: int, vehicle_id: int) -> Assignment:
        return _row(Assignment, self.call_one("api.assign_vehicle", contract_line_id=contract_line_id,
                                              vehicle_id=vehicle_id))

    def cancel_assignment(self, assignment_id: int, reason: str | None = None) -> Assignment:
        return _row(Assignment, self.call_one("api.cancel_assignment", assignment_id=assignment_id, reason=reason))

    def release_unearned(self, contract_id: int) -> Decimal:
        """Back office: release what the contract can no longer earn; returns the amount released."""
        return self.call_value("api.release_unearned", contract_id=contract_id)

    def terminate_contract(self, contract_id: int, reason: str) -> Contract:
        return _row(Contract, self.call_one("api.terminate_contract", contract_id=contract_id, reason=reason))

    def complete_contract(self, contract_id: int) -> Contract:
        return _row(Contract, self.call_one("api.complete_contract", contract_id=contract_id))

    def get_contract(self, contract_id: int) -> dict[str, Any]:
        """The contract with parties, lines and assignments (as the caller may see them)."""
        return self.call_value("api.contract", contract_id=contract_id)

    def list_contracts(self, status: str | None = None, limit: int = 100) -> list[Contract]:
        return [_row(Contract, r) for r in self.call("api.contracts", status=status, limit=limit)]

    def contracts_check(self) -> list[CheckResult]:
        return [CheckResult(**row) for row in self.call("api.contracts_check")]

    # -- settlement -------------------------------------------------------------------------------
    def settle_provider(self, provider_id: int, period_start: dt.date, period_end: dt.date, reference: str,
                        currency: str | None = None) -> Cycle:
        """Settle one provider's closed period; the same reference returns the original cycle."""
        return _row(Cycle, self.call_one("api.settle_provider", provider_id=provider_id,
                                         period_start=period_start, period_end=period_end, reference=reference,
                                         currency=currency))

    def run_settlement(self, period_start: dt.date, period_end: dt.date) -> list[RunResult]:
        """Settle every provider with earnings in the period (one transaction); totals per currency."""
        return [_row(RunResult, r) for r in self.call("api.run_settlement", period_start=period_start,
                                                      period_end=period_end)]

    def run_settlement_in_steps(self, period_start: dt.date, period_end: dt.date) -> tuple[int, int]:
        """Settle every provider with earnings in the period, one committed transaction per provider and currency;
        resumable (a re-run skips what is settled). Returns (cycles made, providers skipped).

        The same steps as ``CALL settlement.run_period_in_steps``, driven from here: each step is an ordinary call,
        i.e. its own transaction with this caller's claims and role set locally (``api.period_to_settle`` once,
        then ``api.settle_period_step`` per row). The procedure COMMITs inside, which ends transaction-local
        settings, so calling it would need the identity set for the whole session, and a pooled connection
        (pgbouncer in transaction mode) would hand that identity to the next client."""
        made = skipped = 0
        for step in self.call("api.period_to_settle", period_start=period_start, period_end=period_end):
            cycle_id = self.call_value("api.settle_period_step", period_start=period_start,
                                       period_end=period_end, provider_id=step["provider_id"],
                                       currency=step["currency"])
            if cycle_id is None:
                skipped += 1
            else:
                made += 1
        return made, skipped

    def list_cycles(self, provider_id: int | None = None, limit: int = 100) -> list[Cycle]:
        return [_row(Cycle, r) for r in self.call("api.settlement_cycles", provider_id=provider_id, limit=limit)]

    def get_cycle(self, cycle_id: int) -> dict[str, Any]:
        return self.call_value("api.settlement_cycle", cycle_id=cycle_id)

    def settlement_check(self) -> list[CheckResult]:
        return [CheckResult(**row) for row in self.call("api.settlement_check")]
