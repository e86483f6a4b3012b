"""Verify scripts fail when they must (issue 16).

A scratch database is deployed one change at a time; after each change a snapshot of the catalog (functions, tables,
views, columns, triggers, constraints, indexes, policies, row-level security, grants to the API roles, error codes,
jobs, secrets) tells which objects that change created. Then each object of each kind is removed in turn (or disabled,
a privilege revoked, or a forbidden one granted) inside a transaction that is rolled back, and the verify script of
the change that created it (db/verify/<change>.sql, run as the engine runs it) must raise. Every object rather than a
sample: the catalog diff, not the breaking, is what costs time (about 10 s in all). The untouched database must
verify clean, and ``mercato db verify`` must exit non-zero when one verify script raises.

Constraints and indexes are checked only where the verify script names them (it claims them). Roles are cluster-wide
and shared with every other database, so none is dropped: the core verify script is run with each role name the plan
creates replaced by a name that does not exist, and must fail for each.

``MERCATO_VERIFY_FAILS_SAMPLE=1`` breaks one object per change and kind instead (chosen by a stable hash).
"""

from __future__ import annotations

from collections import Counter

import hashlib
import os
import re
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import psycopg
import pytest
from click.testing import CliRunner
from psycopg import sql
from psycopg.conninfo import make_conninfo

from mercato.config import plan_modules, project_root
from mercato.sqitch import Engine, Plan, ProjectConfig, SqitchError, unwrap_transaction

SAMPLE = os.environ.get("MERCATO_VERIFY_FAILS_SAMPLE") == "1"
CONFIG = ProjectConfig.load(project_root())
PLAN = Plan.load(CONFIG.plan_file)


# -- catalog snapshots --------------------------------------------------------------------------------------------

#: kind -> query returning one text key per object (the schemas are the plan's modules; partitions are the audit
#: job's, not a change's). Keys are split back with "|".
SNAPSHOT: dict[str, str] = {
    "function": """
        SELECT p.oid::regprocedure::text FROM pg_proc p
         WHERE p.pronamespace::regnamespace::text = ANY(%(schemas)s)""",
    "table": """
        SELECT c.oid::regclass::text FROM pg_class c
         WHERE c.relnamespace::regnamespace::text = ANY(%(schemas)s) AND c.relkind IN ('r', 'p')
           AND NOT c.relispartition""",
    "view": """
        SELECT c.oid::regclass::text FROM pg_class c
         WHERE c.relnamespace::regnamespace::text = ANY(%(schemas)s) AND c.relkind IN ('v', 'm')""",
    "column": """
        SELECT c.oid::regclass::text || '|' || a.attname FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid
         WHERE c.relnamespace::regnamespace::text = ANY(%(schemas)s) AND c.relkind IN ('r', 'p')
           AND NOT c.relispartition AND a.attnum > 0 AND NOT a.attisdropped""",
    "trigger": """
        SELECT t.tgrelid::regclass::text || '|' || t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
         WHERE c.relnamespace::regnamespace::text = ANY(%(schemas)s) AND NOT t.tgisinternal
           AND NOT c.relispartition""",
    "constraint": """
        SELECT k.conrelid::regclass::text || '|' || k.conname FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid
         WHERE c.relnamespace::regnamespace::text = ANY(%(schemas)s) AND k.contype IN ('c', 'u', 'f', 'x')
           AND NOT c.relispartition AND k.conparentid = 0""",
    "index": """
        SELECT i.indexrelid::regclass::text FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid
         WHERE c.relnamespace::regnamespace::text = ANY(%(schemas)s) AND NOT c.relispartition
           AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid)""",
    "policy": """
        SELECT p.polrelid::regclass::text || '|' || p.polname FROM pg_policy p JOIN pg_class c ON c.oid = p.polrelid
         WHERE c.relnamespace::regnamespace::text = ANY(%(schemas)s)""",
    "rls": """
        SELECT c.oid::regclass::text FROM pg_class c
         WHERE c.relnamespace::regnamespace::text = ANY(%(schemas)s) AND c.relrowsecurity AND NOT c.relispartition""",
    # a privilege an API role holds on a routine or a relation of a Mercato schema: object|kind|role|privilege
    "grant": """
        SELECT p.oid::regprocedure::text || '|function|' || a.grantee::regrole::text || '|' || a.privilege_type
          FROM pg_proc p, aclexplode(p.proacl) a
         WHERE p.pronamespace::regnamespace::text = ANY(%(schemas)s) AND a.grantee = ANY(%(roles)s::regrole[])
        UNION ALL
        SELECT c.oid::regclass::text || '|relation|' || a.grantee::regrole::text || '|' || a.privilege_type
          FROM pg_class c, aclexplode(c.relacl) a
         WHERE c.relnamespace::regnamespace::text = ANY(%(schemas)s) AND c.relkind IN ('r', 'p', 'v', 'm')
           AND NOT c.relispartition AND a.grantee = ANY(%(roles)s::regrole[])""",
    "error": "SELECT code FROM core.error WHERE to_regclass('core.error') IS NOT NULL",
    "job": "SELECT name FROM jobs.job",
    "secret": "SELECT concat_ws('|', table_schema, table_name, column_name) FROM core.secret",
}
#: tables that exist only from some change on
SNAPSHOT_NEEDS = {"error": "core.error", "job": "jobs.job", "secret": "core.secret"}


def api_roles(conn: psycopg.Connection) -> list[str]:
    """The roles the authenticator may switch to (the API roles), from the catalog."""
    return [r for (r,) in conn.execute(
        "SELECT m.roleid::regrole::text FROM pg_auth_members m WHERE m.member = 'mercato_authenticator'::regrole"
        " ORDER BY 1")]


def snapshot(conn: psycopg.Connection, schemas: list[str]) -> dict[str, set[str]]:
    roles = api_roles(conn) if conn.execute("SELECT to_regrole('mercato_authenticator')").fetchone()[0] else []
    snap: dict[str, set[str]] = {}
    for kind, query in SNAPSHOT.items():
        needs = SNAPSHOT_NEEDS.get(kind)
        if needs and conn.execute("SELECT to_regclass(%s)", [needs]).fetchone()[0] is None:
            snap[kind] = set()
            continue
        snap[kind] = {k for (k,) in conn.execute(query, {"schemas": schemas, "roles": roles})}
    return snap


#: How many times each change name is planned: a reworked change (two or more) is named with its tag.
_PLANNED = Counter(change.name for change in PLAN.changes)


def change_key(change) -> str:
    """The change's name, tag-qualified when a rework planned it again (``functions/identity@v0.1.0`` / ``@HEAD``)."""
    return PLAN.tag_qualified_name(change) if _PLANNED[change.name] > 1 else change.name


@dataclass
class Deployed:
    url: str
    roles: list[str]
    #: change name -> kind -> keys of the objects that change created
    created: dict[str, dict[str, set[str]]] = field(default_factory=dict)

    def verify_text(self, change: str) -> str:
        return unwrap_transaction(PLAN.changes[PLAN.index_of(change)].script_path("verify", CONFIG).read_text())


@pytest.fixture(scope="module")
def deployed(server_url: str) -> Iterator[Deployed]:
    """A scratch database deployed change by change, with what each change created."""
    name = f"mercato_verify_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    url = make_conninfo(server_url, dbname=name)
    schemas = plan_modules()
    try:
        created: dict[str, dict[str, set[str]]] = {}
        with psycopg.connect(url, autocommit=True) as conn:
            before = snapshot(conn, schemas)
            for change in PLAN.changes:
                Engine.from_project(url, log=lambda _line: None).deploy(change_key(change))
                after = snapshot(conn, schemas)
                created[change_key(change)] = {kind: after[kind] - before[kind] for kind in after}
                before = after
            roles = api_roles(conn)
        yield Deployed(url, roles, created)
    finally:
        with psycopg.connect(server_url, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


# -- breaking one object ------------------------------------------------------------------------------------------

Breaker = Callable[[psycopg.Connection, str, "Deployed"], None]


def _with_fallback(conn: psycopg.Connection, first: sql.Composable, fallback: sql.Composable) -> None:
    """Run ``first`` (a DROP); when other objects depend on the object, run ``fallback`` (a RENAME) instead, which
    removes the name the verify script looks up while the dependants keep pointing at the object."""
    try:
        with conn.transaction():
            conn.execute(first)
    except (psycopg.errors.DependentObjectsStillExist, psycopg.errors.InvalidTableDefinition):
        conn.execute(fallback)  # the second: a partition key column


def break_function(conn: psycopg.Connection, key: str, _: Deployed) -> None:
    name = key.split("(", 1)[0]
    _with_fallback(conn, sql.SQL("DROP ROUTINE {}").format(sql.SQL(key)),
                   sql.SQL("ALTER ROUTINE {} RENAME TO {}").format(
                       sql.SQL(key), sql.Identifier(name.rsplit(".", 1)[1] + "_gone")))


def break_table(conn: psycopg.Connection, key: str, _: Deployed) -> None:
    _with_fallback(conn, sql.SQL("DROP TABLE {}").format(sql.SQL(key)),
                   sql.SQL("ALTER TABLE {} RENAME TO {}").format(
                       sql.SQL(key), sql.Identifier(key.rsplit(".", 1)[1] + "_gone")))


def break_view(conn: psycopg.Connection, key: str, _: Deployed) -> None:
    _with_fallback(conn, sql.SQL("DROP VIEW {}").format(sql.SQL(key)),
                   sql.SQL("ALTER VIEW {} RENAME TO {}").format(
                       sql.SQL(key), sql.Identifier(key.rsplit(".", 1)[1] + "_gone")))


def break_column(conn: psycopg.Connection, key: str, _: Deployed) -> None:
    table, column = key.split("|")
    _with_fallback(conn, sql.SQL("ALTER TABLE {} DROP COLUMN {}").format(sql.SQL(table), sql.Identifier(column)),
                   sql.SQL("ALTER TABLE {} RENAME COLUMN {} TO {}").format(
                       sql.SQL(table), sql.Identifier(column), sql.Identifier(column + "_gone")))


def break_trigger(conn: psycopg.Connection, key: str, _: Deployed) -> None:
    table, trigger = key.split("|")
    conn.execute(sql.SQL("DROP TRIGGER {} ON {}").format(sql.Identifier(trigger), sql.SQL(table)))


def disable_trigger(conn: psycopg.Connection, key: str, _: Deployed) -> None:
    table, trigger = key.split("|")
    conn.execute(sql.SQL("ALTER TABLE {} DISABLE TRIGGER {}").format(sql.SQL(table), sql.Identifier(trigger)))


def break_constraint(conn: psycopg.Connection, key: str, _: Deployed) -> None:
    table, constraint = key.split("|")
    _with_fallback(conn, sql.SQL("ALTER TABLE {} DROP CONSTRAINT {}").format(sql.SQL(table), sql.Identifier(constraint)),
                   sql.SQL("ALTER TABLE {} RENAME CONSTRAINT {} TO {}").format(
                       sql.SQL(table), sql.Identifier(constraint), sql.Identifier(constraint + "_gone")))


def break_index(conn: psycopg.Connection, key: str, _: Deployed) -> None:
    conn.execute(sql.SQL("DROP INDEX {}").format(sql.SQL(key)))


def break_policy(conn: psycopg.Connection, key: str, _: Deployed) -> None:
    table, policy = key.split("|")
    conn.execute(sql.SQL("DROP POLICY {} ON {}").format(sql.Identifier(policy), sql.SQL(table)))


def break_rls(conn: psycopg.Connection, key: str, _: Deployed) -> None:
    conn.execute(sql.SQL("ALTER TABLE {} DISABLE ROW LEVEL SECURITY").format(sql.SQL(key)))


def break_grant(conn: psycopg.Connection, key: str, _: Deployed) -> None:
    obj, kind, role, privilege = key.split("|")
    what = sql.SQL("ROUTINE") if kind == "function" else sql.SQL("TABLE")
    conn.execute(sql.SQL("REVOKE {} ON {} {} FROM {}").format(
        sql.SQL(privilege), what, sql.SQL(obj), sql.Identifier(role)))


def grant_internal(conn: psycopg.Connection, key: str, d: Deployed) -> None:
    conn.execute(sql.SQL("GRANT EXECUTE ON ROUTINE {} TO {}").format(sql.SQL(key), sql.Identifier(d.roles[-1])))


def _delete_row(conn: psycopg.Connection, query: sql.Composable, params: list[str]) -> None:
    # row triggers may refuse the DELETE (append-only catalogues): they are not what is tested here
    conn.execute("SET LOCAL session_replication_role = replica")
    assert conn.execute(query, params).rowcount == 1
    conn.execute("SET LOCAL session_replication_role = origin")


def break_error(conn: psycopg.Connection, key: str, _: Deployed) -> None:
    _delete_row(conn, sql.SQL("DELETE FROM core.error WHERE code = %s"), [key])


def break_job(conn: psycopg.Connection, key: str, _: Deployed) -> None:
    _delete_row(conn, sql.SQL("DELETE FROM jobs.job WHERE name = %s"), [key])


def break_secret(conn: psycopg.Connection, key: str, _: Deployed) -> None:
    schema, table, *column = key.split("|")
    _delete_row(conn, sql.SQL("DELETE FROM core.secret WHERE table_schema = %s AND table_name = %s"
                              " AND column_name IS NOT DISTINCT FROM %s"), [schema, table, column[0] if column else None])


def _named_in(key: str, text: str) -> bool:
    return re.search(r"\b" + re.escape(key.split("|")[-1].rsplit(".", 1)[-1]) + r"\b", text) is not None


@dataclass(frozen=True)
class Kind:
    snapshot: str
    breaker: Breaker
    #: keep only the objects the verify script claims (by name) when set
    claimed_only: bool = False
    #: which objects of the kind are candidates (from what the change created)
    select: Callable[[str, Deployed], bool] | None = None


def _internal_function(key: str, d: Deployed) -> bool:
    """A module function no API role may execute (not api, not granted to any API role by any change)."""
    if key.startswith("api."):
        return False
    granted = {g.split("|")[0] for c in d.created.values() for g in c["grant"] if "|function|" in g}
    return key not in granted


KINDS: dict[str, Kind] = {
    "drop_function": Kind("function", break_function),
    "drop_table": Kind("table", break_table),
    "drop_view": Kind("view", break_view),
    "drop_column": Kind("column", break_column),
    "drop_trigger": Kind("trigger", break_trigger),
    "disable_trigger": Kind("trigger", disable_trigger),
    "drop_constraint": Kind("constraint", break_constraint, claimed_only=True),
    "drop_index": Kind("index", break_index, claimed_only=True),
    "drop_policy": Kind("policy", break_policy),
    "disable_rls": Kind("rls", break_rls),
    "revoke_grant": Kind("grant", break_grant),
    "grant_internal_function": Kind("function", grant_internal, select=_internal_function),
    "delete_error_code": Kind("error", break_error),
    "delete_job": Kind("job", break_job),
    "delete_secret": Kind("secret", break_secret),
}


def _sample(keys: list[str]) -> list[str]:
    """Every object; with SAMPLE one per change and kind, chosen by a stable hash (not always the first by name)."""
    if not SAMPLE or not keys:
        return sorted(keys)
    return [min(keys, key=lambda k: hashlib.sha1(k.encode()).hexdigest())]


def _verify_raises(conn: psycopg.Connection, text: str) -> str | None:
    """Run a verify script body as the engine does, in a savepoint of the case's rolled-back transaction; the error
    message, or None when it passed."""
    conn.execute("SET LOCAL client_min_messages = WARNING")  # the case's transaction only (no session state)
    try:
        with conn.transaction():
            conn.execute(text, prepare=False)
    except psycopg.Error as exc:
        return str(exc).splitlines()[0]
    return None


@pytest.mark.parametrize("kind", list(KINDS))
def test_verify_fails_when_a_piece_is_missing(deployed: Deployed, kind: str) -> None:
    spec = KINDS[kind]
    missed: list[str] = []
    tried = 0
    with psycopg.connect(deployed.url, autocommit=True) as conn:
        for change, created in deployed.created.items():
            text = deployed.verify_text(change)
            keys = [k for k in created[spec.snapshot]
                    if (not spec.claimed_only or _named_in(k, text)) and (spec.select is None or spec.select(k, deployed))]
            for key in _sample(keys):
                tried += 1
                with conn.transaction(force_rollback=True):
                    spec.breaker(conn, key, deployed)
                    if _verify_raises(conn, text) is None:
                        missed.append(f"{change}: {kind} {key}")
    assert tried or kind in {"drop_view"}, f"no object of kind {kind} found: the catalog snapshot is wrong"
    assert missed == [], "verify passed with a piece missing:\n" + "\n".join(missed)


def test_untouched_database_verifies_clean(deployed: Deployed) -> None:
    results = Engine.from_project(deployed.url, log=lambda _line: None).verify()
    assert [r.change for r in results if not r.ok] == []
    assert len(results) == len(PLAN.changes)


def _plan_roles() -> list[str]:
    """The roles the plan's deploy scripts create."""
    roles: list[str] = []
    for change in PLAN.changes:
        text = change.script_path("deploy", CONFIG).read_text()
        roles += re.findall(r"CREATE ROLE\s+([a-z_][a-z0-9_]*)", text, flags=re.IGNORECASE)
    return list(dict.fromkeys(roles))


def test_verify_fails_without_each_role(deployed: Deployed) -> None:
    """Roles are cluster-wide: instead of dropping one, run the verify scripts of the change that creates it with
    its name replaced by one that does not exist; each must fail."""
    roles = _plan_roles()
    assert {"mercato_authenticator", *deployed.roles} <= set(roles)
    missed = []
    with psycopg.connect(deployed.url, autocommit=True) as conn:
        for change in PLAN.changes:
            deploy = change.script_path("deploy", CONFIG).read_text()
            text = deployed.verify_text(change_key(change))
            for role in roles:
                if not re.search(rf"CREATE ROLE\s+{role}\b", deploy, flags=re.IGNORECASE):
                    continue
                missing = f"mercato_missing_{uuid.uuid4().hex[:6]}"
                with conn.transaction(force_rollback=True):
                    if role not in text or _verify_raises(conn, re.sub(rf"\b{role}\b", missing, text)) is None:
                        missed.append(f"{change.name}: role {role}")
    assert missed == []


@pytest.fixture
def broken_copy(deployed: Deployed, server_url: str) -> Iterator[str]:
    """A copy of the deployed database in which one function of functions/ledger/holds is gone (committed)."""
    name = f"mercato_verify_broken_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
            sql.Identifier(name), sql.Identifier(psycopg.conninfo.conninfo_to_dict(deployed.url)["dbname"])))
    url = make_conninfo(server_url, dbname=name)
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("DROP FUNCTION ledger.release_hold(text, bigint) CASCADE")
    try:
        yield url
    finally:
        with psycopg.connect(server_url, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def test_engine_and_cli_report_a_failing_verify(broken_copy: str, monkeypatch: pytest.MonkeyPatch) -> None:
    lines: list[str] = []
    with pytest.raises(SqitchError, match=r"verify failed for \d+ of \d+ change\(s\): .*functions/ledger/holds"):
        Engine.from_project(broken_copy, log=lines.append).verify()
    assert any(line.startswith("  * functions/ledger/holds") and " not ok" in line for line in lines)
    assert "Verify successful" not in lines

    from mercato.cli.db import db

    monkeypatch.setenv("DATABASE_URL", broken_copy)
    res = CliRunner().invoke(db, ["verify"])
    assert res.exit_code != 0
    assert "functions/ledger/holds" in res.stderr and "Verify successful" not in res.stdout
