-- Revert mercato:schemas/core from pg

BEGIN;

DROP TABLE core.secret;
DROP TABLE core.error;
DROP EVENT TRIGGER mercato_revoke_public_execute;
DROP FUNCTION core.revoke_public_execute_trg();
DROP SCHEMA core;
-- The roles (mercato_anon, mercato_user, mercato_service, mercato_authenticator) and their memberships are left alone:
-- they belong to the cluster, other databases of it may be deployed, and db/roles.sql (`mercato db roles`) is where a
-- cluster gets them. Dropping them is a DBA's decision (DROP ROLE), never a revert's.

DROP EXTENSION IF EXISTS btree_gist;
DROP EXTENSION IF EXISTS pgcrypto;

COMMIT;
