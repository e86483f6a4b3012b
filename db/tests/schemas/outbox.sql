-- Tests for schemas/outbox: the tables, their constraints, the secret declared, nobody but the owner reads them.
BEGIN;
SELECT plan(12);

SELECT has_table('outbox', 'message', 'outbox.message exists');
SELECT has_table('outbox', 'message_secret', 'outbox.message_secret exists');
SELECT is((SELECT count(*)::int FROM core.secret WHERE table_schema = 'outbox' AND table_name = 'message_secret'
            AND column_name = 'secret' AND kind = 'SECRET'), 1, 'the secret column is declared SECRET');
SELECT ok((SELECT NOT rolcanlogin FROM pg_roles WHERE rolname = 'mercato_sender'), 'mercato_sender exists, NOLOGIN');
SELECT ok(NOT has_table_privilege(r, t, 'SELECT'), format('%s cannot read %s', r, t))
  FROM unnest(ARRAY['mercato_anon', 'mercato_user', 'mercato_service', 'mercato_sender']) r,
       unnest(ARRAY['outbox.message', 'outbox.message_secret']) t
 WHERE r IN ('mercato_service', 'mercato_sender');
SELECT throws_ok($$INSERT INTO outbox.message (channel, recipient, template) VALUES ('FAX', '+1', 't')$$,
                 '23514', NULL, 'an unknown channel violates message_channel_check');
SELECT throws_ok($$INSERT INTO outbox.message (channel, recipient, template, params) VALUES ('SMS', '+1', 't', '[]')$$,
                 '23514', NULL, 'params must be an object');
SELECT throws_ok($$INSERT INTO outbox.message (channel, recipient, template) VALUES ('SMS', '', 't')$$,
                 '23514', NULL, 'an empty recipient is refused');
SELECT is((SELECT reloptions FROM pg_class WHERE oid = 'outbox.message'::regclass), ARRAY['fillfactor=80'],
          'outbox.message leaves room on its pages for HOT updates');

SELECT * FROM finish();
ROLLBACK;
