-- Verify mercato:functions/identity/verification on pg
-- Existence and privileges only: no API role executes these (they reach them through api.*).

BEGIN;

SELECT 1 / (NOT has_function_privilege(r, f, 'EXECUTE'))::int
  FROM unnest(ARRAY['identity.token_wait(bigint, text)'::regprocedure,
                    'identity.send_login_token(bigint, text)'::regprocedure,
                    'identity.consume_token(text, text)'::regprocedure,
                    'identity.request_verification(text)'::regprocedure,
                    'identity.verify_login(text)'::regprocedure,
                    'identity.request_password_reset(text, text)'::regprocedure,
                    'identity.reset_password(text, text)'::regprocedure]) f,
       unnest(ARRAY['mercato_anon', 'mercato_user', 'mercato_service', 'mercato_sender']) r;

ROLLBACK;
