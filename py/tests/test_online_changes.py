"""Non-transactional ("online") changes: ``CREATE INDEX CONCURRENTLY`` deploys with Mercato's deployer as with Sqitch.

PostgreSQL refuses ``CREATE INDEX CONCURRENTLY`` inside a transaction block. Sqitch runs each script through psql,
which sends a script without ``BEGIN``/``COMMIT`` one statement at a time; Mercato's deployer runs a change in one
transaction, so a script is marked to run like psql would: a line ``-- mercato:no-transaction`` and no
``BEGIN``/``COMMIT`` (docs/operations.md, "Online changes"). The registry rows are written after its last statement.

Proven here, for both deployers and across them: the change deploys, verifies (the index valid), reverts with
``DROP INDEX CONCURRENTLY``; a failure part-way leaves the change unrecorded and the script runs again once fixed;
a marked script that also wraps itself is refused before anything runs; the statement splitter keeps quotes, dollar
quotes and comments whole; and every script of sqitch.plan is either wrapped or marked.
"""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest

from mercato.config import project_root
from mercato.sqitch import (Plan, ProjectConfig, SqitchError, is_non_transactional, split_statements,
                            unwrap_transaction)
from real_sqitch import engine, run_sqitch, write_project

PLAN = """\
%syntax-version=1.0.0
%project=online

shop 2024-03-01T10:00:00Z Online Tester <online@example.com> # Shop schema and items
shop/items_name_idx [shop] 2024-03-01T10:05:00Z Online Tester <online@example.com> # Index items by name, online
"""
INDEX_DEPLOY = """\
-- Deploy online:shop/items_name_idx to pg
-- mercato:no-transaction
-- CREATE INDEX CONCURRENTLY cannot run in a transaction block. Safe to run again: an index left invalid by a failed
-- build is dropped first.
SET lock_timeout = '5s';
DROP INDEX CONCURRENTLY IF EXISTS shop.items_name_idx;
CREATE INDEX CONCURRENTLY items_name_idx ON shop.items (name);
"""
SCRIPTS = {
    "shop": ("BEGIN;\nCREATE SCHEMA shop;\nCREATE TABLE shop.items (id int PRIMARY KEY, name text NOT NULL);\n"
             "INSERT INTO shop.items SELECT g, 'item ' || g FROM generate_series(1, 1000) g;\nCOMMIT;\n",
             "BEGIN;\nDROP SCHEMA shop CASCADE;\nCOMMIT;\n",
             "BEGIN;\nSELECT id, name FROM shop.items WHERE false;\nROLLBACK;\n"),
    "shop/items_name_idx": (
        INDEX_DEPLOY,
        "-- mercato:no-transaction\nSET lock_timeout = '5s';\nDROP INDEX CONCURRENTLY IF EXISTS shop.items_name_idx;\n",
        "BEGIN;\nSELECT 1 / (SELECT count(*) FROM pg_catalog.pg_index\n"
        "                WHERE indexrelid = 'shop.items_name_idx'::regclass AND indisvalid)::int;\nROLLBACK;\n"),
}


@pytest.fixture
def online_project(tmp_path: Path) -> Path:
    return write_project(tmp_path / "online", PLAN, SCRIPTS)



def index_state(url: str) -> bool | None:
    """None: no index; else whether it is valid."""
    with psycopg.connect(url) as conn:
        row = conn.execute("SELECT indisvalid FROM pg_catalog.pg_index"
                           " WHERE indexrelid = to_regclass('shop.items_name_idx')").fetchone()
    return None if row is None else row[0]


def deployed(url: str, root: Path) -> list[str]:
    return [c.change for c in engine(url, root).deployed_changes()]


@pytest.mark.parametrize("deployer,reverter", [("mercato", "mercato"), ("sqitch", "mercato"), ("mercato", "sqitch")])
def test_an_online_index_deploys_verifies_and_reverts(deployer: str, reverter: str, online_project: Path,
                                                     empty_db: str, tmp_path: Path) -> None:
    root, home = online_project, tmp_path / "home"

    def run(tool: str, action: str) -> None:
        if tool == "sqitch":
            run_sqitch(root, empty_db, home, action, *(["--to", "shop", "-y"] if action == "revert" else []))
        elif action == "revert":
            engine(empty_db, root).revert("shop")
        else:
            getattr(engine(empty_db, root), action)()

    run(deployer, "deploy")
    assert index_state(empty_db) is True and deployed(empty_db, root) == ["shop", "shop/items_name_idx"]
    run(reverter, "verify")
    run(deployer, "verify")
    run(reverter, "revert")
    assert index_state(empty_db) is None and deployed(empty_db, root) == ["shop"]
    run(reverter, "deploy")
    assert index_state(empty_db) is True and deployed(empty_db, root) == ["shop", "shop/items_name_idx"]
    assert engine(empty_db, root).drift() == []


def test_a_failure_part_way_leaves_the_change_unrecorded_and_the_script_runs_again(online_project: Path,
                                                                                  empty_db: str) -> None:
    root = online_project
    script = root / "db" / "shop" / "items_name_idx.sql"
    script.write_text(INDEX_DEPLOY + "SELECT 1 / 0;\n")
    with pytest.raises(SqitchError, match="division by zero.*statements before the failing one stay applied"):
        engine(empty_db, root).deploy()
    assert index_state(empty_db) is True, "the index built before the failing statement stays"
    assert deployed(empty_db, root) == ["shop"], "the change is not recorded"
    with psycopg.connect(empty_db) as conn:
        assert conn.execute("SELECT event FROM sqitch.events WHERE change = 'shop/items_name_idx'"
                            " ORDER BY committed_at").fetchall() == [("fail",)]

    script.write_text(INDEX_DEPLOY)
    engine(empty_db, root).deploy()
    assert index_state(empty_db) is True and deployed(empty_db, root) == ["shop", "shop/items_name_idx"]


def test_a_marked_script_that_wraps_itself_is_refused_before_it_runs(online_project: Path, empty_db: str) -> None:
    root = online_project
    (root / "db" / "shop" / "items_name_idx.sql").write_text(
        "-- mercato:no-transaction\nBEGIN;\nCREATE INDEX items_name_idx ON shop.items (name);\nCOMMIT;\n")
    with pytest.raises(SqitchError, match="marked mercato:no-transaction but wraps itself"):
        engine(empty_db, root).deploy()
    assert index_state(empty_db) is None and deployed(empty_db, root) == ["shop"]


def test_the_splitter_keeps_quotes_dollar_quotes_and_comments_whole() -> None:
    text = ("-- mercato:no-transaction\nSET lock_timeout = '5s';  -- a; comment\n/* a ; /* nested; */ */\n"
            "SELECT 'it''s;', E'a\\';b', \"we;ird\", $$ ; $$, $f$ x; $f$, 1 AS \"$x\";\n"
            "DO $do$ BEGIN PERFORM 1; END $do$;\n-- only a comment;\n  ;\nSELECT 2")
    assert split_statements(text) == [
        "-- mercato:no-transaction\nSET lock_timeout = '5s';",
        "-- a; comment\n/* a ; /* nested; */ */\nSELECT 'it''s;', E'a\\';b', \"we;ird\", $$ ; $$, $f$ x; $f$, "
        "1 AS \"$x\";",
        "DO $do$ BEGIN PERFORM 1; END $do$;",
        "-- only a comment;\n  ;\nSELECT 2"[len("-- only a comment;\n  ;\n"):],
    ]
    with pytest.raises(SqitchError, match="BEGIN ATOMIC"):
        split_statements("CREATE FUNCTION f() RETURNS int BEGIN ATOMIC SELECT 1; END;")
    assert is_non_transactional(text) and not is_non_transactional("SELECT 1; -- mercato:no-transaction\n")


def test_every_script_of_the_plan_is_wrapped_or_marked() -> None:
    root = project_root()
    plan, config = Plan.load(root / "sqitch.plan"), ProjectConfig.load(root)
    problems = []
    for change in plan.changes:
        for kind, end in (("deploy", "COMMIT"), ("revert", "COMMIT"), ("verify", "ROLLBACK")):
            path = change.script_path(kind, config)
            text = path.read_text()
            wrapped = unwrap_transaction(text) != text and text.rstrip().upper().endswith(end + ";")
            marked = kind != "verify" and is_non_transactional(text)
            if wrapped == marked:
                problems.append(f"{path.relative_to(root)}: {'both wrapped and marked' if wrapped else 'neither'}")
    assert not problems, "\n".join(problems)


def test_deploy_and_revert_tell_postgrest_to_reload(online_project: Path, empty_db: str) -> None:
    """The deployer sends NOTIFY pgrst, 'reload schema' itself after changing anything (this database has no event
    trigger to do it); a deploy with nothing to do sends nothing."""
    with psycopg.connect(empty_db, autocommit=True) as listener:
        listener.execute("LISTEN pgrst")

        def heard(expected: int) -> list[str]:
            """The notifications: waits up to 10 s for the expected ones, then 0.3 s for any more."""
            got = [n.payload for n in listener.notifies(timeout=10, stop_after=expected)] if expected else []
            return got + [n.payload for n in listener.notifies(timeout=0.3)]

        engine(empty_db, online_project).deploy()
        assert heard(1) == ["reload schema"]
        engine(empty_db, online_project).deploy()
        assert heard(0) == []
        engine(empty_db, online_project).revert("shop")
        assert heard(1) == ["reload schema"]
