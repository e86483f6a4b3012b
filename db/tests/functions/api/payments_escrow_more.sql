-- Tests for functions/api/payments_escrow_more: each wrapper reaches its function for the callers it names only.
BEGIN;
SELECT plan(3);

SELECT ok(has_function_privilege('mercato_user', 'api.cancel_shop_order(bigint, core.long_text)', 'EXECUTE')
          AND has_function_privilege('mercato_user', 'api.list_escrows(bigint, core.name_text, bigint, integer)', 'EXECUTE')
          AND has_function_privilege('mercato_user', 'api.list_installment_plans(bigint, core.name_text, bigint, integer)', 'EXECUTE'),
          'signed-in users reach them (each function decides whose)');
SELECT ok(NOT has_function_privilege('mercato_anon', 'api.list_escrows(bigint, core.name_text, bigint, integer)', 'EXECUTE')
          AND NOT has_function_privilege('mercato_anon', 'api.cancel_shop_order(bigint, core.long_text)', 'EXECUTE'),
          'anonymous callers reach nothing');
SELECT tests.as_service();
SELECT lives_ok('SELECT * FROM api.list_installment_plans()', 'the back office lists every plan');

SELECT * FROM finish();
ROLLBACK;
