-- Verify mercato:functions/orders/tax on pg

BEGIN;

-- each function exists (the cast) and no API role executes it: the api wrappers call them as the owner
SELECT 1 / (NOT pg_catalog.has_function_privilege(r, f, 'EXECUTE'))::int
  FROM unnest(ARRAY['orders.set_tax_rate(text, numeric, date, bigint)'::regprocedure,
                    'orders.tax_rate_on(bigint, text, date)'::regprocedure,
                    'orders.line_tax(numeric, numeric, integer)'::regprocedure]) AS f,
       unnest(ARRAY['mercato_anon', 'mercato_user', 'mercato_service']) AS r;

ROLLBACK;
