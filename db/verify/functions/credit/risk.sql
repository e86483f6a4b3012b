-- Verify mercato:functions/credit/risk on pg

BEGIN;

SELECT x::regprocedure
  FROM unnest(ARRAY['credit.risk_band(integer, text, timestamptz)', 'credit.risk_of(integer, timestamptz)']) AS x;
SELECT 1 / (NOT pg_catalog.has_function_privilege(r, f, 'EXECUTE'))::int
  FROM unnest(ARRAY['mercato_anon', 'mercato_user', 'mercato_service']) AS r,
       unnest(ARRAY['credit.risk_band(integer, text, timestamptz)', 'credit.risk_of(integer, timestamptz)']) AS f;

ROLLBACK;
