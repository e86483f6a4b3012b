-- Revert mercato:functions/identity/jobs from pg

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

DELETE FROM jobs.job WHERE name IN ('identity.purge_throttle', 'identity.purge_tokens');   -- their run history goes with them
DROP FUNCTION identity.purge_throttle(integer), identity.purge_tokens(integer);

COMMIT;
