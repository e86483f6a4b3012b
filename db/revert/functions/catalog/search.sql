-- Revert mercato:functions/catalog/search from pg

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

DROP FUNCTION catalog.search(text, jsonb, integer, text, bigint);
DROP FUNCTION catalog.parse_search_cursor(text);
DROP FUNCTION catalog.search_cursor(numeric, bigint);

COMMIT;
