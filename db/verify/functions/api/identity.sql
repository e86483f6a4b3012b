-- Verify mercato:functions/api/identity on pg

BEGIN;

SELECT 'api.me()'::regprocedure, 'api.register_user(text, text, text, bigint, text, text)'::regprocedure,
       'api.currencies()'::regprocedure, 'api.lookups(text)'::regprocedure,
       'api.policy_in_force(text, timestamptz)'::regprocedure;

ROLLBACK;
