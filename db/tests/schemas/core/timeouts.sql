-- Tests for schemas/core/timeouts: the API roles' cluster-wide timeouts (the runaway call and the lock wait being cut
-- off need a second session or an uncatchable cancel: py/tests/test_timeouts.py shows them).
BEGIN;
SELECT plan(6);

CREATE TEMP VIEW role_timeout AS
SELECT s.setrole::regrole::text AS role, split_part(c, '=', 1) AS name, substr(c, strpos(c, '=') + 1) AS value
  FROM pg_catalog.pg_db_role_setting s, unnest(s.setconfig) AS c
 WHERE s.setdatabase = 0
   AND split_part(c, '=', 1) IN ('statement_timeout', 'lock_timeout', 'idle_in_transaction_session_timeout');
GRANT SELECT ON role_timeout TO mercato_authenticator;

SELECT set_eq($$SELECT role, name, value FROM role_timeout WHERE role LIKE 'mercato\_%'$$,
              $$VALUES ('mercato_anon', 'statement_timeout', '3s'), ('mercato_anon', 'lock_timeout', '1s'),
                       ('mercato_anon', 'idle_in_transaction_session_timeout', '10s'),
                       ('mercato_user', 'statement_timeout', '10s'), ('mercato_user', 'lock_timeout', '4s'),
                       ('mercato_user', 'idle_in_transaction_session_timeout', '20s'),
                       ('mercato_service', 'statement_timeout', '5min'), ('mercato_service', 'lock_timeout', '15s'),
                       ('mercato_service', 'idle_in_transaction_session_timeout', '1min'),
                       ('mercato_authenticator', 'idle_in_transaction_session_timeout', '1min')$$,
              'each API role has its three timeouts, the authenticator its idle-in-transaction timeout');

SELECT ok((SELECT l.value::interval < s.value::interval
             FROM role_timeout l JOIN role_timeout s ON s.role = l.role AND s.name = 'statement_timeout'
            WHERE l.role = r AND l.name = 'lock_timeout'),
          r || ': lock_timeout below statement_timeout, so a lock wait fails as 55P03')
  FROM unnest(ARRAY['mercato_anon', 'mercato_user', 'mercato_service']) AS r;

SELECT ok((SELECT s.value::interval > u.value::interval
             FROM role_timeout s, role_timeout u
            WHERE s.role = 'mercato_service' AND u.role = 'mercato_user'
              AND s.name = 'statement_timeout' AND u.name = 'statement_timeout'),
          'the back office may run longer than a person''s request (settlement runs)');

-- PostgREST and the library read the settings as the login role before switching: the authenticator can
SET LOCAL ROLE mercato_authenticator;
SELECT is((SELECT count(*)::int FROM role_timeout WHERE role IN ('mercato_anon', 'mercato_user', 'mercato_service')), 9,
          'the authenticator reads the API roles'' settings from pg_db_role_setting');
RESET ROLE;

SELECT * FROM finish();
ROLLBACK;
