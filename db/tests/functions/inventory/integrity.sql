-- Tests for functions/inventory/integrity: the job inventory.integrity passes on a clean inventory and fails with
-- INVENTORY_INTEGRITY_VIOLATION naming the check otherwise.
BEGIN;
SELECT plan(4);

SELECT results_eq($$SELECT to_regprocedure(function_name), enabled FROM jobs.job WHERE name = 'inventory.integrity'$$,
                  $$VALUES ('inventory.assert_integrity()'::regprocedure, true)$$, 'inventory.integrity is registered, enabled');
SELECT is(inventory.assert_integrity() ->> 'failed', '0', 'a clean inventory passes');
SELECT tests.inventory_world('int');
SELECT tests.as_service();
SELECT api.receive_stock(tests.id('v_deny'), tests.id('a_wh'), 5, p_tenant_id => tests.id('a'));
SELECT tests.as_owner();
UPDATE inventory.stock SET on_hand = 4 WHERE variant_id = tests.id('v_deny');
SELECT throws_like($$SELECT inventory.assert_integrity()$$, 'INVENTORY_INTEGRITY_VIOLATION:%', 'a violation fails the job');
SELECT ok(NOT has_function_privilege('mercato_service', 'inventory.assert_integrity()', 'EXECUTE'), 'owner and jobs only');

SELECT * FROM finish();
ROLLBACK;
