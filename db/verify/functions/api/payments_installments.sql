-- Verify mercato:functions/api/payments_installments on pg

BEGIN;

SELECT 1 / pg_catalog.has_function_privilege(r, f, 'EXECUTE')::int
  FROM (VALUES ('mercato_user', 'api.create_installment_plan(bigint, integer, integer, core.finite_timestamptz)'),
               ('mercato_user', 'api.pay_installment(bigint)'),
               ('mercato_user', 'api.cancel_installment_plan(bigint)'),
               ('mercato_service', 'api.cancel_installment_plan(bigint)'),
               ('mercato_user', 'api.get_installment_plan(bigint)'),
               ('mercato_service', 'api.get_installment_plan(bigint)')) AS x(r, f);
SELECT 1 / (NOT pg_catalog.has_function_privilege(r, f, 'EXECUTE'))::int
  FROM (VALUES ('mercato_service', 'api.create_installment_plan(bigint, integer, integer, core.finite_timestamptz)'),
               ('mercato_service', 'api.pay_installment(bigint)')) AS x(r, f);
SELECT 1 / (NOT pg_catalog.has_function_privilege('mercato_anon', f, 'EXECUTE'))::int
  FROM unnest(ARRAY['api.create_installment_plan(bigint, integer, integer, core.finite_timestamptz)',
                    'api.pay_installment(bigint)', 'api.cancel_installment_plan(bigint)',
                    'api.get_installment_plan(bigint)']) AS f;

ROLLBACK;
