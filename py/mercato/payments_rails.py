"""The rails part of ``client.payments`` (issue 19; docs/payments.md, "Rails and webhooks"): rails and their secrets
(the back office), inbound webhooks (the HTTP edge), the rail adapter's acknowledgement (an outbox sender), funding
sessions and withdrawals (a wallet's user or organization ADMIN). A mixin of :class:`mercato.payments.PaymentsClient`;
every method calls one ``api`` wrapper. Amounts go in as :class:`~decimal.Decimal` or strings and come back as text."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from mercato.module import ModuleClient, json_doc


def _amount(value: Decimal | str | int) -> Decimal:
    return Decimal(str(value))


class RailsMixin(ModuleClient):
    """Rails, webhooks, funding sessions and withdrawals."""

    # -- rails (the back office, payments.manage) ----------------------------------------------------------------------
    def rails(self) -> list[dict[str, Any]]:
        """The rails: ACTIVE ones for a user; all, with their settings, for the back office (never a secret)."""
        return self._call("api.rails")

    def set_rail(self, code: str, *, kind: str | None = None, name: str | None = None, status: str | None = None,
                 shortcode: str | None = None, answer_timeout_seconds: int | None = None,
                 timestamp_tolerance_seconds: int | None = None, source_allowlist: list[str] | None = None,
                 currency: str = "KES") -> dict[str, Any]:
        """Configure a rail (a new one needs kind and name; None keeps a setting). Returns the rail."""
        return self._call_value("api.set_rail", code=code, kind=kind, name=name, status=status, shortcode=shortcode,
                                answer_timeout_seconds=answer_timeout_seconds,
                                timestamp_tolerance_seconds=timestamp_tolerance_seconds,
                                source_allowlist=source_allowlist, currency=currency)

    def add_rail_hmac_secret(self, code: str, secret: str, *, retire_others: bool = False) -> int:
        """Add an HMAC key (32 to 256 bytes) to a signed rail; the newest previous key stays live (rotation)."""
        return self._call_value("api.add_rail_hmac_secret", code=code, secret=secret, retire_others=retire_others)

    def new_rail_path_token(self, code: str) -> str:
        """A new path token for an unsigned rail, returned once (stored hashed); the previous one stops working."""
        return self._call_value("api.new_rail_path_token", code=code)

    # -- the edge and the adapter --------------------------------------------------------------------------------------
    def ingest_webhook(self, provider: str, headers: dict[str, str], body: str) -> dict[str, Any]:
        """Hand one call of a rail to the database (the HTTP edge, as the back office): the raw body, the headers
        (X-Mercato-Timestamp / -Signature for signed rails, X-Mercato-Path-Token / -Source-Address for unsigned ones).
        Returns {event_id, state, detail, error_code, http_status}: refusals are answers, not exceptions."""
        return self._call_value("api.ingest_webhook", provider=provider, headers=json_doc(headers), body=body)

    def webhook_events(self, state: str | None = None, provider: str | None = None, limit: int = 100) -> list[dict[str, Any]]:
        """The latest webhook events (payments.manage): QUARANTINED ones are those to review; raw bodies, no headers."""
        return self._call("api.webhook_events", state=state, provider=provider, limit=limit)

    def resolve_webhook_event(self, event_id: int, action: str, reason: str) -> dict[str, Any]:
        """Resolve a QUARANTINED or FAILED webhook event (payments.manage): REPROCESS (the state machine again, never
        applied twice; refused for a flagged mismatch) or DISMISS (closed, no money moves), with a reason. Returns
        {event_id, resolution_id, action, from_state, state, detail, instruction_id}."""
        return self._call_value("api.resolve_webhook_event", event_id=event_id, action=action, reason=reason)

    def rail_acknowledge(self, message_id: int, lease: Any, response: dict[str, Any]) -> dict[str, Any]:
        """The rail adapter (a sender) reports the provider's synchronous answer to a RAIL message it holds."""
        return self._call_value("api.rail_acknowledge", message_id=message_id, lease=lease,
                                response=json.dumps(response, default=str))

    def merchant_webhook_request(self, message_id: int, lease: Any) -> dict[str, Any]:
        """The merchant webhook sender (a sender) asks for the HTTP request of a WEBHOOK message it holds under its
        lease: {method, url, body, headers (Mercato-Signature made now), message_id, delivery_id, endpoint_id, event_id}."""
        return self._call_value("api.merchant_webhook_request", message_id=message_id, lease=lease)

    # -- funding sessions and withdrawals ------------------------------------------------------------------------------
    def create_funding_session(self, wallet_id: int, rail: str, amount: Decimal | str | int, payer: str,
                               intent_share_id: int | None = None) -> dict[str, Any]:
        """Top up a wallet from a rail (payer: 2547XXXXXXXX for M-Pesa, an account for a bank); PENDING."""
        return self._call_value("api.create_funding_session", wallet_id=wallet_id, rail=rail, amount=_amount(amount),
                                payer=payer, intent_share_id=intent_share_id)

    def funding_session(self, session_id: int) -> dict[str, Any]:
        """A funding session of a wallet the caller may read."""
        return self._call_value("api.funding_session", session_id=session_id)

    def request_withdrawal(self, wallet_id: int, rail: str, amount: Decimal | str | int, destination: str) -> dict[str, Any]:
        """Withdraw from a wallet to a rail: a hold of amount + fee; PENDING until the rail confirms."""
        return self._call_value("api.request_withdrawal", wallet_id=wallet_id, rail=rail, amount=_amount(amount),
                                destination=destination)

    def withdrawal(self, withdrawal_id: int) -> dict[str, Any]:
        """A withdrawal of a wallet the caller may read."""
        return self._call_value("api.withdrawal", withdrawal_id=withdrawal_id)

    def resolve_flagged_withdrawal(self, withdrawal_id: int, outcome: str, reason: str) -> dict[str, Any]:
        """Resolve a FLAGGED withdrawal (payments.manage), once, with a reason: PAID captures its hold as a confirmed
        payout (COMPLETED), NOT_PAID releases it (FAILED, REVIEWED_NOT_PAID). Returns the withdrawal and the outcome."""
        return self._call_value("api.resolve_flagged_withdrawal", withdrawal_id=withdrawal_id, outcome=outcome,
                                reason=reason)
