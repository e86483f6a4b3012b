-- Verify mercato:functions/api/identity on pg

BEGIN;

SELECT 'api.me()'::regprocedure, 'api.register_user(core.name_text, core.name_text, core.name_text, bigint, core.name_text, core.name_text)'::regprocedure,
       'api.currencies()'::regprocedure, 'api.lookups(core.name_text)'::regprocedure,
       'api.policy_in_force(core.name_text, core.finite_timestamptz)'::regprocedure, 'api.current_actor()'::regprocedure,
       'api.setting_number(core.name_text)'::regprocedure,
       'api.setting_text(core.name_text)'::regprocedure, 'api.setting_bool(core.name_text)'::regprocedure,
       'api.setting_json(core.name_text)'::regprocedure;

ROLLBACK;
