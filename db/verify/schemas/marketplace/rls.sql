-- Verify mercato:schemas/marketplace/rls on pg
-- Existence and privileges only: every marketplace table has row-level security on and each policy exists (a count
-- divides by zero otherwise); the helpers exist (a regprocedure cast raises) and are executable by the roles whose
-- policies and views call them, not by anonymous callers; the alias secret and the sealed tables are readable by no API
-- role, the rest by the roles the policies name.

BEGIN;

SELECT 1 / (count(*) FILTER (WHERE NOT c.relrowsecurity) = 0 AND count(*) = 6)::int
  FROM pg_class c
 WHERE c.oid IN ('marketplace.rfq'::regclass, 'marketplace.rfq_line'::regclass, 'marketplace.bid'::regclass,
                 'marketplace.bid_line'::regclass, 'marketplace.award'::regclass, 'marketplace.rfq_quota'::regclass);
SELECT 1 / count(*)::int FROM pg_policy WHERE polrelid = 'marketplace.rfq'::regclass AND polname = 'rfq_service';
SELECT 1 / count(*)::int FROM pg_policy WHERE polrelid = 'marketplace.rfq'::regclass AND polname = 'rfq_visible';
SELECT 1 / count(*)::int FROM pg_policy WHERE polrelid = 'marketplace.rfq_line'::regclass AND polname = 'rfq_line_service';
SELECT 1 / count(*)::int FROM pg_policy WHERE polrelid = 'marketplace.rfq_line'::regclass AND polname = 'rfq_line_visible';
SELECT 1 / count(*)::int FROM pg_policy WHERE polrelid = 'marketplace.rfq_quota'::regclass AND polname = 'rfq_quota_service';
SELECT 1 / count(*)::int FROM pg_policy WHERE polrelid = 'marketplace.rfq_quota'::regclass AND polname = 'rfq_quota_own';
SELECT 'marketplace.my_bid_rfq_ids()'::regprocedure;
SELECT 'marketplace.visible_bid_lines()'::regprocedure;
SELECT 'marketplace.visible_awards()'::regprocedure;
SELECT 'marketplace.open_to_me(bigint)'::regprocedure;
SELECT 1 / (has_function_privilege('mercato_user', f, 'EXECUTE') AND has_function_privilege('mercato_service', f, 'EXECUTE')
            AND NOT has_function_privilege('mercato_anon', f, 'EXECUTE'))::int
  FROM unnest(ARRAY['marketplace.my_bid_rfq_ids()', 'marketplace.visible_bid_lines()', 'marketplace.visible_awards()',
                    'marketplace.open_to_me(bigint)']) AS f;
SELECT 1 / (NOT has_column_privilege(r, 'marketplace.rfq', 'alias_key', 'SELECT'))::int
  FROM unnest(ARRAY['mercato_anon', 'mercato_user', 'mercato_service']) AS r;
SELECT 1 / (NOT has_any_column_privilege(r, t, 'SELECT'))::int
  FROM unnest(ARRAY['mercato_anon', 'mercato_user', 'mercato_service']) r,
       unnest(ARRAY['marketplace.bid', 'marketplace.bid_line', 'marketplace.award']) t;
SELECT 1 / (has_column_privilege(r, 'marketplace.rfq', 'title', 'SELECT') AND has_table_privilege(r, 'marketplace.rfq_line', 'SELECT')
            AND has_table_privilege(r, 'marketplace.rfq_quota', 'SELECT'))::int
  FROM unnest(ARRAY['mercato_user', 'mercato_service']) AS r;
SELECT 1 / (NOT has_any_column_privilege('mercato_anon', t, 'SELECT'))::int
  FROM unnest(ARRAY['marketplace.rfq', 'marketplace.rfq_line', 'marketplace.rfq_quota']) AS t;

ROLLBACK;
