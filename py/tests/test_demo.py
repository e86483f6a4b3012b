"""`mercato demo` runs to a readable end on a deployed database (and can be repeated)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import psycopg

from mercato.config import project_root


def test_demo_refuses_another_database_unless_told(db_url: str) -> None:
    exe = Path(sys.executable).parent / "mercato"
    result = subprocess.run([str(exe), "demo"], capture_output=True, text=True, cwd=project_root(),
                            env={**os.environ, "DATABASE_URL": db_url}, timeout=300)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "--any-database" in result.stderr and "session_replication_role" in result.stderr
    with psycopg.connect(db_url) as conn:
        assert conn.execute("SELECT count(*) FROM identity.tenant").fetchone()[0] == 0, "nothing was written"


def test_demo_runs_twice(db_url: str) -> None:
    exe = Path(sys.executable).parent / "mercato"
    for _ in range(2):
        result = subprocess.run([str(exe), "demo", "--any-database"], capture_output=True, text=True, cwd=project_root(),
                                env={**os.environ, "DATABASE_URL": db_url}, timeout=300)
        assert result.returncode == 0, result.stderr
        assert "Traceback" not in result.stdout + result.stderr
        assert result.stdout.rstrip().endswith("demo finished")
        assert "IDENTITY_PERMISSION_DENIED" in result.stdout and "MASTERDATA_SETTING_INVALID" in result.stdout
