-- Revert mercato:functions/orders/tax from pg

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

DROP FUNCTION orders.line_tax(numeric, numeric, integer);
DROP FUNCTION orders.tax_rate_on(bigint, text, date);
DROP FUNCTION orders.set_tax_rate(text, numeric, date, bigint);

COMMIT;
