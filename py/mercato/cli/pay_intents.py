"""``mercato pay intent …`` and ``mercato pay qr …``: payment intents and KE-QR codes with server records
(docs/payments.md, "Payment intents").

Attached to the ``mercato pay`` group from the bottom of cli/pay.py. ``--as SUBJECT`` acts as that user (a payer, or a
member of the merchant); without it the CLI is the back office. Sources are ``wallet:ID:AMOUNT`` or ``rail:RAIL:AMOUNT``;
amounts are passed through as text. Results print as JSON; a refusal prints one ``error: <CODE>: …`` line.
"""

from __future__ import annotations

import json
import re
from decimal import Decimal
from typing import Any

import click

from mercato.cli.common import caller_option, client_for, emit

_SOURCE = re.compile(r"^(wallet|rail):([A-Za-z0-9_-]+):([0-9]+(?:\.[0-9]+)?)$")
_source_option = click.option("--source", "sources", multiple=True, metavar="wallet:ID:AMOUNT|rail:RAIL:AMOUNT",
                              help="A source of the payment (repeat for several).")
_key_option = click.option("--key", "idempotency_key", default=None, help="Idempotency key (a retry sends the same).")


def _sources(values: tuple[str, ...]) -> list[dict[str, Any]] | None:
    if not values:
        return None
    out: list[dict[str, Any]] = []
    for value in values:
        m = _SOURCE.match(value)
        if not m or (m.group(1) == "wallet" and not m.group(2).isdigit()):
            raise click.BadParameter(f"{value!r}: wallet:ID:AMOUNT or rail:RAIL:AMOUNT", param_hint="--source")
        if m.group(1) == "wallet":
            out.append({"wallet_id": int(m.group(2)), "amount": m.group(3)})
        else:
            out.append({"rail": m.group(2), "amount": m.group(3)})
    return out


def _show(value: Any) -> None:
    click.echo(json.dumps(value, indent=2, sort_keys=True, default=str))


@click.group(name="intent")
def intent() -> None:
    """Payment intents: create, confirm, capture, cancel, refund, show, list."""


@intent.command(name="create")
@click.argument("merchant_id", type=int)
@click.argument("amount", type=Decimal)
@click.option("--currency", default="KES", show_default=True)
@click.option("--description", default="")
@click.option("--metadata", default="{}", help="A JSON object.")
@click.option("--manual", is_flag=True, help="Manual capture (the merchant captures later).")
@_source_option
@_key_option
@caller_option
def intent_create(merchant_id: int, amount: Decimal, currency: str, description: str, metadata: str, manual: bool,
                  sources: tuple[str, ...], idempotency_key: str | None, as_subject: str | None) -> None:
    """Create a payment intent of AMOUNT to MERCHANT_ID (as its member for a customer, or as the payer)."""
    try:
        meta = json.loads(metadata)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--metadata") from None
    with client_for(as_subject) as client:
        _show(client.payments.create_intent(merchant_id, amount, currency, description=description, metadata=meta,
                                            capture_method="manual" if manual else "automatic",
                                            sources=_sources(sources), idempotency_key=idempotency_key))


_secret_option = click.option("--client-secret", "client_secret", default=None,
                              help="The intent's client secret (create prints it once): needed for an intent a "
                                   "merchant created, until it has a payer.")


@intent.command(name="confirm")
@click.argument("intent_id", type=int)
@_source_option
@_key_option
@_secret_option
@caller_option
def intent_confirm(intent_id: int, sources: tuple[str, ...], idempotency_key: str | None, client_secret: str | None,
                   as_subject: str | None) -> None:
    """Confirm INTENT_ID as its payer with its sources (or those given at creation)."""
    with client_for(as_subject) as client:
        _show(client.payments.confirm_intent(intent_id, _sources(sources), idempotency_key=idempotency_key,
                                             client_secret=client_secret))


@intent.command(name="capture")
@click.argument("intent_id", type=int)
@click.argument("amount", type=Decimal, required=False)
@_key_option
@caller_option
def intent_capture(intent_id: int, amount: Decimal | None, idempotency_key: str | None, as_subject: str | None) -> None:
    """Capture INTENT_ID (all, or AMOUNT: the rest released)."""
    with client_for(as_subject) as client:
        _show(client.payments.capture_intent(intent_id, amount, idempotency_key=idempotency_key))


@intent.command(name="cancel")
@click.argument("intent_id", type=int)
@click.option("--reason", default="requested_by_customer", show_default=True)
@caller_option
def intent_cancel(intent_id: int, reason: str, as_subject: str | None) -> None:
    """Cancel INTENT_ID (every hold released)."""
    with client_for(as_subject) as client:
        _show(client.payments.cancel_intent(intent_id, reason))


@intent.command(name="refund")
@click.argument("intent_id", type=int)
@click.argument("amount", type=Decimal, required=False)
@click.option("--reason", default="")
@_key_option
@caller_option
def intent_refund(intent_id: int, amount: Decimal | None, reason: str, idempotency_key: str | None,
                  as_subject: str | None) -> None:
    """Refund INTENT_ID (AMOUNT, or all that remains)."""
    with client_for(as_subject) as client:
        _show(client.payments.refund_intent(intent_id, amount, reason=reason, idempotency_key=idempotency_key))


@intent.command(name="show")
@click.argument("intent_id", type=int)
@_secret_option
@caller_option
def intent_show(intent_id: int, client_secret: str | None, as_subject: str | None) -> None:
    """Show INTENT_ID with its shares, refunds and state log (with --client-secret: its public part)."""
    with client_for(as_subject) as client:
        _show(client.payments.get_intent(intent_id, client_secret=client_secret))


@intent.command(name="list")
@click.option("--merchant", "merchant_id", type=int, default=None, help="A merchant's intents (its members).")
@click.option("--status", default=None)
@click.option("--after", "after_id", type=int, default=0)
@click.option("--limit", type=int, default=50, show_default=True)
@click.option("--json", "as_json", is_flag=True)
@caller_option
def intent_list(merchant_id: int | None, status: str | None, after_id: int, limit: int, as_json: bool,
                as_subject: str | None) -> None:
    """List payment intents: a merchant's, or the caller's own as payer."""
    with client_for(as_subject) as client:
        rows = client.payments.list_intents(merchant_id, status=status, after_id=after_id, limit=limit)
    emit(rows, as_json=as_json, columns=["id", "merchant_id", "payer_user_id", "amount", "currency", "status",
                                         "amount_captured", "amount_refunded", "description"])


@click.group(name="qr")
def qr() -> None:
    """KE-QR codes with server records: create (merchant), pay (payer)."""


@qr.command(name="create")
@click.argument("merchant_id", type=int)
@click.option("--intent", "intent_id", type=int, default=None, help="A dynamic code for this intent (else static).")
@click.option("--mcc", default="5999", show_default=True)
@click.option("--city", default="Nairobi", show_default=True)
@caller_option
def qr_create(merchant_id: int, intent_id: int | None, mcc: str, city: str, as_subject: str | None) -> None:
    """Create a merchant's static code, or a dynamic code for an intent; prints the record with its payload."""
    with client_for(as_subject) as client:
        _show(client.payments.create_qr_code(merchant_id, intent_id, mcc=mcc, city=city))


@qr.command(name="pay")
@click.argument("payload")
@click.argument("wallet_id", type=int)
@click.argument("amount", type=Decimal, required=False)
@_key_option
@caller_option
def qr_pay(payload: str, wallet_id: int, amount: Decimal | None, idempotency_key: str | None,
           as_subject: str | None) -> None:
    """Pay a scanned PAYLOAD from WALLET_ID (a static code needs AMOUNT)."""
    with client_for(as_subject) as client:
        _show(client.payments.pay_qr(payload, wallet_id, amount, idempotency_key=idempotency_key))


def attach(group: click.Group) -> None:
    """Attach ``intent`` and ``qr`` to the ``mercato pay`` group."""
    group.add_command(intent)
    group.add_command(qr)
