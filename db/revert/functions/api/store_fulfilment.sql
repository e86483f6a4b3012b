-- Revert mercato:functions/api/store_fulfilment from pg

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

DROP FUNCTION api.cancel_fulfilment_batch(bigint, core.name_text, bigint);
DROP FUNCTION api.ship_fulfilment_batch(bigint, core.json_doc, bigint);
DROP FUNCTION api.advance_fulfilment_batch(bigint, core.name_text, bigint);
DROP FUNCTION api.batch_pick_list(bigint, bigint);
DROP FUNCTION api.add_batch_orders(bigint, core.json_doc, bigint);
DROP FUNCTION api.create_fulfilment_batch(bigint, core.json_doc, bigint, integer, core.long_text, bigint);
DROP VIEW api.fulfilment_batch_orders, api.fulfilment_batches;

COMMIT;
