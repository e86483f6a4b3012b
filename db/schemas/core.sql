-- Deploy mercato:schemas/core to pg
-- Extensions, the roles PostgREST and the services use, schema core and the error catalogue.

BEGIN;

CREATE EXTENSION IF NOT EXISTS pgcrypto;
CREATE EXTENSION IF NOT EXISTS btree_gist;

-- Roles are cluster-wide: create them only when missing so several databases can share a cluster.
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
END
$roles$;
GRANT mercato_anon, mercato_user, mercato_service TO mercato_authenticator;

CREATE SCHEMA core;
COMMENT ON SCHEMA core IS 'Cross-cutting building blocks: the error catalogue and core.raise.';
GRANT USAGE ON SCHEMA core TO mercato_anon, mercato_user, mercato_service;

-- Nothing in a Mercato schema is executable by PUBLIC unless granted explicitly, whoever deploys it. ALTER DEFAULT
-- PRIVILEGES would only cover the functions of the role that ran it (a deploy split between two superusers left the
-- second one's functions executable by PUBLIC); an event trigger sees every CREATE FUNCTION / PROCEDURE of every role.
CREATE FUNCTION core.revoke_public_execute_trg()
RETURNS event_trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    r record;
BEGIN
    FOR r IN
        SELECT DISTINCT c.objid
          FROM pg_event_trigger_ddl_commands() c
          JOIN pg_proc p ON p.oid = c.objid
          JOIN pg_namespace n ON n.oid = p.pronamespace
         WHERE c.classid = 'pg_proc'::regclass
           AND NOT c.in_extension
           AND NOT EXISTS (SELECT 1 FROM pg_depend d
                            WHERE d.classid = 'pg_proc'::regclass AND d.objid = c.objid AND d.deptype = 'e')
           AND n.nspname NOT IN ('public', 'information_schema', 'sqitch')
           AND n.nspname NOT LIKE 'pg\_%'
    LOOP
        EXECUTE format('REVOKE EXECUTE ON ROUTINE %s FROM PUBLIC', r.objid::regprocedure);
    END LOOP;
END
$$;
COMMENT ON FUNCTION core.revoke_public_execute_trg() IS
'Event trigger: after CREATE or ALTER of a function or procedure in a Mercato schema (every schema but public,
information_schema, sqitch and pg_*), REVOKE EXECUTE FROM PUBLIC, so that grants never depend on the role that
deploys. Extension members are left alone. Not callable (an event-trigger function).';
REVOKE ALL ON FUNCTION core.revoke_public_execute_trg() FROM PUBLIC;

CREATE EVENT TRIGGER mercato_revoke_public_execute ON ddl_command_end
    WHEN TAG IN ('CREATE FUNCTION', 'CREATE PROCEDURE', 'CREATE AGGREGATE', 'ALTER FUNCTION', 'ALTER PROCEDURE',
                 'ALTER ROUTINE', 'ALTER AGGREGATE')
    EXECUTE FUNCTION core.revoke_public_execute_trg();

CREATE TABLE core.error (
    code        text PRIMARY KEY
                CONSTRAINT error_code_check CHECK (code ~ '^[A-Z][A-Z0-9]*(_[A-Z0-9]+)+$'),
    module      text NOT NULL CONSTRAINT error_module_check CHECK (module ~ '^[a-z][a-z0-9_]*$'),
    sqlstate    char(5) NOT NULL
                CONSTRAINT error_sqlstate_check CHECK (sqlstate ~ '^PT[1-5][0-9][0-9]$'),
    message     text NOT NULL CONSTRAINT error_message_check CHECK (message <> ''),
    hint        text,
    description text NOT NULL DEFAULT ''
);
COMMENT ON TABLE core.error IS
'The error catalogue: every domain refusal, its stable code, SQLSTATE (PTxyz = HTTP xyz under PostgREST) and message.
Modules register their errors in their schemas change; docs/errors.md is generated from this table.';
GRANT SELECT ON core.error TO mercato_anon, mercato_user, mercato_service;

CREATE TABLE core.secret (
    table_schema name NOT NULL,
    table_name   name NOT NULL,
    column_name  name,
    kind         text NOT NULL CONSTRAINT secret_kind_check CHECK (kind IN ('SECRET', 'SEALED')),
    reason       text NOT NULL CONSTRAINT secret_reason_check CHECK (reason <> ''),
    CONSTRAINT secret_column_check CHECK (kind = 'SEALED' OR column_name IS NOT NULL)
);
CREATE UNIQUE INDEX secret_table_column_key ON core.secret (table_schema, table_name, coalesce(column_name, ''));
COMMENT ON TABLE core.secret IS
'Where secret data lives, declared once; each module registers its own in its schemas change. SECRET: a column that
never leaves the database through an API role (keys, code and token hashes): no API role may select it, no api
function''s result type includes it, no api answer contains it. SEALED: a table (column_name NULL) or column holding
other parties'' secrets (sealed bids, prices): no API role holds any privilege on it, so neither a query nor EXPLAIN can
walk its rows; it is read only through SECURITY DEFINER functions that select the caller''s rows first.
py/tests/test_secrets.py enforces both, and that every declared object exists.';

INSERT INTO core.error (code, module, sqlstate, message, hint, description) VALUES
('CORE_UNKNOWN_ERROR_CODE', 'core', 'PT500', 'an error was raised with a code missing from the catalogue',
 NULL, 'A bug in Mercato: core.raise was called with an unregistered code. The detail names the code.'),
('CORE_INVALID_ARGUMENT', 'core', 'PT400', 'an argument is missing or malformed',
 NULL, 'A required argument is NULL, empty, out of range or of the wrong shape. The detail names it.'),
('CORE_INPUT_TOO_LARGE', 'core', 'PT413', 'an input is larger than its documented maximum',
 'see the input types in docs/api.md for each maximum',
 'A text, JSON or list argument of an api function exceeds the maximum of its type (core.name_text 256 characters, '
 'core.url_text 2,048, core.long_text 10,000, core.text_list 100 elements, core.json_doc 64 KiB, core.json_batch '
 '8 MiB of JSON text). Refused before the function runs; the detail names the type, the size and the maximum.'),
('CORE_DATE_OUT_OF_RANGE', 'core', 'PT400', 'a date or instant is infinite or outside the years 1 to 9999',
 'send a finite date; leave an optional bound out (NULL) to mean unbounded',
 'A date or timestamptz argument of an api function (core.finite_date, core.finite_timestamptz) is infinity, '
 '-infinity, or before 0001-01-01 / from 10000-01-01 (UTC) on. Refused before the function runs.');

COMMIT;
