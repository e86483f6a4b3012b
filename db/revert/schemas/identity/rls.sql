-- Revert mercato:schemas/identity/rls from pg

BEGIN;

REVOKE SELECT ON identity.tenant, identity.user_account, identity.role_assignment, identity.organization,
    identity.membership FROM mercato_user;
DROP POLICY organization_service ON identity.organization;
DROP POLICY membership_service ON identity.membership;
DROP POLICY organization_member ON identity.organization;
DROP POLICY membership_member ON identity.membership;
ALTER TABLE identity.organization_kind DISABLE ROW LEVEL SECURITY;
ALTER TABLE identity.organization DISABLE ROW LEVEL SECURITY;
ALTER TABLE identity.membership DISABLE ROW LEVEL SECURITY;
DROP FUNCTION identity.my_organization_ids();
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
