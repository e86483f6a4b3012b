"""``client.customers``: the customers of a shop and their money — store credit, loyalty points and refunds (issue 18;
the ``api`` wrappers of the ``orders`` module's customers, store credit, loyalty and refunds functions).

A shop's staff (permission ``orders.manage``) act in their own tenant, taken from who they are; a platform user or the
back office names the tenant with ``tenant_id``. A signed-in user of a tenant manages its own customer row
(``create_mine``, ``mine``, ``update_mine``), reads its balances and pays its own orders from its store credit or
points. Amounts travel as strings (``Decimal`` or ``str``, never floats) and come back as strings; balances are read
from the ledger, never from a copied column.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from psycopg.types.json import Jsonb

from mercato.module import ModuleClient, json_doc


def _doc(value: Any) -> Jsonb:
    return Jsonb(value, dumps=json_doc)


class CustomersClient(ModuleClient):
    """``client.customers``: create, change, list customers; store credit, loyalty points, refunds."""

    module = "customers"
    schema = "orders"

    # -- customers (staff) --------------------------------------------------------------------------------------------
    def create(self, customer: dict[str, Any], *, tenant_id: int | None = None) -> dict[str, Any]:
        """Create a customer: email, first_name, last_name, phone, default_address, status (ACTIVE / INVITED),
        accepts_marketing, tags, note, metadata, user_id. Returns the customer."""
        return self._call_value("api.create_customer", customer=_doc(customer), tenant_id=tenant_id)

    def update(self, customer_id: int, changes: dict[str, Any], *, tenant_id: int | None = None) -> dict[str, Any]:
        """Change the fields present in ``changes`` (None clears an optional one; status moves along its transitions)."""
        return self._call_value("api.update_customer", customer_id=customer_id, changes=_doc(changes), tenant_id=tenant_id)

    def get(self, customer_id: int, *, tenant_id: int | None = None) -> dict[str, Any]:
        """One customer of the tenant."""
        return self._call_value("api.get_customer", customer_id=customer_id, tenant_id=tenant_id)

    def find(self, query: str | None = None, *, tag: str | None = None, status: str | None = None,
             after_id: int | None = None, limit: int = 50, tenant_id: int | None = None) -> list[dict[str, Any]]:
        """A page of customers in id order (pass the last id as ``after_id`` for the next)."""
        return self._call_value("api.list_customers", query=query, tag=tag, status=status, after_id=after_id,
                                limit=limit, tenant_id=tenant_id)

    def link_user(self, customer_id: int, user_id: int, *, tenant_id: int | None = None) -> dict[str, Any]:
        """Link a user of the same tenant to the customer."""
        return self._call_value("api.link_customer_user", customer_id=customer_id, user_id=user_id, tenant_id=tenant_id)

    # -- my customer (a signed-in user of a tenant) ---------------------------------------------------------------------
    def create_mine(self, customer: dict[str, Any] | None = None) -> dict[str, Any]:
        """Become a customer of one's own tenant (email, names, phone, default_address, accepts_marketing)."""
        return self._call_value("api.create_my_customer", customer=_doc(customer or {}))

    def mine(self) -> dict[str, Any]:
        """One's own customer row."""
        return self._call_value("api.my_customer")

    def update_mine(self, changes: dict[str, Any]) -> dict[str, Any]:
        """Change one's own customer row (accepts_marketing False withdraws consent)."""
        return self._call_value("api.update_my_customer", changes=_doc(changes))

    def balances(self, customer_id: int | None = None, *, tenant_id: int | None = None) -> dict[str, Any]:
        """Store credit and points from the ledger (no ``customer_id``: one's own), with total_spent and order_count."""
        return self._call_value("api.customer_balances", customer_id=customer_id, tenant_id=tenant_id)

    # -- money --------------------------------------------------------------------------------------------------------
    def issue_store_credit(self, customer_id: int, amount: Decimal | str, reason: str, *,
                           idempotency_key: str | None = None, tenant_id: int | None = None) -> dict[str, Any]:
        """Goodwill store credit from the shop's promotions account; returns the transaction and the new balance."""
        return self._call_value("api.issue_store_credit", customer_id=customer_id, amount=Decimal(str(amount)),
                                reason=reason, idempotency_key=idempotency_key, tenant_id=tenant_id)

    def pay_with_store_credit(self, order_id: int, amount: Decimal | str, *, tenant_id: int | None = None) -> dict[str, Any]:
        """Pay (part of) an order from its customer's store credit; returns the payment."""
        return self._call_value("api.pay_with_store_credit", order_id=order_id, amount=Decimal(str(amount)),
                                tenant_id=tenant_id)

    def set_loyalty_rule(self, points_per_unit: Decimal | str, point_value: Decimal | str, *,
                         effective_from: dt.datetime | None = None, tenant_id: int | None = None) -> dict[str, Any]:
        """Add the shop's loyalty rule (points per unit of currency paid, value of a point), now or from a later time."""
        return self._call_value("api.set_loyalty_rule", points_per_unit=Decimal(str(points_per_unit)),
                                point_value=Decimal(str(point_value)), effective_from=effective_from,
                                tenant_id=tenant_id)

    def pay_with_points(self, order_id: int, points: int, *, tenant_id: int | None = None) -> dict[str, Any]:
        """Pay (part of) an order with the customer's loyalty points; returns the payment."""
        return self._call_value("api.pay_with_points", order_id=order_id, points=points, tenant_id=tenant_id)

    def refund(self, order_id: int, amount: Decimal | str, reason: str, *, lines: list[dict[str, Any]] | None = None,
               destination: str = "ORIGINAL", location_id: int | None = None,
               tenant_id: int | None = None) -> dict[str, Any]:
        """Refund (part of) an order to where it was paid from (ORIGINAL) or to store credit (STORE_CREDIT); ``lines``
        [{line_id, quantity, restock}] records returned units and restocks them."""
        return self._call_value("api.refund_order", order_id=order_id, amount=Decimal(str(amount)), reason=reason,
                                lines=_doc(lines or []), destination=destination, location_id=location_id,
                                tenant_id=tenant_id)
