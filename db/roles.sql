-- Mercato's cluster-wide roles, created when missing (`mercato db roles`; psql -f db/roles.sql works too).
-- Roles belong to the cluster, not to a database: several Mercato databases share them, a revert never drops them,
-- and a dump (pg_dump) does not contain them. Run this on a fresh cluster BEFORE pg_restore of a Mercato dump, so that
-- the dump's grants, policies and owners find their roles. The deploys of schemas/core and schemas/core/owner create the
-- same roles the same way.
-- Idempotent: it changes nothing where the roles exist.

DO $roles$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'mercato_anon') THEN
        CREATE ROLE mercato_anon NOLOGIN;
    END IF;
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'mercato_user') THEN
        CREATE ROLE mercato_user NOLOGIN;
    END IF;
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'mercato_service') THEN
        CREATE ROLE mercato_service NOLOGIN;
    END IF;
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'mercato_authenticator') THEN
        CREATE ROLE mercato_authenticator LOGIN NOINHERIT;
    END IF;
    -- owns every object of the Mercato schemas (schemas/core/owner); deployers are granted it, nobody logs in as it
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'mercato_owner') THEN
        CREATE ROLE mercato_owner NOLOGIN;
    END IF;
    -- the outbox's senders (schemas/outbox): granted to each sender's login role, never to the authenticator
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'mercato_sender') THEN
        CREATE ROLE mercato_sender NOLOGIN;
    END IF;
END
$roles$;
GRANT mercato_anon, mercato_user, mercato_service TO mercato_authenticator;
