-- Verify mercato:functions/catalog/search_fallback on pg

BEGIN;

SELECT 1 / (position('v_fuzzy' IN prosrc) > 0)::int
  FROM pg_catalog.pg_proc WHERE oid = 'catalog.search(text, jsonb, integer, text, bigint)'::regprocedure;

ROLLBACK;
