"""``client.catalog``: the catalog's ``api`` wrappers (issue 18) — products, their variants and channel ids, and search.

A tenant's user always acts on its own tenant (the database takes it from the JWT); a platform user or the back office
names the tenant with ``tenant_id``. Writes need the permission ``catalog.manage`` in the tenant. Documents go to the
database as JSON with amounts as strings (``Decimal`` or ``str``; never floats), and come back as dicts whose amounts
are strings: the database checks their scale against the tenant currency's minor units and Python computes nothing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from psycopg.types.json import Jsonb

from mercato.module import ModuleClient, json_doc, typed


def _doc(value: dict[str, Any] | None) -> Jsonb:
    """A document for a jsonb parameter, Decimals as strings (json_doc), so that no amount turns into a float."""
    return Jsonb(value or {}, dumps=json_doc)


@dataclass(frozen=True)
class SearchRow:
    """One product of a search page: what a listing shows, its score and its keyset cursor."""

    product_id: int
    title: str
    vendor: str | None
    product_type: str | None
    category: str | None
    tags: list[str]
    status: str
    published_at: dt.datetime | None
    currency: str | None
    min_price: Decimal | None
    max_price: Decimal | None
    variant_count: int | None
    score: Decimal
    cursor: str


@dataclass(frozen=True)
class SearchPage:
    """A page of search results; ``next_cursor`` fetches the next page (None after the last)."""

    rows: list[SearchRow] = field(default_factory=list)
    next_cursor: str | None = None


class CatalogClient(ModuleClient):
    """``client.catalog``: create and change products and variants, link channel ids, read and search the catalog."""

    module = "catalog"

    # -- products -----------------------------------------------------------------------------------------------------
    def create_product(self, product: dict[str, Any], *, tenant_id: int | None = None) -> int:
        """Create a DRAFT product (title, description, vendor, product_type, category, tags, seo_title,
        seo_description, metadata); returns its id."""
        return self._call_value("api.create_product", product=_doc(product), tenant_id=tenant_id)

    def update_product(self, product_id: int, changes: dict[str, Any], *, tenant_id: int | None = None) -> dict[str, Any]:
        """Set the fields present in ``changes`` (None clears an optional one); returns the product."""
        return self._call_value("api.update_product", product_id=product_id, changes=_doc(changes), tenant_id=tenant_id)

    def publish_product(self, product_id: int, *, tenant_id: int | None = None) -> dict[str, Any]:
        """DRAFT -> ACTIVE with published_at; returns the product."""
        return self._call_value("api.publish_product", product_id=product_id, tenant_id=tenant_id)

    def archive_product(self, product_id: int, *, tenant_id: int | None = None) -> dict[str, Any]:
        """DRAFT or ACTIVE -> ARCHIVED; returns the product."""
        return self._call_value("api.archive_product", product_id=product_id, tenant_id=tenant_id)

    def unarchive_product(self, product_id: int, *, tenant_id: int | None = None) -> dict[str, Any]:
        """ARCHIVED -> DRAFT; returns the product."""
        return self._call_value("api.unarchive_product", product_id=product_id, tenant_id=tenant_id)

    def get_product(self, product_id: int, *, tenant_id: int | None = None) -> dict[str, Any]:
        """The product with its variants and channel ids."""
        return self._call_value("api.get_product", product_id=product_id, tenant_id=tenant_id)

    # -- variants -----------------------------------------------------------------------------------------------------
    def add_variant(self, product_id: int, variant: dict[str, Any], *, tenant_id: int | None = None) -> int:
        """Add a variant (sku and price required; see api.add_variant for the fields); returns its id."""
        return self._call_value("api.add_variant", product_id=product_id, variant=_doc(variant), tenant_id=tenant_id)

    def update_variant(self, variant_id: int, changes: dict[str, Any], *, tenant_id: int | None = None) -> dict[str, Any]:
        """Set the fields present in ``changes``; returns the variant."""
        return self._call_value("api.update_variant", variant_id=variant_id, changes=_doc(changes), tenant_id=tenant_id)

    def get_variant(self, variant_id: int, *, tenant_id: int | None = None) -> dict[str, Any]:
        """The variant (amounts as strings)."""
        return self._call_value("api.get_variant", variant_id=variant_id, tenant_id=tenant_id)

    # -- channels -----------------------------------------------------------------------------------------------------
    def link_channel(self, product_id: int, channel: str, external_id: str, *,
                     tenant_id: int | None = None) -> list[dict[str, str]]:
        """Link the product to its id on a channel (ONLINE_STORE, TCGPLAYER, EBAY, AMAZON, POS); returns its links."""
        return self._call_value("api.link_product_channel", product_id=product_id, channel=channel,
                                external_id=external_id, tenant_id=tenant_id)

    def product_by_channel(self, channel: str, external_id: str, *, tenant_id: int | None = None) -> int:
        """The product a channel's external id names."""
        return self._call_value("api.product_by_channel", channel=channel, external_id=external_id, tenant_id=tenant_id)

    # -- search -------------------------------------------------------------------------------------------------------
    def search(self, query: str | None = None, filters: dict[str, Any] | None = None, *, limit: int = 20,
               cursor: str | None = None, tenant_id: int | None = None) -> SearchPage:
        """One page of the tenant's products matching ``query`` and ``filters`` (category, vendor, product_type, tags,
        status, price_min, price_max, metadata, variant_metadata), best first; pass ``next_cursor`` for the next."""
        rows = [typed(SearchRow, r) for r in self._call("api.search_catalog", query=query, filters=_doc(filters),
                                                         limit=limit, cursor=cursor, tenant_id=tenant_id)]
        return SearchPage(rows, rows[-1].cursor if len(rows) == limit else None)
