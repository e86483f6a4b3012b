-- Verify mercato:schemas/delivery/rls on pg
-- Existence and privileges only: every delivery table has row-level security on and each policy exists (a count
-- divides by zero otherwise); sessions and handovers are readable by the roles the policies name, codes, attempts and
-- keys by no API role.

BEGIN;

SELECT 1 / (count(*) FILTER (WHERE NOT c.relrowsecurity) = 0 AND count(*) = 5)::int
  FROM pg_class c
 WHERE c.oid IN ('delivery.session'::regclass, 'delivery.handover'::regclass, 'delivery.otp'::regclass,
                 'delivery.otp_attempt'::regclass, 'delivery.otp_key'::regclass);
SELECT 1 / count(*)::int FROM pg_policy WHERE polrelid = 'delivery.session'::regclass AND polname = 'session_service';
SELECT 1 / count(*)::int FROM pg_policy WHERE polrelid = 'delivery.session'::regclass AND polname = 'session_party';
SELECT 1 / count(*)::int FROM pg_policy WHERE polrelid = 'delivery.handover'::regclass AND polname = 'handover_service';
SELECT 1 / count(*)::int FROM pg_policy WHERE polrelid = 'delivery.handover'::regclass AND polname = 'handover_party';
SELECT 1 / (has_table_privilege(r, 'delivery.session', 'SELECT') AND has_table_privilege(r, 'delivery.handover', 'SELECT'))::int
  FROM unnest(ARRAY['mercato_user', 'mercato_service']) AS r;
SELECT 1 / (NOT has_any_column_privilege('mercato_anon', t, 'SELECT'))::int
  FROM unnest(ARRAY['delivery.session', 'delivery.handover']) AS t;
SELECT 1 / (NOT has_any_column_privilege(r, t, 'SELECT'))::int
  FROM unnest(ARRAY['mercato_anon', 'mercato_user', 'mercato_service']) AS r,
       unnest(ARRAY['delivery.otp', 'delivery.otp_attempt', 'delivery.otp_key']) AS t;

ROLLBACK;
