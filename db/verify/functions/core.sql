-- Verify mercato:functions/core on pg

BEGIN;

SELECT 1 / (core.http_status('PT402') = 402)::int;
SELECT pg_catalog.has_function_privilege('core.raise(text, text, text)', 'execute');

ROLLBACK;
