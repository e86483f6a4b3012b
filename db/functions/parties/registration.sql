-- Deploy mercato:functions/parties/registration to pg
-- Which business or provider is calling, and the rental product's parties: registration, KYB and verification,
-- a business's wallet top-up. (Error codes keep their IDENTITY_ prefix: they were published before the move.)

BEGIN;


INSERT INTO identity.permission (code, description) VALUES
('marketplace.admin', 'Verify businesses, providers, vehicles and insurance; act on any RFQ, contract or delivery.');
INSERT INTO identity.role_permission (role_id, permission_id)
SELECT r.id, p.id FROM identity.role r, identity.permission p
 WHERE r.code = 'PLATFORM_ADMIN' AND p.code = 'marketplace.admin';

INSERT INTO core.error (code, module, sqlstate, message, hint, description) VALUES
('IDENTITY_NOT_A_BUSINESS', 'parties', 'PT403', 'the caller is not a registered business',
 'register the business first (parties.register_business)', 'The calling user owns no business.'),
('IDENTITY_NOT_A_PROVIDER', 'parties', 'PT403', 'the caller is not a registered provider',
 'register the provider first (parties.register_provider)', 'The calling user owns no provider.'),
('IDENTITY_ALREADY_REGISTERED', 'parties', 'PT409', 'the calling user already owns a business or provider',
 NULL, 'A user owns at most one business or one provider.'),
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
    v_business parties.business;
BEGIN
    SELECT * INTO v_business FROM parties.business WHERE user_id = v_actor.user_id;
    IF NOT FOUND THEN
        PERFORM core.raise('IDENTITY_NOT_A_BUSINESS', format('user %s', v_actor.user_id));
    END IF;
    RETURN v_business;
END
$$;
COMMENT ON FUNCTION parties.current_business() IS
'The business owned by the calling user (from request.jwt.claims). Errors: IDENTITY_NOT_AUTHENTICATED,
IDENTITY_USER_INACTIVE, IDENTITY_NOT_A_BUSINESS.';

CREATE FUNCTION parties.current_provider()
RETURNS parties.provider
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_actor    identity.actor := identity.require_user();
    v_provider parties.provider;
BEGIN
    SELECT * INTO v_provider FROM parties.provider WHERE user_id = v_actor.user_id;
    IF NOT FOUND THEN
        PERFORM core.raise('IDENTITY_NOT_A_PROVIDER', format('user %s', v_actor.user_id));
    END IF;
    RETURN v_provider;
END
$$;
COMMENT ON FUNCTION parties.current_provider() IS
'The provider owned by the calling user (from request.jwt.claims). Errors: IDENTITY_NOT_AUTHENTICATED,
IDENTITY_USER_INACTIVE, IDENTITY_NOT_A_PROVIDER.';

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
    v_id    bigint;
BEGIN
    IF v_actor.user_type <> 'BUSINESS' THEN
        PERFORM core.raise('IDENTITY_WRONG_USER_TYPE', format('user %s is %s, not BUSINESS', v_actor.user_id, v_actor.user_type));
    END IF;
    -- One party per user: lock the user row so two concurrent registrations cannot both pass.
    PERFORM 1 FROM identity.user_account WHERE id = v_actor.user_id FOR UPDATE;
    IF EXISTS (SELECT 1 FROM parties.business WHERE user_id = v_actor.user_id)
       OR EXISTS (SELECT 1 FROM parties.provider WHERE user_id = v_actor.user_id) THEN
        PERFORM core.raise('IDENTITY_ALREADY_REGISTERED', format('user %s', v_actor.user_id));
    END IF;
    INSERT INTO parties.business (user_id, tenant_id, name, business_type, tin_number)
    VALUES (v_actor.user_id, v_actor.tenant_id, parties.check_party_text(p_name, 'p_name', 256),
            parties.check_party_text(p_business_type, 'p_business_type', 64), parties.check_tin(p_tin_number))
    RETURNING id INTO v_id;
    UPDATE parties.business
       SET wallet_account_id = ledger.open_account('BUSINESS', v_id::text, 'MAIN', masterdata.setting_text('MARKETPLACE_CURRENCY'))
     WHERE id = v_id;
    RETURN v_id;
END
$$;
COMMENT ON FUNCTION parties.register_business(text, text, text) IS
'A BUSINESS user registers its business (PENDING_KYB, tier STANDARD) and gets its MAIN wallet in the marketplace
currency; returns the business id. Errors: IDENTITY_NOT_AUTHENTICATED, IDENTITY_USER_INACTIVE, IDENTITY_WRONG_USER_TYPE,
IDENTITY_ALREADY_REGISTERED, IDENTITY_PARTY_INVALID. Locks the user row. Assumes READ COMMITTED.';

CREATE FUNCTION parties.register_provider(p_provider_type text, p_name text, p_tin_number text DEFAULT NULL)
RETURNS bigint
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_actor identity.actor := identity.require_user();
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
    INSERT INTO parties.provider (user_id, tenant_id, provider_type, name, tin_number, trust_score)
    VALUES (v_actor.user_id, v_actor.tenant_id, p_provider_type, parties.check_party_text(p_name, 'p_name', 256),
            parties.check_tin(p_tin_number), masterdata.setting_number('TRUST_SCORE_INITIAL')::smallint)
    RETURNING id INTO v_id;
    UPDATE parties.provider
       SET wallet_account_id = ledger.open_account('PROVIDER', v_id::text, 'MAIN', masterdata.setting_text('MARKETPLACE_CURRENCY'))
     WHERE id = v_id;
    RETURN v_id;
END
$$;
COMMENT ON FUNCTION parties.register_provider(text, text, text) IS
'A PROVIDER user registers its provider (INDIVIDUAL, AGENT or COMPANY; PENDING_VERIFICATION, tier BRONZE, trust score
TRUST_SCORE_INITIAL) and gets its MAIN wallet; returns the provider id. Errors: IDENTITY_NOT_AUTHENTICATED,
IDENTITY_USER_INACTIVE, IDENTITY_WRONG_USER_TYPE, IDENTITY_ALREADY_REGISTERED, IDENTITY_PARTY_INVALID.
Locks the user row. Assumes READ COMMITTED.';

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
