-- Verify mercato:functions/payments/withdrawals on pg

BEGIN;

SELECT x::regprocedure
  FROM unnest(ARRAY['payments.withdrawal_json(payments.withdrawal)',
                    'payments.request_withdrawal(bigint, text, numeric, text)',
                    'payments.complete_withdrawal(bigint)',
                    'payments.settle_withdrawal(payments.withdrawal, text, text, text)',
                    'payments.finish_withdrawal(bigint, text, text, text)',
                    'payments.get_withdrawal(bigint)']) AS x;
SELECT 1 / (NOT pg_catalog.has_function_privilege(r, f, 'EXECUTE'))::int
  FROM unnest(ARRAY['mercato_anon', 'mercato_user', 'mercato_service', 'mercato_sender']) AS r,
       unnest(ARRAY['payments.withdrawal_json(payments.withdrawal)',
                    'payments.request_withdrawal(bigint, text, numeric, text)',
                    'payments.complete_withdrawal(bigint)',
                    'payments.settle_withdrawal(payments.withdrawal, text, text, text)',
                    'payments.finish_withdrawal(bigint, text, text, text)',
                    'payments.get_withdrawal(bigint)']) AS f;

ROLLBACK;
