-- Verify mercato:functions/identity/credentials on pg
-- Existence and privileges only: no API role executes these (they reach them through api.*).

BEGIN;

SELECT 1 / (NOT has_function_privilege(r, f, 'EXECUTE'))::int
  FROM unnest(ARRAY['identity.parse_login(text)'::regprocedure,
                    'identity.is_common_password(text)'::regprocedure,
                    'identity.check_password(text, text)'::regprocedure,
                    'identity.hash_password(text)'::regprocedure,
                    'identity.add_login_identifier(bigint, text)'::regprocedure,
                    'identity.add_login(text)'::regprocedure,
                    'identity.sign_up(text, text, text, text, text)'::regprocedure,
                    'identity.end_sessions(bigint, text)'::regprocedure,
                    'identity.revoke_all_tokens(bigint)'::regprocedure,
                    'identity.change_password(text, text)'::regprocedure,
                    'identity.user_account_tokens_trg()'::regprocedure]) f,
       unnest(ARRAY['mercato_anon', 'mercato_user', 'mercato_service']) r;
SELECT 1 / count(*)::int FROM pg_trigger
 WHERE tgrelid = 'identity.user_account'::regclass AND tgname = 'user_account_tokens' AND tgenabled <> 'D'
   AND tgfoid = 'identity.user_account_tokens_trg()'::regprocedure;

ROLLBACK;
