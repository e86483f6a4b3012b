-- Verify mercato:schemas/marketplace/rls on pg

BEGIN;

SELECT 1 / (count(*) FILTER (WHERE NOT c.relrowsecurity) = 0 AND count(*) = 6)::int
  FROM pg_class c
 WHERE c.oid IN ('marketplace.rfq'::regclass, 'marketplace.rfq_line'::regclass, 'marketplace.bid'::regclass,
                 'marketplace.bid_line'::regclass, 'marketplace.award'::regclass, 'marketplace.rfq_quota'::regclass);
SELECT 1 / (NOT has_column_privilege('mercato_user', 'marketplace.rfq', 'alias_key', 'SELECT'))::int;
SELECT 1 / (NOT has_any_column_privilege(r, t, 'SELECT'))::int
  FROM unnest(ARRAY['mercato_anon', 'mercato_user', 'mercato_service']) r,
       unnest(ARRAY['marketplace.bid', 'marketplace.bid_line', 'marketplace.award']) t;
SELECT 'marketplace.my_bid_rfq_ids()'::regprocedure, 'marketplace.visible_bid_lines()'::regprocedure,
       'marketplace.visible_awards()'::regprocedure, 'marketplace.open_to_me(bigint)'::regprocedure;

ROLLBACK;
