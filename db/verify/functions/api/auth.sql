-- Verify mercato:functions/api/auth on pg
-- Existence and privileges only.

BEGIN;

-- open to anonymous callers
SELECT 1 / has_function_privilege(r, f, 'EXECUTE')::int
  FROM unnest(ARRAY['api.sign_up(core.name_text, core.name_text, core.name_text, core.name_text, core.name_text)'::regprocedure,
                    'api.sign_in(core.name_text, core.name_text, core.name_text)'::regprocedure,
                    'api.refresh(core.name_text)'::regprocedure]) f,
       unnest(ARRAY['mercato_anon', 'mercato_user', 'mercato_service']) r;
-- signed-in users only
SELECT 1 / (has_function_privilege('mercato_user', f, 'EXECUTE')
            AND NOT has_function_privilege('mercato_anon', f, 'EXECUTE')
            AND NOT has_function_privilege('mercato_service', f, 'EXECUTE'))::int
  FROM unnest(ARRAY['api.sign_out()'::regprocedure, 'api.my_sessions()'::regprocedure,
                    'api.revoke_session(bigint)'::regprocedure, 'api.revoke_all_sessions()'::regprocedure,
                    'api.change_password(core.name_text, core.name_text)'::regprocedure,
                    'api.add_login(core.name_text)'::regprocedure]) f;

ROLLBACK;
