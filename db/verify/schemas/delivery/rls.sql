-- Verify mercato:schemas/delivery/rls on pg

BEGIN;

SELECT 1 / (count(*) FILTER (WHERE NOT c.relrowsecurity) = 0 AND count(*) = 5)::int
  FROM pg_class c
 WHERE c.oid IN ('delivery.session'::regclass, 'delivery.handover'::regclass, 'delivery.otp'::regclass,
                 'delivery.otp_attempt'::regclass, 'delivery.otp_key'::regclass);
SELECT 1 / (NOT has_table_privilege('mercato_user', 'delivery.otp', 'SELECT'))::int;

ROLLBACK;
