-- Deploy mercato:functions/identity/organizations to pg
-- Organizations and their members: which organization the caller acts for (the JWT claim "org", else its only
-- membership of the kind a call needs), its role there, the OWNER count under the organization's lock, and member
-- management by OWNERs and ADMINs. docs/identity.md has the role table and where each rule is enforced.
-- Longer than 400 lines because the acting-organization rules and the member changes share the organization lock and
-- the OWNER-count trigger: split, a rework of one would have to follow the other.

BEGIN;

CREATE FUNCTION identity.role_rank(p_role text)
RETURNS integer
LANGUAGE sql
IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
RETURN CASE p_role WHEN 'OWNER' THEN 3 WHEN 'ADMIN' THEN 2 WHEN 'STAFF' THEN 1 END;
COMMENT ON FUNCTION identity.role_rank(text) IS
'The order of the roles within an organization: STAFF 1 < ADMIN 2 < OWNER 3; NULL for anything else (no role).';

CREATE FUNCTION identity.claimed_organization(p_strict boolean DEFAULT true)
RETURNS bigint
LANGUAGE plpgsql
STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_claim jsonb := identity.claims() -> 'org';
    v_text  text;
BEGIN
    IF v_claim IS NULL OR v_claim = 'null'::jsonb THEN
        RETURN NULL;
    END IF;
    v_text := CASE jsonb_typeof(v_claim) WHEN 'number' THEN v_claim::text WHEN 'string' THEN v_claim #>> '{}' END;
    IF v_text ~ '^[1-9][0-9]{0,17}$' THEN
        RETURN v_text::bigint;
    END IF;
    IF p_strict THEN
        PERFORM core.raise('IDENTITY_ORG_CLAIM_INVALID', format('"org": %s', left(v_claim::text, 64)));
    END IF;
    RETURN 0;   -- malformed: an id no organization has, so the caller acts for none
END
$$;
COMMENT ON FUNCTION identity.claimed_organization(boolean) IS
'The organization id named by the JWT claim "org", NULL when there is none.
The claim is a JSON number or a string of digits; a malformed one raises IDENTITY_ORG_CLAIM_INVALID (400), or gives 0
(no organization) when p_strict is false. PostgREST passes custom claims through request.jwt.claims. Whether the caller is
a member is not checked here (identity.acting_organization does).';

CREATE FUNCTION identity.acting_organization(p_kind text, p_strict boolean DEFAULT true)
RETURNS bigint
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_actor identity.actor;
    v_claim bigint;
    v_org   identity.organization;
    v_ids   bigint[];
BEGIN
    IF p_strict THEN
        v_actor := identity.require_user();
    ELSE
        v_actor := identity.current_actor();
        IF v_actor.user_id IS NULL OR v_actor.status <> 'ACTIVE' THEN
            RETURN NULL;
        END IF;
    END IF;
    v_claim := identity.claimed_organization(p_strict);
    IF v_claim IS NOT NULL THEN
        -- the claim picks the one organization the caller acts for in this request, whatever the kind asked for
        SELECT o.* INTO v_org
          FROM identity.organization o
          JOIN identity.membership m ON m.organization_id = o.id AND m.user_id = v_actor.user_id AND m.status = 'ACTIVE'
         WHERE o.id = v_claim;
        IF NOT FOUND THEN
            IF p_strict THEN
                PERFORM core.raise('IDENTITY_NOT_A_MEMBER',
                                   format('user %s is no member of organization %s', v_actor.user_id, v_claim));
            END IF;
            RETURN NULL;
        ELSIF v_org.status <> 'ACTIVE' THEN
            IF p_strict THEN
                PERFORM core.raise('IDENTITY_ORG_INACTIVE', format('organization %s is %s', v_org.id, v_org.status));
            END IF;
            RETURN NULL;
        END IF;
        RETURN CASE WHEN p_kind IS NULL OR v_org.kind = p_kind THEN v_org.id END;
    END IF;
    SELECT array_agg(o.id ORDER BY o.id) INTO v_ids
      FROM identity.membership m
      JOIN identity.organization o ON o.id = m.organization_id
     WHERE m.user_id = v_actor.user_id AND m.status = 'ACTIVE' AND o.status = 'ACTIVE'
       AND (p_kind IS NULL OR o.kind = p_kind);
    IF cardinality(v_ids) > 1 THEN
        IF p_strict THEN
            PERFORM core.raise('IDENTITY_ORG_AMBIGUOUS', format('user %s is a member of the %s organizations %s',
                                                                v_actor.user_id, coalesce(p_kind, 'active'), v_ids::text));
        END IF;
        RETURN NULL;
    END IF;
    RETURN v_ids[1];
END
$$;
COMMENT ON FUNCTION identity.acting_organization(text, boolean) IS
'The organization of kind p_kind (NULL: any) the caller acts for in this request: the one place that decides it.
The JWT claim "org" names it; without the claim, the caller''s only active membership of an ACTIVE organization of that
kind. NULL when it acts for none of that kind (no membership, or the claim names an organization of another kind).
Product modules ask it (parties.current_business, parties.my_business_id, ...). With p_strict (functions) it raises
IDENTITY_NOT_AUTHENTICATED, IDENTITY_USER_INACTIVE, IDENTITY_ORG_CLAIM_INVALID (400), IDENTITY_NOT_A_MEMBER (403: the
claim names an organization the caller is no active member of), IDENTITY_ORG_INACTIVE (403) and IDENTITY_ORG_AMBIGUOUS
(400: several and no claim); without it (row-level security helpers) each of those gives NULL.';

CREATE FUNCTION identity.member_role(p_organization_id bigint)
RETURNS text
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_actor identity.actor := identity.current_actor();
    v_claim bigint := identity.claimed_organization(false);
BEGIN
    IF v_actor.user_id IS NULL OR v_actor.status <> 'ACTIVE' OR v_claim <> p_organization_id THEN
        RETURN NULL;
    END IF;
    RETURN (SELECT m.role
              FROM identity.membership m
              JOIN identity.organization o ON o.id = m.organization_id
             WHERE m.organization_id = p_organization_id AND m.user_id = v_actor.user_id
               AND m.status = 'ACTIVE' AND o.status = 'ACTIVE');
END
$$;
COMMENT ON FUNCTION identity.member_role(bigint) IS
'The calling user''s role (OWNER, ADMIN or STAFF) in an organization it acts for, else NULL.
NULL when it has no active membership, the organization is not ACTIVE, the user is not ACTIVE, or the JWT claim "org"
names another organization (the claim pins the request to one organization). Never raises.';

CREATE FUNCTION identity.acts_for(p_organization_id bigint, p_min_role text DEFAULT 'STAFF')
RETURNS boolean
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF identity.role_rank(p_min_role) IS NULL THEN
        PERFORM core.raise('IDENTITY_INVALID_INPUT', 'p_min_role must be OWNER, ADMIN or STAFF');
    END IF;
    RETURN coalesce(identity.role_rank(identity.member_role(p_organization_id)) >= identity.role_rank(p_min_role), false);
END
$$;
COMMENT ON FUNCTION identity.acts_for(bigint, text) IS
'Does the caller act for the organization with at least role p_min_role (STAFF < ADMIN < OWNER)?
identity.member_role decides (the "org" claim, when present, must name this organization). False for everyone else, the
back office and marketplace admins included: they act through their own permissions. Raises only IDENTITY_INVALID_INPUT
for an unknown p_min_role.';

CREATE FUNCTION identity.open_organization(p_kind text, p_tenant_id bigint, p_name text, p_owner_user_id bigint)
RETURNS bigint
LANGUAGE plpgsql
VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_id  bigint;
    v_key bigint;
BEGIN
    IF NOT EXISTS (SELECT 1 FROM identity.organization_kind k WHERE k.code = p_kind) THEN
        PERFORM core.raise('IDENTITY_INVALID_INPUT', format('organization kind %s is not registered', p_kind));
    ELSIF p_name IS NULL OR length(btrim(p_name)) NOT BETWEEN 1 AND 256 THEN
        PERFORM core.raise('IDENTITY_INVALID_INPUT', 'an organization name is 1-256 characters');
    ELSIF NOT EXISTS (SELECT 1 FROM identity.user_account u
                       WHERE u.id = p_owner_user_id AND u.tenant_id IS NOT DISTINCT FROM p_tenant_id) THEN
        PERFORM core.raise('IDENTITY_TENANT_MISMATCH', format('user %s is not of tenant %s', p_owner_user_id,
                                                              coalesce(p_tenant_id::text, '(none)')));
    END IF;
    INSERT INTO identity.organization (tenant_id, kind, name) VALUES (p_tenant_id, p_kind, btrim(p_name))
    RETURNING id, tenant_key INTO v_id, v_key;
    INSERT INTO identity.membership (organization_id, user_id, tenant_key, role)
    VALUES (v_id, p_owner_user_id, v_key, 'OWNER');
    RETURN v_id;
END
$$;
COMMENT ON FUNCTION identity.open_organization(text, bigint, text, bigint) IS
'Create an organization of a registered kind with its first OWNER; returns its id.
The tenant may be NULL (platform-wide); the OWNER is a user of that tenant. Internal: a product''s registration calls it for
the caller it has checked (parties.register_business); no caller check here. Errors: IDENTITY_INVALID_INPUT,
IDENTITY_TENANT_MISMATCH.';

CREATE FUNCTION identity.membership_owner_count_trg()
RETURNS trigger
LANGUAGE plpgsql
VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_was   boolean := TG_OP <> 'INSERT' AND OLD.role = 'OWNER' AND OLD.status = 'ACTIVE';
    v_is    boolean := TG_OP <> 'DELETE' AND NEW.role = 'OWNER' AND NEW.status = 'ACTIVE';
    v_org   bigint := CASE WHEN TG_OP = 'DELETE' THEN OLD.organization_id ELSE NEW.organization_id END;
    v_count integer;
BEGIN
    IF v_was = v_is THEN
        RETURN NULL;
    END IF;
    -- The organization row is the lock every change of its owners queues on: a concurrent demotion waits here and then
    -- counts from the committed value (READ COMMITTED re-reads the row; REPEATABLE READ fails with a serialization error).
    UPDATE identity.organization o SET owner_count = o.owner_count + CASE WHEN v_is THEN 1 ELSE -1 END
     WHERE o.id = v_org
    RETURNING o.owner_count INTO v_count;
    IF v_count = 0 THEN
        PERFORM core.raise('IDENTITY_LAST_OWNER', format('organization %s would have no OWNER', v_org));
    END IF;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION identity.membership_owner_count_trg() IS
'Trigger: keep identity.organization.owner_count and refuse to leave an organization without an OWNER.
AFTER INSERT, DELETE, UPDATE OF role, status on identity.membership. owner_count, the number of ACTIVE OWNER memberships,
is updated on the organization row, under its lock; the change that would leave none is refused (IDENTITY_LAST_OWNER),
whoever writes and however many write at once: two owners demoting each other both update the same organization row, so
the second waits for the first and then finds the count at 1.';

CREATE TRIGGER membership_owner_count AFTER INSERT OR DELETE OR UPDATE OF role, status ON identity.membership
    FOR EACH ROW EXECUTE FUNCTION identity.membership_owner_count_trg();

CREATE FUNCTION identity.organization_owner_check_trg()
RETURNS trigger
LANGUAGE plpgsql
VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM identity.organization o WHERE o.id = NEW.id AND o.owner_count < 1) THEN
        PERFORM core.raise('IDENTITY_LAST_OWNER', format('organization %s was created without an OWNER', NEW.id));
    END IF;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION identity.organization_owner_check_trg() IS
'Constraint trigger: a new organization has an ACTIVE OWNER by the end of its transaction.
AFTER INSERT on identity.organization, deferred to commit (IDENTITY_LAST_OWNER otherwise); identity.open_organization adds
the OWNER at once.';

CREATE CONSTRAINT TRIGGER organization_owner_check AFTER INSERT ON identity.organization
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION identity.organization_owner_check_trg();

CREATE FUNCTION identity.lock_organization(p_organization_id bigint)
RETURNS identity.organization
LANGUAGE plpgsql
VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_org identity.organization;
BEGIN
    SELECT o.* INTO v_org FROM identity.organization o WHERE o.id = p_organization_id FOR NO KEY UPDATE;
    IF NOT FOUND THEN
        PERFORM core.raise('IDENTITY_UNKNOWN_ORGANIZATION', format('organization %s', p_organization_id));
    END IF;
    RETURN v_org;
END
$$;
COMMENT ON FUNCTION identity.lock_organization(bigint) IS
'Lock an organization''s row (FOR NO KEY UPDATE) and return it, or IDENTITY_UNKNOWN_ORGANIZATION.
Every change of its members takes this lock first, then touches membership rows (one order, no deadlock), and reads roles
after it.';

CREATE FUNCTION identity.authorize_member_change(p_org identity.organization, p_min_role text, p_action text)
RETURNS identity.actor
LANGUAGE plpgsql
STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_actor identity.actor;
    v_role  text;
BEGIN
    IF identity.is_service() THEN
        RETURN identity.current_actor();
    END IF;
    v_actor := identity.require_user();
    IF identity.has_permission(v_actor.user_id, 'identity.manage_users', p_org.tenant_id) THEN
        RETURN v_actor;
    END IF;
    v_role := identity.member_role(p_org.id);
    IF v_role IS NULL THEN
        PERFORM core.raise('IDENTITY_UNKNOWN_ORGANIZATION', format('organization %s', p_org.id));
    ELSIF identity.role_rank(v_role) < identity.role_rank(p_min_role) THEN
        PERFORM core.raise('IDENTITY_ORG_ROLE_REQUIRED', format('%s needs %s in organization %s; the caller is %s',
                                                                p_action, p_min_role, p_org.id, v_role));
    END IF;
    RETURN v_actor;
END
$$;
COMMENT ON FUNCTION identity.authorize_member_change(identity.organization, text, text) IS
'Insist that the caller may do p_action to an organization''s members; returns the actor.
Allowed: the back office, a holder of identity.manage_users in the organization''s tenant, or a member acting for it
(identity.member_role) with at least p_min_role. Errors: IDENTITY_NOT_AUTHENTICATED, IDENTITY_USER_INACTIVE,
IDENTITY_UNKNOWN_ORGANIZATION (not a member: answered as if it did not exist), IDENTITY_ORG_ROLE_REQUIRED. Call it after
identity.lock_organization.';

CREATE FUNCTION identity.add_member(p_organization_id bigint, p_user_id bigint, p_subject text, p_role text DEFAULT 'STAFF')
RETURNS bigint
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_org   identity.organization;
    v_actor identity.actor;
    v_user  bigint;
    v_id    bigint;
BEGIN
    IF identity.role_rank(p_role) IS NULL THEN
        PERFORM core.raise('IDENTITY_INVALID_INPUT', 'p_role must be OWNER, ADMIN or STAFF');
    ELSIF (p_user_id IS NULL) = (p_subject IS NULL) THEN
        PERFORM core.raise('IDENTITY_INVALID_INPUT', 'name the user by p_user_id or by p_subject, not both');
    END IF;
    v_org := identity.lock_organization(p_organization_id);
    v_actor := identity.authorize_member_change(v_org, CASE WHEN p_role = 'STAFF' THEN 'ADMIN' ELSE 'OWNER' END,
                                                format('adding a member as %s', p_role));
    -- only a user of the organization's tenant (the composite foreign keys refuse any other whoever writes)
    IF p_user_id IS NOT NULL THEN
        SELECT u.id INTO v_user FROM identity.user_account u WHERE u.id = p_user_id AND u.tenant_key = v_org.tenant_key;
    ELSE
        SELECT u.id INTO v_user FROM identity.user_account u WHERE u.auth_subject = p_subject AND u.tenant_key = v_org.tenant_key;
    END IF;
    IF v_user IS NULL THEN
        PERFORM core.raise('IDENTITY_UNKNOWN_USER', format('no such user in the tenant of organization %s', v_org.id));
    END IF;
    INSERT INTO identity.membership AS m (organization_id, user_id, tenant_key, role, added_by)
    VALUES (v_org.id, v_user, v_org.tenant_key, p_role, v_actor.user_id)
    ON CONFLICT (organization_id, user_id) DO UPDATE
       SET role = excluded.role, status = 'ACTIVE', added_by = excluded.added_by, updated_at = now()
     WHERE m.status = 'REMOVED'
    RETURNING m.id INTO v_id;
    IF v_id IS NULL THEN
        PERFORM core.raise('IDENTITY_ALREADY_MEMBER', format('user %s in organization %s', v_user, v_org.id));
    END IF;
    RETURN v_id;
END
$$;
COMMENT ON FUNCTION identity.add_member(bigint, bigint, text, text) IS
'Add a user of the organization''s tenant as a member with a role; returns the membership id.
The user is named by id or by auth subject; a removed member''s row comes back. Adding STAFF needs ADMIN, adding an ADMIN
or OWNER needs OWNER (or the back office, or identity.manage_users in the tenant). Errors: IDENTITY_INVALID_INPUT,
IDENTITY_UNKNOWN_ORGANIZATION, IDENTITY_ORG_ROLE_REQUIRED (403), IDENTITY_UNKNOWN_USER (404, also for a user of another
tenant), IDENTITY_ALREADY_MEMBER (409). Locks the organization row first. Assumes READ COMMITTED.';

CREATE FUNCTION identity.set_member_role(p_organization_id bigint, p_user_id bigint, p_role text)
RETURNS void
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_org    identity.organization;
    v_member identity.membership;
BEGIN
    IF identity.role_rank(p_role) IS NULL THEN
        PERFORM core.raise('IDENTITY_INVALID_INPUT', 'p_role must be OWNER, ADMIN or STAFF');
    END IF;
    v_org := identity.lock_organization(p_organization_id);
    PERFORM identity.authorize_member_change(v_org, 'ADMIN', 'changing a member''s role');
    SELECT m.* INTO v_member FROM identity.membership m
     WHERE m.organization_id = v_org.id AND m.user_id = p_user_id AND m.status = 'ACTIVE';
    IF NOT FOUND THEN
        PERFORM core.raise('IDENTITY_UNKNOWN_MEMBER', format('user %s in organization %s', p_user_id, v_org.id));
    END IF;
    IF v_member.role <> 'STAFF' OR p_role <> 'STAFF' THEN
        PERFORM identity.authorize_member_change(v_org, 'OWNER', format('changing a member from %s to %s', v_member.role, p_role));
    END IF;
    -- the last OWNER's demotion is refused by identity.membership_owner_count_trg (IDENTITY_LAST_OWNER)
    UPDATE identity.membership m SET role = p_role, updated_at = now() WHERE m.id = v_member.id AND m.role <> p_role;
END
$$;
COMMENT ON FUNCTION identity.set_member_role(bigint, bigint, text) IS
'Change a member''s role (OWNER, ADMIN or STAFF).
Among STAFF it needs ADMIN; to or from ADMIN or OWNER it needs OWNER (or the back office, or identity.manage_users in the
tenant). The last OWNER cannot be demoted. Errors: IDENTITY_INVALID_INPUT, IDENTITY_UNKNOWN_ORGANIZATION,
IDENTITY_ORG_ROLE_REQUIRED, IDENTITY_UNKNOWN_MEMBER, IDENTITY_LAST_OWNER (409). Locks the organization row first, so two
owners demoting each other run one after the other. Assumes READ COMMITTED.';

CREATE FUNCTION identity.remove_member(p_organization_id bigint, p_user_id bigint)
RETURNS void
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_org    identity.organization;
    v_actor  identity.actor;
    v_member identity.membership;
BEGIN
    v_org := identity.lock_organization(p_organization_id);
    v_actor := identity.authorize_member_change(v_org, 'STAFF', 'removing a member');
    SELECT m.* INTO v_member FROM identity.membership m
     WHERE m.organization_id = v_org.id AND m.user_id = p_user_id AND m.status = 'ACTIVE';
    IF NOT FOUND THEN
        PERFORM core.raise('IDENTITY_UNKNOWN_MEMBER', format('user %s in organization %s', p_user_id, v_org.id));
    END IF;
    IF v_actor.user_id IS DISTINCT FROM p_user_id THEN   -- anyone may leave; removing another needs a role above theirs
        PERFORM identity.authorize_member_change(v_org, CASE WHEN v_member.role = 'STAFF' THEN 'ADMIN' ELSE 'OWNER' END,
                                                 format('removing a member who is %s', v_member.role));
    END IF;
    -- the last OWNER's removal is refused by identity.membership_owner_count_trg (IDENTITY_LAST_OWNER)
    UPDATE identity.membership m SET status = 'REMOVED', updated_at = now() WHERE m.id = v_member.id;
END
$$;
COMMENT ON FUNCTION identity.remove_member(bigint, bigint) IS
'Remove a member of an organization (status REMOVED; the row and its audit trail stay).
A member may leave; removing STAFF needs ADMIN, removing an ADMIN or OWNER needs OWNER (or the back office, or
identity.manage_users in the tenant). The last OWNER cannot go. Errors: IDENTITY_UNKNOWN_ORGANIZATION,
IDENTITY_ORG_ROLE_REQUIRED, IDENTITY_UNKNOWN_MEMBER, IDENTITY_LAST_OWNER (409). Locks the organization row first. Assumes
READ COMMITTED.';

CREATE FUNCTION identity.set_organization_status(p_organization_id bigint, p_status text)
RETURNS void
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_org identity.organization;
BEGIN
    IF p_status IS NULL OR p_status NOT IN ('ACTIVE', 'SUSPENDED', 'CLOSED') THEN
        PERFORM core.raise('IDENTITY_INVALID_INPUT', 'p_status must be ACTIVE, SUSPENDED or CLOSED');
    END IF;
    v_org := identity.lock_organization(p_organization_id);
    PERFORM identity.require_permission('identity.manage_users', v_org.tenant_id);
    UPDATE identity.organization o SET status = p_status, updated_at = now() WHERE o.id = v_org.id AND o.status <> p_status;
END
$$;
COMMENT ON FUNCTION identity.set_organization_status(bigint, text) IS
'Suspend, close or reactivate an organization.
Nobody acts for one that is not ACTIVE (its members still see it). Needs identity.manage_users in its tenant (or the back
office). Errors: IDENTITY_INVALID_INPUT, IDENTITY_UNKNOWN_ORGANIZATION, IDENTITY_PERMISSION_DENIED. Assumes READ COMMITTED.';

CREATE FUNCTION identity.my_organizations()
RETURNS TABLE (organization_id bigint, kind text, name text, status text, role text, member_since timestamptz)
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_actor identity.actor := identity.require_user();
BEGIN
    RETURN QUERY
    SELECT o.id, o.kind, o.name, o.status, m.role, m.created_at
      FROM identity.membership m
      JOIN identity.organization o ON o.id = m.organization_id
     WHERE m.user_id = v_actor.user_id AND m.status = 'ACTIVE'
     ORDER BY o.id;
END
$$;
COMMENT ON FUNCTION identity.my_organizations() IS
'The organizations the calling user is an active member of, with its role in each.
Whatever the "org" claim says: this is the list to pick the claim from. Errors: IDENTITY_NOT_AUTHENTICATED,
IDENTITY_USER_INACTIVE.';

CREATE FUNCTION identity.organization_members(p_organization_id bigint)
RETURNS TABLE (user_id bigint, display_name text, user_type text, role text, member_since timestamptz)
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_org   identity.organization;
    v_actor identity.actor;
BEGIN
    SELECT o.* INTO v_org FROM identity.organization o WHERE o.id = p_organization_id;
    IF NOT identity.is_service() THEN
        v_actor := identity.require_user();
        IF v_org.id IS NULL OR NOT (
               EXISTS (SELECT 1 FROM identity.membership m
                        WHERE m.organization_id = v_org.id AND m.user_id = v_actor.user_id AND m.status = 'ACTIVE')
               OR identity.has_permission(v_actor.user_id, 'identity.manage_users', v_org.tenant_id)) THEN
            PERFORM core.raise('IDENTITY_UNKNOWN_ORGANIZATION', format('organization %s', p_organization_id));
        END IF;
    ELSIF v_org.id IS NULL THEN
        PERFORM core.raise('IDENTITY_UNKNOWN_ORGANIZATION', format('organization %s', p_organization_id));
    END IF;
    RETURN QUERY
    SELECT u.id, u.display_name, u.user_type, m.role, m.created_at
      FROM identity.membership m
      JOIN identity.user_account u ON u.id = m.user_id
     WHERE m.organization_id = v_org.id AND m.status = 'ACTIVE'
     ORDER BY identity.role_rank(m.role) DESC, u.id;
END
$$;
COMMENT ON FUNCTION identity.organization_members(bigint) IS
'The active members of an organization with their roles, OWNERs first.
For its own members (any role, whatever the "org" claim says), identity.manage_users in its tenant, and the back office.
Errors: IDENTITY_NOT_AUTHENTICATED, IDENTITY_UNKNOWN_ORGANIZATION (also for a non-member: answered alike).';

-- API roles reach these through the api wrappers (SECURITY DEFINER); the row-level security helper
-- identity.my_organization_ids() is in schemas/identity/rls.

COMMIT;
