-- Revert mercato:functions/orders/guards from pg

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

DROP FUNCTION orders.order_doc(bigint);
DROP TRIGGER line_totals ON orders.line;
DROP TRIGGER sales_order_totals ON orders.sales_order;
DROP FUNCTION orders.totals_trg();
DROP FUNCTION orders.check_order_totals(bigint);
DROP TRIGGER sales_order_transition ON orders.sales_order;
DROP FUNCTION orders.sales_order_transition_trg();
DROP FUNCTION orders.transition_allowed(text, text, text);
DROP FUNCTION orders.check_amount(text, numeric, integer, boolean);
DROP FUNCTION orders.minor_units(bigint);
DROP FUNCTION orders.doc_tags(jsonb, text);
DROP FUNCTION orders.doc_object(jsonb, text);
DROP FUNCTION orders.doc_id(jsonb, text, text);
DROP FUNCTION orders.doc_numeric(jsonb, text, text);
DROP FUNCTION orders.doc_text(jsonb, text, integer, text);
DROP FUNCTION orders.doc_keys(jsonb, text[], text);
DROP FUNCTION orders.caller(bigint);
DROP FUNCTION orders.manage_tenant(bigint);
DELETE FROM core.error WHERE code IN ('ORDERS_NOT_CANCELLABLE', 'ORDERS_NOT_FULFILLABLE');

COMMIT;
