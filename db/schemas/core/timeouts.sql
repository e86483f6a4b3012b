-- Deploy mercato:schemas/core/timeouts to pg
-- Timeouts per API role: statement_timeout, lock_timeout and idle_in_transaction_session_timeout
-- (docs/operations.md, "Timeouts", gives the values and the reasons).
--
-- Scope: ALTER ROLE … SET without IN DATABASE, i.e. CLUSTER-WIDE, on purpose. The roles themselves are cluster-wide
-- (schemas/core creates them once per cluster), and a setting bound to one database (IN DATABASE) is silently lost
-- where it matters: CREATE DATABASE … TEMPLATE does not copy pg_db_role_setting rows of the template, and a plain
-- pg_dump/pg_restore of the database does not carry them either, so a copy or a restore would run with no timeouts
-- at all. Cluster-wide settings travel with the roles (pg_dumpall --roles-only). A database that needs other values
-- may still add ALTER ROLE … IN DATABASE …, which takes precedence for that database (PostgreSQL and the clients
-- below apply database-specific settings over cluster-wide ones).
--
-- How the values reach a request: PostgreSQL applies a role's settings at LOGIN only; SET ROLE does not. PostgREST
-- (from v11.1.0, "impersonated role settings") reads pg_db_role_setting for the role a JWT names and applies its
-- settings with set_config(…, true) in each request's transaction; mercato.client.Client and the PostgREST emulator
-- (mercato.harness.postgrest) do the same. The authenticator's own setting applies at its login.
--
-- lock_timeout is always well below statement_timeout, so a call stuck behind a lock fails with 55P03 ("lock not
-- available") rather than with a generic statement timeout (57014); both answer HTTP 500 under PostgREST.

BEGIN;

SET LOCAL lock_timeout = '5s';

-- Anonymous callers only read reference data: nothing they may do takes more than a fraction of a second.
ALTER ROLE mercato_anon SET statement_timeout = '3s';
ALTER ROLE mercato_anon SET lock_timeout = '1s';
ALTER ROLE mercato_anon SET idle_in_transaction_session_timeout = '10s';

-- People (PostgREST requests of mercato_user): one use case per call, a few row locks in a fixed order.
ALTER ROLE mercato_user SET statement_timeout = '10s';
ALTER ROLE mercato_user SET lock_timeout = '4s';
ALTER ROLE mercato_user SET idle_in_transaction_session_timeout = '20s';

-- The back office: settlement runs of a whole period in one transaction, tier recalculation, integrity checks.
ALTER ROLE mercato_service SET statement_timeout = '5min';
ALTER ROLE mercato_service SET lock_timeout = '15s';
ALTER ROLE mercato_service SET idle_in_transaction_session_timeout = '1min';

-- The authenticator's sessions (PostgREST's pool, the emulator) never idle inside a transaction: one held open
-- means a client or a pooler died mid-request, and it must not keep its locks and snapshot.
ALTER ROLE mercato_authenticator SET idle_in_transaction_session_timeout = '1min';

COMMIT;
