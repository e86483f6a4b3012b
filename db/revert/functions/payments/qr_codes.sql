-- Revert mercato:functions/payments/qr_codes from pg

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

DROP FUNCTION payments.pay_qr(text, bigint, numeric, text);
DROP FUNCTION payments.create_qr_code(bigint, bigint, text, text, timestamptz);

COMMIT;
