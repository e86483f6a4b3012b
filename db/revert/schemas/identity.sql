-- Revert mercato:schemas/identity from pg

BEGIN;

DELETE FROM core.error WHERE module = 'identity';
DELETE FROM core.secret WHERE table_schema = 'identity';
DROP TABLE identity.role_assignment, identity.role_permission, identity.permission, identity.role,
           identity.user_account, identity.tenant;
DROP SCHEMA identity;

COMMIT;
