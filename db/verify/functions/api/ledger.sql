-- Verify mercato:functions/api/ledger on pg

BEGIN;

SELECT 'api.my_accounts()'::regprocedure, 'api.transfer(core.name_text, bigint, bigint, numeric, core.long_text, core.json_doc)'::regprocedure,
       'api.capture_hold(core.name_text, bigint, core.json_doc, core.long_text)'::regprocedure, 'api.ledger_check()'::regprocedure;

ROLLBACK;
