"""``mercato store distributor …`` and ``mercato store po …``: the CardStore's purchasing (docs/store.md, "Purchasing").

Attached to the ``mercato store`` group by :func:`attach` (cli/store.py). A shop's staff act with ``--as SUBJECT`` in
their own tenant (``store.manage``); the back office (no ``--as``) names the tenant with ``--tenant``. Lines are given
as ``VARIANT:QUANTITY[:UNIT_COST]`` (ordering) or ``LINE_OR_VARIANT:QUANTITY[:over]`` (receiving: ``v123`` names a
variant, a bare number a purchase order line). Amounts are passed through as text; the database computes and checks
every total. A refusal prints one ``error: <CODE>: …`` line.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import click

from mercato.cli.common import caller_option, client_for, emit

_tenant_option = click.option("--tenant", "tenant_id", type=int, default=None,
                              help="The tenant's id (the back office and platform users; staff act in their own).")
_json_option = click.option("--json", "as_json", is_flag=True)
_ORDER_LINE = re.compile(r"^(\d+):(\d+)(?::([0-9]+(?:\.[0-9]+)?))?$")
_RECEIPT_LINE = re.compile(r"^(v?)(\d+):(\d+)(:over)?$")
_PO_COLUMNS = ["id", "po_number", "status", "distributor_id", "ship_to_location_id", "subtotal", "tax_amount",
               "shipping_amount", "total_amount", "expected_date"]


def _order_lines(values: tuple[str, ...]) -> list[dict[str, Any]]:
    lines = []
    for value in values:
        m = _ORDER_LINE.match(value)
        if not m:
            raise click.BadParameter(f"{value!r}: VARIANT:QUANTITY[:UNIT_COST], e.g. 42:10:2.50", param_hint="--line")
        line: dict[str, Any] = {"variant_id": int(m.group(1)), "quantity": int(m.group(2))}
        if m.group(3):
            line["unit_cost"] = m.group(3)
        lines.append(line)
    return lines


def _receipt_lines(values: tuple[str, ...]) -> list[dict[str, Any]]:
    lines = []
    for value in values:
        m = _RECEIPT_LINE.match(value)
        if not m:
            raise click.BadParameter(f"{value!r}: LINE:QUANTITY or vVARIANT:QUANTITY, then :over to allow more than "
                                     "ordered", param_hint="--line")
        line: dict[str, Any] = {"variant_id" if m.group(1) else "line_id": int(m.group(2)), "quantity": int(m.group(3))}
        if m.group(4):
            line["allow_over_receipt"] = True
        lines.append(line)
    return lines


@click.group(name="distributor")
def distributor() -> None:
    """Distributors: create, update, what each supplies (and the preferred one per variant)."""


@distributor.command(name="create")
@click.argument("code")
@click.option("--name", required=True)
@click.option("--payment-terms", default=None, help="e.g. Net 30")
@click.option("--payment-days", "payment_terms_days", type=int, default=None)
@click.option("--shipping-terms", default=None)
@click.option("--minimum-order", default="0", show_default=True, help="In the tenant's currency.")
@click.option("--lead-time", "lead_time_days", type=int, default=None, help="Days.")
@click.option("--email", default=None, help="Contact email (contact_info).")
@_tenant_option
@caller_option
def distributor_create(code: str, name: str, payment_terms: str | None, payment_terms_days: int | None,
                       shipping_terms: str | None, minimum_order: str, lead_time_days: int | None, email: str | None,
                       tenant_id: int | None, as_subject: str | None) -> None:
    """Create distributor CODE (unique per tenant); prints its id. No API credentials are stored."""
    with client_for(as_subject) as client:
        click.echo(client.purchasing.create_distributor(
            code, name, contact_info={"email": email} if email else None, payment_terms=payment_terms,
            payment_terms_days=payment_terms_days, shipping_terms=shipping_terms, minimum_order=minimum_order,
            lead_time_days=lead_time_days, tenant_id=tenant_id))


@distributor.command(name="update")
@click.argument("distributor_id", type=int)
@click.option("--name", default=None)
@click.option("--minimum-order", default=None)
@click.option("--lead-time", "lead_time_days", type=int, default=None)
@click.option("--active/--inactive", "is_active", default=None)
@_tenant_option
@caller_option
def distributor_update(distributor_id: int, name: str | None, minimum_order: str | None, lead_time_days: int | None,
                       is_active: bool | None, tenant_id: int | None, as_subject: str | None) -> None:
    """Change a distributor's name, minimum order, lead time or active flag."""
    with client_for(as_subject) as client:
        click.echo(client.purchasing.update_distributor(distributor_id, name=name, minimum_order=minimum_order,
                                                        lead_time_days=lead_time_days, is_active=is_active,
                                                        tenant_id=tenant_id))


@distributor.command(name="item")
@click.argument("distributor_id", type=int)
@click.argument("variant_id", type=int)
@click.argument("unit_cost")
@click.option("--sku", "distributor_sku", default=None, help="The distributor's SKU.")
@click.option("--preferred", is_flag=True, help="The variant's preferred distributor (reorders go to it).")
@_tenant_option
@caller_option
def distributor_item(distributor_id: int, variant_id: int, unit_cost: str, distributor_sku: str | None,
                     preferred: bool, tenant_id: int | None, as_subject: str | None) -> None:
    """DISTRIBUTOR_ID supplies VARIANT_ID at UNIT_COST; prints the item id."""
    with client_for(as_subject) as client:
        click.echo(client.purchasing.set_distributor_item(distributor_id, variant_id, unit_cost,
                                                          distributor_sku=distributor_sku, preferred=preferred,
                                                          tenant_id=tenant_id))


@click.group(name="po")
def po() -> None:
    """Purchase orders: create, add lines, charges, submit, confirm, receive, cancel; reorder suggestions."""


@po.command(name="create")
@click.argument("distributor_id", type=int)
@click.argument("location_id", type=int)
@click.option("--line", "lines", multiple=True, required=True, metavar="VARIANT:QTY[:COST]")
@click.option("--tax", default="0", show_default=True)
@click.option("--shipping", default="0", show_default=True)
@click.option("--expect-total", "expected_total", default=None, help="Refused unless the database's total agrees.")
@click.option("--expected-date", type=click.DateTime(["%Y-%m-%d"]), default=None)
@click.option("--notes", default=None)
@_tenant_option
@caller_option
@_json_option
def po_create(distributor_id: int, location_id: int, lines: tuple[str, ...], tax: str, shipping: str,
              expected_total: str | None, expected_date: dt.datetime | None, notes: str | None, tenant_id: int | None,
              as_subject: str | None, as_json: bool) -> None:
    """A DRAFT order to DISTRIBUTOR_ID, shipped to LOCATION_ID."""
    with client_for(as_subject) as client:
        emit(client.purchasing.create_order(distributor_id, location_id, _order_lines(lines), tax_amount=tax,
                                            shipping_amount=shipping, expected_total=expected_total,
                                            expected_date=expected_date.date() if expected_date else None,
                                            notes=notes, tenant_id=tenant_id),
             as_json=as_json, columns=None if as_json else _PO_COLUMNS)


@po.command(name="add-lines")
@click.argument("purchase_order_id", type=int)
@click.option("--line", "lines", multiple=True, required=True, metavar="VARIANT:QTY[:COST]")
@click.option("--expect-total", "expected_total", default=None)
@_tenant_option
@caller_option
@_json_option
def po_add_lines(purchase_order_id: int, lines: tuple[str, ...], expected_total: str | None, tenant_id: int | None,
                 as_subject: str | None, as_json: bool) -> None:
    """Add lines to a DRAFT order."""
    with client_for(as_subject) as client:
        emit(client.purchasing.add_lines(purchase_order_id, _order_lines(lines), expected_total=expected_total,
                                         tenant_id=tenant_id), as_json=as_json, columns=None if as_json else _PO_COLUMNS)


@po.command(name="charges")
@click.argument("purchase_order_id", type=int)
@click.option("--tax", required=True)
@click.option("--shipping", required=True)
@click.option("--expect-total", "expected_total", default=None)
@_tenant_option
@caller_option
@_json_option
def po_charges(purchase_order_id: int, tax: str, shipping: str, expected_total: str | None, tenant_id: int | None,
               as_subject: str | None, as_json: bool) -> None:
    """Set an open order's tax and shipping."""
    with client_for(as_subject) as client:
        emit(client.purchasing.set_charges(purchase_order_id, tax, shipping, expected_total=expected_total,
                                           tenant_id=tenant_id), as_json=as_json, columns=None if as_json else _PO_COLUMNS)


@po.command(name="submit")
@click.argument("purchase_order_id", type=int)
@click.option("--expect-total", "expected_total", default=None)
@_tenant_option
@caller_option
@_json_option
def po_submit(purchase_order_id: int, expected_total: str | None, tenant_id: int | None, as_subject: str | None,
              as_json: bool) -> None:
    """Submit a DRAFT order (an active distributor, at least its minimum order)."""
    with client_for(as_subject) as client:
        emit(client.purchasing.submit(purchase_order_id, expected_total=expected_total, tenant_id=tenant_id),
             as_json=as_json, columns=None if as_json else _PO_COLUMNS)


@po.command(name="confirm")
@click.argument("purchase_order_id", type=int)
@click.option("--external", "external_po_number", default=None, help="The distributor's order number.")
@_tenant_option
@caller_option
@_json_option
def po_confirm(purchase_order_id: int, external_po_number: str | None, tenant_id: int | None, as_subject: str | None,
               as_json: bool) -> None:
    """The distributor confirmed a SUBMITTED order."""
    with client_for(as_subject) as client:
        emit(client.purchasing.confirm(purchase_order_id, external_po_number=external_po_number, tenant_id=tenant_id),
             as_json=as_json, columns=None if as_json else _PO_COLUMNS)


@po.command(name="cancel")
@click.argument("purchase_order_id", type=int)
@click.option("--reason", default=None)
@_tenant_option
@caller_option
@_json_option
def po_cancel(purchase_order_id: int, reason: str | None, tenant_id: int | None, as_subject: str | None,
              as_json: bool) -> None:
    """Cancel an order (a PARTIAL one is closed short)."""
    with client_for(as_subject) as client:
        emit(client.purchasing.cancel(purchase_order_id, reason, tenant_id=tenant_id), as_json=as_json,
             columns=None if as_json else _PO_COLUMNS)


@po.command(name="receive")
@click.argument("purchase_order_id", type=int)
@click.option("--line", "lines", multiple=True, required=True, metavar="LINE:QTY | vVARIANT:QTY [:over]")
@click.option("--notes", default=None)
@_tenant_option
@caller_option
@_json_option
def po_receive(purchase_order_id: int, lines: tuple[str, ...], notes: str | None, tenant_id: int | None,
               as_subject: str | None, as_json: bool) -> None:
    """Receive a delivery into stock at the order's location."""
    with client_for(as_subject) as client:
        emit(client.purchasing.receive(purchase_order_id, _receipt_lines(lines), notes=notes, tenant_id=tenant_id),
             as_json=as_json)


@po.command(name="suggestions")
@click.option("--location", "location_id", type=int, default=None)
@_tenant_option
@caller_option
@_json_option
def po_suggestions(location_id: int | None, tenant_id: int | None, as_subject: str | None, as_json: bool) -> None:
    """Variants under their reorder point (counting what is on order) and what to order."""
    with client_for(as_subject) as client:
        emit(client.purchasing.reorder_suggestions(location_id, tenant_id), as_json=as_json,
             columns=None if as_json else ["location_id", "variant_id", "sku", "available", "on_order", "reorder_point",
                                           "suggested_quantity", "distributor_code", "unit_cost"])


@po.command(name="reorder")
@click.option("--location", "location_id", type=int, default=None)
@_tenant_option
@caller_option
@_json_option
def po_reorder(location_id: int | None, tenant_id: int | None, as_subject: str | None, as_json: bool) -> None:
    """Turn the reorder suggestions into DRAFT orders (one per distributor and location; nothing twice)."""
    with client_for(as_subject) as client:
        emit(client.purchasing.create_reorder_orders(location_id, tenant_id), as_json=as_json,
             columns=None if as_json else _PO_COLUMNS)


def attach(group: click.Group) -> None:
    """Add ``distributor`` and ``po`` to the ``mercato store`` group."""
    group.add_command(distributor)
    group.add_command(po)
