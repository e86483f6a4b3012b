-- Deploy mercato:functions/api/verification to pg
-- The HTTP API of login verification and password reset (issue 17, second half). request_verification is for a
-- signed-in user's own logins; verify_login, request_password_reset and reset_password are open to anonymous callers
-- (the token in the e-mail or SMS is the proof). The token travels only through the outbox (docs/auth.md).

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

CREATE OR REPLACE FUNCTION api.request_verification(p_login core.name_text)
RETURNS TABLE (login text, expires_at timestamptz, message_id bigint)
LANGUAGE sql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    SELECT * FROM identity.request_verification(p_login);
END;
SELECT core.wrap('api.request_verification(core.name_text)', 'identity.request_verification(text)',
                 'A signed-in user, for its own e-mail or phone logins.', 'mercato_user');

CREATE OR REPLACE FUNCTION api.verify_login(p_token core.name_text)
RETURNS text
LANGUAGE sql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
RETURN identity.verify_login(p_token);
SELECT core.wrap('api.verify_login(core.name_text)', 'identity.verify_login(text)',
                 'Anyone holding the token.', 'mercato_anon', 'mercato_user', 'mercato_service');

CREATE OR REPLACE FUNCTION api.request_password_reset(p_login core.name_text, p_tenant_code core.name_text DEFAULT NULL)
RETURNS void
LANGUAGE sql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    SELECT identity.request_password_reset(p_login, p_tenant_code);
END;
SELECT core.wrap('api.request_password_reset(core.name_text, core.name_text)', 'identity.request_password_reset(text, text)',
                 'Anyone.', 'mercato_anon', 'mercato_user', 'mercato_service');

CREATE OR REPLACE FUNCTION api.reset_password(p_token core.name_text, p_new_password core.name_text)
RETURNS void
LANGUAGE sql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    SELECT identity.reset_password(p_token, p_new_password);
END;
SELECT core.wrap('api.reset_password(core.name_text, core.name_text)', 'identity.reset_password(text, text)',
                 'Anyone holding a reset token.', 'mercato_anon', 'mercato_user', 'mercato_service');

COMMIT;
