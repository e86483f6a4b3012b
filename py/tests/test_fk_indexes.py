"""Foreign keys and their indexes (issue 16, docs/operations.md "Foreign keys and their indexes").

Generated from the catalog: every foreign key of a Mercato schema whose referencing columns are not the leading columns
of a non-partial index is either indexed by a change or listed in UNINDEXED below with the reason it needs no index.
This dict is the one place the exceptions and their reasons are written down; the docs point here.

A foreign key deserves an index when the database looks rows up through it: a function, an RLS policy, an api view or
a check() joins or filters on the referencing columns, or rows of the referenced table are deleted (or re-keyed), so
that the foreign key check scans the referencing table once per deleted row. Partial indexes do not count: the foreign
key check (and most joins) need every row, so a foreign key covered only by a partial index is listed with the reason
the partial index is enough.
"""
from __future__ import annotations

import psycopg

#: Foreign keys (constraint, as "<schema>.<table>.<constraint>") deliberately left without an index of their own.
#: No function deletes or re-keys a row of any referenced table below (Mercato changes a status instead of deleting;
#: the ledger's and the contracts' tables refuse DELETE by trigger), so the foreign key check never scans them.
UNINDEXED = {
    "identity.tenant.tenant_currency_fkey":
        "currencies are masterdata, never deleted or re-keyed; tenants are read by id, never by currency",
    # catalog: the currency is the tenant's (identity.tenant_id_currency_key); tenants are never deleted and their
    # currency never changes once set, so the foreign key check never scans variants; reads go by tenant and SKU.
    "catalog.variant.variant_currency_fkey":
        "tenants are never deleted and a set currency never changes; variants are read by tenant (variant_tenant_id_sku_key)",
    # store (docs/store.md): the reference data of the TCG attributes is changed by migrations only, never deleted or
    # re-keyed, so no foreign key check ever scans a card variant for it; reads go by variant, product or certificate.
    "store.condition.condition_tcgplayer_condition_fkey":
        "six conditions mapped to five TCGplayer conditions: seed data, never deleted; read by the condition's code",
    "store.game_printing.game_printing_printing_fkey":
        "a dozen (game, printing) pairs of seed data, never deleted; read by game (the primary key leads with it)",
    "store.card.card_game_fkey": "games are seed data, never deleted; cards are read by product (their key) or tenant",
    "store.card_variant.card_variant_variant_id_fkey":
        "(variant_id, tenant_id): variant_id is the primary key (card_variant_pkey); tenant_id only repeats the variant's tenant",
    "store.card_variant.card_variant_condition_fkey":
        "conditions are seed data, never deleted; ungraded units are found by product (card_variant_product_id_condition_printing_language_key)",
    "store.card_variant.card_variant_printing_fkey":
        "(game, printing) pairs are seed data, never deleted; variants are read by variant, product or certificate",
    "store.card_variant.card_variant_grading_company_fkey":
        "grading companies are seed data, never deleted; slabs are found by (tenant_id, grading_company, cert_number), "
        "whose key leads with the tenant",
    "store.card_variant.card_variant_grade_fkey":
        "grades of a scale are seed data, never deleted; nothing looks slabs up by grade",
    # store purchasing (docs/store.md, "Purchasing"): the currency is the tenant's, authors are written, never queried by
    "store.purchase_order.purchase_order_currency_fkey":
        "tenants are never deleted and a set currency never changes; orders are read by tenant and number, distributor or location",
    "store.purchase_order.purchase_order_created_by_fkey": "who created the order: written, never queried by; users are never deleted",
    "store.purchase_receipt.purchase_receipt_actor_user_id_fkey":
        "who received: written, never queried by; users are never deleted",
    # outbox: tenants are never deleted; reads by tenant use the partial message_tenant_id_idx (non-NULL tenants only).
    "outbox.message.message_tenant_id_fkey":
        "tenants are never deleted; message_tenant_id_idx (WHERE tenant_id IS NOT NULL) serves every read by tenant",
    # identity: small administrative tables, read by the referenced side's primary key.
    "identity.role_permission.role_permission_permission_id_fkey":
        "seed-sized (roles x permissions); always read by role_id (the primary key leads with it), joined to permission by its id",
    "identity.token.token_user_id_fkey": "users are never deleted; a token is found by its hash, a user's by its session",
    "identity.token.token_login_identifier_id_fkey":
        "login identifiers are never deleted; every read by login uses token_login_identifier_id_idx (WHERE "
        "login_identifier_id IS NOT NULL): REFRESH tokens, the bulk, have none and stay out of it",
    "identity.token.token_session_id_fkey":
        "sessions are never deleted; a refresh token is found by its hash (token_token_hash_key) and a family ends by its "
        "session's status, so nothing looks tokens up by session",
    "identity.role_assignment.role_assignment_granted_by_fkey": "who granted it: written once, never queried by",
    "identity.role_assignment.role_assignment_role_id_fkey":
        "roles are never deleted (retired); read by user (role_assignment_active_key), and a role's active assignments "
        "(retire_role, list_roles) through the partial role_assignment_role_id_idx (WHERE revoked_at IS NULL)",
    "identity.role_assignment.role_assignment_tenant_id_fkey": "tenants are never deleted; read by user, then tenant compared",
    "identity.role_assignment.role_assignment_user_id_fkey":
        "served by role_assignment_active_key (user_id, …) WHERE revoked_at IS NULL, the only rows read by user; users are never deleted",
    "identity.organization.organization_kind_fkey": "lookup of two kinds (BUSINESS, PROVIDER), never deleted",
    "identity.membership.membership_added_by_fkey": "who added the member: written, never queried by",
    "identity.membership.membership_organization_id_fkey":
        "(organization_id, tenant_key): organization_id leads membership_organization_id_user_id_key, which serves every read by organization; tenant_key only repeats the organization's tenant",
    "identity.membership.membership_user_id_fkey":
        "(user_id, tenant_key): membership_user_id_idx (user_id) serves every read by user (my_organization_ids()); tenant_key only repeats the user's tenant",
    # masterdata: reference data and its authors.
    "masterdata.setting.setting_updated_by_fkey": "who last changed a setting: written, never queried by",
    "masterdata.policy_version.policy_version_created_by_fkey": "who created a policy version: written, never queried by",
    "masterdata.provider_tier_rule.provider_tier_rule_tier_code_fkey":
        "a few rules per policy version, read by policy_version_id (its key) and joined to the tier by code; tiers never deleted",
    "masterdata.business_tier_rule.business_tier_rule_tier_code_fkey":
        "a few rules per policy version, read by policy_version_id (its key) and joined to the tier by code; tiers never deleted",
    "masterdata.commission_rule.commission_rule_currency_fkey": "currencies are a tiny lookup, never deleted; rules read by policy_version_id",
    "masterdata.commission_rule.commission_rule_tier_code_fkey": "tiers are a tiny lookup, never deleted; rules read by policy_version_id",
    # payments (issue 19): currencies are a tiny lookup, never deleted; these rows are read by id, owner or key
    "payments.rail.rail_currency_fkey": "currencies are a tiny lookup, never deleted; three rails read by code",
    "payments.funding_session.funding_session_intent_share_id_fkey":
        "intent shares are never deleted; a session is found by id (functions/payments/intent_funding)",
    "payments.invoice_payment.invoice_payment_intent_id_fkey":
        "intents are never deleted; invoice payments are read per invoice (functions/payments/invoice_intents)",
    "credit.vendor.vendor_currency_fkey": "currencies are a tiny lookup, never deleted; vendors read by organization",
    "credit.credit_line.credit_line_currency_fkey": "currencies are a tiny lookup, never deleted; lines read by id, pair or retailer",
    "payments.wallet.wallet_currency_fkey": "currencies are a tiny lookup, never deleted; wallets read by account or owner",
    "payments.fee_rule.fee_rule_currency_fkey": "currencies are a tiny lookup, never deleted; rules read by their version key",
    "payments.fee_charge.fee_charge_currency_fkey":
        "currencies are a tiny lookup, never deleted; charges read by reference, organization or time",
    # ledger
    "ledger.account.account_currency_fkey": "currencies are a tiny lookup, never deleted; accounts read by id or owner",
    "ledger.transaction.transaction_reversed_by_fkey":
        "read only from the reversed transaction's own row (reversals, check()); the reverse link is reversal_of (transaction_reversal_of_key); transactions are never deleted",
    "ledger.hold.hold_transaction_id_fkey":
        "set by capture_hold/release_hold, a hot-path update that must stay HOT (an index on it writes an entry on every "
        "resolution; the ledger pgTAP test fails); only settlement.check(), a full scan, joins through it; transactions never deleted",
    "ledger.transaction.transaction_reversal_of_fkey":
        "served by transaction_reversal_of_key WHERE reversal_of IS NOT NULL, which holds every row the key can match; transactions are never deleted",
    # parties
    "parties.business.business_tier_code_fkey": "tiers are a tiny lookup, never deleted; tier recalculation scans every business anyway",
    "parties.business.business_wallet_account_id_fkey":
        "read from the business row (its id or organization); accounts are found by owner (ledger.my_account_ids) and never deleted",
    "parties.provider.provider_tier_code_fkey": "tiers are a tiny lookup, never deleted; tier recalculation scans every provider anyway",
    "parties.provider.provider_wallet_account_id_fkey":
        "read from the provider row (its id or organization); accounts are found by owner (ledger.my_account_ids) and never deleted",
    "parties.tier_change.tier_change_policy_version_id_fkey": "append-only history, never queried by policy version; versions never deleted",
    # marketplace
    "marketplace.rfq.rfq_currency_fkey": "currencies are a tiny lookup, never deleted",
    "marketplace.award.award_bid_id_fkey":
        "sealed table; awards are read by rfq, line or provider, and joined to their bid by the bid's id; bids are never deleted (only a bid's lines are replaced)",
    # contracts
    "contracts.contract.contract_business_wallet_account_id_fkey": "read from the contract row; accounts never deleted",
    "contracts.contract.contract_commission_policy_version_id_fkey": "a snapshot of the policy in force; never queried by; versions never deleted",
    "contracts.contract.contract_currency_fkey": "currencies are a tiny lookup, never deleted",
    "contracts.party_business.party_business_business_id_fkey":
        "one row per contract, read by contract_id (its primary key) through the contract, whose business_id is indexed (contract_business_id_idx); businesses never deleted",
    "contracts.party_provider.party_provider_wallet_account_id_fkey": "read from the snapshot row (settlement); accounts never deleted",
    "contracts.contract_line.contract_line_hold_id_fkey":
        "sealed table; a line reaches its hold by the hold's id (escrow, settlement, check()), nothing looks a line up by hold, and holds are never deleted (hold_no_delete); "
        "it changes at every activation, settlement and release, which an index would take off the heap-only path",
    "contracts.contract_line.contract_line_party_fkey":
        "(contract_id, provider_id): served by contract_line_contract_id_idx and contract_line_provider_id_idx; snapshots never deleted",
    "contracts.assignment.assignment_vehicle_id_fkey":
        "served for live assignments by assignment_vehicle_no_overlap_excl (gist, WHERE live), the only ones read by vehicle; vehicles never deleted",
    # delivery
    "delivery.session.session_vehicle_id_fkey": "copied from the assignment for the handover record; never queried by; vehicles never deleted",
    "delivery.session.session_assignment_id_fkey":
        "served for live sessions by session_assignment_live_key (assignment_id, session_type) WHERE live, the only ones looked up by assignment; assignments never deleted",
    "delivery.otp.otp_session_id_fkey":
        "served by otp_session_active_key WHERE status = 'ACTIVE', the only codes read by session; sessions never deleted",
    "delivery.otp_attempt.otp_attempt_otp_id_fkey": "append-only attempt log, read by session (otp_attempt_session_id_idx), never by code; codes never deleted",
    # settlement
    "settlement.cycle.cycle_currency_fkey": "currencies are a tiny lookup, never deleted",
    "settlement.cycle_line.cycle_line_ledger_transaction_id_fkey":
        "only check(), a full scan, joins it to the hold; nothing looks a line up by transaction, and transactions are never deleted",
    # orders (docs/orders.md): tenants, currencies, sources, payment methods, customers, orders, payments and users are
    # never deleted or re-keyed, so no foreign key check ever scans the referencing table; reads go by the keys below
    "orders.customer.customer_user_id_fkey":
        "read by (tenant_id, user_id) through customer_tenant_id_user_id_key and customer_user_id_idx (WHERE user_id IS NOT NULL); users never deleted",
    "orders.sales_order.sales_order_currency_fkey": "the tenant's own currency (tenant_id_currency_key); tenants never deleted, their currency fixed",
    "orders.sales_order.sales_order_customer_id_fkey":
        "served by sales_order_customer_id_idx (customer_id, tenant_id) WHERE customer_id IS NOT NULL, which holds every row the key can match; customers never deleted",
    "orders.sales_order.sales_order_source_fkey": "sources are a tiny lookup, never deleted; orders read by tenant and number or external id",
    "orders.line.line_order_id_fkey":
        "a line is read by its order through line_order_id_line_no_key (order_id, line_no), tenant compared after; orders never deleted",
    "orders.line.line_tenant_id_fkey": "tenants are never deleted; lines read by order",
    "orders.payment.payment_currency_fkey": "currencies are a tiny lookup, never deleted",
    "orders.payment.payment_method_fkey": "payment methods are a tiny lookup, never deleted",
    "orders.payment.payment_refund_of_fkey":
        "served by payment_refund_of_idx (refund_of, tenant_id) WHERE refund_of IS NOT NULL, which holds every row the key can match; payments never deleted",
    "orders.payment.payment_tenant_id_fkey": "tenants are never deleted; payments read by order (payment_order_id_idx)",
    "orders.refund_line.refund_line_payment_id_fkey":
        "read by refund through refund_line_pkey (payment_id, line_id), tenant compared after; payments are append-only",
    "orders.refund_line.refund_line_tenant_id_fkey": "tenants are never deleted; refund lines read by payment or line",
    # payments (docs/payments.md): currencies and invoices are never deleted
    "payments.invoice_item.invoice_item_invoice_id_minor_units_fkey":
        "items are read by invoice through invoice_item_invoice_id_position_key (invoice_id, position), minor_units compared after; invoices never deleted",
    # fulfilment batches (docs/store.md): batches and users are never deleted
    "store.fulfilment_batch.fulfilment_batch_assigned_to_fkey":
        "served by fulfilment_batch_assigned_to_idx WHERE assigned_to IS NOT NULL, which holds every row the key can match; users never deleted",
    "store.batch_order.batch_order_batch_id_fkey":
        "a batch's orders are read by batch through batch_order_pkey (batch_id, order_id), tenant compared after; batches never deleted",
    "store.batch_order.batch_order_tenant_id_fkey": "tenants are never deleted; batch orders read by batch or order",
    # payments (issue 19): currencies are masterdata, never deleted or re-keyed
    # payments escrow and installments (issue 19): currencies are masterdata, never deleted or re-keyed
    "payments.shop.shop_currency_fkey": "currencies are a tiny lookup, never deleted; shops read by id, merchant or tenant",
    "payments.goods_escrow.goods_escrow_currency_fkey": "currencies are a tiny lookup, never deleted; escrows read by id or order",
    "payments.installment_plan.installment_plan_currency_fkey":
        "currencies are a tiny lookup, never deleted; plans read by id or order",
    "payments.installment.installment_plan_id_fkey":
        "read by plan through installment_plan_id_seq_key (plan_id, seq), tenant compared after; plans never deleted",
    "payments.installment.installment_payment_id_fkey":
        "served by installment_payment_id_idx (payment_id, tenant_id) WHERE payment_id IS NOT NULL, which holds every row the key can match; payments never deleted",
}

#: Foreign keys whose referencing columns are not the leading columns of a non-partial index (in any order).
UNINDEXED_FKS = """
SELECT n.nspname || '.' || r.relname || '.' || c.conname
  FROM pg_constraint c
  JOIN pg_class r ON r.oid = c.conrelid
  JOIN pg_namespace n ON n.oid = r.relnamespace
 WHERE c.contype = 'f' AND c.conparentid = 0
   AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'public', 'sqitch') AND n.nspname NOT LIKE 'pg\\_%'
   AND NOT EXISTS (SELECT 1 FROM pg_index i
                    WHERE i.indrelid = c.conrelid AND i.indpred IS NULL
                      AND (i.indkey::int2[])[0:cardinality(c.conkey) - 1] @> c.conkey
                      AND (i.indkey::int2[])[0:cardinality(c.conkey) - 1] <@ c.conkey)
"""


def test_every_unindexed_foreign_key_is_documented(db_url: str) -> None:
    """A new foreign key without an index fails here until it gets one or an entry in UNINDEXED with its reason;
    an entry whose foreign key got an index (or left the catalog) must be dropped."""
    with psycopg.connect(db_url) as conn:
        unindexed = {r[0] for r in conn.execute(UNINDEXED_FKS).fetchall()}
    assert unindexed - UNINDEXED.keys() == set(), "unindexed foreign key: index it or say why not in UNINDEXED"
    assert UNINDEXED.keys() - unindexed == set(), "listed in UNINDEXED but indexed or gone: drop it there"


def test_every_reason_is_written() -> None:
    assert all(len(reason) > 20 for reason in UNINDEXED.values())
