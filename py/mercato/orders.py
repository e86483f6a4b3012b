"""``client.orders``: one method per ``api`` wrapper of the orders lifecycle — place, import, record an external
payment, fulfil, cancel, read and list orders, set tax rates (docs/orders.md).

Staff (orders.manage) act in their own tenant; the back office and platform users name it with ``tenant_id``; a
signed-in customer-user places, reads and cancels its own orders. The database computes every amount: lines, tax,
totals; ``expected`` totals that differ are refused (ORDERS_TOTALS_MISMATCH) with nothing written. Amounts travel as
``str``/``Decimal`` and are never computed on here; orders come back as dicts with amounts as strings. Every refusal is
a :class:`~mercato.errors.MercatoError` carrying its code (INVENTORY_INSUFFICIENT, ORDERS_IMPORT_CONFLICT, …).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Iterable, Mapping

from mercato.module import ModuleClient, json_doc


def _amount(value: Decimal | str | int | None) -> str | None:
    """An amount as exact decimal text (never a float; the database validates it)."""
    if value is None:
        return None
    if isinstance(value, (float, bool)):
        raise TypeError("amounts must be Decimal, str or int, never float or bool")
    return str(value)


def _doc(value: Mapping[str, Any] | None) -> str | None:
    if value is None:
        return None
    for key, v in value.items():
        if isinstance(v, (float, bool)) and key in {"subtotal", "total_discounts", "total_tax", "total_shipping",
                                                    "total_price", "shipping", "price", "discount", "amount"}:
            raise TypeError(f"{key}: amounts must be Decimal, str or int, never float or bool")
    return json_doc(value)


class OrdersClient(ModuleClient):
    """Orders of a tenant: placement, import, payments, fulfilment, cancellation, reads (``api`` wrappers of
    ``orders``)."""

    module = "orders"

    def place(self, order: Mapping[str, Any], expected: Mapping[str, Any] | None = None,
              tenant_id: int | None = None) -> dict[str, Any]:
        """Place an order ({"source", "customer_id", "lines": [{"variant_id", "quantity", "location_id"?,
        "discount"?, "price"?}], "shipping", addresses, "shipping_method", "tags", "note", "reserve_minutes"});
        returns the order with its lines."""
        return self._call_value("api.place_order", order=_doc(order), expected=_doc(expected), tenant_id=tenant_id)

    def import_order(self, source: str, external_id: str, order: Mapping[str, Any],
                     expected: Mapping[str, Any] | None = None, tenant_id: int | None = None) -> dict[str, Any]:
        """Import a channel's order idempotently (the same request returns the first order; a different one is
        ORDERS_IMPORT_CONFLICT); an optional "payment": {"amount", "reference"} is recorded with it."""
        return self._call_value("api.import_order", source=source, external_id=external_id, order=_doc(order),
                                expected=_doc(expected), tenant_id=tenant_id)

    def record_external_payment(self, order_id: int, amount: Decimal | str | int, reference: str,
                                tenant_id: int | None = None) -> dict[str, Any]:
        """Record a payment collected on the order's channel (its reference once per tenant); returns the payment."""
        return dict(self._call_one("api.record_external_payment", order_id=order_id, amount=_amount(amount),
                                   reference=reference, tenant_id=tenant_id) or {})

    def fulfil(self, order_id: int, lines: Iterable[Mapping[str, Any]] | None = None,
               tracking_numbers: Iterable[str] = (), location_id: int | None = None,
               tenant_id: int | None = None) -> list[dict[str, Any]]:
        """Fulfil an order, whole (``lines`` None) or in part ([{"line_id", "quantity"}]); returns what was shipped,
        one row per reservation (untracked lines with reservation_id None)."""
        return self._call("api.fulfil_order", order_id=order_id,
                          lines=None if lines is None else json_doc([dict(x) for x in lines]),
                          tracking_numbers=list(tracking_numbers), location_id=location_id, tenant_id=tenant_id)

    def cancel(self, order_id: int, reason: str, tenant_id: int | None = None) -> dict[str, Any]:
        """Cancel an order (nothing fulfilled yet): reservations released, payments refunded; returns the order."""
        return self._call_value("api.cancel_order", order_id=order_id, reason=reason, tenant_id=tenant_id)

    def get(self, order_id: int, tenant_id: int | None = None) -> dict[str, Any]:
        """An order with its lines and payments."""
        return self._call_value("api.get_order", order_id=order_id, tenant_id=tenant_id)

    def list(self, *, status: str | None = None, source: str | None = None, customer_id: int | None = None,
             before_number: int | None = None, limit: int = 50, tenant_id: int | None = None) -> list[dict[str, Any]]:
        """A page of orders, newest first; the next page passes the last number seen as ``before_number``."""
        return self._call("api.list_orders", status=status, source=source, customer_id=customer_id,
                          before_number=before_number, limit=limit, tenant_id=tenant_id)

    def set_tax_rate(self, tax_code: str, rate: Decimal | str, effective_from: dt.date | None = None,
                     tenant_id: int | None = None) -> dict[str, Any]:
        """Add a tax rate (a fraction: "0.0825") for a tax code from a date (default today)."""
        return dict(self._call_one("api.set_tax_rate", tax_code=tax_code, rate=_amount(rate),
                                   effective_from=effective_from, tenant_id=tenant_id) or {})
