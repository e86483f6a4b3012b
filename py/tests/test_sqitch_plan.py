"""Plan parsing and Sqitch-identical ids (checked against the real ``sqitch`` binary)."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
from pathlib import Path

import psycopg
import pytest
from psycopg.conninfo import conninfo_to_dict

from mercato.sqitch import Dependency, Engine, Plan, ProjectConfig, SqitchError, read_git_config

SQITCH = shutil.which("sqitch")

SAMPLE_PLAN = """\
%syntax-version=1.0.0
%project=demo
%uri=HTTPS://Example.COM:443/demo

# A comment line between changes.
users 2024-01-02T03:04:05Z Ann Planner <ann@example.com> # Users table — café, naïve ünïcode
widgets [users] 2024-01-02T03:05:05Z Ann Planner <ann@example.com> # Widgets\\nsecond line
@v1.0 2024-01-03T00:00:00Z Bob <bob@example.com> # First release ✓

gadgets [users widgets !oldstuff other:thing@v2 @v1.0] 2024-01-04T00:00:00Z Bob <bob@example.com>
  \t
users [users@v1.0] 2024-01-05T00:00:00Z Ann Planner <ann@example.com> # Reworked users
@v2.0 2024-01-06T00:00:00Z Bob <bob@example.com>
"""

CONF = """\
[core]
\tengine = pg
\tplan_file = sqitch.plan
\ttop_dir = db
\tdeploy_dir = db
\trevert_dir = db/revert
\tverify_dir = db/verify
"""


def sqitch_env(home: Path) -> dict[str, str]:
    """Environment for the real sqitch: isolated HOME/user config, fixed identity."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SQITCH_")}
    env.update(
        HOME=str(home),
        SQITCH_FULLNAME="Plan Tester",
        SQITCH_EMAIL="plan@example.com",
        SQITCH_USER_CONFIG=str(home / "no-user.conf"),
        SQITCH_SYSTEM_CONFIG=str(home / "no-system.conf"),
    )
    return env


def run_sqitch(root: Path, home: Path, *args: str) -> str:
    assert SQITCH, "the sqitch binary is required (apt-get install sqitch)"
    proc = subprocess.run([SQITCH, "--chdir", str(root), *args], env=sqitch_env(home),
                          capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 0, f"sqitch {' '.join(args)} failed:\n{proc.stdout}\n{proc.stderr}"
    return proc.stdout


def write_sample(root: Path) -> Path:
    (root / "db" / "revert").mkdir(parents=True)
    (root / "db" / "verify").mkdir(parents=True)
    (root / "sqitch.conf").write_text(CONF)
    plan = root / "sqitch.plan"
    plan.write_text(SAMPLE_PLAN, encoding="utf-8")
    return plan


# -- parsing -----------------------------------------------------------------------------------


def test_parse_sample_plan(tmp_path: Path) -> None:
    plan = Plan.load(write_sample(tmp_path))
    assert plan.project == "demo"
    assert plan.uri == "HTTPS://Example.COM:443/demo"
    assert plan.pragmas["syntax_version"] == "1.0.0"
    assert [c.name for c in plan.changes] == ["users", "widgets", "gadgets", "users"]
    users, widgets, gadgets, users2 = plan.changes
    assert users.note == "Users table — café, naïve ünïcode"
    assert widgets.note == "Widgets\nsecond line"  # "\n" escape decoded
    assert users.planner_name == "Ann Planner" and users.planner_email == "ann@example.com"
    assert [t.name for t in widgets.tags] == ["v1.0"]
    assert widgets.tags[0].note == "First release ✓"
    assert users.parent is None and widgets.parent is users and users2.parent is gadgets
    assert gadgets.since_tag is widgets.tags[0]
    # Dependencies: requires, conflicts, cross-project, tag-only.
    assert [d.as_string() for d in gadgets.requires] == ["users", "widgets", "other:thing@v2", "@v1.0"]
    assert [d.as_string() for d in gadgets.conflicts] == ["oldstuff"]
    assert gadgets.conflicts[0].conflicts and gadgets.conflicts[0].type == "conflict"
    ext = gadgets.requires[2]
    assert (ext.project, ext.change, ext.tag) == ("other", "thing", "v2") and ext.is_external()
    # Rework: the earlier "users" learns the tags between it and its new version.
    assert [t.name for t in users.rework_tags] == ["v1.0"]
    assert users.is_reworked and not users2.is_reworked
    # Lookups.
    assert plan.index_of("@v1.0") == 1
    assert plan.index_of("users@v1.0") == 0
    assert plan.index_of("users@v2.0") == 3
    assert plan.index_of("@HEAD") == 3 and plan.index_of("@ROOT") == 0
    assert plan.index_of("gadgets^") == 1 and plan.index_of("widgets~") == 2
    assert plan.index_of(gadgets.id) == 2
    assert plan.find("users") is users
    assert plan.index_of("nope") is None
    with pytest.raises(SqitchError, match="ambiguous"):
        plan.index_of("users")


def test_script_paths_follow_sqitch_conf(tmp_path: Path) -> None:
    plan = Plan.load(write_sample(tmp_path))
    cfg = ProjectConfig.load(tmp_path)
    users, widgets, _, users2 = plan.changes
    assert widgets.script_path("deploy", cfg) == tmp_path / "db" / "widgets.sql"
    assert widgets.script_path("revert", cfg) == tmp_path / "db" / "revert" / "widgets.sql"
    assert widgets.script_path("verify", cfg) == tmp_path / "db" / "verify" / "widgets.sql"
    assert users2.script_path("deploy", cfg) == tmp_path / "db" / "users.sql"
    # Reworked versions live under <reworked_dir>/<kind>/ (reworked_dir defaults to top_dir).
    assert users.script_path("deploy", cfg) == tmp_path / "db" / "deploy" / "users@v1.0.sql"
    assert users.script_path("revert", cfg) == tmp_path / "db" / "revert" / "users@v1.0.sql"
    nested = Plan.parse("%project=x\n\nschemas/core 2024-01-01T00:00:00Z A <a@b>\n").changes[0]
    assert nested.script_path("revert", cfg) == tmp_path / "db" / "revert" / "schemas" / "core.sql"


def test_sqitch_defaults_without_conf(tmp_path: Path) -> None:
    cfg = ProjectConfig.load(tmp_path)
    assert cfg.plan_file == tmp_path / "sqitch.plan"
    assert cfg.script_dir("deploy") == tmp_path / "deploy"
    assert cfg.script_dir("verify") == tmp_path / "verify"
    assert cfg.registry == "sqitch" and cfg.extension == "sql"


def test_git_config_parser(tmp_path: Path) -> None:
    conf = tmp_path / "sqitch.conf"
    conf.write_text('[core]\n\tengine = pg # comment\n[engine "pg"]\n\tregistry = "my reg"\n'
                    "; comment\n[user]\n\tname = A B\n")
    values = read_git_config(conf)
    assert values == {"core.engine": "pg", "engine.pg.registry": "my reg", "user.name": "A B"}
    assert ProjectConfig.load(tmp_path).registry == "my reg"


def test_real_project_plan_parses() -> None:
    from mercato.config import project_root

    root = project_root()
    cfg = ProjectConfig.load(root)
    plan = Plan.load(cfg.plan_file)
    assert plan.project == "mercato"
    assert plan.changes and len({c.id for c in plan.changes}) == len(plan.changes)


def test_dependency_parse() -> None:
    dep = Dependency.parse("!proj:change@tag", "mine")
    assert dep is not None and dep.conflicts and dep.as_plan_string() == "!proj:change@tag"
    assert Dependency.parse("mine:foo", "mine").as_string() == "foo"  # own project is implicit
    assert Dependency.parse("@v1", "mine").key_name == "@v1"
    assert Dependency.parse("bad name", "mine") is None
    assert Dependency.parse("foo:", "mine") is None


@pytest.mark.parametrize(
    ("body", "lineno", "message"),
    [
        ("users 2024-01-02T03:04:05Z\n", 4, "missing planner name and email"),
        ("users Ann <a@b>\n", 4, "missing timestamp"),
        ("users\n", 4, "missing timestamp and planner"),
        ("ok 2024-01-02T03:04:05Z A <a@b>\n-bad- 2024-01-02T03:04:05Z A <a@b>\n", 5, "invalid name"),
        ("@v1 2024-01-02T03:04:05Z A <a@b>\n", 4, "without a preceding change"),
        ("a 2024-01-02T03:04:05Z A <a@b>\na 2024-01-02T03:04:05Z A <a@b>\n", 5,
         'duplicates earlier declaration on line 4'),
        ("a [b@@c] 2024-01-02T03:04:05Z A <a@b>\n", 4, "not a valid dependency"),
        ("a [x x] 2024-01-02T03:04:05Z A <a@b>\n", 4, "duplicate dependency"),
        ("HEAD 2024-01-02T03:04:05Z A <a@b>\n", 4, "reserved name"),
        ("a 2024-13-02T03:04:05Z A <a@b>\n", 4, "invalid timestamp"),
        ("a 2024-01-02T03:04:05Z A <a@b>\n@v/x 2024-01-02T03:04:05Z A <a@b>\n", 5, "illegal character"),
    ],
)
def test_malformed_lines(tmp_path: Path, body: str, lineno: int, message: str) -> None:
    plan = tmp_path / "sqitch.plan"
    plan.write_text("%syntax-version=1.0.0\n%project=demo\n\n" + body)
    with pytest.raises(SqitchError) as info:
        Plan.load(plan)
    text = str(info.value)
    assert f"{plan} at line {lineno}" in text
    assert message in text
    assert "\n" not in text


def test_plan_level_errors(tmp_path: Path) -> None:
    plan = tmp_path / "sqitch.plan"
    with pytest.raises(SqitchError, match="does not exist"):
        Plan.load(plan)
    plan.write_text("%syntax-version=1.0.0\n\na 2024-01-02T03:04:05Z A <a@b>\n")
    with pytest.raises(SqitchError, match="missing %project pragma"):
        Plan.load(plan)
    plan.write_text("%project=demo\nfoo 2024-01-02T03:04:05Z A <a@b>\n")
    with pytest.raises(SqitchError, match="at line 2: invalid pragma"):
        Plan.load(plan)
    plan.write_text("%project=demo\n\na [b] 2024-01-02T03:04:05Z A <a@b>\n")
    with pytest.raises(SqitchError, match='unknown change "b" required by change "a"'):
        Plan.load(plan)
    plan.write_text("%project=demo\n\na [b] 2024-01-02T03:04:05Z A <a@b>\nb 2024-01-02T03:04:05Z A <a@b>\n")
    with pytest.raises(SqitchError, match='"a" .* is planned before required change "b"'):
        Plan.load(plan)


# -- ids against the real sqitch -----------------------------------------------------------------


def test_change_and_tag_ids_match_sqitch_plan_and_show(tmp_path: Path) -> None:
    """Offline check: ``sqitch plan`` change ids and ``sqitch show tag`` info/ids."""
    root = tmp_path / "proj"
    root.mkdir()
    plan = Plan.load(write_sample(root))
    out = run_sqitch(root, tmp_path, "plan", "--no-headers", "--format", "format:%H %n")
    theirs = [line.split(" ", 1) for line in out.splitlines() if line.strip()]
    assert [[c.id, c.name] for c in plan.changes] == theirs
    for tag in plan.tags:
        info = run_sqitch(root, tmp_path, "show", "tag", tag.format_name)
        assert tag.info + "\n" == info
        assert tag.id == hashlib.sha1(b"tag %d\0" % len(info[:-1].encode()) + info[:-1].encode()).hexdigest()
    gadgets = plan.changes[2]
    assert run_sqitch(root, tmp_path, "show", "change", gadgets.id) == gadgets.info + "\n"


def test_ids_and_hashes_match_a_sqitch_deploy(tmp_path: Path, empty_db: str) -> None:
    """Deploy a project with real sqitch and compare registry ids/hashes with ours."""
    root = tmp_path / "proj"
    root.mkdir()
    (root / "db" / "revert").mkdir(parents=True)
    (root / "db" / "verify").mkdir(parents=True)
    (root / "sqitch.conf").write_text(CONF)
    (root / "sqitch.plan").write_text(
        "%syntax-version=1.0.0\n%project=idcheck\n%uri=https://example.com/idcheck\n\n"
        "alpha 2024-01-02T03:04:05Z Ann <ann@example.com> # Première — ünïcode ✓\n"
        "beta [alpha] 2024-01-02T03:05:05Z Ann <ann@example.com> # Beta\\nmulti-line\n"
        "@v1 2024-01-03T00:00:00Z Bob <bob@example.com> # Tag note ✓\n"
        "gamma [alpha beta !other:legacy] 2024-01-04T00:00:00Z Bob <bob@example.com>\n"
        "@v2 2024-01-05T00:00:00Z Bob <bob@example.com>\n",
        encoding="utf-8",
    )
    for name in ("alpha", "beta", "gamma"):
        (root / "db" / f"{name}.sql").write_text(f"CREATE TABLE {name} (id int); -- é\n", encoding="utf-8")
        (root / "db" / "revert" / f"{name}.sql").write_text(f"DROP TABLE {name};\n")
        (root / "db" / "verify" / f"{name}.sql").write_text(f"SELECT id FROM {name} WHERE false;\n")
    info = conninfo_to_dict(empty_db)
    target = f"db:pg://{info.get('user', 'postgres')}@{info['host']}:{info['port']}/{info['dbname']}"
    run_sqitch(root, tmp_path, "deploy", target)

    plan = Plan.load(root / "sqitch.plan")
    cfg = ProjectConfig.load(root)
    with psycopg.connect(empty_db) as conn:
        changes = conn.execute(
            "SELECT change_id, change, script_hash, note FROM sqitch.changes ORDER BY committed_at").fetchall()
        tags = conn.execute("SELECT tag_id, tag, change_id FROM sqitch.tags ORDER BY committed_at").fetchall()
    assert changes == [(c.id, c.name, c.script_hash(cfg), c.note) for c in plan.changes]
    assert sorted(tags) == sorted((t.id, t.format_name, t.change.id) for t in plan.tags)
    # And our engine agrees that nothing is left to do.
    st = Engine.from_project(empty_db, root).status()
    assert st.up_to_date and st.deployed_count == 3
