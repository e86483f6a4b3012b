-- Verify mercato:functions/api/payments on pg

BEGIN;

SELECT 1 / pg_catalog.has_function_privilege(r, 'api.parse_ke_qr(core.long_text)', 'EXECUTE')::int
  FROM unnest(ARRAY['mercato_user', 'mercato_service']) AS r;
SELECT 1 / (NOT pg_catalog.has_function_privilege('mercato_anon', 'api.parse_ke_qr(core.long_text)', 'EXECUTE'))::int;
SELECT 1 / pg_catalog.has_function_privilege('mercato_service',
    'api.build_ke_qr(boolean, core.name_text, core.name_text, core.name_text, core.name_text, core.name_text, core.name_text, numeric, core.name_text)',
    'EXECUTE')::int;
SELECT 1 / (NOT pg_catalog.has_function_privilege(r,
    'api.build_ke_qr(boolean, core.name_text, core.name_text, core.name_text, core.name_text, core.name_text, core.name_text, numeric, core.name_text)',
    'EXECUTE'))::int
  FROM unnest(ARRAY['mercato_anon', 'mercato_user']) AS r;

ROLLBACK;
