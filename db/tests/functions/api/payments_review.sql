-- Tests for functions/api/payments_review: the wrapper reaches signed-in users (the function checks payments.manage)
-- and the back office, never anonymous callers.
BEGIN;
SELECT plan(3);
SELECT ok(has_function_privilege('mercato_user', 'api.resolve_flagged_withdrawal(bigint, core.name_text, core.long_text)', 'EXECUTE'),
          'signed-in users call it (payments.manage is checked inside)');
SELECT ok(has_function_privilege('mercato_service', 'api.resolve_flagged_withdrawal(bigint, core.name_text, core.long_text)', 'EXECUTE'),
          'the back office calls it');
SELECT ok(NOT has_function_privilege('mercato_anon', 'api.resolve_flagged_withdrawal(bigint, core.name_text, core.long_text)', 'EXECUTE'),
          'anonymous callers do not');
SELECT * FROM finish();
ROLLBACK;
