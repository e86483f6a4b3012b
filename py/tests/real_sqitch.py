"""The real ``sqitch`` binary for the tests that compare it with Mercato's deployer (test_upgrade, test_drift)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from psycopg.conninfo import conninfo_to_dict

from mercato.sqitch import Identity

SQITCH = shutil.which("sqitch")
#: The planner/committer the tests record, for both tools.
WHO = Identity("Sqitch Tester", "sqitch-tester@example.com")


def run_sqitch(root: Path, url: str, home: Path, *args: str, ok: bool = True) -> subprocess.CompletedProcess[str]:
    """Run ``sqitch --chdir root <args>`` with an isolated HOME and configuration; ``deploy``, ``revert``, ``verify``
    and ``status`` get the database ``url`` as their target. A non-zero exit fails the test with sqitch's output unless
    ``ok`` is false (the caller then looks at the result)."""
    assert SQITCH, "the sqitch binary is required (apt-get install sqitch)"
    info = conninfo_to_dict(url)
    target = (f"db:pg://{info.get('user', 'postgres')}@{info.get('host', '127.0.0.1')}:"
              f"{info.get('port', 5432)}/{info['dbname']}")
    home.mkdir(parents=True, exist_ok=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith("SQITCH_")}
    env.update(HOME=str(home), SQITCH_FULLNAME=WHO.name, SQITCH_EMAIL=WHO.email,
               SQITCH_USER_CONFIG=str(home / "none.conf"), SQITCH_SYSTEM_CONFIG=str(home / "none.conf"))
    if info.get("password"):
        env["PGPASSWORD"] = info["password"]
    cmd = [SQITCH, "--chdir", str(root), *args]
    if args[0] in ("deploy", "revert", "verify", "status"):
        cmd.append(target)
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=600, check=False)
    assert proc.returncode == 0 or not ok, f"sqitch {' '.join(args)}:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    return proc
