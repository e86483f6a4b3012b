-- Revert mercato:functions/payments/fees from pg

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

DROP FUNCTION payments.fee_report_for(bigint, timestamptz, timestamptz);
DROP FUNCTION payments.fee_report(bigint, timestamptz, timestamptz);
DROP FUNCTION payments.record_fee(text, text, text, bigint, text, numeric, numeric, bigint, text, bigint);
DROP FUNCTION payments.revenue_account(text);
DROP FUNCTION payments.fee_quote(text, text, bigint, text, numeric, timestamptz);
DROP FUNCTION payments.set_fee_rule(bigint, text, text, text, numeric, numeric, numeric, numeric, timestamptz);

COMMIT;
