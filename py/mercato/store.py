"""``client.store``: the CardStore's TCG attributes (docs/store.md) — make a catalog product a card, a catalog variant
an ungraded unit or a graded slab, and compute Beckett's overall grade for four BGS subgrades — and its fulfilment
batches (create at a location with orders, pick list, advance, ship, cancel).

Every rule is the database's: a refusal is a :class:`~mercato.errors.MercatoError` with code
``STORE_INVALID_CARD_ATTRIBUTE`` and a ``detail`` of the form ``field: reason`` (``grade: PSA has no grade 9.25 …``),
``STORE_CARD_UNIT_EXISTS`` for a duplicate unit or slab. Grades are passed as :class:`~decimal.Decimal` or strings,
never rounded here.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from mercato.module import ModuleClient, json_doc


class StoreClient(ModuleClient):
    """``client.store``: TCG attributes of the caller's tenant's catalog rows (store.manage or catalog.manage)."""

    module = "store"

    def add_card(self, product_id: int, game: str, set_code: str, *, collector_number: str | None = None,
                 rarity: str | None = None, set_name: str | None = None, cmc: Decimal | str | None = None,
                 color_identity: list[str] | None = None, legalities: dict[str, str] | None = None,
                 metadata: dict[str, Any] | None = None, tenant_id: int | None = None) -> int:
        """Make the catalog product a card of ``game``; returns the product id."""
        return int(self._call_value("api.add_card", product_id=product_id, game=game, set_code=set_code,
                                    collector_number=collector_number, rarity=rarity, set_name=set_name, cmc=cmc,
                                    color_identity=color_identity, legalities=json_doc(legalities or {}),
                                    metadata=json_doc(metadata or {}), tenant_id=tenant_id))

    def add_card_variant(self, variant_id: int, printing: str, language: str = "EN", *, condition: str | None = None,
                         grading_company: str | None = None, grade: Decimal | str | None = None,
                         grade_label: str | None = None, scale_version: int | None = None,
                         cert_number: str | None = None, subgrades: dict[str, Decimal | str] | None = None,
                         serial_number: str | None = None, tenant_id: int | None = None) -> int:
        """Give the catalog variant its TCG attributes: a ``condition`` (an ungraded unit) or a slab
        (``grading_company``, ``grade``, ``cert_number``; BGS ``subgrades`` by name: centering, corners, edges,
        surface); returns the variant id."""
        sub = subgrades or {}
        return int(self._call_value("api.add_card_variant", variant_id=variant_id, printing=printing, language=language,
                                    condition=condition, grading_company=grading_company, grade=grade,
                                    grade_label=grade_label, scale_version=scale_version, cert_number=cert_number,
                                    centering=sub.get("centering"), corners=sub.get("corners"), edges=sub.get("edges"),
                                    surface=sub.get("surface"), serial_number=serial_number, tenant_id=tenant_id))

    def create_card(self, product: dict[str, Any], game: str, set_code: str, *, collector_number: str | None = None,
                    rarity: str | None = None, set_name: str | None = None, cmc: Decimal | str | None = None,
                    color_identity: list[str] | None = None, legalities: dict[str, str] | None = None,
                    metadata: dict[str, Any] | None = None, tenant_id: int | None = None) -> int:
        """Create the catalog product (``product``: the document of ``client.catalog.create_product``, "title"
        required) and make it a card of ``game`` in one call; returns the product id. A refusal leaves no product."""
        return int(self._call_value("api.create_card", product=json_doc(product), game=game, set_code=set_code,
                                    collector_number=collector_number, rarity=rarity, set_name=set_name, cmc=cmc,
                                    color_identity=color_identity, legalities=json_doc(legalities or {}),
                                    metadata=json_doc(metadata or {}), tenant_id=tenant_id))

    def create_card_variant(self, product_id: int, variant: dict[str, Any], printing: str, language: str = "EN", *,
                            condition: str | None = None, grading_company: str | None = None,
                            grade: Decimal | str | None = None, grade_label: str | None = None,
                            scale_version: int | None = None, cert_number: str | None = None,
                            subgrades: dict[str, Decimal | str] | None = None, serial_number: str | None = None,
                            tenant_id: int | None = None) -> int:
        """Add the catalog variant (``variant``: the document of ``client.catalog.add_variant``, "sku" and "price"
        required; a slab gets max_quantity 1) to card ``product_id`` and give it its TCG attributes in one call;
        returns the variant id. A refusal leaves no variant."""
        sub = subgrades or {}
        return int(self._call_value("api.create_card_variant", product_id=product_id, variant=json_doc(variant),
                                    printing=printing, language=language, condition=condition,
                                    grading_company=grading_company, grade=grade, grade_label=grade_label,
                                    scale_version=scale_version, cert_number=cert_number,
                                    centering=sub.get("centering"), corners=sub.get("corners"), edges=sub.get("edges"),
                                    surface=sub.get("surface"), serial_number=serial_number, tenant_id=tenant_id))

    def bgs_overall(self, centering: Decimal | str, corners: Decimal | str, edges: Decimal | str,
                    surface: Decimal | str) -> Decimal | None:
        """Beckett's overall grade for the four subgrades (None when one is off the scale)."""
        value = self._call_value("api.bgs_overall", centering=centering, corners=corners, edges=edges, surface=surface)
        return None if value is None else Decimal(value)

    # -- fulfilment batches (docs/store.md, "Fulfilment batches") ---------------------------------------------------

    def create_batch(self, location_id: int, order_ids: list[int] | None = None, *, assigned_to: int | None = None,
                     estimated_pick_time: int | None = None, note: str | None = None,
                     tenant_id: int | None = None) -> dict[str, Any]:
        """Create a fulfilment batch at a location with the given orders (each must have stock reserved there and be
        in no other open batch); returns the batch row."""
        return self._call_one("api.create_fulfilment_batch", location_id=location_id,
                              order_ids=None if order_ids is None else json_doc(order_ids), assigned_to=assigned_to,
                              estimated_pick_time=estimated_pick_time, note=note, tenant_id=tenant_id) or {}

    def add_batch_orders(self, batch_id: int, order_ids: list[int], tenant_id: int | None = None) -> dict[str, Any]:
        """Add orders to a CREATED batch; returns the batch row."""
        return self._call_one("api.add_batch_orders", batch_id=batch_id, order_ids=json_doc(order_ids),
                              tenant_id=tenant_id) or {}

    def pick_list(self, batch_id: int, tenant_id: int | None = None) -> list[dict[str, Any]]:
        """The batch's pick list: per variant (by SKU) the quantity to pick and how many orders want it."""
        return self._call("api.batch_pick_list", batch_id=batch_id, tenant_id=tenant_id)

    def advance_batch(self, batch_id: int, status: str, tenant_id: int | None = None) -> dict[str, Any]:
        """Move a batch to PICKING, PICKED, PACKING or (once shipped) COMPLETED; returns the batch row."""
        return self._call_one("api.advance_fulfilment_batch", batch_id=batch_id, status=status,
                              tenant_id=tenant_id) or {}

    def ship_batch(self, batch_id: int, tracking: dict[int, list[str]] | None = None,
                   tenant_id: int | None = None) -> dict[str, Any]:
        """Ship a PACKING batch (its orders through the orders module), with tracking numbers per order id."""
        return self._call_one("api.ship_fulfilment_batch", batch_id=batch_id,
                              tracking=json_doc({str(k): v for k, v in (tracking or {}).items()}),
                              tenant_id=tenant_id) or {}

    def cancel_batch(self, batch_id: int, reason: str, tenant_id: int | None = None) -> dict[str, Any]:
        """Cancel a batch that has not shipped; its orders may join another batch."""
        return self._call_one("api.cancel_fulfilment_batch", batch_id=batch_id, reason=reason, tenant_id=tenant_id) or {}
