-- Revert mercato:functions/store/purchase_orders from pg

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

DROP FUNCTION store.cancel_purchase_order(bigint, text, bigint);
DROP FUNCTION store.confirm_purchase_order(bigint, text, date, bigint);
DROP FUNCTION store.submit_purchase_order(bigint, numeric, bigint);
DROP FUNCTION store.set_purchase_order_charges(bigint, numeric, numeric, numeric, bigint);
DROP FUNCTION store.add_purchase_order_lines(bigint, jsonb, numeric, bigint);
DROP FUNCTION store.create_purchase_order(bigint, bigint, jsonb, date, numeric, numeric, numeric, text, text, bigint);
DROP FUNCTION store.open_purchase_order(bigint, bigint, bigint, date, numeric, numeric, text, text);
DROP FUNCTION store.check_expected_total(bigint, numeric);
DROP FUNCTION store.add_lines(store.purchase_order, jsonb);
DROP FUNCTION store.locked_purchase_order(bigint, bigint);
DROP FUNCTION store.json_amount(bigint, jsonb, text);
DROP FUNCTION store.json_whole(jsonb, text, bigint, bigint);

COMMIT;
