-- Revert mercato:schemas/identity/rls from pg

BEGIN;

REVOKE SELECT ON identity.tenant, identity.user_account, identity.role_assignment FROM mercato_user;
DROP POLICY tenant_service ON identity.tenant;
DROP POLICY user_account_service ON identity.user_account;
DROP POLICY role_assignment_service ON identity.role_assignment;
DROP POLICY tenant_own ON identity.tenant;
DROP POLICY user_account_own ON identity.user_account;
DROP POLICY role_assignment_own ON identity.role_assignment;
ALTER TABLE identity.tenant DISABLE ROW LEVEL SECURITY;
ALTER TABLE identity.user_account DISABLE ROW LEVEL SECURITY;
ALTER TABLE identity.role_assignment DISABLE ROW LEVEL SECURITY;
DROP FUNCTION identity.my_tenant_id();

COMMIT;
