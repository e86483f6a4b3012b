"""``client.marketplace``: one method per ``api`` wrapper of a ``marketplace`` function — RFQs, sealed bids, the
ranked and anonymized bids after the deadline, awards.

Who is calling comes from the client's claims (``Client.as_caller``), never from a parameter; every rule (the deadline
by the database clock, what is sealed from whom) is decided in the database. Prices travel as ``str``/``Decimal`` and
are never computed on here.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from mercato.module import ModuleClient, json_doc


@dataclass(frozen=True)
class RankedBid:
    rfq_line_id: int
    line_no: int
    rank: int
    bidder: str
    unit_price: Decimal
    quantity_offered: int
    submitted_at: dt.datetime


class MarketplaceClient(ModuleClient):
    """``client.marketplace``: a business drafts, publishes, cancels and awards its RFQs; providers see the open ones
    and submit, revise or withdraw a sealed bid before the deadline; after it the business sees the bids ranked under
    per-RFQ aliases."""

    module = "marketplace"

    def create_rfq(self, title: str, start_date: dt.date, end_date: dt.date, bid_deadline: dt.datetime,
                   lines: list[dict[str, Any]], description: str = "") -> int:
        return self._call_value("api.create_rfq", title=title, start_date=start_date, end_date=end_date,
                                bid_deadline=bid_deadline, lines=json_doc(lines), description=description)

    def update_rfq(self, rfq_id: int, *, title: str | None = None, start_date: dt.date | None = None,
                   end_date: dt.date | None = None, bid_deadline: dt.datetime | None = None,
                   lines: list[dict[str, Any]] | None = None, description: str | None = None) -> dict[str, Any]:
        """Edit a DRAFT RFQ (what is left None keeps its value; ``lines``, when given, replace all lines)."""
        return self._call_value("api.update_rfq", rfq_id=rfq_id, title=title, start_date=start_date, end_date=end_date,
                                bid_deadline=bid_deadline, lines=None if lines is None else json_doc(lines),
                                description=description)

    def publish_rfq(self, rfq_id: int) -> dict[str, Any]:
        return self._call_one("api.publish_rfq", rfq_id=rfq_id)

    def cancel_rfq(self, rfq_id: int) -> dict[str, Any]:
        return self._call_one("api.cancel_rfq", rfq_id=rfq_id)

    def get_rfq(self, rfq_id: int) -> dict[str, Any]:
        return self._call_value("api.rfq", rfq_id=rfq_id)

    def my_rfqs(self, status: str | None = None) -> list[dict[str, Any]]:
        return self._call("api.my_rfqs", status=status)

    def open_rfqs(self) -> list[dict[str, Any]]:
        return self._call("api.open_rfqs")

    def submit_bid(self, rfq_id: int, lines: list[dict[str, Any]]) -> int:
        """``lines`` = [{"rfq_line_id", "unit_price" (per vehicle per day), "quantity"}]."""
        return self._call_value("api.submit_bid", rfq_id=rfq_id, lines=json_doc(lines))

    def withdraw_bid(self, rfq_id: int) -> None:
        self._call("api.withdraw_bid", rfq_id=rfq_id)

    def my_bid(self, rfq_id: int) -> list[dict[str, Any]]:
        return self._call("api.my_bid", rfq_id=rfq_id)

    def rfq_bids(self, rfq_id: int) -> list[RankedBid]:
        return [RankedBid(**row) for row in self._call("api.rfq_bids", rfq_id=rfq_id)]

    def award_rfq(self, rfq_id: int, awards: list[dict[str, Any]]) -> int:
        """``awards`` = [{"rfq_line_id", "bidder" (the alias from rfq_bids), "quantity"}]."""
        return self._call_value("api.award_rfq", rfq_id=rfq_id, awards=json_doc(awards))
