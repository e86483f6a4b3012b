-- Revert mercato:functions/api/store_purchasing from pg

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

DROP FUNCTION api.create_reorder_purchase_orders(bigint, bigint);
DROP FUNCTION api.reorder_suggestions(bigint, bigint);
DROP FUNCTION api.receive_purchase_order(bigint, core.json_doc, core.long_text, bigint);
DROP FUNCTION api.cancel_purchase_order(bigint, core.name_text, bigint);
DROP FUNCTION api.confirm_purchase_order(bigint, core.name_text, core.finite_date, bigint);
DROP FUNCTION api.submit_purchase_order(bigint, numeric, bigint);
DROP FUNCTION api.set_purchase_order_charges(bigint, numeric, numeric, numeric, bigint);
DROP FUNCTION api.add_purchase_order_lines(bigint, core.json_doc, numeric, bigint);
DROP FUNCTION api.create_purchase_order(bigint, bigint, core.json_doc, core.finite_date, numeric, numeric, numeric,
                                        core.name_text, core.long_text, bigint);
DROP FUNCTION api.set_store_distributor_item(bigint, bigint, numeric, core.name_text, boolean, bigint);
DROP FUNCTION api.update_store_distributor(bigint, core.name_text, core.json_doc, core.name_text, integer, core.name_text,
                                           numeric, integer, boolean, bigint);
DROP FUNCTION api.create_store_distributor(core.name_text, core.name_text, core.json_doc, core.name_text, integer,
                                           core.name_text, numeric, integer, bigint);
REVOKE EXECUTE ON FUNCTION store.visible_reorder_suggestions() FROM mercato_user, mercato_service;
DROP VIEW api.store_reorder_suggestions;
DROP VIEW api.store_purchase_receipt_lines;
DROP VIEW api.store_purchase_receipts;
DROP VIEW api.store_purchase_order_lines;
DROP VIEW api.store_purchase_orders;
DROP VIEW api.store_distributor_items;
DROP VIEW api.store_distributors;

COMMIT;
