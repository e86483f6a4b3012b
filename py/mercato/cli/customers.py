"""``mercato customers``: a shop's customers, their store credit and loyalty points, and refunds (issue 18;
docs/orders.md, "Customers, store credit, loyalty and refunds").

Staff act with ``--as SUBJECT`` in their own tenant (orders.manage); the back office (no ``--as``) names the tenant with
``--tenant``. Amounts are given as decimal strings and printed as the database returns them. A refusal prints its code
and detail.
"""

from __future__ import annotations

import json
from decimal import Decimal

import click

from mercato.cli.common import caller_option, client_for, emit

_tenant_option = click.option("--tenant", "tenant_id", type=int, default=None,
                              help="The tenant's id (the back office and platform users; staff act in their own).")
_json_option = click.option("--json", "as_json", is_flag=True, help="Print JSON.")

CUSTOMER_COLUMNS = ("id", "email", "first_name", "last_name", "status", "accepts_marketing", "tags", "total_spent",
                    "order_count")


@click.group(name="customers")
def command() -> None:
    """Customers of a shop: profiles, store credit, loyalty points, refunds."""


@command.command(name="create")
@click.option("--email", default=None)
@click.option("--first-name", default=None)
@click.option("--last-name", default=None)
@click.option("--phone", default=None, help="E.164, e.g. +14155550123.")
@click.option("--tag", "tags", multiple=True, help="A tag (repeat for more).")
@click.option("--marketing/--no-marketing", "accepts_marketing", default=None, help="Marketing consent.")
@click.option("--invited", is_flag=True, help="Create the customer INVITED instead of ACTIVE.")
@_tenant_option
@caller_option
@_json_option
def create(email: str | None, first_name: str | None, last_name: str | None, phone: str | None, tags: tuple[str, ...],
           accepts_marketing: bool | None, invited: bool, tenant_id: int | None, as_subject: str | None,
           as_json: bool) -> None:
    """Create a customer; prints it."""
    doc = {k: v for k, v in (("email", email), ("first_name", first_name), ("last_name", last_name), ("phone", phone),
                             ("accepts_marketing", accepts_marketing)) if v is not None}
    if tags:
        doc["tags"] = list(tags)
    if invited:
        doc["status"] = "INVITED"
    with client_for(as_subject) as client:
        emit(client.customers.create(doc, tenant_id=tenant_id), as_json=as_json, columns=None if as_json else CUSTOMER_COLUMNS)


@command.command(name="update")
@click.argument("customer_id", type=int)
@click.argument("changes")
@_tenant_option
@caller_option
@_json_option
def update(customer_id: int, changes: str, tenant_id: int | None, as_subject: str | None, as_json: bool) -> None:
    """Change customer CUSTOMER_ID with CHANGES, a JSON object (e.g. '{"status": "DISABLED"}')."""
    with client_for(as_subject) as client:
        emit(client.customers.update(customer_id, json.loads(changes), tenant_id=tenant_id), as_json=as_json,
             columns=None if as_json else CUSTOMER_COLUMNS)


@command.command(name="get")
@click.argument("customer_id", type=int)
@_tenant_option
@caller_option
@_json_option
def get(customer_id: int, tenant_id: int | None, as_subject: str | None, as_json: bool) -> None:
    """Show customer CUSTOMER_ID."""
    with client_for(as_subject) as client:
        emit(client.customers.get(customer_id, tenant_id=tenant_id), as_json=as_json,
             columns=None if as_json else CUSTOMER_COLUMNS)


@command.command(name="list")
@click.argument("query", required=False)
@click.option("--tag", default=None)
@click.option("--status", default=None)
@click.option("--after", "after_id", type=int, default=None, help="The last id of the previous page.")
@click.option("--limit", type=int, default=50, show_default=True)
@_tenant_option
@caller_option
@_json_option
def list_(query: str | None, tag: str | None, status: str | None, after_id: int | None, limit: int,
          tenant_id: int | None, as_subject: str | None, as_json: bool) -> None:
    """List customers (QUERY: part of an e-mail or name)."""
    with client_for(as_subject) as client:
        emit(client.customers.find(query, tag=tag, status=status, after_id=after_id, limit=limit, tenant_id=tenant_id),
             as_json=as_json, columns=None if as_json else CUSTOMER_COLUMNS)


@command.command(name="balances")
@click.argument("customer_id", type=int, required=False)
@_tenant_option
@caller_option
@_json_option
def balances(customer_id: int | None, tenant_id: int | None, as_subject: str | None, as_json: bool) -> None:
    """Store credit and loyalty points of CUSTOMER_ID (none: your own), read from the ledger."""
    with client_for(as_subject) as client:
        emit(client.customers.balances(customer_id, tenant_id=tenant_id), as_json=as_json)


@command.command(name="issue-credit")
@click.argument("customer_id", type=int)
@click.argument("amount", type=Decimal)
@click.option("--reason", required=True)
@click.option("--key", "idempotency_key", default=None, help="Idempotency key: a retry with it posts once.")
@_tenant_option
@caller_option
@_json_option
def issue_credit(customer_id: int, amount: Decimal, reason: str, idempotency_key: str | None, tenant_id: int | None,
                 as_subject: str | None, as_json: bool) -> None:
    """Give customer CUSTOMER_ID AMOUNT of store credit (goodwill)."""
    with client_for(as_subject) as client:
        emit(client.customers.issue_store_credit(customer_id, amount, reason, idempotency_key=idempotency_key,
                                                 tenant_id=tenant_id), as_json=as_json)


@command.command(name="pay-credit")
@click.argument("order_id", type=int)
@click.argument("amount", type=Decimal)
@_tenant_option
@caller_option
@_json_option
def pay_credit(order_id: int, amount: Decimal, tenant_id: int | None, as_subject: str | None, as_json: bool) -> None:
    """Pay AMOUNT of order ORDER_ID from its customer's store credit."""
    with client_for(as_subject) as client:
        emit(client.customers.pay_with_store_credit(order_id, amount, tenant_id=tenant_id), as_json=as_json,
             columns=None if as_json else ("id", "order_id", "method", "amount", "currency"))


@command.command(name="loyalty-rule")
@click.argument("points_per_unit", type=Decimal)
@click.argument("point_value", type=Decimal)
@_tenant_option
@caller_option
@_json_option
def loyalty_rule(points_per_unit: Decimal, point_value: Decimal, tenant_id: int | None, as_subject: str | None,
                 as_json: bool) -> None:
    """From now on: POINTS_PER_UNIT points per unit of currency paid, each point worth POINT_VALUE."""
    with client_for(as_subject) as client:
        emit(client.customers.set_loyalty_rule(points_per_unit, point_value, tenant_id=tenant_id), as_json=as_json)


@command.command(name="pay-points")
@click.argument("order_id", type=int)
@click.argument("points", type=int)
@_tenant_option
@caller_option
@_json_option
def pay_points(order_id: int, points: int, tenant_id: int | None, as_subject: str | None, as_json: bool) -> None:
    """Pay order ORDER_ID with POINTS of its customer's loyalty points."""
    with client_for(as_subject) as client:
        emit(client.customers.pay_with_points(order_id, points, tenant_id=tenant_id), as_json=as_json,
             columns=None if as_json else ("id", "order_id", "method", "amount", "points", "currency"))


@command.command(name="refund")
@click.argument("order_id", type=int)
@click.argument("amount", type=Decimal)
@click.option("--reason", required=True)
@click.option("--line", "lines", multiple=True, metavar="LINE_ID:QTY[:restock]",
              help="A returned line: its id, the units, and ':restock' to put them back in stock (repeat).")
@click.option("--to-store-credit", is_flag=True, help="Credit the customer's store credit instead of the payments' sources.")
@click.option("--location", "location_id", type=int, default=None, help="Where restocked units go (default: reserved at).")
@_tenant_option
@caller_option
@_json_option
def refund(order_id: int, amount: Decimal, reason: str, lines: tuple[str, ...], to_store_credit: bool,
           location_id: int | None, tenant_id: int | None, as_subject: str | None, as_json: bool) -> None:
    """Refund AMOUNT of order ORDER_ID (split over its payments, newest first)."""
    parsed = []
    for spec in lines:
        parts = spec.split(":")
        if len(parts) not in (2, 3) or not parts[0].isdigit() or not parts[1].isdigit() or parts[2:] not in ([], ["restock"]):
            raise click.BadParameter("LINE_ID:QTY or LINE_ID:QTY:restock", param_hint="--line")
        parsed.append({"line_id": int(parts[0]), "quantity": int(parts[1]), "restock": parts[2:] == ["restock"]})
    with client_for(as_subject) as client:
        result = client.customers.refund(order_id, amount, reason, lines=parsed,
                                         destination="STORE_CREDIT" if to_store_credit else "ORIGINAL",
                                         location_id=location_id, tenant_id=tenant_id)
    if as_json:
        emit(result, as_json=True)
    else:
        emit(result["refunds"], as_json=False, title=f"order {result['order_id']}: {result['status']} "
                                                     f"{result['financial_status']}, refunded {result['amount_refunded']}"
                                                     f" of {result['amount_paid']}")
