"""``mercato store batch …``: fulfilment batches (issue 18; docs/store.md, "Fulfilment batches").

Staff act with ``--as SUBJECT`` in their own tenant (store.manage or orders.manage); the back office names the tenant
with ``--tenant``. Rows are printed as JSON lines.
"""

from __future__ import annotations

import json

import click

from mercato.cli.common import caller_option, client_for

_tenant_option = click.option("--tenant", "tenant_id", type=int, default=None,
                              help="The tenant's id (the back office and platform users; staff act in their own).")


def _echo(row: object) -> None:
    click.echo(json.dumps(row, default=str, sort_keys=True))


@click.group(name="batch")
def batch() -> None:
    """Fulfilment batches: create at a location with orders, pick list, picking/packing, ship, complete, cancel."""


@batch.command(name="create")
@click.argument("location_id", type=int)
@click.argument("order_ids", type=int, nargs=-1)
@click.option("--assign", "assigned_to", type=int, default=None, help="The user id picking the batch.")
@click.option("--minutes", "estimated_pick_time", type=int, default=None, help="Estimated pick time in minutes.")
@click.option("--note", default=None)
@_tenant_option
@caller_option
def create(location_id: int, order_ids: tuple[int, ...], assigned_to: int | None, estimated_pick_time: int | None,
           note: str | None, tenant_id: int | None, as_subject: str | None) -> None:
    """Create a batch at LOCATION_ID with ORDER_IDS (each with stock reserved there)."""
    with client_for(as_subject) as client:
        _echo(client.store.create_batch(location_id, list(order_ids) or None, assigned_to=assigned_to,
                                        estimated_pick_time=estimated_pick_time, note=note, tenant_id=tenant_id))


@batch.command(name="add")
@click.argument("batch_id", type=int)
@click.argument("order_ids", type=int, nargs=-1, required=True)
@_tenant_option
@caller_option
def add(batch_id: int, order_ids: tuple[int, ...], tenant_id: int | None, as_subject: str | None) -> None:
    """Add ORDER_IDS to a CREATED batch."""
    with client_for(as_subject) as client:
        _echo(client.store.add_batch_orders(batch_id, list(order_ids), tenant_id=tenant_id))


@batch.command(name="pick-list")
@click.argument("batch_id", type=int)
@_tenant_option
@caller_option
def pick_list(batch_id: int, tenant_id: int | None, as_subject: str | None) -> None:
    """What to pick for BATCH_ID: per variant, the quantity and how many orders want it."""
    with client_for(as_subject) as client:
        for row in client.store.pick_list(batch_id, tenant_id=tenant_id):
            _echo(row)


@batch.command(name="advance")
@click.argument("batch_id", type=int)
@click.argument("status", type=click.Choice(["PICKING", "PICKED", "PACKING", "COMPLETED"]))
@_tenant_option
@caller_option
def advance(batch_id: int, status: str, tenant_id: int | None, as_subject: str | None) -> None:
    """Move BATCH_ID to STATUS."""
    with client_for(as_subject) as client:
        _echo(client.store.advance_batch(batch_id, status, tenant_id=tenant_id))


@batch.command(name="ship")
@click.argument("batch_id", type=int)
@click.option("--tracking", multiple=True, help="ORDER_ID=NUMBER (repeatable).")
@_tenant_option
@caller_option
def ship(batch_id: int, tracking: tuple[str, ...], tenant_id: int | None, as_subject: str | None) -> None:
    """Ship a PACKING batch through the orders module, with tracking numbers per order."""
    numbers: dict[int, list[str]] = {}
    for item in tracking:
        order, sep, number = item.partition("=")
        if not sep or not order.strip().isdigit() or not number.strip():
            raise click.BadParameter(f"{item!r}: expected ORDER_ID=NUMBER", param_hint="--tracking")
        numbers.setdefault(int(order), []).append(number.strip())
    with client_for(as_subject) as client:
        _echo(client.store.ship_batch(batch_id, numbers, tenant_id=tenant_id))


@batch.command(name="cancel")
@click.argument("batch_id", type=int)
@click.argument("reason")
@_tenant_option
@caller_option
def cancel(batch_id: int, reason: str, tenant_id: int | None, as_subject: str | None) -> None:
    """Cancel BATCH_ID (not yet shipped) with REASON."""
    with client_for(as_subject) as client:
        _echo(client.store.cancel_batch(batch_id, reason, tenant_id=tenant_id))
