"""Run every pgTAP file under db/tests through psycopg (``make test`` also runs them with pg_prove).

Each file is one transaction (BEGIN … ROLLBACK) executed on a freshly deployed database; its TAP
output is parsed and every ``not ok`` line, a wrong plan count or an error fails the test.
"""

from __future__ import annotations

import re
from pathlib import Path

import psycopg
import pytest

from mercato.config import plan_modules, project_root
from mercato.sqitch import Plan, ProjectConfig

TEST_FILES = sorted((project_root() / "db" / "tests").rglob("*.sql"))


def run_tap(conn: psycopg.Connection, script: str) -> list[str]:
    lines: list[str] = []
    with conn.cursor() as cur:
        cur.execute(script)
        while True:
            if cur.description:
                lines.extend(str(row[0]) for row in cur.fetchall() if row and row[0] is not None)
            if not cur.nextset():
                break
    return lines


def check_tap(lines: list[str]) -> tuple[int, list[str]]:
    planned = None
    ran = 0
    failures: list[str] = []
    for line in lines:
        for part in line.splitlines():
            if m := re.match(r"^1\.\.(\d+)", part):
                planned = int(m.group(1))
            elif part.startswith("not ok"):
                ran += 1
                failures.append(part)
            elif part.startswith("ok"):
                ran += 1
            elif part.startswith("#") and failures:
                failures.append(part)
    if planned is None:
        failures.append("no plan was emitted")
    elif planned != ran:
        failures.append(f"planned {planned} tests but ran {ran}")
    return ran, failures


def unreworked(path: Path) -> Path:
    """``functions/identity@v0.1.0.sql`` -> ``functions/identity.sql``: the script of a change, whichever version."""
    return path.with_name(path.name.split("@")[0] + (".sql" if "@" in path.name else "")) if "@" in path.name else path


def test_every_module_has_tests() -> None:
    """Every change of sqitch.plan (its deploy script ``db/<change>.sql``) and every file under db/schemas and
    db/functions has a mirrored pgTAP file ``db/tests/<change>.sql``; every module the plan creates has its
    ``schemas/<module>`` test; and no file under db/schemas or db/functions is left out of the plan. A reworked
    change is tested by its one mirrored file: its earlier version's copy ``<change>@<tag>.sql`` maps to
    ``db/tests/<change>.sql``, which tests the current version."""
    root = project_root() / "db"
    config = ProjectConfig.load(project_root())
    # a reworked change's earlier version (``<name>@<tag>.sql``) is tested by the change's one file, ``<name>.sql``
    planned = {unreworked(change.script_path("deploy", config).relative_to(root))
               for change in Plan.load(config.plan_file)}
    sources = {unreworked(p.relative_to(root)) for d in ("schemas", "functions") for p in (root / d).rglob("*.sql")}
    tests = {p.relative_to(root / "tests") for p in TEST_FILES}
    assert planned and sources, "found the plan's changes and the db/ files"
    assert sources - planned == set(), "every db/schemas and db/functions file is a change in sqitch.plan"
    assert (planned | sources) - tests == set(), "every change and every db/ source file has a mirrored pgTAP file"
    assert {Path("schemas", f"{module}.sql") for module in plan_modules()} <= tests, "every module has its tests"


@pytest.mark.parametrize("path", TEST_FILES, ids=lambda p: str(p.relative_to(project_root() / "db" / "tests")))
def test_pgtap_file(path: Path, db_url: str) -> None:
    with psycopg.connect(db_url, autocommit=True) as conn:
        lines = run_tap(conn, path.read_text())
    ran, failures = check_tap(lines)
    assert not failures, "\n".join(failures)
    assert ran > 0
