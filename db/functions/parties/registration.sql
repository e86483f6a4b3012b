-- Deploy mercato:functions/parties/registration to pg
-- Which business or provider is calling (the organization the caller acts for: identity.acting_organization), the
-- roles its members act with (parties.acts_for_business / acts_for_provider), and the rental product's parties:
-- registration (an organization with the caller as OWNER), KYB and verification, a business's wallet top-up.
-- (Error codes keep their IDENTITY_ prefix: they were published before the move.)

BEGIN;


INSERT INTO identity.permission (code, description) VALUES
('marketplace.admin', 'Verify businesses, providers, vehicles and insurance; act on any RFQ, contract or delivery.');
INSERT INTO identity.role_permission (role_id, permission_id)
SELECT r.id, p.id FROM identity.role r, identity.permission p
 WHERE r.code = 'PLATFORM_ADMIN' AND p.code = 'marketplace.admin';

INSERT INTO core.error (code, module, sqlstate, message, hint, description) VALUES
('IDENTITY_NOT_A_BUSINESS', 'parties', 'PT403', 'the caller is not a registered business',
 'register the business first (parties.register_business), or be added to one as a member',
 'The calling user acts for no business: no active membership of one, or the "org" claim names another organization.'),
('IDENTITY_NOT_A_PROVIDER', 'parties', 'PT403', 'the caller is not a registered provider',
 'register the provider first (parties.register_provider), or be added to one as a member',
 'The calling user acts for no provider: no active membership of one, or the "org" claim names another organization.'),
('IDENTITY_ALREADY_REGISTERED', 'parties', 'PT409', 'the calling user already owns a business or provider',
 NULL, 'A user registers at most one business or one provider (it may be a member of others).'),
('IDENTITY_WRONG_USER_TYPE', 'parties', 'PT403', 'this user type cannot do that',
 NULL, 'Only BUSINESS users register businesses and only PROVIDER users register providers.'),
('IDENTITY_UNKNOWN_BUSINESS', 'parties', 'PT404', 'no such business', NULL, 'The business id does not exist.'),
('IDENTITY_UNKNOWN_PROVIDER', 'parties', 'PT404', 'no such provider', NULL, 'The provider id does not exist.'),
('IDENTITY_PARTY_INVALID', 'parties', 'PT400', 'a business, provider, vehicle or insurance field is malformed',
 NULL, 'The detail names the field and what it must be.');

CREATE FUNCTION parties.is_marketplace_admin()
RETURNS boolean
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_actor identity.actor;
BEGIN
    IF identity.is_service() THEN
        RETURN true;
    END IF;
    v_actor := identity.current_actor();
    RETURN v_actor.user_id IS NOT NULL AND v_actor.status = 'ACTIVE'
       AND identity.has_permission(v_actor.user_id, 'marketplace.admin');
END
$$;
COMMENT ON FUNCTION parties.is_marketplace_admin() IS
'True when the caller is the service role or an active user holding marketplace.admin (platform-wide).';

CREATE FUNCTION parties.current_business()
RETURNS parties.business
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_actor    identity.actor := identity.require_user();
    v_org      bigint := identity.acting_organization('BUSINESS');
    v_business parties.business;
BEGIN
    SELECT * INTO v_business FROM parties.business b WHERE b.organization_id = v_org;
    IF NOT FOUND THEN
        PERFORM core.raise('IDENTITY_NOT_A_BUSINESS', format('user %s acts for no business', v_actor.user_id));
    END IF;
    RETURN v_business;
END
$$;
COMMENT ON FUNCTION parties.current_business() IS
'The business the calling user acts for (from request.jwt.claims), whatever its role there.
The organization its "org" claim names, else its only business membership (identity.acting_organization). Errors:
IDENTITY_NOT_AUTHENTICATED, IDENTITY_USER_INACTIVE, IDENTITY_ORG_CLAIM_INVALID, IDENTITY_NOT_A_MEMBER,
IDENTITY_ORG_INACTIVE, IDENTITY_ORG_AMBIGUOUS (400: member of several businesses, no claim), IDENTITY_NOT_A_BUSINESS.';

CREATE FUNCTION parties.current_provider()
RETURNS parties.provider
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_actor    identity.actor := identity.require_user();
    v_org      bigint := identity.acting_organization('PROVIDER');
    v_provider parties.provider;
BEGIN
    SELECT * INTO v_provider FROM parties.provider p WHERE p.organization_id = v_org;
    IF NOT FOUND THEN
        PERFORM core.raise('IDENTITY_NOT_A_PROVIDER', format('user %s acts for no provider', v_actor.user_id));
    END IF;
    RETURN v_provider;
END
$$;
COMMENT ON FUNCTION parties.current_provider() IS
'The provider the calling user acts for (from request.jwt.claims), whatever its role there.
The organization its "org" claim names, else its only provider membership (identity.acting_organization). Errors:
IDENTITY_NOT_AUTHENTICATED, IDENTITY_USER_INACTIVE, IDENTITY_ORG_CLAIM_INVALID, IDENTITY_NOT_A_MEMBER,
IDENTITY_ORG_INACTIVE, IDENTITY_ORG_AMBIGUOUS (400: member of several providers, no claim), IDENTITY_NOT_A_PROVIDER.';

CREATE FUNCTION parties.acts_for_business(p_business_id bigint, p_min_role text DEFAULT 'STAFF')
RETURNS boolean
LANGUAGE sql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
RETURN coalesce((SELECT identity.acts_for(b.organization_id, p_min_role) FROM parties.business b WHERE b.id = p_business_id),
                identity.acts_for(NULL, p_min_role));
COMMENT ON FUNCTION parties.acts_for_business(bigint, text) IS
'Does the caller act for this business with at least role p_min_role (STAFF < ADMIN < OWNER)?
The one check a module makes before acting on a business''s object (docs/identity.md says which action needs which role):
the object names the business, so no "org" claim is needed, but a claim naming another organization makes it false. False
for an unknown business, a non-member, the back office and marketplace admins (they pass their own checks). Raises only
IDENTITY_INVALID_INPUT for an unknown p_min_role.';

CREATE FUNCTION parties.acts_for_provider(p_provider_id bigint, p_min_role text DEFAULT 'STAFF')
RETURNS boolean
LANGUAGE sql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
RETURN coalesce((SELECT identity.acts_for(p.organization_id, p_min_role) FROM parties.provider p WHERE p.id = p_provider_id),
                identity.acts_for(NULL, p_min_role));
COMMENT ON FUNCTION parties.acts_for_provider(bigint, text) IS
'Does the caller act for this provider with at least role p_min_role (STAFF < ADMIN < OWNER)?
As parties.acts_for_business, for a provider''s objects (vehicles, bids, assignments, settlements); docs/identity.md.';

CREATE FUNCTION parties.party_organization_trg()
RETURNS trigger
LANGUAGE plpgsql
VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_kind text := CASE TG_TABLE_NAME WHEN 'business' THEN 'BUSINESS' WHEN 'provider' THEN 'PROVIDER' END;
    v_org  identity.organization;
BEGIN
    IF TG_OP = 'INSERT' AND NEW.organization_id IS NULL THEN
        NEW.tenant_id := coalesce(NEW.tenant_id, (SELECT u.tenant_id FROM identity.user_account u WHERE u.id = NEW.user_id));
        NEW.organization_id := identity.open_organization(v_kind, NEW.tenant_id, NEW.name, NEW.user_id);
        RETURN NEW;
    END IF;
    SELECT o.* INTO v_org FROM identity.organization o WHERE o.id = NEW.organization_id;
    IF v_org.kind IS DISTINCT FROM v_kind OR v_org.tenant_id IS DISTINCT FROM NEW.tenant_id THEN
        PERFORM core.raise('IDENTITY_PARTY_INVALID', format('organization %s is not a %s of tenant %s', NEW.organization_id,
                                                            v_kind, coalesce(NEW.tenant_id::text, '(none)')));
    END IF;
    RETURN NEW;
END
$$;
COMMENT ON FUNCTION parties.party_organization_trg() IS
'Trigger: a business is an organization of kind BUSINESS of its tenant, a provider one of kind PROVIDER.
BEFORE INSERT, UPDATE OF organization_id, tenant_id on parties.business and parties.provider (IDENTITY_PARTY_INVALID
otherwise). A row inserted without organization_id (loaded by the owner: fixtures, benchmarks) gets one here, with its
user as OWNER and the user''s tenant when tenant_id is NULL; registration opens it itself.';

CREATE TRIGGER business_organization BEFORE INSERT OR UPDATE OF organization_id, tenant_id ON parties.business
    FOR EACH ROW EXECUTE FUNCTION parties.party_organization_trg();
CREATE TRIGGER provider_organization BEFORE INSERT OR UPDATE OF organization_id, tenant_id ON parties.provider
    FOR EACH ROW EXECUTE FUNCTION parties.party_organization_trg();

CREATE FUNCTION parties.require_admin()
RETURNS void
LANGUAGE plpgsql
STABLE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF NOT parties.is_marketplace_admin() THEN
        PERFORM identity.require_permission('marketplace.admin');
    END IF;
END
$$;
COMMENT ON FUNCTION parties.require_admin() IS
'Insist that the caller is the service role or a marketplace admin. Errors: IDENTITY_NOT_AUTHENTICATED,
IDENTITY_USER_INACTIVE, IDENTITY_PERMISSION_DENIED.';

CREATE FUNCTION parties.check_party_text(p_value text, p_field text, p_max integer, p_required boolean DEFAULT true)
RETURNS text
LANGUAGE plpgsql
IMMUTABLE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF p_value IS NULL OR btrim(p_value) = '' THEN
        IF p_required THEN
            PERFORM core.raise('IDENTITY_PARTY_INVALID', format('%s is required', p_field));
        END IF;
        RETURN NULL;
    ELSIF length(btrim(p_value)) > p_max THEN
        PERFORM core.raise('IDENTITY_PARTY_INVALID', format('%s is longer than %s characters', p_field, p_max));
    END IF;
    RETURN btrim(p_value);
END
$$;
COMMENT ON FUNCTION parties.check_party_text(text, text, integer, boolean) IS
'A trimmed text field, or IDENTITY_PARTY_INVALID when it is missing (and required) or too long.';

CREATE FUNCTION parties.check_tin(p_tin text)
RETURNS text
LANGUAGE plpgsql
IMMUTABLE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF p_tin IS NOT NULL AND p_tin !~ '^[A-Za-z0-9-]{4,64}$' THEN
        PERFORM core.raise('IDENTITY_PARTY_INVALID', 'p_tin_number must be 4-64 letters, digits or dashes');
    END IF;
    RETURN p_tin;
END
$$;
COMMENT ON FUNCTION parties.check_tin(text) IS 'A taxpayer number (4-64 letters, digits, dashes) or IDENTITY_PARTY_INVALID.';

CREATE FUNCTION parties.register_business(p_name text, p_business_type text, p_tin_number text DEFAULT NULL)
RETURNS bigint
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_actor identity.actor := identity.require_user();
    v_name  text;
    v_type  text;
    v_tin   text;
    v_id    bigint;
BEGIN
    IF v_actor.user_type <> 'BUSINESS' THEN
        PERFORM core.raise('IDENTITY_WRONG_USER_TYPE', format('user %s is %s, not BUSINESS', v_actor.user_id, v_actor.user_type));
    END IF;
    -- One party per registering user: lock the user row so two concurrent registrations cannot both pass.
    PERFORM 1 FROM identity.user_account WHERE id = v_actor.user_id FOR UPDATE;
    IF EXISTS (SELECT 1 FROM parties.business WHERE user_id = v_actor.user_id)
       OR EXISTS (SELECT 1 FROM parties.provider WHERE user_id = v_actor.user_id) THEN
        PERFORM core.raise('IDENTITY_ALREADY_REGISTERED', format('user %s', v_actor.user_id));
    END IF;
    v_name := parties.check_party_text(p_name, 'p_name', 256);
    v_type := parties.check_party_text(p_business_type, 'p_business_type', 64);
    v_tin := parties.check_tin(p_tin_number);
    INSERT INTO parties.business (user_id, organization_id, tenant_id, name, business_type, tin_number)
    VALUES (v_actor.user_id, identity.open_organization('BUSINESS', v_actor.tenant_id, v_name, v_actor.user_id),
            v_actor.tenant_id, v_name, v_type, v_tin)
    RETURNING id INTO v_id;
    UPDATE parties.business
       SET wallet_account_id = ledger.open_account('BUSINESS', v_id::text, 'MAIN', masterdata.setting_text('MARKETPLACE_CURRENCY'))
     WHERE id = v_id;
    RETURN v_id;
END
$$;
COMMENT ON FUNCTION parties.register_business(text, text, text) IS
'A BUSINESS user registers its business; returns the business id.
The business starts PENDING_KYB in tier STANDARD; it is an organization of kind BUSINESS with the caller as its OWNER, and
gets its MAIN wallet in the marketplace currency. Errors: IDENTITY_NOT_AUTHENTICATED, IDENTITY_USER_INACTIVE,
IDENTITY_WRONG_USER_TYPE, IDENTITY_ALREADY_REGISTERED, IDENTITY_PARTY_INVALID. Locks the user row. Assumes READ COMMITTED.';

CREATE FUNCTION parties.register_provider(p_provider_type text, p_name text, p_tin_number text DEFAULT NULL)
RETURNS bigint
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_actor identity.actor := identity.require_user();
    v_name  text;
    v_tin   text;
    v_id    bigint;
BEGIN
    IF v_actor.user_type <> 'PROVIDER' THEN
        PERFORM core.raise('IDENTITY_WRONG_USER_TYPE', format('user %s is %s, not PROVIDER', v_actor.user_id, v_actor.user_type));
    END IF;
    IF p_provider_type IS NULL OR p_provider_type NOT IN ('INDIVIDUAL', 'AGENT', 'COMPANY') THEN
        PERFORM core.raise('IDENTITY_PARTY_INVALID', 'p_provider_type must be INDIVIDUAL, AGENT or COMPANY');
    END IF;
    PERFORM 1 FROM identity.user_account WHERE id = v_actor.user_id FOR UPDATE;
    IF EXISTS (SELECT 1 FROM parties.business WHERE user_id = v_actor.user_id)
       OR EXISTS (SELECT 1 FROM parties.provider WHERE user_id = v_actor.user_id) THEN
        PERFORM core.raise('IDENTITY_ALREADY_REGISTERED', format('user %s', v_actor.user_id));
    END IF;
    v_name := parties.check_party_text(p_name, 'p_name', 256);
    v_tin := parties.check_tin(p_tin_number);
    INSERT INTO parties.provider (user_id, organization_id, tenant_id, provider_type, name, tin_number, trust_score)
    VALUES (v_actor.user_id, identity.open_organization('PROVIDER', v_actor.tenant_id, v_name, v_actor.user_id),
            v_actor.tenant_id, p_provider_type, v_name, v_tin, masterdata.setting_number('TRUST_SCORE_INITIAL')::smallint)
    RETURNING id INTO v_id;
    UPDATE parties.provider
       SET wallet_account_id = ledger.open_account('PROVIDER', v_id::text, 'MAIN', masterdata.setting_text('MARKETPLACE_CURRENCY'))
     WHERE id = v_id;
    RETURN v_id;
END
$$;
COMMENT ON FUNCTION parties.register_provider(text, text, text) IS
'A PROVIDER user registers its provider; returns the provider id.
An INDIVIDUAL, AGENT or COMPANY, starting PENDING_VERIFICATION in tier BRONZE with trust score TRUST_SCORE_INITIAL; it is
an organization of kind PROVIDER with the caller as its OWNER, and gets its MAIN wallet. Errors:
IDENTITY_NOT_AUTHENTICATED, IDENTITY_USER_INACTIVE, IDENTITY_WRONG_USER_TYPE, IDENTITY_ALREADY_REGISTERED,
IDENTITY_PARTY_INVALID. Locks the user row. Assumes READ COMMITTED.';

CREATE FUNCTION parties.set_business_kyb(p_business_id bigint, p_status text)
RETURNS void
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    PERFORM parties.require_admin();
    IF p_status IS NULL OR p_status NOT IN ('PENDING_KYB', 'VERIFIED', 'REJECTED', 'SUSPENDED') THEN
        PERFORM core.raise('IDENTITY_PARTY_INVALID', 'p_status must be PENDING_KYB, VERIFIED, REJECTED or SUSPENDED');
    END IF;
    UPDATE parties.business SET kyb_status = p_status, updated_at = now() WHERE id = p_business_id;
    IF NOT FOUND THEN
        PERFORM core.raise('IDENTITY_UNKNOWN_BUSINESS', format('business %s', p_business_id));
    END IF;
END
$$;
COMMENT ON FUNCTION parties.set_business_kyb(bigint, text) IS
'Set a business''s KYB status (only VERIFIED businesses publish RFQs). Caller: marketplace admin or service role.
Errors: IDENTITY_PERMISSION_DENIED, IDENTITY_PARTY_INVALID, IDENTITY_UNKNOWN_BUSINESS. Assumes READ COMMITTED.';

CREATE FUNCTION parties.set_provider_verification(p_provider_id bigint, p_status text)
RETURNS void
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    PERFORM parties.require_admin();
    IF p_status IS NULL OR p_status NOT IN ('PENDING_VERIFICATION', 'VERIFIED', 'REJECTED', 'SUSPENDED') THEN
        PERFORM core.raise('IDENTITY_PARTY_INVALID', 'p_status must be PENDING_VERIFICATION, VERIFIED, REJECTED or SUSPENDED');
    END IF;
    UPDATE parties.provider SET verification_status = p_status, updated_at = now() WHERE id = p_provider_id;
    IF NOT FOUND THEN
        PERFORM core.raise('IDENTITY_UNKNOWN_PROVIDER', format('provider %s', p_provider_id));
    END IF;
END
$$;
COMMENT ON FUNCTION parties.set_provider_verification(bigint, text) IS
'Set a provider''s verification status (only VERIFIED providers bid). Caller: marketplace admin or service role.
Errors: IDENTITY_PERMISSION_DENIED, IDENTITY_PARTY_INVALID, IDENTITY_UNKNOWN_PROVIDER. Assumes READ COMMITTED.';

CREATE FUNCTION parties.top_up_business(p_business_id bigint, p_amount numeric, p_reference text)
RETURNS bigint
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_wallet   bigint;
    v_currency text := masterdata.setting_text('MARKETPLACE_CURRENCY');
BEGIN
    PERFORM parties.require_admin();
    SELECT wallet_account_id INTO v_wallet FROM parties.business WHERE id = p_business_id;
    IF NOT FOUND THEN
        PERFORM core.raise('IDENTITY_UNKNOWN_BUSINESS', format('business %s', p_business_id));
    END IF;
    RETURN ledger.transfer(p_reference, ledger.open_account('PLATFORM', 'bank', 'CLEARING', v_currency, true), v_wallet,
                           p_amount, 'wallet top-up');
END
$$;
COMMENT ON FUNCTION parties.top_up_business(bigint, numeric, text) IS
'Back office: credit a business wallet from the platform''s bank CLEARING account (money received outside Mercato);
returns the ledger transaction. Idempotent on p_reference. Errors: IDENTITY_PERMISSION_DENIED,
IDENTITY_UNKNOWN_BUSINESS and the errors of ledger.transfer. Assumes READ COMMITTED.';

-- API roles reach these through the api wrappers (SECURITY DEFINER). Only parties.is_marketplace_admin() is granted:
-- row-level security policies call it as the querying role.
GRANT EXECUTE ON FUNCTION parties.is_marketplace_admin() TO mercato_user, mercato_service;

COMMIT;
