-- Deploy mercato:functions/payments/fees to pg
-- Fees (docs/payments.md): the catalog and merchant profiles (payments.set_fee_rule, the back office), the fee of an
-- operation computed at its moment (payments.fee_quote), the platform's revenue account per currency, the fee snapshot
-- written with the posting that moved it (payments.record_fee) and the fee report per merchant and period.

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

CREATE OR REPLACE FUNCTION payments.set_fee_rule(
    p_organization_id bigint,
    p_operation       text,
    p_rail            text,
    p_currency        text,
    p_percent         numeric,
    p_fixed           numeric DEFAULT 0,
    p_min_fee         numeric DEFAULT 0,
    p_max_fee         numeric DEFAULT NULL,
    p_effective_from  timestamptz DEFAULT now())
RETURNS bigint
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_actor identity.actor := identity.require_permission('payments.manage');
    v_units smallint := masterdata.currency_minor_units(p_currency);
    v_id    bigint;
BEGIN
    IF p_operation IS NULL OR p_operation NOT IN ('FUNDING', 'WITHDRAWAL', 'PAYMENT', 'PAYOUT') THEN
        PERFORM core.raise('PAYMENTS_INVALID_INPUT', 'operation must be FUNDING, WITHDRAWAL, PAYMENT or PAYOUT');
    ELSIF p_rail IS NOT NULL AND p_rail !~ '^[A-Z][A-Z0-9_-]{0,31}$' THEN
        PERFORM core.raise('PAYMENTS_INVALID_INPUT', 'rail must be a rail code such as MPESA, or null for any rail');
    ELSIF p_percent IS NULL OR p_percent < 0 OR p_percent > 100 OR scale(p_percent) > 4 THEN
        PERFORM core.raise('PAYMENTS_INVALID_INPUT', 'percent must be between 0 and 100, at most 4 decimals');
    ELSIF p_fixed IS NULL OR p_fixed < 0 OR p_fixed >= 1e12 OR scale(p_fixed) > v_units
       OR p_min_fee IS NULL OR p_min_fee < 0 OR p_min_fee >= 1e12 OR scale(p_min_fee) > v_units
       OR (p_max_fee IS NOT NULL AND (p_max_fee < p_min_fee OR p_max_fee >= 1e12 OR scale(p_max_fee) > v_units)) THEN
        PERFORM core.raise('PAYMENTS_INVALID_INPUT',
                           format('fixed, min_fee and max_fee must be amounts in %s (0 <= min_fee <= max_fee)', p_currency));
    ELSIF p_effective_from IS NULL OR p_effective_from < now() THEN
        PERFORM core.raise('PAYMENTS_INVALID_INPUT', 'effective_from must not be in the past: fees are never back-dated');
    ELSIF p_organization_id IS NOT NULL
          AND NOT EXISTS (SELECT FROM identity.organization WHERE id = p_organization_id AND kind = 'MERCHANT') THEN
        PERFORM core.raise('IDENTITY_UNKNOWN_ORGANIZATION', format('merchant %s', p_organization_id));
    END IF;
    INSERT INTO payments.fee_rule (organization_id, operation, rail, currency, percent, fixed, min_fee, max_fee,
                                   effective_from, created_by)
    VALUES (p_organization_id, p_operation, p_rail, p_currency, p_percent, p_fixed, p_min_fee, p_max_fee,
            p_effective_from, v_actor.user_id)
    ON CONFLICT ON CONSTRAINT fee_rule_version_key DO NOTHING
    RETURNING id INTO v_id;
    IF v_id IS NULL THEN
        PERFORM core.raise('PAYMENTS_INVALID_INPUT',
                           format('a %s fee rule for this key already starts at %s', p_operation, p_effective_from));
    END IF;
    RETURN v_id;
END
$$;
COMMENT ON FUNCTION payments.set_fee_rule(bigint, text, text, text, numeric, numeric, numeric, numeric, timestamptz) IS
'Append a fee rule version: the catalog''s (p_organization_id NULL) or a merchant''s profile overriding it, for an
operation (FUNDING, WITHDRAWAL, PAYMENT, PAYOUT), a rail (NULL: any) and a currency, in force from p_effective_from
(now or later) until a later version of the same key starts. Needs payments.manage. Errors: IDENTITY_PERMISSION_DENIED,
PAYMENTS_INVALID_INPUT, MASTERDATA_UNKNOWN_CURRENCY, IDENTITY_UNKNOWN_ORGANIZATION.';

CREATE OR REPLACE FUNCTION payments.fee_quote(
    p_operation       text,
    p_rail            text,
    p_organization_id bigint,
    p_currency        text,
    p_amount          numeric,
    p_at              timestamptz DEFAULT now(),
    OUT fee           numeric,
    OUT fee_rule_id   bigint)
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    r payments.fee_rule;
BEGIN
    SELECT * INTO r FROM payments.fee_rule f
     WHERE f.operation = p_operation AND f.currency = p_currency AND f.effective_from <= p_at
       AND (f.organization_id IS NULL OR f.organization_id = p_organization_id)
       AND (f.rail IS NULL OR f.rail = p_rail)
     ORDER BY f.organization_id IS NULL, f.rail IS NULL, f.effective_from DESC
     LIMIT 1;
    IF NOT FOUND OR p_amount IS NULL OR p_amount <= 0 THEN
        fee := 0;
        RETURN;
    END IF;
    fee := round(p_amount * r.percent / 100, masterdata.currency_minor_units(p_currency)) + r.fixed;
    fee := greatest(fee, r.min_fee);
    IF r.max_fee IS NOT NULL THEN
        fee := least(fee, r.max_fee);
    END IF;
    fee := least(fee, p_amount);   -- a fee never exceeds what it is charged on
    fee_rule_id := r.id;
END
$$;
COMMENT ON FUNCTION payments.fee_quote(text, text, bigint, text, numeric, timestamptz) IS
'The fee of an operation on an amount at an instant: the most specific rule in force (the merchant''s for the rail,
the merchant''s for any rail, the catalog''s for the rail, the catalog''s for any rail), percent of the amount rounded
half away from zero to the currency''s minor units, plus fixed, clamped to [min_fee, max_fee] and to the amount; with
the rule''s id to snapshot. No rule: 0 and NULL. Never raises for a well-typed call.';

CREATE OR REPLACE FUNCTION payments.revenue_account(p_currency text)
RETURNS bigint
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    -- PL/pgSQL, not SQL: a SQL function with SET is never inlined and would plan its query at every call (every fee)
    RETURN ledger.open_account('PLATFORM', 'payments', 'REVENUE', p_currency, p_slots => 16);
END
$$;
COMMENT ON FUNCTION payments.revenue_account(text) IS
'The payments platform''s REVENUE ledger account in a currency (every fee is credited here; a hot account of 16 slots,
credited by every operation at once). Opened on first use.';

CREATE OR REPLACE FUNCTION payments.record_fee(
    p_reference       text,
    p_operation       text,
    p_rail            text,
    p_organization_id bigint,
    p_currency        text,
    p_base_amount     numeric,
    p_fee             numeric,
    p_fee_rule_id     bigint,
    p_subject_type    text,
    p_subject_id      bigint)
RETURNS bigint
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_tx bigint;
    v_id bigint;
BEGIN
    SELECT id INTO v_tx FROM ledger.transaction WHERE reference = p_reference;
    IF NOT FOUND THEN
        PERFORM core.raise('PAYMENTS_INVALID_INPUT', format('no ledger transaction %s moved this fee', p_reference));
    END IF;
    INSERT INTO payments.fee_charge (reference, transaction_id, operation, rail, organization_id, currency, base_amount,
                                     fee, fee_rule_id, subject_type, subject_id)
    VALUES (p_reference, v_tx, p_operation, p_rail, p_organization_id, p_currency, p_base_amount, p_fee,
            p_fee_rule_id, p_subject_type, p_subject_id)
    ON CONFLICT (reference) DO NOTHING
    RETURNING id INTO v_id;
    RETURN coalesce(v_id, (SELECT id FROM payments.fee_charge WHERE reference = p_reference));
END
$$;
COMMENT ON FUNCTION payments.record_fee(text, text, text, bigint, text, numeric, numeric, bigint, text, bigint) IS
'Internal, in the operation''s transaction: snapshot a fee the platform earned (payments.fee_charge) under the ledger
reference of the posting that moved it to the revenue account; idempotent on that reference. Errors:
PAYMENTS_INVALID_INPUT (no such ledger transaction).';

CREATE OR REPLACE FUNCTION payments.fee_report(p_organization_id bigint, p_from timestamptz, p_to timestamptz)
RETURNS TABLE (organization_id bigint, operation text, rail text, currency text, charges bigint, base_amount numeric,
               fees numeric)
LANGUAGE sql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
SELECT c.organization_id, c.operation, c.rail, c.currency::text, count(*), sum(c.base_amount), sum(c.fee)
  FROM payments.fee_charge c
 WHERE (p_organization_id IS NULL OR c.organization_id = p_organization_id)
   AND c.charged_at >= p_from AND c.charged_at < p_to
 GROUP BY 1, 2, 3, 4
 ORDER BY 1 NULLS FIRST, 2, 3 NULLS FIRST, 4
$$;
COMMENT ON FUNCTION payments.fee_report(bigint, timestamptz, timestamptz) IS
'Internal: the fees earned in [p_from, p_to) per merchant (NULL: every merchant, and fees of no merchant), operation,
rail and currency: number of charges, base amounts and fees. Callers check who may see which merchant.';

CREATE OR REPLACE FUNCTION payments.fee_report_for(p_organization_id bigint, p_from timestamptz, p_to timestamptz)
RETURNS TABLE (organization_id bigint, operation text, rail text, currency text, charges bigint, base_amount numeric,
               fees numeric)
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF p_from IS NULL OR p_to IS NULL OR p_to <= p_from OR p_to - p_from > interval '366 days' THEN
        PERFORM core.raise('PAYMENTS_INVALID_INPUT', 'the period [from, to) must be non-empty and at most 366 days');
    END IF;
    IF p_organization_id IS NULL OR NOT identity.acts_for(p_organization_id, 'ADMIN') THEN
        PERFORM identity.require_permission('payments.manage');
    END IF;
    RETURN QUERY SELECT * FROM payments.fee_report(p_organization_id, p_from, p_to);
END
$$;
COMMENT ON FUNCTION payments.fee_report_for(bigint, timestamptz, timestamptz) IS
'The fee report of a period (at most 366 days): a merchant''s own (its ADMIN or OWNER), or any merchant''s and all of
them (p_organization_id NULL) for the back office (payments.manage). Errors: PAYMENTS_INVALID_INPUT,
IDENTITY_PERMISSION_DENIED.';

REVOKE ALL ON FUNCTION payments.set_fee_rule(bigint, text, text, text, numeric, numeric, numeric, numeric, timestamptz),
    payments.fee_quote(text, text, bigint, text, numeric, timestamptz), payments.revenue_account(text),
    payments.record_fee(text, text, text, bigint, text, numeric, numeric, bigint, text, bigint),
    payments.fee_report(bigint, timestamptz, timestamptz),
    payments.fee_report_for(bigint, timestamptz, timestamptz) FROM PUBLIC;

COMMIT;
