-- Revert mercato:functions/api/orders from pg

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

DROP FUNCTION api.set_tax_rate(core.name_text, numeric, core.finite_date, bigint);
DROP FUNCTION api.list_orders(core.name_text, core.name_text, bigint, bigint, integer, bigint);
DROP FUNCTION api.get_order(bigint, bigint);
DROP FUNCTION api.cancel_order(bigint, core.long_text, bigint);
DROP FUNCTION api.fulfil_order(bigint, core.json_doc, core.text_list, bigint, bigint);
DROP FUNCTION api.record_external_payment(bigint, numeric, core.name_text, bigint);
DROP FUNCTION api.import_order(core.name_text, core.name_text, core.json_doc, core.json_doc, bigint);
DROP FUNCTION api.place_order(core.json_doc, core.json_doc, bigint);
DROP VIEW api.tax_rates;
DROP VIEW api.order_payments;
DROP VIEW api.order_lines;
DROP VIEW api.orders;

COMMIT;
