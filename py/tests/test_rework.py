"""Rework of a released change, with the real ``sqitch``, over a database deployed through ``@v0.1.0``.

``functions/settlement/check`` was released with ``CREATE FUNCTION``. The procedure (docs/operations.md, "Changing a
released change"):

1. ``sqitch rework <change> -n '…'``: sqitch copies the three scripts to ``<change>@v0.1.0.sql`` (sqitch.conf names
   the reworked directories) and appends the change to the plan once more.
2. The new ``<change>.sql`` says ``CREATE OR REPLACE`` and sets ``lock_timeout``: the copy as it is fails with
   "already exists" (shown below with Mercato's deployer, which rolls the change back whole) and the migration lint
   refuses it (test_migration_lint.py).
3. The new revert script puts the previous version back (the earlier deploy script with ``CREATE OR REPLACE``): the
   copied one would drop the function that the earlier version still needs.

Then ``sqitch deploy`` deploys the one new change, ``sqitch verify`` passes, no drift is reported, ``sqitch revert``
puts the released function back, and Mercato's deployer deploys the rework again, as it does on a fresh database.
"""

from __future__ import annotations

import re
from pathlib import Path

import psycopg
import pytest

from mercato.sqitch import Plan, SqitchError
from real_sqitch import engine, run_sqitch
from test_migration_lint import creates_routines_without_replace, squawk

CHANGE = "functions/settlement/check"
NOTE = "settlement.check() names the release that reworked it"
ADDED = " Reworked after v0.1.0."



def comment(url: str) -> str:
    with psycopg.connect(url) as conn:
        return conn.execute("SELECT obj_description('settlement.check()'::regprocedure, 'pg_proc')").fetchone()[0]


def or_replace(text: str) -> str:
    """A script of the earlier version, made to deploy over itself: CREATE OR REPLACE and a lock_timeout."""
    text = re.sub(r"\bCREATE FUNCTION\b", "CREATE OR REPLACE FUNCTION", text)
    return text.replace("BEGIN;\n", "BEGIN;\n\nSET LOCAL lock_timeout = '5s';\n", 1)



def test_rework_a_released_function_change_and_deploy_it_over_the_release(project_copy: Path, empty_db: str,
                                                                          tmp_path: Path) -> None:
    root, home = project_copy, tmp_path / "home"
    deploy_path = root / "db" / f"{CHANGE}.sql"
    revert_path = root / "db" / "revert" / f"{CHANGE}.sql"
    released = deploy_path.read_text()
    assert engine(empty_db, root).deploy(), "the database is deployed through @v0.1.0 and what follows it"
    before = comment(empty_db)

    run_sqitch(root, empty_db, home, "rework", CHANGE, "-n", NOTE)
    for kind in ("", "revert/", "verify/"):
        assert (root / "db" / f"{kind}{CHANGE}@v0.1.0.sql").is_file(), f"sqitch copied the {kind or 'deploy'} script"
    plan = Plan.load(root / "sqitch.plan")
    assert plan.changes[-1].name == CHANGE and plan.changes[-1].note == NOTE
    assert [t.name for t in plan.changes[plan.first_index_of(CHANGE)].rework_tags] == ["v0.1.0"]

    # the copy as it is: refused by the lint, and its deploy fails and rolls back whole
    assert creates_routines_without_replace([deploy_path]) == [deploy_path]
    with pytest.raises(SqitchError, match="already exists"):
        engine(empty_db, root).deploy()
    assert comment(empty_db) == before
    assert [c.change for c in engine(empty_db, root).deployed_changes()].count(CHANGE) == 1

    # the rework as the procedure says
    deploy_path.write_text(or_replace(released).replace("Assumes READ COMMITTED.';", f"Assumes READ COMMITTED.{ADDED}';"))
    revert_path.write_text(or_replace(released).replace("-- Deploy mercato:", "-- Revert mercato:", 1)
                           .replace(" to pg\n", " from pg (the version of @v0.1.0)\n", 1))
    assert creates_routines_without_replace([deploy_path, revert_path]) == []
    assert squawk([deploy_path]) == []

    run_sqitch(root, empty_db, home, "deploy")
    assert comment(empty_db) == before + ADDED
    assert [c.change for c in engine(empty_db, root).deployed_changes()].count(CHANGE) == 2
    run_sqitch(root, empty_db, home, "verify")
    assert engine(empty_db, root).drift() == [], "the release's version is compared with its @v0.1.0 copy"
    with psycopg.connect(empty_db) as conn:
        assert conn.execute("SELECT bool_and(ok) FROM settlement.check()").fetchone()[0] is True

    run_sqitch(root, empty_db, home, "revert", "--to", "@HEAD^", "-y")
    assert comment(empty_db) == before, "revert put the released version back"
    redeployed = engine(empty_db, root).deploy()
    assert [c.id for c in redeployed] == [plan.changes[-1].id], "Mercato's deployer deploys the rework too"
    assert comment(empty_db) == before + ADDED
    assert engine(empty_db, root).drift() == []
