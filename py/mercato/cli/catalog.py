"""``mercato catalog``: products, variants and search of a tenant's catalog (issue 18; docs/catalog.md).

A tenant's staff acts with ``--as SUBJECT`` on its own tenant (the database takes the tenant from who it is); the back
office (no ``--as``) or a platform user names the tenant with ``--tenant``. Amounts are given as text ("12.50") and
reach the database unchanged: it checks them against the tenant currency's minor units.
"""

from __future__ import annotations

import json

import click

from mercato.cli.common import caller_option, client_for, emit

_tenant_option = click.option("--tenant", "tenant_id", type=int, default=None,
                              help="The tenant's id (the back office and platform users; a tenant's staff acts in its own).")
_json_option = click.option("--json", "as_json", is_flag=True)


def _metadata(text: str | None) -> dict | None:
    if text is None:
        return None
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise click.BadParameter(f"not JSON: {exc}", param_hint="--metadata") from exc
    if not isinstance(value, dict):
        raise click.BadParameter("a JSON object", param_hint="--metadata")
    return value


def _given(**fields: object) -> dict:
    """The fields given on the command line (None and empty tuples left out)."""
    return {k: (list(v) if isinstance(v, tuple) else v) for k, v in fields.items() if v not in (None, ())}


@click.group(name="catalog")
def command() -> None:
    """The catalog: products, variants, channel ids, search."""


@command.group()
def product() -> None:
    """Products: create, publish, archive, show."""


@product.command(name="create")
@click.argument("title")
@click.option("--description")
@click.option("--vendor")
@click.option("--type", "product_type")
@click.option("--category")
@click.option("--tag", "tags", multiple=True, help="A tag (repeat for several).")
@click.option("--metadata", help="A JSON object.")
@_tenant_option
@caller_option
def product_create(title: str, description: str | None, vendor: str | None, product_type: str | None,
                   category: str | None, tags: tuple[str, ...], metadata: str | None, tenant_id: int | None,
                   as_subject: str | None) -> None:
    """Create the DRAFT product TITLE; prints its id."""
    doc = _given(title=title, description=description, vendor=vendor, product_type=product_type, category=category,
                 tags=tags, metadata=_metadata(metadata))
    with client_for(as_subject) as client:
        click.echo(client.catalog.create_product(doc, tenant_id=tenant_id))


@product.command(name="publish")
@click.argument("product_id", type=int)
@_tenant_option
@caller_option
def product_publish(product_id: int, tenant_id: int | None, as_subject: str | None) -> None:
    """Publish PRODUCT_ID (ACTIVE, published_at set)."""
    with client_for(as_subject) as client:
        p = client.catalog.publish_product(product_id, tenant_id=tenant_id)
    click.echo(f"product {p['id']}: {p['status']} since {p['published_at']}")


@product.command(name="archive")
@click.argument("product_id", type=int)
@_tenant_option
@caller_option
def product_archive(product_id: int, tenant_id: int | None, as_subject: str | None) -> None:
    """Archive PRODUCT_ID."""
    with client_for(as_subject) as client:
        p = client.catalog.archive_product(product_id, tenant_id=tenant_id)
    click.echo(f"product {p['id']}: {p['status']}")


@product.command(name="show")
@click.argument("product_id", type=int)
@_tenant_option
@caller_option
def product_show(product_id: int, tenant_id: int | None, as_subject: str | None) -> None:
    """PRODUCT_ID with its variants and channel ids, as JSON."""
    with client_for(as_subject) as client:
        emit(client.catalog.get_product(product_id, tenant_id=tenant_id), as_json=True)


@command.group()
def variant() -> None:
    """Variants: add."""


@variant.command(name="add")
@click.argument("product_id", type=int)
@click.option("--sku", required=True)
@click.option("--price", required=True, help="In the tenant's currency, e.g. 12.50.")
@click.option("--compare-at-price")
@click.option("--cost")
@click.option("--barcode")
@click.option("--option1")
@click.option("--option2")
@click.option("--option3")
@click.option("--weight")
@click.option("--weight-unit", type=click.Choice(["g", "kg", "oz", "lb"]))
@click.option("--policy", "inventory_policy", type=click.Choice(["DENY", "CONTINUE"], case_sensitive=False))
@click.option("--max-quantity", type=int, help="A one-of-a-kind item has 1.")
@click.option("--metadata", help="A JSON object.")
@_tenant_option
@caller_option
def variant_add(product_id: int, sku: str, price: str, compare_at_price: str | None, cost: str | None,
                barcode: str | None, option1: str | None, option2: str | None, option3: str | None, weight: str | None,
                weight_unit: str | None, inventory_policy: str | None, max_quantity: int | None, metadata: str | None,
                tenant_id: int | None, as_subject: str | None) -> None:
    """Add a variant to PRODUCT_ID; prints its id."""
    doc = _given(sku=sku, price=price, compare_at_price=compare_at_price, cost=cost, barcode=barcode, option1=option1,
                 option2=option2, option3=option3, weight=weight, weight_unit=weight_unit,
                 inventory_policy=inventory_policy, max_quantity=max_quantity, metadata=_metadata(metadata))
    with client_for(as_subject) as client:
        click.echo(client.catalog.add_variant(product_id, doc, tenant_id=tenant_id))


@command.command()
@click.argument("query", required=False)
@click.option("--category")
@click.option("--vendor")
@click.option("--tag", "tags", multiple=True, help="A tag the product must have (repeat for several).")
@click.option("--status", "statuses", multiple=True, type=click.Choice(["DRAFT", "ACTIVE", "ARCHIVED"], case_sensitive=False))
@click.option("--price-min")
@click.option("--price-max")
@click.option("--limit", type=click.IntRange(1, 100), default=20, show_default=True)
@click.option("--cursor", help="The next-page cursor a previous search printed.")
@_tenant_option
@caller_option
@_json_option
def search(query: str | None, category: str | None, vendor: str | None, tags: tuple[str, ...], statuses: tuple[str, ...],
           price_min: str | None, price_max: str | None, limit: int, cursor: str | None, tenant_id: int | None,
           as_subject: str | None, as_json: bool) -> None:
    """Search the catalog for QUERY (title > description > vendor, misspellings, SKUs and barcodes); one page."""
    filters = _given(category=category, vendor=vendor, tags=tags, status=[s.upper() for s in statuses] or None,
                     price_min=price_min, price_max=price_max)
    with client_for(as_subject) as client:
        page = client.catalog.search(query, filters, limit=limit, cursor=cursor, tenant_id=tenant_id)
    if as_json:
        emit({"rows": page.rows, "next_cursor": page.next_cursor}, as_json=True)
        return
    emit(page.rows, as_json=False, columns=["product_id", "title", "status", "min_price", "max_price", "currency", "score"])
    if page.next_cursor:
        click.echo(f"next page: --cursor {page.next_cursor}")
