"""The world of test_visibility_matrix.py: two tenants, each with two businesses (one with a STAFF member besides its
owner), two providers and a tenant admin, a platform admin, and the back office; RFQs in every state, a split award turned into an escrowed contract with
assignments, OTP-verified deliveries, a settled period, trust and tier history and the ledger entries all of that made.

Built as the superuser calling the modules' own functions, each call in its own transaction with the caller's JWT
claims set by ``set_config('request.jwt.claims', …, true)`` (the functions read who is calling from the claims; a
superuser session counts as the back office). The superuser writes directly only what the clock would otherwise take
days to produce: it closes one RFQ's bidding, moves that contract a few days into the past (mercato.harness.timeshift, as the
demo does) and loads tier history (tier_change, tier_candidate) as history rows. Each tenant also has a catalog (issue 18).
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any

import psycopg
from psycopg.types.json import Jsonb

from mercato.harness.timeshift import shift_into_past

SERVICE_CLAIMS = {"role": "mercato_service"}
USER_ROLE = "mercato_user"
SHIFT_DAYS = 12          # how far the awarded contract is moved into the past, so that a period can be settled


@dataclass(frozen=True)
class Caller:
    """One caller of the matrix: a database role, the JWT claims PostgREST would set, and what it owns."""

    name: str
    kind: str                       # anon | business | provider | tenant_admin | platform_admin | service
    role: str
    claims: dict[str, Any] | None   # None: no JWT (anonymous)
    tenant: int | None = None       # the user's tenant (identity.user_account.tenant_id)
    user_id: int | None = None
    business_id: int | None = None
    provider_id: int | None = None
    admin: bool = False             # holds marketplace.admin (platform-wide)

    @property
    def owner_keys(self) -> frozenset[str]:
        """The ledger owners this caller is ('BUSINESS:7', 'PROVIDER:3')."""
        keys = set()
        if self.business_id is not None:
            keys.add(f"BUSINESS:{self.business_id}")
        if self.provider_id is not None:
            keys.add(f"PROVIDER:{self.provider_id}")
        return frozenset(keys)


@dataclass
class World:
    tenants: list[int] = field(default_factory=list)
    callers: list[Caller] = field(default_factory=list)


def _call(conn: psycopg.Connection, claims: dict[str, Any] | None, query: str, *params: Any) -> Any:
    """One request: claims set for this transaction only, one statement, its first column of the first row."""
    with conn.transaction():
        conn.execute("SELECT set_config('request.jwt.claims', %s, true)", (json.dumps(claims or {}),))
        row = conn.execute(query, params).fetchone()
    return None if row is None else row[0]


def _user(sub: str) -> dict[str, Any]:
    return {"sub": sub, "role": USER_ROLE}


def build_world(db_url: str) -> World:
    w = World()
    today = dt.date.today()
    svc = SERVICE_CLAIMS
    with psycopg.connect(db_url) as conn:
        padmin_sub = "kc|vm-platform-admin"
        padmin_uid = _call(conn, svc, "SELECT identity.register_user(%s, 'ADMIN', 'Platform admin')", padmin_sub)
        _call(conn, svc, "SELECT identity.assign_role(%s, 'PLATFORM_ADMIN')", padmin_uid)
        padmin = _user(padmin_sub)
        w.callers.append(Caller("platform_admin", "platform_admin", USER_ROLE, padmin, None, padmin_uid, admin=True))

        # credentials (docs/auth.md): fast hashes, a signing key; each tenant admin below gets a login and signs in
        conn.execute("UPDATE masterdata.setting SET value = '4' WHERE key = 'AUTH_BCRYPT_COST'")
        _call(conn, svc, "SELECT identity.set_jwt_secret(%s)", "vm-signing-key-of-at-least-32-bytes!")
        # payments rails (docs/payments.md): a rail's HMAC key and one call of the rail kept (nobody reads either)
        _call(conn, svc, "SELECT payments.add_rail_hmac_secret('KCB', %s)", "vm-rail-key-of-at-least-32-bytes!!")
        _call(conn, svc, "SELECT payments.ingest_webhook('KCB', '{}', '{}') ->> 'event_id'")
        for t in (1, 2):
            tenant = _call(conn, svc, "SELECT identity.create_tenant(%s, %s)", f"vm-tenant-{t}", f"Tenant {t}")
            w.tenants.append(tenant)
            sub = f"kc|vm-t{t}-admin"
            uid = _call(conn, svc, "SELECT identity.register_user(%s, 'ADMIN', %s, %s)", sub, f"T{t} admin", tenant)
            _call(conn, svc, "SELECT identity.assign_role(%s, 'TENANT_ADMIN', %s)", uid, tenant)
            _call(conn, svc, "SELECT identity.add_login_identifier(%s, %s)", uid, f"vm-t{t}-admin")
            _call(conn, svc, "INSERT INTO identity.password (user_id, password_hash) "
                             "VALUES (%s, identity.hash_password('vm admin passphrase')) RETURNING user_id", uid)
            assert _call(conn, None, "SELECT session_id FROM identity.sign_in(%s, 'vm admin passphrase', %s)",
                         f"vm-t{t}-admin", f"vm-tenant-{t}"), "the tenant admin signs in"
            _call(conn, None, "SELECT error FROM identity.sign_in(%s, 'a wrong passphrase', %s)",
                  f"vm-t{t}-admin", f"vm-tenant-{t}")
            # an OAuth account linked by the app server, and a sign-in through it (docs/auth.md)
            _call(conn, svc, "SELECT identity.link_oauth_account(%s, 'google', %s, NULL)", uid, f"vm-google-t{t}")
            assert _call(conn, svc, "SELECT session_id FROM identity.sign_in_oauth(%s, 'google', %s)",
                         f"vm-tenant-{t}", f"vm-google-t{t}"), "the tenant admin signs in through OAuth"
            w.callers.append(Caller(f"t{t}.tenant_admin", "tenant_admin", USER_ROLE, _user(sub), tenant, uid))
            # payments (docs/payments.md): the tenant admin registers a merchant of its tenant and gives it a webhook
            # endpoint, whose signing secret is a row of this tenant in payments.webhook_secret (read by nobody)
            merchant = _call(conn, _user(sub), "SELECT organization_id FROM payments.register_merchant(%s)",
                             f"VM merchant {t}")
            _call(conn, _user(sub), "SELECT endpoint_id FROM payments.create_webhook_endpoint(%s, %s, '{*}')",
                  merchant, f"https://vm-t{t}.example/hooks")

            # the store (docs/store.md): a catalog product and two variants (written by the superuser: the catalog has
            # no writing functions yet), made a card, a unit and a slab for the tenant
            # The whole world is one outer transaction, so the session_replication_role = replica that tenant 1's time
            # shift sets LOCAL is still on here for tenant 2: the store's and the catalog's triggers must fire, so they
            # run with origin and the setting is put back as it was afterwards (the rest of the world is unchanged).
            replication_role = conn.execute("SHOW session_replication_role").fetchone()[0]
            assert replication_role in ("origin", "replica"), replication_role
            conn.execute("SET LOCAL session_replication_role = origin")
            with conn.transaction():
                conn.execute("UPDATE identity.tenant SET currency = 'USD' WHERE id = %s", (tenant,))
                product = conn.execute("INSERT INTO catalog.product (tenant_id, title) VALUES (%s, %s) RETURNING id",
                                       (tenant, f"Black Lotus {t}")).fetchone()[0]
                units = [conn.execute("INSERT INTO catalog.variant (tenant_id, product_id, sku, option1, price, max_quantity) "
                                      "VALUES (%s, %s, %s, %s, 100, %s) RETURNING id",
                                      (tenant, product, f"VM-{t}-{n}", f"VM-{t}-{n}", max_quantity)).fetchone()[0]
                         for n, max_quantity in ((1, None), (2, 1))]
            admin = _user(sub)   # the tenant admin's claims; the store functions resolve the tenant named
            # (a superuser session counts as the back office, which names the tenant)
            _call(conn, admin, "SELECT store.add_card(%s, 'MTG', 'LEA', p_legalities := '{\"vintage\": \"restricted\"}', "
                               "p_tenant_id := %s)", product, tenant)
            _call(conn, admin, "SELECT store.add_card_variant(%s, 'NONFOIL', 'EN', 'NEAR_MINT', p_tenant_id := %s)",
                  units[0], tenant)
            _call(conn, admin, "SELECT store.add_card_variant(%s, 'NONFOIL', p_grading_company := 'PSA', p_grade := 9, "
                               "p_cert_number := %s, p_tenant_id := %s)", units[1], f"VM{t}0001", tenant)
            conn.execute(f"SET LOCAL session_replication_role = {replication_role}")

            biz: dict[str, dict[str, Any]] = {}
            for b in ("a", "b"):
                sub = f"kc|vm-t{t}-biz-{b}"
                uid = _call(conn, svc, "SELECT identity.register_user(%s, 'BUSINESS', %s, %s, NULL, %s)", sub, f"Biz {t}{b}",
                            tenant, f"+2519110{t}{ord(b):03d}")
                bid = _call(conn, _user(sub), "SELECT parties.register_business(%s, 'LOGISTICS', %s)",
                            f"Biz {t}{b} plc", f"TIN-{t}{b}")
                _call(conn, padmin, "SELECT parties.set_business_kyb(%s, 'VERIFIED')", bid)
                _call(conn, svc, "SELECT parties.top_up_business(%s, 1000000, %s)", bid, f"vm-topup-{t}{b}")
                biz[b] = {"sub": sub, "claims": _user(sub), "id": bid}
                w.callers.append(Caller(f"t{t}.biz_{b}", "business", USER_ROLE, _user(sub), tenant, uid, business_id=bid))
                if b == "a":    # a STAFF member acts for the business and sees what it sees (identity.membership)
                    staff_sub = f"kc|vm-t{t}-biz-a-staff"
                    staff = _call(conn, svc, "SELECT identity.register_user(%s, 'STAFF', %s, %s)", staff_sub,
                                  f"Staff {t}a", tenant)
                    _call(conn, _user(sub), "SELECT identity.add_member(organization_id, %s, NULL, 'STAFF') "
                                            "FROM parties.business WHERE id = %s", staff, bid)
                    w.callers.append(Caller(f"t{t}.biz_a_staff", "business", USER_ROLE, _user(staff_sub), tenant, staff,
                                            business_id=bid))

            prov: dict[str, dict[str, Any]] = {}
            for p in ("a", "b"):
                sub = f"kc|vm-t{t}-prov-{p}"
                uid = _call(conn, svc, "SELECT identity.register_user(%s, 'PROVIDER', %s, %s)", sub, f"Prov {t}{p}", tenant)
                me = _user(sub)
                pid = _call(conn, me, "SELECT parties.register_provider('COMPANY', %s, %s)", f"Prov {t}{p}", f"PTIN-{t}{p}")
                _call(conn, padmin, "SELECT parties.set_provider_verification(%s, 'VERIFIED')", pid)
                cars = []
                for n in (1, 2):
                    vid = _call(conn, me, "SELECT fleet.add_vehicle(p_plate_number := %s, p_vehicle_type := 'SEDAN', "
                                          "p_seat_count := 4, p_engine_type := 'HYBRID')", f"VM {t}{p.upper()} {n}")
                    ins = _call(conn, me, "SELECT fleet.add_vehicle_insurance(%s, 'COMPREHENSIVE', 'Nyala', %s, %s, %s)",
                                vid, today - dt.timedelta(days=30), today + dt.timedelta(days=120),
                                f"https://docs.example/vm/{vid}.pdf")
                    _call(conn, padmin, "SELECT fleet.set_vehicle_status(%s, 'ACTIVE')", vid)
                    _call(conn, padmin, "SELECT fleet.verify_insurance(%s, 'VERIFIED')", ins)
                    cars.append(vid)
                prov[p] = {"sub": sub, "claims": me, "id": pid, "vehicles": cars}
                w.callers.append(Caller(f"t{t}.prov_{p}", "provider", USER_ROLE, me, tenant, uid, provider_id=pid))

            # RFQs: a DRAFT per business; business a: one awarded (both providers bid, split award); business b: one
            # PUBLISHED (provider b bid on it) and one CANCELLED after provider a bid on it.
            start = today + dt.timedelta(days=2)
            end = start + dt.timedelta(days=19)
            deadline = dt.datetime.now(dt.timezone.utc) + dt.timedelta(hours=2)
            lines = Jsonb([{"vehicle_type": "SEDAN", "engine_type": "HYBRID", "quantity": 2, "with_driver": True}])

            def create_rfq(who: str, title: str) -> int:
                return _call(conn, biz[who]["claims"], "SELECT marketplace.create_rfq(%s, %s, %s, %s, %s)",
                             f"{title} (tenant {t})", start, end, deadline, lines)

            def line_of(rfq: int) -> int:
                return _call(conn, None, "SELECT min(id) FROM marketplace.rfq_line WHERE rfq_id = %s", rfq)

            def bid(who: str, rfq: int, price: str) -> None:
                _call(conn, prov[who]["claims"], "SELECT marketplace.submit_bid(%s, %s)", rfq,
                      Jsonb([{"rfq_line_id": line_of(rfq), "unit_price": price, "quantity": 1}]))

            create_rfq("a", "draft a")
            create_rfq("b", "draft b")
            awarded = create_rfq("a", "awarded")
            opened = create_rfq("b", "open")
            cancelled = create_rfq("b", "cancelled")
            for who, rfq in (("a", awarded), ("b", opened), ("b", cancelled)):
                _call(conn, biz[who]["claims"], "SELECT 1 FROM marketplace.publish_rfq(%s)", rfq)
            if t == 1:
                # ids of different tables overlap in any real database; make one bid's id equal its RFQ's id, so that a
                # policy comparing a bid's id where it means its rfq_id (issue 14, item 1) shows as a leak, not only as
                # rows missing
                with conn.transaction():
                    conn.execute("SELECT setval(pg_get_serial_sequence('marketplace.bid', 'id'), %s, false) "
                                 "WHERE %s > (SELECT coalesce(max(id), 0) FROM marketplace.bid)", (awarded, awarded))
            bid("a", awarded, "1000.00")
            bid("b", awarded, "1100.00")
            bid("b", opened, "900.00")
            bid("a", cancelled, "950.00")
            _call(conn, biz["b"]["claims"], "SELECT 1 FROM marketplace.cancel_rfq(%s)", cancelled)

            with conn.transaction():    # the deadline passes (the database clock decides; the owner moves it)
                conn.execute("UPDATE marketplace.rfq SET bid_deadline = clock_timestamp() - interval '1 second' "
                             "WHERE id = %s", (awarded,))
            with conn.transaction():
                conn.execute("SELECT set_config('request.jwt.claims', %s, true)", (json.dumps(biz["a"]["claims"]),))
                ranked = conn.execute("SELECT bidder FROM marketplace.rfq_bids(%s)", (awarded,)).fetchall()
            awards = Jsonb([{"rfq_line_id": line_of(awarded), "bidder": r[0], "quantity": 1} for r in ranked])
            assert len(ranked) == 2, ranked
            _call(conn, biz["a"]["claims"], "SELECT marketplace.award_rfq(%s, %s)", awarded, awards)

            contract = _call(conn, biz["a"]["claims"], "SELECT id FROM contracts.create_contract(%s)", awarded)
            _call(conn, biz["a"]["claims"], "SELECT id FROM contracts.activate_contract(%s)", contract)
            for p in ("a", "b"):
                cline = _call(conn, None, "SELECT id FROM contracts.contract_line WHERE contract_id = %s AND provider_id = %s",
                              contract, prov[p]["id"])
                assignment = _call(conn, prov[p]["claims"], "SELECT id FROM contracts.assign_vehicle(%s, %s)",
                                   cline, prov[p]["vehicles"][0])
                with conn.transaction():
                    conn.execute("SELECT set_config('request.jwt.claims', %s, true)", (json.dumps(prov[p]["claims"]),))
                    session, message = conn.execute("SELECT session_id, message_id FROM delivery.start_session(%s, 'DELIVERY', 'SMS')",
                                                    (assignment,)).fetchone()
                    code = conn.execute("SELECT secret ->> 'code' FROM outbox.message_secret WHERE message_id = %s",
                                        (message,)).fetchone()[0]   # the business's SMS, read as the owner
                with conn.transaction():
                    conn.execute("SELECT set_config('request.jwt.claims', %s, true)", (json.dumps(biz["a"]["claims"]),))
                    wrong = f"{(int(code) + 1) % 1_000_000:06d}"      # one failed attempt, then the right code
                    conn.execute("SELECT * FROM delivery.verify_code(%s, %s)", (session, wrong))
                with conn.transaction():
                    conn.execute("SELECT set_config('request.jwt.claims', %s, true)", (json.dumps(biz["a"]["claims"]),))
                    ok = conn.execute("SELECT verified FROM delivery.verify_code(%s, %s, %s)",
                                      (session, code, Jsonb({"odometer_km": 1000, "fuel_level": "FULL"}))).fetchone()[0]
                assert ok, "the right code verifies the handover"
            shift_into_past(conn, awarded, contract, SHIFT_DAYS)

            # tier history, loaded as history rows (a real promotion needs a fleet of active vehicles)
            with conn.transaction():
                for party_type, party_id, old, new, policy in (
                        ("BUSINESS", biz["a"]["id"], "STANDARD", "BUSINESS_PRO", "BUSINESS_TIER_RULES"),
                        ("PROVIDER", prov["a"]["id"], "BRONZE", "SILVER", "PROVIDER_TIER_RULES")):
                    conn.execute("INSERT INTO parties.tier_change (party_type, party_id, old_tier, new_tier, policy_version_id, "
                                 "inputs) SELECT %s, %s, %s, %s, max(id), '{}' FROM masterdata.policy_version "
                                 "WHERE policy_code = %s", (party_type, party_id, old, new, policy))
                for party_type, party_id, tier in (("BUSINESS", biz["b"]["id"], "STANDARD"),
                                                   ("PROVIDER", prov["b"]["id"], "BRONZE")):
                    conn.execute("INSERT INTO parties.tier_candidate (party_type, party_id, qualified_tier, since) "
                                 "VALUES (%s, %s, %s, now() - interval '3 days')", (party_type, party_id, tier))

        # the back office folds the trust outcomes and settles the closed days of both tenants' contracts
        _call(conn, svc, "SELECT parties.apply_trust_events()")
        period_start = today + dt.timedelta(days=2) - dt.timedelta(days=SHIFT_DAYS)
        with conn.transaction():
            conn.execute("SELECT set_config('request.jwt.claims', %s, true)", (json.dumps(svc),))
            conn.execute("SELECT * FROM settlement.run_period(%s, %s)", (period_start, today - dt.timedelta(days=1)))

        # the catalog (issue 18): each tenant in its currency, a product with two variants and a channel id (the
        # superuser session counts as the back office, so it names the tenant); the same SKU and external id in both
        for tenant in w.tenants:
            _call(conn, padmin, "SELECT identity.set_tenant_currency(%s, 'USD')", tenant)
            for title in ("Charizard", "Booster box"):
                product = _call(conn, svc, "SELECT catalog.create_product(%s, %s)", Jsonb({"title": title}), tenant)
                for sku in ("NM", "LP"):
                    _call(conn, svc, "SELECT catalog.add_variant(%s, %s, %s)", product,
                          Jsonb({"sku": f"{title[:3].upper()}-{sku}", "price": "12.50", "option1": sku}), tenant)
                _call(conn, svc, "SELECT catalog.link_channel(%s, 'EBAY', %s, %s)", product, f"ebay-{title[:3]}", tenant)
        build_inventory(conn, w)
        build_orders(conn, w)
        build_purchasing(conn, w)
        build_batches(conn, w)

    w.callers.insert(0, Caller("anon", "anon", "mercato_anon", None))
    w.callers.append(Caller("service", "service", "mercato_service", SERVICE_CLAIMS))
    return w


def build_inventory(conn: psycopg.Connection, w: World) -> None:
    """Each tenant's inventory (issue 18): a catalog variant (written directly by tests.catalog_variant), a location, a
    receipt, a channel buffer, a reservation shipped in part and a live one: rows of both tenants in every inventory
    table, written through the inventory's functions with each tenant's admin as the actor. (This superuser session
    counts as the back office, which names the tenant.)"""
    for tenant in w.tenants:
        admin = next(c for c in w.callers if c.kind == "tenant_admin" and c.tenant == tenant).claims
        variant = _call(conn, None, "SELECT tests.catalog_variant(%s, %s)", tenant, f"VM-CARD-{tenant}")
        location = _call(conn, admin, "SELECT inventory.create_location('WH', 'Warehouse', p_tenant_id => %s)", tenant)
        _call(conn, admin, "SELECT (inventory.receive(%s, %s, 10, 1.50, p_tenant_id => %s)).id", variant, location, tenant)
        _call(conn, admin, "SELECT (inventory.set_channel_buffer(%s, %s, 'EBAY', 2, %s)).stock_id", variant, location,
              tenant)
        shipped = _call(conn, admin, "SELECT reservation_id FROM inventory.reserve(%s, 'orders', 'order', 'vm-1', "
                                     "p_tenant_id => %s)", Jsonb([{"variant_id": variant, "quantity": 2}]), tenant)
        _call(conn, admin, "SELECT (inventory.ship(%s, 1, %s)).id", shipped, tenant)
        _call(conn, admin, "SELECT reservation_id FROM inventory.reserve(%s, 'orders', 'order', 'vm-2', p_tenant_id => %s)",
              Jsonb([{"variant_id": variant, "location_id": location, "quantity": 3}]), tenant)


def build_orders(conn: psycopg.Connection, w: World) -> None:
    """Each tenant's orders (issue 18): a tax rate and two customers (one linked to a business user of the tenant, who
    is then a customer-user), written directly by this superuser session (customers are another use case); an order of
    each placed by the tenant's admin through orders.place_order (an untracked variant: no stock needed), paid on its
    channel (orders.record_external_payment) and partly refunded (orders.apply_refund, with a refund line); a loyalty
    rule: rows of both tenants in every orders table."""
    for tenant in w.tenants:
        admin = next(c for c in w.callers if c.kind == "tenant_admin" and c.tenant == tenant).claims
        buyer = next(c for c in w.callers if c.kind == "business" and c.tenant == tenant)
        variant = _call(conn, None, "SELECT tests.catalog_variant(%s, %s, 'DENY', NULL, false)", tenant,
                        f"VM-ORD-{tenant}")
        conn.execute("INSERT INTO orders.tax_rate (tenant_id, tax_code, effective_from, rate) "
                     "VALUES (%s, 'STANDARD', '2025-01-01', 0.08)", (tenant,))
        for n, (email, user_id) in enumerate([(f"buyer{tenant}@example.com", buyer.user_id),
                                              (f"walkin{tenant}@example.com", None)], start=1):
            customer = conn.execute("INSERT INTO orders.customer (tenant_id, email, user_id) VALUES (%s, %s, %s) "
                                    "RETURNING id", (tenant, email, user_id)).fetchone()[0]
            order = _call(conn, admin, "SELECT orders.place_order(%s, %s, %s)",
                          Jsonb({"source": "EBAY", "customer_id": customer,
                                 "lines": [{"variant_id": variant, "quantity": 1}]}),
                          Jsonb({"total_price": "10.80"}), tenant)
            paid = _call(conn, admin, "SELECT (orders.record_external_payment(%s, 10.80, %s, %s)).id", order["id"],
                         f"ch-{tenant}-{n}", tenant)
            _call(conn, None, "SELECT (orders.apply_refund(%s, %s, 4, 'damaged', NULL, %s)).id", tenant, paid,
                  Jsonb([{"line_id": order["lines"][0]["id"], "quantity": 1, "restock": False}]))
        conn.execute("INSERT INTO orders.loyalty_rule (tenant_id, effective_from, points_per_unit, point_value) "
                     "VALUES (%s, now(), 1, 0.01)", (tenant,))


def build_purchasing(conn: psycopg.Connection, w: World) -> None:
    """Each tenant's purchasing (docs/store.md, "Purchasing"): a distributor supplying a variant (preferred), a purchase
    order received in part (a receipt and its line), and a reorder point the stock is under: rows of both tenants in
    every purchasing table and in api.store_reorder_suggestions, through the store's functions with each tenant's admin
    as the actor (this superuser session counts as the back office, which names the tenant). The purchasing triggers
    (totals, status machine) must fire: like the store's section above, it runs with session_replication_role = origin
    and puts the setting back as it was."""
    replication_role = conn.execute("SHOW session_replication_role").fetchone()[0]
    assert replication_role in ("origin", "replica"), replication_role
    conn.execute("SET LOCAL session_replication_role = origin")
    for tenant in w.tenants:
        admin = next(c for c in w.callers if c.kind == "tenant_admin" and c.tenant == tenant).claims
        variant = _call(conn, None, "SELECT tests.catalog_variant(%s, %s)", tenant, f"VM-PO-{tenant}")
        location = _call(conn, admin, "SELECT inventory.create_location('DOCK', 'Dock', p_tenant_id => %s)", tenant)
        distributor = _call(conn, admin, "SELECT store.create_distributor('VMD', 'VM Distribution', p_tenant_id => %s)",
                            tenant)
        _call(conn, admin, "SELECT store.set_distributor_item(%s, %s, 2.50, 'VMD-1', true, %s)", distributor, variant,
              tenant)
        order = _call(conn, admin, "SELECT id FROM store.create_purchase_order(%s, %s, %s, p_tenant_id => %s)",
                      distributor, location, Jsonb([{"variant_id": variant, "quantity": 4}]), tenant)
        _call(conn, admin, "SELECT id FROM store.submit_purchase_order(%s, p_tenant_id => %s)", order, tenant)
        _call(conn, admin, "SELECT receipt_id FROM store.receive_purchase_order(%s, %s, p_tenant_id => %s)", order,
              Jsonb([{"variant_id": variant, "quantity": 1}]), tenant)
        _call(conn, admin, "SELECT (inventory.set_stock_settings(%s, %s, p_reorder_point => 20, p_tenant_id => %s)).id",
              variant, location, tenant)
    conn.execute(f"SET LOCAL session_replication_role = {replication_role}")


def build_batches(conn: psycopg.Connection, w: World) -> None:
    """Each tenant's fulfilment batch (issue 18) with one order, created through the store's function by the tenant's
    admin (this superuser session counts as the back office, which names the tenant): rows of both tenants in
    store.fulfilment_batch and store.batch_order."""
    for tenant in w.tenants:
        admin = next(c for c in w.callers if c.kind == "tenant_admin" and c.tenant == tenant).claims
        variant = _call(conn, None, "SELECT tests.catalog_variant(%s, %s)", tenant, f"VM-BATCH-{tenant}")
        location = _call(conn, admin, "SELECT inventory.create_location('PACK', 'Packing', p_tenant_id => %s)", tenant)
        _call(conn, admin, "SELECT (inventory.receive(%s, %s, 5, p_tenant_id => %s)).id", variant, location, tenant)
        order = _call(conn, None, "SELECT tests.reserved_order(%s, %s)", tenant,
                      Jsonb([{"variant_id": variant, "quantity": 1, "location_id": location}]))
        _call(conn, admin, "SELECT (store.create_batch(%s, %s, p_tenant_id => %s)).id", location, Jsonb([order]), tenant)
