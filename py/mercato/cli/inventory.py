"""``mercato inventory``: locations, receipts, adjustments, counts, transfers, reservations, stock levels and the
integrity check (issue 18; docs/inventory.md).

A tenant's staff act with ``--as SUBJECT`` in their own tenant (the database takes the tenant from who they are); the
back office (no ``--as``) or a platform admin names it with ``--tenant``. Every refusal is one ``error: <CODE>: …``
line and exit status 1 (INVENTORY_INSUFFICIENT names the variant, the location and what is available).
"""

from __future__ import annotations

import datetime as dt
import re
import sys
import time

import click

from mercato.cli.common import caller_option, client_for, emit

_tenant_option = click.option("--tenant", "tenant_id", type=int, default=None,
                              help="The tenant's id (the back office and platform users; staff act in their own).")
_json_option = click.option("--json", "as_json", is_flag=True)
_LINE = re.compile(r"^(\d+)(?:@(\d+))?:(\d+)$")
_REFERENCE = re.compile(r"^([a-z][a-z0-9_]*)/([^/]+)/(.+)$")
_LEVEL_COLUMNS = ["variant_id", "location_id", "on_hand", "reserved", "unavailable", "available", "backordered"]


def _reference(value: str | None) -> tuple[str, str, str] | None:
    if value is None:
        return None
    m = _REFERENCE.match(value)
    if not m:
        raise click.BadParameter(f"{value!r}: MODULE/ENTITY/ID, e.g. orders/order/42")
    return m.group(1), m.group(2), m.group(3)


_reference_option = click.option("--ref", "reference", metavar="MODULE/ENTITY/ID", default=None,
                                 help="What the change is for, e.g. orders/order/42.")


@click.group(name="inventory")
def command() -> None:
    """Inventory: locations, receive, adjust, count, transfer, reserve, release, ship, stock, check."""


@command.command()
@_tenant_option
@caller_option
@_json_option
def locations(tenant_id: int | None, as_subject: str | None, as_json: bool) -> None:
    """The tenant's locations, by priority."""
    with client_for(as_subject) as client:
        emit(client.inventory.locations(tenant_id), as_json=as_json)


@command.command(name="add-location")
@click.argument("code")
@click.option("--name", required=True)
@click.option("--kind", type=click.Choice(["WAREHOUSE", "STORE", "VIRTUAL", "CONSIGNMENT"]), default="WAREHOUSE",
              show_default=True)
@click.option("--priority", type=int, default=100, show_default=True, help="Lower is preferred for reservations.")
@click.option("--offline", is_flag=True, help="Does not fulfil online orders.")
@_tenant_option
@caller_option
def add_location(code: str, name: str, kind: str, priority: int, offline: bool, tenant_id: int | None,
                 as_subject: str | None) -> None:
    """Create the location CODE; prints its id."""
    with client_for(as_subject) as client:
        click.echo(client.inventory.create_location(code, name, kind, priority, not offline, tenant_id))


@command.command()
@click.argument("variant_id", type=int)
@click.argument("location_id", type=int)
@click.argument("quantity", type=int)
@click.option("--cost", default=None, help="Unit cost in the tenant's currency (updates the moving average).")
@click.option("--return", "is_return", is_flag=True, help="A customer return rather than a receipt.")
@_reference_option
@_tenant_option
@caller_option
@_json_option
def receive(variant_id: int, location_id: int, quantity: int, cost: str | None, is_return: bool, reference: str | None,
            tenant_id: int | None, as_subject: str | None, as_json: bool) -> None:
    """Receive QUANTITY of VARIANT_ID at LOCATION_ID."""
    with client_for(as_subject) as client:
        row = client.inventory.receive(variant_id, location_id, quantity, cost, kind="RETURN" if is_return else "RECEIPT",
                                       reference=_reference(reference), tenant_id=tenant_id)
    emit(row, as_json=as_json, columns=None if as_json else _LEVEL_COLUMNS)


@command.command()
@click.argument("variant_id", type=int)
@click.argument("location_id", type=int)
@click.argument("delta", type=int)
@click.option("--reason", required=True, help="Why the stock changed.")
@_reference_option
@_tenant_option
@caller_option
@_json_option
def adjust(variant_id: int, location_id: int, delta: int, reason: str, reference: str | None, tenant_id: int | None,
           as_subject: str | None, as_json: bool) -> None:
    """Adjust on hand of VARIANT_ID at LOCATION_ID by DELTA (signed; put -- before the arguments when it is negative:
    mercato inventory adjust --reason damaged -- 7 2 -1)."""
    with client_for(as_subject) as client:
        row = client.inventory.adjust(variant_id, location_id, delta, reason, reference=_reference(reference),
                                      tenant_id=tenant_id)
    emit(row, as_json=as_json, columns=None if as_json else _LEVEL_COLUMNS)


@command.command()
@click.argument("variant_id", type=int)
@click.argument("location_id", type=int)
@click.option("--expected", type=int, required=True, help="The on hand the count was based on.")
@click.option("--counted", type=int, required=True)
@_tenant_option
@caller_option
@_json_option
def count(variant_id: int, location_id: int, expected: int, counted: int, tenant_id: int | None, as_subject: str | None,
          as_json: bool) -> None:
    """A cycle count: set on hand to --counted if it still is --expected (else INVENTORY_COUNT_STALE)."""
    with client_for(as_subject) as client:
        row = client.inventory.count(variant_id, location_id, expected, counted, tenant_id=tenant_id)
    emit(row, as_json=as_json, columns=None if as_json else _LEVEL_COLUMNS)


@command.command()
@click.argument("variant_id", type=int)
@click.argument("from_location_id", type=int)
@click.argument("to_location_id", type=int)
@click.argument("quantity", type=int)
@click.option("--reason", default=None)
@_tenant_option
@caller_option
@_json_option
def transfer(variant_id: int, from_location_id: int, to_location_id: int, quantity: int, reason: str | None,
             tenant_id: int | None, as_subject: str | None, as_json: bool) -> None:
    """Move QUANTITY of VARIANT_ID from one location to another."""
    with client_for(as_subject) as client:
        rows = client.inventory.transfer(variant_id, from_location_id, to_location_id, quantity, reason, tenant_id)
    emit(rows, as_json=as_json, columns=None if as_json else _LEVEL_COLUMNS)


@command.command()
@click.option("--line", "lines", multiple=True, required=True, metavar="VARIANT[@LOCATION]:QUANTITY",
              help="A line to reserve (repeat for several); without @LOCATION the online locations by priority.")
@click.option("--ref", "reference", required=True, metavar="MODULE/ENTITY/ID", help="What it is for, e.g. orders/order/42.")
@click.option("--expires-in", type=click.IntRange(1, 60 * 24 * 366), default=None, metavar="MINUTES",
              help="Expire (release) it after this many minutes unless shipped.")
@click.option("--channel", default=None, help="The sales channel (its buffer is respected), e.g. EBAY.")
@_tenant_option
@caller_option
@_json_option
def reserve(lines: tuple[str, ...], reference: str, expires_in: int | None, channel: str | None, tenant_id: int | None,
            as_subject: str | None, as_json: bool) -> None:
    """Reserve every --line at once, all or nothing."""
    parsed = []
    for text in lines:
        m = _LINE.match(text)
        if not m:
            raise click.BadParameter(f"{text!r}: VARIANT[@LOCATION]:QUANTITY, e.g. 7@2:1", param_hint="--line")
        line = {"variant_id": int(m.group(1)), "quantity": int(m.group(3))}
        if m.group(2):
            line["location_id"] = int(m.group(2))
        parsed.append(line)
    expires_at = None
    if expires_in is not None:
        expires_at = dt.datetime.now(dt.timezone.utc) + dt.timedelta(minutes=expires_in)
    with client_for(as_subject) as client:
        rows = client.inventory.reserve(parsed, _reference(reference), expires_at=expires_at, channel=channel,
                                        tenant_id=tenant_id)
    emit(rows, as_json=as_json)


@command.command()
@click.argument("reservation_id", type=int, required=False)
@click.option("--ref", "reference", metavar="MODULE/ENTITY/ID", default=None,
              help="Release every live reservation of this reference instead.")
@_tenant_option
@caller_option
def release(reservation_id: int | None, reference: str | None, tenant_id: int | None, as_subject: str | None) -> None:
    """Release RESERVATION_ID (or every live reservation of --ref)."""
    if (reservation_id is None) == (reference is None):
        raise click.UsageError("give a RESERVATION_ID or --ref, not both")
    with client_for(as_subject) as client:
        if reservation_id is not None:
            released = client.inventory.release(reservation_id, tenant_id)
        else:
            released = client.inventory.release_reference(_reference(reference), tenant_id)
    click.echo(f"released {released} reservation(s)")


@command.command()
@click.argument("reservation_id", type=int)
@click.option("--quantity", type=int, default=None, help="Ship part of it (default: all that is left).")
@_tenant_option
@caller_option
@_json_option
def ship(reservation_id: int, quantity: int | None, tenant_id: int | None, as_subject: str | None, as_json: bool) -> None:
    """Ship (consume) RESERVATION_ID: on hand and reserved drop with a SHIP movement."""
    with client_for(as_subject) as client:
        row = client.inventory.ship(reservation_id, quantity, tenant_id)
    emit(row, as_json=as_json, columns=None if as_json else ["id", "quantity", "consumed", "backordered", "state"])


@command.command()
@click.option("--variant", "variant_id", type=int, default=None)
@click.option("--location", "location_id", type=int, default=None)
@_tenant_option
@caller_option
@_json_option
def stock(variant_id: int | None, location_id: int | None, tenant_id: int | None, as_subject: str | None,
          as_json: bool) -> None:
    """Stock levels per variant and location."""
    with client_for(as_subject) as client:
        rows = client.inventory.stock(variant_id, location_id, tenant_id)
    emit(rows, as_json=as_json,
         columns=None if as_json else ["variant_id", "sku", "location_code", "on_hand", "reserved", "unavailable",
                                       "available", "backordered"])


@command.command()
@_json_option
def check(as_json: bool) -> None:
    """Verify the inventory's invariants (back office); exit 1 and show the offending rows on any violation."""
    click.echo("inventory.check(): every stock row, movement and reservation (a full scan) ...", err=True)
    started = time.monotonic()
    with client_for(None) as client:
        results = client.inventory.check()
    failed = [r for r in results if not r.ok]
    click.echo(f"inventory.check(): {len(results) - len(failed)} of {len(results)} checks ok, "
               f"{time.monotonic() - started:.1f} s", err=True)
    emit(results, as_json=as_json, columns=None if as_json else ["check_name", "ok", "violations"])
    if failed:
        if not as_json:
            for r in failed:
                click.echo(f"\n{r.check_name}: {r.violations} violation(s), e.g.", err=True)
                for row in (r.sample or [])[:10]:
                    click.echo(f"  {row}", err=True)
        sys.exit(1)
