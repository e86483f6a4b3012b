"""``mercato orders``: place, import, pay (external), fulfil, cancel, get, list and tax-rate (issue 18;
docs/orders.md).

A tenant's staff act with ``--as SUBJECT`` in their own tenant; the back office (no ``--as``) or a platform admin names
it with ``--tenant``; a customer-user (``--as``) places, reads and cancels its own orders. The database computes every
amount; ``--expect-total`` makes a placement fail (ORDERS_TOTALS_MISMATCH, nothing written) when the total differs.
Every refusal is one ``error: <CODE>: …`` line and exit status 1.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

import click

from mercato.cli.common import caller_option, client_for, emit

_tenant_option = click.option("--tenant", "tenant_id", type=int, default=None,
                              help="The tenant's id (the back office and platform users; staff act in their own).")
_json_option = click.option("--json", "as_json", is_flag=True)
_LINE = re.compile(r"^(\d+)(?:@(\d+))?:(\d+)(?:=([0-9.]+))?(?:-([0-9.]+))?$")
_ORDER_COLUMNS = ["id", "number", "source", "external_id", "customer_id", "status", "financial_status",
                  "fulfillment_status", "currency", "subtotal", "total_discounts", "total_tax", "total_shipping",
                  "total_price", "amount_paid"]


def _lines(values: tuple[str, ...]) -> list[dict[str, Any]]:
    parsed = []
    for text in values:
        m = _LINE.match(text)
        if not m:
            raise click.BadParameter(f"{text!r}: VARIANT[@LOCATION]:QUANTITY[=PRICE][-DISCOUNT], e.g. 7@2:1=12.50",
                                     param_hint="--line")
        line: dict[str, Any] = {"variant_id": int(m.group(1)), "quantity": int(m.group(3))}
        if m.group(2):
            line["location_id"] = int(m.group(2))
        if m.group(4):
            line["price"] = m.group(4)
        if m.group(5):
            line["discount"] = m.group(5)
        parsed.append(line)
    return parsed


def _document(doc: str | None, lines: tuple[str, ...], **fields: Any) -> dict[str, Any]:
    order: dict[str, Any] = {}
    if doc:
        try:
            order = json.loads(doc)
        except json.JSONDecodeError as exc:
            raise click.BadParameter(f"not JSON: {exc}", param_hint="--order") from exc
        if not isinstance(order, dict):
            raise click.BadParameter("a JSON object", param_hint="--order")
    if lines:
        order["lines"] = _lines(lines)
    order.update({k: v for k, v in fields.items() if v not in (None, ())})
    if "tags" in order:
        order["tags"] = list(order["tags"])
    return order


def _show(order: dict[str, Any], as_json: bool) -> None:
    if as_json:
        emit(order, as_json=True)
        return
    emit({k: order.get(k) for k in _ORDER_COLUMNS}, as_json=False)
    emit(order.get("lines") or [], as_json=False, title="lines:",
         columns=["id", "line_no", "variant_id", "sku", "quantity", "price", "total_discount", "tax_amount",
                  "fulfilled_quantity"])
    if order.get("payments"):
        emit(order["payments"], as_json=False, title="payments:",
             columns=["id", "kind", "method", "amount", "external_reference", "refund_of"])


_order_options = [
    click.option("--line", "lines", multiple=True, metavar="VARIANT[@LOCATION]:QUANTITY[=PRICE][-DISCOUNT]",
                 help="A line (repeat for several); price and discount are staff-only."),
    click.option("--order", "doc", default=None, metavar="JSON", help="The whole order document (--line adds to it)."),
    click.option("--customer", "customer_id", type=int, default=None, help="The customer's id (staff)."),
    click.option("--shipping", default=None, help="Shipping charged (staff, channels)."),
    click.option("--note", default=None),
    click.option("--tag", "tags", multiple=True),
    click.option("--expect-total", "expect_total", default=None,
                 help="Refuse (ORDERS_TOTALS_MISMATCH, nothing written) unless the total is this."),
]


def _with_order_options(func: Any) -> Any:
    for option in reversed(_order_options):
        func = option(func)
    return func


@click.group(name="orders")
def command() -> None:
    """Orders: place, import, pay, fulfil, cancel, get, list, tax-rate."""


@command.command()
@_with_order_options
@click.option("--source", default=None, help="ONLINE_STORE (default), POS, MANUAL, …")
@click.option("--reserve-minutes", type=click.IntRange(1, 43200), default=None,
              help="Unpaid reservations expire after this many minutes.")
@_tenant_option
@caller_option
@_json_option
def place(lines: tuple[str, ...], doc: str | None, customer_id: int | None, shipping: str | None, note: str | None,
          tags: tuple[str, ...], expect_total: str | None, source: str | None, reserve_minutes: int | None,
          tenant_id: int | None, as_subject: str | None, as_json: bool) -> None:
    """Place an order; prints it with its lines."""
    order = _document(doc, lines, customer_id=customer_id, shipping=shipping, note=note, tags=tags, source=source,
                      reserve_minutes=reserve_minutes)
    with client_for(as_subject) as client:
        placed = client.orders.place(order, {"total_price": expect_total} if expect_total else None, tenant_id)
    _show(placed, as_json)


@command.command(name="import")
@click.argument("source")
@click.argument("external_id")
@_with_order_options
@click.option("--paid", default=None, metavar="AMOUNT", help="Paid on the channel: recorded with the order.")
@click.option("--payment-ref", default=None, help="The channel's payment reference (with --paid).")
@_tenant_option
@caller_option
@_json_option
def import_(source: str, external_id: str, lines: tuple[str, ...], doc: str | None, customer_id: int | None,
            shipping: str | None, note: str | None, tags: tuple[str, ...], expect_total: str | None, paid: str | None,
            payment_ref: str | None, tenant_id: int | None, as_subject: str | None, as_json: bool) -> None:
    """Import the channel SOURCE's order EXTERNAL_ID (again: the first order; different: ORDERS_IMPORT_CONFLICT)."""
    order = _document(doc, lines, customer_id=customer_id, shipping=shipping, note=note, tags=tags)
    if paid is not None:
        order["payment"] = {"amount": paid, "reference": payment_ref or f"{source}-{external_id}"}
    with client_for(as_subject) as client:
        imported = client.orders.import_order(source, external_id, order,
                                              {"total_price": expect_total} if expect_total else None, tenant_id)
    _show(imported, as_json)


@command.command()
@click.argument("order_id", type=int)
@click.argument("amount")
@click.option("--ref", "reference", required=True, help="The channel's payment reference.")
@_tenant_option
@caller_option
@_json_option
def pay(order_id: int, amount: str, reference: str, tenant_id: int | None, as_subject: str | None,
        as_json: bool) -> None:
    """Record AMOUNT paid on ORDER_ID's channel (an external payment)."""
    with client_for(as_subject) as client:
        emit(client.orders.record_external_payment(order_id, amount, reference, tenant_id), as_json=as_json,
             columns=None if as_json else ["id", "order_id", "kind", "method", "amount", "external_reference"])


@command.command()
@click.argument("order_id", type=int)
@click.option("--line", "lines", multiple=True, metavar="LINE_ID:QUANTITY",
              help="Fulfil part (repeat); without it everything unfulfilled.")
@click.option("--tracking", "tracking", multiple=True, help="A tracking number (repeat).")
@click.option("--location", "location_id", type=int, default=None, help="Ship from this location only.")
@_tenant_option
@caller_option
@_json_option
def fulfil(order_id: int, lines: tuple[str, ...], tracking: tuple[str, ...], location_id: int | None,
           tenant_id: int | None, as_subject: str | None, as_json: bool) -> None:
    """Fulfil ORDER_ID, whole or --line by line; prints what shipped."""
    parsed = None
    if lines:
        parsed = []
        for text in lines:
            m = re.match(r"^(\d+):(\d+)$", text)
            if not m:
                raise click.BadParameter(f"{text!r}: LINE_ID:QUANTITY", param_hint="--line")
            parsed.append({"line_id": int(m.group(1)), "quantity": int(m.group(2))})
    with client_for(as_subject) as client:
        emit(client.orders.fulfil(order_id, parsed, tracking, location_id, tenant_id), as_json=as_json)


@command.command()
@click.argument("order_id", type=int)
@click.option("--reason", required=True)
@_tenant_option
@caller_option
@_json_option
def cancel(order_id: int, reason: str, tenant_id: int | None, as_subject: str | None, as_json: bool) -> None:
    """Cancel ORDER_ID: reservations released, payments refunded."""
    with client_for(as_subject) as client:
        _show(client.orders.cancel(order_id, reason, tenant_id), as_json)


@command.command()
@click.argument("order_id", type=int)
@_tenant_option
@caller_option
@_json_option
def get(order_id: int, tenant_id: int | None, as_subject: str | None, as_json: bool) -> None:
    """ORDER_ID with its lines and payments."""
    with client_for(as_subject) as client:
        _show(client.orders.get(order_id, tenant_id), as_json)


@command.command(name="list")
@click.option("--status", default=None)
@click.option("--source", default=None)
@click.option("--customer", "customer_id", type=int, default=None)
@click.option("--before", "before_number", type=int, default=None, help="The next page: numbers below this.")
@click.option("--limit", type=click.IntRange(1, 500), default=50, show_default=True)
@_tenant_option
@caller_option
@_json_option
def list_(status: str | None, source: str | None, customer_id: int | None, before_number: int | None, limit: int,
          tenant_id: int | None, as_subject: str | None, as_json: bool) -> None:
    """A page of orders, newest first."""
    with client_for(as_subject) as client:
        emit(client.orders.list(status=status, source=source, customer_id=customer_id, before_number=before_number,
                                limit=limit, tenant_id=tenant_id), as_json=as_json)


@command.command(name="tax-rate")
@click.argument("tax_code")
@click.argument("rate")
@click.option("--from", "effective_from", type=click.DateTime(["%Y-%m-%d"]), default=None,
              help="In force from this date (default today).")
@_tenant_option
@caller_option
@_json_option
def tax_rate(tax_code: str, rate: str, effective_from: dt.datetime | None, tenant_id: int | None,
             as_subject: str | None, as_json: bool) -> None:
    """Add RATE (a fraction, e.g. 0.0825) for TAX_CODE (STANDARD for variants without one)."""
    with client_for(as_subject) as client:
        emit(client.orders.set_tax_rate(tax_code, rate, effective_from.date() if effective_from else None, tenant_id),
             as_json=as_json)
