"""Marketplace methods of the Mercato client: parties, tiers, RFQs and sealed bids, and OTP-verified handover.

One method per ``api`` function over ``identity`` (parties, tiers), ``marketplace`` and ``delivery``. Who is calling
comes from the client's claims (``Client.as_caller``), never from a parameter; every rule is decided in the database.
Prices and amounts travel as ``str``/``Decimal`` and are never computed on here.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Any


@dataclass(frozen=True)
class IssuedCode:
    """A one-time code as issued: shown once, to be sent to the business by SMS or e-mail."""

    session_id: int
    code: str
    expires_at: dt.datetime


@dataclass(frozen=True)
class Verification:
    """The answer to a code: a wrong code is an answer (``verified`` false), not an exception."""

    verified: bool
    outcome: str
    attempts_left: int
    session_status: str


@dataclass(frozen=True)
class RankedBid:
    rfq_line_id: int
    line_no: int
    rank: int
    bidder: str
    unit_price: Decimal
    quantity_offered: int
    submitted_at: dt.datetime


@dataclass(frozen=True)
class TierRun:
    party_type: str
    evaluated: int
    promoted: int
    demoted: int
    pending_demotion: int


def _doc(value: Any) -> str:
    """A JSON document for a jsonb parameter (Decimals as strings: the database parses amounts)."""
    return json.dumps(value, default=str)


class MarketplaceMixin:
    """Mixed into :class:`mercato.client.Client`."""

    call: Any
    call_one: Any
    call_value: Any

    # -- parties -------------------------------------------------------------------------------
    def register_business(self, name: str, business_type: str, tin_number: str | None = None) -> int:
        return self.call_value("api.register_business", name=name, business_type=business_type, tin_number=tin_number)

    def register_provider(self, provider_type: str, name: str, tin_number: str | None = None) -> int:
        return self.call_value("api.register_provider", provider_type=provider_type, name=name, tin_number=tin_number)

    def set_business_kyb(self, business_id: int, status: str) -> None:
        self.call("api.set_business_kyb", business_id=business_id, status=status)

    def set_provider_verification(self, provider_id: int, status: str) -> None:
        self.call("api.set_provider_verification", provider_id=provider_id, status=status)

    def add_vehicle(self, plate_number: str, vehicle_type: str, seat_count: int, engine_type: str | None = None,
                    brand: str | None = None, model: str | None = None, tags: list[str] | None = None,
                    images: dict[str, str] | None = None) -> int:
        return self.call_value("api.add_vehicle", plate_number=plate_number, vehicle_type=vehicle_type,
                               seat_count=seat_count, engine_type=engine_type, brand=brand, model=model,
                               tags=tags or [], images=_doc(images or {}))

    def set_vehicle_status(self, vehicle_id: int, status: str) -> None:
        self.call("api.set_vehicle_status", vehicle_id=vehicle_id, status=status)

    def add_vehicle_insurance(self, vehicle_id: int, insurance_type: str, company_name: str, coverage_start: dt.date,
                              coverage_end: dt.date, certificate_url: str, policy_number: str | None = None,
                              insured_amount: Decimal | str | None = None) -> int:
        return self.call_value("api.add_vehicle_insurance", vehicle_id=vehicle_id, insurance_type=insurance_type,
                               company_name=company_name, coverage_start=coverage_start, coverage_end=coverage_end,
                               certificate_url=certificate_url, policy_number=policy_number,
                               insured_amount=None if insured_amount is None else Decimal(str(insured_amount)))

    def verify_insurance(self, insurance_id: int, status: str = "VERIFIED") -> None:
        self.call("api.verify_insurance", insurance_id=insurance_id, status=status)

    def expiring_insurance(self, within_days: int = 30) -> list[dict[str, Any]]:
        return self.call("api.expiring_insurance", within_days=within_days)

    def my_vehicles(self) -> list[dict[str, Any]]:
        return self.call("api.my_vehicles")

    def top_up_business(self, business_id: int, amount: Decimal | str, reference: str) -> int:
        return self.call_value("api.top_up_business", business_id=business_id, amount=Decimal(str(amount)),
                               reference=reference)

    # -- tiers ---------------------------------------------------------------------------------
    def recalculate_tiers(self) -> list[TierRun]:
        return [TierRun(**row) for row in self.call("api.recalculate_tiers")]

    def recalculate_provider_tier(self, provider_id: int) -> dict[str, Any]:
        return self.call_one("api.recalculate_provider_tier", provider_id=provider_id)

    def commission_terms(self, tier_code: str, currency: str, at: dt.datetime | None = None) -> dict[str, Any]:
        params: dict[str, Any] = {"tier_code": tier_code, "currency": currency}
        if at is not None:
            params["at"] = at
        return self.call_one("api.commission_terms", **params)

    # -- RFQs and sealed bids --------------------------------------------------------------------
    def create_rfq(self, title: str, start_date: dt.date, end_date: dt.date, bid_deadline: dt.datetime,
                   lines: list[dict[str, Any]], description: str = "") -> int:
        return self.call_value("api.create_rfq", title=title, start_date=start_date, end_date=end_date,
                               bid_deadline=bid_deadline, lines=_doc(lines), description=description)

    def publish_rfq(self, rfq_id: int) -> dict[str, Any]:
        return self.call_one("api.publish_rfq", rfq_id=rfq_id)

    def cancel_rfq(self, rfq_id: int) -> dict[str, Any]:
        return self.call_one("api.cancel_rfq", rfq_id=rfq_id)

    def get_rfq(self, rfq_id: int) -> dict[str, Any]:
        return self.call_value("api.rfq", rfq_id=rfq_id)

    def my_rfqs(self, status: str | None = None) -> list[dict[str, Any]]:
        return self.call("api.my_rfqs", status=status)

    def open_rfqs(self) -> list[dict[str, Any]]:
        return self.call("api.open_rfqs")

    def submit_bid(self, rfq_id: int, lines: list[dict[str, Any]]) -> int:
        """``lines`` = [{"rfq_line_id", "unit_price" (per vehicle per day), "quantity"}]."""
        return self.call_value("api.submit_bid", rfq_id=rfq_id, lines=_doc(lines))

    def withdraw_bid(self, rfq_id: int) -> None:
        self.call("api.withdraw_bid", rfq_id=rfq_id)

    def my_bid(self, rfq_id: int) -> list[dict[str, Any]]:
        return self.call("api.my_bid", rfq_id=rfq_id)

    def rfq_bids(self, rfq_id: int) -> list[RankedBid]:
        return [RankedBid(**row) for row in self.call("api.rfq_bids", rfq_id=rfq_id)]

    def award_rfq(self, rfq_id: int, awards: list[dict[str, Any]]) -> int:
        """``awards`` = [{"rfq_line_id", "bidder" (the alias from rfq_bids), "quantity"}]."""
        return self.call_value("api.award_rfq", rfq_id=rfq_id, awards=_doc(awards))

    # -- delivery ----------------------------------------------------------------------------------
    def start_session(self, assignment_id: int, session_type: str, channel: str = "SMS") -> IssuedCode:
        return IssuedCode(**self.call_one("api.start_delivery_session", assignment_id=assignment_id,
                                          session_type=session_type, channel=channel))

    def resend_code(self, session_id: int, channel: str = "SMS") -> IssuedCode:
        row = self.call_one("api.resend_code", session_id=session_id, channel=channel)
        return IssuedCode(session_id=session_id, **row)

    def verify_code(self, session_id: int, code: str, handover: dict[str, Any] | None = None) -> Verification:
        return Verification(**self.call_one("api.verify_code", session_id=session_id, code=code,
                                            handover=_doc(handover or {})))

    def cancel_session(self, session_id: int) -> None:
        self.call("api.cancel_delivery_session", session_id=session_id)

    def session_status(self, session_id: int) -> dict[str, Any]:
        return self.call_one("api.delivery_session", session_id=session_id)

    def expire_codes(self) -> int:
        return self.call_value("api.expire_codes")
