-- Verify mercato:functions/api/identity on pg

BEGIN;

SELECT 'api.me()'::regprocedure, 'api.register_user(core.name_text, core.name_text, core.name_text, bigint, core.name_text, core.name_text)'::regprocedure,
       'api.currencies()'::regprocedure, 'api.lookups(core.name_text)'::regprocedure,
       'api.policy_in_force(core.name_text, core.finite_timestamptz)'::regprocedure, 'api.current_actor()'::regprocedure,
       'api.setting(core.name_text, core.name_text)'::regprocedure;

ROLLBACK;
