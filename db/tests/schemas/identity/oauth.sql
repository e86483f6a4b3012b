-- Tests for schemas/identity/oauth: one user per linked provider account within a tenant key, the user's own tenant,
-- checks, no API role privilege, row-level security, audit, error codes.
BEGIN;
SELECT plan(11);

CREATE TEMP TABLE w AS SELECT identity.create_tenant('so-a', 'A') AS a, identity.create_tenant('so-b', 'B') AS b;
ALTER TABLE w ADD COLUMN u1 bigint, ADD COLUMN u2 bigint, ADD COLUMN u3 bigint;
UPDATE w SET u1 = identity.register_user('so-u1', 'CUSTOMER', 'U1', a), u2 = identity.register_user('so-u2', 'CUSTOMER', 'U2', a),
             u3 = identity.register_user('so-u3', 'CUSTOMER', 'U3', b);

SELECT lives_ok($$INSERT INTO identity.oauth_account (user_id, tenant_key, provider, provider_account_id, email)
                  SELECT u1, a, 'google', 'g-1', 'u1@example.com' FROM w$$, 'a linked account');
SELECT throws_ok($$INSERT INTO identity.oauth_account (user_id, tenant_key, provider, provider_account_id)
                   SELECT u2, a, 'google', 'g-1' FROM w$$, '23505', NULL,
                 'one provider account links to one user of a tenant (constraint)');
SELECT lives_ok($$INSERT INTO identity.oauth_account (user_id, tenant_key, provider, provider_account_id)
                  SELECT u3, b, 'google', 'g-1' FROM w$$, 'the same provider account may be a user''s of another tenant');
SELECT throws_ok($$INSERT INTO identity.oauth_account (user_id, tenant_key, provider, provider_account_id)
                   SELECT u1, b, 'apple', 'a-1' FROM w$$, '23503', NULL, 'the tenant key is the user''s own');
SELECT throws_ok($$INSERT INTO identity.oauth_account (user_id, tenant_key, provider, provider_account_id)
                   SELECT u1, a, 'Google!', 'x' FROM w$$, '23514', NULL, 'a provider is a lower-case code');
UPDATE identity.oauth_account SET unlinked_at = now() WHERE provider_account_id = 'g-1' AND user_id = (SELECT u1 FROM w);
SELECT lives_ok($$INSERT INTO identity.oauth_account (user_id, tenant_key, provider, provider_account_id)
                  SELECT u2, a, 'google', 'g-1' FROM w$$, 'once unlinked, it may be linked to another user');

SELECT is((SELECT count(*)::int FROM unnest(ARRAY['mercato_anon', 'mercato_user', 'mercato_service']) r
           WHERE has_any_column_privilege(r, 'identity.oauth_account', 'SELECT, INSERT, UPDATE')
              OR has_table_privilege(r, 'identity.oauth_account', 'DELETE')), 0, 'no API role reads or writes it');
SELECT ok((SELECT relrowsecurity FROM pg_class WHERE oid = 'identity.oauth_account'::regclass), 'row-level security is on');
SELECT is((SELECT count(*)::int FROM pg_policy WHERE polrelid = 'identity.oauth_account'::regclass), 0, 'without a policy');
SELECT ok((SELECT count(*) FROM audit.event WHERE entity_type = 'identity.oauth_account') >= 4, 'links are audited');
SELECT is((SELECT count(*)::int FROM core.error WHERE code IN ('IDENTITY_OAUTH_ACCOUNT_TAKEN', 'IDENTITY_OAUTH_UNKNOWN_ACCOUNT')),
          2, 'the error codes are catalogued');

SELECT * FROM finish();
ROLLBACK;
