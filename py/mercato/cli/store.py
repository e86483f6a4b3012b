"""``mercato store``: the CardStore's TCG attributes (issue 18; docs/store.md).

A store's staff act with ``--as SUBJECT`` in their own tenant (the database takes the tenant from who it is); the back
office (no ``--as``) or a platform admin names the tenant with ``--tenant``. A refusal prints its code and the detail
``field: reason``.
"""

from __future__ import annotations

import json
from decimal import Decimal

import click

from mercato.cli.common import caller_option, client_for

_tenant_option = click.option("--tenant", "tenant_id", type=int, default=None,
                              help="The tenant's id (the back office and platform users; staff act in their own).")


@click.group(name="store")
def command() -> None:
    """Trading cards: make catalog products cards and variants units or graded slabs; BGS overall grades."""


@command.command(name="add-card")
@click.argument("product_id", type=int)
@click.argument("game")
@click.argument("set_code")
@click.option("--number", "collector_number", default=None, help="Collector number.")
@click.option("--rarity", default=None)
@click.option("--cmc", type=Decimal, default=None, help="Mana value (Magic).")
@click.option("--colors", default=None, help="Color identity, e.g. WU (Magic).")
@click.option("--legalities", default=None, help='JSON object, e.g. {"modern": "legal"}.')
@_tenant_option
@caller_option
def add_card(product_id: int, game: str, set_code: str, collector_number: str | None, rarity: str | None,
             cmc: Decimal | None, colors: str | None, legalities: str | None, tenant_id: int | None,
             as_subject: str | None) -> None:
    """Make catalog product PRODUCT_ID a card of GAME (MTG, POKEMON, YUGIOH, LORCANA) in set SET_CODE."""
    with client_for(as_subject) as client:
        click.echo(client.store.add_card(product_id, game, set_code, collector_number=collector_number, rarity=rarity,
                                         cmc=cmc, color_identity=list(colors) if colors is not None else None,
                                         legalities=json.loads(legalities) if legalities else None, tenant_id=tenant_id))


@command.command(name="add-variant")
@click.argument("variant_id", type=int)
@click.argument("printing")
@click.option("--language", default="EN", show_default=True)
@click.option("--condition", default=None, help="MINT … DAMAGED (an ungraded unit).")
@click.option("--grader", "grading_company", default=None, help="PSA, BGS, SGC, CGC or HGA (a slab).")
@click.option("--grade", type=Decimal, default=None)
@click.option("--label", "grade_label", default=None, help="Where one grade has two labels (SGC or CGC 10).")
@click.option("--scale-version", type=int, default=None)
@click.option("--cert", "cert_number", default=None)
@click.option("--subgrades", default=None, help="BGS: centering/corners/edges/surface, e.g. 9.5/9/9.5/8.")
@click.option("--serial", "serial_number", default=None, help="n/m")
@_tenant_option
@caller_option
def add_variant(variant_id: int, printing: str, language: str, condition: str | None, grading_company: str | None,
                grade: Decimal | None, grade_label: str | None, scale_version: int | None, cert_number: str | None,
                subgrades: str | None, serial_number: str | None, tenant_id: int | None, as_subject: str | None) -> None:
    """Give catalog variant VARIANT_ID its PRINTING, language, and a condition or a slab's grade."""
    sub = None
    if subgrades:
        parts = subgrades.split("/")
        if len(parts) != 4:
            raise click.BadParameter("four subgrades: centering/corners/edges/surface", param_hint="--subgrades")
        sub = dict(zip(("centering", "corners", "edges", "surface"), (Decimal(p) for p in parts)))
    with client_for(as_subject) as client:
        click.echo(client.store.add_card_variant(variant_id, printing, language, condition=condition,
                                                 grading_company=grading_company, grade=grade, grade_label=grade_label,
                                                 scale_version=scale_version, cert_number=cert_number, subgrades=sub,
                                                 serial_number=serial_number, tenant_id=tenant_id))


def _subgrades(subgrades: str | None) -> dict[str, Decimal] | None:
    if not subgrades:
        return None
    parts = subgrades.split("/")
    if len(parts) != 4:
        raise click.BadParameter("four subgrades: centering/corners/edges/surface", param_hint="--subgrades")
    return dict(zip(("centering", "corners", "edges", "surface"), (Decimal(p) for p in parts)))


@command.command(name="create-card")
@click.argument("title")
@click.argument("game")
@click.argument("set_code")
@click.option("--vendor", default=None)
@click.option("--tag", "tags", multiple=True, help="A catalog tag (repeatable).")
@click.option("--number", "collector_number", default=None, help="Collector number.")
@click.option("--rarity", default=None)
@click.option("--set-name", default=None)
@click.option("--cmc", type=Decimal, default=None, help="Mana value (Magic).")
@click.option("--colors", default=None, help="Color identity, e.g. WU (Magic).")
@click.option("--legalities", default=None, help='JSON object, e.g. {"modern": "legal"}.')
@_tenant_option
@caller_option
def create_card(title: str, game: str, set_code: str, vendor: str | None, tags: tuple[str, ...],
                collector_number: str | None, rarity: str | None, set_name: str | None, cmc: Decimal | None,
                colors: str | None, legalities: str | None, tenant_id: int | None, as_subject: str | None) -> None:
    """Create catalog product TITLE and make it a card of GAME in set SET_CODE in one call (needs catalog.manage)."""
    product: dict[str, object] = {"title": title}
    if vendor is not None:
        product["vendor"] = vendor
    if tags:
        product["tags"] = list(tags)
    with client_for(as_subject) as client:
        click.echo(client.store.create_card(product, game, set_code, collector_number=collector_number, rarity=rarity,
                                            set_name=set_name, cmc=cmc,
                                            color_identity=list(colors) if colors is not None else None,
                                            legalities=json.loads(legalities) if legalities else None,
                                            tenant_id=tenant_id))


@command.command(name="create-variant")
@click.argument("product_id", type=int)
@click.argument("sku")
@click.argument("price", type=Decimal)
@click.argument("printing")
@click.option("--option1", default=None, help="The catalog option (unique per product), e.g. Near Mint.")
@click.option("--language", default="EN", show_default=True)
@click.option("--condition", default=None, help="MINT … DAMAGED (an ungraded unit).")
@click.option("--grader", "grading_company", default=None, help="PSA, BGS, SGC, CGC or HGA (a slab: max_quantity 1).")
@click.option("--grade", type=Decimal, default=None)
@click.option("--label", "grade_label", default=None, help="Where one grade has two labels (SGC or CGC 10).")
@click.option("--scale-version", type=int, default=None)
@click.option("--cert", "cert_number", default=None)
@click.option("--subgrades", default=None, help="BGS: centering/corners/edges/surface, e.g. 9.5/9/9.5/8.")
@click.option("--serial", "serial_number", default=None, help="n/m")
@_tenant_option
@caller_option
def create_variant(product_id: int, sku: str, price: Decimal, printing: str, option1: str | None, language: str,
                   condition: str | None, grading_company: str | None, grade: Decimal | None, grade_label: str | None,
                   scale_version: int | None, cert_number: str | None, subgrades: str | None,
                   serial_number: str | None, tenant_id: int | None, as_subject: str | None) -> None:
    """Add catalog variant SKU at PRICE to card PRODUCT_ID with its PRINTING and a condition or a slab's grade, in one
    call (needs catalog.manage)."""
    sub = _subgrades(subgrades)
    variant: dict[str, object] = {"sku": sku, "price": str(price)}
    if option1 is not None:
        variant["option1"] = option1
    with client_for(as_subject) as client:
        click.echo(client.store.create_card_variant(product_id, variant, printing, language, condition=condition,
                                                    grading_company=grading_company, grade=grade,
                                                    grade_label=grade_label, scale_version=scale_version,
                                                    cert_number=cert_number, subgrades=sub,
                                                    serial_number=serial_number, tenant_id=tenant_id))


@command.command(name="bgs-overall")
@click.argument("centering", type=Decimal)
@click.argument("corners", type=Decimal)
@click.argument("edges", type=Decimal)
@click.argument("surface", type=Decimal)
def bgs_overall(centering: Decimal, corners: Decimal, edges: Decimal, surface: Decimal) -> None:
    """Beckett's overall grade for four BGS subgrades (not their average)."""
    with client_for(None) as client:
        value = client.store.bgs_overall(centering, corners, edges, surface)
        click.echo("off the scale" if value is None else f"{value.normalize():f}")


# Purchasing: mercato store distributor … / mercato store po … (cli/store_purchasing.py)
from mercato.cli.store_purchasing import attach as _attach_purchasing  # noqa: E402

_attach_purchasing(command)


# fulfilment batches live in their own file
from mercato.cli.store_fulfilment import batch as _batch  # noqa: E402

command.add_command(_batch)
