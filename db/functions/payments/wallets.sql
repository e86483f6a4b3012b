-- Deploy mercato:functions/payments/wallets to pg
-- Wallets (docs/payments.md): opened per owner and currency on the ledger (payments.wallet_for), existing accounts of
-- other products registered (payments.register_wallet: Movello's business and provider wallets), who may use a wallet
-- (payments.require_wallet), KYC levels (payments.set_kyc_level, the back office) and the limits in force for a wallet.

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

CREATE OR REPLACE FUNCTION payments.wallet_for(p_owner_type text, p_owner_id bigint, p_currency text)
RETURNS bigint
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_account bigint;
BEGIN
    SELECT account_id INTO v_account FROM payments.wallet
     WHERE currency = p_currency
       AND CASE p_owner_type WHEN 'USER' THEN user_id = p_owner_id WHEN 'ORG' THEN organization_id = p_owner_id END;
    IF FOUND THEN
        RETURN v_account;
    END IF;
    IF p_owner_type IS NULL OR p_owner_type NOT IN ('USER', 'ORG') OR p_owner_id IS NULL THEN
        PERFORM core.raise('PAYMENTS_INVALID_INPUT', 'owner_type must be USER or ORG, with an owner id');
    ELSIF p_owner_type = 'USER' AND NOT EXISTS (SELECT FROM identity.user_account WHERE id = p_owner_id) THEN
        PERFORM core.raise('IDENTITY_UNKNOWN_USER', format('user %s', p_owner_id));
    ELSIF p_owner_type = 'ORG' AND NOT EXISTS (SELECT FROM identity.organization WHERE id = p_owner_id) THEN
        PERFORM core.raise('IDENTITY_UNKNOWN_ORGANIZATION', format('organization %s', p_owner_id));
    END IF;
    v_account := ledger.open_account(p_owner_type, p_owner_id::text, 'MAIN', p_currency);
    INSERT INTO payments.wallet (account_id, owner_type, user_id, organization_id, currency)
    VALUES (v_account, p_owner_type, CASE WHEN p_owner_type = 'USER' THEN p_owner_id END,
            CASE WHEN p_owner_type = 'ORG' THEN p_owner_id END, p_currency)
    ON CONFLICT DO NOTHING;
    RETURN v_account;
END
$$;
COMMENT ON FUNCTION payments.wallet_for(text, bigint, text) IS
'The wallet (ledger MAIN account id) of a user (USER) or organization (ORG) in a currency, opened on first use
(idempotent, concurrent callers get the same account). Internal: callers check who may use it (payments.require_wallet).
Errors: PAYMENTS_INVALID_INPUT, IDENTITY_UNKNOWN_USER, IDENTITY_UNKNOWN_ORGANIZATION, MASTERDATA_UNKNOWN_CURRENCY.';

CREATE OR REPLACE FUNCTION payments.register_wallet(p_account_id bigint, p_organization_id bigint)
RETURNS bigint
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_account ledger.account;
    v_wallet  payments.wallet;
BEGIN
    SELECT * INTO v_account FROM ledger.account WHERE id = p_account_id;
    IF NOT FOUND OR v_account.purpose <> 'MAIN' THEN
        PERFORM core.raise('PAYMENTS_INVALID_INPUT', format('account %s is no MAIN ledger account', p_account_id));
    ELSIF NOT EXISTS (SELECT FROM identity.organization WHERE id = p_organization_id) THEN
        PERFORM core.raise('IDENTITY_UNKNOWN_ORGANIZATION', format('organization %s', p_organization_id));
    END IF;
    INSERT INTO payments.wallet (account_id, owner_type, organization_id, currency)
    VALUES (p_account_id, 'ORG', p_organization_id, v_account.currency)
    ON CONFLICT DO NOTHING;
    SELECT * INTO v_wallet FROM payments.wallet WHERE account_id = p_account_id;
    IF v_wallet.organization_id IS DISTINCT FROM p_organization_id THEN
        PERFORM core.raise('PAYMENTS_INVALID_INPUT',
                           format('organization %s already has a %s wallet, or account %s belongs to another owner',
                                  p_organization_id, v_account.currency, p_account_id));
    END IF;
    RETURN p_account_id;
END
$$;
COMMENT ON FUNCTION payments.register_wallet(bigint, bigint) IS
'Register an existing MAIN ledger account as an organization''s wallet (a product that opened its parties'' accounts
itself, as Movello''s businesses and providers); idempotent. Internal. Errors: PAYMENTS_INVALID_INPUT,
IDENTITY_UNKNOWN_ORGANIZATION.';

CREATE OR REPLACE FUNCTION payments.require_wallet(p_account_id bigint, p_min_role text DEFAULT 'ADMIN')
RETURNS payments.wallet
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_wallet payments.wallet;
    v_actor  identity.actor;
BEGIN
    SELECT * INTO v_wallet FROM payments.wallet WHERE account_id = p_account_id;
    IF identity.is_service() AND FOUND THEN
        RETURN v_wallet;
    END IF;
    v_actor := identity.require_user();
    IF NOT FOUND
       OR (v_wallet.owner_type = 'USER' AND v_wallet.user_id <> v_actor.user_id)
       OR (v_wallet.owner_type = 'ORG' AND NOT identity.acts_for(v_wallet.organization_id, p_min_role)) THEN
        PERFORM core.raise('PAYMENTS_UNKNOWN_WALLET', format('wallet %s', p_account_id));
    END IF;
    RETURN v_wallet;
END
$$;
COMMENT ON FUNCTION payments.require_wallet(bigint, text) IS
'The wallet, if the caller may use it: a user''s own wallet, an organization''s wallet to its members of at least
p_min_role (STAFF < ADMIN < OWNER; reads ask STAFF, money out ADMIN), any wallet to the back office (service role).
Errors: IDENTITY_NOT_AUTHENTICATED, IDENTITY_USER_INACTIVE, PAYMENTS_UNKNOWN_WALLET (404, also for a wallet of
somebody else).';

CREATE OR REPLACE FUNCTION payments.kyc_level_of(p_account_id bigint)
RETURNS smallint
LANGUAGE sql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
SELECT coalesce((SELECT k.level FROM payments.kyc k
                  WHERE (w.owner_type = 'USER' AND k.user_id = w.user_id)
                     OR (w.owner_type = 'ORG' AND k.organization_id = w.organization_id)), 0)::smallint
  FROM payments.wallet w
 WHERE w.account_id = p_account_id
$$;
COMMENT ON FUNCTION payments.kyc_level_of(bigint) IS
'The KYC level (0..3) of a wallet''s owner: 0 without a payments.kyc row; NULL for an unknown wallet.';

CREATE OR REPLACE FUNCTION payments.set_kyc_level(p_owner_type text, p_owner_id bigint, p_level integer,
                                                  p_note text DEFAULT '')
RETURNS void
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_actor identity.actor := identity.require_permission('payments.manage');
BEGIN
    IF p_level IS NULL OR p_level NOT BETWEEN 0 AND 3 THEN
        PERFORM core.raise('PAYMENTS_INVALID_INPUT', 'level must be 0, 1, 2 or 3');
    ELSIF p_note IS NULL OR length(p_note) > 500 THEN
        PERFORM core.raise('PAYMENTS_INVALID_INPUT', 'note must be at most 500 characters');
    ELSIF p_owner_type IS NULL OR p_owner_type NOT IN ('USER', 'ORG') OR p_owner_id IS NULL THEN
        PERFORM core.raise('PAYMENTS_INVALID_INPUT', 'owner_type must be USER or ORG, with an owner id');
    ELSIF p_owner_type = 'USER' AND NOT EXISTS (SELECT FROM identity.user_account WHERE id = p_owner_id) THEN
        PERFORM core.raise('IDENTITY_UNKNOWN_USER', format('user %s', p_owner_id));
    ELSIF p_owner_type = 'ORG' AND NOT EXISTS (SELECT FROM identity.organization WHERE id = p_owner_id) THEN
        PERFORM core.raise('IDENTITY_UNKNOWN_ORGANIZATION', format('organization %s', p_owner_id));
    END IF;
    IF p_owner_type = 'USER' THEN
        INSERT INTO payments.kyc (user_id, level, note, set_by) VALUES (p_owner_id, p_level, p_note, v_actor.user_id)
        ON CONFLICT (user_id) DO UPDATE SET level = EXCLUDED.level, note = EXCLUDED.note, set_by = EXCLUDED.set_by,
                                            set_at = now();
    ELSE
        INSERT INTO payments.kyc (organization_id, level, note, set_by)
        VALUES (p_owner_id, p_level, p_note, v_actor.user_id)
        ON CONFLICT (organization_id) DO UPDATE SET level = EXCLUDED.level, note = EXCLUDED.note,
                                                    set_by = EXCLUDED.set_by, set_at = now();
    END IF;
END
$$;
COMMENT ON FUNCTION payments.set_kyc_level(text, bigint, integer, text) IS
'Set the KYC level (0..3) of a user (USER) or organization (ORG), with a note; audited. Needs payments.manage (or the
service role). Errors: IDENTITY_PERMISSION_DENIED, PAYMENTS_INVALID_INPUT, IDENTITY_UNKNOWN_USER,
IDENTITY_UNKNOWN_ORGANIZATION.';

CREATE OR REPLACE FUNCTION payments.wallet_limits(p_account_id bigint, p_at timestamptz DEFAULT now())
RETURNS jsonb
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_wallet payments.wallet;
    v_level  smallint;
    v_policy masterdata.policy_version;
    v_limits jsonb;
BEGIN
    SELECT * INTO v_wallet FROM payments.wallet WHERE account_id = p_account_id;
    IF NOT FOUND THEN
        PERFORM core.raise('PAYMENTS_UNKNOWN_WALLET', format('wallet %s', p_account_id));
    END IF;
    v_level := payments.kyc_level_of(p_account_id);
    v_policy := masterdata.policy_in_force('PAYMENTS_WALLET_LIMITS', p_at);
    v_limits := v_policy.body -> v_wallet.currency::text -> v_level::text;
    IF v_limits IS NULL OR jsonb_typeof(v_limits -> 'max_balance') IS DISTINCT FROM 'string'
       OR jsonb_typeof(v_limits -> 'daily_withdrawal') IS DISTINCT FROM 'string' THEN
        PERFORM core.raise('PAYMENTS_LIMITS_UNDEFINED',
                           format('policy PAYMENTS_WALLET_LIMITS version %s: no limits for %s at KYC level %s',
                                  v_policy.version, v_wallet.currency, v_level));
    END IF;
    RETURN jsonb_build_object('wallet_id', p_account_id, 'currency', v_wallet.currency, 'kyc_level', v_level,
                              'max_balance', v_limits ->> 'max_balance',
                              'daily_withdrawal', v_limits ->> 'daily_withdrawal',
                              'policy_version', v_policy.version);
END
$$;
COMMENT ON FUNCTION payments.wallet_limits(bigint, timestamptz) IS
'The limits in force for a wallet: its owner''s KYC level and, from the policy PAYMENTS_WALLET_LIMITS, the maximum
balance and the withdrawals allowed per UTC day (amounts as text), with the policy version. Errors:
PAYMENTS_UNKNOWN_WALLET, MASTERDATA_NO_POLICY_IN_FORCE, PAYMENTS_LIMITS_UNDEFINED.';

CREATE OR REPLACE FUNCTION payments.open_wallet(p_currency text, p_organization_id bigint DEFAULT NULL)
RETURNS bigint
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_actor identity.actor := identity.require_user();
BEGIN
    IF p_organization_id IS NULL THEN
        RETURN payments.wallet_for('USER', v_actor.user_id, p_currency);
    ELSIF NOT identity.acts_for(p_organization_id, 'ADMIN') THEN
        PERFORM core.raise('IDENTITY_UNKNOWN_ORGANIZATION', format('organization %s', p_organization_id));
    END IF;
    RETURN payments.wallet_for('ORG', p_organization_id, p_currency);
END
$$;
COMMENT ON FUNCTION payments.open_wallet(text, bigint) IS
'Open (or find) the caller''s wallet in a currency, or, with p_organization_id, the wallet of an organization it acts
for as ADMIN or OWNER; returns the wallet id (its ledger account). Errors: IDENTITY_NOT_AUTHENTICATED,
IDENTITY_USER_INACTIVE, IDENTITY_UNKNOWN_ORGANIZATION, MASTERDATA_UNKNOWN_CURRENCY.';

CREATE OR REPLACE FUNCTION payments.my_wallets()
RETURNS TABLE (wallet_id bigint, owner_type text, user_id bigint, organization_id bigint, currency text,
               balance numeric, held numeric, available numeric, status text, kyc_level smallint)
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_actor identity.actor := identity.require_user();
BEGIN
    RETURN QUERY
    SELECT w.account_id, w.owner_type, w.user_id, w.organization_id, w.currency::text, b.balance, b.held, b.available,
           b.status, payments.kyc_level_of(w.account_id)
      FROM payments.wallet w
      CROSS JOIN LATERAL ledger.account_balance(w.account_id) b
     WHERE w.user_id = v_actor.user_id
        OR w.organization_id IN (SELECT m.organization_id FROM identity.membership m
                                  WHERE m.user_id = v_actor.user_id AND m.status = 'ACTIVE')
           AND identity.acts_for(w.organization_id, 'STAFF')
     ORDER BY w.account_id;
END
$$;
COMMENT ON FUNCTION payments.my_wallets() IS
'The caller''s wallets and those of the organizations it acts for (with the JWT claim "org", that one only), with
balance, held, available (from the ledger), status and KYC level. Errors: IDENTITY_NOT_AUTHENTICATED,
IDENTITY_USER_INACTIVE.';

CREATE OR REPLACE FUNCTION payments.wallet_statement(
    p_wallet_id bigint,
    p_from      timestamptz DEFAULT '-infinity',
    p_to        timestamptz DEFAULT 'infinity',
    p_after_seq bigint DEFAULT 0,
    p_limit     integer DEFAULT 100)
RETURNS TABLE (seq bigint, posted_at timestamptz, amount numeric, balance_before numeric, balance_after numeric,
               reference text, memo text)
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    PERFORM payments.require_wallet(p_wallet_id, 'STAFF');
    RETURN QUERY
    SELECT s.seq, s.posted_at, s.amount, s.balance_before, s.balance_after, s.reference, s.memo
      FROM ledger.statement(p_wallet_id, coalesce(p_from, '-infinity'), coalesce(p_to, 'infinity'), p_after_seq, p_limit) s;
END
$$;
COMMENT ON FUNCTION payments.wallet_statement(bigint, timestamptz, timestamptz, bigint, integer) IS
'A wallet''s statement from the ledger: its entries in [p_from, p_to) after p_after_seq (keyset), at most p_limit, each
with the running balance before and after. The owner, its organization''s members, the back office. Errors:
PAYMENTS_UNKNOWN_WALLET and those of ledger.statement.';

CREATE OR REPLACE FUNCTION payments.my_wallet_limits(p_wallet_id bigint)
RETURNS jsonb
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    PERFORM payments.require_wallet(p_wallet_id, 'STAFF');
    RETURN payments.wallet_limits(p_wallet_id);
END
$$;
COMMENT ON FUNCTION payments.my_wallet_limits(bigint) IS
'The limits in force for a wallet the caller may read (payments.wallet_limits). Errors: PAYMENTS_UNKNOWN_WALLET,
PAYMENTS_LIMITS_UNDEFINED.';

REVOKE ALL ON FUNCTION payments.wallet_for(text, bigint, text), payments.register_wallet(bigint, bigint),
    payments.require_wallet(bigint, text), payments.kyc_level_of(bigint),
    payments.set_kyc_level(text, bigint, integer, text), payments.wallet_limits(bigint, timestamptz),
    payments.open_wallet(text, bigint), payments.my_wallets(),
    payments.wallet_statement(bigint, timestamptz, timestamptz, bigint, integer), payments.my_wallet_limits(bigint) FROM PUBLIC;

COMMIT;
