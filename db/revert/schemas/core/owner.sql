-- Revert mercato:schemas/core/owner from pg
-- Gives mercato_owner's objects in this database back to the role reverting (a superuser, as before the change) and
-- drops the default privileges. The role stays (roles are cluster-wide: another database may use it), and schema
-- public keeps no CREATE for PUBLIC: handing that back is never wanted (and PostgreSQL 15 does not grant it).

BEGIN;

SET LOCAL lock_timeout = '5s';

DROP FUNCTION core.misowned_objects();
ALTER DEFAULT PRIVILEGES FOR ROLE mercato_owner GRANT EXECUTE ON FUNCTIONS TO PUBLIC;
REASSIGN OWNED BY mercato_owner TO CURRENT_USER;

COMMIT;
