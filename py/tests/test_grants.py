"""Who may execute what, checked from the catalog (issue 14, items 6 and 7).

Two promises, for every function and procedure of every Mercato schema, whoever deployed it:

* PUBLIC executes nothing (a deploy split between two superusers once left the second one's functions executable by
  PUBLIC: ``ALTER DEFAULT PRIVILEGES`` only covers the role that ran it);
* an API role (``mercato_anon``, ``mercato_user``, ``mercato_service``) executes the ``api`` routines it is granted and,
  outside ``api``, exactly the helpers that run as the caller because the database calls them on its behalf: those
  that row-level security policies and the ``api`` views call (and those that such a helper, when it is not SECURITY
  DEFINER, calls in turn), and those in the CHECK constraints of domains that ``api`` routines take (an argument is
  coerced to its domain as the caller). The helper set is computed from ``pg_policy``, the ``api`` views' rewrite rules
  and ``pg_depend``, never listed by hand; a role must hold EXECUTE on every helper it needs and on nothing else
  outside ``api`` but :data:`EXCEPTIONS`.

Both are checked on a database deployed by two different superusers and on the normal single-superuser deployment;
and the library, which acts as whichever role its caller picks, calls ``api`` functions only.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import psycopg
import pytest
from psycopg.conninfo import make_conninfo

from mercato.config import plan_modules
from mercato.sqitch import Engine

API_ROLES = ("mercato_anon", "mercato_user", "mercato_service")

#: The schemas Mercato owns: every schema but PostgreSQL's own, ``public`` (extensions), the Sqitch registry and
#: ``tests`` (db/test_helpers.sql, test databases only).
MERCATO_SCHEMA = ("n.nspname NOT IN ('public', 'information_schema', 'sqitch', 'tests') AND n.nspname NOT LIKE 'pg\\_%%'")

#: Routines outside ``api`` that an API role may execute although no policy, api view or api parameter domain calls
#: them: ``{role: {regprocedure: reason}}``. Each one is also listed, with its reason, in CONVENTIONS.md (Functions).
#: None today: the one routine that could not be SECURITY DEFINER, the procedure settlement.run_period_in_steps (it
#: COMMITs), is reached by API roles through api.period_to_settle and api.settle_period_step instead.
EXCEPTIONS: dict[str, dict[str, str]] = {role: {} for role in API_ROLES}

# The functions the database calls as the querying role, with the role (NULL: any role) that needs each one.
_DIRECT_NEEDS = f"""
    -- functions in row-level security policies, needed by each role a policy applies to on a table it may read
    SELECT d.refobjid AS fn, r.rolname AS needed_by, 'policy ' || pol.polname || ' on ' || pol.polrelid::regclass AS why
      FROM pg_policy pol
      JOIN pg_depend d ON d.classid = 'pg_policy'::regclass AND d.objid = pol.oid AND d.refclassid = 'pg_proc'::regclass
      CROSS JOIN (SELECT unnest(%(roles)s::text[]) AS rolname) r
     WHERE EXISTS (SELECT 1 FROM unnest(pol.polroles) pr WHERE pr = 0 OR pg_has_role(r.rolname, pr, 'USAGE'))
       AND has_any_column_privilege(r.rolname, pol.polrelid, 'SELECT')
    UNION
    -- functions in the api views (security_invoker: they run as the reader)
    SELECT d.refobjid, r.rolname, 'view ' || c.oid::regclass
      FROM pg_class c
      JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'api'
      JOIN pg_rewrite w ON w.ev_class = c.oid
      JOIN pg_depend d ON d.classid = 'pg_rewrite'::regclass AND d.objid = w.oid AND d.refclassid = 'pg_proc'::regclass
      CROSS JOIN (SELECT unnest(%(roles)s::text[]) AS rolname) r
     WHERE c.relkind IN ('v', 'm') AND has_table_privilege(r.rolname, c.oid, 'SELECT')
    UNION
    -- functions in the CHECK constraints of the domains api routines take (coerced as the caller, before the call)
    SELECT d.refobjid, r.rolname, 'domain ' || t.typid::regtype || ' of ' || p.oid::regprocedure
      FROM pg_proc p
      JOIN pg_namespace n ON n.oid = p.pronamespace AND n.nspname = 'api'
      CROSS JOIN LATERAL unnest(coalesce(p.proallargtypes, p.proargtypes::oid[])) AS a(typid)
      CROSS JOIN LATERAL (WITH RECURSIVE chain(typid) AS (
                              SELECT coalesce(nullif(et.typelem, 0), et.oid) FROM pg_type et WHERE et.oid = a.typid
                              UNION
                              SELECT bt.typbasetype FROM chain JOIN pg_type bt ON bt.oid = chain.typid
                               WHERE bt.typtype = 'd')
                          SELECT chain.typid FROM chain) t
      JOIN pg_constraint k ON k.contypid = t.typid
      JOIN pg_depend d
        ON d.classid = 'pg_constraint'::regclass AND d.objid = k.oid AND d.refclassid = 'pg_proc'::regclass
      CROSS JOIN (SELECT unnest(%(roles)s::text[]) AS rolname) r
     WHERE has_function_privilege(r.rolname, p.oid, 'EXECUTE')
"""

#: Each (helper, role that needs it, why), closed over what a helper that runs as the caller (not SECURITY DEFINER)
#: calls itself; restricted to Mercato schemas (PostgreSQL's own functions are executable by PUBLIC).
NEEDS = f"""
    WITH RECURSIVE needs(fn, needed_by, why) AS (
        {_DIRECT_NEEDS}
        UNION
        SELECT d.refobjid, needs.needed_by, needs.why   -- same why: UNION then ends even on a cycle of calls
          FROM needs
          JOIN pg_proc p ON p.oid = needs.fn AND NOT p.prosecdef
          JOIN pg_depend d ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.refclassid = 'pg_proc'::regclass
    )
    SELECT needs.fn::regprocedure::text AS fn, needs.needed_by, needs.why, p.prosecdef,
           p.prosqlbody IS NOT NULL AS sql_body
      FROM needs
      JOIN pg_proc p ON p.oid = needs.fn
      JOIN pg_namespace n ON n.oid = p.pronamespace
     WHERE {MERCATO_SCHEMA}
"""

EXECUTABLE = f"""
    SELECT r.rolname, p.oid::regprocedure::text AS fn, n.nspname = 'api' AS in_api, p.prokind, p.prosecdef
      FROM pg_proc p
      JOIN pg_namespace n ON n.oid = p.pronamespace
      CROSS JOIN (SELECT unnest(%(roles)s::text[]) AS rolname) r
     WHERE {MERCATO_SCHEMA} AND has_function_privilege(r.rolname, p.oid, 'EXECUTE')
"""

PUBLIC_EXECUTABLE = f"""
    SELECT p.oid::regprocedure::text || ' (' || pg_get_userbyid(p.proowner) || ')'
      FROM pg_proc p
      JOIN pg_namespace n ON n.oid = p.pronamespace
     WHERE {MERCATO_SCHEMA}
       AND (p.proacl IS NULL OR EXISTS (SELECT 1 FROM aclexplode(p.proacl) a
                                         WHERE a.grantee = 0 AND a.privilege_type = 'EXECUTE'))
     ORDER BY 1
"""


def grant_violations(url: str) -> list[str]:
    """Everything wrong with the grants on routines of the database at ``url``, one line each."""
    problems: list[str] = []
    with psycopg.connect(url) as conn:
        params = {"roles": list(API_ROLES)}
        problems += [f"executable by PUBLIC: {fn}" for (fn,) in conn.execute(PUBLIC_EXECUTABLE, params).fetchall()]

        needs = conn.execute(NEEDS, params).fetchall()
        helpers = {fn for fn, *_ in needs}
        assert "parties.my_provider_id()" in helpers, f"the helper query found too little: {sorted(helpers)}"
        for fn, _, why, definer, sql_body in needs:
            if not definer and not sql_body:
                problems.append(f"helper {fn} ({why}) runs as the caller but what it calls is not recorded: make it "
                                "SECURITY DEFINER or give it a SQL-standard body (BEGIN ATOMIC / RETURN)")

        executable: dict[str, set[str]] = {role: set() for role in API_ROLES}
        for role, fn, in_api, kind, definer in conn.execute(EXECUTABLE, params).fetchall():
            if in_api:
                if kind == "f" and not definer:
                    problems.append(f"{role} executes {fn}, which is not SECURITY DEFINER: it would run the module "
                                    "functions it calls as the caller")
                continue
            executable[role].add(fn)

    for role in API_ROLES:
        allowed = helpers | set(EXCEPTIONS[role])
        problems += [f"{role} executes {fn}: not in api, not a policy/view/domain helper, not a documented exception"
                     for fn in sorted(executable[role] - allowed)]
        problems += [f"{role} lacks EXECUTE on {fn}, which {why} calls as {role}"
                     for fn, needed_by, why, *_ in needs if needed_by == role and fn not in executable[role]]
    return sorted(set(problems))


@pytest.fixture
def two_deployer_db(server_url: str) -> Iterator[tuple[str, str]]:
    """An empty database and a second superuser (unique per test: roles are cluster-wide); both dropped afterwards."""
    role, name = f"mercato_deployer_b_{uuid.uuid4().hex[:8]}", f"mercato_grants_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute(f'CREATE ROLE "{role}" SUPERUSER LOGIN')
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield make_conninfo(server_url, dbname=name), role
    finally:
        with psycopg.connect(server_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'DROP ROLE IF EXISTS "{role}"')


def test_grants_do_not_depend_on_who_deploys(two_deployer_db: tuple[str, str]) -> None:
    url, second = two_deployer_db
    first_engine = Engine.from_project(url)
    try:
        first_engine.deploy(to="schemas/core")
    finally:
        first_engine.close()
    second_engine = Engine.from_project(make_conninfo(url, user=second))
    try:
        assert second_engine.deploy(to="@v0.1.0"), "the rest of the first release deploys as the second superuser"
    finally:
        second_engine.close()
    modules = plan_modules()
    later = modules[modules.index("core") + 1:]   # every module the plan creates after schemas/core
    with psycopg.connect(url) as conn:
        me = conn.info.user
        first = conn.execute("SELECT pg_get_userbyid(relowner) FROM pg_class "
                             "WHERE oid = 'core.error'::regclass").fetchone()[0]
        owners = conn.execute("SELECT array_agg(DISTINCT pg_get_userbyid(p.proowner)) FROM pg_proc p "
                              "JOIN pg_namespace n ON n.oid = p.pronamespace "
                              "WHERE n.nspname = ANY(%s)", (later,)).fetchone()[0]
    assert first == me != second and owners == [second], f"the deploy was not split: {first}, {owners}"
    assert grant_violations(url) == []
    # schemas/core/owner hands everything to mercato_owner; the grants stay as they were
    assert Engine.from_project(make_conninfo(url, user=second)).deploy(), "the changes after the release deploy"
    with psycopg.connect(url) as conn:
        assert conn.execute("SELECT * FROM core.misowned_objects()").fetchall() == []
    assert grant_violations(url) == []


def test_grants_of_a_single_superuser_deploy(db_url: str) -> None:
    assert grant_violations(db_url) == []


def test_new_functions_are_not_executable_by_public_whoever_creates_them(db_url: str) -> None:
    """The event trigger, not the deployer's default privileges: a function or procedure created (or moved) into a
    Mercato schema later, by any role, is not executable by PUBLIC; outside Mercato's schemas nothing changes."""
    with psycopg.connect(db_url) as conn:
        conn.execute("CREATE FUNCTION ledger.t_new() RETURNS int LANGUAGE sql IMMUTABLE RETURN 1")
        conn.execute("CREATE PROCEDURE settlement.t_proc() LANGUAGE sql BEGIN ATOMIC SELECT 1; END")
        conn.execute("CREATE FUNCTION public.t_moved() RETURNS int LANGUAGE sql IMMUTABLE RETURN 2")
        conn.execute("CREATE FUNCTION public.t_stays() RETURNS int LANGUAGE sql IMMUTABLE RETURN 3")
        conn.execute("ALTER FUNCTION public.t_moved() SET SCHEMA core")
        rows = dict(conn.execute(
            "SELECT f, has_function_privilege('mercato_user', f::regprocedure, 'EXECUTE') FROM unnest(ARRAY["
            "'ledger.t_new()', 'settlement.t_proc()', 'core.t_moved()', 'public.t_stays()']) f").fetchall())
        conn.rollback()
    assert rows == {"ledger.t_new()": False, "settlement.t_proc()": False, "core.t_moved()": False,
                    "public.t_stays()": True}


def test_the_client_calls_only_the_api() -> None:
    """The library acts as whichever role its caller picks, so every function it calls by name is an ``api`` one."""
    import re

    from mercato.config import project_root

    called = {}
    for path in sorted((project_root() / "py" / "mercato").rglob("*.py")):
        for name in re.findall(r"\._?call(?:_one|_value)?\(\s*f?[\"']([a-z_]+\.[a-z_{}]+)[\"']", path.read_text()):
            called.setdefault(name, path.name)
    assert called, "found no Client.call(...) in the library"
    assert {n: f for n, f in called.items() if not n.startswith("api.")} == {}
