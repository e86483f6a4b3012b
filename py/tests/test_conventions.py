"""CONVENTIONS.md, checked against the deployed catalog rather than trusted."""

from __future__ import annotations

import psycopg

SCHEMAS = ["core", "audit", "identity", "masterdata", "ledger", "jobs", "marketplace", "contracts", "delivery", "settlement",
           "api"]


def rows(conn: psycopg.Connection, query: str) -> list[tuple]:
    return conn.execute(query, (SCHEMAS,)).fetchall()


def test_every_function_has_a_comment_with_a_summary_line(postgresql: psycopg.Connection) -> None:
    missing = rows(postgresql, """
        SELECT p.oid::regprocedure::text FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
         WHERE n.nspname = ANY(%s) AND p.prokind = 'f'
           AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = p.oid AND d.deptype = 'e')
           AND coalesce(btrim(split_part(obj_description(p.oid, 'pg_proc'), E'\\n', 1)), '') = ''""")
    assert not missing, f"functions without COMMENT ON FUNCTION: {missing}"


def test_every_function_pins_search_path(postgresql: psycopg.Connection) -> None:
    unpinned = rows(postgresql, """
        SELECT p.oid::regprocedure::text FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
         WHERE n.nspname = ANY(%s) AND p.prokind = 'f'
           AND NOT EXISTS (SELECT 1 FROM unnest(p.proconfig) c WHERE c LIKE 'search\\_path=%%')""")
    assert not unpinned, f"functions without SET search_path: {unpinned}"


def test_security_definer_functions_pin_a_safe_search_path(postgresql: psycopg.Connection) -> None:
    unsafe = rows(postgresql, """
        SELECT p.oid::regprocedure::text FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
         WHERE n.nspname = ANY(%s) AND p.prosecdef
           AND NOT ('search_path=pg_catalog, pg_temp' = ANY(coalesce(p.proconfig, '{}')))""")
    assert not unsafe, f"SECURITY DEFINER functions must SET search_path = pg_catalog, pg_temp: {unsafe}"


def test_nothing_is_executable_by_public(postgresql: psycopg.Connection) -> None:
    public = rows(postgresql, """
        SELECT p.oid::regprocedure::text FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
         WHERE n.nspname = ANY(%s)
           AND (p.proacl IS NULL OR EXISTS (SELECT 1 FROM aclexplode(p.proacl) a
                                            WHERE a.grantee = 0 AND a.privilege_type = 'EXECUTE'))""")
    assert not public, f"functions executable by PUBLIC (grant explicitly instead): {public}"


def test_every_table_has_a_comment(postgresql: psycopg.Connection) -> None:
    missing = rows(postgresql, """
        SELECT c.oid::regclass::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname = ANY(%s) AND c.relkind IN ('r', 'p') AND NOT c.relispartition
           AND coalesce(obj_description(c.oid, 'pg_class'), '') = ''""")
    assert not missing, f"tables without COMMENT ON TABLE: {missing}"


def test_no_table_is_writable_by_application_roles_except_by_grant(postgresql: psycopg.Connection) -> None:
    writable = rows(postgresql, """
        SELECT c.oid::regclass::text, a.privilege_type, a.grantee::regrole::text
          FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace, aclexplode(c.relacl) a
         WHERE n.nspname = ANY(%s) AND c.relkind IN ('r', 'p')
           AND a.privilege_type IN ('UPDATE', 'DELETE', 'TRUNCATE')
           AND a.grantee = 0""")
    assert not writable, f"PUBLIC may modify: {writable}"


def test_timestamps_are_timestamptz(postgresql: psycopg.Connection) -> None:
    naive = rows(postgresql, """
        SELECT table_schema || '.' || table_name || '.' || column_name FROM information_schema.columns
         WHERE table_schema = ANY(%s) AND data_type = 'timestamp without time zone'""")
    assert not naive, f"use timestamptz: {naive}"
