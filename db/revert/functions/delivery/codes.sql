-- Revert mercato:functions/delivery/codes from pg

BEGIN;

DROP FUNCTION delivery.expire_codes(), delivery.issue_code(bigint, text), delivery.code_hmac(integer, bigint, text), delivery.new_code();

COMMIT;
