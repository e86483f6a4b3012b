-- Deploy mercato:functions/api/ledger to pg
-- The HTTP API of the ledger: a party reads its own wallets and statements; the back office (mercato_service)
-- posts, holds, reverses, sweeps and checks.

BEGIN;

CREATE FUNCTION api.my_accounts()
RETURNS TABLE (account_id bigint, purpose text, currency text, balance numeric, held numeric, available numeric,
               status text)
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_actor identity.actor := identity.require_user();
BEGIN
    RETURN QUERY
    SELECT a.id, a.purpose::text, a.currency::text, b.balance, b.held, b.available, b.status
      FROM ledger.account a
      JOIN (SELECT 'BUSINESS' AS owner_type, parties.my_business_id()::text AS owner_id
            UNION ALL
            SELECT 'PROVIDER', parties.my_provider_id()::text) o
        ON o.owner_type = a.owner_type AND o.owner_id = a.owner_id
      CROSS JOIN LATERAL ledger.account_balance(a.id) b
     ORDER BY a.id;
END
$$;
COMMENT ON FUNCTION api.my_accounts() IS
'The ledger accounts (wallets) of the caller''s business or provider, with balance, held and available.
Errors: IDENTITY_NOT_AUTHENTICATED, IDENTITY_USER_INACTIVE.';

CREATE FUNCTION api.my_statement(
    p_account_id bigint,
    p_from       core.finite_timestamptz DEFAULT NULL,
    p_to         core.finite_timestamptz DEFAULT NULL,
    p_after_seq  bigint DEFAULT 0,
    p_limit      integer DEFAULT 100)
RETURNS TABLE (seq bigint, slot smallint, transaction_id bigint, posted_at timestamptz, amount numeric,
               balance_before numeric, balance_after numeric, reference text, memo text)
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_actor identity.actor := identity.require_user();
BEGIN
    -- Someone else's account answers exactly like an unknown one: no existence oracle.
    IF NOT EXISTS (
        SELECT 1 FROM ledger.account a
         WHERE a.id = p_account_id
           AND ((a.owner_type = 'BUSINESS' AND a.owner_id = parties.my_business_id()::text)
             OR (a.owner_type = 'PROVIDER' AND a.owner_id = parties.my_provider_id()::text))) THEN
        PERFORM core.raise('LEDGER_UNKNOWN_ACCOUNT', format('account %s', p_account_id));
    END IF;
    -- NULL bounds are open: an api caller never sends (nor needs) an infinity.
    RETURN QUERY SELECT * FROM ledger.statement(p_account_id, coalesce(p_from, '-infinity'), coalesce(p_to, 'infinity'),
                                                p_after_seq, p_limit);
END
$$;
COMMENT ON FUNCTION api.my_statement(bigint, core.finite_timestamptz, core.finite_timestamptz, bigint, integer) IS
'A page of the statement of one of the caller''s own accounts (entries in [p_from, p_to), after p_after_seq; a NULL
bound is open). Another party''s account is answered as unknown. Errors: IDENTITY_NOT_AUTHENTICATED, LEDGER_UNKNOWN_ACCOUNT,
CORE_INVALID_ARGUMENT.';

-- Back office: thin SECURITY DEFINER wrappers over the ledger, callable by mercato_service only.
CREATE FUNCTION api.open_account(
    p_owner_type core.name_text, p_owner_id core.name_text, p_purpose core.name_text, p_currency core.name_text, p_allow_negative boolean DEFAULT false,
    p_overdraft_limit numeric DEFAULT 0, p_receive_only boolean DEFAULT false, p_slots integer DEFAULT 1,
    p_metadata core.json_doc DEFAULT '{}')
RETURNS bigint LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
RETURN ledger.open_account(p_owner_type, p_owner_id, p_purpose, p_currency, p_allow_negative, p_overdraft_limit,
                           p_receive_only, p_slots, p_metadata);
SELECT core.wrap('api.open_account(core.name_text, core.name_text, core.name_text, core.name_text, boolean, numeric, boolean, integer, core.json_doc)', 'ledger.open_account(text, text, text, text, boolean, numeric, boolean, integer, jsonb)',
                 'Back office: mercato_service only.', 'mercato_service');

CREATE FUNCTION api.set_account_status(p_account_id bigint, p_status core.name_text)
RETURNS void LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    SELECT ledger.set_account_status(p_account_id, p_status);
END;
SELECT core.wrap('api.set_account_status(bigint, core.name_text)', 'ledger.set_account_status(bigint, text)',
                 'Back office: mercato_service only.', 'mercato_service');

CREATE FUNCTION api.transfer(p_reference core.name_text, p_debit_account_id bigint, p_credit_account_id bigint, p_amount numeric,
                             p_memo core.long_text DEFAULT NULL, p_metadata core.json_doc DEFAULT '{}')
RETURNS bigint LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
RETURN ledger.transfer(p_reference, p_debit_account_id, p_credit_account_id, p_amount, p_memo, p_metadata);
SELECT core.wrap('api.transfer(core.name_text, bigint, bigint, numeric, core.long_text, core.json_doc)', 'ledger.transfer(text, bigint, bigint, numeric, text, jsonb)',
                 'Back office: mercato_service only.', 'mercato_service');

CREATE FUNCTION api.post_transaction(p_reference core.name_text, p_legs core.json_doc, p_memo core.long_text DEFAULT NULL, p_metadata core.json_doc DEFAULT '{}')
RETURNS bigint LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
RETURN ledger.post(p_reference, p_legs, p_memo, p_metadata);
SELECT core.wrap('api.post_transaction(core.name_text, core.json_doc, core.long_text, core.json_doc)', 'ledger.post(text, jsonb, text, jsonb)',
                 'Back office: mercato_service only.', 'mercato_service');

CREATE FUNCTION api.post_batch(p_transfers core.json_batch)
RETURNS TABLE (reference text, transaction_id bigint) LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    SELECT b.reference, b.transaction_id FROM ledger.post_batch(p_transfers) b;
END;
SELECT core.wrap('api.post_batch(core.json_batch)', 'ledger.post_batch(jsonb)',
                 'Back office: mercato_service only.', 'mercato_service');

CREATE FUNCTION api.create_hold(p_reference core.name_text, p_account_id bigint, p_amount numeric,
                                p_expires_at core.finite_timestamptz DEFAULT NULL, p_memo core.long_text DEFAULT NULL)
RETURNS bigint LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
RETURN ledger.create_hold(p_reference, p_account_id, p_amount, p_expires_at, p_memo);
SELECT core.wrap('api.create_hold(core.name_text, bigint, numeric, core.finite_timestamptz, core.long_text)', 'ledger.create_hold(text, bigint, numeric, timestamptz, text)',
                 'Back office: mercato_service only.', 'mercato_service');

CREATE FUNCTION api.capture_hold(p_reference core.name_text, p_hold_id bigint, p_destinations core.json_doc, p_memo core.long_text DEFAULT NULL)
RETURNS bigint LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
RETURN ledger.capture_hold(p_reference, p_hold_id, p_destinations, p_memo);
SELECT core.wrap('api.capture_hold(core.name_text, bigint, core.json_doc, core.long_text)', 'ledger.capture_hold(text, bigint, jsonb, text)',
                 'Back office: mercato_service only.', 'mercato_service');

CREATE FUNCTION api.release_hold(p_reference core.name_text, p_hold_id bigint)
RETURNS void LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    SELECT ledger.release_hold(p_reference, p_hold_id);
END;
SELECT core.wrap('api.release_hold(core.name_text, bigint)', 'ledger.release_hold(text, bigint)',
                 'Back office: mercato_service only.', 'mercato_service');

CREATE FUNCTION api.expire_holds(p_limit integer DEFAULT 1000)
RETURNS integer LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
RETURN ledger.expire_holds(p_limit);
SELECT core.wrap('api.expire_holds(integer)', 'ledger.expire_holds(integer)',
                 'Back office: mercato_service only.', 'mercato_service');

CREATE FUNCTION api.reverse_transaction(p_reference core.name_text, p_transaction_id bigint, p_memo core.long_text DEFAULT NULL)
RETURNS bigint LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
RETURN ledger.reverse(p_reference, p_transaction_id, p_memo);
SELECT core.wrap('api.reverse_transaction(core.name_text, bigint, core.long_text)', 'ledger.reverse(text, bigint, text)',
                 'Back office: mercato_service only.', 'mercato_service');

CREATE FUNCTION api.account_balance(p_account_id bigint)
RETURNS TABLE (account_id bigint, currency text, balance numeric, held numeric, available numeric, status text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    SELECT b.account_id, b.currency, b.balance, b.held, b.available, b.status FROM ledger.account_balance(p_account_id) b;
END;
SELECT core.wrap('api.account_balance(bigint)', 'ledger.account_balance(bigint)',
                 'Back office: mercato_service only.', 'mercato_service');

CREATE FUNCTION api.balance_at(p_account_id bigint, p_at core.finite_timestamptz)
RETURNS numeric LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
RETURN ledger.balance_at(p_account_id, p_at);
SELECT core.wrap('api.balance_at(bigint, core.finite_timestamptz)', 'ledger.balance_at(bigint, timestamptz)',
                 'Back office: mercato_service only.', 'mercato_service');

CREATE FUNCTION api.account_statement(p_account_id bigint, p_from core.finite_timestamptz DEFAULT NULL,
                                      p_to core.finite_timestamptz DEFAULT NULL, p_after_seq bigint DEFAULT 0,
                                      p_limit integer DEFAULT 100)
RETURNS TABLE (seq bigint, slot smallint, transaction_id bigint, posted_at timestamptz, amount numeric,
               balance_before numeric, balance_after numeric, reference text, memo text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    SELECT s.seq, s.slot, s.transaction_id, s.posted_at, s.amount, s.balance_before, s.balance_after, s.reference, s.memo
      FROM ledger.statement(p_account_id, coalesce(p_from, '-infinity'), coalesce(p_to, 'infinity'), p_after_seq, p_limit) s;
END;
SELECT core.wrap('api.account_statement(bigint, core.finite_timestamptz, core.finite_timestamptz, bigint, integer)', 'ledger.statement(bigint, timestamptz, timestamptz, bigint, integer)',
                 'Back office: mercato_service only.', 'mercato_service');

CREATE FUNCTION api.ledger_check()
RETURNS TABLE (check_name text, ok boolean, violations bigint, sample jsonb)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    SELECT c.check_name, c.ok, c.violations, c.sample FROM ledger.check() c;
END;
SELECT core.wrap('api.ledger_check()', 'ledger.check()',
                 'Back office: mercato_service only.', 'mercato_service');

GRANT EXECUTE ON FUNCTION api.my_accounts(), api.my_statement(bigint, core.finite_timestamptz, core.finite_timestamptz, bigint, integer)
    TO mercato_user;

COMMIT;
