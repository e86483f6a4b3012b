-- Verify mercato:schemas/core/pg_trgm on pg

BEGIN;

SELECT 1 / (SELECT count(*) FROM pg_catalog.pg_extension WHERE extname = 'pg_trgm')::int;
SELECT 'public.similarity(text, text)'::regprocedure;

ROLLBACK;
