"""Upgrading a live database from the last release tag to HEAD gives the schema of a fresh deploy, with the data kept.

The release is the last tag of ``sqitch.plan`` (``@v0.1.0`` ...). Its files are those of the git tag of the same name,
or, in a clone without tags, of the commit that added the plan's tag line. For each deployer — Mercato's engine and the real ``sqitch`` binary — the test:

1. deploys the release's plan from the release's own files into a new database, and runs the release's own
   ``mercato demo`` there (a little of everything: tenants, parties, RFQs, bids, contracts in escrow, OTP deliveries,
   settlement, tiers);
2. reads every table's rows (the columns the release had);
3. deploys HEAD over it;
4. checks that no deployed change has drifted: every change the release deployed still has, at HEAD, the deploy script
   the registry recorded (``mercato db check-drift`` exits 0), so a release's change was never edited in place;
5. compares ``pg_dump --schema-only`` of the upgraded database with a fresh deploy of HEAD (statements as a multiset,
   comments and SET lines dropped, the sqitch registry excluded), checks that ``ledger.check()`` passes and that every
   row the release had is still there, unchanged (new changes may add rows, e.g. error codes).

A plan without a tag has nothing to upgrade from, and the test says so (skip).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tarfile
import io
from collections import Counter
from pathlib import Path

import psycopg
import pytest
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from mercato.config import project_root
from mercato.sqitch import Engine, Plan
from real_sqitch import WHO, run_sqitch

ROOT = project_root()


def _last_release() -> str | None:
    tags = Plan.load(ROOT / "sqitch.plan").tags
    return tags[-1].name if tags else None


RELEASE = _last_release()
pytestmark = pytest.mark.skipif(RELEASE is None, reason="sqitch.plan has no release tag yet: nothing to upgrade from")


@pytest.fixture
def new_db(server_url: str):
    """A factory of empty databases, dropped at the end of the test."""
    made: list[str] = []

    def make(label: str) -> str:
        name = f"upg_{label}_{os.getpid()}"
        with psycopg.connect(server_url, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        made.append(name)
        return make_conninfo(server_url, dbname=name)

    yield make
    with psycopg.connect(server_url, autocommit=True) as conn:
        for name in made:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def _release_commit() -> str:
    """The release's commit: the git tag named like the plan's tag if there is one, else the commit that added the
    plan's tag line (so that a clone without tags still finds it)."""
    tag = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--verify", "--quiet", f"refs/tags/{RELEASE}^{{commit}}"],
                         capture_output=True, text=True, check=False)
    if tag.returncode == 0:
        return tag.stdout.strip()
    added = subprocess.run(["git", "-C", str(ROOT), "log", "--reverse", "--format=%H", "-S", f"@{RELEASE} ", "--",
                            "sqitch.plan"], capture_output=True, text=True, check=True).stdout.split()
    assert added, f"sqitch.plan is tagged @{RELEASE} but no commit in this clone's history added the tag"
    return added[0]


@pytest.fixture(scope="module")
def release_tree(tmp_path_factory) -> Path:
    """The release's files, exported from git."""
    if not (ROOT / ".git").exists():
        pytest.skip("not a git checkout: the release's files cannot be exported")
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", "--format=tar", _release_commit()],
                             capture_output=True, check=True)
    dest = tmp_path_factory.mktemp("release") / RELEASE
    with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
        tar.extractall(dest)
    return dest


def _release_demo(tree: Path, url: str) -> None:
    """Run the release's own ``mercato demo`` (its Python, its calls) against ``url``."""
    env = dict(os.environ, DATABASE_URL=url, MERCATO_ROOT=str(tree), PYTHONPATH=str(tree / "py"))
    proc = subprocess.run([sys.executable, "-c", "from mercato.cli import main; main()", "demo", "--any-database"],
                          cwd=tree, env=env, capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode == 0, f"the release's demo failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"


def _deploy(tool: str, root: Path, url: str, home: Path) -> None:
    if tool == "sqitch":
        run_sqitch(root, url, home, "deploy")
    else:
        eng = Engine.from_project(url, root)
        eng._identity = WHO
        try:
            eng.deploy()
        finally:
            eng.close()


def _check_no_drift(url: str) -> None:
    """``mercato db check-drift`` on HEAD's files: every deployed change's deploy script is the one deployed."""
    env = dict(os.environ, DATABASE_URL=url, MERCATO_ROOT=str(ROOT), PYTHONPATH=str(ROOT / "py"))
    proc = subprocess.run([sys.executable, "-c", "from mercato.cli import main; main()", "db", "check-drift"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 0, (
        "deployed changes drifted: a change of the release was edited in place instead of reworked or added anew\n"
        + proc.stdout[-3000:] + proc.stderr[-3000:])


MERCATO_SCHEMAS_SQL = """
SELECT c.oid::regclass::text, array_agg(quote_ident(a.attname) ORDER BY a.attnum)
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
  JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
 WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition
   AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'public', 'sqitch', 'pg_toast')
 GROUP BY c.oid ORDER BY 1"""


def _tables(url: str) -> dict[str, list[str]]:
    with psycopg.connect(url) as conn:
        return {t: cols for t, cols in conn.execute(MERCATO_SCHEMAS_SQL).fetchall()}


def _rows(url: str, tables: dict[str, list[str]]) -> dict[str, Counter]:
    """Per table: its rows (the given columns, as text), as a multiset."""
    out = {}
    with psycopg.connect(url) as conn:
        for table, cols in tables.items():
            row = sql.SQL("ROW({})::text").format(sql.SQL(", ").join(sql.SQL(c) for c in cols))
            q = sql.SQL("SELECT {} FROM {}").format(row, sql.SQL(table))
            out[table] = Counter(r[0] for r in conn.execute(q))
    return out


def _schema_dump(url: str) -> list[str]:
    """``pg_dump --schema-only`` without the registry, as a sorted list of statements (comments, SETs, blank lines and
    pg_dump's random ``\\restrict`` keys dropped)."""
    info = conninfo_to_dict(url)
    env = dict(os.environ)
    if info.get("password"):
        env["PGPASSWORD"] = info["password"]
    proc = subprocess.run(["pg_dump", "--schema-only", "--no-owner", "--exclude-schema=sqitch",
                           "-h", info.get("host", "127.0.0.1"), "-p", str(info.get("port", 5432)),
                           "-U", info.get("user", "postgres"), info["dbname"]],
                          env=env, capture_output=True, text=True, check=True)
    text = "\n".join(line for line in proc.stdout.splitlines()
                     if line.strip() and not line.startswith(("--", "SET ", "SELECT pg_catalog.set_config",
                                                              "\\restrict ", "\\unrestrict ")))
    return sorted(stmt.strip() for stmt in re.split(r";\n", text) if stmt.strip())


@pytest.mark.parametrize("tool", ["mercato", "sqitch"])
def test_upgrade_from_last_release_equals_fresh_deploy(tool: str, release_tree: Path, new_db, tmp_path: Path) -> None:
    upgraded, fresh = new_db(f"{tool}_up"), new_db(f"{tool}_fresh")

    _deploy(tool, release_tree, upgraded, tmp_path / "home")
    _release_demo(release_tree, upgraded)
    tables = _tables(upgraded)
    before = _rows(upgraded, tables)
    assert sum(sum(c.values()) for c in before.values()) > 100, "the release's demo left data to carry over"

    _deploy(tool, ROOT, upgraded, tmp_path / "home")
    _check_no_drift(upgraded)
    _deploy(tool, ROOT, fresh, tmp_path / "home")

    got, want = _schema_dump(upgraded), _schema_dump(fresh)
    missing, extra = sorted(set(want) - set(got)), sorted(set(got) - set(want))
    assert not missing and not extra, (
        f"upgraded schema differs from a fresh deploy of HEAD.\nonly in fresh:\n" + "\n\n".join(missing[:20])
        + "\nonly in upgraded:\n" + "\n\n".join(extra[:20]))

    with psycopg.connect(upgraded) as conn:
        failing = conn.execute("SELECT check_name, violations, sample FROM ledger.check() WHERE NOT ok").fetchall()
    assert failing == [], f"ledger.check() after the upgrade: {failing}"

    after = _rows(upgraded, tables)
    lost = {t: sum((rows - after[t]).values()) for t, rows in before.items() if rows - after[t]}
    assert lost == {}, f"rows changed or lost during the upgrade (count per table): {lost}"
