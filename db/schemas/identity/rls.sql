-- Deploy mercato:schemas/identity/rls to pg
-- Row-level security on identity's tables: a user sees its own tenant, user account and role assignments; the back
-- office (mercato_service) sees all. Policies are SELECT-only: no API role writes these tables (functions do).

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

ALTER TABLE identity.tenant ENABLE ROW LEVEL SECURITY;
ALTER TABLE identity.user_account ENABLE ROW LEVEL SECURITY;
ALTER TABLE identity.role_assignment ENABLE ROW LEVEL SECURITY;

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

-- Every user_account column but auth_subject (sealed, core.secret; api.me() tells a user its own).
GRANT SELECT (id, tenant_id, user_type, display_name, email, phone, status, metadata, created_at, updated_at) ON identity.user_account TO mercato_user;
GRANT SELECT ON identity.tenant, identity.role_assignment TO mercato_user;

COMMIT;
