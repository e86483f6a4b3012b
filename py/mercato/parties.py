"""``client.parties``: one method per ``api`` wrapper of a ``parties`` function — the rental product's businesses and
providers (registration, KYB and verification), a business's wallet top-up, and tiers.

Who is calling comes from the client's claims (``Client.as_caller``), never from a parameter; every rule is decided in
the database. Amounts travel as ``str``/``Decimal`` and are never computed on here.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from mercato.module import ModuleClient


@dataclass(frozen=True)
class TierRun:
    """One party type's result of a tier recalculation."""

    party_type: str
    evaluated: int
    promoted: int
    demoted: int
    pending_demotion: int


class PartiesClient(ModuleClient):
    """``client.parties``: a registered user registers its business or provider; an admin verifies them; the back
    office tops up a business wallet; tiers are recalculated from the active fleet and the trust score."""

    module = "parties"

    def register_business(self, name: str, business_type: str, tin_number: str | None = None) -> int:
        return self._call_value("api.register_business", name=name, business_type=business_type,
                                tin_number=tin_number)

    def register_provider(self, provider_type: str, name: str, tin_number: str | None = None) -> int:
        return self._call_value("api.register_provider", provider_type=provider_type, name=name,
                                tin_number=tin_number)

    def set_business_kyb(self, business_id: int, status: str) -> None:
        self._call("api.set_business_kyb", business_id=business_id, status=status)

    def set_provider_verification(self, provider_id: int, status: str) -> None:
        self._call("api.set_provider_verification", provider_id=provider_id, status=status)

    def top_up_business(self, business_id: int, amount: Decimal | str, reference: str) -> int:
        return self._call_value("api.top_up_business", business_id=business_id, amount=Decimal(str(amount)),
                                reference=reference)

    def recalculate_tiers(self) -> list[TierRun]:
        return [TierRun(**row) for row in self._call("api.recalculate_tiers")]

    def recalculate_provider_tier(self, provider_id: int) -> dict[str, Any]:
        return self._call_one("api.recalculate_provider_tier", provider_id=provider_id)
