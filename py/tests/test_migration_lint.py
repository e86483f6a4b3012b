"""Migration lint: squawk (configured in ``.squawk.toml`` for PostgreSQL 15) over every deploy script of sqitch.plan.

- A change planned after the last release tag upgrades a live database, so every rule squawk keeps on applies to it:
  indexes built CONCURRENTLY, constraints added NOT VALID, no table-rewriting defaults, a ``lock_timeout`` set before
  anything that takes a lock (``SET LOCAL lock_timeout = '…'``). A finding fails the test; a deliberate exception
  carries a ``-- squawk-ignore <rule>`` comment with its reason in the script.
- A change of the first release (up to ``@v0.1.0``) was only ever deployed as part of that release, onto an empty
  database: every table it touches was created in the same release, so the live-upgrade rules are first-deploy noise.
  Its findings must still be of the kinds listed in FIRST_DEPLOY, each with its reason, and those scripts never change
  (test_upgrade.py).
- A change planned after the last release tag creates its functions with ``CREATE OR REPLACE``: a later
  ``sqitch rework`` starts from a copy of the script, and the copy must deploy over the functions the earlier version
  left (``CREATE FUNCTION`` fails with "already exists"). test_rework.py reworks a released change that way.

docs/operations.md ("Migration lint") has the rules and the reasons.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from mercato.config import project_root
from mercato.sqitch import Plan, ProjectConfig

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


#: Changes after the release whose deploy script uses CREATE FUNCTION, and why they may.
CREATE_WITHOUT_REPLACE = {
    "functions/audit/retention": "planned on main before the rule; it switches to CREATE OR REPLACE when first "
                                 "reworked (a change is never edited in place, test_drift.py)",
}


def _released_and_new(root: Path = ROOT) -> tuple[list[Path], list[Path]]:
    """Deploy scripts of the changes up to the last release tag, and of those after it (a reworked change's earlier
    version is its name@tag copy)."""
    plan, config = Plan.load(root / "sqitch.plan"), ProjectConfig.load(root)
    scripts = [c.script_path("deploy", config) for c in plan.changes]
    tags = plan.tags
    if not tags:
        return [], scripts
    last = max(plan.index_of(f"@{t.name}") for t in tags)
    return scripts[: last + 1], scripts[last + 1:]


def _rel(path: Path, root: Path = ROOT) -> str:
    return path.resolve().relative_to(root.resolve()).as_posix()


_COMMENT = re.compile(r"--[^\n]*|/\*.*?\*/", re.S)
_CREATE_ROUTINE = re.compile(r"\bCREATE\s+(?:FUNCTION|PROCEDURE)\b", re.I)


def creates_routines_without_replace(paths: list[Path]) -> list[Path]:
    """The scripts among ``paths`` with a ``CREATE FUNCTION`` or ``CREATE PROCEDURE`` not spelled ``CREATE OR
    REPLACE`` (comments ignored; dollar-quoted bodies are not parsed: a body creating a function is also flagged)."""
    return [p for p in paths if _CREATE_ROUTINE.search(_COMMENT.sub(" ", p.read_text()))]


def squawk(paths: list[Path]) -> list[dict]:
    assert Path(SQUAWK).exists(), "squawk is required (pip install squawk-cli; py/requirements.txt pins it)"
    proc = subprocess.run([SQUAWK, "--config", str(ROOT / ".squawk.toml"), "--reporter", "gitlab",
                           *map(str, paths)], capture_output=True, text=True, cwd=ROOT, timeout=120, check=False)
    assert proc.returncode in (0, 1), proc.stderr
    return json.loads(proc.stdout or "[]")


def test_changes_after_the_release_pass_every_live_upgrade_rule() -> None:
    _, new = _released_and_new()
    if not new:
        pytest.skip("no change after the last release tag yet")
    findings = squawk(new)
    assert findings == [], "\n".join(
        f"{f['location']['path']}:{f['location']['lines']['begin']}: {f['check_name']}: {f['description'][:160]}"
        for f in findings)


def test_the_first_release_has_only_first_deploy_findings() -> None:
    released, _ = _released_and_new()
    findings = squawk(released)
    kinds = {f["check_name"] for f in findings}
    assert kinds <= set(FIRST_DEPLOY), f"findings of kinds without a first-deploy reason: {kinds - set(FIRST_DEPLOY)}"
    parse_failures = {Path(f["location"]["path"]).resolve().relative_to(ROOT).as_posix()
                      for f in findings if f["check_name"] == "syntax-error"}
    assert parse_failures <= {"db/functions/ledger/posting.sql"}, parse_failures


def test_changes_after_the_release_create_or_replace_their_functions() -> None:
    _, new = _released_and_new()
    offenders = {_rel(p) for p in creates_routines_without_replace(new)}
    allowed = {f"db/{c}.sql" for c in CREATE_WITHOUT_REPLACE}
    assert offenders <= allowed, f"use CREATE OR REPLACE FUNCTION in: {sorted(offenders - allowed)}"
    assert allowed <= offenders, f"no longer an exception, take it out of CREATE_WITHOUT_REPLACE: {allowed - offenders}"


def test_the_create_or_replace_check_recognises_what_it_must(tmp_path: Path) -> None:
    examples = {"create function x.f() returns int return 1;": True,
                "CREATE\n  PROCEDURE x.p() LANGUAGE sql BEGIN ATOMIC SELECT 1; END;": True,
                "CREATE OR REPLACE FUNCTION x.f() RETURNS int RETURN 1;": False,
                "-- CREATE FUNCTION in a comment\n/* CREATE FUNCTION */ SELECT 1;": False}
    for i, (text, expected) in enumerate(examples.items()):
        path = tmp_path / f"{i}.sql"
        path.write_text(text)
        assert bool(creates_routines_without_replace([path])) is expected, text


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
