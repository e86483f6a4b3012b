-- Deploy mercato:schemas/core/owner to pg
-- Every object of a Mercato schema is owned by mercato_owner, a NOLOGIN role, instead of whoever deployed it (until
-- now a superuser). SECURITY DEFINER functions therefore run as a role without superuser powers, and a deployer needs
-- no superuser: membership of mercato_owner is enough for every change planned after this one, which creates its
-- objects under SET LOCAL ROLE mercato_owner (CONVENTIONS.md; docs/operations.md, "Ownership and deploying without
-- superuser"). Also: CREATE on schema public is revoked from PUBLIC explicitly (PostgreSQL 15 no longer grants it,
-- but a database upgraded from an older release or created from an old template still may), and functions that
-- mercato_owner creates are not executable by PUBLIC by default.
--
-- Left with their superuser owner: the two event-trigger functions (core.revoke_public_execute_trg,
-- api.pgrst_reload_trg). An event trigger runs its function with the privileges of whoever runs the DDL, a superuser
-- included, so the owner of that function could run code as a superuser by replacing it.

BEGIN;

SET LOCAL lock_timeout = '5s';

-- The role is cluster-wide, like the others (db/roles.sql creates it the same way; a revert never drops it).
DO $role$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'mercato_owner') THEN
        CREATE ROLE mercato_owner NOLOGIN;
    END IF;
END
$role$;

REVOKE CREATE ON SCHEMA public FROM PUBLIC;
ALTER DEFAULT PRIVILEGES FOR ROLE mercato_owner REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC;

CREATE OR REPLACE FUNCTION core.misowned_objects()
RETURNS TABLE (kind text, identity text, owner name)
LANGUAGE sql
STABLE
SET search_path = pg_catalog, pg_temp
AS $$
    WITH mercato_schema AS (
        SELECT n.oid, n.nspname, n.nspowner
          FROM pg_namespace n
         -- the Sqitch registry (sqitch) stays with whoever created it: the deployer holds a lock on it while a change
         -- runs. A deployer that is not a superuser is granted its rows (docs/operations.md).
         WHERE n.nspname NOT IN ('public', 'information_schema', 'sqitch', 'tests', 'cron')
           AND n.nspname NOT LIKE 'pg\_%'
           AND NOT EXISTS (SELECT FROM pg_depend d WHERE d.classid = 'pg_namespace'::regclass AND d.objid = n.oid
                                                     AND d.deptype = 'e')
    ), member AS (   -- objects that belong to an extension keep the extension's owner
        SELECT d.classid, d.objid FROM pg_depend d WHERE d.deptype = 'e'
    ), object AS (
        SELECT 'SCHEMA' AS kind, quote_ident(s.nspname) AS identity, s.nspowner AS owner_oid, 0 AS rank
          FROM mercato_schema s
        UNION ALL
        SELECT CASE c.relkind WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW' WHEN 'S' THEN 'SEQUENCE'
                              WHEN 'f' THEN 'FOREIGN TABLE' WHEN 'c' THEN 'TYPE' ELSE 'TABLE' END,
               c.oid::regclass::text, c.relowner, 1
          FROM pg_class c
          JOIN mercato_schema s ON s.oid = c.relnamespace
         WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f', 'c', 'S')
           AND NOT EXISTS (SELECT FROM member m WHERE m.classid = 'pg_class'::regclass AND m.objid = c.oid)
           -- a sequence owned by a column (identity, serial) changes owner with its table
           AND NOT (c.relkind = 'S' AND EXISTS (SELECT FROM pg_depend d
                                                 WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid
                                                   AND d.refclassid = 'pg_class'::regclass
                                                   AND d.deptype IN ('a', 'i')))
        UNION ALL
        SELECT CASE p.prokind WHEN 'a' THEN 'AGGREGATE' ELSE 'ROUTINE' END, p.oid::regprocedure::text, p.proowner, 2
          FROM pg_proc p
          JOIN mercato_schema s ON s.oid = p.pronamespace
         WHERE p.prorettype <> 'event_trigger'::regtype
           AND NOT EXISTS (SELECT FROM member m WHERE m.classid = 'pg_proc'::regclass AND m.objid = p.oid)
        UNION ALL
        SELECT CASE t.typtype WHEN 'd' THEN 'DOMAIN' ELSE 'TYPE' END, t.oid::regtype::text, t.typowner, 1
          FROM pg_type t
          JOIN mercato_schema s ON s.oid = t.typnamespace
         WHERE t.typtype IN ('d', 'e', 'r')
           AND NOT EXISTS (SELECT FROM member m WHERE m.classid = 'pg_type'::regclass AND m.objid = t.oid)
    )
    SELECT o.kind, o.identity, pg_get_userbyid(o.owner_oid)
      FROM object o
     WHERE o.owner_oid IS DISTINCT FROM (SELECT r.oid FROM pg_roles r WHERE r.rolname = 'mercato_owner')
     ORDER BY o.rank, o.kind, o.identity;
$$;
COMMENT ON FUNCTION core.misowned_objects() IS
'Objects of a Mercato schema (every schema but public, information_schema, tests, cron, pg_* and those of
extensions, and the Sqitch registry) not owned by mercato_owner: schemas, tables (partitions included), views,
sequences not owned by a column, functions, procedures, aggregates, domains, enum, range and composite types.
Extension members and the event-trigger functions (owned by a superuser on purpose) are left out. Empty when the
ownership rule holds: the verify of schemas/core/owner and py/tests/test_ownership.py ask it. Catalog reads only.';

-- Hand everything over, schemas first (ALTER SCHEMA does not cascade to the objects in it).
DO $handover$
DECLARE
    r record;
BEGIN
    FOR r IN SELECT * FROM core.misowned_objects() LOOP
        EXECUTE format('ALTER %s %s OWNER TO mercato_owner', r.kind, r.identity);
    END LOOP;
END
$handover$;

COMMIT;
