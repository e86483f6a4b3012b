-- Deploy mercato:schemas/credit/lines to pg
-- Credit lines (issue 20; docs/credit.md): one per vendor and retailer, each its own ledger account (owner
-- CREDIT_LINE/<id>, purpose CREDIT_LINE) whose overdraft limit IS the credit limit. The line stores no limit, debt or
-- balance: debt = -balance and available credit = overdraft_limit + balance - held are read from the ledger, so they
-- cannot drift. The credit ledger (the seed's append-only ledger with running balances) is a view over that account's
-- ledger entries: its number is the entry's seq, assigned under the account's row lock, never ORDER BY created_at.

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

CREATE TABLE credit.credit_line (
    id           bigint GENERATED ALWAYS AS IDENTITY CONSTRAINT credit_line_pkey PRIMARY KEY,
    vendor_id    bigint NOT NULL CONSTRAINT credit_line_vendor_id_fkey REFERENCES credit.vendor (organization_id),
    retailer_id  bigint NOT NULL CONSTRAINT credit_line_retailer_id_fkey REFERENCES credit.retailer (organization_id),
    account_id   bigint NOT NULL CONSTRAINT credit_line_account_id_key UNIQUE
                 CONSTRAINT credit_line_account_id_fkey REFERENCES ledger.account (id),
    currency     char(3) NOT NULL CONSTRAINT credit_line_currency_fkey REFERENCES masterdata.currency (code),
    terms_days   integer NOT NULL CONSTRAINT credit_line_terms_days_check CHECK (terms_days BETWEEN 0 AND 365),
    status       text NOT NULL DEFAULT 'ACTIVE'
                 CONSTRAINT credit_line_status_check CHECK (status IN ('ACTIVE', 'FROZEN', 'CLOSED')),
    status_reason text CONSTRAINT credit_line_status_reason_check CHECK (length(status_reason) <= 500),
    opened_by    bigint CONSTRAINT credit_line_opened_by_fkey REFERENCES identity.user_account (id),
    opened_at    timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    closed_at    timestamptz,
    CONSTRAINT credit_line_vendor_id_retailer_id_key UNIQUE (vendor_id, retailer_id),
    CONSTRAINT credit_line_closed_check CHECK ((status = 'CLOSED') = (closed_at IS NOT NULL))
) WITH (fillfactor = 80);
COMMENT ON TABLE credit.credit_line IS
'A trade credit line from a vendor to a retailer (one per pair): its ledger account (whose overdraft_limit is the
credit limit; debt and available credit come from the ledger), payment terms in days, status ACTIVE / FROZEN / CLOSED
(credit.credit_line_status_trg: CLOSED is final) with the reason of the last change. Written only by the credit
functions; audited. fillfactor 80: status changes stay HOT (no index names status).';
COMMENT ON COLUMN credit.credit_line.account_id IS
'The line''s ledger account (owner CREDIT_LINE/<id>, purpose CREDIT_LINE, the vendor''s currency). Orders debit it,
payments credit it; balance < 0 is the retailer''s debt to the vendor.';
CREATE INDEX credit_line_retailer_id_idx ON credit.credit_line (retailer_id);
CREATE INDEX credit_line_opened_by_idx ON credit.credit_line (opened_by);
CREATE TRIGGER credit_line_audit AFTER INSERT OR UPDATE OR DELETE ON credit.credit_line
    FOR EACH ROW EXECUTE FUNCTION audit.track();
CREATE TRIGGER credit_line_no_delete BEFORE DELETE ON credit.credit_line
    FOR EACH ROW EXECUTE FUNCTION core.refuse_change_trg('CREDIT_IMMUTABLE');
CREATE TRIGGER credit_line_no_truncate BEFORE TRUNCATE ON credit.credit_line
    FOR EACH STATEMENT EXECUTE FUNCTION core.refuse_change_trg('CREDIT_IMMUTABLE');
CREATE TRIGGER credit_line_terms_fixed BEFORE UPDATE OF id, vendor_id, retailer_id, account_id, currency, opened_by,
    opened_at ON credit.credit_line
    FOR EACH STATEMENT EXECUTE FUNCTION core.refuse_change_trg('CREDIT_IMMUTABLE');

REVOKE ALL ON credit.credit_line FROM PUBLIC;

-- The credit ledger: the seed's credit_ledger table as a view over the line account's entries (slot 0: a line account
-- is never hot). ledger_number is the entry's seq (gapless per account, assigned under its row lock); the transaction
-- type is the posting's metadata "credit_type" (ORDER_CREDIT: credit used by an order, PAYMENT_DEBIT: a payment
-- against the debt, ADJUSTMENT_CREDIT / ADJUSTMENT_DEBIT), REVERSAL for a ledger reversal; a posting without one is an
-- adjustment by its sign. Balances are the ledger's (negative: debt); outstanding is the debt after the entry.
CREATE VIEW credit.credit_ledger AS
SELECT l.id AS credit_line_id, l.vendor_id, l.retailer_id, e.seq AS ledger_number, e.transaction_id, e.posted_at,
       CASE WHEN t.kind = 'REVERSAL' THEN 'REVERSAL'
            WHEN t.metadata ->> 'credit_type' IN ('ORDER_CREDIT', 'PAYMENT_DEBIT', 'ADJUSTMENT_CREDIT', 'ADJUSTMENT_DEBIT')
                 THEN t.metadata ->> 'credit_type'
            WHEN e.amount < 0 THEN 'ADJUSTMENT_CREDIT'
            ELSE 'ADJUSTMENT_DEBIT' END AS transaction_type,
       e.amount, e.balance_before AS previous_balance, e.balance_after AS running_balance,
       -e.balance_after AS outstanding,
       CASE WHEN t.metadata ->> 'due_date' ~ '^\d{4}-\d{2}-\d{2}$' THEN (t.metadata ->> 'due_date')::date END AS due_date,
       t.reversal_of, t.reversed_by, t.memo::text AS memo
  FROM credit.credit_line l
  JOIN ledger.entry e ON e.account_id = l.account_id AND e.slot = 0
  JOIN ledger.transaction t ON t.id = e.transaction_id;
COMMENT ON VIEW credit.credit_ledger IS
'The credit ledger of every credit line (the seed''s credit_ledger, never a stored copy): one row per ledger entry of the
line''s account, numbered by the entry''s seq (per line, gapless, assigned under the account lock), with the type
(ORDER_CREDIT, PAYMENT_DEBIT, ADJUSTMENT_CREDIT/_DEBIT from the posting''s metadata "credit_type", REVERSAL for a
reversal), the signed amount (negative: more debt), previous and running balance (the entry''s balance_before/after),
the outstanding debt after it, the due date (metadata "due_date"), the reversal links and the memo (not the sealed
reference: credit.line_statement adds it for the line''s parties). Read through credit.line_statement; no API role
reads it directly.';
REVOKE ALL ON credit.credit_ledger FROM PUBLIC;

COMMIT;
