"""Wallets, KYC levels and fees of the payments product (issue 19; docs/payments.md), as methods of
``client.payments`` (:class:`PaymentsWalletsMixin` is one of :class:`~mercato.payments.PaymentsClient`'s bases).

A wallet is a ledger MAIN account: its id is the account's, its balance, holds and statement are the ledger's. Amounts
go to the database as ``Decimal`` (or text) and come back as ``Decimal``; the database computes every fee. A refusal
is a :class:`~mercato.errors.MercatoError` with its code (``PAYMENTS_UNKNOWN_WALLET``, ``PAYMENTS_INVALID_INPUT``,
``IDENTITY_PERMISSION_DENIED``, …)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from mercato.module import ModuleClient


def _amount(value: Decimal | str | int | None) -> Decimal | None:
    return None if value is None else Decimal(str(value))


class PaymentsWalletsMixin(ModuleClient):
    """``client.payments``: wallets (open, list, statement, limits), KYC levels and fees (rules, quotes, report)."""

    def open_wallet(self, currency: str, organization_id: int | None = None) -> int:
        """Open (or find) the caller's wallet in ``currency``, or its organization's (as ADMIN or OWNER); the wallet
        id (its ledger account)."""
        return self._call_value("api.open_wallet", currency=currency, organization_id=organization_id)

    def my_wallets(self) -> list[dict[str, Any]]:
        """The caller's wallets and those of the organizations it acts for, with balance, held, available, status and
        KYC level."""
        return self._call("api.my_wallets")

    def wallet_statement(self, wallet_id: int, *, from_: dt.datetime | None = None, to: dt.datetime | None = None,
                         after_seq: int = 0, limit: int = 100) -> list[dict[str, Any]]:
        """A wallet's ledger entries in [from_, to) after ``after_seq`` (keyset), with the running balance."""
        return self._call("api.wallet_statement", wallet_id=wallet_id, **{"from": from_}, to=to, after_seq=after_seq,
                          limit=limit)

    def wallet_limits(self, wallet_id: int) -> dict[str, Any]:
        """The limits in force for a wallet: KYC level, max_balance, daily_withdrawal (text), policy_version."""
        return self._call_value("api.wallet_limits", wallet_id=wallet_id)

    def set_kyc_level(self, owner_type: str, owner_id: int, level: int, note: str = "") -> None:
        """Set the KYC level (0..3) of a user (``USER``) or organization (``ORG``); payments.manage."""
        self._call("api.set_kyc_level", owner_type=owner_type, owner_id=owner_id, level=level, note=note)

    def set_fee_rule(self, operation: str, currency: str, percent: Decimal | str, *, organization_id: int | None = None,
                     rail: str | None = None, fixed: Decimal | str = "0", min_fee: Decimal | str = "0",
                     max_fee: Decimal | str | None = None, effective_from: dt.datetime | None = None) -> int:
        """Append a fee rule version (the catalog's, or a merchant's profile with ``organization_id``); its id."""
        return self._call_value("api.set_fee_rule", organization_id=organization_id, operation=operation, rail=rail,
                                currency=currency, percent=_amount(percent), fixed=_amount(fixed),
                                min_fee=_amount(min_fee), max_fee=_amount(max_fee), effective_from=effective_from)

    def fee_quote(self, operation: str, currency: str, amount: Decimal | str, *, rail: str | None = None,
                  organization_id: int | None = None) -> Decimal:
        """The fee the platform would charge now on ``amount`` for an operation (rail and merchant optional)."""
        return self._call_value("api.fee_quote", operation=operation, rail=rail, organization_id=organization_id,
                                currency=currency, amount=_amount(amount))

    def fee_report(self, from_: dt.datetime, to: dt.datetime, organization_id: int | None = None) -> list[dict[str, Any]]:
        """The fees earned in [from_, to) per merchant, operation, rail and currency (a merchant's own; the back office
        or payments.manage: any, or all with no ``organization_id``)."""
        return self._call("api.fee_report", organization_id=organization_id, **{"from": from_}, to=to)
