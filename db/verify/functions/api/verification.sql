-- Verify mercato:functions/api/verification on pg
-- Existence and privileges only.

BEGIN;

-- open to anonymous callers
SELECT 1 / has_function_privilege(r, f, 'EXECUTE')::int
  FROM unnest(ARRAY['api.verify_login(core.name_text)'::regprocedure,
                    'api.request_password_reset(core.name_text, core.name_text)'::regprocedure,
                    'api.reset_password(core.name_text, core.name_text)'::regprocedure]) f,
       unnest(ARRAY['mercato_anon', 'mercato_user', 'mercato_service']) r;
-- signed-in users only
SELECT 1 / (has_function_privilege('mercato_user', 'api.request_verification(core.name_text)', 'EXECUTE')
            AND NOT has_function_privilege('mercato_anon', 'api.request_verification(core.name_text)', 'EXECUTE')
            AND NOT has_function_privilege('mercato_service', 'api.request_verification(core.name_text)', 'EXECUTE'))::int;

ROLLBACK;
