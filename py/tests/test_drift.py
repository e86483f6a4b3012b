"""Drift detection: a deployed change whose deploy script changed since it was deployed is named, never "up-to-date".

The registry records each deployed change's ``script_hash`` (SHA-1 of its deploy script, as Sqitch computes it);
``Engine.drift()`` compares it with the deploy script the plan names for that change now — for a change reworked later
in the plan, its ``name@tag`` copy. ``mercato db status`` lists drifted changes, ``mercato db check-drift`` exits 1 on
drift, ``mercato db deploy`` warns. Revert and verify scripts may change: they are not drift. Registries written by the
real ``sqitch`` read without false drift.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from real_sqitch import engine, run_sqitch, write_project

EDITED = "functions/ledger/holds"


def run_cli(root: Path, url: str, *args: str) -> subprocess.CompletedProcess[str]:
    """The real ``mercato`` executable on the project at ``root`` and the database ``url``."""
    exe = Path(sys.executable).parent / "mercato"
    env = {**os.environ, "DATABASE_URL": url, "MERCATO_ROOT": str(root)}
    return subprocess.run([str(exe), *args], capture_output=True, text=True, cwd=root, env=env, timeout=300,
                          check=False)




def append(path: Path, text: str) -> None:
    path.write_bytes(path.read_bytes() + text.encode())


def test_edited_deploy_script_is_drift_revert_and_verify_are_not(project_copy: Path, empty_db: str) -> None:
    root = project_copy
    eng = engine(empty_db, root)
    assert eng.deploy(), "the plan deploys"
    assert eng.drift() == [] and eng.status().drift == []

    clean = run_cli(root, empty_db, "db", "check-drift")
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert clean.stdout.count("\n") == 1 and "no drift" in clean.stdout.lower()
    assert "no drift" in run_cli(root, empty_db, "db", "status").stdout.lower()

    # revert and verify scripts are not recorded by the registry: editing them is no drift
    for kind in ("revert", "verify"):
        append(root / "db" / kind / f"{EDITED}.sql", "-- a comment\n")
    assert engine(empty_db, root).drift() == []
    assert run_cli(root, empty_db, "db", "check-drift").returncode == 0

    # editing a deployed change's deploy script is drift, of exactly that change
    append(root / "db" / f"{EDITED}.sql", "-- an edit in place\n")
    drift = engine(empty_db, root).drift()
    assert [d.change for d in drift] == [EDITED]
    assert drift[0].script == f"db/{EDITED}.sql" and drift[0].current_hash != drift[0].deployed_hash

    found = run_cli(root, empty_db, "db", "check-drift")
    assert found.returncode == 1, found.stdout + found.stderr
    named = [line for line in found.stdout.splitlines() if line.startswith("  * ")]
    assert len(named) == 1 and named[0].startswith(f"  * {EDITED} "), found.stdout
    assert "sqitch rework" in found.stdout and "new change" in found.stdout

    status = run_cli(root, empty_db, "db", "status")
    assert status.returncode == 0 and "Nothing to deploy (up-to-date)" in status.stdout
    assert [line for line in status.stdout.splitlines() if line.startswith("  * ")] == named
    assert "no drift" not in status.stdout.lower()
    as_json = json.loads(run_cli(root, empty_db, "db", "status", "--json").stdout)
    assert [d["change"] for d in as_json["drift"]] == [EDITED]
    assert [d["change"] for d in json.loads(run_cli(root, empty_db, "db", "check-drift", "--json").stdout)["drift"]] \
        == [EDITED]

    # deploy cannot fix drift: it warns on stderr and succeeds
    deploy = run_cli(root, empty_db, "db", "deploy")
    assert deploy.returncode == 0, deploy.stderr
    assert "Nothing to deploy (up-to-date)" in deploy.stdout
    assert "warning:" in deploy.stderr and f"  * {EDITED} " in deploy.stderr


def test_check_drift_without_registry_is_a_clear_error(project_copy: Path, empty_db: str) -> None:
    result = run_cli(project_copy, empty_db, "db", "check-drift")
    assert result.returncode == 1
    assert result.stderr.startswith("error: no registry") and result.stderr.count("\n") == 1, result.stderr
    status = run_cli(project_copy, empty_db, "db", "status")
    assert status.returncode == 0 and "No changes deployed" in status.stdout


def test_sqitch_registry_reads_without_false_drift(project_copy: Path, empty_db: str, tmp_path: Path) -> None:
    run_sqitch(project_copy, empty_db, tmp_path / "home", "deploy")
    assert engine(empty_db, project_copy).drift() == []
    result = run_cli(project_copy, empty_db, "db", "check-drift")
    assert result.returncode == 0, result.stdout + result.stderr

    append(project_copy / "db" / f"{EDITED}.sql", "-- an edit in place\n")
    assert [d.change for d in engine(empty_db, project_copy).drift()] == [EDITED]


# -- rework: the old version is compared with its name@tag copy, the new one with name.sql -----------------------------

PLAN = """\
%syntax-version=1.0.0
%project=drifty

schemas/shop 2024-03-01T10:00:00Z Drift Tester <drift@example.com> # Shop schema
shop/items [schemas/shop] 2024-03-01T10:05:00Z Drift Tester <drift@example.com> # Items
@v1.0 2024-03-02T00:00:00Z Drift Tester <drift@example.com> # First release
"""
SCRIPTS = {
    "schemas/shop": ("BEGIN;\nCREATE SCHEMA shop;\nCOMMIT;\n", "BEGIN;\nDROP SCHEMA shop;\nCOMMIT;\n",
                     "BEGIN;\nSELECT 'shop'::regnamespace;\nROLLBACK;\n"),
    "shop/items": ("BEGIN;\nCREATE TABLE shop.items (id int PRIMARY KEY);\nCOMMIT;\n",
                   "BEGIN;\nDROP TABLE shop.items;\nCOMMIT;\n",
                   "BEGIN;\nSELECT id FROM shop.items WHERE false;\nROLLBACK;\n"),
}
REWORKED = "BEGIN;\nCREATE TABLE IF NOT EXISTS shop.items (id int PRIMARY KEY);\n" \
           "ALTER TABLE shop.items ADD COLUMN IF NOT EXISTS price numeric;\nCOMMIT;\n"


@pytest.fixture
def small_project(tmp_path: Path) -> Path:
    return write_project(tmp_path / "drifty", PLAN, SCRIPTS)


@pytest.mark.parametrize("tool", ["mercato", "sqitch"])
def test_reworked_change_is_compared_with_its_own_version(tool: str, small_project: Path, empty_db: str,
                                                          tmp_path: Path) -> None:
    root, home = small_project, tmp_path / "home"

    def deploy() -> None:
        if tool == "sqitch":
            run_sqitch(root, empty_db, home, "deploy")
        else:
            engine(empty_db, root).deploy()

    deploy()
    run_sqitch(root, empty_db, home, "rework", "shop/items", "-n", "Items get a price")
    assert (root / "db" / "shop" / "items@v1.0.sql").read_text() == SCRIPTS["shop/items"][0]
    (root / "db" / "shop" / "items.sql").write_text(REWORKED)
    assert engine(empty_db, root).drift() == [], "the old version is compared with its @v1.0 copy"
    deploy()
    assert [c.change for c in engine(empty_db, root).deployed_changes()] == ["schemas/shop", "shop/items",
                                                                             "shop/items"]
    assert engine(empty_db, root).drift() == []

    (root / "db" / "shop" / "items@v1.0.sql").write_text(SCRIPTS["shop/items"][0] + "-- edited\n")
    assert [d.change for d in engine(empty_db, root).drift()] == ["shop/items@v1.0"]
    (root / "db" / "shop" / "items@v1.0.sql").write_text(SCRIPTS["shop/items"][0])
    (root / "db" / "shop" / "items.sql").write_text(REWORKED + "-- edited\n")
    assert [(d.change, d.script) for d in engine(empty_db, root).drift()] == [("shop/items", "db/shop/items.sql")]
