"""Merchants, invoices and merchant webhooks of the payments product (issue 19; docs/payments.md, "Merchants, invoices
and merchant webhooks"), as methods of ``client.payments`` (:class:`PaymentsBillingMixin` is one of
:class:`~mercato.payments.PaymentsClient`'s bases).

Invoices come back as JSON documents with amounts as text; the database computes every amount (items are given as
``{"description", "quantity", "unit_price", "tax_rate"}`` with decimal strings). A refusal is a
:class:`~mercato.errors.MercatoError` with its code (``PAYMENTS_INVOICE_STATE``, ``PAYMENTS_INVOICE_OVERPAID``, …)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from mercato.module import ModuleClient, json_doc


def _row(row: dict[str, Any] | None, what: str) -> dict[str, Any]:
    if row is None:
        raise LookupError(f"no {what} returned")
    return row


class PaymentsBillingMixin(ModuleClient):
    """``client.payments``: merchant registration, invoices (draft, open, pay, void), webhook endpoints and events."""

    # merchants
    def register_merchant(self, name: str, currency: str = "KES") -> dict[str, Any]:
        """Register a merchant the caller owns, with its wallet: ``{"organization_id", "wallet_id"}``."""
        return _row(self._call_one("api.register_merchant", name=name, currency=currency), "merchant")

    # invoices
    def create_invoice(self, organization_id: int, currency: str, due_date: dt.date, items: list[dict[str, Any]], *,
                       customer_user_id: int | None = None, customer_email: str | None = None,
                       customer_name: str | None = None, memo: str = "",
                       expected_total: Decimal | str | None = None) -> dict[str, Any]:
        """Draft an invoice (the merchant's staff); the invoice document."""
        return self._call_value("api.create_invoice", organization_id=organization_id, currency=currency,
                                due_date=due_date, items=json_doc(items), customer_user_id=customer_user_id,
                                customer_email=customer_email, customer_name=customer_name, memo=memo,
                                expected_total=None if expected_total is None else Decimal(str(expected_total)))

    def add_invoice_items(self, invoice_id: int, items: list[dict[str, Any]]) -> dict[str, Any]:
        """Append items to a draft; the invoice document."""
        return self._call_value("api.add_invoice_items", invoice_id=invoice_id, items=json_doc(items))

    def remove_invoice_item(self, invoice_id: int, position: int) -> dict[str, Any]:
        """Remove an item (by position) from a draft; the invoice document."""
        return self._call_value("api.remove_invoice_item", invoice_id=invoice_id, position=position)

    def open_invoice(self, invoice_id: int) -> dict[str, Any]:
        """Open a draft: its number, items frozen; the invoice document."""
        return self._call_value("api.open_invoice", invoice_id=invoice_id)

    def void_invoice(self, invoice_id: int) -> dict[str, Any]:
        """Void an invoice nothing was paid on (the merchant's ADMIN or OWNER)."""
        return self._call_value("api.void_invoice", invoice_id=invoice_id)

    def mark_invoice_uncollectible(self, invoice_id: int) -> dict[str, Any]:
        """Mark an open invoice uncollectible (it may still be paid)."""
        return self._call_value("api.mark_invoice_uncollectible", invoice_id=invoice_id)

    def pay_invoice_from_wallet(self, invoice_id: int, wallet_id: int, amount: Decimal | str,
                                reference: str) -> dict[str, Any]:
        """Pay an invoice in part or in full from a wallet; idempotent by ``reference``. ``{"payment_id",
        "ledger_reference", "fee", "invoice"}``."""
        return self._call_value("api.pay_invoice_from_wallet", invoice_id=invoice_id, wallet_id=wallet_id,
                                amount=Decimal(str(amount)), reference=reference)

    def get_invoice(self, invoice_id: int) -> dict[str, Any]:
        """An invoice with its items and payments."""
        return self._call_value("api.get_invoice", invoice_id=invoice_id)

    def list_invoices(self, organization_id: int, *, status: str | None = None, overdue: bool | None = None,
                      before_id: int | None = None, limit: int = 100) -> list[dict[str, Any]]:
        """A merchant's invoices, newest first."""
        return self._call("api.list_invoices", organization_id=organization_id, status=status, overdue=overdue,
                          before_id=before_id, limit=limit)

    def my_invoices(self, *, status: str | None = None, limit: int = 100) -> list[dict[str, Any]]:
        """The invoices addressed to the caller."""
        return self._call("api.my_invoices", status=status, limit=limit)

    # merchant webhooks
    def create_webhook_endpoint(self, organization_id: int, url: str, event_types: list[str]) -> dict[str, Any]:
        """Add an endpoint; ``{"endpoint_id", "secret"}`` (the signing secret, shown this once)."""
        return _row(self._call_one("api.create_webhook_endpoint", organization_id=organization_id, url=url,
                                   event_types=list(event_types)), "endpoint")

    def update_webhook_endpoint(self, endpoint_id: int, *, url: str | None = None,
                                event_types: list[str] | None = None, status: str | None = None) -> None:
        """Change an endpoint's URL, event types or status (ENABLED, DISABLED)."""
        self._call("api.update_webhook_endpoint", endpoint_id=endpoint_id, url=url,
                   event_types=None if event_types is None else list(event_types), status=status)

    def rotate_webhook_secret(self, endpoint_id: int, window_seconds: int = 86400) -> dict[str, Any]:
        """A new signing secret (shown once); the old stays valid for ``window_seconds``. ``{"secret",
        "previous_expires_at"}``."""
        return _row(self._call_one("api.rotate_webhook_secret", endpoint_id=endpoint_id, window_seconds=window_seconds),
                    "secret")

    def webhook_endpoints(self, organization_id: int) -> list[dict[str, Any]]:
        """A merchant's endpoints (no secrets): valid secrets now, when a rotation window ends."""
        return self._call("api.webhook_endpoints", organization_id=organization_id)

    def merchant_deliveries(self, organization_id: int, *, object_type: str | None = None,
                            object_id: int | None = None, state: str | None = None, before_event: int | None = None,
                            limit: int = 100) -> list[dict[str, Any]]:
        """A merchant's events with their deliveries and the outbox's state, newest first: the list to replay from."""
        return self._call("api.merchant_deliveries", organization_id=organization_id, object_type=object_type,
                          object_id=object_id, state=state, before_event=before_event, limit=limit)

    def replay_merchant_event(self, event_id: int, endpoint_id: int | None = None) -> int:
        """Send an event again (to one endpoint, or to every enabled one taking it); how many deliveries."""
        return self._call_value("api.replay_merchant_event", event_id=event_id, endpoint_id=endpoint_id)
