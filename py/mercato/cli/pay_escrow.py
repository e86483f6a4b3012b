"""``mercato pay shop …``, ``mercato pay escrow …`` and ``mercato pay installments …``: shops, shop orders paid by
wallet, goods escrow and installment plans (issue 19; docs/payments.md).

Attached to the ``mercato pay`` group from the bottom of cli/pay.py. ``--as SUBJECT`` acts as that user (the buyer,
a merchant's member, a payments administrator), exactly as PostgREST would for their JWT; without it the CLI is the back
office. Amounts are passed through as text; the database computes and checks every one. Each command prints the JSON
the api returns; a refusal prints one ``error: <CODE>: …`` line.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import click

from mercato.cli.common import caller_option, client_for


def _echo(value: Any) -> None:
    click.echo(json.dumps(value, sort_keys=True, default=str))


@click.group(name="shop")
def shop() -> None:
    """Shops: open a merchant's shop, place and pay shop orders from a wallet."""


@shop.command(name="open")
@click.argument("organization_id", type=int)
@click.argument("code")
@click.option("--name", default=None, help="The shop's name (default: the merchant's).")
@click.option("--currency", default="KES", show_default=True)
@caller_option
def shop_open(organization_id: int, code: str, name: str | None, currency: str, as_subject: str | None) -> None:
    """Open the shop of merchant ORGANIZATION_ID as tenant CODE (payments.manage, or the back office)."""
    with client_for(as_subject) as client:
        _echo(client.payments.open_shop(organization_id, code, name, currency))


@shop.command(name="order")
@click.argument("shop_id", type=int)
@click.option("--line", "lines", multiple=True, required=True, metavar="VARIANT:QUANTITY",
              help="A line of the order (repeatable).")
@caller_option
def shop_order(shop_id: int, lines: tuple[str, ...], as_subject: str | None) -> None:
    """Place an order in shop SHOP_ID as its customer (the signed-in user)."""
    parsed = []
    for line in lines:
        variant, _, quantity = line.partition(":")
        if not (variant.isdigit() and quantity.isdigit()):
            raise click.BadParameter(f"{line!r}: VARIANT:QUANTITY", param_hint="--line")
        parsed.append({"variant_id": int(variant), "quantity": int(quantity)})
    with client_for(as_subject) as client:
        _echo(client.payments.place_shop_order(shop_id, {"lines": parsed}))


@shop.command(name="pay")
@click.argument("order_id", type=int)
@click.option("--amount", type=Decimal, default=None, help="Amount to pay now (default: all that is owed).")
@caller_option
def shop_pay(order_id: int, amount: Decimal | None, as_subject: str | None) -> None:
    """Pay shop order ORDER_ID from the caller's wallet; the money is held in goods escrow."""
    with client_for(as_subject) as client:
        _echo(client.payments.pay_shop_order(order_id, amount))


@shop.command(name="show")
@click.argument("order_id", type=int)
@caller_option
def shop_show(order_id: int, as_subject: str | None) -> None:
    """Show shop order ORDER_ID with its payments, escrow and installment plan."""
    with client_for(as_subject) as client:
        _echo(client.payments.get_shop_order(order_id))


@click.group(name="escrow")
def escrow() -> None:
    """Goods escrow: show, list, confirm delivery, dispute, resolve, refund."""


@escrow.command(name="show")
@click.argument("escrow_id", type=int)
@caller_option
def escrow_show(escrow_id: int, as_subject: str | None) -> None:
    """Show escrow ESCROW_ID with its ledger balance."""
    with client_for(as_subject) as client:
        _echo(client.payments.get_escrow(escrow_id))


@escrow.command(name="confirm")
@click.argument("escrow_id", type=int)
@caller_option
def escrow_confirm(escrow_id: int, as_subject: str | None) -> None:
    """Confirm delivery (the buyer): release the escrow to the merchant minus the fee."""
    with client_for(as_subject) as client:
        _echo(client.payments.confirm_delivery(escrow_id))


@escrow.command(name="dispute")
@click.argument("escrow_id", type=int)
@click.argument("reason")
@caller_option
def escrow_dispute(escrow_id: int, reason: str, as_subject: str | None) -> None:
    """Dispute a HELD escrow (the buyer): every release is frozen."""
    with client_for(as_subject) as client:
        _echo(client.payments.open_dispute(escrow_id, reason))


@escrow.command(name="resolve")
@click.argument("escrow_id", type=int)
@click.argument("buyer_amount", type=Decimal)
@click.option("--note", required=True, help="Why (1-500 characters).")
@caller_option
def escrow_resolve(escrow_id: int, buyer_amount: Decimal, note: str, as_subject: str | None) -> None:
    """Resolve a dispute (payments.manage, back office): BUYER_AMOUNT back to the buyer, the rest to the merchant."""
    with client_for(as_subject) as client:
        _echo(client.payments.resolve_dispute(escrow_id, buyer_amount, note))


@escrow.command(name="refund")
@click.argument("escrow_id", type=int)
@click.argument("reason")
@caller_option
def escrow_refund(escrow_id: int, reason: str, as_subject: str | None) -> None:
    """Refund a HELD or DISPUTED escrow in full to the buyer (the merchant's ADMIN or OWNER)."""
    with client_for(as_subject) as client:
        _echo(client.payments.refund_escrow(escrow_id, reason))


@escrow.command(name="list")
@click.option("--merchant", "merchant_id", type=int, default=None, help="A merchant's escrows (its members).")
@click.option("--status", default=None, help="HELD, DISPUTED, RELEASED, RESOLVED or REFUNDED.")
@click.option("--after", "after_id", type=int, default=0, show_default=True, help="Keyset: escrows after this id.")
@click.option("--limit", type=int, default=50, show_default=True)
@caller_option
def escrow_list(merchant_id: int | None, status: str | None, after_id: int, limit: int, as_subject: str | None) -> None:
    """List escrows: the caller's own as buyer, or a merchant's with --merchant (back office: all)."""
    with client_for(as_subject) as client:
        _echo(client.payments.list_escrows(merchant_id, status=status, after_id=after_id, limit=limit))


@shop.command(name="cancel")
@click.argument("order_id", type=int)
@click.argument("reason")
@caller_option
def shop_cancel(order_id: int, reason: str, as_subject: str | None) -> None:
    """Cancel shop order ORDER_ID (the merchant's ADMIN or OWNER): its escrow refunded to the buyer first, then the
    order cancelled."""
    with client_for(as_subject) as client:
        _echo(client.payments.cancel_shop_order(order_id, reason))


@click.group(name="installments")
def installments() -> None:
    """Installment plans: create, pay, cancel, show, list."""


@installments.command(name="create")
@click.argument("order_id", type=int)
@click.argument("count", type=int)
@click.option("--every", "interval_days", type=int, default=30, show_default=True, help="Days between installments.")
@caller_option
def installments_create(order_id: int, count: int, interval_days: int, as_subject: str | None) -> None:
    """Put unpaid shop order ORDER_ID on a plan of COUNT installments (the buyer)."""
    with client_for(as_subject) as client:
        _echo(client.payments.create_installment_plan(order_id, count, interval_days))


@installments.command(name="pay")
@click.argument("installment_id", type=int)
@caller_option
def installments_pay(installment_id: int, as_subject: str | None) -> None:
    """Pay installment INSTALLMENT_ID now from the caller's wallet."""
    with client_for(as_subject) as client:
        _echo(client.payments.pay_installment(installment_id))


@installments.command(name="cancel")
@click.argument("plan_id", type=int)
@caller_option
def installments_cancel(plan_id: int, as_subject: str | None) -> None:
    """Cancel plan PLAN_ID: what was paid comes back minus the policy's cancellation fee."""
    with client_for(as_subject) as client:
        _echo(client.payments.cancel_installment_plan(plan_id))


@installments.command(name="show")
@click.argument("plan_id", type=int)
@caller_option
def installments_show(plan_id: int, as_subject: str | None) -> None:
    """Show plan PLAN_ID with its schedule and escrow."""
    with client_for(as_subject) as client:
        _echo(client.payments.get_installment_plan(plan_id))


@installments.command(name="list")
@click.option("--merchant", "merchant_id", type=int, default=None, help="A merchant's plans (its members).")
@click.option("--status", default=None, help="ACTIVE, COMPLETED or CANCELLED.")
@click.option("--after", "after_id", type=int, default=0, show_default=True, help="Keyset: plans after this id.")
@click.option("--limit", type=int, default=50, show_default=True)
@caller_option
def installments_list(merchant_id: int | None, status: str | None, after_id: int, limit: int,
                      as_subject: str | None) -> None:
    """List installment plans: the caller's own as buyer, or a merchant's with --merchant (back office: all)."""
    with client_for(as_subject) as client:
        _echo(client.payments.list_installment_plans(merchant_id, status=status, after_id=after_id, limit=limit))


def attach(group: click.Group) -> None:
    """Add ``shop``, ``escrow`` and ``installments`` to the ``mercato pay`` group."""
    for sub in (shop, escrow, installments):
        group.add_command(sub)
