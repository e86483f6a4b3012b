"""Shops, shop orders paid by wallet, goods escrow and installment plans (issue 19; docs/payments.md, "Shops, wallet
payments and goods escrow" and "Installments"): the mixin :class:`PaymentsEscrowClient` of ``client.payments``.

Every method calls one ``api`` wrapper. Amounts are passed and returned as text / :class:`~decimal.Decimal` and never
computed here; a refusal is a :class:`~mercato.errors.MercatoError` with its code (``PAYMENTS_ESCROW_STATE``,
``PAYMENTS_PLAN_STATE``, ``LEDGER_INSUFFICIENT_FUNDS`` …)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from mercato.module import ModuleClient, json_doc


def _amount(value: Decimal | str | None) -> Decimal | None:
    return None if value is None else Decimal(str(value))


class PaymentsEscrowClient(ModuleClient):
    """Shops, wallet payments of shop orders, goods escrow and installments (``client.payments``)."""

    # -- shops and wallet payments -------------------------------------------------------------------------------------
    def open_shop(self, organization_id: int, code: str, name: str | None = None, currency: str = "KES") -> dict[str, Any]:
        """Open a merchant's shop (payments.manage, back office): a tenant in ``currency`` whose TENANT_ADMIN are the
        merchant's owners. Returns {shop_id, organization_id, tenant_id, currency}."""
        return self._call_value("api.open_shop", organization_id=organization_id, code=code, name=name,
                                currency=currency)

    def place_shop_order(self, shop_id: int, order: dict[str, Any], expected: dict[str, Any] | None = None) -> dict[str, Any]:
        """Place an order in a shop as its customer (catalog prices); returns the order with its lines."""
        return self._call_value("api.place_shop_order", shop_id=shop_id, order=json_doc(order),
                                expected=None if expected is None else json_doc(expected))

    def pay_shop_order(self, order_id: int, amount: Decimal | str | None = None) -> dict[str, Any]:
        """Pay one's shop order from one's wallet (default: all that is owed); the money is held in goods escrow.
        Returns the payment and the escrow (escrow_id, escrow_status, amount_held, funded, release_after)."""
        return self._call_value("api.pay_shop_order", order_id=order_id, amount=_amount(amount))

    def get_shop_order(self, order_id: int) -> dict[str, Any]:
        """A shop order with its lines, payments, escrow and installment plan id (its buyer, the merchant's members,
        payments.manage, back office)."""
        return self._call_value("api.get_shop_order", order_id=order_id)

    # -- goods escrow --------------------------------------------------------------------------------------------------
    def get_escrow(self, escrow_id: int) -> dict[str, Any]:
        """An escrow with its ledger balance (its buyer, the merchant's members, payments.manage, back office)."""
        return self._call_value("api.get_escrow", escrow_id=escrow_id)

    def confirm_delivery(self, escrow_id: int) -> dict[str, Any]:
        """The buyer confirms delivery: the escrow is released to the merchant minus the PAYMENT fee, once."""
        return self._call_value("api.confirm_delivery", escrow_id=escrow_id)

    def open_dispute(self, escrow_id: int, reason: str) -> dict[str, Any]:
        """The buyer disputes a HELD escrow: every release is frozen until an admin resolves it."""
        return self._call_value("api.open_dispute", escrow_id=escrow_id, reason=reason)

    def resolve_dispute(self, escrow_id: int, buyer_amount: Decimal | str, note: str) -> dict[str, Any]:
        """Resolve a DISPUTED escrow (payments.manage, back office): ``buyer_amount`` back to the buyer, the rest to
        the merchant minus the fee."""
        return self._call_value("api.resolve_dispute", escrow_id=escrow_id, buyer_amount=_amount(buyer_amount),
                                note=note)

    def refund_escrow(self, escrow_id: int, reason: str) -> dict[str, Any]:
        """The merchant (ADMIN or OWNER) refunds a HELD or DISPUTED escrow in full to the buyer."""
        return self._call_value("api.refund_escrow", escrow_id=escrow_id, reason=reason)

    def list_escrows(self, merchant_id: int | None = None, *, status: str | None = None, after_id: int = 0,
                     limit: int = 50) -> list[dict[str, Any]]:
        """A merchant's escrows (its members, STAFF and up), else the caller's own as buyer (back office: all); keyset
        by id after ``after_id``, at most ``limit`` (1-500), optionally of one status."""
        return self._call("api.list_escrows", merchant_id=merchant_id, status=status, after_id=after_id, limit=limit)

    def cancel_shop_order(self, order_id: int, reason: str) -> dict[str, Any]:
        """The merchant (ADMIN or OWNER) cancels a shop order: its HELD or DISPUTED escrow refunded in full to the
        buyer first, once, then the order cancelled (stock released). Returns the order with its escrow."""
        return self._call_value("api.cancel_shop_order", order_id=order_id, reason=reason)

    # -- installments --------------------------------------------------------------------------------------------------
    def create_installment_plan(self, order_id: int, installments: int, interval_days: int = 30,
                                first_due_at: dt.datetime | None = None) -> dict[str, Any]:
        """Put one's unpaid shop order on a plan of ``installments`` exact parts every ``interval_days``."""
        return self._call_value("api.create_installment_plan", order_id=order_id, installments=installments,
                                interval_days=interval_days, first_due_at=first_due_at)

    def pay_installment(self, installment_id: int) -> dict[str, Any]:
        """Pay one of one's installments now from one's wallet (with its late fee if it is LATE)."""
        return self._call_value("api.pay_installment", installment_id=installment_id)

    def cancel_installment_plan(self, plan_id: int) -> dict[str, Any]:
        """Cancel an ACTIVE plan: what was paid comes back minus the policy's cancellation fee."""
        return self._call_value("api.cancel_installment_plan", plan_id=plan_id)

    def get_installment_plan(self, plan_id: int) -> dict[str, Any]:
        """A plan with its schedule and escrow."""
        return self._call_value("api.get_installment_plan", plan_id=plan_id)

    def list_installment_plans(self, merchant_id: int | None = None, *, status: str | None = None, after_id: int = 0,
                               limit: int = 50) -> list[dict[str, Any]]:
        """A merchant's installment plans (its members), else the caller's own as buyer (back office: all), with the
        next due date and how many installments are open and LATE; keyset by id."""
        return self._call("api.list_installment_plans", merchant_id=merchant_id, status=status, after_id=after_id,
                          limit=limit)
