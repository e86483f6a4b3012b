-- Verify mercato:functions/api/ledger on pg

BEGIN;

SELECT 'api.my_accounts()'::regprocedure, 'api.transfer(core.name_text, bigint, bigint, numeric, core.long_text, core.json_doc)'::regprocedure,
       'api.capture_hold(core.name_text, bigint, core.json_doc, core.long_text)'::regprocedure, 'api.ledger_check()'::regprocedure;

-- each piece on its own (py/tests/test_verify_fails.py removes one at a time)
-- its functions
SELECT 'api.account_balance(bigint)'::regprocedure,
       'api.account_statement(bigint, core.finite_timestamptz, core.finite_timestamptz, bigint, integer)'::regprocedure,
       'api.balance_at(bigint, core.finite_timestamptz)'::regprocedure,
       'api.create_hold(core.name_text, bigint, numeric, core.finite_timestamptz, core.long_text)'::regprocedure,
       'api.expire_holds(integer)'::regprocedure,
       'api.my_statement(bigint, core.finite_timestamptz, core.finite_timestamptz, bigint, integer)'::regprocedure,
       'api.open_account(core.name_text, core.name_text, core.name_text, core.name_text, boolean, numeric, boolean, integer, core.json_doc)'::regprocedure,
       'api.post_batch(core.json_batch)'::regprocedure,
       'api.post_transaction(core.name_text, core.json_doc, core.long_text, core.json_doc)'::regprocedure,
       'api.release_hold(core.name_text, bigint)'::regprocedure,
       'api.reverse_transaction(core.name_text, bigint, core.long_text)'::regprocedure,
       'api.set_account_status(bigint, core.name_text)'::regprocedure;
-- the routines it grants to API roles
SELECT 1 / pg_catalog.has_function_privilege(x.role, x.f, 'EXECUTE')::int
  FROM (VALUES ('api.account_balance(bigint)', 'mercato_service'),
               ('api.account_statement(bigint, core.finite_timestamptz, core.finite_timestamptz, bigint, integer)', 'mercato_service'),
               ('api.balance_at(bigint, core.finite_timestamptz)', 'mercato_service'),
               ('api.capture_hold(core.name_text, bigint, core.json_doc, core.long_text)', 'mercato_service'),
               ('api.create_hold(core.name_text, bigint, numeric, core.finite_timestamptz, core.long_text)', 'mercato_service'),
               ('api.expire_holds(integer)', 'mercato_service'),
               ('api.ledger_check()', 'mercato_service'),
               ('api.my_accounts()', 'mercato_user'),
               ('api.my_statement(bigint, core.finite_timestamptz, core.finite_timestamptz, bigint, integer)', 'mercato_user'),
               ('api.open_account(core.name_text, core.name_text, core.name_text, core.name_text, boolean, numeric, boolean, integer, core.json_doc)', 'mercato_service'),
               ('api.post_batch(core.json_batch)', 'mercato_service'),
               ('api.post_transaction(core.name_text, core.json_doc, core.long_text, core.json_doc)', 'mercato_service'),
               ('api.release_hold(core.name_text, bigint)', 'mercato_service'),
               ('api.reverse_transaction(core.name_text, bigint, core.long_text)', 'mercato_service'),
               ('api.set_account_status(bigint, core.name_text)', 'mercato_service'),
               ('api.transfer(core.name_text, bigint, bigint, numeric, core.long_text, core.json_doc)', 'mercato_service')) AS x(f, role);

ROLLBACK;
