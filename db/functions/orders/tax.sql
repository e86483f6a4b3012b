-- Deploy mercato:functions/orders/tax to pg
-- Sales tax: a tenant's rates per tax code, effective-dated and append-only (orders.tax_rate), the rate in force on a
-- date, and a line's tax. Rounding: the line's taxable amount (price × quantity − discount) times the rate, rounded to
-- the currency's minor units half away from zero (PostgreSQL's round(numeric, n): 0.125 → 0.13, 0.005 → 0.01), per
-- line, never per order (docs/orders.md, "Tax"). Assumes READ COMMITTED.

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

CREATE OR REPLACE FUNCTION orders.set_tax_rate(p_tax_code text, p_rate numeric, p_effective_from date DEFAULT NULL,
                                               p_tenant_id bigint DEFAULT NULL)
RETURNS orders.tax_rate
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_tenant bigint := orders.manage_tenant(p_tenant_id);
    v_code   text := upper(btrim(p_tax_code));
    v_from   date := coalesce(p_effective_from, current_date);
    r        orders.tax_rate;
BEGIN
    IF v_code IS NULL OR v_code !~ '^[A-Z0-9][A-Z0-9_.-]{0,63}$' THEN
        PERFORM core.raise('ORDERS_INVALID_INPUT', 'tax_code: 1 to 64 letters, digits, _ . - (e.g. STANDARD)');
    ELSIF p_rate IS NULL OR p_rate < 0 OR p_rate >= 1 OR scale(p_rate) > 6 THEN
        PERFORM core.raise('ORDERS_INVALID_INPUT', 'rate: a fraction from 0 to below 1 with at most 6 decimals (0.0825)');
    ELSIF v_from NOT BETWEEN '2000-01-01' AND '2200-01-01' THEN
        PERFORM core.raise('ORDERS_INVALID_INPUT', 'effective_from: a date from 2000-01-01 to 2200-01-01');
    ELSIF v_from < current_date THEN
        -- past orders took the rate then in force: a new rate never rewrites history
        PERFORM core.raise('ORDERS_INVALID_INPUT', format('effective_from: today (%s) or later', current_date));
    END IF;
    INSERT INTO orders.tax_rate (tenant_id, tax_code, effective_from, rate)
    VALUES (v_tenant, v_code, v_from, p_rate)
    ON CONFLICT ON CONSTRAINT tax_rate_pkey DO NOTHING
    RETURNING * INTO r;
    IF r IS NULL THEN
        PERFORM core.raise('ORDERS_IMMUTABLE',
                           format('tax_code %s already has a rate from %s (rates are added, never changed)', v_code, v_from));
    END IF;
    RETURN r;
END
$$;
COMMENT ON FUNCTION orders.set_tax_rate(text, numeric, date, bigint) IS
'Set a tenant''s sales-tax rate for a tax code (upper-cased; STANDARD for taxable variants without one) from a date
(default today; never in the past, so past orders stay reproducible): a new row of orders.tax_rate, in force until the
code''s next row. The rate is a fraction (0.0825 = 8.25 %). Needs orders.manage in the tenant (the back office names
it). Errors: ORDERS_INVALID_INPUT, ORDERS_IMMUTABLE (a rate of the code from that date exists),
IDENTITY_PERMISSION_DENIED. Assumes READ COMMITTED.';

CREATE OR REPLACE FUNCTION orders.tax_rate_on(p_tenant_id bigint, p_tax_code text, p_on date)
RETURNS numeric
LANGUAGE sql
STABLE
SET search_path = pg_catalog, pg_temp
RETURN coalesce((SELECT r.rate FROM orders.tax_rate r
                  WHERE r.tenant_id = p_tenant_id AND r.tax_code = coalesce(p_tax_code, 'STANDARD')
                    AND r.effective_from <= p_on
                  ORDER BY r.effective_from DESC LIMIT 1), 0);
COMMENT ON FUNCTION orders.tax_rate_on(bigint, text, date) IS
'The tenant''s rate for a tax code (NULL: STANDARD) in force on a date: the row with the latest effective_from not after
it; 0 when the code has none. Internal.';

CREATE OR REPLACE FUNCTION orders.line_tax(p_taxable_amount numeric, p_rate numeric, p_minor_units integer)
RETURNS numeric
LANGUAGE sql
IMMUTABLE
PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
RETURN round(p_taxable_amount * p_rate, p_minor_units);
COMMENT ON FUNCTION orders.line_tax(numeric, numeric, integer) IS
'A line''s tax: its taxable amount (price × quantity − discount) times the rate, rounded to the currency''s minor units
half away from zero (round(numeric, n): 1.125 → 1.13, 2.5 JPY-units → 3). Per line, never per order. Internal.';

REVOKE ALL ON FUNCTION orders.set_tax_rate(text, numeric, date, bigint), orders.tax_rate_on(bigint, text, date),
    orders.line_tax(numeric, numeric, integer) FROM PUBLIC;

COMMIT;
