-- Revert mercato:schemas/core/pg_trgm from pg
-- Drops the extension only when this change created it (owned by mercato_owner); one created beforehand by a superuser
-- stays, as it was there before the change.

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

DO $drop$
BEGIN
    IF EXISTS (SELECT FROM pg_catalog.pg_extension e WHERE e.extname = 'pg_trgm'
                  AND e.extowner = (SELECT r.oid FROM pg_catalog.pg_roles r WHERE r.rolname = 'mercato_owner')) THEN
        DROP EXTENSION pg_trgm;
    END IF;
END
$drop$;

COMMIT;
