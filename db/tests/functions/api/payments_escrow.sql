-- Tests for functions/api/payments_escrow: each wrapper reaches its function for the callers it names and no other role.
BEGIN;
SELECT plan(6);

SELECT ok(has_function_privilege('mercato_user', 'api.place_shop_order(bigint, core.json_doc, core.json_doc)', 'EXECUTE')
          AND has_function_privilege('mercato_user', 'api.pay_shop_order(bigint, numeric)', 'EXECUTE'),
          'signed-in users place and pay shop orders');
SELECT ok(NOT has_function_privilege('mercato_anon', 'api.get_escrow(bigint)', 'EXECUTE'), 'anonymous callers reach nothing');
SELECT ok(NOT has_function_privilege('mercato_service', 'api.confirm_delivery(bigint)', 'EXECUTE'),
          'the back office confirms no delivery (the buyer does)');

CREATE TEMP TABLE w AS SELECT tests.escrow_world('aesc') AS j;
GRANT SELECT ON w TO PUBLIC;
SELECT tests.fund_user_wallet((SELECT (j ->> 'payer')::bigint FROM w), 100);
SELECT tests.put('o', tests.shop_order('aesc-payer', (SELECT (j ->> 'shop_id')::bigint FROM w), (SELECT (j ->> 'variant')::bigint FROM w), 1));
SELECT tests.as_user('aesc-payer');
SELECT tests.put('e', (api.pay_shop_order(tests.id('o')) ->> 'escrow_id')::bigint);
SELECT is(api.open_dispute(tests.id('e'), 'broken') ->> 'status', 'DISPUTED', 'api.open_dispute');
SELECT tests.as_service();
SELECT is(api.resolve_dispute(tests.id('e'), 10, 'refund in full') ->> 'status', 'RESOLVED', 'the back office resolves');
SELECT is(api.get_escrow(tests.id('e')) ->> 'buyer_amount', '10', 'and reads it');

SELECT * FROM finish();
ROLLBACK;
