"""The story ``mercato demo store`` tells (issue 18): a trading-card shop on the shared catalog, inventory and orders
modules, every step through the same ``api`` functions an app calls through PostgREST, as the caller it names.

A shop with a graded slab and sealed product in two locations; three channel orders, one imported twice; two buyers
racing for the last copy of the slab, exactly one winning; a fulfilment batch shipped; a purchase order partly
received; a refund to store credit; the inventory summary and ``inventory.check()``. Each run uses fresh names, so the
story can be told again on the same database.
"""

from __future__ import annotations

import secrets
import threading
from decimal import Decimal
from typing import Any

import click

from mercato.cli.common import table
from mercato.client import Client
from mercato.errors import MercatoError


def _step(title: str) -> None:
    click.echo("")
    click.secho(f"== {title}", bold=True)


def tell() -> None:
    """Tell the CardStore story with fresh names."""
    run = secrets.token_hex(3)
    user = {"role": "mercato_user"}
    with Client() as service:
        def caller(sub: str) -> Client:
            return service.as_caller({**user, "sub": sub}, role="mercato_user")

        _step("A card shop on Mercato: its tenant (USD), its admin and two buyers")
        shop = service.identity.create_tenant(f"cards-{run}", "Gem Mint Cards (demo)")
        service.call("api.set_tenant_currency", tenant_id=shop, currency="USD")
        admin_sub = f"kc|shop-admin-{run}"
        admin_id = service.identity.register_user(admin_sub, "STAFF", "Ada Admin", tenant_id=shop)
        service.identity.assign_role(admin_id, "TENANT_ADMIN", tenant_id=shop)
        staff = caller(admin_sub)
        buyers = {}
        for name in ("Ash", "Misty"):
            sub = f"kc|{name.lower()}-{run}"
            service.identity.register_user(sub, "CUSTOMER", name, tenant_id=shop)
            me = caller(sub)
            buyers[name] = {"client": me, "customer": me.customers.create_mine(
                {"email": f"{name.lower()}-{run}@example.com", "first_name": name})["id"]}
        click.echo(table([{"who": "Ada Admin", "role": "TENANT_ADMIN"}] +
                         [{"who": n, "role": f"customer {b['customer']}"} for n, b in buyers.items()]))

        _step("The catalog: a PSA 10 slab (one unit, never listed twice) and a sealed booster box")
        card = staff.store.create_card({"title": "Charizard - Base Set", "vendor": "Wizards of the Coast",
                                        "tags": ["pokemon", "vintage"]}, "POKEMON", "BS", collector_number="4")
        slab = staff.store.create_card_variant(card, {"sku": f"CHZ-PSA10-{run}", "price": "4200.00"}, "HOLOFOIL",
                                               grading_company="PSA", grade=Decimal("10"), cert_number=f"PSA{run}")
        box_product = staff.catalog.create_product({"title": "Scarlet & Violet Booster Box", "vendor": "Pokemon",
                                                    "category": "Sealed"})
        box = staff.catalog.add_variant(box_product, {"sku": f"SV-BOX-{run}", "price": "120.00", "cost": "85.00"})
        for product in (card, box_product):
            staff.catalog.publish_product(product)
        click.echo(table([{"variant": slab, "what": "Charizard PSA 10", "max_quantity": 1},
                          {"variant": box, "what": "booster box", "max_quantity": None}]))

        _step("Two locations; stock received with costs (every change is a movement)")
        wh = staff.inventory.create_location("WH", "Warehouse", "WAREHOUSE", priority=10)
        floor = staff.inventory.create_location("STORE", "Shop floor", "STORE", priority=20)
        staff.inventory.receive(slab, floor, 1, "3100.00")
        staff.inventory.receive(box, wh, 12, "85.00")
        staff.inventory.receive(box, floor, 4, "85.00")
        try:
            staff.inventory.receive(slab, wh, 1)
        except MercatoError as exc:
            click.echo(f"a second copy of the slab anywhere: refused, HTTP {exc.http_status}: {exc.one_line()}")
        click.echo(table(staff.inventory.stock()))

        _step("Three channel orders; the eBay one is imported twice and stays one order")
        tcg = staff.orders.import_order("TCGPLAYER", f"TCG-{run}-1", {
            "lines": [{"variant_id": box, "quantity": 2, "location_id": wh}],
            "payment": {"amount": "240.00", "reference": f"tcgp-{run}"}})
        ebay_doc = {"lines": [{"variant_id": box, "quantity": 1, "location_id": wh}],
                    "payment": {"amount": "120.00", "reference": f"ebay-{run}"}}
        ebay = staff.orders.import_order("EBAY", f"EBAY-{run}-77", ebay_doc)
        again = staff.orders.import_order("EBAY", f"EBAY-{run}-77", ebay_doc)
        pos = staff.orders.place({"source": "POS", "customer_id": buyers["Misty"]["customer"],
                                  "lines": [{"variant_id": box, "quantity": 1, "location_id": floor}]})
        staff.orders.record_external_payment(pos["id"], "120.00", f"terminal-{run}")
        click.echo(table([{"order": o["number"], "source": o["source"], "total": o["total_price"]}
                          for o in (tcg, ebay, pos)]))
        click.echo(f"the eBay order imported again returns order {again['number']} (the same id: {again['id'] == ebay['id']})")

        _step("Two buyers race for the one Charizard at the same instant: exactly one wins")
        results: dict[str, Any] = {}
        barrier = threading.Barrier(2)

        def race(name: str) -> None:
            barrier.wait()
            try:
                results[name] = buyers[name]["client"].orders.place(
                    {"customer_id": buyers[name]["customer"], "lines": [{"variant_id": slab, "quantity": 1}],
                     "reserve_minutes": 30})
            except MercatoError as exc:
                results[name] = exc

        threads = [threading.Thread(target=race, args=(n,)) for n in buyers]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        click.echo(table([{"buyer": n, "outcome": f"order {r['number']}, the slab reserved for 30 minutes"
                           if isinstance(r, dict) else f"refused, HTTP {r.http_status}: {r.code}"}
                          for n, r in sorted(results.items())]))

        _step("A fulfilment batch at the warehouse: pick list, picking, packing, shipped")
        batch = staff.store.create_batch(wh, [tcg["id"], ebay["id"]], estimated_pick_time=10)
        click.echo(table(staff.store.pick_list(batch["id"])))
        for status in ("PICKING", "PICKED", "PACKING"):
            staff.store.advance_batch(batch["id"], status)
        staff.store.ship_batch(batch["id"], {tcg["id"]: [f"1Z{run}01"], ebay["id"]: [f"1Z{run}02"]})
        staff.store.advance_batch(batch["id"], "COMPLETED")
        click.echo(table([{"order": o["number"], "fulfilment": o["fulfillment_status"], "tracking": o["tracking_numbers"]}
                          for o in (staff.orders.get(tcg["id"]), staff.orders.get(ebay["id"]))]))

        _step("Purchasing: 24 boxes ordered from a distributor, 10 received so far")
        dist = staff.purchasing.create_distributor(f"DIST{run.upper()}", "Card Distribution Co", payment_terms="NET30",
                                                   payment_terms_days=30)
        po = staff.purchasing.create_order(dist, wh, [{"variant_id": box, "quantity": 24, "unit_cost": "80.00"}])
        staff.purchasing.submit(po["id"])
        staff.purchasing.confirm(po["id"], external_po_number=f"CDC-{run}")
        receipt = staff.purchasing.receive(po["id"], [{"variant_id": box, "quantity": 10}])
        try:
            staff.purchasing.receive(po["id"], [{"variant_id": box, "quantity": 15}])
        except MercatoError as exc:
            click.echo(f"receiving 15 more of the 14 still due: refused, HTTP {exc.http_status}: {exc.code}")
        click.echo(table([{"po": po.get("po_number"), "status": receipt.get("status"), "total": po.get("total_amount")}]))

        _step("Misty takes her box home, then returns it: refunded to store credit, the box back on the shelf")
        staff.orders.fulfil(pos["id"], location_id=floor)
        line = staff.orders.get(pos["id"])["lines"][0]
        staff.customers.refund(pos["id"], "120.00", "changed her mind", destination="STORE_CREDIT",
                               lines=[{"line_id": line["id"], "quantity": 1, "restock": True}], location_id=floor)
        balances = staff.customers.balances(buyers["Misty"]["customer"])
        click.echo(table([{"customer": "Misty", "store credit": balances.get("store_credit"),
                           "financial status": staff.orders.get(pos["id"])["financial_status"]}]))

        _step("The inventory summary (exact, in the same transaction as every change) and inventory.check()")
        with staff.transaction() as conn:
            cur = conn.execute("SELECT variant_id, on_hand, reserved, available FROM api.inventory_summary "
                               "WHERE variant_id = ANY(%s) ORDER BY variant_id", ([slab, box],))
            rows = [dict(zip([c.name for c in cur.description], r)) for r in cur.fetchall()]
        click.echo(table(rows))
        problems = [c for c in service.inventory.check() if not c.ok]
        click.echo("inventory.check(): " + ("every invariant holds" if not problems else f"VIOLATED: {problems}"))
        if problems:
            raise click.ClickException("inventory.check() found violations")
    click.echo("")
    click.echo("store demo finished")
