-- Tests for schemas/core: extensions, roles, the error catalogue table.
BEGIN;
SELECT plan(13);

SELECT has_schema('core');
SELECT has_table('core', 'error', 'core.error exists');
SELECT col_is_pk('core', 'error', 'code', 'error code is the primary key');
SELECT has_extension('pgcrypto');
SELECT has_extension('btree_gist');
SELECT has_role('mercato_anon');
SELECT has_role('mercato_user');
SELECT has_role('mercato_service');
SELECT ok((SELECT rolcanlogin AND NOT rolinherit FROM pg_roles WHERE rolname = 'mercato_authenticator'),
          'mercato_authenticator is LOGIN NOINHERIT');
SELECT throws_ok($$INSERT INTO core.error (code, module, sqlstate, message) VALUES ('lower_case', 'x', 'PT400', 'm')$$,
                 '23514', NULL, 'error codes must be UPPER_SNAKE with a module prefix');
SELECT throws_ok($$INSERT INTO core.error (code, module, sqlstate, message) VALUES ('X_Y', 'x', 'P0001', 'm')$$,
                 '23514', NULL, 'catalogued errors use a PTxyz SQLSTATE');
SET LOCAL ROLE mercato_user;
SELECT throws_ok($$INSERT INTO core.error (code, module, sqlstate, message) VALUES ('X_Y', 'x', 'PT400', 'm')$$,
                 '42501', NULL, 'application roles cannot change the catalogue');
RESET ROLE;
SELECT is((SELECT count(*) FROM core.error WHERE message = ''), 0::bigint, 'every error has a message');

SELECT * FROM finish();
ROLLBACK;
