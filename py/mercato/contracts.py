"""Contracts and settlement methods of the Mercato client: one method per public ``contracts`` / ``settlement``
SQL function.

Who is calling comes from the client's claims (``Client.as_caller``), never from a parameter. Amounts come back as
``Decimal`` and are never computed on in Python: escrow, releases, commissions and their rounding all happen in the
database (see docs/contracts.md).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, fields
from decimal import Decimal
from typing import Any

import psycopg

from mercato.errors import from_psycopg

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
    """Methods over ``contracts.*`` and ``settlement.*``; mixed into :class:`mercato.client.Client`."""

    # provided by Client
    def call(self, function: str, **params: Any) -> list[dict[str, Any]]: ...  # pragma: no cover
    def call_one(self, function: str, **params: Any) -> dict[str, Any] | None: ...  # pragma: no cover
    def call_value(self, function: str, **params: Any) -> Any: ...  # pragma: no cover

    # -- contracts --------------------------------------------------------------------------------
    def create_contract(self, rfq_id: int) -> Contract:
        """The RFQ's one contract (made from its awards on the first call)."""
        return _row(Contract, self.call_one("contracts.create_contract", rfq_id=rfq_id))

    def activate_contract(self, contract_id: int) -> Contract:
        """Hold the full amount in escrow on the business wallet and make the contract ACTIVE."""
        return _row(Contract, self.call_one("contracts.activate_contract", contract_id=contract_id))

    def cancel_contract(self, contract_id: int, reason: str | None = None) -> Contract:
        return _row(Contract, self.call_one("contracts.cancel_contract", contract_id=contract_id, reason=reason))

    def assign_vehicle(self, contract_line_id: int, vehicle_id: int) -> Assignment:
        return _row(Assignment, self.call_one("contracts.assign_vehicle", contract_line_id=contract_line_id,
                                              vehicle_id=vehicle_id))

    def cancel_assignment(self, assignment_id: int, reason: str | None = None) -> Assignment:
        return _row(Assignment, self.call_one("contracts.cancel_assignment", assignment_id=assignment_id, reason=reason))

    def release_unearned(self, contract_id: int) -> Decimal:
        """Back office: release what the contract can no longer earn; returns the amount released."""
        return self.call_value("contracts.release_unearned", contract_id=contract_id)

    def terminate_contract(self, contract_id: int, reason: str) -> Contract:
        return _row(Contract, self.call_one("contracts.terminate_contract", contract_id=contract_id, reason=reason))

    def complete_contract(self, contract_id: int) -> Contract:
        return _row(Contract, self.call_one("contracts.complete_contract", contract_id=contract_id))

    def get_contract(self, contract_id: int) -> dict[str, Any]:
        """The contract with parties, lines and assignments (as the caller may see them)."""
        return self.call_value("contracts.get_contract", contract_id=contract_id)

    def list_contracts(self, status: str | None = None, limit: int = 100) -> list[Contract]:
        return [_row(Contract, r) for r in self.call("contracts.list_contracts", status=status, limit=limit)]

    def contracts_check(self) -> list[CheckResult]:
        return [CheckResult(**row) for row in self.call("contracts.check")]

    # -- settlement -------------------------------------------------------------------------------
    def settle_provider(self, provider_id: int, period_start: dt.date, period_end: dt.date, reference: str,
                        currency: str | None = None) -> Cycle:
        """Settle one provider's closed period; the same reference returns the original cycle."""
        return _row(Cycle, self.call_one("settlement.settle_provider", provider_id=provider_id,
                                         period_start=period_start, period_end=period_end, reference=reference,
                                         currency=currency))

    def run_settlement(self, period_start: dt.date, period_end: dt.date) -> list[RunResult]:
        """Settle every provider with earnings in the period (one transaction); totals per currency."""
        return [_row(RunResult, r) for r in self.call("settlement.run_period", period_start=period_start,
                                                      period_end=period_end)]

    def run_settlement_in_steps(self, period_start: dt.date, period_end: dt.date) -> tuple[int, int]:
        """Settle every provider with earnings in the period, one committed transaction per provider
        (``CALL settlement.run_period_in_steps``); resumable. Returns (cycles made, providers skipped)."""
        import json

        with self.pool.connection() as conn:
            conn.autocommit = True
            try:
                # The procedure commits as it goes, so the caller's claims and role are set for the session and
                # reset afterwards (a transaction-local setting would end at its first COMMIT).
                conn.execute("SELECT set_config('request.jwt.claims', %s, false), "
                             "set_config('role', coalesce(%s, current_setting('role')), false)",
                             (json.dumps(self.claims), self.role))
                row = conn.execute("CALL settlement.run_period_in_steps(p_period_start => %s, p_period_end => %s)",
                                   (period_start, period_end)).fetchone()
            except psycopg.Error as exc:
                raise from_psycopg(exc) from exc
            finally:
                conn.execute("RESET ROLE")
                conn.execute("RESET request.jwt.claims")
                conn.autocommit = False
        return int(row[0]), int(row[1])

    def list_cycles(self, provider_id: int | None = None, limit: int = 100) -> list[Cycle]:
        return [_row(Cycle, r) for r in self.call("settlement.list_cycles", provider_id=provider_id, limit=limit)]

    def get_cycle(self, cycle_id: int) -> dict[str, Any]:
        return self.call_value("settlement.get_cycle", cycle_id=cycle_id)

    def settlement_check(self) -> list[CheckResult]:
        return [CheckResult(**row) for row in self.call("settlement.check")]
