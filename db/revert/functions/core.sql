-- Revert mercato:functions/core from pg

BEGIN;

DROP FUNCTION core.raise(text, text, text);
DROP FUNCTION core.http_status(text);

COMMIT;
