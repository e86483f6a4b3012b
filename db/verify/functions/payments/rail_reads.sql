-- Verify mercato:functions/payments/rail_reads on pg

BEGIN;

SELECT 'payments.may_read_wallet(bigint)'::regprocedure;
SELECT 1 / (NOT pg_catalog.has_function_privilege(r, 'payments.may_read_wallet(bigint)', 'EXECUTE'))::int
  FROM unnest(ARRAY['mercato_anon', 'mercato_user', 'mercato_service']) AS r;
SELECT 1 / (position('payments.may_read_wallet' IN p.prosrc) > 0 AND NOT pg_catalog.has_function_privilege(r, p.oid, 'EXECUTE'))::int
  FROM pg_catalog.pg_proc p, unnest(ARRAY['mercato_anon', 'mercato_user', 'mercato_service']) AS r
 WHERE p.oid IN ('payments.get_funding_session(bigint)'::regprocedure, 'payments.get_withdrawal(bigint)'::regprocedure);

ROLLBACK;
