-- Deploy mercato:functions/credit/lines to pg
-- Credit lines (docs/credit.md): open one per vendor and retailer (its ledger account opened with it), change its limit
-- (= the account's overdraft limit, through ledger.set_overdraft_limit) within the vendor's exposure cap (under the
-- vendor's row lock) and the retailer's risk band, the vendor's cap, freeze / unfreeze / close (closing only at a zero
-- balance), the status machine for every writer, a score downgrade lowering the retailer's lines without cutting any
-- below its debt (the line freezes instead), and the reads: one line with its debt and available credit from the
-- ledger, the caller's lines, a line's statement from the credit ledger view.
-- Locks, always in this order: the vendor row (FOR UPDATE), the line row, the line's ledger account. All functions
-- assume READ COMMITTED.

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

-- the status machine, for every writer -------------------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION credit.credit_line_status_trg()
RETURNS trigger
LANGUAGE plpgsql
VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF NEW.status IS DISTINCT FROM OLD.status THEN
        IF OLD.status = 'CLOSED' OR NOT (NEW.status = 'CLOSED' OR (OLD.status, NEW.status) IN (('ACTIVE', 'FROZEN'),
                                                                                              ('FROZEN', 'ACTIVE'))) THEN
            PERFORM core.raise('CREDIT_LINE_STATE', format('credit line %s: %s -> %s', OLD.id, OLD.status, NEW.status));
        END IF;
        NEW.closed_at := CASE WHEN NEW.status = 'CLOSED' THEN now() END;
    END IF;
    NEW.updated_at := now();
    RETURN NEW;
END
$$;
COMMENT ON FUNCTION credit.credit_line_status_trg() IS
'Trigger on credit.credit_line, whoever writes: ACTIVE <-> FROZEN, either -> CLOSED (stamped closed_at), CLOSED is
final (CREDIT_LINE_STATE). Keeps updated_at.';
CREATE TRIGGER credit_line_status BEFORE UPDATE ON credit.credit_line
    FOR EACH ROW EXECUTE FUNCTION credit.credit_line_status_trg();

-- who may see or run a line ---------------------------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION credit.require_line(p_line_id bigint, p_manage boolean DEFAULT false)
RETURNS credit.credit_line
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_line  credit.credit_line;
    v_found boolean;
BEGIN
    SELECT * INTO v_line FROM credit.credit_line WHERE id = p_line_id;
    v_found := FOUND;
    IF credit.is_manager() THEN
        IF NOT v_found THEN
            PERFORM core.raise('CREDIT_UNKNOWN_LINE', format('credit line %s', p_line_id));
        END IF;
        RETURN v_line;
    END IF;
    PERFORM identity.require_user();
    IF NOT v_found
       OR NOT (identity.acts_for(v_line.vendor_id, CASE WHEN p_manage THEN 'ADMIN' ELSE 'STAFF' END)
               OR (NOT p_manage AND identity.acts_for(v_line.retailer_id, 'STAFF'))) THEN
        PERFORM core.raise('CREDIT_UNKNOWN_LINE', format('credit line %s', p_line_id));
    END IF;
    RETURN v_line;
END
$$;
COMMENT ON FUNCTION credit.require_line(bigint, boolean) IS
'The credit line, if the caller may see it (members of its vendor or retailer, the credit back office) or, with
p_manage, run it (its vendor''s ADMINs and OWNERs, the credit back office). Errors: IDENTITY_NOT_AUTHENTICATED,
IDENTITY_USER_INACTIVE, CREDIT_UNKNOWN_LINE (404, also for a line the caller may not see or run).';

-- the limit rules ---------------------------------------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION credit.apply_line_limit(p_line_id bigint, p_limit numeric)
RETURNS numeric
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_line    credit.credit_line;
    v_vendor  credit.vendor;
    v_score   smallint;
    v_current numeric;
    v_others  numeric;
    v_band    record;
BEGIN
    IF p_limit IS NULL OR p_limit < 0 OR p_limit >= 1e15 THEN
        PERFORM core.raise('CREDIT_INVALID_INPUT', 'limit must be between 0 and 10^15');
    END IF;
    SELECT * INTO v_line FROM credit.credit_line WHERE id = p_line_id;
    IF NOT FOUND THEN
        PERFORM core.raise('CREDIT_UNKNOWN_LINE', format('credit line %s', p_line_id));
    END IF;
    -- every limit change of a vendor's lines queues on the vendor's row: the cap sum below cannot race
    SELECT * INTO v_vendor FROM credit.vendor WHERE organization_id = v_line.vendor_id FOR UPDATE;
    SELECT * INTO v_line FROM credit.credit_line WHERE id = p_line_id;
    IF v_line.status = 'CLOSED' THEN
        PERFORM core.raise('CREDIT_LINE_STATE', format('credit line %s is closed', p_line_id));
    END IF;
    SELECT a.overdraft_limit INTO v_current FROM ledger.account a WHERE a.id = v_line.account_id;
    IF p_limit > v_current THEN
        IF v_vendor.status <> 'APPROVED' THEN
            PERFORM core.raise('CREDIT_VENDOR_NOT_APPROVED', format('vendor %s is %s', v_vendor.organization_id,
                                                                    v_vendor.status));
        END IF;
        SELECT r.score INTO v_score FROM credit.retailer r WHERE r.organization_id = v_line.retailer_id;
        IF v_score IS NULL THEN
            PERFORM core.raise('CREDIT_BAND_LIMIT', format('retailer %s is not scored yet: its maximum is 0',
                                                           v_line.retailer_id));
        END IF;
        SELECT * INTO v_band FROM credit.risk_band(v_score, v_line.currency::text);
        IF p_limit > v_band.max_limit THEN
            PERFORM core.raise('CREDIT_BAND_LIMIT',
                               format('retailer %s: score %s, category %s, maximum %s %s, limit asked %s',
                                      v_line.retailer_id, v_score, v_band.category, v_band.max_limit, v_line.currency,
                                      p_limit));
        END IF;
        SELECT coalesce(sum(a.overdraft_limit), 0) INTO v_others
          FROM credit.credit_line l JOIN ledger.account a ON a.id = l.account_id
         WHERE l.vendor_id = v_line.vendor_id AND l.status <> 'CLOSED' AND l.id <> p_line_id;
        IF v_others + p_limit > v_vendor.exposure_cap THEN
            PERFORM core.raise('CREDIT_EXPOSURE_CAP',
                               format('vendor %s: exposure cap %s, other lines %s, limit asked %s (at most %s)',
                                      v_vendor.organization_id, v_vendor.exposure_cap, v_others, p_limit,
                                      greatest(v_vendor.exposure_cap - v_others, 0)));
        END IF;
    END IF;
    RETURN ledger.set_overdraft_limit(v_line.account_id, p_limit);
END
$$;
COMMENT ON FUNCTION credit.apply_line_limit(bigint, numeric) IS
'Set a credit line''s limit (its ledger account''s overdraft limit) under its vendor''s row lock. A raise needs an
APPROVED vendor, the sum of the vendor''s open lines'' limits within its exposure cap and the limit within the
retailer''s risk band (an unscored retailer: 0); any change keeps the limit at or above the current debt
(ledger.set_overdraft_limit). Internal: callers check who acts. Errors: CREDIT_INVALID_INPUT, CREDIT_UNKNOWN_LINE,
CREDIT_LINE_STATE, CREDIT_VENDOR_NOT_APPROVED, CREDIT_EXPOSURE_CAP, CREDIT_BAND_LIMIT, CREDIT_RISK_BANDS_UNDEFINED,
LEDGER_OVERDRAFT_BELOW_DEBT, LEDGER_AMOUNT_PRECISION.';

-- use cases -----------------------------------------------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION credit.open_line(p_vendor_id bigint, p_retailer_id bigint, p_limit numeric,
                                            p_terms_days integer DEFAULT 30)
RETURNS bigint
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_actor   identity.actor := identity.current_actor();
    v_vendor  credit.vendor := credit.require_vendor(p_vendor_id, 'ADMIN');
    v_id      bigint;
    v_account bigint;
BEGIN
    IF p_terms_days IS NULL OR p_terms_days NOT BETWEEN 0 AND 365 THEN
        PERFORM core.raise('CREDIT_INVALID_INPUT', 'terms_days must be between 0 and 365');
    ELSIF NOT EXISTS (SELECT FROM credit.retailer WHERE organization_id = p_retailer_id) THEN
        PERFORM core.raise('CREDIT_UNKNOWN_RETAILER', format('retailer %s', p_retailer_id));
    END IF;
    SELECT * INTO v_vendor FROM credit.vendor WHERE organization_id = p_vendor_id FOR UPDATE;
    IF v_vendor.status <> 'APPROVED' THEN
        PERFORM core.raise('CREDIT_VENDOR_NOT_APPROVED', format('vendor %s is %s', p_vendor_id, v_vendor.status));
    END IF;
    SELECT l.id INTO v_id FROM credit.credit_line l WHERE l.vendor_id = p_vendor_id AND l.retailer_id = p_retailer_id;
    IF FOUND THEN
        PERFORM core.raise('CREDIT_LINE_EXISTS', format('credit line %s', v_id));
    END IF;
    v_id := nextval(pg_get_serial_sequence('credit.credit_line', 'id'));
    v_account := ledger.open_account('CREDIT_LINE', v_id::text, 'CREDIT_LINE', v_vendor.currency);
    INSERT INTO credit.credit_line (id, vendor_id, retailer_id, account_id, currency, terms_days, opened_by)
    OVERRIDING SYSTEM VALUE
    VALUES (v_id, p_vendor_id, p_retailer_id, v_account, v_vendor.currency, p_terms_days, v_actor.user_id);
    PERFORM credit.apply_line_limit(v_id, p_limit);
    RETURN v_id;
END
$$;
COMMENT ON FUNCTION credit.open_line(bigint, bigint, numeric, integer) IS
'Open the credit line from an APPROVED vendor to a retailer (one per pair) with a limit and payment terms in days
(default 30): its ledger account (owner CREDIT_LINE/<id>, purpose CREDIT_LINE, the vendor''s currency) with the limit
as its overdraft limit, within the vendor''s exposure cap and the retailer''s risk band. Returns the line id. The
vendor''s ADMINs and OWNERs, the credit back office. Errors: those of credit.require_vendor and credit.apply_line_limit,
CREDIT_INVALID_INPUT, CREDIT_UNKNOWN_RETAILER, CREDIT_VENDOR_NOT_APPROVED, CREDIT_LINE_EXISTS.';

CREATE OR REPLACE FUNCTION credit.set_line_limit(p_line_id bigint, p_limit numeric)
RETURNS numeric
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    PERFORM credit.require_line(p_line_id, true);
    RETURN credit.apply_line_limit(p_line_id, p_limit);
END
$$;
COMMENT ON FUNCTION credit.set_line_limit(bigint, numeric) IS
'Change a credit line''s limit (credit.apply_line_limit: raises within the cap and the band, never below the debt);
returns it. The vendor''s ADMINs and OWNERs, the credit back office. Errors: CREDIT_UNKNOWN_LINE and those of
credit.apply_line_limit.';

CREATE OR REPLACE FUNCTION credit.set_exposure_cap(p_vendor_id bigint, p_exposure_cap numeric)
RETURNS void
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_vendor credit.vendor;
    v_total  numeric;
BEGIN
    IF NOT credit.is_manager() THEN
        PERFORM identity.require_permission('credit.manage');
    END IF;
    SELECT * INTO v_vendor FROM credit.vendor WHERE organization_id = p_vendor_id FOR UPDATE;
    IF NOT FOUND THEN
        PERFORM core.raise('CREDIT_UNKNOWN_VENDOR', format('vendor %s', p_vendor_id));
    ELSIF p_exposure_cap IS NULL OR p_exposure_cap < 0 OR p_exposure_cap >= 1e15
          OR scale(p_exposure_cap) > masterdata.currency_minor_units(v_vendor.currency) THEN
        PERFORM core.raise('CREDIT_INVALID_INPUT', 'exposure_cap must be 0 to 10^15 in the vendor''s currency units');
    ELSIF v_vendor.status <> 'APPROVED' THEN
        PERFORM core.raise('CREDIT_VENDOR_NOT_APPROVED', format('vendor %s is %s', p_vendor_id, v_vendor.status));
    END IF;
    SELECT coalesce(sum(a.overdraft_limit), 0) INTO v_total
      FROM credit.credit_line l JOIN ledger.account a ON a.id = l.account_id
     WHERE l.vendor_id = p_vendor_id AND l.status <> 'CLOSED';
    IF p_exposure_cap < v_total THEN
        PERFORM core.raise('CREDIT_EXPOSURE_CAP', format('vendor %s: its open lines'' limits add up to %s; lower them '
                                                         'before the cap (%s asked)', p_vendor_id, v_total, p_exposure_cap));
    END IF;
    UPDATE credit.vendor SET exposure_cap = p_exposure_cap WHERE organization_id = p_vendor_id;
END
$$;
COMMENT ON FUNCTION credit.set_exposure_cap(bigint, numeric) IS
'Change an APPROVED vendor''s exposure cap, never below the sum of its open lines'' limits (under the vendor''s row
lock); audited. Needs credit.manage or the service role. Errors: IDENTITY_PERMISSION_DENIED, CREDIT_UNKNOWN_VENDOR,
CREDIT_INVALID_INPUT, CREDIT_VENDOR_NOT_APPROVED, CREDIT_EXPOSURE_CAP.';

CREATE OR REPLACE FUNCTION credit.set_line_status(p_line_id bigint, p_status text, p_reason text DEFAULT NULL)
RETURNS text
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_line   credit.credit_line := credit.require_line(p_line_id, true);
    v_vendor credit.vendor;
    v_acct   record;
    v_score  smallint;
BEGIN
    IF p_status IS NULL OR p_status NOT IN ('ACTIVE', 'FROZEN', 'CLOSED') THEN
        PERFORM core.raise('CREDIT_INVALID_INPUT', 'status must be ACTIVE, FROZEN or CLOSED');
    ELSIF length(p_reason) > 500 THEN
        PERFORM core.raise('CREDIT_INVALID_INPUT', 'reason must be at most 500 characters');
    END IF;
    SELECT * INTO v_vendor FROM credit.vendor WHERE organization_id = v_line.vendor_id FOR UPDATE;
    SELECT * INTO v_line FROM credit.credit_line WHERE id = p_line_id FOR UPDATE;
    IF v_line.status = p_status THEN
        RETURN v_line.status;
    ELSIF v_line.status = 'CLOSED' THEN
        PERFORM core.raise('CREDIT_LINE_STATE', format('credit line %s is closed', p_line_id));
    END IF;
    IF p_status = 'ACTIVE' THEN
        -- a line frozen by a downgrade may hold a limit above the band now: lower it before unfreezing
        SELECT a.overdraft_limit AS lim INTO v_acct FROM ledger.account a WHERE a.id = v_line.account_id;
        SELECT r.score INTO v_score FROM credit.retailer r WHERE r.organization_id = v_line.retailer_id;
        IF v_acct.lim > 0 AND (v_score IS NULL
                               OR v_acct.lim > (SELECT b.max_limit FROM credit.risk_band(v_score, v_line.currency::text) b)) THEN
            PERFORM core.raise('CREDIT_BAND_LIMIT', format('credit line %s: its limit %s is above the retailer''s band; '
                                                           'lower it first', p_line_id, v_acct.lim));
        END IF;
    ELSIF p_status = 'CLOSED' THEN
        SELECT b.balance, b.held INTO v_acct FROM ledger.account_balance(v_line.account_id) b;
        IF v_acct.balance <> 0 OR v_acct.held <> 0 THEN
            PERFORM core.raise('CREDIT_LINE_NOT_SETTLED', format('credit line %s: balance %s, held %s', p_line_id,
                                                                 v_acct.balance, v_acct.held));
        END IF;
        PERFORM ledger.set_overdraft_limit(v_line.account_id, 0);
        PERFORM ledger.set_account_status(v_line.account_id, 'CLOSED');
    END IF;
    UPDATE credit.credit_line SET status = p_status, status_reason = nullif(btrim(p_reason), '') WHERE id = p_line_id;
    RETURN p_status;
END
$$;
COMMENT ON FUNCTION credit.set_line_status(bigint, text, text) IS
'Freeze (FROZEN: no new credit; payments still come in), unfreeze (ACTIVE: only with a limit within the retailer''s
band) or close (CLOSED, final: only at a zero balance without holds; the ledger account closes with it) a credit line,
with an optional reason; returns the status. The vendor''s ADMINs and OWNERs, the credit back office. Errors:
CREDIT_UNKNOWN_LINE, CREDIT_INVALID_INPUT, CREDIT_LINE_STATE, CREDIT_BAND_LIMIT, CREDIT_LINE_NOT_SETTLED.';

-- a downgrade lowers the lines, never below their debt ----------------------------------------------------------------------
CREATE OR REPLACE FUNCTION credit.retailer_rescore_trg()
RETURNS trigger
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_line record;
    v_max  numeric;
BEGIN
    FOR v_line IN
        SELECT l.id, l.account_id, l.currency::text AS currency, l.status, a.overdraft_limit, a.held - a.balance AS debt
          FROM credit.credit_line l JOIN ledger.account a ON a.id = l.account_id
         WHERE l.retailer_id = NEW.organization_id AND l.status <> 'CLOSED'
         ORDER BY l.id
           FOR NO KEY UPDATE OF l, a
    LOOP
        v_max := (SELECT b.max_limit FROM credit.risk_band(NEW.score, v_line.currency) b);
        CONTINUE WHEN v_line.overdraft_limit <= v_max;
        PERFORM ledger.set_overdraft_limit(v_line.account_id, greatest(v_max, v_line.debt));
        IF v_line.debt > v_max AND v_line.status = 'ACTIVE' THEN
            UPDATE credit.credit_line SET status = 'FROZEN',
                   status_reason = format('score %s: debt %s above the band''s maximum %s', NEW.score, v_line.debt, v_max)
             WHERE id = v_line.id;
        END IF;
    END LOOP;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION credit.retailer_rescore_trg() IS
'Trigger after a retailer''s score changes, whoever writes: each open line whose limit is above the new band''s maximum
is lowered to it, but never below its current debt (held included): such a line keeps a limit equal to its debt and
FREEZES, with the reason, instead of being cut (ledger.set_overdraft_limit). Each line and its account are locked
(line before account, ascending line id) before the debt is read, so an order in flight cannot slip between.';
CREATE TRIGGER retailer_rescore AFTER UPDATE OF score ON credit.retailer
    FOR EACH ROW WHEN (NEW.score IS DISTINCT FROM OLD.score) EXECUTE FUNCTION credit.retailer_rescore_trg();

-- reads ------------------------------------------------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION credit.lines_of(p_line_ids bigint[])
RETURNS TABLE (line_id bigint, vendor_id bigint, retailer_id bigint, account_id bigint, currency text,
               credit_limit numeric, balance numeric, held numeric, debt numeric, available numeric, terms_days integer,
               status text, status_reason text, opened_at timestamptz, closed_at timestamptz)
LANGUAGE sql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    SELECT l.id, l.vendor_id, l.retailer_id, l.account_id, l.currency::text, a.overdraft_limit::numeric, a.balance,
           a.held, -a.balance, a.overdraft_limit + ledger.available(a.id), l.terms_days, l.status, l.status_reason,
           l.opened_at, l.closed_at
      FROM credit.credit_line l JOIN ledger.account a ON a.id = l.account_id
     WHERE l.id = ANY (p_line_ids)
     ORDER BY l.id;
END;
COMMENT ON FUNCTION credit.lines_of(bigint[]) IS
'Credit lines with their figures, all read from the ledger account at once (never stored): credit_limit = the
overdraft limit, balance, held, debt = -balance, available = overdraft_limit + balance - held (what a debit may take
now). Internal: callers choose which lines the caller may see.';

CREATE OR REPLACE FUNCTION credit.get_line(p_line_id bigint)
RETURNS TABLE (line_id bigint, vendor_id bigint, retailer_id bigint, account_id bigint, currency text,
               credit_limit numeric, balance numeric, held numeric, debt numeric, available numeric, terms_days integer,
               status text, status_reason text, opened_at timestamptz, closed_at timestamptz)
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    PERFORM credit.require_line(p_line_id);
    RETURN QUERY SELECT * FROM credit.lines_of(ARRAY[p_line_id]);
END
$$;
COMMENT ON FUNCTION credit.get_line(bigint) IS
'A credit line with its limit, balance, held, debt and available credit from the ledger (credit.lines_of). Members of
its vendor or retailer, the credit back office. Errors: IDENTITY_NOT_AUTHENTICATED, IDENTITY_USER_INACTIVE,
CREDIT_UNKNOWN_LINE.';

CREATE OR REPLACE FUNCTION credit.my_lines(p_vendor_id bigint DEFAULT NULL, p_retailer_id bigint DEFAULT NULL)
RETURNS TABLE (line_id bigint, vendor_id bigint, retailer_id bigint, account_id bigint, currency text,
               credit_limit numeric, balance numeric, held numeric, debt numeric, available numeric, terms_days integer,
               status text, status_reason text, opened_at timestamptz, closed_at timestamptz)
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_all boolean := credit.is_manager();
BEGIN
    IF NOT v_all THEN
        PERFORM identity.require_user();
    END IF;
    RETURN QUERY
    SELECT * FROM credit.lines_of(ARRAY(
        SELECT l.id FROM credit.credit_line l
         WHERE (p_vendor_id IS NULL OR l.vendor_id = p_vendor_id)
           AND (p_retailer_id IS NULL OR l.retailer_id = p_retailer_id)
           AND (v_all OR identity.acts_for(l.vendor_id, 'STAFF') OR identity.acts_for(l.retailer_id, 'STAFF'))));
END
$$;
COMMENT ON FUNCTION credit.my_lines(bigint, bigint) IS
'The credit lines of the vendors and retailers the caller acts for (every line for the credit back office),
optionally of one vendor or retailer, with their figures from the ledger. Errors: IDENTITY_NOT_AUTHENTICATED,
IDENTITY_USER_INACTIVE.';

CREATE OR REPLACE FUNCTION credit.line_statement(p_line_id bigint, p_after_number bigint DEFAULT 0,
                                                 p_limit integer DEFAULT 100)
RETURNS TABLE (ledger_number bigint, posted_at timestamptz, transaction_type text, amount numeric,
               previous_balance numeric, running_balance numeric, outstanding numeric, due_date date,
               transaction_id bigint, reversal_of bigint, reversed_by bigint, reference text, memo text)
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    PERFORM credit.require_line(p_line_id);
    IF p_after_number IS NULL OR p_after_number < 0 OR p_limit IS NULL OR p_limit NOT BETWEEN 1 AND 1000 THEN
        PERFORM core.raise('CREDIT_INVALID_INPUT', 'after_number must be >= 0 and limit 1-1000');
    END IF;
    RETURN QUERY
    SELECT c.ledger_number, c.posted_at, c.transaction_type, c.amount, c.previous_balance, c.running_balance,
           c.outstanding, c.due_date, c.transaction_id, c.reversal_of, c.reversed_by, t.reference::text, c.memo
      FROM credit.credit_ledger c
      JOIN ledger.transaction t ON t.id = c.transaction_id
     WHERE c.credit_line_id = p_line_id AND c.ledger_number > p_after_number
     ORDER BY c.ledger_number
     LIMIT p_limit;
END
$$;
COMMENT ON FUNCTION credit.line_statement(bigint, bigint, integer) IS
'A credit line''s credit ledger (credit.credit_ledger) after ledger number p_after_number (keyset), at most p_limit
rows, oldest first: type, amount, previous and running balance, outstanding debt, due date, reversal links. Members of
its vendor or retailer, the credit back office. Errors: CREDIT_UNKNOWN_LINE, CREDIT_INVALID_INPUT.';

REVOKE ALL ON FUNCTION credit.credit_line_status_trg(), credit.require_line(bigint, boolean),
    credit.apply_line_limit(bigint, numeric), credit.open_line(bigint, bigint, numeric, integer),
    credit.set_line_limit(bigint, numeric), credit.set_exposure_cap(bigint, numeric),
    credit.set_line_status(bigint, text, text), credit.retailer_rescore_trg(), credit.lines_of(bigint[]),
    credit.get_line(bigint), credit.my_lines(bigint, bigint), credit.line_statement(bigint, bigint, integer) FROM PUBLIC;

COMMIT;
