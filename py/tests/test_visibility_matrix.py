"""Who sees which rows, for every relation an API role could read, generated from the catalog (issue 14).

The relations are not listed by hand: every table with row-level security in a Mercato schema and every view of the
``api`` schema is read from pg_class. For each relation and each caller — anonymous, each business and provider user
of two tenants, each tenant admin, the platform admin, the back office — the test selects the rows' keys as that caller
exactly as PostgREST would (the NOINHERIT authenticator, a READ ONLY transaction, ``SET LOCAL ROLE``, the JWT claims
set with ``set_config(…, true)``; the api views also through the PostgREST emulator's ``GET /<view>``) and compares
them with ORACLE, the rule the docs promise, applied to each row's ownership facts read by the superuser.

It fails when
* a relation of the catalog has no ORACLE entry (a new table or view forces a decision here);
* a relation has no rows of both tenants in the fixture (a rule tested on nothing proves nothing);
* any caller sees a row it should not, or misses a row it should. A role without SELECT on the relation (permission
  denied) counts as seeing nothing, which is accepted only where ORACLE expects nothing.

The world (two tenants, RFQs in every state, a split award escrowed into a contract, deliveries, a settled period) is
built once per module by visibility_fixtures.build_world.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import psycopg
import pytest
from psycopg import sql
from psycopg.conninfo import make_conninfo
from psycopg.rows import dict_row
from pytest_postgresql.janitor import DatabaseJanitor

from mercato.harness.postgrest import PostgREST
from visibility_fixtures import Caller, World, build_world
from jwt_helper import rest_as_authenticator, sign

Row = dict[str, Any]
Rule = Callable[[Caller, Row], bool]


@dataclass(frozen=True)
class Rel:
    """The oracle of one relation."""

    facts: str                  # superuser query: one row per row of the relation, its key columns, `tenant`, and the facts
    key: tuple[str, ...]        # the columns that identify a row, selected as each caller
    user: Rule                  # the rows a mercato_user caller sees; anonymous callers see nothing anywhere
    service: bool | Callable[[Row], bool] = True   # the back office sees every row (False: none; a rule: those rows)
    columns: dict[str, Callable[[Caller, Row], Any]] = field(default_factory=dict)   # expected values on seen rows


def _is(mine: Any, theirs: Any) -> bool:
    return mine is not None and mine == theirs


# -- the rules, one per kind of row ------------------------------------------------------------------------------------
def never(c: Caller, r: Row) -> bool:
    return False


def own_user(c: Caller, r: Row) -> bool:            # a user's own account and role assignments
    return _is(c.user_id, r["user_id"])


def own_tenant(c: Caller, r: Row) -> bool:          # the tenant the user belongs to
    return _is(c.tenant, r["id"])


def same_tenant(c: Caller, r: Row) -> bool:        # a row of the user's own tenant (the shared modules of issue 18)
    return _is(c.tenant, r["tenant"])


def member_of(c: Caller, r: Row) -> bool:           # an organization the user is an active member of
    return c.user_id is not None and c.user_id in r["members"]


def co_member(c: Caller, r: Row) -> bool:           # the active memberships of the user's organizations
    return r["status"] == "ACTIVE" and member_of(c, r)


def business_party(c: Caller, r: Row) -> bool:      # the business itself; every business for a marketplace admin
    return _is(c.business_id, r["business_id"]) or c.admin


def own_business(c: Caller, r: Row) -> bool:        # the business's own rows only (its RFQ quota)
    return _is(c.business_id, r["business_id"])


def provider_party(c: Caller, r: Row) -> bool:      # the provider's own rows; every provider's for a marketplace admin
    return _is(c.provider_id, r["provider_id"]) or c.admin


def tier_party(c: Caller, r: Row) -> bool:          # the party's own tier history; all for a marketplace admin
    own = c.business_id if r["party_type"] == "BUSINESS" else c.provider_id
    return _is(own, r["party_id"]) or c.admin


def ledger_owner(c: Caller, r: Row) -> bool:        # rows of (or touching) the caller's own wallet
    return bool(c.owner_keys & set(r["owners"]))


def rfq_visible(c: Caller, r: Row) -> bool:
    """The business's own RFQs in every state; for a provider the PUBLISHED RFQs of its own tenant and those it bid on
    (whatever became of them). Never a DRAFT of anyone else, never another tenant's RFQ."""
    return (_is(c.business_id, r["business_id"])
            or (c.provider_id is not None and r["status"] == "PUBLISHED" and _is(c.tenant, r["tenant"]))
            or (c.provider_id is not None and c.provider_id in r["bidders"]))


def own_bid(c: Caller, r: Row) -> bool:             # a provider's own bids only: not the business, not an admin
    return _is(c.provider_id, r["provider_id"])


def rfq_party(c: Caller, r: Row) -> bool:           # the RFQ's business, or the provider concerned (awards)
    return _is(c.business_id, r["business_id"]) or _is(c.provider_id, r["provider_id"])


def contract_header(c: Caller, r: Row) -> bool:     # contracts the caller is party to; all headers for an admin
    return _is(c.business_id, r["business_id"]) or (c.provider_id is not None and c.provider_id in r["providers"]) or c.admin


def provider_snapshot(c: Caller, r: Row) -> bool:   # the business sees every provider of its contract, a provider itself
    return _is(c.business_id, r["business_id"]) or _is(c.provider_id, r["provider_id"]) or c.admin


def contract_party(c: Caller, r: Row) -> bool:      # the contract's business; the provider for its own lines only
    return _is(c.business_id, r["business_id"]) or _is(c.provider_id, r["provider_id"])


def contract_party_row(c: Caller, r: Row) -> bool:  # api.contract_parties: the business row as the header, providers as snapshots
    return contract_header(c, r) if r["party_type"] == "BUSINESS" else provider_snapshot(c, r)


def same_tenant(c: Caller, r: Row) -> bool:         # rows of the user's tenant (the store's cards)
    return _is(c.tenant, r["tenant"])


def orders_party(c: Caller, r: Row) -> bool:         # a shop's staff (orders.manage) its tenant's, a customer its own
    return _is(c.tenant, r["tenant"]) and (c.kind == "tenant_admin" or _is(c.user_id, r["customer_user"]))


def own_settlement(c: Caller, r: Row) -> bool:      # a provider's own cycles: not the business, not an admin
    return _is(c.provider_id, r["provider_id"])


def total_amount(c: Caller, r: Row) -> Any:         # issue 14 item 4: a provider never learns the header total
    return None if c.provider_id is not None else r["total_amount"]


# -- ownership facts -----------------------------------------------------------------------------------------------------
BUSINESS_TENANT = "(SELECT tenant_id FROM parties.business WHERE id = {})"
PROVIDER_TENANT = "(SELECT tenant_id FROM parties.provider WHERE id = {})"
PARTY_TENANT = ("CASE party_type WHEN 'BUSINESS' THEN " + BUSINESS_TENANT.format("party_id") + " ELSE "
                + PROVIDER_TENANT.format("party_id") + " END")
MEMBERS = "ARRAY(SELECT mm.user_id FROM identity.membership mm WHERE mm.organization_id = {} AND mm.status = 'ACTIVE')"
OWNER = "a.owner_type::text || ':' || a.owner_id::text"
OWNER_TENANT = ("CASE a.owner_type::text WHEN 'BUSINESS' THEN " + BUSINESS_TENANT.format("a.owner_id::text::bigint")
                + " WHEN 'PROVIDER' THEN " + PROVIDER_TENANT.format("a.owner_id::text::bigint") + " END")
RFQ = (f"r.business_id, r.status, {BUSINESS_TENANT.format('r.business_id')} AS tenant, "
       "ARRAY(SELECT bd.provider_id FROM marketplace.bid bd WHERE bd.rfq_id = r.id) AS bidders")
CONTRACT = (f"k.business_id, {BUSINESS_TENANT.format('k.business_id')} AS tenant, "
            "ARRAY(SELECT pp.provider_id FROM contracts.party_provider pp WHERE pp.contract_id = k.id) AS providers")

# Sealed tables (core.secret kind SEALED): no API role holds any privilege on them, so neither a query nor its EXPLAIN
# walks another party's rows; each party reads its own rows only through the api view named here (a SECURITY DEFINER
# function behind it picks the caller's rows first).
SEALED = {"marketplace.bid": "api.bids", "marketplace.bid_line": "api.bids", "marketplace.award": "api.awards",
          "contracts.contract_line": "api.contract_lines"}

#: the user linked to an order's customer (orders.customer.user_id), for the orders module's rule
ORDER_CUSTOMER = "(SELECT c.user_id FROM orders.customer c WHERE c.id = o.customer_id)"

ORACLE: dict[str, Rel] = {
    # identity: a user its own account, role assignments and tenant; parties their own rows; admins every party
    "identity.tenant": Rel("SELECT id, id AS tenant FROM identity.tenant", ("id",), own_tenant),
    "identity.user_account": Rel("SELECT id, id AS user_id, tenant_id AS tenant FROM identity.user_account", ("id",), own_user),
    "identity.role_assignment": Rel(
        "SELECT ra.id, ra.user_id, coalesce(ra.tenant_id, u.tenant_id) AS tenant FROM identity.role_assignment ra "
        "JOIN identity.user_account u ON u.id = ra.user_id", ("id",), own_user),
    # organizations: their members see them and their active co-members; the catalogue of kinds no API role reads
    "identity.organization_kind": Rel("SELECT code, NULL::bigint AS tenant FROM identity.organization_kind", ("code",), never,
                                      service=False),
    # credentials (docs/auth.md): row-level security on, no policy, no API role privilege: nobody sees a row
    "identity.login_identifier": Rel("SELECT li.id, u.tenant_id AS tenant FROM identity.login_identifier li "
                                     "JOIN identity.user_account u ON u.id = li.user_id", ("id",), never, service=False),
    "identity.password": Rel("SELECT p.user_id, u.tenant_id AS tenant FROM identity.password p "
                             "JOIN identity.user_account u ON u.id = p.user_id", ("user_id",), never, service=False),
    "identity.session": Rel("SELECT s.id, u.tenant_id AS tenant FROM identity.session s "
                            "JOIN identity.user_account u ON u.id = s.user_id", ("id",), never, service=False),
    "identity.token": Rel("SELECT k.id, u.tenant_id AS tenant FROM identity.token k "
                          "JOIN identity.user_account u ON u.id = k.user_id", ("id",), never, service=False),
    "identity.sign_in_throttle": Rel("SELECT tenant_key, login, nullif(tenant_key, 0) AS tenant FROM identity.sign_in_throttle",
                                     ("tenant_key", "login"), never, service=False),
    "payments.webhook_secret": Rel("SELECT s.id, o.tenant_id AS tenant FROM payments.webhook_secret s "
                                   "JOIN payments.webhook_endpoint e ON e.id = s.endpoint_id "
                                   "JOIN identity.organization o ON o.id = e.organization_id", ("id",), never,
                                   service=False),
    "identity.jwt_secret": Rel("SELECT id, NULL::bigint AS tenant FROM identity.jwt_secret", ("id",), never, service=False),
    # payments rails (docs/payments.md): the rails' secrets and the raw webhook calls; RLS on, no policy, no privilege
    "payments.rail_secret": Rel("SELECT id, NULL::bigint AS tenant FROM payments.rail_secret", ("id",), never, service=False),
    "payments.webhook_event": Rel("SELECT id, NULL::bigint AS tenant FROM payments.webhook_event", ("id",), never,
                                  service=False),
    # payment intents' client secrets (intents2): the HMAC key; RLS on, no policy, no privilege
    "payments.intent_secret_key": Rel("SELECT id, NULL::bigint AS tenant FROM payments.intent_secret_key", ("id",), never,
                                      service=False),
    # OAuth accounts (docs/auth.md): like the credentials, nobody reads a row; a user lists its own via api.my_oauth_accounts
    "identity.oauth_account": Rel("SELECT o.id, u.tenant_id AS tenant FROM identity.oauth_account o "
                                  "JOIN identity.user_account u ON u.id = o.user_id", ("id",), never, service=False),
    "identity.organization": Rel(f"SELECT o.id, o.tenant_id AS tenant, {MEMBERS.format('o.id')} AS members "
                                 "FROM identity.organization o", ("id",), member_of),
    "identity.membership": Rel(f"SELECT m.id, m.status, o.tenant_id AS tenant, {MEMBERS.format('m.organization_id')} AS members "
                               "FROM identity.membership m JOIN identity.organization o ON o.id = m.organization_id",
                               ("id",), co_member),
    "parties.business": Rel("SELECT id, id AS business_id, tenant_id AS tenant FROM parties.business", ("id",), business_party),
    "parties.provider": Rel("SELECT id, id AS provider_id, tenant_id AS tenant FROM parties.provider", ("id",), provider_party),
    "fleet.vehicle": Rel(f"SELECT id, provider_id, {PROVIDER_TENANT.format('provider_id')} AS tenant FROM fleet.vehicle",
                            ("id",), provider_party),
    "fleet.vehicle_insurance": Rel(
        f"SELECT i.id, v.provider_id, {PROVIDER_TENANT.format('v.provider_id')} AS tenant FROM fleet.vehicle_insurance i "
        "JOIN fleet.vehicle v ON v.id = i.vehicle_id", ("id",), provider_party),
    "parties.trust_score_event": Rel(
        f"SELECT id, provider_id, {PROVIDER_TENANT.format('provider_id')} AS tenant FROM parties.trust_score_event",
        ("id",), provider_party),
    "parties.tier_change": Rel(f"SELECT id, party_type, party_id, {PARTY_TENANT} AS tenant FROM parties.tier_change",
                                ("id",), tier_party),
    "parties.tier_candidate": Rel(f"SELECT party_type, party_id, {PARTY_TENANT} AS tenant FROM parties.tier_candidate",
                                   ("party_type", "party_id"), tier_party),
    # ledger: a party its own wallets and what touches them; the platform's accounts and slots the back office only
    "ledger.account": Rel(f"SELECT a.id, ARRAY[{OWNER}] AS owners, {OWNER_TENANT} AS tenant FROM ledger.account a",
                          ("id",), ledger_owner),
    "ledger.account_slot": Rel(f"SELECT s.account_id, s.slot, {OWNER_TENANT} AS tenant FROM ledger.account_slot s "
                               "JOIN ledger.account a ON a.id = s.account_id", ("account_id", "slot"), never),
    "ledger.entry": Rel(f"SELECT e.account_id, e.slot, e.seq, ARRAY[{OWNER}] AS owners, {OWNER_TENANT} AS tenant "
                        "FROM ledger.entry e JOIN ledger.account a ON a.id = e.account_id",
                        ("account_id", "slot", "seq"), ledger_owner),
    "ledger.hold": Rel(f"SELECT h.id, ARRAY[{OWNER}] AS owners, {OWNER_TENANT} AS tenant FROM ledger.hold h "
                       "JOIN ledger.account a ON a.id = h.account_id", ("id",), ledger_owner),
    "ledger.transaction": Rel(
        f"SELECT t.id, ARRAY(SELECT {OWNER} FROM ledger.entry e JOIN ledger.account a ON a.id = e.account_id "
        f"WHERE e.transaction_id = t.id) AS owners, (SELECT max({OWNER_TENANT}) FROM ledger.entry e "
        "JOIN ledger.account a ON a.id = e.account_id WHERE e.transaction_id = t.id) AS tenant FROM ledger.transaction t",
        ("id",), ledger_owner),
    # marketplace: RFQs and lines by rfq_visible; bids and awards sealed (their api views below)
    "marketplace.rfq": Rel(f"SELECT r.id, {RFQ} FROM marketplace.rfq r", ("id",), rfq_visible),
    "marketplace.rfq_line": Rel(f"SELECT l.id, {RFQ} FROM marketplace.rfq_line l JOIN marketplace.rfq r ON r.id = l.rfq_id",
                                ("id",), rfq_visible),
    "marketplace.bid": Rel(f"SELECT id, provider_id, {PROVIDER_TENANT.format('provider_id')} AS tenant FROM marketplace.bid",
                           ("id",), never, service=False),
    "marketplace.bid_line": Rel(
        f"SELECT l.bid_id, l.rfq_line_id, b.provider_id, {PROVIDER_TENANT.format('b.provider_id')} AS tenant "
        "FROM marketplace.bid_line l JOIN marketplace.bid b ON b.id = l.bid_id", ("bid_id", "rfq_line_id"), never, service=False),
    "marketplace.award": Rel(
        f"SELECT a.id, r.business_id, a.provider_id, {BUSINESS_TENANT.format('r.business_id')} AS tenant "
        "FROM marketplace.award a JOIN marketplace.rfq r ON r.id = a.rfq_id", ("id",), never, service=False),
    "marketplace.rfq_quota": Rel(
        f"SELECT business_id, month, {BUSINESS_TENANT.format('business_id')} AS tenant FROM marketplace.rfq_quota",
        ("business_id", "month"), own_business),
    # contracts: headers and parties for the parties and admins; lines sealed; assignments for the business and the
    # provider of the line
    "contracts.contract": Rel(f"SELECT k.id, k.total_amount, {CONTRACT} FROM contracts.contract k", ("id",), contract_header),
    "contracts.party_business": Rel(f"SELECT pb.contract_id, {CONTRACT} FROM contracts.party_business pb "
                                    "JOIN contracts.contract k ON k.id = pb.contract_id", ("contract_id",), contract_header),
    "contracts.party_provider": Rel(f"SELECT pp.contract_id, pp.provider_id, {CONTRACT} FROM contracts.party_provider pp "
                                    "JOIN contracts.contract k ON k.id = pp.contract_id", ("contract_id", "provider_id"),
                                    provider_snapshot),
    "contracts.contract_line": Rel(f"SELECT l.id, l.provider_id, {CONTRACT} FROM contracts.contract_line l "
                                   "JOIN contracts.contract k ON k.id = l.contract_id", ("id",), never, service=False),
    "contracts.assignment": Rel(f"SELECT s.id, s.provider_id, {CONTRACT} FROM contracts.assignment s "
                                "JOIN contracts.contract k ON k.id = s.contract_id", ("id",), contract_party),
    # delivery: sessions and handovers for both parties; codes, attempts and keys for no API role at all
    "delivery.session": Rel(f"SELECT id, business_id, provider_id, {BUSINESS_TENANT.format('business_id')} AS tenant "
                            "FROM delivery.session", ("id",), contract_party),
    "delivery.handover": Rel(f"SELECT h.session_id, s.business_id, s.provider_id, {BUSINESS_TENANT.format('s.business_id')} "
                             "AS tenant FROM delivery.handover h JOIN delivery.session s ON s.id = h.session_id",
                             ("session_id",), contract_party),
    "delivery.otp": Rel(f"SELECT o.id, {BUSINESS_TENANT.format('s.business_id')} AS tenant FROM delivery.otp o "
                        "JOIN delivery.session s ON s.id = o.session_id", ("id",), never, service=False),
    "delivery.otp_attempt": Rel(f"SELECT o.id, {BUSINESS_TENANT.format('s.business_id')} AS tenant FROM delivery.otp_attempt o "
                                "JOIN delivery.session s ON s.id = o.session_id", ("id",), never, service=False),
    "delivery.otp_key": Rel("SELECT id, NULL::bigint AS tenant FROM delivery.otp_key", ("id",), never, service=False),
    # settlement: a provider's own cycles and lines; the back office all
    "settlement.cycle": Rel(f"SELECT id, provider_id, {PROVIDER_TENANT.format('provider_id')} AS tenant FROM settlement.cycle",
                            ("id",), own_settlement),
    "settlement.cycle_line": Rel(
        f"SELECT l.cycle_id, l.contract_line_id, c.provider_id, {PROVIDER_TENANT.format('c.provider_id')} AS tenant "
        "FROM settlement.cycle_line l JOIN settlement.cycle c ON c.id = l.cycle_id", ("cycle_id", "contract_line_id"),
        own_settlement),
    # catalog (issue 18, docs/catalog.md): a user its own tenant's products, variants and channel ids; the back office all
    "catalog.product": Rel("SELECT id, tenant_id AS tenant FROM catalog.product", ("id",), same_tenant),
    "catalog.variant": Rel("SELECT id, tenant_id AS tenant FROM catalog.variant", ("id",), same_tenant),
    "catalog.product_channel": Rel("SELECT id, tenant_id AS tenant FROM catalog.product_channel", ("id",), same_tenant),
    # inventory (docs/inventory.md): a tenant's users see its rows, a platform user (no tenant) none, the back office all
    "inventory.location": Rel("SELECT id, tenant_id AS tenant FROM inventory.location", ("id",), same_tenant),
    "inventory.stock": Rel("SELECT id, tenant_id AS tenant FROM inventory.stock", ("id",), same_tenant),
    "inventory.channel_buffer": Rel("SELECT stock_id, channel, tenant_id AS tenant FROM inventory.channel_buffer",
                                    ("stock_id", "channel"), same_tenant),
    "inventory.movement": Rel("SELECT id, tenant_id AS tenant FROM inventory.movement", ("id",), same_tenant),
    "inventory.reservation": Rel("SELECT id, tenant_id AS tenant FROM inventory.reservation", ("id",), same_tenant),
    "api.inventory_summary": Rel("SELECT DISTINCT variant_id, tenant_id AS tenant FROM inventory.stock", ("variant_id",),
                                 same_tenant),
    # orders (docs/orders.md): a shop's staff holding orders.manage see its tenant's customers, orders, lines and
    # payments; a customer-user only its own customer row and orders; tax rates every user of the tenant
    "orders.customer": Rel("SELECT id, tenant_id AS tenant, user_id AS customer_user FROM orders.customer", ("id",),
                           orders_party),
    "orders.tax_rate": Rel("SELECT tenant_id, tax_code, effective_from, tenant_id AS tenant FROM orders.tax_rate",
                           ("tenant_id", "tax_code", "effective_from"), same_tenant),
    "orders.sales_order": Rel(f"SELECT o.id, o.tenant_id AS tenant, {ORDER_CUSTOMER} AS customer_user "
                              "FROM orders.sales_order o", ("id",), orders_party),
    "orders.line": Rel(f"SELECT l.id, o.tenant_id AS tenant, {ORDER_CUSTOMER} AS customer_user FROM orders.line l "
                       "JOIN orders.sales_order o ON o.id = l.order_id", ("id",), orders_party),
    "orders.payment": Rel(f"SELECT p.id, o.tenant_id AS tenant, {ORDER_CUSTOMER} AS customer_user FROM orders.payment p "
                          "JOIN orders.sales_order o ON o.id = p.order_id", ("id",), orders_party),
    "orders.refund_line": Rel(f"SELECT r.payment_id, r.line_id, o.tenant_id AS tenant, {ORDER_CUSTOMER} AS customer_user "
                              "FROM orders.refund_line r JOIN orders.line l ON l.id = r.line_id "
                              "JOIN orders.sales_order o ON o.id = l.order_id", ("payment_id", "line_id"), orders_party),
    "orders.loyalty_rule": Rel("SELECT tenant_id, tenant_id AS tenant FROM orders.loyalty_rule",   # one rule per tenant
                               ("tenant_id",), same_tenant),
    # store (docs/store.md): every user of a tenant sees the tenant's cards and card variants, no other tenant's
    "store.card": Rel("SELECT product_id, tenant_id AS tenant FROM store.card", ("product_id",), same_tenant),
    "store.card_variant": Rel("SELECT variant_id, tenant_id AS tenant FROM store.card_variant", ("variant_id",), same_tenant),
    # store purchasing (docs/store.md, "Purchasing"): a tenant's users its distributors, orders and receipts
    "store.distributor": Rel("SELECT id, tenant_id AS tenant FROM store.distributor", ("id",), same_tenant),
    "store.distributor_item": Rel("SELECT id, tenant_id AS tenant FROM store.distributor_item", ("id",), same_tenant),
    "store.purchase_order": Rel("SELECT id, tenant_id AS tenant FROM store.purchase_order", ("id",), same_tenant),
    "store.purchase_order_line": Rel("SELECT id, tenant_id AS tenant FROM store.purchase_order_line", ("id",), same_tenant),
    "store.purchase_receipt": Rel("SELECT id, tenant_id AS tenant FROM store.purchase_receipt", ("id",), same_tenant),
    "store.purchase_receipt_line": Rel("SELECT id, tenant_id AS tenant FROM store.purchase_receipt_line", ("id",),
                                       same_tenant),
    "api.store_reorder_suggestions": Rel(
        "SELECT r.location_id, r.variant_id, r.tenant_id AS tenant FROM identity.tenant t "
        "CROSS JOIN LATERAL store.reorder_suggestion_rows(t.id, NULL) r", ("location_id", "variant_id"), same_tenant),
    # fulfilment batches (docs/store.md): every user of a tenant sees the tenant's batches and their orders
    "store.fulfilment_batch": Rel("SELECT id, tenant_id AS tenant FROM store.fulfilment_batch", ("id",), same_tenant),
    "store.batch_order": Rel("SELECT batch_id, order_id, tenant_id AS tenant FROM store.batch_order",
                             ("batch_id", "order_id"), same_tenant),
    # audit: the back office only, and never the events that say who bid on what (sealed bids)
    "audit.event": Rel("SELECT e.id, u.tenant_id AS tenant, e.module, e.entity_type, e.action FROM audit.event e "
                       "LEFT JOIN identity.user_account u ON u.id = e.actor_user_id", ("id",), never,
                       service=lambda r: not (r["module"] == "marketplace"
                                              and (r["entity_type"] == "bid" or r["action"] == "BID_WITHDRAWN"))),
}

# api views: each shows the rows of the table it reads with that table's rule (the view's key columns are the table's),
# except where a sealed table is served through its view
ORACLE.update({view: ORACLE[table] for view, table in {
    "api.orders": "orders.sales_order", "api.order_lines": "orders.line", "api.order_payments": "orders.payment",
    "api.tax_rates": "orders.tax_rate",
    "api.businesses": "parties.business", "api.providers": "parties.provider", "api.vehicles": "fleet.vehicle",
    "api.customers": "orders.customer", "api.loyalty_rules": "orders.loyalty_rule",
    "api.vehicle_insurances": "fleet.vehicle_insurance", "api.trust_score_events": "parties.trust_score_event",
    "api.tier_changes": "parties.tier_change",
    "api.accounts": "ledger.account", "api.entries": "ledger.entry", "api.transactions": "ledger.transaction",
    "api.holds": "ledger.hold",
    "api.rfqs": "marketplace.rfq", "api.rfq_lines": "marketplace.rfq_line",
    "api.assignments": "contracts.assignment",
    "api.delivery_sessions": "delivery.session", "api.handovers": "delivery.handover",
    "api.settlements": "settlement.cycle", "api.settlement_lines": "settlement.cycle_line",
    "api.inventory_locations": "inventory.location", "api.inventory_stock": "inventory.stock",
    "api.inventory_channel_buffers": "inventory.channel_buffer", "api.inventory_movements": "inventory.movement",
    "api.inventory_reservations": "inventory.reservation",
    "api.fulfilment_batches": "store.fulfilment_batch", "api.fulfilment_batch_orders": "store.batch_order",
    "api.store_distributors": "store.distributor", "api.store_distributor_items": "store.distributor_item",
    "api.store_purchase_orders": "store.purchase_order", "api.store_purchase_order_lines": "store.purchase_order_line",
    "api.store_purchase_receipts": "store.purchase_receipt",
    "api.store_purchase_receipt_lines": "store.purchase_receipt_line",
}.items()})
ORACLE.update({
    # the bidder its own bids, one row per priced line; nobody else, not the back office
    "api.bids": Rel(ORACLE["marketplace.bid_line"].facts, ("bid_id", "rfq_line_id"), own_bid, service=False),
    # the awards of a business's RFQs, a provider's own
    "api.awards": Rel(ORACLE["marketplace.award"].facts, ("id",), rfq_party),
    # headers for the parties and admins, total_amount never for a provider
    "api.contracts": Rel(ORACLE["contracts.contract"].facts, ("id",), contract_header, columns={"total_amount": total_amount}),
    # the business sees every line of its contracts, a provider its own lines, an admin none
    "api.contract_lines": Rel(ORACLE["contracts.contract_line"].facts, ("id",), contract_party),
    # the business row like the header; a provider sees the business and itself, never the other provider
    "api.contract_parties": Rel(
        f"SELECT pb.contract_id, 'BUSINESS' AS party_type, pb.business_id AS party_id, NULL::bigint AS provider_id, {CONTRACT} "
        "FROM contracts.party_business pb JOIN contracts.contract k ON k.id = pb.contract_id "
        f"UNION ALL SELECT pp.contract_id, 'PROVIDER', pp.provider_id, pp.provider_id, {CONTRACT} "
        "FROM contracts.party_provider pp JOIN contracts.contract k ON k.id = pp.contract_id",
        ("contract_id", "party_type", "party_id"), contract_party_row),
})

# Relations whose rows belong to no tenant by nature: the fixture must hold rows, not rows of both tenants.
PLATFORM_WIDE = {
    "ledger.account_slot": "only hot platform accounts (the commission account) have slots",
    "delivery.otp_key": "the HMAC keys of the one-time codes are platform-wide",
    "identity.organization_kind": "the kinds of organization are a platform-wide catalogue",
    "identity.jwt_secret": "the one key that signs every access JWT",
    "payments.rail_secret": "a rail's keys are the platform's",
    "payments.webhook_event": "a rail's calls come to the platform",
    "payments.intent_secret_key": "the one key of every payment intent's client secret",
}

CATALOG = """
SELECT format('%I.%I', n.nspname, c.relname)
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_%'
   AND ((c.relrowsecurity AND c.relkind IN ('r', 'p')) OR (n.nspname = 'api' AND c.relkind IN ('v', 'm')))
 ORDER BY 1"""


# -- the world, once per module ------------------------------------------------------------------------------------------
@dataclass
class Matrix:
    world: World
    url: str                         # superuser conninfo of the matrix's database
    catalog: list[str]
    facts: dict[str, list[Row]]
    app: psycopg.Connection          # the authenticator, as PostgREST connects
    rest: PostgREST


@pytest.fixture(scope="module")
def matrix(postgresql_noproc) -> Iterator[Matrix]:
    """A database of its own (from the deployed template), the world built in it, and the facts of every relation."""
    proc = postgresql_noproc
    janitor = DatabaseJanitor(user=proc.user, host=proc.host, port=proc.port, dbname=f"{proc.dbname}_visibility",
                              template_dbname=proc.template_dbname, maintenance_dbname=proc.maintenance_dbname,
                              password=proc.password)
    janitor.drop()
    with janitor:
        url = make_conninfo(host=proc.host, port=proc.port, user=proc.user, dbname=f"{proc.dbname}_visibility",
                            password=proc.password or None)
        world = build_world(url)
        with psycopg.connect(url, autocommit=True) as su:
            catalog = [r[0] for r in su.execute(CATALOG).fetchall()]
            facts = {}
            with su.cursor(row_factory=dict_row) as cur:
                for rel in catalog:
                    if rel in ORACLE:
                        facts[rel] = cur.execute(ORACLE[rel].facts).fetchall()
        app = psycopg.connect(make_conninfo(url, user="mercato_authenticator"), autocommit=True)
        rest = rest_as_authenticator(url)
        try:
            yield Matrix(world, url, catalog, facts, app, rest)
        finally:
            rest.close()
            app.close()


# -- reading as a caller ---------------------------------------------------------------------------------------------------
DENIED = None


def read_as(conn: psycopg.Connection, caller: Caller, relation: str, columns: tuple[str, ...]) -> list[tuple] | None:
    """The rows' columns as the caller sees them through SQL (None: permission denied)."""
    schema, name = relation.split(".")
    query = sql.SQL("SELECT {} FROM {}.{}").format(sql.SQL(", ").join(map(sql.Identifier, columns)),
                                                  sql.Identifier(schema), sql.Identifier(name))
    try:
        with conn.transaction():
            conn.execute("SET TRANSACTION ISOLATION LEVEL READ COMMITTED READ ONLY")
            conn.execute(sql.SQL("SET LOCAL ROLE {}").format(sql.Identifier(caller.role)))
            conn.execute("SELECT set_config('request.jwt.claims', %s, true)",
                         (json.dumps(caller.claims or {"role": caller.role}),))
            return conn.execute(query).fetchall()
    except psycopg.errors.InsufficientPrivilege:
        return DENIED


def get_as(rest: PostgREST, caller: Caller, relation: str, columns: tuple[str, ...]) -> list[tuple] | None:
    """The same through the PostgREST emulator's GET /<view> (None: 401/403)."""
    response = rest.get(relation.split(".", 1)[1], token=sign(caller.claims))
    if response.status in (401, 403):
        return DENIED
    assert response.status == 200, (relation, caller.name, response.status, response.body)
    return [tuple(row[c] for c in columns) for row in response.body]


def _normal(value: Any) -> Any:
    """Numbers compared by value, whether they came from SQL (Decimal) or from JSON (int, float)."""
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        return Decimal(str(value))
    return value


def _key(values: tuple) -> tuple:
    """A row's key, its dates as ISO text (JSON from the HTTP API carries them so; SQL as dates)."""
    return tuple(v.isoformat() if isinstance(v, dt.date) else v for v in values)


def check(relation: str, rel: Rel, rows: list[Row], caller: Caller, seen: list[tuple] | None, via: str) -> list[str]:
    """What is wrong with what the caller saw, one line each (empty: exactly the oracle's rows)."""
    if caller.kind == "anon":
        expected = []
    elif caller.kind == "service":
        expected = [r for r in rows if rel.service(r)] if callable(rel.service) else (rows if rel.service else [])
    else:
        expected = [r for r in rows if rel.user(caller, r)]
    by_key = {_key(tuple(r[k] for k in rel.key)): r for r in rows}
    want = {_key(tuple(r[k] for k in rel.key)) for r in expected}
    problems = []
    if seen is DENIED:
        if want:
            problems.append(f"{relation} {via} {caller.name}: permission denied, but should see {len(want)} rows "
                            f"{sorted(want)[:8]}")
        return problems
    got = {_key(row[:len(rel.key)]) for row in seen}
    if len(got) != len(seen):
        problems.append(f"{relation} {via} {caller.name}: duplicate keys in {len(seen)} rows")
    if extra := got - want:
        problems.append(f"{relation} {via} {caller.name}: sees {len(extra)} rows it should not: "
                        + "; ".join(_describe(by_key.get(k), k) for k in sorted(extra)[:8]))
    if missing := want - got:
        problems.append(f"{relation} {via} {caller.name}: misses {len(missing)} rows: "
                        + "; ".join(_describe(by_key.get(k), k) for k in sorted(missing)[:8]))
    for i, (column, expect) in enumerate(rel.columns.items(), start=len(rel.key)):
        for row in seen:
            fact = by_key.get(row[:len(rel.key)])
            if fact is not None and _normal(row[i]) != _normal(expect(caller, fact)):
                problems.append(f"{relation} {via} {caller.name}: {column} of {row[:len(rel.key)]} is {row[i]}, "
                                f"expected {expect(caller, fact)}")
    return problems


def _describe(fact: Row | None, key: tuple) -> str:
    if fact is None:
        return f"{key} (not in the facts)"
    return f"{key} " + json.dumps(fact, default=str)


# -- the tests -----------------------------------------------------------------------------------------------------------
def test_every_rls_table_and_api_view_has_an_oracle_entry(matrix: Matrix) -> None:
    """A new table with row-level security or a new api view must say here who sees its rows."""
    missing = [rel for rel in matrix.catalog if rel not in ORACLE]
    assert not missing, f"no visibility rule in ORACLE for {missing}: decide who sees their rows"
    assert any(r.startswith("api.") for r in matrix.catalog) and any(not r.startswith("api.") for r in matrix.catalog), \
        f"the catalog query found {matrix.catalog}"


def test_sealed_tables_agree_with_the_secret_declarations(matrix: Matrix) -> None:
    """The tables this oracle treats as sealed are the ones core.secret declares SEALED (when it exists)."""
    with psycopg.connect(matrix.url, autocommit=True) as su:
        if su.execute("SELECT to_regclass('core.secret')").fetchone()[0] is None:
            pytest.skip("core.secret is not deployed")
        declared = {r[0] for r in su.execute("SELECT format('%I.%I', table_schema, table_name) FROM core.secret "
                                             "WHERE kind = 'SEALED' AND column_name IS NULL").fetchall()}
    assert declared == set(SEALED), f"declared SEALED {sorted(declared)}, sealed here {sorted(SEALED)}"
    for table, view in SEALED.items():
        assert ORACLE[table].user is never and not ORACLE[table].service, table
        assert view in ORACLE and ORACLE[view].user is not never, view


@pytest.mark.parametrize("relation", sorted(ORACLE))
def test_each_caller_sees_exactly_its_rows(matrix: Matrix, relation: str, record_property) -> None:
    """Every caller, through SQL as PostgREST sets up the request (and api views also through GET /<view>), sees
    exactly the rows ORACLE gives it, on a fixture holding rows of both tenants."""
    if relation not in matrix.catalog:
        pytest.skip(f"{relation} is no longer in the catalog: remove its ORACLE entry")
    rel, rows = ORACLE[relation], matrix.facts[relation]
    tenants = {r["tenant"] for r in rows}
    if relation in PLATFORM_WIDE:
        assert rows, f"the fixture holds no row of {relation}"
    else:
        assert set(matrix.world.tenants) <= tenants, \
            f"the fixture holds rows of {relation} for tenants {sorted(tenants, key=str)}, not of both {matrix.world.tenants}"
    columns = rel.key + tuple(rel.columns)
    problems: list[str] = []
    denied: list[str] = []          # callers whose role holds no SELECT here: accepted where ORACLE expects nothing
    for caller in matrix.world.callers:
        seen = read_as(matrix.app, caller, relation, columns)
        denied += [caller.name] if seen is DENIED else []
        problems += check(relation, rel, rows, caller, seen, "SQL")
        if relation.startswith("api."):
            problems += check(relation, rel, rows, caller, get_as(matrix.rest, caller, relation, columns), "GET")
    record_property("permission_denied", ",".join(denied))
    assert not problems, "\n".join(problems) + f"\n(permission denied for: {', '.join(denied) or 'nobody'})"


#: Tables an API role may read WITHOUT row-level security: reference data that is the same for every caller. Anything
#: else an API role can select must have RLS on (and so an ORACLE entry above), or be sealed (no privilege at all).
REFERENCE_DATA = {
    "core.error": "the error catalogue (docs/errors.md)",
    "identity.role": "role names and descriptions (back office)",
    "identity.permission": "permission names (back office)",
    "identity.role_permission": "which role holds which permission (back office)",
    "masterdata.currency": "currencies and their minor units",
    "masterdata.lookup_type": "lookup types (vehicle types, …)",
    "masterdata.lookup": "lookup values",
    "masterdata.setting": "typed settings (back office only)",
    "masterdata.policy_version": "published policy versions (tiers, commission): the same terms for everyone",
    "masterdata.provider_tier": "provider tiers",
    "masterdata.business_tier": "business tiers",
    "masterdata.provider_tier_rule": "published provider tier rules",
    "masterdata.business_tier_rule": "published business tier rules",
    "masterdata.commission_rule": "published commission rules",
    "orders.source": "order sources (channels) every shop shares (docs/orders.md)",
    "orders.payment_method": "payment methods every shop shares (docs/orders.md)",
    "store.game": "trading card games (docs/store.md)",
    "store.tcgplayer_condition": "TCGplayer's conditions",
    "store.condition": "card conditions and the TCGplayer condition each lists as",
    "store.printing": "printings and finishes",
    "store.game_printing": "the printings of each game",
    "store.grading_company": "grading companies",
    "store.grading_scale": "grading scale versions (CGC's 2023 relabel)",
    "store.grading_grade": "the grades and labels of each scale",
}


def test_every_table_an_api_role_reads_without_rls_is_declared_reference_data(db_url: str) -> None:
    """Generated from the catalog: a table (outside api) that an API role can SELECT with row-level security off would
    show every tenant's rows to every caller. Each one must be declared here as reference data, with its reason."""
    with psycopg.connect(db_url) as conn:
        readable = {r[0] for r in conn.execute("""
            SELECT c.oid::regclass::text
              FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE c.relkind IN ('r', 'p', 'm', 'f') AND NOT c.relrowsecurity
               AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'public', 'sqitch', 'api')
               AND n.nspname NOT LIKE 'pg\\_%'
               AND EXISTS (SELECT 1 FROM unnest(ARRAY['mercato_anon', 'mercato_user', 'mercato_service']) r
                            WHERE has_any_column_privilege(r, c.oid, 'SELECT'))""").fetchall()}
    assert readable - REFERENCE_DATA.keys() == set(), "readable by an API role without row-level security"
    assert REFERENCE_DATA.keys() - readable == set(), "declared reference data no API role reads any more: drop it here"


def _exists_subqueries(qual: str) -> list[str]:
    """The text of every EXISTS (...) subquery in a deparsed policy expression, parentheses balanced."""
    out, start = [], 0
    while (i := qual.find("EXISTS (", start)) >= 0:
        depth, j = 0, i + len("EXISTS ")
        for j in range(i + len("EXISTS "), len(qual)):
            depth += {"(": 1, ")": -1}.get(qual[j], 0)
            if depth == 0:
                break
        out.append(qual[i:j + 1])
        start = j + 1
    return out


def test_every_policy_subquery_is_correlated_with_the_row_it_guards(db_url: str) -> None:
    """Generated from pg_policies: an EXISTS subquery in a policy must refer to the row being checked (PostgreSQL
    deparses that reference as <table>.<column>). An unqualified name binds to the subquery's own table first:
    `EXISTS (SELECT 1 FROM marketplace.bid b WHERE b.rfq_id = id)` read `b.rfq_id = b.id`, true for any RFQ with a bid
    whose id equals its RFQ's, and so showed every RFQ to every provider."""
    with psycopg.connect(db_url) as conn:
        policies = conn.execute("SELECT schemaname, tablename, policyname, qual FROM pg_policies "
                                "WHERE qual LIKE '%EXISTS%'").fetchall()
    assert policies, "no policy with a subquery: the check proves nothing"
    uncorrelated = [(f"{s}.{t}", p, sub) for s, t, p, qual in policies for sub in _exists_subqueries(qual)
                    if f"{t}." not in sub]
    assert not uncorrelated, uncorrelated
