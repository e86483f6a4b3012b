"""``client.settlement``: one method per ``api`` wrapper of a ``settlement`` function — settle a provider's closed
period, run a whole period (in one transaction or one committed step per provider and currency), read cycles, the
integrity check.

Who is calling comes from the client's claims (``Client.as_caller``), never from a parameter. Gross, commission and net
are computed and rounded in the database and come back as ``Decimal``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from mercato.ledger import CheckResult
from mercato.module import ModuleClient, typed


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


class SettlementClient(ModuleClient):
    """``client.settlement``: paying providers from escrow through the ``api`` wrappers of ``settlement``. The back
    office (or a platform admin) settles; a provider reads its own cycles."""

    module = "settlement"

    def settle_provider(self, provider_id: int, period_start: dt.date, period_end: dt.date, reference: str,
                        currency: str | None = None) -> Cycle:
        """Settle one provider's closed period; the same reference returns the original cycle."""
        return typed(Cycle, self._call_one("api.settle_provider", provider_id=provider_id,
                                           period_start=period_start, period_end=period_end, reference=reference,
                                           currency=currency))

    def run(self, period_start: dt.date, period_end: dt.date) -> list[RunResult]:
        """Settle every provider with earnings in the period (one transaction); totals per currency."""
        return [typed(RunResult, r) for r in self._call("api.run_settlement", period_start=period_start,
                                                        period_end=period_end)]

    def run_in_steps(self, period_start: dt.date, period_end: dt.date) -> tuple[int, int]:
        """Settle every provider with earnings in the period, one committed transaction per provider and currency;
        resumable (a re-run skips what is settled). Returns (cycles made, providers skipped).

        The same steps as ``CALL settlement.run_period_in_steps``, driven from here: each step is an ordinary call,
        i.e. its own transaction with this caller's claims and role set locally (``api.period_to_settle`` once,
        then ``api.settle_period_step`` per row). The procedure COMMITs inside, which ends transaction-local
        settings, so calling it would need the identity set for the whole session, and a pooled connection
        (pgbouncer in transaction mode) would hand that identity to the next client."""
        made = skipped = 0
        for step in self._call("api.period_to_settle", period_start=period_start, period_end=period_end):
            cycle_id = self._call_value("api.settle_period_step", period_start=period_start,
                                        period_end=period_end, provider_id=step["provider_id"],
                                        currency=step["currency"])
            if cycle_id is None:
                skipped += 1
            else:
                made += 1
        return made, skipped

    def list_cycles(self, provider_id: int | None = None, limit: int = 100) -> list[Cycle]:
        return [typed(Cycle, r) for r in self._call("api.settlement_cycles", provider_id=provider_id, limit=limit)]

    def get_cycle(self, cycle_id: int) -> dict[str, Any]:
        return self._call_value("api.settlement_cycle", cycle_id=cycle_id)

    def check(self) -> list[CheckResult]:
        return [CheckResult(**row) for row in self._call("api.settlement_check")]
