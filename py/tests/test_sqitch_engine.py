"""The deployer against throw-away projects: deploy/revert/verify/status/log, failures,
locking, bad input, and the ``mercato db`` CLI commands."""

from __future__ import annotations

import json
import socket
import threading
from pathlib import Path

import click
import psycopg
import pytest
from click.testing import CliRunner

from mercato.cli.db_sqitch import register
from mercato.sqitch import LOCK_KEY, Engine, Identity, SqitchError

CONF = """\
[core]
\tengine = pg
\tplan_file = sqitch.plan
\ttop_dir = db
\tdeploy_dir = db
\trevert_dir = db/revert
\tverify_dir = db/verify
"""
HEADER = "%syntax-version=1.0.0\n%project=enginetest\n%uri=https://example.com/enginetest\n\n"
WHO = Identity("Engine Tester", "engine@example.com")


def make_project(root: Path, plan_body: str, scripts: dict[str, tuple[str, str, str]]) -> Path:
    """Write sqitch.conf, sqitch.plan and ``{change: (deploy, revert, verify)}`` scripts."""
    for kind in ("revert", "verify"):
        (root / "db" / kind).mkdir(parents=True, exist_ok=True)
    (root / "sqitch.conf").write_text(CONF)
    (root / "sqitch.plan").write_text(HEADER + plan_body, encoding="utf-8")
    for name, (deploy, revert, verify) in scripts.items():
        for sub, text in (("", deploy), ("revert", revert), ("verify", verify)):
            path = root / "db" / sub / f"{name}.sql"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
    return root


def table_scripts(name: str, extra: str = "") -> tuple[str, str, str]:
    return (
        f"CREATE TABLE {name} (id int);{extra}\n",
        f"DROP TABLE {name};\n",
        f"SELECT id FROM {name} WHERE false;\n",
    )


BASIC_PLAN = (
    "t_one 2024-01-01T00:00:00Z Ann <ann@example.com> # First table\n"
    "t_two [t_one] 2024-01-02T00:00:00Z Ann <ann@example.com> # Second table\n"
    "@v1 2024-01-03T00:00:00Z Ann <ann@example.com> # Release one\n"
    "t_three [t_two !t_four] 2024-01-04T00:00:00Z Ann <ann@example.com>\n"
    "t_four 2024-01-05T00:00:00Z Ann <ann@example.com>\n"
)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return make_project(tmp_path / "proj", BASIC_PLAN, {
        "t_one": table_scripts("t_one"),
        "t_two": table_scripts("t_two"),
        "t_three": table_scripts("t_three", " SELECT '100% literal';"),
        "t_four": table_scripts("t_four"),
    })


def engine(url: str, root: Path, lines: list[str] | None = None, **kw) -> Engine:
    eng = Engine.from_project(url, root, log=(lines.append if lines is not None else None))
    eng._identity = kw.get("identity", WHO)
    return eng


def tables(url: str) -> set[str]:
    with psycopg.connect(url) as conn:
        rows = conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'").fetchall()
    return {r[0] for r in rows}


def registry(url: str, query: str) -> list[tuple]:
    with psycopg.connect(url) as conn:
        return conn.execute(query).fetchall()


# -- happy path --------------------------------------------------------------------------------


def test_deploy_status_verify_log_revert(project: Path, empty_db: str) -> None:
    lines: list[str] = []
    eng = engine(empty_db, project, lines)
    st = eng.status()
    assert st.last_change is None and st.deployed_count == 0 and len(st.pending) == 4

    done = eng.deploy()
    assert [c.name for c in done] == ["t_one", "t_two", "t_three", "t_four"]
    assert tables(empty_db) == {"t_one", "t_two", "t_three", "t_four"}
    assert "  + t_two @v1 .. ok" in lines and "  + t_one ...... ok" in lines

    # Registry rows, in Sqitch's shape.
    plan = eng.plan
    assert registry(empty_db, "SELECT version FROM sqitch.releases") == [(1.1,)]
    assert registry(empty_db, "SELECT project, uri, creator_name FROM sqitch.projects") == [
        ("enginetest", "https://example.com/enginetest", "Engine Tester")]
    changes = registry(empty_db, "SELECT change_id, change, note, committer_email, planner_name"
                                 " FROM sqitch.changes ORDER BY committed_at")
    assert changes == [(c.id, c.name, c.note, "engine@example.com", "Ann") for c in plan.changes]
    deps = registry(empty_db, "SELECT c.change, d.type, d.dependency, d.dependency_id"
                              " FROM sqitch.dependencies d JOIN sqitch.changes c USING (change_id)"
                              " ORDER BY 1, 3")
    one, two = plan.changes[0].id, plan.changes[1].id
    assert deps == [("t_three", "conflict", "t_four", None), ("t_three", "require", "t_two", two),
                    ("t_two", "require", "t_one", one)]
    assert registry(empty_db, "SELECT tag, tag_id, change_id, note FROM sqitch.tags") == [
        ("@v1", plan.tags[0].id, two, "Release one")]
    events = registry(empty_db, "SELECT event, change, tags, requires, conflicts FROM sqitch.events"
                                " ORDER BY committed_at")
    assert events == [("deploy", "t_one", [], [], []), ("deploy", "t_two", ["@v1"], ["t_one"], []),
                      ("deploy", "t_three", [], ["t_two"], ["t_four"]), ("deploy", "t_four", [], [], [])]

    st = eng.status()
    assert st.up_to_date and st.deployed_count == 4 and st.last_change.change == "t_four"
    assert st.to_dict()["last_change"]["change"] == "t_four"
    lines.clear()
    assert eng.deploy() == [] and "Nothing to deploy (up-to-date)" in lines

    results = eng.verify()
    assert [r.ok for r in results] == [True] * 4
    assert "  * t_two @v1 .. ok" in lines

    # revert --to a tag keeps the tagged change.
    reverted = eng.revert("@v1")
    assert [r.change for r in reverted] == ["t_four", "t_three"]
    assert tables(empty_db) == {"t_one", "t_two"}
    st = eng.status()
    assert st.last_change.change == "t_two" and st.pending == ["t_three", "t_four"]
    rev = registry(empty_db, "SELECT change, requires, conflicts FROM sqitch.events"
                             " WHERE event = 'revert' ORDER BY committed_at")
    assert rev == [("t_four", [], []), ("t_three", ["t_two"], ["t_four"])]

    # deploy --to a change name, then the rest.
    assert [c.name for c in eng.deploy(to="t_three")] == ["t_three"]
    with pytest.raises(SqitchError, match="cannot deploy to an earlier change"):
        eng.deploy(to="t_one")
    assert [c.name for c in eng.deploy()] == ["t_four"]

    # Log is newest first.
    log = eng.log()
    assert [(e.event, e.change) for e in log[:3]] == [("deploy", "t_four"), ("deploy", "t_three"),
                                                      ("revert", "t_three")]
    assert len(log) == 8 and log[0].to_dict()["committer_name"] == "Engine Tester"

    # Full revert (with a confirmation callback that accepts).
    asked: list[str] = []
    reverted = eng.revert(confirm=lambda q: asked.append(q) or True)
    assert [r.change for r in reverted] == ["t_four", "t_three", "t_two", "t_one"]
    assert asked and asked[0].startswith("Revert all changes from db:pg://")
    assert tables(empty_db) == set()
    assert registry(empty_db, "SELECT count(*) FROM sqitch.changes") == [(0,)]
    assert registry(empty_db, "SELECT count(*) FROM sqitch.tags") == [(0,)]
    assert eng.revert() == []


def test_revert_refused_by_confirmation(project: Path, empty_db: str) -> None:
    eng = engine(empty_db, project)
    eng.deploy()
    with pytest.raises(SqitchError, match="^Nothing reverted$"):
        eng.revert("t_one", confirm=lambda q: False)
    assert len(tables(empty_db)) == 4


def test_scripts_run_without_registry_on_search_path(tmp_path: Path, empty_db: str) -> None:
    root = make_project(tmp_path, "probe 2024-01-01T00:00:00Z A <a@b.c>\n", {"probe": (
        "CREATE TABLE probe AS SELECT current_setting('search_path') AS sp;\n"
        "BEGIN; CREATE TABLE own_tx (id int); COMMIT;\n",  # a script managing its own transaction
        "DROP TABLE probe; DROP TABLE own_tx;\n",
        "BEGIN; SELECT 1/count(*) FROM probe; ROLLBACK;\n",
    )})
    eng = engine(empty_db, root)
    eng.deploy()
    (sp,) = registry(empty_db, "SELECT sp FROM probe")[0]
    assert "sqitch" not in sp
    assert registry(empty_db, "SELECT change FROM sqitch.changes") == [("probe",)]
    eng.verify()
    eng.revert()
    assert tables(empty_db) == set()


# -- failures ----------------------------------------------------------------------------------


def test_failing_change_leaves_schema_and_registry_unchanged(tmp_path: Path, empty_db: str) -> None:
    root = make_project(tmp_path, (
        "good 2024-01-01T00:00:00Z A <a@b.c>\n"
        "bad [good] 2024-01-02T00:00:00Z A <a@b.c> # Breaks halfway\n"
        "after [bad] 2024-01-03T00:00:00Z A <a@b.c>\n"
    ), {
        "good": table_scripts("good"),
        "bad": ("CREATE TABLE half_done (id int);\nINSERT INTO good VALUES (1);\nSELECT 1/0;\n"
                "CREATE TABLE never (id int);\n", "DROP TABLE half_done;\n", "SELECT 1;\n"),
        "after": table_scripts("after"),
    })
    lines: list[str] = []
    eng = engine(empty_db, root, lines)
    with pytest.raises(SqitchError) as info:
        eng.deploy()
    msg = str(info.value)
    assert "\n" not in msg
    assert "db/bad.sql failed" in msg and "division by zero" in msg and "22012" in msg
    assert "  + bad .... not ok" in lines
    assert tables(empty_db) == {"good"}
    assert registry(empty_db, "SELECT count(*) FROM good") == [(0,)]
    assert registry(empty_db, "SELECT change FROM sqitch.changes") == [("good",)]
    assert registry(empty_db, "SELECT count(*) FROM sqitch.dependencies") == [(0,)]
    assert registry(empty_db, "SELECT event, change, requires FROM sqitch.events ORDER BY committed_at") == [
        ("deploy", "good", []), ("fail", "bad", ["good"])]
    st = eng.status()
    assert st.last_change.change == "good" and st.pending == ["bad", "after"]

    # Fix the script: the next deploy picks up where it stopped.
    (root / "db" / "bad.sql").write_text("CREATE TABLE half_done (id int);\n")
    assert [c.name for c in eng.deploy()] == ["bad", "after"]
    assert tables(empty_db) == {"good", "half_done", "after"}


def test_dependency_checks(tmp_path: Path, empty_db: str) -> None:
    root = make_project(tmp_path, (
        "base 2024-01-01T00:00:00Z A <a@b.c>\n"
        "needs_ext [base other:thing] 2024-01-02T00:00:00Z A <a@b.c>\n"
    ), {"base": table_scripts("base"), "needs_ext": table_scripts("needs_ext")})
    eng = engine(empty_db, root)
    with pytest.raises(SqitchError, match="missing required change.*other:thing"):
        eng.deploy()
    assert tables(empty_db) == set()  # checked before anything runs

    root2 = make_project(tmp_path / "p2", (
        "old 2024-01-01T00:00:00Z A <a@b.c>\n"
        "new [!old] 2024-01-02T00:00:00Z A <a@b.c>\n"
    ), {"old": table_scripts("old"), "new": table_scripts("new")})
    with pytest.raises(SqitchError, match="conflicts with previously deployed change.*old"):
        engine(empty_db, root2).deploy()


def test_bad_input_errors(project: Path, empty_db: str, tmp_path: Path) -> None:
    eng = engine(empty_db, project)
    with pytest.raises(SqitchError, match='^unknown change: "nope"$'):
        eng.deploy(to="nope")
    with pytest.raises(SqitchError, match="no registry found"):
        eng.revert(to="t_one")
    eng.deploy(to="@v1")
    with pytest.raises(SqitchError, match='^unknown change: "nope"$'):
        eng.revert(to="nope")
    with pytest.raises(SqitchError, match='^change not deployed: "t_four"$'):
        eng.revert(to="t_four")

    # Missing deploy script: nothing runs, nothing is recorded for it.
    (project / "db" / "t_three.sql").unlink()
    with pytest.raises(SqitchError, match=r"^deploy script .*db/t_three\.sql for change \"t_three\" does not exist$"):
        eng.deploy()
    assert registry(empty_db, "SELECT count(*) FROM sqitch.changes") == [(2,)]
    # Missing verify script -> verify fails with a one-liner.
    (project / "db" / "verify" / "t_two.sql").unlink()
    with pytest.raises(SqitchError, match=r"verify failed for 1 of 2 change\(s\): t_two: verify script"):
        eng.verify()
    # Missing revert script.
    (project / "db" / "revert" / "t_two.sql").unlink()
    with pytest.raises(SqitchError, match="revert script .* does not exist"):
        eng.revert()
    assert registry(empty_db, "SELECT count(*) FROM sqitch.changes") == [(2,)]


def test_plan_registry_mismatch(project: Path, empty_db: str, tmp_path: Path) -> None:
    engine(empty_db, project).deploy()
    other = make_project(tmp_path / "other", "t_one 2024-02-01T00:00:00Z A <a@b.c>\n",
                         {"t_one": table_scripts("t_one")})
    eng = engine(empty_db, other)
    with pytest.raises(SqitchError, match=r"^deployed change t_four \([0-9a-f]{40}\) is not in .*sqitch\.plan"):
        eng.deploy()
    with pytest.raises(SqitchError, match="is not in"):
        eng.status()


def test_unreachable_server(project: Path) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    url = f"postgresql://postgres@127.0.0.1:{port}/nowhere"
    for call in (lambda e: e.deploy(), lambda e: e.status(), lambda e: e.verify(), lambda e: e.log(),
                 lambda e: e.revert()):
        with pytest.raises(SqitchError) as info:
            call(engine(url, project))
        assert str(info.value).startswith(f"cannot connect to db:pg://postgres@127.0.0.1:{port}/nowhere:")
        assert "\n" not in str(info.value)


# -- concurrency -------------------------------------------------------------------------------


def test_concurrent_deployers_do_not_interleave(tmp_path: Path, empty_db: str) -> None:
    names = [f"slow_{i}" for i in range(4)]
    body = "".join(f"{n} 2024-01-0{i + 1}T00:00:00Z A <a@b.c>\n" for i, n in enumerate(names))
    root = make_project(tmp_path, body, {
        n: (f"CREATE TABLE {n} (id int); SELECT pg_sleep(0.3);\n", f"DROP TABLE {n};\n", "SELECT 1;\n")
        for n in names
    })
    logs: list[list[str]] = [[], []]
    results: list[object] = [None, None]
    start = threading.Barrier(2)

    def run(i: int) -> None:
        eng = engine(empty_db, root, logs[i])
        start.wait()
        try:
            results[i] = eng.deploy()
        except Exception as exc:  # pragma: no cover - reported by the assertions below
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert all(isinstance(r, list) for r in results), results
    deployed = sorted((results[0], results[1]), key=len)
    assert deployed[0] == [] and [c.name for c in deployed[1]] == names
    assert any("Blocked by another instance" in line for log in logs for line in log)
    assert registry(empty_db, "SELECT change FROM sqitch.changes ORDER BY committed_at") == [(n,) for n in names]
    assert registry(empty_db, "SELECT event, change FROM sqitch.events ORDER BY committed_at") == [
        ("deploy", n) for n in names]
    # The lock is released afterwards.
    with psycopg.connect(empty_db) as conn:
        assert conn.execute("SELECT pg_try_advisory_lock(%s)", [LOCK_KEY]).fetchone()[0]


def test_lock_timeout(project: Path, empty_db: str) -> None:
    with psycopg.connect(empty_db, autocommit=True) as holder:
        holder.execute("SELECT pg_advisory_lock(%s)", [LOCK_KEY])
        eng = engine(empty_db, project)
        eng.lock_timeout = 0.3
        with pytest.raises(SqitchError, match="timed out waiting 0.3 seconds"):
            eng.deploy()
    assert tables(empty_db) == set()


# -- CLI ---------------------------------------------------------------------------------------


@pytest.fixture
def cli(monkeypatch: pytest.MonkeyPatch, project: Path, empty_db: str) -> tuple[click.Group, CliRunner]:
    monkeypatch.setenv("DATABASE_URL", empty_db)
    monkeypatch.setenv("MERCATO_ROOT", str(project))
    monkeypatch.setenv("SQITCH_FULLNAME", "Cli Tester")
    monkeypatch.setenv("SQITCH_EMAIL", "cli@example.com")

    @click.group()
    def db() -> None:
        """Throw-away stand-in for ``mercato db``."""

    register(db)
    return db, CliRunner()


def test_cli_commands(cli: tuple[click.Group, CliRunner], empty_db: str) -> None:
    db, runner = cli
    res = runner.invoke(db, ["status", "--json"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["pending"] == ["t_one", "t_two @v1", "t_three", "t_four"]

    res = runner.invoke(db, ["deploy", "--to", "@v1"])
    assert res.exit_code == 0, res.output
    assert "  + t_one ...... ok" in res.stdout and "  + t_two @v1 .. ok" in res.stdout

    res = runner.invoke(db, ["status"])
    assert res.exit_code == 0 and "# Name:     t_two" in res.stdout and "  * t_three" in res.stdout
    res = runner.invoke(db, ["deploy"])
    assert res.exit_code == 0
    res = runner.invoke(db, ["status"])
    assert "Nothing to deploy (up-to-date)" in res.stdout
    res = runner.invoke(db, ["verify"])
    assert res.exit_code == 0 and "Verify successful" in res.stdout

    res = runner.invoke(db, ["log", "--json"])
    events = json.loads(res.stdout)
    assert [e["change"] for e in events] == ["t_four", "t_three", "t_two", "t_one"]
    assert events[0]["committer_name"] == "Cli Tester"
    res = runner.invoke(db, ["log"])
    assert res.stdout.startswith("Deploy ") and "Name:      t_two @v1" in res.stdout

    # Without -y, revert asks; "n" reverts nothing and exits 1.
    res = runner.invoke(db, ["revert", "--to", "t_one"], input="n\n")
    assert res.exit_code == 1 and res.stderr == "error: Nothing reverted\n"
    assert "Revert changes to t_one from db:pg://" in res.stdout
    res = runner.invoke(db, ["revert", "--to", "t_one"], input="y\n")
    assert res.exit_code == 0 and "  - t_four" in res.stdout
    res = runner.invoke(db, ["revert", "-y"])
    assert res.exit_code == 0 and "  - t_one" in res.stdout
    assert tables(empty_db) == set()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["deploy", "--to", "nope"], 'error: unknown change: "nope"'),
        (["revert", "-y"], "error: no registry found in db:pg://"),
        (["verify"], "error: no registry found"),
        (["log"], "error: no registry found"),
    ],
)
def test_cli_errors_are_one_line(cli: tuple[click.Group, CliRunner], args: list[str], message: str) -> None:
    db, runner = cli
    res = runner.invoke(db, args)
    assert res.exit_code == 1
    assert res.stderr.startswith(message) and res.stderr.count("\n") == 1
    assert "Traceback" not in res.output


def test_cli_malformed_plan_and_unreachable_server(cli: tuple[click.Group, CliRunner], project: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    db, runner = cli
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    monkeypatch.setenv("DATABASE_URL", f"postgresql://postgres@127.0.0.1:{port}/x")
    res = runner.invoke(db, ["status"])
    assert res.exit_code == 1 and res.stderr.startswith("error: cannot connect to")
    assert res.stderr.count("\n") == 1

    with (project / "sqitch.plan").open("a") as fh:
        fh.write("broken line without timestamp\n")
    res = runner.invoke(db, ["deploy"])
    assert res.exit_code == 1 and res.stderr.count("\n") == 1
    assert "sqitch.plan at line 10:" in res.stderr


# -- scripts wrapped in BEGIN; ... COMMIT; (the Sqitch convention Mercato's db/ scripts follow) ------


def test_unwrap_transaction() -> None:
    from mercato.sqitch import unwrap_transaction

    body = "CREATE FUNCTION f() RETURNS int LANGUAGE plpgsql AS $$BEGIN RETURN 1; END$$;"
    assert unwrap_transaction(f"-- Deploy f\n\nBEGIN;\n{body}\n\nCOMMIT;\n").strip() == f"-- Deploy f\n\n\n{body}"
    assert unwrap_transaction("BEGIN;\nSELECT 1;\nROLLBACK;\n").strip() == "SELECT 1;"
    for unchanged in ("CREATE TABLE a ();", "BEGIN;\nSELECT 1;\nCOMMIT;\nSELECT 2;\n", "SELECT 1;\nCOMMIT;\n"):
        assert unwrap_transaction(unchanged) == unchanged


def test_wrapped_failing_change_is_atomic_with_registry(tmp_path: Path, empty_db: str) -> None:
    root = make_project(tmp_path, (
        "good 2024-01-01T00:00:00Z A <a@b.c>\n"
        "bad [good] 2024-01-02T00:00:00Z A <a@b.c>\n"
    ), {
        "good": ("-- Deploy good\nBEGIN;\nCREATE TABLE good (id int);\nCOMMIT;\n",
                 "BEGIN;\nDROP TABLE good;\nCOMMIT;\n", "BEGIN;\nSELECT id FROM good WHERE false;\nROLLBACK;\n"),
        "bad": ("BEGIN;\nCREATE TABLE half_done (id int);\nSELECT 1/0;\nCOMMIT;\n",
                "BEGIN;\nDROP TABLE half_done;\nCOMMIT;\n", "BEGIN;\nSELECT 1;\nROLLBACK;\n"),
    })
    eng = engine(empty_db, root)
    with pytest.raises(SqitchError):
        eng.deploy()
    assert tables(empty_db) == {"good"}
    assert registry(empty_db, "SELECT change FROM sqitch.changes") == [("good",)]
    assert [r.ok for r in eng.verify()] == [True]
    eng.revert(confirm=lambda _q: True)
    assert tables(empty_db) == set()
    assert registry(empty_db, "SELECT count(*) FROM sqitch.changes") == [(0,)]


def test_deploy_refuses_a_server_older_than_postgresql_15(empty_db: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Checked before anything is written: nothing is deployed and no registry is created."""
    import mercato.sqitch as sqitch_module

    monkeypatch.setattr(sqitch_module, "MIN_SERVER_VERSION", 990000)
    eng = Engine.from_project(empty_db)
    with pytest.raises(SqitchError, match=r"PostgreSQL 99 or later is required; this server is 15\."):
        eng.deploy()
    with psycopg.connect(empty_db) as conn:
        assert conn.execute("SELECT to_regnamespace('sqitch') IS NULL AND to_regnamespace('core') IS NULL").fetchone()[0]
