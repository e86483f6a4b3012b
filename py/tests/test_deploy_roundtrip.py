"""Deploy → revert → deploy of the real plan leaves an identical catalog, and a full revert leaves
nothing behind. Also the real ``mercato`` executable's one-line errors for bad ``db`` input."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import psycopg
from psycopg.conninfo import conninfo_to_dict

from mercato.cluster import _pg_bindir
from mercato.config import project_root
from mercato.sqitch import Engine


def schema_dump(url: str) -> str:
    """The schema and privileges of every Mercato object (the sqitch registry excluded)."""
    info = conninfo_to_dict(url)
    out = subprocess.run(
        [str(_pg_bindir() / "pg_dump"), "--schema-only", "--no-owner", "--exclude-schema=sqitch",
         "-h", info["host"], "-p", str(info["port"]), "-U", info["user"], info["dbname"]],
        capture_output=True, text=True, check=True)
    # pg_dump >= 15.14 brackets its output with \restrict/\unrestrict and a random key
    noise = ("-- Dumped", "\\restrict", "\\unrestrict")
    return "\n".join(line for line in out.stdout.splitlines() if not line.startswith(noise))


def role_snapshot(url: str) -> list[tuple]:
    with psycopg.connect(url) as conn:
        return conn.execute(
            "SELECT r.rolname, r.rolcanlogin, r.rolinherit, array(SELECT g.rolname FROM pg_auth_members m "
            "JOIN pg_roles g ON g.oid = m.roleid WHERE m.member = r.oid ORDER BY 1) "
            "FROM pg_roles r WHERE r.rolname LIKE 'mercato\\_%' ORDER BY 1").fetchall()


def test_deploy_revert_deploy_is_identical(empty_db: str) -> None:
    empty = schema_dump(empty_db)
    engine = Engine.from_project(empty_db)
    try:
        deployed = engine.deploy()
        assert deployed, "the plan deploys"
        first, roles = schema_dump(empty_db), role_snapshot(empty_db)
        assert [r.ok for r in engine.verify()] == [True] * len(deployed)

        engine.revert(confirm=lambda _question: True)
        assert engine.status().pending == [c.format_name_with_tags for c in engine.plan.changes]
        assert schema_dump(empty_db) == empty, "a full revert leaves nothing behind"

        engine.deploy()
        assert schema_dump(empty_db) == first, "redeploying gives the same catalog"
        assert role_snapshot(empty_db) == roles
        assert engine.status().up_to_date
    finally:
        engine.close()


def run_cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    exe = Path(sys.executable).parent / "mercato"
    return subprocess.run([str(exe), *args], capture_output=True, text=True, cwd=project_root(),
                          env={**os.environ, **(env or {})}, timeout=120)


def test_cli_db_bad_input_is_one_line(empty_db: str, tmp_path: Path) -> None:
    env = {"DATABASE_URL": empty_db}
    unknown = run_cli("db", "deploy", "--to", "no/such-change", env=env)
    assert unknown.returncode == 1 and unknown.stderr.count("\n") == 1
    assert unknown.stderr.startswith("error: ") and "no/such-change" in unknown.stderr
    assert "Traceback" not in unknown.stderr

    down = run_cli("db", "status", env={"DATABASE_URL": "postgresql://postgres@127.0.0.1:1/nowhere"})
    assert down.returncode == 1 and down.stderr.startswith("error: ") and down.stderr.count("\n") == 1

    # a project copy with a malformed plan line and one with a missing script
    for mutate, expected in (
        (lambda root: (root / "sqitch.plan").write_text((root / "sqitch.plan").read_text() + "bad line here\n"),
         "sqitch.plan"),
        (lambda root: (root / "db" / "functions" / "core.sql").unlink(), "functions/core.sql"),
    ):
        root = tmp_path / f"copy{expected.replace('/', '_')}"
        shutil.copytree(project_root() / "db", root / "db")
        for name in ("sqitch.plan", "sqitch.conf"):
            (root / name).write_text((project_root() / name).read_text())
        mutate(root)
        result = run_cli("db", "deploy", env={**env, "MERCATO_ROOT": str(root)})
        assert result.returncode == 1, result.stderr
        assert result.stderr.startswith("error: ") and result.stderr.count("\n") == 1, result.stderr
        assert expected in result.stderr
