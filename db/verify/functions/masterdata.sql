-- Verify mercato:functions/masterdata on pg
-- Existence and privileges only: each statement raises when one piece is missing (its cast fails, a trigger is
-- missing or disabled) or executable by an API role (division by zero).

BEGIN;

SELECT 1 / count(*) FROM pg_catalog.pg_trigger
 WHERE tgname = 'policy_version_guard' AND tgrelid = 'masterdata.policy_version'::regclass
   AND tgfoid = 'masterdata.policy_version_guard_trg()'::regprocedure AND tgenabled <> 'D';
SELECT 1 / (NOT pg_catalog.has_function_privilege(r, f, 'EXECUTE'))::int
  FROM unnest(ARRAY['masterdata.setting_of_type(text, text)'::regprocedure,
                    'masterdata.setting_number(text)'::regprocedure,
                    'masterdata.setting_text(text)'::regprocedure,
                    'masterdata.setting_bool(text)'::regprocedure,
                    'masterdata.setting_json(text)'::regprocedure,
                    'masterdata.set_setting(text, text)'::regprocedure,
                    'masterdata.currency_minor_units(text)'::regprocedure,
                    'masterdata.lookup_id(text, text)'::regprocedure,
                    'masterdata.policy_version_guard_trg()'::regprocedure,
                    'masterdata.add_policy_version(text, timestamptz, jsonb, text)'::regprocedure,
                    'masterdata.policy_in_force(text, timestamptz)'::regprocedure]) AS f,
       unnest(ARRAY['mercato_anon', 'mercato_user', 'mercato_service']) AS r;

ROLLBACK;
