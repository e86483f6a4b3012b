"""``client.identity``: one method per ``api`` wrapper of an ``identity`` function — tenants, users and roles, who is
calling, and (while they live in ``identity``) Movello's parties: businesses, providers, their vehicles and insurance,
wallet top-ups and tiers.

Who is calling comes from the client's claims (``Client.as_caller``), never from a parameter; every rule is decided in
the database. Amounts travel as ``str``/``Decimal`` and are never computed on here.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from psycopg.types.json import Jsonb

from mercato.module import ModuleClient, json_doc, typed


@dataclass(frozen=True)
class Actor:
    """Who the database thinks is calling (identity.current_actor())."""

    subject: str | None
    user_id: int | None
    user_type: str | None
    tenant_id: int | None
    status: str | None
    role: str | None
    claims: dict[str, Any]


@dataclass(frozen=True)
class TierRun:
    party_type: str
    evaluated: int
    promoted: int
    demoted: int
    pending_demotion: int


class IdentityClient(ModuleClient):
    """``client.identity``: who is who. The back office creates tenants, registers users and assigns roles; anyone
    asks who they are (``current_actor``). A registered user registers its business or provider, providers add
    vehicles and insurance, an admin verifies them; the back office tops up a business wallet; tiers are
    recalculated from the active fleet and the trust score."""

    module = "identity"

    # -- tenants, users, roles ----------------------------------------------------------------------
    def create_tenant(self, code: str, name: str, metadata: dict | None = None) -> int:
        return self._call_value("api.create_tenant", code=code, name=name, metadata=Jsonb(metadata or {}))

    def register_user(self, auth_subject: str, user_type: str, display_name: str, *,
                      tenant_id: int | None = None, email: str | None = None, phone: str | None = None) -> int:
        return self._call_value("api.register_user", auth_subject=auth_subject, user_type=user_type,
                                display_name=display_name, tenant_id=tenant_id, email=email, phone=phone)

    def assign_role(self, user_id: int, role_code: str, tenant_id: int | None = None) -> int:
        return self._call_value("api.assign_role", user_id=user_id, role_code=role_code, tenant_id=tenant_id)

    def revoke_role(self, user_id: int, role_code: str, tenant_id: int | None = None) -> bool:
        return self._call_value("api.revoke_role", user_id=user_id, role_code=role_code, tenant_id=tenant_id)

    def set_user_status(self, user_id: int, status: str) -> None:
        self._call("api.set_user_status", user_id=user_id, status=status)

    def current_actor(self) -> Actor:
        """Who the database thinks is calling, from this client's claims."""
        return typed(Actor, self._call_one("api.current_actor"))

    # -- parties ------------------------------------------------------------------------------------
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

    def add_vehicle(self, plate_number: str, vehicle_type: str, seat_count: int, engine_type: str | None = None,
                    brand: str | None = None, model: str | None = None, tags: list[str] | None = None,
                    images: dict[str, str] | None = None) -> int:
        return self._call_value("api.add_vehicle", plate_number=plate_number, vehicle_type=vehicle_type,
                                seat_count=seat_count, engine_type=engine_type, brand=brand, model=model,
                                tags=tags or [], images=json_doc(images or {}))

    def set_vehicle_status(self, vehicle_id: int, status: str) -> None:
        self._call("api.set_vehicle_status", vehicle_id=vehicle_id, status=status)

    def add_vehicle_insurance(self, vehicle_id: int, insurance_type: str, company_name: str, coverage_start: dt.date,
                              coverage_end: dt.date, certificate_url: str, policy_number: str | None = None,
                              insured_amount: Decimal | str | None = None) -> int:
        return self._call_value("api.add_vehicle_insurance", vehicle_id=vehicle_id, insurance_type=insurance_type,
                                company_name=company_name, coverage_start=coverage_start, coverage_end=coverage_end,
                                certificate_url=certificate_url, policy_number=policy_number,
                                insured_amount=None if insured_amount is None else Decimal(str(insured_amount)))

    def verify_insurance(self, insurance_id: int, status: str = "VERIFIED") -> None:
        self._call("api.verify_insurance", insurance_id=insurance_id, status=status)

    def expiring_insurance(self, within_days: int = 30) -> list[dict[str, Any]]:
        return self._call("api.expiring_insurance", within_days=within_days)

    def my_vehicles(self) -> list[dict[str, Any]]:
        return self._call("api.my_vehicles")

    def top_up_business(self, business_id: int, amount: Decimal | str, reference: str) -> int:
        return self._call_value("api.top_up_business", business_id=business_id, amount=Decimal(str(amount)),
                                reference=reference)

    # -- tiers --------------------------------------------------------------------------------------
    def recalculate_tiers(self) -> list[TierRun]:
        return [TierRun(**row) for row in self._call("api.recalculate_tiers")]

    def recalculate_provider_tier(self, provider_id: int) -> dict[str, Any]:
        return self._call_one("api.recalculate_provider_tier", provider_id=provider_id)
