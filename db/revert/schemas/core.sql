-- Revert mercato:schemas/core from pg

BEGIN;

DROP TABLE core.secret;
DROP TABLE core.error;
DROP EVENT TRIGGER mercato_revoke_public_execute;
DROP FUNCTION core.revoke_public_execute_trg();
DROP SCHEMA core;
REVOKE mercato_anon, mercato_user, mercato_service FROM mercato_authenticator;

-- Drop the roles unless another database of this cluster still uses them.
DO $roles$
DECLARE
    r text;
BEGIN
    FOREACH r IN ARRAY ARRAY['mercato_authenticator', 'mercato_anon', 'mercato_user', 'mercato_service'] LOOP
        BEGIN
            EXECUTE format('DROP ROLE IF EXISTS %I', r);
        EXCEPTION WHEN dependent_objects_still_exist OR object_in_use THEN
            RAISE NOTICE 'role % kept: still used elsewhere in this cluster', r;
        END;
    END LOOP;
END
$roles$;

DROP EXTENSION IF EXISTS btree_gist;
DROP EXTENSION IF EXISTS pgcrypto;

COMMIT;
