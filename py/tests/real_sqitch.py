"""Small Sqitch projects and the real ``sqitch`` binary, for the tests that compare it with Mercato's deployer
(test_upgrade, test_drift, test_rework, test_online_changes, test_ownership, test_sqitch_interop, test_sqitch_engine)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from psycopg.conninfo import conninfo_to_dict

from mercato.sqitch import Engine, Identity

SQITCH = shutil.which("sqitch")
#: The planner/committer the tests record, for both tools.
WHO = Identity("Sqitch Tester", "sqitch-tester@example.com")

#: sqitch.conf of a small test project laid out as Mercato's: scripts under db/, reworked copies beside them.
CONF = """\
[core]
\tengine = pg
\tplan_file = sqitch.plan
\ttop_dir = db
\tdeploy_dir = db
\trevert_dir = db/revert
\tverify_dir = db/verify
\treworked_deploy_dir = db
\treworked_revert_dir = db/revert
\treworked_verify_dir = db/verify
"""


def write_project(root: Path, plan: str, scripts: dict[str, tuple[str, str, str]]) -> Path:
    """A small project at ``root``: :data:`CONF`, the plan text, and for each change its (deploy, revert, verify)."""
    (root / "db").mkdir(parents=True, exist_ok=True)
    (root / "sqitch.conf").write_text(CONF)
    (root / "sqitch.plan").write_text(plan)
    for name, texts in scripts.items():
        for sub, text in zip(("", "revert", "verify"), texts):
            path = root / "db" / sub / f"{name}.sql"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
    return root


def engine(url: str, root: Path) -> Engine:
    """Mercato's deployer on the project at ``root``, recording :data:`WHO` as the real sqitch does here."""
    eng = Engine.from_project(url, root)
    eng._identity = WHO
    return eng


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
