"""Ownership: every object of a Mercato schema belongs to mercato_owner (NOLOGIN, no superuser), and a deployer without
superuser deploys and reverts every change planned after schemas/core/owner as a member of that role.

- On a deployed database: ``core.misowned_objects()`` is empty, the SECURITY DEFINER functions run as mercato_owner,
  the event-trigger functions stay with a superuser (whoever owns them runs code in every DDL, a superuser's too),
  PUBLIC may not create in schema public, and mercato_owner's new functions are not executable by PUBLIC.
- Every deploy and revert script planned after schemas/core/owner creates its objects as mercato_owner
  (``SET LOCAL ROLE mercato_owner``), so the rule keeps holding without a superuser.
- A login role that is neither superuser nor CREATEROLE, only a member of mercato_owner, deploys new changes (a table,
  a SECURITY DEFINER function, an online index) with Mercato's deployer and with the real sqitch, verifies and reverts
  them; a change that forgets the SET LOCAL ROLE is caught by the verify of schemas/core/owner, naming the object.
- The limit, stated where it is: the first release creates three event triggers (schemas/core, schemas/api), which
  only a superuser may create, so the first install up to @v0.1.0 needs one (docs/operations.md).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from mercato.config import project_root
from mercato.sqitch import Plan, ProjectConfig, SqitchError, is_non_transactional
from real_sqitch import engine, run_sqitch

OWNER_CHANGE = "schemas/core/owner"



def test_every_object_of_a_mercato_schema_is_owned_by_mercato_owner(db_url: str) -> None:
    with psycopg.connect(db_url) as conn:
        assert conn.execute("SELECT * FROM core.misowned_objects()").fetchall() == []
        assert conn.execute("SELECT rolcanlogin, rolsuper, rolcreaterole, rolbypassrls FROM pg_roles"
                            " WHERE rolname = 'mercato_owner'").fetchone() == (False, False, False, False)
        definers = dict(conn.execute(
            "SELECT pg_get_userbyid(p.proowner), count(*) FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace"
            " WHERE p.prosecdef AND n.nspname NOT LIKE 'pg\\_%' AND n.nspname NOT IN ('public', 'tests')"
            " GROUP BY 1").fetchall())
        assert set(definers) == {"mercato_owner"} and definers["mercato_owner"] > 50, definers
        triggers = conn.execute(
            "SELECT p.oid::regprocedure::text, r.rolsuper FROM pg_event_trigger e JOIN pg_proc p ON p.oid = e.evtfoid"
            " JOIN pg_roles r ON r.oid = p.proowner ORDER BY 1").fetchall()
        assert sorted(set(triggers)) == [("api.pgrst_reload_trg()", True), ("core.revoke_public_execute_trg()", True)]
        assert conn.execute("SELECT has_schema_privilege('public', 'public', 'CREATE')").fetchone()[0] is False
        conn.execute("SET LOCAL ROLE mercato_owner")
        conn.execute("CREATE FUNCTION core.ownership_probe() RETURNS int LANGUAGE sql RETURN 1")
        conn.execute("SET LOCAL ROLE NONE")
        assert conn.execute("SELECT has_function_privilege('public', 'core.ownership_probe()', 'EXECUTE'),"
                            " pg_get_userbyid(proowner) FROM pg_proc WHERE oid = 'core.ownership_probe()'::regprocedure"
                            ).fetchone() == (False, "mercato_owner")
        conn.rollback()


def _after_owner_change(root: Path) -> list[tuple[str, Path]]:
    plan, config = Plan.load(root / "sqitch.plan"), ProjectConfig.load(root)
    start = plan.first_index_of(OWNER_CHANGE)
    assert start is not None
    return [(kind, c.script_path(kind, config)) for c in plan.changes[start + 1:] for kind in ("deploy", "revert")]


_SET_ROLE = re.compile(r"^SET\s+LOCAL\s+ROLE\s+mercato_owner\s*;", re.M | re.I)
_SET_ROLE_SESSION = re.compile(r"^SET\s+ROLE\s+mercato_owner\s*;", re.M | re.I)


def runs_as_owner(path: Path) -> bool:
    text = path.read_text()
    return bool((_SET_ROLE_SESSION if is_non_transactional(text) else _SET_ROLE).search(text))


def test_changes_after_the_owner_change_create_their_objects_as_mercato_owner() -> None:
    missing = [str(p.relative_to(project_root())) for _, p in _after_owner_change(project_root())
               if not runs_as_owner(p)]
    assert not missing, f"start these scripts with SET LOCAL ROLE mercato_owner; (CONVENTIONS.md): {missing}"


# -- a deployer that is not a superuser ----------------------------------------------------------------------------------

PLANNER = "Owner Tester <owner@example.com>"
NEW_CHANGES = {
    # name: (deploy, revert, verify)
    "schemas/ledger/statement_note": (
        "BEGIN;\nSET LOCAL ROLE mercato_owner;\nSET LOCAL lock_timeout = '5s';\n"
        "CREATE TABLE ledger.statement_note (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, account_id bigint,"
        " note text NOT NULL);\n"
        "INSERT INTO ledger.statement_note (account_id, note) SELECT g, 'note ' || g FROM generate_series(1, 500) g;\n"
        "CREATE OR REPLACE FUNCTION ledger.statement_note_count() RETURNS bigint LANGUAGE sql STABLE SECURITY DEFINER"
        " SET search_path = pg_catalog, pg_temp RETURN (SELECT count(*) FROM ledger.statement_note);\n"
        "GRANT EXECUTE ON FUNCTION ledger.statement_note_count() TO mercato_service;\nCOMMIT;\n",
        "BEGIN;\nSET LOCAL ROLE mercato_owner;\nSET LOCAL lock_timeout = '5s';\n"
        "DROP FUNCTION ledger.statement_note_count();\nDROP TABLE ledger.statement_note;\nCOMMIT;\n",
        "BEGIN;\nSELECT 'ledger.statement_note_count()'::regprocedure;\n"
        "SELECT id, account_id, note FROM ledger.statement_note WHERE false;\nROLLBACK;\n"),
    "schemas/ledger/statement_note_idx": (
        "-- mercato:no-transaction\nSET ROLE mercato_owner;\nSET lock_timeout = '5s';\n"
        "DROP INDEX CONCURRENTLY IF EXISTS ledger.statement_note_account_idx;\n"
        "CREATE INDEX CONCURRENTLY statement_note_account_idx ON ledger.statement_note (account_id);\n",
        "-- mercato:no-transaction\nSET ROLE mercato_owner;\nSET lock_timeout = '5s';\n"
        "DROP INDEX CONCURRENTLY IF EXISTS ledger.statement_note_account_idx;\n",
        "BEGIN;\nSELECT 1 / (SELECT count(*) FROM pg_index WHERE indexrelid = 'ledger.statement_note_account_idx'::regclass"
        " AND indisvalid)::int;\nROLLBACK;\n"),
}



def add_changes(root: Path, changes: dict[str, tuple[str, str, str]]) -> None:
    lines = []
    for i, (name, texts) in enumerate(changes.items()):
        for sub, text in zip(("", "revert/", "verify/"), texts):
            path = root / "db" / f"{sub}{name}.sql"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(f"-- {'Deploy' if not sub else sub[:-1].title()} mercato:{name}\n" + text)
        lines.append(f"{name} 2030-01-01T00:00:0{i}Z {PLANNER} # {name}, by a deployer that is not a superuser\n")
    with (root / "sqitch.plan").open("a") as plan:
        plan.writelines(lines)


@pytest.fixture
def deployer(server_url: str, empty_db: str) -> Iterator[str]:
    """A login role with CREATE on ``empty_db`` (as a database owner on a managed service has) and no superuser,
    CREATEROLE or CREATEDB; the test makes it a member of mercato_owner. Yields a conninfo of ``empty_db`` as that role."""
    name = f"mercato_deployer_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute(f'CREATE ROLE "{name}" LOGIN NOSUPERUSER NOCREATEROLE NOCREATEDB')
        conn.execute(f'GRANT CREATE ON DATABASE "{conninfo_to_dict(empty_db)["dbname"]}" TO "{name}"')
    try:
        yield make_conninfo(empty_db, user=name)
    finally:
        with psycopg.connect(empty_db, autocommit=True) as conn:
            conn.execute(f'DROP OWNED BY "{name}"')
        with psycopg.connect(server_url, autocommit=True) as conn:
            conn.execute(f'DROP ROLE "{name}"')


def test_a_deployer_without_superuser_deploys_verifies_and_reverts_later_changes(
        project_copy: Path, empty_db: str, deployer: str, server_url: str, tmp_path: Path) -> None:
    root, home = project_copy, tmp_path / "home"
    user = conninfo_to_dict(deployer)["user"]
    # the first release needs a superuser once: schemas/core grants the API roles and creates an event trigger
    with pytest.raises(SqitchError, match=r"schemas/core\.sql failed: (must have admin option|permission denied)"):
        engine(deployer, root).deploy()

    engine(empty_db, root).deploy()       # the first install, by a superuser
    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute(f'GRANT mercato_owner TO "{user}"')
    with psycopg.connect(empty_db, autocommit=True) as conn:   # the registry's rows (docs/operations.md)
        conn.execute("GRANT USAGE ON SCHEMA sqitch TO mercato_owner")
        conn.execute("GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA sqitch TO mercato_owner")
    add_changes(root, NEW_CHANGES)
    assert all(runs_as_owner(p) for _, p in _after_owner_change(root))

    assert [c.name for c in engine(deployer, root).deploy()] == list(NEW_CHANGES)
    engine(deployer, root).verify()
    with psycopg.connect(empty_db) as conn:
        assert conn.execute("SELECT * FROM core.misowned_objects()").fetchall() == []
        assert conn.execute("SELECT pg_get_userbyid(relowner) FROM pg_class"
                            " WHERE oid = 'ledger.statement_note_account_idx'::regclass").fetchone()[0] == "mercato_owner"
        assert conn.execute("SELECT has_function_privilege('public', 'ledger.statement_note_count()', 'EXECUTE'),"
                            " has_function_privilege('mercato_service', 'ledger.statement_note_count()', 'EXECUTE')"
                            ).fetchone() == (False, True)

    engine(deployer, root).revert(OWNER_CHANGE)
    run_sqitch(root, deployer, home, "deploy")
    run_sqitch(root, deployer, home, "verify")
    run_sqitch(root, deployer, home, "revert", "--to", OWNER_CHANGE, "-y")
    with psycopg.connect(empty_db) as conn:
        assert conn.execute("SELECT to_regclass('ledger.statement_note')").fetchone()[0] is None

    # a change that forgets SET LOCAL ROLE leaves the deployer as owner: the verify of schemas/core/owner names it
    add_changes(root, {"schemas/ledger/forgot_role": (
        "BEGIN;\nCREATE TABLE ledger.forgot_role (id int);\nCOMMIT;\n",
        "BEGIN;\nDROP TABLE ledger.forgot_role;\nCOMMIT;\n",
        "BEGIN;\nSELECT id FROM ledger.forgot_role WHERE false;\nROLLBACK;\n")})
    assert not runs_as_owner(root / "db" / "schemas/ledger/forgot_role.sql")
    engine(deployer, root).deploy()
    with pytest.raises(SqitchError, match=f"verify failed.*{OWNER_CHANGE}"):
        engine(deployer, root).verify()
    with psycopg.connect(empty_db) as conn:
        assert conn.execute("SELECT kind, identity, owner FROM core.misowned_objects()").fetchall() == [
            ("TABLE", "ledger.forgot_role", user)]
