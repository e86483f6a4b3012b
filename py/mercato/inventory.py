"""``client.inventory``: one method per ``api`` wrapper of an ``inventory`` function — locations, receipts,
adjustments, cycle counts, transfers, unavailable stock, planning settings, channel buffers, reservations (reserve,
release, ship), stock levels and the integrity check (docs/inventory.md).

The tenant comes from the caller (a tenant's staff act in their own tenant); the back office and platform users name it
with ``tenant_id``. Quantities are whole numbers; unit costs travel as ``str``/``Decimal`` and are never computed on
here. Every rule (never oversold, max_quantity, compare-and-set counts) is decided in the database and refused with a
:class:`~mercato.errors.MercatoError` carrying its code (INVENTORY_INSUFFICIENT, …).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Iterable, Mapping

from psycopg.types.json import Jsonb

from mercato.module import ModuleClient, typed


@dataclass(frozen=True)
class StockLevel:
    """One stock row (a variant at a location) as the write functions return it."""

    id: int
    variant_id: int
    location_id: int
    on_hand: int
    reserved: int
    unavailable: int
    available: int
    backordered: int
    avg_cost: Decimal | None
    last_cost: Decimal | None


@dataclass(frozen=True)
class Reserved:
    """One reservation made by :meth:`InventoryClient.reserve` (a line may be split across locations; an untracked
    variant's line comes back with ``reservation_id`` None)."""

    line: int
    reservation_id: int | None
    variant_id: int
    location_id: int | None
    quantity: int
    backordered: int
    expires_at: dt.datetime | None


@dataclass(frozen=True)
class CheckResult:
    check_name: str
    ok: bool
    violations: int
    sample: list[Any] | None


def _cost(value: Decimal | str | int | None) -> str | None:
    """A unit cost as exact decimal text (never a float; the database validates it)."""
    if value is None:
        return None
    if isinstance(value, (float, bool)):
        raise TypeError("costs must be Decimal, str or int, never float or bool")
    return str(value)


class InventoryClient(ModuleClient):
    """Stock locations, levels, movements and reservations of a tenant (``api`` wrappers of ``inventory``)."""

    module = "inventory"

    # -- locations ---------------------------------------------------------------------------------------------
    def create_location(self, code: str, name: str, kind: str = "WAREHOUSE", priority: int = 100,
                        fulfils_online: bool = True, tenant_id: int | None = None) -> int:
        """Create a location of the tenant (code unique per tenant); returns its id."""
        return self._call_value("api.create_inventory_location", code=code, name=name, kind=kind, priority=priority,
                                fulfils_online=fulfils_online, tenant_id=tenant_id)

    def update_location(self, location_id: int, *, name: str | None = None, priority: int | None = None,
                        fulfils_online: bool | None = None, status: str | None = None,
                        tenant_id: int | None = None) -> dict[str, Any]:
        """Change a location's name, priority, online flag or status (ACTIVE, INACTIVE); returns the row."""
        row = self._call_one("api.update_inventory_location", location_id=location_id, name=name, priority=priority,
                             fulfils_online=fulfils_online, status=status, tenant_id=tenant_id)
        return dict(row or {})

    def locations(self, tenant_id: int | None = None) -> list[dict[str, Any]]:
        """The tenant's locations, by priority."""
        return self._call("api.inventory_location_list", tenant_id=tenant_id)

    # -- stock -------------------------------------------------------------------------------------------------
    def receive(self, variant_id: int, location_id: int, quantity: int, unit_cost: Decimal | str | int | None = None,
                *, kind: str = "RECEIPT", reference: tuple[str, str, str] | None = None, reason: str | None = None,
                tenant_id: int | None = None) -> StockLevel:
        """Receive stock (RECEIPT, or RETURN) at a location; a unit cost updates the moving average."""
        module, entity, ref_id = reference or (None, None, None)
        return typed(StockLevel, self._call_one("api.receive_stock", variant_id=variant_id, location_id=location_id,
                                                quantity=quantity, unit_cost=_cost(unit_cost), kind=kind,
                                                ref_module=module, ref_entity=entity, ref_id=ref_id, reason=reason,
                                                tenant_id=tenant_id))

    def adjust(self, variant_id: int, location_id: int, delta: int, reason: str, *,
               reference: tuple[str, str, str] | None = None, tenant_id: int | None = None) -> StockLevel:
        """Adjust on hand by a signed delta with its reason (a decrease takes only available stock)."""
        module, entity, ref_id = reference or (None, None, None)
        return typed(StockLevel, self._call_one("api.adjust_stock", variant_id=variant_id, location_id=location_id,
                                                delta=delta, reason=reason, ref_module=module, ref_entity=entity,
                                                ref_id=ref_id, tenant_id=tenant_id))

    def count(self, variant_id: int, location_id: int, expected: int, counted: int,
              next_count_at: dt.datetime | None = None, tenant_id: int | None = None) -> StockLevel:
        """A cycle count: set on hand to ``counted`` only if it is still ``expected`` (else INVENTORY_COUNT_STALE)."""
        return typed(StockLevel, self._call_one("api.count_stock", variant_id=variant_id, location_id=location_id,
                                                expected=expected, counted=counted, next_count_at=next_count_at,
                                                tenant_id=tenant_id))

    def transfer(self, variant_id: int, from_location_id: int, to_location_id: int, quantity: int,
                 reason: str | None = None, tenant_id: int | None = None) -> list[StockLevel]:
        """Move stock between two locations; returns both rows (source first)."""
        rows = self._call("api.transfer_stock", variant_id=variant_id, from_location_id=from_location_id,
                          to_location_id=to_location_id, quantity=quantity, reason=reason, tenant_id=tenant_id)
        return [typed(StockLevel, r) for r in rows]

    def set_unavailable(self, variant_id: int, location_id: int, quantity: int,
                        tenant_id: int | None = None) -> StockLevel:
        """Set how much of on hand is damaged or in quality control (on hand, never sold)."""
        return typed(StockLevel, self._call_one("api.set_unavailable_stock", variant_id=variant_id,
                                                location_id=location_id, quantity=quantity, tenant_id=tenant_id))

    def set_settings(self, variant_id: int, location_id: int, *, safety_stock: int | None = None,
                     reorder_point: int | None = None, reorder_quantity: int | None = None,
                     next_count_at: dt.datetime | None = None, tenant_id: int | None = None) -> StockLevel:
        """Set safety stock, reorder point and quantity, next cycle count (None keeps a value)."""
        return typed(StockLevel, self._call_one("api.set_stock_settings", variant_id=variant_id, location_id=location_id,
                                                safety_stock=safety_stock, reorder_point=reorder_point,
                                                reorder_quantity=reorder_quantity, next_count_at=next_count_at,
                                                tenant_id=tenant_id))

    def set_channel_buffer(self, variant_id: int, location_id: int, channel: str, buffer: int,
                           tenant_id: int | None = None) -> dict[str, Any]:
        """What a channel must leave of a stock row (it may reserve available - buffer)."""
        return dict(self._call_one("api.set_channel_buffer", variant_id=variant_id, location_id=location_id,
                                   channel=channel, buffer=buffer, tenant_id=tenant_id) or {})

    def stock(self, variant_id: int | None = None, location_id: int | None = None,
              tenant_id: int | None = None) -> list[dict[str, Any]]:
        """Stock levels per variant and location (SKU, location code, on hand, reserved, available, …)."""
        return self._call("api.stock_levels", variant_id=variant_id, location_id=location_id, tenant_id=tenant_id)

    # -- reservations --------------------------------------------------------------------------------------------
    def reserve(self, lines: Iterable[Mapping[str, Any]], reference: tuple[str, str, str], *,
                expires_at: dt.datetime | None = None, channel: str | None = None,
                tenant_id: int | None = None) -> list[Reserved]:
        """Reserve many lines at once ({"variant_id", "quantity", "location_id"?, "ref_id"?}) for a reference
        (module, entity, id): all or nothing, demand summed per variant and location (INVENTORY_INSUFFICIENT names
        the variant, the location and what is available)."""
        module, entity, ref_id = reference
        rows = self._call("api.reserve_stock", lines=Jsonb([dict(line) for line in lines]), ref_module=module,
                          ref_entity=entity, ref_id=ref_id, expires_at=expires_at, channel=channel, tenant_id=tenant_id)
        return [typed(Reserved, r) for r in rows]

    def release(self, reservation_id: int, tenant_id: int | None = None) -> int:
        """Release an ACTIVE reservation; returns 1."""
        return self._call_value("api.release_reservation", reservation_id=reservation_id, tenant_id=tenant_id)

    def release_reference(self, reference: tuple[str, str, str], tenant_id: int | None = None) -> int:
        """Release every ACTIVE reservation of a reference; returns how many (0: none)."""
        module, entity, ref_id = reference
        return self._call_value("api.release_reservations", ref_module=module, ref_entity=entity, ref_id=ref_id,
                                tenant_id=tenant_id)

    def ship(self, reservation_id: int, quantity: int | None = None, tenant_id: int | None = None) -> dict[str, Any]:
        """Ship a reservation, whole or in part (on hand and reserved drop, a SHIP movement); returns the reservation."""
        return dict(self._call_one("api.ship_reservation", reservation_id=reservation_id, quantity=quantity,
                                   tenant_id=tenant_id) or {})

    # -- integrity -----------------------------------------------------------------------------------------------
    def check(self) -> list[CheckResult]:
        """inventory.check(): one row per invariant (back office only)."""
        return [typed(CheckResult, r) for r in self._call("api.inventory_check")]
