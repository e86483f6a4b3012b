-- Tests for schemas/marketplace: tables, sealed by privileges, constraints.
BEGIN;
SELECT plan(8);

SELECT tables_are('marketplace', ARRAY['rfq', 'rfq_line', 'bid', 'bid_line', 'award', 'rfq_quota']);
SELECT col_is_unique('marketplace', 'bid', ARRAY['rfq_id', 'provider_id'], 'one bid per provider per RFQ');
SELECT table_privs_are('marketplace', 'bid', 'mercato_user', ARRAY[]::text[], 'users hold no privilege on bids (sealed: schemas/marketplace/rls)');
SELECT table_privs_are('marketplace', 'bid_line', 'mercato_service', ARRAY[]::text[], 'nor can the back office read prices');
SELECT table_privs_are('marketplace', 'rfq', 'mercato_anon', ARRAY[]::text[], 'nor anonymous callers RFQs');
SELECT col_not_null('marketplace', 'rfq', 'alias_key', 'every RFQ has its alias secret');
SELECT is((SELECT count(*)::int FROM information_schema.column_privileges
            WHERE table_schema = 'marketplace' AND column_name = 'alias_key'
              AND grantee IN ('mercato_user', 'mercato_service', 'mercato_anon')), 0,
          'no API role may read an RFQ''s alias secret');
SELECT throws_ok($$INSERT INTO marketplace.rfq_quota (business_id, month, used) VALUES (1, '2026-01-15', 0)$$, '23514', NULL,
                 'quota months are first days of months');

SELECT * FROM finish();
ROLLBACK;
