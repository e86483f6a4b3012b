-- Verify mercato:functions/identity/tenant_currency_input on pg

BEGIN;

SELECT 1 / (position('[A-Z]{3}' IN prosrc) > 0)::int
  FROM pg_catalog.pg_proc WHERE oid = 'identity.set_tenant_currency(bigint, text)'::regprocedure;

ROLLBACK;
