"""``client.purchasing``: the CardStore's purchasing (docs/store.md, "Purchasing") — distributors and what each
supplies, purchase orders (draft, submit, confirm, cancel), receiving into stock, and reorder suggestions.

A use case of the ``store`` module with a sub-client of its own: its methods call the ``api`` wrappers of the store's
purchasing functions (``ModuleClient.schema`` is ``store``). The tenant comes from the caller (a shop's staff with
``store.manage``); the back office names it with ``tenant_id``. Amounts travel as ``str``/``Decimal`` and are never
computed on here: the database computes subtotals and totals, and an ``expected_total`` that does not add up is refused
(``STORE_PO_TOTAL_MISMATCH``) with nothing written. Refusals are :class:`~mercato.errors.MercatoError` with their code.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Iterable, Mapping

from mercato.module import ModuleClient, json_doc

Amount = Decimal | str | int


def _amount(value: Amount | None) -> str | None:
    """An amount as exact decimal text (never a float; the database validates it)."""
    if value is None:
        return None
    if isinstance(value, (float, bool)):
        raise TypeError("amounts must be Decimal, str or int, never float or bool")
    return str(value)


def _lines(lines: Iterable[Mapping[str, Any]]) -> str:
    return json_doc([{k: (_amount(v) if k == "unit_cost" else v) for k, v in line.items()} for line in lines])


class PurchasingClient(ModuleClient):
    """Distributors, purchase orders, receipts and reorder suggestions of a shop (``api`` wrappers of ``store``)."""

    module = "purchasing"
    schema = "store"

    # -- distributors ------------------------------------------------------------------------------------------
    def create_distributor(self, code: str, name: str, *, contact_info: dict[str, Any] | None = None,
                           payment_terms: str | None = None, payment_terms_days: int | None = None,
                           shipping_terms: str | None = None, minimum_order: Amount = 0,
                           lead_time_days: int | None = None, tenant_id: int | None = None) -> int:
        """Create a distributor (code unique per tenant); returns its id."""
        return int(self._call_value("api.create_store_distributor", code=code, name=name,
                                    contact_info=json_doc(contact_info or {}), payment_terms=payment_terms,
                                    payment_terms_days=payment_terms_days, shipping_terms=shipping_terms,
                                    minimum_order=_amount(minimum_order), lead_time_days=lead_time_days,
                                    tenant_id=tenant_id))

    def update_distributor(self, distributor_id: int, *, name: str | None = None,
                           contact_info: dict[str, Any] | None = None, payment_terms: str | None = None,
                           payment_terms_days: int | None = None, shipping_terms: str | None = None,
                           minimum_order: Amount | None = None, lead_time_days: int | None = None,
                           is_active: bool | None = None, tenant_id: int | None = None) -> int:
        """Change what is given of a distributor (None keeps it); returns its id."""
        return int(self._call_value("api.update_store_distributor", distributor_id=distributor_id, name=name,
                                    contact_info=None if contact_info is None else json_doc(contact_info),
                                    payment_terms=payment_terms, payment_terms_days=payment_terms_days,
                                    shipping_terms=shipping_terms, minimum_order=_amount(minimum_order),
                                    lead_time_days=lead_time_days, is_active=is_active, tenant_id=tenant_id))

    def set_distributor_item(self, distributor_id: int, variant_id: int, unit_cost: Amount, *,
                             distributor_sku: str | None = None, preferred: bool = False,
                             tenant_id: int | None = None) -> int:
        """The distributor supplies the variant at ``unit_cost`` (optionally its preferred one); returns the item id."""
        return int(self._call_value("api.set_store_distributor_item", distributor_id=distributor_id,
                                    variant_id=variant_id, unit_cost=_amount(unit_cost),
                                    distributor_sku=distributor_sku, is_preferred=preferred, tenant_id=tenant_id))

    # -- purchase orders ---------------------------------------------------------------------------------------
    def create_order(self, distributor_id: int, ship_to_location_id: int, lines: Iterable[Mapping[str, Any]], *,
                     expected_date: dt.date | None = None, tax_amount: Amount = 0, shipping_amount: Amount = 0,
                     expected_total: Amount | None = None, external_po_number: str | None = None,
                     notes: str | None = None, tenant_id: int | None = None) -> dict[str, Any]:
        """Create a DRAFT order with ``lines`` ([{"variant_id", "quantity", "unit_cost"?, "distributor_sku"?}]);
        returns the order (po_number, subtotal and total as the database computed them)."""
        return dict(self._call_one("api.create_purchase_order", distributor_id=distributor_id,
                                   ship_to_location_id=ship_to_location_id, lines=_lines(lines),
                                   expected_date=expected_date, tax_amount=_amount(tax_amount),
                                   shipping_amount=_amount(shipping_amount), expected_total=_amount(expected_total),
                                   external_po_number=external_po_number, notes=notes, tenant_id=tenant_id) or {})

    def add_lines(self, purchase_order_id: int, lines: Iterable[Mapping[str, Any]], *,
                  expected_total: Amount | None = None, tenant_id: int | None = None) -> dict[str, Any]:
        """Add lines to a DRAFT order; returns the order."""
        return dict(self._call_one("api.add_purchase_order_lines", purchase_order_id=purchase_order_id,
                                   lines=_lines(lines), expected_total=_amount(expected_total),
                                   tenant_id=tenant_id) or {})

    def set_charges(self, purchase_order_id: int, tax_amount: Amount, shipping_amount: Amount, *,
                    expected_total: Amount | None = None, tenant_id: int | None = None) -> dict[str, Any]:
        """Set an open order's tax and shipping; returns the order."""
        return dict(self._call_one("api.set_purchase_order_charges", purchase_order_id=purchase_order_id,
                                   tax_amount=_amount(tax_amount), shipping_amount=_amount(shipping_amount),
                                   expected_total=_amount(expected_total), tenant_id=tenant_id) or {})

    def submit(self, purchase_order_id: int, *, expected_total: Amount | None = None,
               tenant_id: int | None = None) -> dict[str, Any]:
        """DRAFT → SUBMITTED (an active distributor, at least its minimum order); returns the order."""
        return dict(self._call_one("api.submit_purchase_order", purchase_order_id=purchase_order_id,
                                   expected_total=_amount(expected_total), tenant_id=tenant_id) or {})

    def confirm(self, purchase_order_id: int, *, external_po_number: str | None = None,
                expected_date: dt.date | None = None, tenant_id: int | None = None) -> dict[str, Any]:
        """SUBMITTED → CONFIRMED, with the distributor's number; returns the order."""
        return dict(self._call_one("api.confirm_purchase_order", purchase_order_id=purchase_order_id,
                                   external_po_number=external_po_number, expected_date=expected_date,
                                   tenant_id=tenant_id) or {})

    def cancel(self, purchase_order_id: int, reason: str | None = None, *,
               tenant_id: int | None = None) -> dict[str, Any]:
        """Cancel an order (a PARTIAL one is closed short); returns the order."""
        return dict(self._call_one("api.cancel_purchase_order", purchase_order_id=purchase_order_id, reason=reason,
                                   tenant_id=tenant_id) or {})

    def receive(self, purchase_order_id: int, lines: Iterable[Mapping[str, Any]], *, notes: str | None = None,
                tenant_id: int | None = None) -> dict[str, Any]:
        """Receive ``lines`` ([{"line_id" or "variant_id", "quantity", "allow_over_receipt"?}]) into stock; returns
        the receipt id, the order's status and the units received (STORE_PO_OVER_RECEIPT past what was ordered)."""
        return dict(self._call_one("api.receive_purchase_order", purchase_order_id=purchase_order_id,
                                   lines=json_doc(list(lines)), notes=notes, tenant_id=tenant_id) or {})

    # -- reordering --------------------------------------------------------------------------------------------
    def reorder_suggestions(self, location_id: int | None = None, tenant_id: int | None = None) -> list[dict[str, Any]]:
        """Variants under their reorder point (counting what is on order), what to order and from whom."""
        return self._call("api.reorder_suggestions", location_id=location_id, tenant_id=tenant_id)

    def create_reorder_orders(self, location_id: int | None = None, tenant_id: int | None = None) -> list[dict[str, Any]]:
        """Turn the suggestions into DRAFT orders, one per distributor and location; returns them (none twice)."""
        return self._call("api.create_reorder_purchase_orders", location_id=location_id, tenant_id=tenant_id)
