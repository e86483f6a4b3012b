"""``client.fleet``: one method per ``api`` wrapper of a ``fleet`` function — a provider's vehicles and their
insurance, their review by an admin, expiring policies.

Who is calling comes from the client's claims (``Client.as_caller``), never from a parameter; every rule is decided in
the database.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from mercato.module import ModuleClient, json_doc


class FleetClient(ModuleClient):
    """``client.fleet``: providers add vehicles and insurance, an admin reviews and verifies them, anyone with
    vehicles lists its own and its policies about to expire."""

    module = "fleet"

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
