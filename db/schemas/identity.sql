-- Deploy mercato:schemas/identity to pg
-- Tenants, user accounts (keyed by the external auth subject), roles, permissions, role assignments.

BEGIN;

CREATE SCHEMA identity;
COMMENT ON SCHEMA identity IS 'Who is who: tenants, user accounts, roles, permissions, and who is calling (identity.current_actor).';
GRANT USAGE ON SCHEMA identity TO mercato_anon, mercato_user, mercato_service;

CREATE TABLE identity.tenant (
    id         bigint GENERATED ALWAYS AS IDENTITY CONSTRAINT tenant_pkey PRIMARY KEY,
    code       text NOT NULL CONSTRAINT tenant_code_key UNIQUE
               CONSTRAINT tenant_code_check CHECK (code ~ '^[a-z0-9][a-z0-9_-]{1,62}$'),
    name       text NOT NULL CONSTRAINT tenant_name_check CHECK (length(btrim(name)) BETWEEN 1 AND 200),
    status     text NOT NULL DEFAULT 'ACTIVE'
               CONSTRAINT tenant_status_check CHECK (status IN ('ACTIVE', 'SUSPENDED', 'CLOSED')),
    metadata   jsonb NOT NULL DEFAULT '{}',
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE identity.tenant IS 'A tenant (a marketplace operator or a shop) that scopes users, roles and data.';

CREATE TABLE identity.user_account (
    id           bigint GENERATED ALWAYS AS IDENTITY CONSTRAINT user_account_pkey PRIMARY KEY,
    auth_subject text NOT NULL CONSTRAINT user_account_auth_subject_key UNIQUE
                 CONSTRAINT user_account_auth_subject_check CHECK (length(auth_subject) BETWEEN 1 AND 255),
    tenant_id    bigint CONSTRAINT user_account_tenant_id_fkey REFERENCES identity.tenant (id),
    user_type    text NOT NULL CONSTRAINT user_account_user_type_check
                 CHECK (user_type IN ('ADMIN', 'BUSINESS', 'PROVIDER', 'CUSTOMER', 'MERCHANT', 'STAFF', 'SERVICE')),
    display_name text NOT NULL CONSTRAINT user_account_display_name_check CHECK (length(btrim(display_name)) BETWEEN 1 AND 200),
    email        text CONSTRAINT user_account_email_check CHECK (email ~ '^[^@\s]+@[^@\s]+$' AND length(email) <= 254),
    phone        text CONSTRAINT user_account_phone_check CHECK (phone ~ '^\+[1-9][0-9]{6,14}$'),
    status       text NOT NULL DEFAULT 'ACTIVE'
                 CONSTRAINT user_account_status_check CHECK (status IN ('ACTIVE', 'SUSPENDED', 'CLOSED')),
    metadata     jsonb NOT NULL DEFAULT '{}',
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE identity.user_account IS
'A person or system known to Mercato, keyed by the external auth subject (JWT "sub", e.g. a Keycloak id).';
CREATE INDEX user_account_tenant_id_idx ON identity.user_account (tenant_id);

CREATE TABLE identity.role (
    id          bigint GENERATED ALWAYS AS IDENTITY CONSTRAINT role_pkey PRIMARY KEY,
    code        text NOT NULL CONSTRAINT role_code_key UNIQUE CONSTRAINT role_code_check CHECK (code ~ '^[A-Z][A-Z0-9_]*$'),
    name        text NOT NULL,
    description text NOT NULL DEFAULT ''
);
COMMENT ON TABLE identity.role IS 'An application role (a named set of permissions), e.g. PLATFORM_ADMIN, BUSINESS_OWNER.';

CREATE TABLE identity.permission (
    id          bigint GENERATED ALWAYS AS IDENTITY CONSTRAINT permission_pkey PRIMARY KEY,
    code        text NOT NULL CONSTRAINT permission_code_key UNIQUE
                CONSTRAINT permission_code_check CHECK (code ~ '^[a-z][a-z0-9_]*\.[a-z][a-z0-9_.]*$'),
    description text NOT NULL DEFAULT ''
);
COMMENT ON TABLE identity.permission IS 'A permission, named <module>.<action> (e.g. ledger.transfer).';

CREATE TABLE identity.role_permission (
    role_id       bigint NOT NULL CONSTRAINT role_permission_role_id_fkey REFERENCES identity.role (id),
    permission_id bigint NOT NULL CONSTRAINT role_permission_permission_id_fkey REFERENCES identity.permission (id),
    CONSTRAINT role_permission_pkey PRIMARY KEY (role_id, permission_id)
);
COMMENT ON TABLE identity.role_permission IS 'Which permissions a role grants.';

CREATE TABLE identity.role_assignment (
    id         bigint GENERATED ALWAYS AS IDENTITY CONSTRAINT role_assignment_pkey PRIMARY KEY,
    user_id    bigint NOT NULL CONSTRAINT role_assignment_user_id_fkey REFERENCES identity.user_account (id),
    role_id    bigint NOT NULL CONSTRAINT role_assignment_role_id_fkey REFERENCES identity.role (id),
    tenant_id  bigint CONSTRAINT role_assignment_tenant_id_fkey REFERENCES identity.tenant (id),
    granted_at timestamptz NOT NULL DEFAULT now(),
    granted_by bigint CONSTRAINT role_assignment_granted_by_fkey REFERENCES identity.user_account (id),
    revoked_at timestamptz,
    CONSTRAINT role_assignment_revoked_at_check CHECK (revoked_at IS NULL OR revoked_at >= granted_at)
);
COMMENT ON TABLE identity.role_assignment IS
'A role given to a user, platform-wide (tenant_id NULL) or within one tenant. Revoked by setting revoked_at, never deleted.';
CREATE UNIQUE INDEX role_assignment_active_key ON identity.role_assignment
    (user_id, role_id, coalesce(tenant_id, 0)) WHERE revoked_at IS NULL;

CREATE TRIGGER tenant_audit AFTER INSERT OR UPDATE OR DELETE ON identity.tenant
    FOR EACH ROW EXECUTE FUNCTION audit.track();
CREATE TRIGGER user_account_audit AFTER INSERT OR UPDATE OR DELETE ON identity.user_account
    FOR EACH ROW EXECUTE FUNCTION audit.track();
CREATE TRIGGER role_assignment_audit AFTER INSERT OR UPDATE OR DELETE ON identity.role_assignment
    FOR EACH ROW EXECUTE FUNCTION audit.track();

REVOKE ALL ON identity.tenant, identity.user_account, identity.role, identity.permission,
              identity.role_permission, identity.role_assignment FROM PUBLIC;
GRANT SELECT (id, tenant_id, user_type, display_name, email, phone, status, metadata, created_at, updated_at) ON identity.user_account TO mercato_service;   -- not auth_subject (core.secret)
GRANT SELECT ON identity.tenant, identity.role, identity.permission,
                identity.role_permission, identity.role_assignment TO mercato_service;

INSERT INTO identity.role (code, name, description) VALUES
('PLATFORM_ADMIN', 'Platform administrator', 'Operates the platform: masterdata, users, back-office jobs.'),
('TENANT_ADMIN', 'Tenant administrator', 'Administers one tenant.'),
('SUPPORT', 'Support agent', 'Reads records to help users; changes nothing.');
INSERT INTO identity.permission (code, description) VALUES
('identity.manage_users', 'Create users, change their status, assign and revoke roles.'),
('masterdata.manage', 'Change settings, lookups and policy versions.'),
('audit.read', 'Read the audit log.');
INSERT INTO identity.role_permission (role_id, permission_id)
SELECT r.id, p.id FROM identity.role r, identity.permission p
 WHERE r.code = 'PLATFORM_ADMIN'
    OR (r.code = 'TENANT_ADMIN' AND p.code = 'identity.manage_users')
    OR (r.code = 'SUPPORT' AND p.code = 'audit.read');

INSERT INTO core.error (code, module, sqlstate, message, hint, description) VALUES
('IDENTITY_NOT_AUTHENTICATED', 'identity', 'PT401', 'the caller is not authenticated',
 'send a JWT whose "sub" names a registered user', 'No usable "sub" claim in request.jwt.claims, or it names no user.'),
('IDENTITY_CLAIMS_INVALID', 'identity', 'PT401', 'request.jwt.claims is not a JSON object',
 NULL, 'The claims setting exists but cannot be parsed as a JSON object.'),
('IDENTITY_USER_INACTIVE', 'identity', 'PT403', 'the calling user is suspended or closed',
 NULL, 'The user account named by the "sub" claim is not ACTIVE.'),
('IDENTITY_PERMISSION_DENIED', 'identity', 'PT403', 'the caller lacks the permission this action needs',
 NULL, 'The detail names the permission.'),
('IDENTITY_UNKNOWN_USER', 'identity', 'PT404', 'no such user', NULL,
 'The user id or subject does not exist (adding a member: no such user in the organization''s tenant).'),
('IDENTITY_UNKNOWN_ROLE', 'identity', 'PT404', 'no such role', NULL, 'The role code does not exist.'),
('IDENTITY_UNKNOWN_TENANT', 'identity', 'PT404', 'no such tenant', NULL, 'The tenant id or code does not exist.'),
('IDENTITY_SUBJECT_TAKEN', 'identity', 'PT409', 'a user with this auth subject already exists',
 NULL, 'Registering a second user for the same external subject.'),
('IDENTITY_TENANT_CODE_TAKEN', 'identity', 'PT409', 'a tenant with this code already exists', NULL, 'Creating a second tenant with the same code.'),
('IDENTITY_INVALID_INPUT', 'identity', 'PT400', 'a user, tenant or organization field is malformed',
 NULL, 'Bad email, phone, code, user type, name, organization kind, role or status; the detail names the field.'),
('IDENTITY_TENANT_MISMATCH', 'identity', 'PT403', 'the user belongs to another tenant',
 'a role in a tenant goes to a user of that tenant (or a platform user, who has none)',
 'A role in one tenant was to be assigned to a user of another tenant: refused whoever asks, tenant admin, platform '
 'admin or back office.');

INSERT INTO core.secret (table_schema, table_name, column_name, kind, reason) VALUES
('identity', 'user_account', 'auth_subject', 'SEALED', 'the JWT subject: a unique index would let EXPLAIN list every user''s, the key to acting as them where claims are not verified');

COMMIT;
