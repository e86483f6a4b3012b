"""``mercato pay merchant …``, ``mercato pay invoice …`` and ``mercato pay webhook …``: merchants, invoices and the
webhooks to merchants (docs/payments.md, "Merchants, invoices and merchant webhooks"), attached to the ``mercato pay``
group by :func:`attach` (cli/pay.py).

``--as SUBJECT`` acts as that user (a merchant's member, an invoice's customer); without it the CLI is the back office.
Items are ``QTY:UNIT_PRICE:TAX_PERCENT:DESCRIPTION`` (e.g. ``2:150.00:16:Consulting``); amounts pass through as text and
every total is computed by the database. A signing secret is printed once, when created or rotated. A refusal prints
one ``error: <CODE>: …`` line.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from decimal import Decimal
from typing import Any

import click

from mercato.cli.common import caller_option, client_for, emit

_json_option = click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
_ITEM = re.compile(r"^([0-9]+(?:\.[0-9]+)?):([0-9]+(?:\.[0-9]+)?):([0-9]+(?:\.[0-9]+)?):(.+)$")
_item_option = click.option("--item", "items", multiple=True, metavar="QTY:PRICE:TAX:DESCRIPTION",
                            help="An item, e.g. 2:150.00:16:Consulting (repeat for more).")
_INVOICE_COLUMNS = ["id", "number", "status", "currency", "customer_user_id", "customer_email", "due_date", "total",
                    "amount_paid", "amount_due", "overdue"]


def _items(values: tuple[str, ...]) -> list[dict[str, Any]]:
    items = []
    for value in values:
        m = _ITEM.match(value)
        if not m:
            raise click.BadParameter(f"{value!r}: QTY:UNIT_PRICE:TAX_PERCENT:DESCRIPTION, e.g. 2:150.00:16:Consulting",
                                     param_hint="--item")
        items.append({"quantity": m.group(1), "unit_price": m.group(2), "tax_rate": m.group(3),
                      "description": m.group(4)})
    return items


def _show_invoice(doc: dict[str, Any], as_json: bool) -> None:
    if as_json:
        click.echo(json.dumps(doc, indent=2, default=str))
        return
    emit(doc, as_json=False, columns=[c for c in _INVOICE_COLUMNS if c != "id"] + ["id"])
    if doc.get("items"):
        click.echo()
        emit(doc["items"], as_json=False, columns=["position", "description", "quantity", "unit_price", "tax_rate",
                                                   "amount", "tax_amount"])


# merchants -------------------------------------------------------------------------------------------------------------
@click.group(name="merchant")
def merchant() -> None:
    """Merchants: register one (its members are managed with the identity organization api)."""


@merchant.command(name="register")
@click.argument("name")
@click.option("--currency", default="KES", show_default=True, help="The currency of its wallet.")
@caller_option
def merchant_register(name: str, currency: str, as_subject: str | None) -> None:
    """Register a merchant named NAME: you become its OWNER, its wallet is opened."""
    with client_for(as_subject) as client:
        row = client.payments.register_merchant(name, currency)
        click.echo(f"merchant {row['organization_id']} wallet {row['wallet_id']}")


# invoices --------------------------------------------------------------------------------------------------------------
@click.group(name="invoice")
def invoice() -> None:
    """Invoices: draft, add items, open, pay, void, list."""


@invoice.command(name="create")
@click.argument("merchant_id", type=int)
@click.option("--due", "due_date", type=click.DateTime(formats=["%Y-%m-%d"]), required=True, help="Due date (UTC).")
@_item_option
@click.option("--customer-user", "customer_user_id", type=int, default=None, help="The customer's user id.")
@click.option("--email", "customer_email", default=None, help="The customer's e-mail (no user account).")
@click.option("--name", "customer_name", default=None, help="The customer's name.")
@click.option("--currency", default="KES", show_default=True)
@click.option("--memo", default="")
@click.option("--expect", "expected_total", type=Decimal, default=None, help="Refuse unless the total is this.")
@click.option("--open", "open_now", is_flag=True, help="Open it at once (numbered).")
@_json_option
@caller_option
def invoice_create(merchant_id: int, due_date: dt.datetime, items: tuple[str, ...], customer_user_id: int | None,
                   customer_email: str | None, customer_name: str | None, currency: str, memo: str,
                   expected_total: Decimal | None, open_now: bool, as_json: bool, as_subject: str | None) -> None:
    """Draft an invoice of MERCHANT_ID (and open it with --open)."""
    with client_for(as_subject) as client:
        doc = client.payments.create_invoice(merchant_id, currency, due_date.date(), _items(items),
                                             customer_user_id=customer_user_id, customer_email=customer_email,
                                             customer_name=customer_name, memo=memo, expected_total=expected_total)
        if open_now:
            doc = client.payments.open_invoice(doc["id"])
        _show_invoice(doc, as_json)


@invoice.command(name="add-items")
@click.argument("invoice_id", type=int)
@_item_option
@_json_option
@caller_option
def invoice_add_items(invoice_id: int, items: tuple[str, ...], as_json: bool, as_subject: str | None) -> None:
    """Append items to a draft invoice."""
    with client_for(as_subject) as client:
        _show_invoice(client.payments.add_invoice_items(invoice_id, _items(items)), as_json)


@invoice.command(name="remove-item")
@click.argument("invoice_id", type=int)
@click.argument("position", type=int)
@_json_option
@caller_option
def invoice_remove_item(invoice_id: int, position: int, as_json: bool, as_subject: str | None) -> None:
    """Remove the item at POSITION from a draft invoice."""
    with client_for(as_subject) as client:
        _show_invoice(client.payments.remove_invoice_item(invoice_id, position), as_json)


@invoice.command(name="open")
@click.argument("invoice_id", type=int)
@_json_option
@caller_option
def invoice_open(invoice_id: int, as_json: bool, as_subject: str | None) -> None:
    """Open a draft: it gets the merchant's next number; its items are frozen."""
    with client_for(as_subject) as client:
        _show_invoice(client.payments.open_invoice(invoice_id), as_json)


@invoice.command(name="void")
@click.argument("invoice_id", type=int)
@_json_option
@caller_option
def invoice_void(invoice_id: int, as_json: bool, as_subject: str | None) -> None:
    """Void an invoice nothing was paid on."""
    with client_for(as_subject) as client:
        _show_invoice(client.payments.void_invoice(invoice_id), as_json)


@invoice.command(name="uncollectible")
@click.argument("invoice_id", type=int)
@_json_option
@caller_option
def invoice_uncollectible(invoice_id: int, as_json: bool, as_subject: str | None) -> None:
    """Mark an open invoice uncollectible (it may still be paid)."""
    with client_for(as_subject) as client:
        _show_invoice(client.payments.mark_invoice_uncollectible(invoice_id), as_json)


@invoice.command(name="pay")
@click.argument("invoice_id", type=int)
@click.argument("wallet_id", type=int)
@click.argument("amount", type=Decimal)
@click.option("--reference", required=True, help="Your reference: the same one again pays once.")
@caller_option
def invoice_pay(invoice_id: int, wallet_id: int, amount: Decimal, reference: str, as_subject: str | None) -> None:
    """Pay AMOUNT of an invoice from WALLET_ID."""
    with client_for(as_subject) as client:
        paid = client.payments.pay_invoice_from_wallet(invoice_id, wallet_id, amount, reference)
        inv = paid["invoice"]
        click.echo(f"payment {paid['payment_id']} fee {paid['fee']}: invoice {inv['id']} {inv['status']}, "
                   f"{inv['amount_due']} {inv['currency']} due")


@invoice.command(name="show")
@click.argument("invoice_id", type=int)
@_json_option
@caller_option
def invoice_show(invoice_id: int, as_json: bool, as_subject: str | None) -> None:
    """An invoice with its items."""
    with client_for(as_subject) as client:
        _show_invoice(client.payments.get_invoice(invoice_id), as_json)


@invoice.command(name="list")
@click.argument("merchant_id", type=int)
@click.option("--status", type=click.Choice(["DRAFT", "OPEN", "PAID", "VOID", "UNCOLLECTIBLE"]), default=None)
@click.option("--overdue/--not-overdue", default=None)
@click.option("--before", "before_id", type=int, default=None, help="Invoices before this id (paging).")
@click.option("--limit", type=int, default=100, show_default=True)
@_json_option
@caller_option
def invoice_list(merchant_id: int, status: str | None, overdue: bool | None, before_id: int | None, limit: int,
                 as_json: bool, as_subject: str | None) -> None:
    """A merchant's invoices, newest first."""
    with client_for(as_subject) as client:
        emit(client.payments.list_invoices(merchant_id, status=status, overdue=overdue, before_id=before_id,
                                           limit=limit), as_json=as_json, columns=_INVOICE_COLUMNS)


@invoice.command(name="mine")
@click.option("--status", type=click.Choice(["OPEN", "PAID", "VOID", "UNCOLLECTIBLE"]), default=None)
@_json_option
@caller_option
def invoice_mine(status: str | None, as_json: bool, as_subject: str | None) -> None:
    """The invoices addressed to you."""
    with client_for(as_subject) as client:
        emit(client.payments.my_invoices(status=status), as_json=as_json,
             columns=["id", "merchant_name", "number", "status", "currency", "due_date", "total", "amount_due",
                      "overdue"])


# webhooks --------------------------------------------------------------------------------------------------------------
@click.group(name="webhook")
def webhook() -> None:
    """Webhooks to merchants: endpoints, secret rotation, deliveries, replay."""


@webhook.command(name="create")
@click.argument("merchant_id", type=int)
@click.argument("url")
@click.option("--event", "event_types", multiple=True, default=("*",), show_default=True,
              help="An event type it receives, e.g. invoice.paid (repeat); * for all.")
@caller_option
def webhook_create(merchant_id: int, url: str, event_types: tuple[str, ...], as_subject: str | None) -> None:
    """Add an endpoint of MERCHANT_ID at URL; prints its id and its signing secret (shown this once)."""
    with client_for(as_subject) as client:
        row = client.payments.create_webhook_endpoint(merchant_id, url, list(event_types))
        click.echo(f"endpoint {row['endpoint_id']} secret {row['secret']}")


@webhook.command(name="update")
@click.argument("endpoint_id", type=int)
@click.option("--url", default=None)
@click.option("--event", "event_types", multiple=True, help="Replace the event types (repeat).")
@click.option("--status", type=click.Choice(["ENABLED", "DISABLED"]), default=None)
@caller_option
def webhook_update(endpoint_id: int, url: str | None, event_types: tuple[str, ...], status: str | None,
                   as_subject: str | None) -> None:
    """Change an endpoint's URL, event types or status."""
    with client_for(as_subject) as client:
        client.payments.update_webhook_endpoint(endpoint_id, url=url, event_types=list(event_types) or None,
                                                status=status)
        click.echo(f"endpoint {endpoint_id} updated")


@webhook.command(name="rotate")
@click.argument("endpoint_id", type=int)
@click.option("--window", "window_seconds", type=int, default=86400, show_default=True,
              help="Seconds the old secret stays valid (and signs too).")
@caller_option
def webhook_rotate(endpoint_id: int, window_seconds: int, as_subject: str | None) -> None:
    """Rotate an endpoint's signing secret; prints the new one (shown this once)."""
    with client_for(as_subject) as client:
        row = client.payments.rotate_webhook_secret(endpoint_id, window_seconds)
        click.echo(f"secret {row['secret']} (the previous one is valid until {row['previous_expires_at']})")


@webhook.command(name="list")
@click.argument("merchant_id", type=int)
@_json_option
@caller_option
def webhook_list(merchant_id: int, as_json: bool, as_subject: str | None) -> None:
    """A merchant's endpoints (no secrets)."""
    with client_for(as_subject) as client:
        emit(client.payments.webhook_endpoints(merchant_id), as_json=as_json,
             columns=["endpoint_id", "url", "event_types", "status", "valid_secrets", "rotation_ends_at"])


@webhook.command(name="deliveries")
@click.argument("merchant_id", type=int)
@click.option("--object-type", default=None)
@click.option("--object-id", type=int, default=None)
@click.option("--state", type=click.Choice(["PENDING", "SENDING", "SENT", "FAILED", "DEAD"]), default=None)
@click.option("--before", "before_event", type=int, default=None, help="Events before this id (paging).")
@click.option("--limit", type=int, default=100, show_default=True)
@_json_option
@caller_option
def webhook_deliveries(merchant_id: int, object_type: str | None, object_id: int | None, state: str | None,
                       before_event: int | None, limit: int, as_json: bool, as_subject: str | None) -> None:
    """A merchant's events and their deliveries, newest first."""
    with client_for(as_subject) as client:
        emit(client.payments.merchant_deliveries(merchant_id, object_type=object_type, object_id=object_id,
                                                 state=state, before_event=before_event, limit=limit),
             as_json=as_json, columns=["event_id", "event_type", "object_type", "object_id", "sequence",
                                       "endpoint_id", "attempt", "state", "tries", "last_error"])


@webhook.command(name="replay")
@click.argument("event_id", type=int)
@click.option("--endpoint", "endpoint_id", type=int, default=None, help="One endpoint (else every enabled one).")
@caller_option
def webhook_replay(event_id: int, endpoint_id: int | None, as_subject: str | None) -> None:
    """Send an event again, signed anew."""
    with client_for(as_subject) as client:
        click.echo(f"{client.payments.replay_merchant_event(event_id, endpoint_id)} deliveries enqueued")


def attach(group: click.Group) -> None:
    """Add ``merchant``, ``invoice`` and ``webhook`` to the ``mercato pay`` group."""
    for sub in (merchant, invoice, webhook):
        group.add_command(sub)
