-- Deploy mercato:functions/api/payments_wallets to pg
-- The HTTP API of wallets, KYC levels and fees (functions/payments/wallets, functions/payments/fees).

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

CREATE OR REPLACE FUNCTION api.open_wallet(p_currency core.name_text, p_organization_id bigint DEFAULT NULL)
RETURNS bigint LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
RETURN payments.open_wallet(p_currency, p_organization_id);
SELECT core.wrap('api.open_wallet(core.name_text, bigint)', 'payments.open_wallet(text, bigint)',
                 'A signed-in user (its own wallet, or its organization''s as ADMIN or OWNER).', 'mercato_user');

CREATE OR REPLACE FUNCTION api.my_wallets()
RETURNS TABLE (wallet_id bigint, owner_type text, user_id bigint, organization_id bigint, currency text,
               balance numeric, held numeric, available numeric, status text, kyc_level smallint)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    SELECT w.wallet_id, w.owner_type, w.user_id, w.organization_id, w.currency, w.balance, w.held, w.available,
           w.status, w.kyc_level
      FROM payments.my_wallets() w;
END;
SELECT core.wrap('api.my_wallets()', 'payments.my_wallets()', 'A signed-in user.', 'mercato_user');

CREATE OR REPLACE FUNCTION api.wallet_statement(p_wallet_id bigint, p_from core.finite_timestamptz DEFAULT NULL,
                                                p_to core.finite_timestamptz DEFAULT NULL, p_after_seq bigint DEFAULT 0,
                                                p_limit integer DEFAULT 100)
RETURNS TABLE (seq bigint, posted_at timestamptz, amount numeric, balance_before numeric, balance_after numeric,
               reference text, memo text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    SELECT s.seq, s.posted_at, s.amount, s.balance_before, s.balance_after, s.reference, s.memo
      FROM payments.wallet_statement(p_wallet_id, p_from, p_to, p_after_seq, p_limit) s;
END;
SELECT core.wrap('api.wallet_statement(bigint, core.finite_timestamptz, core.finite_timestamptz, bigint, integer)',
                 'payments.wallet_statement(bigint, timestamptz, timestamptz, bigint, integer)',
                 'The wallet''s owner or its organization''s members; back office.', 'mercato_user', 'mercato_service');

CREATE OR REPLACE FUNCTION api.wallet_limits(p_wallet_id bigint)
RETURNS jsonb LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
RETURN payments.my_wallet_limits(p_wallet_id);
SELECT core.wrap('api.wallet_limits(bigint)', 'payments.my_wallet_limits(bigint)',
                 'The wallet''s owner or its organization''s members; back office.', 'mercato_user', 'mercato_service');

CREATE OR REPLACE FUNCTION api.set_kyc_level(p_owner_type core.name_text, p_owner_id bigint, p_level integer,
                                             p_note core.long_text DEFAULT '')
RETURNS void LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    SELECT payments.set_kyc_level(p_owner_type, p_owner_id, p_level, p_note);
END;
SELECT core.wrap('api.set_kyc_level(core.name_text, bigint, integer, core.long_text)',
                 'payments.set_kyc_level(text, bigint, integer, text)',
                 'A payments administrator (payments.manage); back office.', 'mercato_user', 'mercato_service');

CREATE OR REPLACE FUNCTION api.set_fee_rule(p_organization_id bigint, p_operation core.name_text, p_rail core.name_text,
                                            p_currency core.name_text, p_percent numeric, p_fixed numeric DEFAULT 0,
                                            p_min_fee numeric DEFAULT 0, p_max_fee numeric DEFAULT NULL,
                                            p_effective_from core.finite_timestamptz DEFAULT NULL)
RETURNS bigint LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
RETURN payments.set_fee_rule(p_organization_id, p_operation, p_rail, p_currency, p_percent, p_fixed, p_min_fee,
                             p_max_fee, coalesce(p_effective_from, now()));
SELECT core.wrap('api.set_fee_rule(bigint, core.name_text, core.name_text, core.name_text, numeric, numeric, numeric, numeric, core.finite_timestamptz)',
                 'payments.set_fee_rule(bigint, text, text, text, numeric, numeric, numeric, numeric, timestamptz)',
                 'A payments administrator (payments.manage); back office.', 'mercato_user', 'mercato_service');

CREATE OR REPLACE FUNCTION api.fee_quote(p_operation core.name_text, p_rail core.name_text, p_organization_id bigint,
                                         p_currency core.name_text, p_amount numeric)
RETURNS numeric LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
RETURN (payments.fee_quote(p_operation, p_rail, p_organization_id, p_currency, p_amount)).fee;
SELECT core.wrap('api.fee_quote(core.name_text, core.name_text, bigint, core.name_text, numeric)',
                 'payments.fee_quote(text, text, bigint, text, numeric, timestamptz)',
                 'Any signed-in user (the fee before paying); back office.', 'mercato_user', 'mercato_service');

CREATE OR REPLACE FUNCTION api.fee_report(p_organization_id bigint, p_from core.finite_timestamptz,
                                          p_to core.finite_timestamptz)
RETURNS TABLE (organization_id bigint, operation text, rail text, currency text, charges bigint, base_amount numeric,
               fees numeric)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    SELECT r.organization_id, r.operation, r.rail, r.currency, r.charges, r.base_amount, r.fees
      FROM payments.fee_report_for(p_organization_id, p_from, p_to) r;
END;
SELECT core.wrap('api.fee_report(bigint, core.finite_timestamptz, core.finite_timestamptz)',
                 'payments.fee_report_for(bigint, timestamptz, timestamptz)',
                 'A merchant''s ADMIN or OWNER (its own); a payments administrator; back office.',
                 'mercato_user', 'mercato_service');

COMMIT;
