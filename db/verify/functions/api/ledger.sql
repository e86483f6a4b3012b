-- Verify mercato:functions/api/ledger on pg

BEGIN;

SELECT 'api.my_accounts()'::regprocedure, 'api.transfer(text, bigint, bigint, numeric, text, jsonb)'::regprocedure,
       'api.capture_hold(text, bigint, jsonb, text)'::regprocedure, 'api.ledger_check()'::regprocedure;

ROLLBACK;
