-- Verify mercato:schemas/marketplace on pg
-- Existence and privileges only: a missing column, type or index raises; a missing secret declaration or error code,
-- a schema the API roles cannot use, or a write privilege of an API role divides by zero.

BEGIN;

SELECT id, business_id, title, description, currency, start_date, end_date, bid_deadline, status, alias_key,
       published_at, awarded_at, created_at, updated_at FROM marketplace.rfq WHERE false;
SELECT id, rfq_id, line_no, vehicle_type, engine_type, quantity_required, with_driver, notes FROM marketplace.rfq_line WHERE false;
SELECT id, rfq_id, provider_id, status, revision, submitted_at, updated_at FROM marketplace.bid WHERE false;
SELECT bid_id, rfq_line_id, unit_price, quantity_offered FROM marketplace.bid_line WHERE false;
SELECT id, rfq_id, rfq_line_id, bid_id, provider_id, quantity_awarded, unit_price, awarded_at FROM marketplace.award WHERE false;
SELECT business_id, month, used FROM marketplace.rfq_quota WHERE false;
SELECT 'marketplace.rfq_summary'::regtype;
SELECT 'marketplace.rfq_business_id_idx'::regclass, 'marketplace.rfq_status_idx'::regclass,
       'marketplace.bid_provider_id_idx'::regclass, 'marketplace.bid_line_rfq_line_id_idx'::regclass,
       'marketplace.award_rfq_id_idx'::regclass, 'marketplace.award_provider_id_idx'::regclass;
SELECT 1 / (count(*) = 4)::int FROM core.secret
 WHERE table_schema = 'marketplace' AND (table_name, coalesce(column_name, ''), kind) IN
       (('rfq', 'alias_key', 'SECRET'), ('bid', '', 'SEALED'), ('bid_line', '', 'SEALED'), ('award', '', 'SEALED'));
SELECT 1 / (count(*) = 16)::int FROM core.error
 WHERE module = 'marketplace' AND code IN ('MARKETPLACE_INVALID_RFQ', 'MARKETPLACE_UNKNOWN_RFQ', 'MARKETPLACE_FORBIDDEN',
       'MARKETPLACE_INVALID_STATE', 'MARKETPLACE_KYB_REQUIRED', 'MARKETPLACE_DEADLINE_TOO_SOON', 'MARKETPLACE_QUOTA_EXCEEDED',
       'MARKETPLACE_PROVIDER_NOT_VERIFIED', 'MARKETPLACE_BIDDING_CLOSED', 'MARKETPLACE_INVALID_BID', 'MARKETPLACE_NO_BID',
       'MARKETPLACE_BIDS_SEALED', 'MARKETPLACE_INVALID_AWARD', 'MARKETPLACE_AWARD_IMMUTABLE', 'MARKETPLACE_AWARD_EXCEEDS',
       'MARKETPLACE_RFQ_NOT_EDITABLE');
SELECT 1 / (has_schema_privilege(r, 'marketplace', 'USAGE') AND NOT has_schema_privilege(r, 'marketplace', 'CREATE'))::int
  FROM unnest(ARRAY['mercato_anon', 'mercato_user', 'mercato_service']) AS r;
SELECT 1 / (NOT has_table_privilege(r, t, 'INSERT, UPDATE, DELETE, TRUNCATE'))::int
  FROM unnest(ARRAY['mercato_anon', 'mercato_user', 'mercato_service']) AS r,
       unnest(ARRAY['marketplace.rfq', 'marketplace.rfq_line', 'marketplace.bid', 'marketplace.bid_line', 'marketplace.award',
                    'marketplace.rfq_quota']) AS t;

ROLLBACK;
