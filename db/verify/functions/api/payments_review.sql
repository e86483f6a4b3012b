-- Verify mercato:functions/api/payments_review on pg

BEGIN;

SELECT 1 / pg_catalog.has_function_privilege(r, 'api.resolve_flagged_withdrawal(bigint, core.name_text, core.long_text)', 'EXECUTE')::int
  FROM unnest(ARRAY['mercato_user', 'mercato_service']) AS r;
SELECT 1 / (NOT pg_catalog.has_function_privilege('mercato_anon', 'api.resolve_flagged_withdrawal(bigint, core.name_text, core.long_text)', 'EXECUTE'))::int;

ROLLBACK;
