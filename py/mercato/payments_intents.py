"""Payment intents and KE-QR codes with server records (docs/payments.md, "Payment intents"): a mixin of
``client.payments``. Amounts go in and come out as text/``Decimal``; the database does every computation. Refusals are
:class:`~mercato.errors.MercatoError` with the code (``PAYMENTS_IDEMPOTENCY_MISMATCH`` 422, ``PAYMENTS_IDEMPOTENCY_IN_PROGRESS``
409 — retry —, ``PAYMENTS_INTENT_STATE``, ``PAYMENTS_REFUND_EXCEEDS``, ``PAYMENTS_QR_USED`` …)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from mercato.module import ModuleClient, json_doc

Amount = Decimal | str | int


def _amount(value: Amount | None) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def _sources(sources: list[dict[str, Any]] | None) -> str | None:
    """[{"wallet_id": 12, "amount": "60.00"}, {"rail": "MPESA", "amount": "40.00"}] as a JSON document."""
    if sources is None:
        return None
    return json_doc([{k: (str(v) if k == "amount" else v) for k, v in dict(s).items()} for s in sources])


class PaymentIntentsClient(ModuleClient):
    """Payment intents (Stripe's lifecycle, several sources at once) and paying by QR."""

    def create_intent(self, merchant_id: int, amount: Amount, currency: str = "KES", *, description: str = "",
                      metadata: dict[str, Any] | None = None, capture_method: str = "automatic",
                      sources: list[dict[str, Any]] | None = None, idempotency_key: str | None = None) -> dict[str, Any]:
        """Create a payment intent to a merchant: as its member for a customer, or as the payer (optionally with
        sources). Returns the intent as a dict, with its ``client_secret`` (hand it to the customer who confirms)."""
        return self._call_value("api.create_payment_intent", merchant_id=merchant_id, amount=_amount(amount),
                                currency=currency, description=description, metadata=json_doc(metadata or {}),
                                capture_method=capture_method, sources=_sources(sources),
                                idempotency_key=idempotency_key)

    def confirm_intent(self, intent_id: int, sources: list[dict[str, Any]] | None = None, *,
                       idempotency_key: str | None = None, client_secret: str | None = None) -> dict[str, Any]:
        """Confirm as the payer: wallet shares held at once, external shares pending their funding. An intent a
        merchant created (no payer yet) needs its ``client_secret`` (returned once by :meth:`create_intent`);
        absent or wrong, it is refused as ``PAYMENTS_UNKNOWN_INTENT`` and nothing changes."""
        return self._call_value("api.confirm_payment_intent", intent_id=intent_id, sources=_sources(sources),
                                idempotency_key=idempotency_key, client_secret=client_secret)

    def capture_intent(self, intent_id: int, amount: Amount | None = None, *,
                       idempotency_key: str | None = None) -> dict[str, Any]:
        """Capture a manual intent, all or part (the rest released), as a member of its merchant."""
        return self._call_value("api.capture_payment_intent", intent_id=intent_id, amount=_amount(amount),
                                idempotency_key=idempotency_key)

    def cancel_intent(self, intent_id: int, reason: str = "requested_by_customer") -> dict[str, Any]:
        """Cancel an intent that has not succeeded: every hold released."""
        return self._call_value("api.cancel_payment_intent", intent_id=intent_id, reason=reason)

    def refund_intent(self, intent_id: int, amount: Amount | None = None, *, reason: str = "",
                      idempotency_key: str | None = None) -> dict[str, Any]:
        """Refund part or all of a succeeded intent (never above what was captured), as an ADMIN of its merchant."""
        return self._call_value("api.refund_payment_intent", intent_id=intent_id, amount=_amount(amount),
                                reason=reason, idempotency_key=idempotency_key)

    def get_intent(self, intent_id: int, *, client_secret: str | None = None) -> dict[str, Any]:
        """An intent with its shares, refunds and state log (its payer, its merchant's members); any other user with
        its ``client_secret`` reads its public part."""
        return self._call_value("api.get_payment_intent", intent_id=intent_id, client_secret=client_secret)

    def list_intents(self, merchant_id: int | None = None, *, status: str | None = None, after_id: int = 0,
                     limit: int = 50) -> list[dict[str, Any]]:
        """A merchant's intents (its members), else the caller's own as payer."""
        return self._call("api.list_payment_intents", merchant_id=merchant_id, status=status, after_id=after_id,
                          limit=limit)

    def create_qr_code(self, merchant_id: int, intent_id: int | None = None, *, mcc: str = "5999",
                       city: str = "Nairobi", expires_at: Any = None) -> dict[str, Any]:
        """A merchant's static code (no intent) or a dynamic code for an intent awaiting its payment."""
        return self._call_value("api.create_qr_code", merchant_id=merchant_id, intent_id=intent_id, mcc=mcc, city=city,
                                expires_at=expires_at)

    def pay_qr(self, payload: str, wallet_id: int, amount: Amount | None = None, *,
               idempotency_key: str | None = None) -> dict[str, Any]:
        """Pay a scanned KE-QR payload from a wallet (a static code needs the amount). Returns the intent."""
        return self._call_value("api.pay_qr", payload=payload, wallet_id=wallet_id, amount=_amount(amount),
                                idempotency_key=idempotency_key)
