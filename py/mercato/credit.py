"""``client.credit``: the credit product (issue 20; docs/credit.md) — vendors and retailers, their approval and
scores, and credit lines whose limit is a ledger overdraft limit (debt and available credit come from the ledger).

Amounts go to the database as ``Decimal`` (or text) and come back as ``Decimal``; the database does every comparison.
A refusal is a :class:`~mercato.errors.MercatoError` with its code (``CREDIT_EXPOSURE_CAP``, ``CREDIT_BAND_LIMIT``,
``LEDGER_OVERDRAFT_BELOW_DEBT``, ``CREDIT_UNKNOWN_LINE``, …)."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from mercato.module import ModuleClient


def _amount(value: Decimal | str | int) -> Decimal:
    return Decimal(str(value))


class CreditClient(ModuleClient):
    """``client.credit``: the ``api`` wrappers of the credit module."""

    module = "credit"

    # parties -------------------------------------------------------------------------------------------------------
    def register_vendor(self, name: str, vendor_code: str, state_code: str, *, msme_category: str = "NONE",
                        currency: str = "INR") -> int:
        """Register a vendor (the caller becomes its OWNER), PENDING approval; its organization id."""
        return self._call_value("api.register_vendor", name=name, vendor_code=vendor_code, state_code=state_code,
                                msme_category=msme_category, currency=currency)

    def register_retailer(self, name: str, state_code: str) -> int:
        """Register a retailer (the caller becomes its OWNER), unscored; its organization id."""
        return self._call_value("api.register_retailer", name=name, state_code=state_code)

    def approve_vendor(self, vendor_id: int, exposure_cap: Decimal | str | int) -> None:
        """Approve a PENDING vendor with its exposure cap (credit.manage)."""
        self._call("api.approve_vendor", vendor_id=vendor_id, exposure_cap=_amount(exposure_cap))

    def reject_vendor(self, vendor_id: int, reason: str) -> None:
        """Reject a PENDING vendor with a reason (credit.manage)."""
        self._call("api.reject_vendor", vendor_id=vendor_id, reason=reason)

    def set_exposure_cap(self, vendor_id: int, exposure_cap: Decimal | str | int) -> None:
        """Change an approved vendor's exposure cap, never below its open lines' limits (credit.manage)."""
        self._call("api.set_exposure_cap", vendor_id=vendor_id, exposure_cap=_amount(exposure_cap))

    def set_retailer_score(self, retailer_id: int, score: int, note: str = "",
                           inputs: dict[str, Any] | None = None) -> None:
        """Set a retailer's score (300..900), recorded with a note and its inputs (credit.manage, service)."""
        self._call("api.set_retailer_score", retailer_id=retailer_id, score=score, note=note,
                   inputs=json.dumps(inputs or {}, default=str))

    def vendors(self, status: str | None = None) -> list[dict[str, Any]]:
        """The vendors the caller acts for (every vendor for the credit back office), optionally of one status."""
        return self._call("api.credit_vendors", status=status)

    def retailers(self) -> list[dict[str, Any]]:
        """The retailers the caller acts for (all for the back office), with score and risk category."""
        return self._call("api.credit_retailers")

    def risk_band(self, score: int, currency: str | None = None) -> dict[str, Any] | None:
        """The risk band of a score: category, score range, maximum limit in ``currency``, policy version."""
        return self._call_one("api.credit_risk_band", score=score, currency=currency)

    # lines ---------------------------------------------------------------------------------------------------------
    def open_line(self, vendor_id: int, retailer_id: int, limit: Decimal | str | int, terms_days: int = 30) -> int:
        """Open the credit line from a vendor to a retailer (the vendor's ADMIN or OWNER, the back office); its id."""
        return self._call_value("api.open_credit_line", vendor_id=vendor_id, retailer_id=retailer_id,
                                limit=_amount(limit), terms_days=terms_days)

    def set_limit(self, line_id: int, limit: Decimal | str | int) -> Decimal:
        """Change a line's limit (within the cap and band, never below the debt); the new limit."""
        return self._call_value("api.set_credit_limit", line_id=line_id, limit=_amount(limit))

    def set_line_status(self, line_id: int, status: str, reason: str | None = None) -> str:
        """Freeze (``FROZEN``), unfreeze (``ACTIVE``) or close (``CLOSED``) a line; the status."""
        return self._call_value("api.set_credit_line_status", line_id=line_id, status=status, reason=reason)

    def freeze(self, line_id: int, reason: str | None = None) -> str:
        """Freeze a line: no new credit, payments still come in."""
        return self.set_line_status(line_id, "FROZEN", reason)

    def unfreeze(self, line_id: int, reason: str | None = None) -> str:
        """Unfreeze a line (its limit must be within the retailer's band)."""
        return self.set_line_status(line_id, "ACTIVE", reason)

    def close(self, line_id: int, reason: str | None = None) -> str:
        """Close a line for good (only at a zero balance)."""
        return self.set_line_status(line_id, "CLOSED", reason)

    def line(self, line_id: int) -> dict[str, Any] | None:
        """A line with its limit, balance, held, debt and available credit (from the ledger)."""
        return self._call_one("api.credit_line", line_id=line_id)

    def my_lines(self, *, vendor_id: int | None = None, retailer_id: int | None = None) -> list[dict[str, Any]]:
        """The lines of the vendors and retailers the caller acts for (all for the back office)."""
        return self._call("api.my_credit_lines", vendor_id=vendor_id, retailer_id=retailer_id)

    def statement(self, line_id: int, *, after_number: int = 0, limit: int = 100) -> list[dict[str, Any]]:
        """A line's credit ledger after ``after_number`` (keyset): type, amount, balances, outstanding, due date."""
        return self._call("api.credit_line_statement", line_id=line_id, after_number=after_number, limit=limit)
