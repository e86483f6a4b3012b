"""`mercato demo` runs to a readable end on a deployed database (and can be repeated)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from mercato.config import project_root


def test_demo_runs_twice(db_url: str) -> None:
    exe = Path(sys.executable).parent / "mercato"
    for _ in range(2):
        result = subprocess.run([str(exe), "demo"], capture_output=True, text=True, cwd=project_root(),
                                env={**os.environ, "DATABASE_URL": db_url}, timeout=300)
        assert result.returncode == 0, result.stderr
        assert "Traceback" not in result.stdout + result.stderr
        assert result.stdout.rstrip().endswith("demo finished")
        assert "IDENTITY_PERMISSION_DENIED" in result.stdout and "MASTERDATA_SETTING_INVALID" in result.stdout
