-- Deploy mercato:functions/api/credit_lines to pg
-- The HTTP API of credit lines (functions/credit/lines).

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

CREATE OR REPLACE FUNCTION api.open_credit_line(p_vendor_id bigint, p_retailer_id bigint, p_limit numeric,
                                                p_terms_days integer DEFAULT 30)
RETURNS bigint LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
RETURN credit.open_line(p_vendor_id, p_retailer_id, p_limit, p_terms_days);
SELECT core.wrap('api.open_credit_line(bigint, bigint, numeric, integer)',
                 'credit.open_line(bigint, bigint, numeric, integer)',
                 'The vendor''s ADMINs and OWNERs; the credit back office (credit.manage, service).', 'mercato_user',
                 'mercato_service');

CREATE OR REPLACE FUNCTION api.set_credit_limit(p_line_id bigint, p_limit numeric)
RETURNS numeric LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
RETURN credit.set_line_limit(p_line_id, p_limit);
SELECT core.wrap('api.set_credit_limit(bigint, numeric)', 'credit.set_line_limit(bigint, numeric)',
                 'The vendor''s ADMINs and OWNERs; the credit back office.', 'mercato_user', 'mercato_service');

CREATE OR REPLACE FUNCTION api.set_exposure_cap(p_vendor_id bigint, p_exposure_cap numeric)
RETURNS void LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    SELECT credit.set_exposure_cap(p_vendor_id, p_exposure_cap);
END;
SELECT core.wrap('api.set_exposure_cap(bigint, numeric)', 'credit.set_exposure_cap(bigint, numeric)',
                 'The credit back office (credit.manage); service.', 'mercato_user', 'mercato_service');

CREATE OR REPLACE FUNCTION api.set_credit_line_status(p_line_id bigint, p_status core.name_text,
                                                      p_reason core.long_text DEFAULT NULL)
RETURNS text LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
RETURN credit.set_line_status(p_line_id, p_status, p_reason);
SELECT core.wrap('api.set_credit_line_status(bigint, core.name_text, core.long_text)',
                 'credit.set_line_status(bigint, text, text)',
                 'The vendor''s ADMINs and OWNERs; the credit back office.', 'mercato_user', 'mercato_service');

CREATE OR REPLACE FUNCTION api.credit_line(p_line_id bigint)
RETURNS TABLE (line_id bigint, vendor_id bigint, retailer_id bigint, account_id bigint, currency text,
               credit_limit numeric, balance numeric, held numeric, debt numeric, available numeric, terms_days integer,
               status text, status_reason text, opened_at timestamptz, closed_at timestamptz)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    SELECT l.line_id, l.vendor_id, l.retailer_id, l.account_id, l.currency, l.credit_limit, l.balance, l.held, l.debt,
           l.available, l.terms_days, l.status, l.status_reason, l.opened_at, l.closed_at
      FROM credit.get_line(p_line_id) l;
END;
SELECT core.wrap('api.credit_line(bigint)', 'credit.get_line(bigint)',
                 'Members of the line''s vendor or retailer; the credit back office.', 'mercato_user', 'mercato_service');

CREATE OR REPLACE FUNCTION api.my_credit_lines(p_vendor_id bigint DEFAULT NULL, p_retailer_id bigint DEFAULT NULL)
RETURNS TABLE (line_id bigint, vendor_id bigint, retailer_id bigint, account_id bigint, currency text,
               credit_limit numeric, balance numeric, held numeric, debt numeric, available numeric, terms_days integer,
               status text, status_reason text, opened_at timestamptz, closed_at timestamptz)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    SELECT l.line_id, l.vendor_id, l.retailer_id, l.account_id, l.currency, l.credit_limit, l.balance, l.held, l.debt,
           l.available, l.terms_days, l.status, l.status_reason, l.opened_at, l.closed_at
      FROM credit.my_lines(p_vendor_id, p_retailer_id) l;
END;
SELECT core.wrap('api.my_credit_lines(bigint, bigint)', 'credit.my_lines(bigint, bigint)',
                 'A signed-in user (its vendors'' and retailers'' lines); the credit back office (all).', 'mercato_user',
                 'mercato_service');

CREATE OR REPLACE FUNCTION api.credit_line_statement(p_line_id bigint, p_after_number bigint DEFAULT 0,
                                                     p_limit integer DEFAULT 100)
RETURNS TABLE (ledger_number bigint, posted_at timestamptz, transaction_type text, amount numeric,
               previous_balance numeric, running_balance numeric, outstanding numeric, due_date date,
               transaction_id bigint, reversal_of bigint, reversed_by bigint, reference text, memo text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    SELECT s.ledger_number, s.posted_at, s.transaction_type, s.amount, s.previous_balance, s.running_balance,
           s.outstanding, s.due_date, s.transaction_id, s.reversal_of, s.reversed_by, s.reference, s.memo
      FROM credit.line_statement(p_line_id, p_after_number, p_limit) s;
END;
SELECT core.wrap('api.credit_line_statement(bigint, bigint, integer)', 'credit.line_statement(bigint, bigint, integer)',
                 'Members of the line''s vendor or retailer; the credit back office.', 'mercato_user', 'mercato_service');

COMMIT;
