-- Revert mercato:functions/payments/qr from pg

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

DROP FUNCTION payments.parse_ke_qr(text);
DROP FUNCTION payments.build_ke_qr(boolean, text, text, text, text, text, text, numeric, text);
DROP FUNCTION payments.qr_fields(text, text);
DROP FUNCTION payments.qr_field(text, text);
DROP FUNCTION payments.crc16_ccitt_false(text);

COMMIT;
