-- Tests for functions/api/payments_hooks: who may call the wrappers (the rules are in the tests of the functions they
-- wrap: functions/payments/webhook_resolution, webhook_sender).
BEGIN;
SELECT plan(6);

SELECT ok(has_function_privilege('mercato_user', 'api.resolve_webhook_event(bigint, core.name_text, core.long_text)', 'EXECUTE'),
          'a user may call resolve_webhook_event (payments.manage is checked inside)');
SELECT ok(has_function_privilege('mercato_service', 'api.resolve_webhook_event(bigint, core.name_text, core.long_text)', 'EXECUTE'),
          'the back office may call resolve_webhook_event');
SELECT ok(NOT has_function_privilege('mercato_anon', 'api.resolve_webhook_event(bigint, core.name_text, core.long_text)', 'EXECUTE'),
          'anonymous callers may not');
SELECT ok(has_function_privilege('mercato_sender', 'api.merchant_webhook_request(bigint, uuid)', 'EXECUTE'),
          'a sender may ask for a merchant webhook''s request');
SELECT ok(NOT has_function_privilege('mercato_user', 'api.merchant_webhook_request(bigint, uuid)', 'EXECUTE')
          AND NOT has_function_privilege('mercato_service', 'api.merchant_webhook_request(bigint, uuid)', 'EXECUTE')
          AND NOT has_function_privilege('mercato_anon', 'api.merchant_webhook_request(bigint, uuid)', 'EXECUTE'),
          'no other API role may');
SELECT tests.as_anon();
SELECT throws_ok('SELECT api.resolve_webhook_event(1, ''DISMISS'', ''anonymous'')', '42501', NULL,
                 'an anonymous call is refused by the grant');

SELECT * FROM finish();
ROLLBACK;
