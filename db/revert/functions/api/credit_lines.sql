-- Revert mercato:functions/api/credit_lines from pg

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

DROP FUNCTION api.credit_line_statement(bigint, bigint, integer);
DROP FUNCTION api.my_credit_lines(bigint, bigint);
DROP FUNCTION api.credit_line(bigint);
DROP FUNCTION api.set_credit_line_status(bigint, core.name_text, core.long_text);
DROP FUNCTION api.set_exposure_cap(bigint, numeric);
DROP FUNCTION api.set_credit_limit(bigint, numeric);
DROP FUNCTION api.open_credit_line(bigint, bigint, numeric, integer);

COMMIT;
