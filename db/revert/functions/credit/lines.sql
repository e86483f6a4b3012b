-- Revert mercato:functions/credit/lines from pg

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

DROP FUNCTION credit.line_statement(bigint, bigint, integer);
DROP FUNCTION credit.my_lines(bigint, bigint);
DROP FUNCTION credit.get_line(bigint);
DROP FUNCTION credit.lines_of(bigint[]);
DROP TRIGGER retailer_rescore ON credit.retailer;
DROP FUNCTION credit.retailer_rescore_trg();
DROP FUNCTION credit.set_line_status(bigint, text, text);
DROP FUNCTION credit.set_exposure_cap(bigint, numeric);
DROP FUNCTION credit.set_line_limit(bigint, numeric);
DROP FUNCTION credit.open_line(bigint, bigint, numeric, integer);
DROP FUNCTION credit.apply_line_limit(bigint, numeric);
DROP FUNCTION credit.require_line(bigint, boolean);
DROP TRIGGER credit_line_status ON credit.credit_line;
DROP FUNCTION credit.credit_line_status_trg();

COMMIT;
