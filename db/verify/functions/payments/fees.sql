-- Verify mercato:functions/payments/fees on pg

BEGIN;

SELECT x::regprocedure
  FROM unnest(ARRAY['payments.set_fee_rule(bigint, text, text, text, numeric, numeric, numeric, numeric, timestamptz)',
               'payments.fee_quote(text, text, bigint, text, numeric, timestamptz)',
               'payments.revenue_account(text)',
               'payments.record_fee(text, text, text, bigint, text, numeric, numeric, bigint, text, bigint)',
               'payments.fee_report(bigint, timestamptz, timestamptz)',
               'payments.fee_report_for(bigint, timestamptz, timestamptz)']) AS x;
SELECT 1 / (NOT pg_catalog.has_function_privilege(r, f, 'EXECUTE'))::int
  FROM unnest(ARRAY['mercato_anon', 'mercato_user', 'mercato_service']) AS r,
       unnest(ARRAY['payments.set_fee_rule(bigint, text, text, text, numeric, numeric, numeric, numeric, timestamptz)',
               'payments.fee_quote(text, text, bigint, text, numeric, timestamptz)',
               'payments.revenue_account(text)',
               'payments.record_fee(text, text, text, bigint, text, numeric, numeric, bigint, text, bigint)',
               'payments.fee_report(bigint, timestamptz, timestamptz)',
               'payments.fee_report_for(bigint, timestamptz, timestamptz)']) AS f;

ROLLBACK;
