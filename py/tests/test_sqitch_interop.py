"""Round trips between Mercato's deployer and the real ``sqitch`` binary on one database.

The binary is required: CI installs it, so a missing ``sqitch`` fails these tests.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import psycopg
import pytest
from psycopg.conninfo import conninfo_to_dict

from mercato.sqitch import Engine, Identity

SQITCH = shutil.which("sqitch")

CONF = """\
[core]
\tengine = pg
\tplan_file = sqitch.plan
\ttop_dir = db
\tdeploy_dir = db
\trevert_dir = db/revert
\tverify_dir = db/verify
"""
PLAN = """\
%syntax-version=1.0.0
%project=interop
%uri=https://example.com/interop

schemas/shop 2024-03-01T10:00:00Z Åsa Planner <asa@example.com> # Shop schema — prix en €, naïve café ✓
shop/items [schemas/shop] 2024-03-01T10:05:00Z Åsa Planner <asa@example.com> # Items\\nwith a second line
@v1.0 2024-03-02T00:00:00Z Åsa Planner <asa@example.com> # First release ✓
shop/orders [shop/items !shop/legacy] 2024-03-03T00:00:00Z Bob <bob@example.com> # Orders
shop/legacy 2024-03-04T00:00:00Z Bob <bob@example.com>
"""
SCRIPTS = {
    "schemas/shop": ("CREATE SCHEMA shop;\n", "DROP SCHEMA shop;\n",
                     "SELECT 1/count(*) FROM pg_namespace WHERE nspname = 'shop';\n"),
    "shop/items": (
        "CREATE TABLE shop.items (id int PRIMARY KEY, label text NOT NULL);\n"
        "INSERT INTO shop.items VALUES (1, 'café ✓');\n",
        "DROP TABLE shop.items;\n",
        "SELECT id, label FROM shop.items WHERE false;\n",
    ),
    "shop/orders": ("CREATE TABLE shop.orders (id int, item_id int REFERENCES shop.items);\n",
                    "DROP TABLE shop.orders;\n", "SELECT id FROM shop.orders WHERE false;\n"),
    "shop/legacy": ("CREATE TABLE shop.legacy (id int);\n", "DROP TABLE shop.legacy;\n",
                    "SELECT id FROM shop.legacy WHERE false;\n"),
}
WHO = Identity("Interop Tester", "interop@example.com")


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "proj"
    (root / "db").mkdir(parents=True)
    (root / "sqitch.conf").write_text(CONF)
    (root / "sqitch.plan").write_text(PLAN, encoding="utf-8")
    for name, texts in SCRIPTS.items():
        for sub, text in zip(("", "revert", "verify"), texts):
            path = root / "db" / sub / f"{name}.sql"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
    return root


class Sqitch:
    """Runs the real sqitch with an isolated HOME/config against one database."""

    def __init__(self, root: Path, home: Path, url: str) -> None:
        assert SQITCH, "the sqitch binary is required for interop tests (apt-get install sqitch)"
        info = conninfo_to_dict(url)
        self.root = root
        self.target = (f"db:pg://{info.get('user', 'postgres')}@{info.get('host', '127.0.0.1')}:"
                       f"{info.get('port', 5432)}/{info['dbname']}")
        home.mkdir(exist_ok=True)
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("SQITCH_")}
        self.env.update(
            HOME=str(home), SQITCH_FULLNAME=WHO.name, SQITCH_EMAIL=WHO.email,
            SQITCH_USER_CONFIG=str(home / "no-user.conf"),
            SQITCH_SYSTEM_CONFIG=str(home / "no-system.conf"),
        )
        if info.get("password"):
            self.env["PGPASSWORD"] = info["password"]

    def __call__(self, *args: str, ok: bool = True) -> subprocess.CompletedProcess[str]:
        cmd, rest = args[0], args[1:]
        proc = subprocess.run([SQITCH, "--chdir", str(self.root), cmd, *rest, self.target],
                              env=self.env, capture_output=True, text=True, timeout=120, check=False)
        if ok:
            assert proc.returncode == 0, f"sqitch {' '.join(args)}:\n{proc.stdout}\n{proc.stderr}"
        return proc


def engine(url: str, root: Path) -> Engine:
    eng = Engine.from_project(url, root)
    eng._identity = WHO
    return eng


def shop_tables(url: str) -> set[str]:
    with psycopg.connect(url) as conn:
        rows = conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'shop'").fetchall()
    return {r[0] for r in rows}


def registry_snapshot(url: str) -> dict[str, list[tuple]]:
    """Registry content without the timestamps that differ between runs."""
    q = {
        "projects": "SELECT project, uri, creator_name, creator_email FROM sqitch.projects",
        "changes": "SELECT change_id, script_hash, change, project, note, committer_name,"
                   " committer_email, planned_at, planner_name, planner_email"
                   " FROM sqitch.changes ORDER BY committed_at",
        "tags": "SELECT tag_id, tag, project, change_id, note, committer_name, committer_email,"
                " planned_at, planner_name, planner_email FROM sqitch.tags ORDER BY tag",
        "dependencies": "SELECT change_id, type, dependency, dependency_id FROM sqitch.dependencies"
                        " ORDER BY change_id, dependency",
        "events": "SELECT event, change_id, change, project, note, requires, conflicts, tags,"
                  " committer_name, committer_email, planned_at, planner_name, planner_email"
                  " FROM sqitch.events ORDER BY committed_at",
        "releases": "SELECT version, installer_name, installer_email FROM sqitch.releases",
    }
    with psycopg.connect(url) as conn:
        return {name: conn.execute(query).fetchall() for name, query in q.items()}


def registry_ddl(url: str) -> list[tuple]:
    with psycopg.connect(url) as conn:
        cols = conn.execute(
            "SELECT table_name, column_name, data_type, is_nullable, column_default"
            " FROM information_schema.columns WHERE table_schema = 'sqitch' ORDER BY 1, 2").fetchall()
        cons = conn.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint"
            " WHERE connamespace = 'sqitch'::regnamespace ORDER BY 1, 2").fetchall()
    return cols + cons


def test_mercato_deploys_sqitch_agrees(project: Path, empty_db: str, tmp_path: Path) -> None:
    sqitch = Sqitch(project, tmp_path / "home", empty_db)
    done = engine(empty_db, project).deploy()
    assert len(done) == 4 and shop_tables(empty_db) == {"items", "orders", "legacy"}

    status = sqitch("status")
    assert "Nothing to deploy (up-to-date)" in status.stdout
    assert "# Name:     shop/legacy" in status.stdout
    deploy = sqitch("deploy")
    assert "Nothing to deploy (up-to-date)" in deploy.stdout
    verify = sqitch("verify")
    assert "Verify successful" in verify.stdout
    assert "  * shop/items @v1.0 .." in verify.stdout
    log = sqitch("log")
    assert "Shop schema — prix en €" in log.stdout

    revert = sqitch("revert", "-y", "--to", "@v1.0")
    assert "- shop/legacy" in revert.stdout and "- shop/orders" in revert.stdout
    assert shop_tables(empty_db) == {"items"}
    st = engine(empty_db, project).status()
    assert st.last_change.change == "shop/items" and st.pending == ["shop/orders", "shop/legacy"]
    sqitch("revert", "-y")
    assert shop_tables(empty_db) == set()
    assert engine(empty_db, project).status().deployed_count == 0


def test_sqitch_deploys_mercato_agrees(project: Path, empty_db: str, tmp_path: Path) -> None:
    sqitch = Sqitch(project, tmp_path / "home", empty_db)
    sqitch("deploy")
    theirs = registry_snapshot(empty_db)

    eng = engine(empty_db, project)
    st = eng.status()
    assert st.up_to_date and st.deployed_count == 4 and st.last_change.change == "shop/legacy"
    assert eng.deploy() == []
    assert all(r.ok for r in eng.verify())
    events = eng.log()
    assert [e.change for e in events] == ["shop/legacy", "shop/orders", "shop/items", "schemas/shop"]

    reverted = eng.revert()
    assert [r.change for r in reverted] == ["shop/legacy", "shop/orders", "shop/items", "schemas/shop"]
    with psycopg.connect(empty_db) as conn:
        assert conn.execute("SELECT count(*) FROM pg_namespace WHERE nspname = 'shop'").fetchone() == (0,)
    status = sqitch("status", ok=False)
    assert status.returncode == 1 and "No changes deployed" in status.stdout + status.stderr

    eng.deploy()
    status = sqitch("status")
    assert "Nothing to deploy (up-to-date)" in status.stdout
    sqitch("verify")

    # Rows Mercato wrote for the redeploy equal those sqitch wrote for the first deploy.
    ours = registry_snapshot(empty_db)
    for table in ("projects", "changes", "tags", "dependencies", "releases"):
        assert ours[table] == theirs[table], table
    deploy_events = [e for e in ours["events"] if e[0] == "deploy"]
    assert deploy_events[:4] == theirs["events"]
    assert deploy_events[4:] == theirs["events"]
    revert_events = [e for e in ours["events"] if e[0] == "revert"]
    assert [e[2] for e in revert_events] == ["shop/legacy", "shop/orders", "shop/items", "schemas/shop"]
    # sqitch can take it from here, and logs its reverts exactly as Mercato did.
    sqitch("revert", "-y")
    assert shop_tables(empty_db) == set()
    final = [e for e in registry_snapshot(empty_db)["events"] if e[0] == "revert"]
    assert final[4:] == revert_events


def test_registry_structure_matches_sqitch(project: Path, server_url: str, tmp_path: Path) -> None:
    """A registry created by Mercato has exactly the columns and constraints of Sqitch's."""
    import uuid

    names = [f"mercato_interop_{uuid.uuid4().hex[:8]}" for _ in range(2)]
    urls = []
    with psycopg.connect(server_url, autocommit=True) as conn:
        for name in names:
            conn.execute(f'CREATE DATABASE "{name}"')
    try:
        for name in names:
            info = conninfo_to_dict(server_url)
            info["dbname"] = name
            urls.append(psycopg.conninfo.make_conninfo(**info))
        Sqitch(project, tmp_path / "home", urls[0])("deploy")
        engine(urls[1], project).deploy()
        assert registry_ddl(urls[0]) == registry_ddl(urls[1])
        assert registry_snapshot(urls[0])["changes"] == registry_snapshot(urls[1])["changes"]
    finally:
        with psycopg.connect(server_url, autocommit=True) as conn:
            for name in names:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
