-- Revert mercato:functions/store/fulfilment from pg

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

DROP TRIGGER fulfilment_batch_transition ON store.fulfilment_batch;
DROP FUNCTION store.cancel_batch(bigint, text, bigint);
DROP FUNCTION store.ship_batch(bigint, jsonb, bigint);
DROP FUNCTION store.advance_batch(bigint, text, bigint);
DROP FUNCTION store.batch_pick_list(bigint, bigint);
DROP FUNCTION store.create_batch(bigint, jsonb, bigint, integer, text, bigint);
DROP FUNCTION store.add_batch_orders(bigint, jsonb, bigint);
DROP FUNCTION store.order_id_list(jsonb);
DROP FUNCTION store.recount_batch(bigint, bigint);
DROP FUNCTION store.batch_lines(bigint, bigint);
DROP FUNCTION store.lock_batch(bigint, bigint);
DROP FUNCTION store.fulfilment_tenant(bigint);
DROP FUNCTION store.batch_transition_trg();

COMMIT;
