-- Revert mercato:functions/jobs/checks from pg

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

DROP FUNCTION jobs.assert_check(regprocedure, text);

COMMIT;
