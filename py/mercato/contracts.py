"""``client.contracts``: one method per ``api`` wrapper of a ``contracts`` function — a contract from an RFQ's awards,
escrow on activation, vehicle assignments, early end, completion, the integrity check.

Who is calling comes from the client's claims (``Client.as_caller``), never from a parameter. Amounts come back as
``Decimal`` and are never computed on in Python: escrow, releases, commissions and their rounding all happen in the
database (see docs/contracts.md).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from mercato.ledger import CheckResult
from mercato.module import ModuleClient, typed


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


class ContractsClient(ModuleClient):
    """``client.contracts``: contracts through their ``api`` wrappers. A business makes and activates the contract of
    its awarded RFQ (the full amount held in escrow), providers assign vehicles to their lines, either party or the
    back office ends it early or completes it; reads show what the caller may see."""

    module = "contracts"

    def create_contract(self, rfq_id: int) -> Contract:
        """The RFQ's one contract (made from its awards on the first call)."""
        return typed(Contract, self._call_one("api.create_contract", rfq_id=rfq_id))

    def activate_contract(self, contract_id: int) -> Contract:
        """Hold the full amount in escrow on the business wallet and make the contract ACTIVE."""
        return typed(Contract, self._call_one("api.activate_contract", contract_id=contract_id))

    def cancel_contract(self, contract_id: int, reason: str | None = None) -> Contract:
        return typed(Contract, self._call_one("api.cancel_contract", contract_id=contract_id, reason=reason))

    def assign_vehicle(self, contract_line_id: int, vehicle_id: int) -> Assignment:
        return typed(Assignment, self._call_one("api.assign_vehicle", contract_line_id=contract_line_id,
                                                vehicle_id=vehicle_id))

    def cancel_assignment(self, assignment_id: int, reason: str | None = None) -> Assignment:
        return typed(Assignment, self._call_one("api.cancel_assignment", assignment_id=assignment_id, reason=reason))

    def release_unearned(self, contract_id: int) -> Decimal:
        """Back office: release what the contract can no longer earn; returns the amount released."""
        return self._call_value("api.release_unearned", contract_id=contract_id)

    def terminate_contract(self, contract_id: int, reason: str) -> Contract:
        return typed(Contract, self._call_one("api.terminate_contract", contract_id=contract_id, reason=reason))

    def complete_contract(self, contract_id: int) -> Contract:
        return typed(Contract, self._call_one("api.complete_contract", contract_id=contract_id))

    def get_contract(self, contract_id: int) -> dict[str, Any]:
        """The contract with parties, lines and assignments (as the caller may see them)."""
        return self._call_value("api.contract", contract_id=contract_id)

    def list_contracts(self, status: str | None = None, limit: int = 100) -> list[Contract]:
        return [typed(Contract, r) for r in self._call("api.contracts", status=status, limit=limit)]

    def check(self) -> list[CheckResult]:
        return [CheckResult(**row) for row in self._call("api.contracts_check")]
