"""``client.payments``: the payments product (issue 19; docs/payments.md). So far: KE-QR payloads — parse a scanned
code (any signed-in user) and build one (the back office). A refused payload is a
:class:`~mercato.errors.MercatoError` with code ``PAYMENTS_INVALID_QR`` and a detail naming the tag."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from mercato.module import ModuleClient
from mercato.payments_billing import PaymentsBillingMixin
from mercato.payments_escrow import PaymentsEscrowClient
from mercato.payments_intents import PaymentIntentsClient
from mercato.payments_rails import RailsMixin
from mercato.payments_wallets import PaymentsWalletsMixin


class PaymentsClient(RailsMixin, PaymentsWalletsMixin, PaymentsBillingMixin, PaymentIntentsClient, PaymentsEscrowClient,
                     ModuleClient):
    """``client.payments``: the ``api`` wrappers of the payments module."""

    module = "payments"

    def parse_ke_qr(self, payload: str) -> dict[str, Any]:
        """The fields of a KE-QR payload (its CRC checked first): initiation STATIC or DYNAMIC, template, provider_id,
        merchant_account, mcc, currency, amount (text or None), country, name, city, reference."""
        return self._call_value("api.parse_ke_qr", payload=payload)

    def build_ke_qr(self, *, dynamic: bool, template: str, provider_id: str, merchant_account: str, mcc: str, name: str,
                    city: str, amount: Decimal | str | None = None, reference: str | None = None) -> str:
        """A KE-QR payload (the back office): static, or dynamic with its amount and a reference."""
        return self._call_value("api.build_ke_qr", dynamic=dynamic, template=template, provider_id=provider_id,
                                merchant_account=merchant_account, mcc=mcc, name=name, city=city,
                                amount=None if amount is None else Decimal(str(amount)), reference=reference)
