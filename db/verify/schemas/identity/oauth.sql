-- Verify mercato:schemas/identity/oauth on pg
-- Existence and privileges only: each statement raises when one piece is missing (a missing relation or column, a
-- failed cast) or wrongly granted (division by zero).

BEGIN;

SELECT id, user_id, tenant_key, provider, provider_account_id, email, linked_at, last_used_at, unlinked_at
  FROM identity.oauth_account WHERE false;
SELECT 'identity.oauth_account_provider_account_key'::regclass, 'identity.oauth_account_user_id_tenant_key_idx'::regclass;
SELECT 1 / (SELECT count(*) FROM pg_catalog.pg_constraint k
             WHERE k.conrelid = 'identity.oauth_account'::regclass AND k.conname = c)::int
  FROM unnest(ARRAY['oauth_account_provider_check', 'oauth_account_provider_account_id_check', 'oauth_account_email_check',
                    'oauth_account_unlinked_at_check', 'oauth_account_user_id_tenant_key_fkey']) AS c;
SELECT 1 / (SELECT count(*) FROM pg_catalog.pg_trigger t
             WHERE t.tgname = 'oauth_account_audit' AND t.tgrelid = 'identity.oauth_account'::regclass
               AND t.tgfoid = 'audit.track()'::regprocedure AND t.tgenabled <> 'D')::int;
SELECT 1 / (SELECT relrowsecurity FROM pg_catalog.pg_class WHERE oid = 'identity.oauth_account'::regclass)::int;
SELECT 1 / (SELECT count(*) FROM core.error e WHERE e.code = c)::int
  FROM unnest(ARRAY['IDENTITY_OAUTH_ACCOUNT_TAKEN', 'IDENTITY_OAUTH_UNKNOWN_ACCOUNT']) AS c;
SELECT 1 / (NOT pg_catalog.has_any_column_privilege(r, 'identity.oauth_account', 'SELECT, INSERT, UPDATE, REFERENCES')
            AND NOT pg_catalog.has_table_privilege(r, 'identity.oauth_account', 'DELETE, TRUNCATE'))::int
  FROM unnest(ARRAY['mercato_anon', 'mercato_user', 'mercato_service']) AS r;

ROLLBACK;
