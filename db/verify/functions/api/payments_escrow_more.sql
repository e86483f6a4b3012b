-- Verify mercato:functions/api/payments_escrow_more on pg

BEGIN;

SELECT 1 / pg_catalog.has_function_privilege(r, f, 'EXECUTE')::int
  FROM unnest(ARRAY['mercato_user', 'mercato_service']) AS r,
       unnest(ARRAY['api.cancel_shop_order(bigint, core.long_text)',
                    'api.list_escrows(bigint, core.name_text, bigint, integer)',
                    'api.list_installment_plans(bigint, core.name_text, bigint, integer)']) AS f;
SELECT 1 / (NOT pg_catalog.has_function_privilege('mercato_anon', f, 'EXECUTE'))::int
  FROM unnest(ARRAY['api.cancel_shop_order(bigint, core.long_text)',
                    'api.list_escrows(bigint, core.name_text, bigint, integer)',
                    'api.list_installment_plans(bigint, core.name_text, bigint, integer)']) AS f;

ROLLBACK;
