-- Deploy mercato:schemas/identity/rls to pg
-- Row-level security on identity's tables: a user sees its own tenant, user account and role assignments, the
-- organizations it is a member of and their active members; the back office (mercato_service) sees all. Policies are
-- SELECT-only: no API role writes these tables (functions do).

BEGIN;

CREATE FUNCTION identity.my_tenant_id()
RETURNS bigint
LANGUAGE sql
STABLE
SET search_path = pg_catalog, pg_temp
RETURN (identity.current_actor()).tenant_id;
COMMENT ON FUNCTION identity.my_tenant_id() IS
'The calling user''s tenant id, NULL when anonymous or platform-wide. For row-level security policies.';

GRANT EXECUTE ON FUNCTION identity.my_tenant_id() TO mercato_user, mercato_service;

CREATE FUNCTION identity.my_organization_ids()
RETURNS bigint[]
LANGUAGE sql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
RETURN ARRAY(SELECT m.organization_id
               FROM identity.membership m
               JOIN identity.user_account u ON u.id = m.user_id AND u.status = 'ACTIVE'
              WHERE m.user_id = identity.current_user_id() AND m.status = 'ACTIVE'
              ORDER BY m.organization_id);
COMMENT ON FUNCTION identity.my_organization_ids() IS
'The organizations the calling user is an active member of; for row-level security policies.
Whatever their status and whatever the "org" claim says: what a member sees, not what it acts for. Empty when anonymous;
never raises.';

GRANT EXECUTE ON FUNCTION identity.my_organization_ids() TO mercato_user;

ALTER TABLE identity.tenant ENABLE ROW LEVEL SECURITY;
ALTER TABLE identity.user_account ENABLE ROW LEVEL SECURITY;
ALTER TABLE identity.role_assignment ENABLE ROW LEVEL SECURITY;
ALTER TABLE identity.organization_kind ENABLE ROW LEVEL SECURITY;   -- no policy: no API role reads the catalogue
ALTER TABLE identity.organization ENABLE ROW LEVEL SECURITY;
ALTER TABLE identity.membership ENABLE ROW LEVEL SECURITY;

-- The back office reads every row of the tables it was granted (schemas/identity).
CREATE POLICY tenant_service ON identity.tenant FOR SELECT TO mercato_service USING (true);
CREATE POLICY user_account_service ON identity.user_account FOR SELECT TO mercato_service USING (true);
CREATE POLICY role_assignment_service ON identity.role_assignment FOR SELECT TO mercato_service USING (true);
CREATE POLICY tenant_own ON identity.tenant FOR SELECT TO mercato_user
    USING (id = (SELECT identity.my_tenant_id()));
CREATE POLICY user_account_own ON identity.user_account FOR SELECT TO mercato_user
    USING (id = (SELECT identity.current_user_id()));
CREATE POLICY role_assignment_own ON identity.role_assignment FOR SELECT TO mercato_user
    USING (user_id = (SELECT identity.current_user_id()));
CREATE POLICY organization_service ON identity.organization FOR SELECT TO mercato_service USING (true);
CREATE POLICY membership_service ON identity.membership FOR SELECT TO mercato_service USING (true);
-- members see their organizations and their co-members (active memberships only), nobody else's
CREATE POLICY organization_member ON identity.organization FOR SELECT TO mercato_user
    USING (organization.id = ANY ((SELECT identity.my_organization_ids())::bigint[]));
CREATE POLICY membership_member ON identity.membership FOR SELECT TO mercato_user
    USING (membership.organization_id = ANY ((SELECT identity.my_organization_ids())::bigint[]) AND membership.status = 'ACTIVE');

-- Every user_account column but auth_subject (sealed, core.secret; api.me() tells a user its own).
GRANT SELECT (id, tenant_id, user_type, display_name, email, phone, status, metadata, created_at, updated_at) ON identity.user_account TO mercato_user;
GRANT SELECT ON identity.tenant, identity.role_assignment, identity.organization, identity.membership TO mercato_user;

COMMIT;
