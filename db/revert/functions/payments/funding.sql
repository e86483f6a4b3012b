-- Revert mercato:functions/payments/funding from pg

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

DROP FUNCTION payments.get_funding_session(bigint);
DROP FUNCTION payments.expire_funding_sessions(integer);
DROP FUNCTION payments.finish_funding(bigint, text, text, text);
DROP FUNCTION payments.complete_funding(bigint);
DROP FUNCTION payments.create_funding_session(bigint, text, numeric, text, bigint);
DROP FUNCTION payments.funding_json(payments.funding_session);
DROP FUNCTION payments.check_rail_request(text, text, numeric, text, text);

COMMIT;
