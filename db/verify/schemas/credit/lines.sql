-- Verify mercato:schemas/credit/lines on pg

BEGIN;

SELECT id, vendor_id, retailer_id, account_id, currency, terms_days, status, status_reason, opened_by, opened_at,
       updated_at, closed_at
  FROM credit.credit_line WHERE false;
SELECT credit_line_id, vendor_id, retailer_id, ledger_number, transaction_id, posted_at, transaction_type, amount,
       previous_balance, running_balance, outstanding, due_date, reversal_of, reversed_by, memo
  FROM credit.credit_ledger WHERE false;
SELECT x.i::regclass FROM unnest(ARRAY['credit.credit_line_retailer_id_idx', 'credit.credit_line_opened_by_idx']) AS x(i);
SELECT 1 / (SELECT count(*) FROM pg_catalog.pg_constraint k WHERE k.conrelid = 'credit.credit_line'::regclass AND k.conname = c)::int
  FROM unnest(ARRAY['credit_line_pkey', 'credit_line_vendor_id_fkey', 'credit_line_retailer_id_fkey',
                    'credit_line_account_id_key', 'credit_line_account_id_fkey', 'credit_line_currency_fkey',
                    'credit_line_terms_days_check', 'credit_line_status_check', 'credit_line_status_reason_check',
                    'credit_line_opened_by_fkey', 'credit_line_vendor_id_retailer_id_key',
                    'credit_line_closed_check']) AS c;
SELECT 1 / (SELECT count(*) FROM pg_catalog.pg_trigger g
             WHERE g.tgrelid = 'credit.credit_line'::regclass AND g.tgname = x.n AND g.tgfoid = x.f::regprocedure
               AND g.tgenabled <> 'D')::int
  FROM (VALUES ('credit_line_audit', 'audit.track()'), ('credit_line_no_delete', 'core.refuse_change_trg()'),
               ('credit_line_no_truncate', 'core.refuse_change_trg()'),
               ('credit_line_terms_fixed', 'core.refuse_change_trg()')) AS x(n, f);
SELECT 1 / (NOT pg_catalog.has_table_privilege(r, t, 'SELECT, INSERT, UPDATE, DELETE, TRUNCATE'))::int
  FROM unnest(ARRAY['mercato_anon', 'mercato_user', 'mercato_service']) AS r,
       unnest(ARRAY['credit.credit_line', 'credit.credit_ledger']) AS t;

ROLLBACK;
