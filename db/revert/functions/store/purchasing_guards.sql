-- Revert mercato:functions/store/purchasing_guards from pg

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

DROP TRIGGER purchase_order_line_totals_delete ON store.purchase_order_line;
DROP TRIGGER purchase_order_line_totals_update ON store.purchase_order_line;
DROP TRIGGER purchase_order_line_totals_insert ON store.purchase_order_line;
DROP FUNCTION store.purchase_order_line_totals_trg();
DROP TRIGGER purchase_order_line_guard ON store.purchase_order_line;
DROP FUNCTION store.purchase_order_line_guard_trg();
DROP TRIGGER purchase_order_guard ON store.purchase_order;
DROP FUNCTION store.purchase_order_guard_trg();
DROP TRIGGER purchase_order_line_money ON store.purchase_order_line;
DROP TRIGGER purchase_order_money ON store.purchase_order;
DROP TRIGGER distributor_item_money ON store.distributor_item;
DROP TRIGGER distributor_money ON store.distributor;
DROP FUNCTION store.purchasing_money_trg();

COMMIT;
