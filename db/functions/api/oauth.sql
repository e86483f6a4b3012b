-- Deploy mercato:functions/api/oauth to pg
-- The HTTP API of OAuth accounts (issue 17): the app server (mercato_service) links accounts and signs users in through
-- them; a user lists and unlinks its own.

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

CREATE OR REPLACE FUNCTION api.link_oauth_account(p_user_id bigint, p_provider core.name_text,
                                                  p_provider_account_id core.name_text, p_email core.name_text DEFAULT NULL)
RETURNS bigint
LANGUAGE sql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
RETURN identity.link_oauth_account(p_user_id, p_provider, p_provider_account_id, p_email);
SELECT core.wrap('api.link_oauth_account(bigint, core.name_text, core.name_text, core.name_text)',
                 'identity.link_oauth_account(bigint, text, text, text)',
                 'The app server (back office) only.', 'mercato_service');

CREATE OR REPLACE FUNCTION api.unlink_oauth_account(p_oauth_account_id bigint)
RETURNS void
LANGUAGE sql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    SELECT identity.unlink_oauth_account(p_oauth_account_id);
END;
SELECT core.wrap('api.unlink_oauth_account(bigint)', 'identity.unlink_oauth_account(bigint)',
                 'The user itself; back office.', 'mercato_user', 'mercato_service');

CREATE OR REPLACE FUNCTION api.sign_in_oauth(p_tenant_code core.name_text, p_provider core.name_text,
                                             p_provider_account_id core.name_text)
RETURNS identity.auth_result
LANGUAGE sql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
RETURN identity.sign_in_oauth(p_tenant_code, p_provider, p_provider_account_id);
SELECT core.wrap('api.sign_in_oauth(core.name_text, core.name_text, core.name_text)',
                 'identity.sign_in_oauth(text, text, text)',
                 'The app server (back office) only.', 'mercato_service');

CREATE OR REPLACE FUNCTION api.my_oauth_accounts()
RETURNS TABLE (oauth_account_id bigint, provider text, provider_account_id text, email text, linked_at timestamptz,
               last_used_at timestamptz)
LANGUAGE sql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    SELECT * FROM identity.my_oauth_accounts();
END;
SELECT core.wrap('api.my_oauth_accounts()', 'identity.my_oauth_accounts()', 'Any user.', 'mercato_user');

COMMIT;
