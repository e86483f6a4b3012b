-- Verify mercato:functions/api/credit_lines on pg

BEGIN;

SELECT 1 / pg_catalog.has_function_privilege(r, f, 'EXECUTE')::int
  FROM unnest(ARRAY['mercato_user', 'mercato_service']) AS r,
       unnest(ARRAY['api.open_credit_line(bigint, bigint, numeric, integer)', 'api.set_credit_limit(bigint, numeric)',
                    'api.set_exposure_cap(bigint, numeric)',
                    'api.set_credit_line_status(bigint, core.name_text, core.long_text)', 'api.credit_line(bigint)',
                    'api.my_credit_lines(bigint, bigint)', 'api.credit_line_statement(bigint, bigint, integer)']) AS f;
SELECT 1 / (NOT pg_catalog.has_function_privilege('mercato_anon', f, 'EXECUTE'))::int
  FROM unnest(ARRAY['api.open_credit_line(bigint, bigint, numeric, integer)', 'api.set_credit_limit(bigint, numeric)',
                    'api.set_exposure_cap(bigint, numeric)',
                    'api.set_credit_line_status(bigint, core.name_text, core.long_text)', 'api.credit_line(bigint)',
                    'api.my_credit_lines(bigint, bigint)', 'api.credit_line_statement(bigint, bigint, integer)']) AS f;

ROLLBACK;
