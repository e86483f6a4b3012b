-- Deploy mercato:schemas/api/views to pg
-- Read-only views for PostgREST (GET /vehicles?status=eq.ACTIVE …). Every view is security_invoker: it runs with the
-- caller's privileges, so the row-level security policies of the tables below decide which rows each caller sees
-- (schemas/<module>/rls). Views only choose columns: secrets (alias keys, code hashes, request hashes, user ids) are
-- never selected. No view is writable by any API role; writes go through the api functions.

BEGIN;

-- identity ------------------------------------------------------------------------------------------------------
CREATE VIEW api.businesses WITH (security_invoker = true) AS
SELECT id, tenant_id, name, business_type, tin_number, kyb_status, tier_code, tier_since, wallet_account_id, created_at
  FROM parties.business;
COMMENT ON VIEW api.businesses IS
'Businesses: your own (a business user); every business (marketplace admin); all (back office).';

CREATE VIEW api.providers WITH (security_invoker = true) AS
SELECT id, tenant_id, provider_type, name, tin_number, verification_status, trust_score, tier_code, tier_since,
       wallet_account_id, created_at
  FROM parties.provider;
COMMENT ON VIEW api.providers IS
'Providers: your own (a provider user); every provider (marketplace admin); all (back office).';

CREATE VIEW api.vehicles WITH (security_invoker = true) AS
SELECT id, provider_id, plate_number, vehicle_type, engine_type, seat_count, brand, model, tags, status, images, created_at
  FROM fleet.vehicle;
COMMENT ON VIEW api.vehicles IS
'Vehicles: a provider''s own fleet; every vehicle for a marketplace admin and the back office.';

CREATE VIEW api.vehicle_insurances WITH (security_invoker = true) AS
SELECT id, vehicle_id, insurance_type, company_name, policy_number, insured_amount, coverage_start, coverage_end,
       certificate_url, status, created_at
  FROM fleet.vehicle_insurance;
COMMENT ON VIEW api.vehicle_insurances IS
'Insurance policies of the vehicles you may see (api.vehicles).';

CREATE VIEW api.trust_score_events WITH (security_invoker = true) AS
SELECT id, provider_id, reason, target, old_score, new_score, inputs, created_at, applied_at FROM parties.trust_score_event;
COMMENT ON VIEW api.trust_score_events IS
'Trust-score history: each outcome with the target it pulls the score towards and its inputs, and once folded in (by
the tier job) the score before and after: a provider''s own; all for admins and the back office.';

CREATE VIEW api.tier_changes WITH (security_invoker = true) AS
SELECT id, party_type, party_id, old_tier, new_tier, policy_version_id, inputs, created_at FROM parties.tier_change;
COMMENT ON VIEW api.tier_changes IS
'Tier history (promotions and demotions with their inputs): your own business''s or provider''s; all for admins and
the back office.';

-- ledger --------------------------------------------------------------------------------------------------------
CREATE VIEW api.accounts WITH (security_invoker = true) AS
SELECT a.id, a.owner_type::text AS owner_type, a.owner_id::text AS owner_id, a.purpose::text AS purpose,
       a.currency::text AS currency, a.status::text AS status,
       a.balance + CASE WHEN a.slots > 1 THEN ledger.slot_total(a.id) ELSE 0 END AS balance, a.held,
       a.balance + CASE WHEN a.slots > 1 THEN ledger.slot_total(a.id) ELSE 0 END - a.held AS available,
       a.allow_negative, a.overdraft_limit::numeric AS overdraft_limit, a.receive_only, a.created_at
  FROM ledger.account a;
COMMENT ON VIEW api.accounts IS
'Ledger accounts with balance (over all slots), held and available = balance - held: the wallets of your business or
provider; every account for the back office.';

CREATE VIEW api.entries WITH (security_invoker = true) AS
SELECT account_id, slot, seq, transaction_id, amount, balance_before, balance_after, posted_at FROM ledger.entry;
COMMENT ON VIEW api.entries IS
'Ledger entries (one leg of a transaction on one account, with the account slot''s balance before and after): those
of your accounts; all for the back office. Filter by account_id and posted_at (indexed).';

CREATE VIEW api.transactions WITH (security_invoker = true) AS
SELECT id, ledger.visible_transaction_reference(id) AS reference, kind, memo, metadata, reversal_of, reversed_by, posted_at
  FROM ledger.transaction;
COMMENT ON VIEW api.transactions IS
'Posted ledger transactions that touch one of your accounts; all for the back office.';

CREATE VIEW api.holds WITH (security_invoker = true) AS
SELECT id, ledger.visible_hold_reference(id) AS reference, account_id, amount, status, memo, expires_at, created_at, resolved_at, captured_amount,
       transaction_id
  FROM ledger.hold;
COMMENT ON VIEW api.holds IS
'Holds (escrow locks) on your accounts, open and resolved; all for the back office.';

-- marketplace ---------------------------------------------------------------------------------------------------
CREATE VIEW api.rfqs WITH (security_invoker = true) AS
SELECT id, business_id, title, description, currency, start_date, end_date, bid_deadline, status, published_at,
       awarded_at, created_at
  FROM marketplace.rfq;
COMMENT ON VIEW api.rfqs IS
'RFQs: a business''s own in every state; for a provider, the open RFQs of its tenant and those it bid on; all for the
back office. Never a bid count: see api.rfq.';

CREATE VIEW api.rfq_lines WITH (security_invoker = true) AS
SELECT id, rfq_id, line_no, vehicle_type, engine_type, quantity_required, with_driver, notes FROM marketplace.rfq_line;
COMMENT ON VIEW api.rfq_lines IS
'Line items of the RFQs you may see (api.rfqs).';

CREATE VIEW api.bids WITH (security_invoker = true) AS
SELECT bid_id, rfq_id, status, revision, submitted_at, rfq_line_id, unit_price, quantity_offered
  FROM marketplace.visible_bid_lines();
COMMENT ON VIEW api.bids IS
'Your own bids, one row per priced line (a provider). Sealed: nobody else — not the business, an admin or the back
office — sees a bid row; after the deadline the business sees ranked, anonymous bids through api.rfq_bids. Read through
marketplace.visible_bid_lines(), so not even EXPLAIN shows a competing bid.';

CREATE VIEW api.awards WITH (security_invoker = true) AS
SELECT id, rfq_id, rfq_line_id, provider_id, quantity_awarded, unit_price, awarded_at FROM marketplace.visible_awards();
COMMENT ON VIEW api.awards IS
'Awards: those of a business''s RFQs, and a provider''s own; all for the back office. Sealed read through
marketplace.visible_awards(): a provider never learns another provider''s awarded price.';

-- contracts -----------------------------------------------------------------------------------------------------
CREATE VIEW api.contracts WITH (security_invoker = true) AS
SELECT id, contract_number, rfq_id, business_id, currency, start_date, end_date,
       -- Ask the sealed read only where the caller may get an answer (the guard's subqueries run once per query; the
       -- function checks again, per row, and is what a psql caller would have to use).
       CASE WHEN business_id = (SELECT parties.my_business_id()) OR (SELECT parties.is_marketplace_admin())
            THEN contracts.visible_total_amount(id) END AS total_amount,
       status, commission_policy_version_id, created_at,
       activated_at, ended_at, end_reason
  FROM contracts.contract;
COMMENT ON VIEW api.contracts IS
'Contract headers: those your business or provider is party to; headers of all contracts for marketplace admins and
the back office. total_amount is NULL for a provider: on a split award it would reveal the other providers'' prices. (POST /rpc/contracts is the paginated list function.)';

CREATE VIEW api.contract_parties WITH (security_invoker = true) AS
SELECT contract_id, 'BUSINESS'::text AS party_type, business_id AS party_id, name, tin_number, tier_code,
       NULL::smallint AS trust_score, NULL::numeric AS commission_rate, NULL::numeric AS commission_min,
       NULL::numeric AS commission_max, NULL::numeric AS commission_min_share, snapshot_at
  FROM contracts.party_business
UNION ALL
SELECT contract_id, 'PROVIDER', provider_id, name, tin_number, tier_code, trust_score, commission_rate, commission_min,
       commission_max, commission_min_share, snapshot_at
  FROM contracts.party_provider;
COMMENT ON VIEW api.contract_parties IS
'The parties of a contract as snapshotted at award time (tier, trust score, commission terms of each provider). A
provider sees the business and itself, never another provider of the same contract.';

CREATE VIEW api.contract_lines WITH (security_invoker = true) AS
SELECT id, contract_id, award_id, rfq_line_id, provider_id, vehicle_type, engine_type, with_driver, quantity, unit_price,
       days, total_amount, hold_id, escrowed, settled_gross, released
  FROM contracts.visible_lines();
COMMENT ON VIEW api.contract_lines IS
'Contract lines with their escrow hold and what was escrowed, settled and released: all lines for the business, a
provider''s own lines; all for the back office. Sealed read through contracts.visible_lines().';

CREATE VIEW api.assignments WITH (security_invoker = true) AS
SELECT id, contract_line_id, contract_id, provider_id, vehicle_id, lower(period) AS period_start,
       upper(period) - 1 AS period_end, status, started_on, ended_on, end_reason, created_at
  FROM contracts.assignment;
COMMENT ON VIEW api.assignments IS
'Vehicle assignments (period inclusive): the business''s, and a provider''s own.';

-- delivery ------------------------------------------------------------------------------------------------------
CREATE VIEW api.delivery_sessions WITH (security_invoker = true) AS
SELECT id, assignment_id, session_type, business_id, provider_id, vehicle_id, status, failures, failure_budget,
       codes_issued, last_issued_at, created_at, verified_at
  FROM delivery.session;
COMMENT ON VIEW api.delivery_sessions IS
'OTP-verified handover sessions (delivery and return) of the business and the provider concerned. No code, hash or
attempt is readable through any view.';

CREATE VIEW api.handovers WITH (security_invoker = true) AS
SELECT session_id, photos, odometer_km, fuel_level, notes, recorded_at FROM delivery.handover;
COMMENT ON VIEW api.handovers IS
'What was recorded at a verified handover (photos, odometer, fuel level, notes), for its business and provider.';

-- settlement ----------------------------------------------------------------------------------------------------
CREATE VIEW api.settlements WITH (security_invoker = true) AS
SELECT id, provider_id, currency, period_start, period_end, gross, commission, net, status, reference, created_at
  FROM settlement.cycle;
COMMENT ON VIEW api.settlements IS
'Settlement cycles (per provider per period: gross, commission, net): a provider''s own; all for the back office.';

CREATE VIEW api.settlement_lines WITH (security_invoker = true) AS
SELECT cycle_id, contract_line_id, vehicle_days, unit_price, gross, commission_rate, commission, net,
       ledger_transaction_id
  FROM settlement.cycle_line;
COMMENT ON VIEW api.settlement_lines IS
'Per contract line: vehicle-days, gross, commission at the snapshotted rate, net, and the ledger transaction that paid
it; a provider''s own; all for the back office.';

GRANT SELECT ON api.bids TO mercato_user;   -- the back office never reads bids
GRANT SELECT ON api.businesses, api.providers, api.vehicles, api.vehicle_insurances, api.trust_score_events,
    api.tier_changes, api.accounts, api.entries, api.transactions, api.holds, api.rfqs, api.rfq_lines,
    api.awards, api.contracts, api.contract_parties, api.contract_lines, api.assignments, api.delivery_sessions,
    api.handovers, api.settlements, api.settlement_lines
    TO mercato_user, mercato_service;

COMMIT;
