-- Verify mercato:functions/core on pg

BEGIN;

SELECT 1 / (core.http_status('PT402') = 402)::int;
SELECT pg_catalog.has_function_privilege('core.raise(text, text, text)', 'execute');
SELECT 1 / count(*) FROM pg_catalog.pg_type
 WHERE typnamespace = 'core'::regnamespace AND typtype = 'd'
   AND typname IN ('name_text', 'url_text', 'long_text', 'text_list', 'json_doc', 'json_batch', 'finite_date',
                   'finite_timestamptz')
HAVING count(*) = 8;

ROLLBACK;
