-- Revert mercato:schemas/core/timeouts from pg
-- The settings are cluster-wide (see the deploy script), like the roles: they are reset only when no other database
-- of this cluster still uses the API roles (pg_shdepend: grants or ownership elsewhere), the same rule as the roles'
-- own DROP in schemas/core's revert. Reverting a scratch database thus never removes the timeouts of a live one.

BEGIN;

DO $timeouts$
DECLARE
    r text;
BEGIN
    IF EXISTS (SELECT FROM pg_catalog.pg_shdepend d
                WHERE d.refclassid = 'pg_catalog.pg_authid'::regclass
                  AND d.refobjid IN (SELECT oid FROM pg_catalog.pg_roles
                                      WHERE rolname IN ('mercato_anon', 'mercato_user', 'mercato_service'))
                  AND d.dbid NOT IN (0, (SELECT oid FROM pg_catalog.pg_database WHERE datname = current_database())))
    THEN
        RAISE NOTICE 'role timeouts kept: the API roles are still used by another database of this cluster';
        RETURN;
    END IF;
    FOREACH r IN ARRAY ARRAY['mercato_anon', 'mercato_user', 'mercato_service'] LOOP
        EXECUTE format('ALTER ROLE %I RESET statement_timeout', r);
        EXECUTE format('ALTER ROLE %I RESET lock_timeout', r);
        EXECUTE format('ALTER ROLE %I RESET idle_in_transaction_session_timeout', r);
    END LOOP;
    ALTER ROLE mercato_authenticator RESET idle_in_transaction_session_timeout;
END
$timeouts$;

COMMIT;
