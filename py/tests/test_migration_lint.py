"""Migration lint: squawk (configured in ``.squawk.toml`` for PostgreSQL 15) over every deploy script of sqitch.plan.

- A change planned after the last release tag upgrades a live database, so every rule squawk keeps on applies to it:
  indexes built CONCURRENTLY, constraints added NOT VALID, no table-rewriting defaults, a ``lock_timeout`` set before
  anything that takes a lock (``SET LOCAL lock_timeout = '…'``). A finding fails the test; a deliberate exception
  carries a ``-- squawk-ignore <rule>`` comment with its reason in the script.
- A change of the first release (up to ``@v0.1.0``) was only ever deployed as part of that release, onto an empty
  database: every table it touches was created in the same release, so the live-upgrade rules are first-deploy noise.
  Its findings must still be of the kinds listed in FIRST_DEPLOY, each with its reason, and those scripts never change
  (test_upgrade.py).

docs/operations.md ("Migration lint") has the rules and the reasons.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from mercato.config import project_root
from mercato.sqitch import Plan

ROOT = project_root()
SQUAWK = shutil.which("squawk") or str(Path(sys.executable).parent / "squawk")

#: Finding kinds accepted in the first release's scripts, and why.
FIRST_DEPLOY = {
    "require-lock-timeout": "the first release deployed onto an empty database: nothing else held or waited for a lock",
    "adding-field-with-default": "identity.user_account gained tenant_key in the same release that created it (empty)",
    "constraint-missing-not-valid": "the same: a constraint on a table created, empty, in the same release",
    "disallowed-unique-constraint": "the same: a unique constraint on an empty table builds its index at once",
    "syntax-error": "squawk's parser does not read `substring(x FROM …)` inside an SQL-standard function body "
                    "(functions/ledger/posting); PostgreSQL deploys it",
}


def _released_and_new() -> tuple[list[str], list[str]]:
    plan = Plan.load(ROOT / "sqitch.plan")
    names = [c.name for c in plan.changes]
    tags = plan.tags
    if not tags:
        return [], names
    last = max(plan.index_of(f"@{t.name}") for t in tags)
    return names[: last + 1], names[last + 1:]


def squawk(paths: list[Path]) -> list[dict]:
    assert Path(SQUAWK).exists(), "squawk is required (pip install squawk-cli; py/requirements.txt pins it)"
    proc = subprocess.run([SQUAWK, "--config", str(ROOT / ".squawk.toml"), "--reporter", "gitlab",
                           *map(str, paths)], capture_output=True, text=True, cwd=ROOT, timeout=120, check=False)
    assert proc.returncode in (0, 1), proc.stderr
    return json.loads(proc.stdout or "[]")


def _script(change: str) -> Path:
    return ROOT / "db" / f"{change}.sql"


def test_changes_after_the_release_pass_every_live_upgrade_rule() -> None:
    _, new = _released_and_new()
    if not new:
        pytest.skip("no change after the last release tag yet")
    findings = squawk([_script(c) for c in new])
    assert findings == [], "\n".join(
        f"{f['location']['path']}:{f['location']['lines']['begin']}: {f['check_name']}: {f['description'][:160]}"
        for f in findings)


def test_the_first_release_has_only_first_deploy_findings() -> None:
    released, _ = _released_and_new()
    findings = squawk([_script(c) for c in released])
    kinds = {f["check_name"] for f in findings}
    assert kinds <= set(FIRST_DEPLOY), f"findings of kinds without a first-deploy reason: {kinds - set(FIRST_DEPLOY)}"
    parse_failures = {Path(f["location"]["path"]).resolve().relative_to(ROOT).as_posix()
                      for f in findings if f["check_name"] == "syntax-error"}
    assert parse_failures <= {"db/functions/ledger/posting.sql"}, parse_failures


def test_the_lint_flags_what_would_hurt_a_live_database(tmp_path: Path) -> None:
    """The rules are on: a script that would block a live table is flagged, its fixed form is clean."""
    bad = tmp_path / "bad.sql"
    bad.write_text("BEGIN;\nCREATE INDEX entry_memo_idx ON ledger.transaction (memo);\n"
                   "ALTER TABLE ledger.hold ADD CONSTRAINT hold_x_check CHECK (amount > 0);\nCOMMIT;\n")
    good = tmp_path / "good.sql"
    good.write_text("BEGIN;\nSET LOCAL lock_timeout = '3s';\n"
                    "ALTER TABLE ledger.hold ADD CONSTRAINT hold_x_check CHECK (amount > 0) NOT VALID;\nCOMMIT;\n")
    flagged = {f["check_name"] for f in squawk([bad])}
    assert {"require-concurrent-index-creation", "constraint-missing-not-valid", "require-lock-timeout"} <= flagged
    assert squawk([good]) == []
