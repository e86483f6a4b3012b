-- Tests for functions/api/store_fulfilment: the wrappers and views exist for the API roles that may call them, not for
-- anonymous callers (the behaviour is tested in db/tests/functions/store/fulfilment.sql).
BEGIN;
SELECT plan(4);

SELECT ok(has_function_privilege('mercato_user', 'api.create_fulfilment_batch(bigint, core.json_doc, bigint, integer, core.long_text, bigint)', 'EXECUTE'),
          'staff may create batches');
SELECT ok(NOT has_function_privilege('mercato_anon', 'api.ship_fulfilment_batch(bigint, core.json_doc, bigint)', 'EXECUTE'),
          'anonymous callers ship nothing');
SELECT ok(has_table_privilege('mercato_user', 'api.fulfilment_batches', 'SELECT'), 'batches are listed');
SELECT ok(NOT has_table_privilege('mercato_anon', 'api.fulfilment_batch_orders', 'SELECT'), 'not to anonymous callers');

SELECT * FROM finish();
ROLLBACK;
