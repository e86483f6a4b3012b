-- Verify mercato:schemas/core/timeouts on pg
-- Each expected cluster-wide role setting is there (any value: a DBA may tune them); one missing divides by zero.

BEGIN;

SELECT 1 / (SELECT count(*) FROM pg_catalog.pg_db_role_setting s
             WHERE s.setdatabase = 0 AND s.setrole = e.role::regrole
               AND EXISTS (SELECT FROM unnest(s.setconfig) c WHERE c LIKE e.setting || '=%'))::int
  FROM (VALUES ('mercato_anon', 'statement_timeout'), ('mercato_anon', 'lock_timeout'),
               ('mercato_anon', 'idle_in_transaction_session_timeout'),
               ('mercato_user', 'statement_timeout'), ('mercato_user', 'lock_timeout'),
               ('mercato_user', 'idle_in_transaction_session_timeout'),
               ('mercato_service', 'statement_timeout'), ('mercato_service', 'lock_timeout'),
               ('mercato_service', 'idle_in_transaction_session_timeout'),
               ('mercato_authenticator', 'idle_in_transaction_session_timeout')) AS e (role, setting);

ROLLBACK;
