-- Tests for functions/api/payments_installments: each wrapper reaches its function for the callers it names only.
BEGIN;
SELECT plan(4);

SELECT ok(has_function_privilege('mercato_user', 'api.create_installment_plan(bigint, integer, integer, core.finite_timestamptz)', 'EXECUTE')
          AND has_function_privilege('mercato_user', 'api.pay_installment(bigint)', 'EXECUTE'), 'buyers make and pay plans');
SELECT ok(NOT has_function_privilege('mercato_anon', 'api.get_installment_plan(bigint)', 'EXECUTE'), 'anonymous callers reach nothing');

CREATE TEMP TABLE w AS SELECT tests.escrow_world('ainst') AS j;
GRANT SELECT ON w TO PUBLIC;
SELECT tests.put('o', tests.shop_order('ainst-payer', (SELECT (j ->> 'shop_id')::bigint FROM w), (SELECT (j ->> 'variant')::bigint FROM w), 1));
SELECT tests.as_user('ainst-payer');
SELECT tests.put('plan', (api.create_installment_plan(tests.id('o'), 2, 7) ->> 'id')::bigint);
SELECT tests.as_service();
SELECT is(api.get_installment_plan(tests.id('plan')) ->> 'total', '10.00', 'the back office reads a plan');
SELECT is(api.cancel_installment_plan(tests.id('plan')) ->> 'status', 'CANCELLED', 'and cancels it (nothing paid: nothing kept)');

SELECT * FROM finish();
ROLLBACK;
