-- Verify mercato:schemas/marketplace/rls on pg

BEGIN;

SELECT 1 / (count(*) FILTER (WHERE NOT c.relrowsecurity) = 0 AND count(*) = 6)::int
  FROM pg_class c
 WHERE c.oid IN ('marketplace.rfq'::regclass, 'marketplace.rfq_line'::regclass, 'marketplace.bid'::regclass,
                 'marketplace.bid_line'::regclass, 'marketplace.award'::regclass, 'marketplace.rfq_quota'::regclass);
SELECT 1 / (NOT has_column_privilege('mercato_user', 'marketplace.rfq', 'alias_key', 'SELECT'))::int;

ROLLBACK;
