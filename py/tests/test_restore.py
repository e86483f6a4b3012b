"""A dump restores on a fresh cluster: roles first (`mercato db roles`, db/roles.sql), then pg_restore, then the
ledger's integrity check and the demo pass on the restored database (docs/operations.md, "Backup and restore").

A dump holds no roles (they belong to the cluster), so on a cluster without Mercato's roles pg_restore reports errors
for every grant and policy that names them; the test shows that too.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import psycopg
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from mercato.cluster import Cluster
from mercato.config import project_root
from mercato.sqitch import Engine

MERCATO = Path(sys.executable).parent / "mercato"


def _cli(url: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(MERCATO), *args], capture_output=True, text=True, cwd=project_root(), timeout=300,
                          env={**os.environ, "DATABASE_URL": url})


def _pg(tool: str, url: str, *args: str) -> subprocess.CompletedProcess:
    info = conninfo_to_dict(url)
    return subprocess.run([tool, "-h", info.get("host", "127.0.0.1"), "-p", str(info.get("port", 5432)),
                           "-U", info.get("user", "postgres"), *args], capture_output=True, text=True, timeout=300)


def test_a_dump_restores_on_a_fresh_cluster_after_the_roles_bootstrap(empty_db: str, tmp_path: Path,
                                                                       new_cluster: Callable[[str], Cluster]) -> None:
    engine = Engine.from_project(empty_db)
    try:
        engine.deploy()
    finally:
        engine.close()
    demo = _cli(empty_db, "demo", "--any-database")
    assert demo.returncode == 0, demo.stderr
    dump = tmp_path / "mercato.dump"
    done = _pg("pg_dump", empty_db, "-Fc", "-f", str(dump), conninfo_to_dict(empty_db)["dbname"])
    assert done.returncode == 0, done.stderr
    with psycopg.connect(empty_db) as conn:
        entries_before = conn.execute("SELECT count(*), sum(amount) FROM ledger.entry").fetchone()

    cluster = new_cluster("fresh")
    cluster.up()
    admin = cluster.url("postgres")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute("CREATE DATABASE without_roles")
        conn.execute("CREATE DATABASE restored")
    # Without the roles, the restore reports an error for each grant and policy naming them.
    failed = _pg("pg_restore", admin, "-d", "without_roles", str(dump))
    assert failed.returncode != 0 and 'role "mercato_' in failed.stderr

    restored = make_conninfo(admin, dbname="restored")
    first, again = _cli(restored, "db", "roles"), _cli(restored, "db", "roles")
    assert first.returncode == 0 and "mercato_authenticator: created" in first.stdout, first.stderr
    assert again.returncode == 0 and "created" not in again.stdout, "the bootstrap is idempotent"
    # the roles the failed restore above could not find existed nowhere, so that database is dropped, not reused
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute("DROP DATABASE without_roles")

    done = _pg("pg_restore", admin, "-d", "restored", "--exit-on-error", str(dump))
    assert done.returncode == 0, done.stderr
    with psycopg.connect(restored) as conn:
        assert conn.execute("SELECT count(*), sum(amount) FROM ledger.entry").fetchone() == entries_before
    check = _cli(restored, "ledger", "check")
    assert check.returncode == 0, check.stdout + check.stderr
    status = _cli(restored, "db", "status")
    assert status.returncode == 0 and "up-to-date" in (status.stdout + status.stderr).lower(), status.stdout
    demo = _cli(restored, "demo", "--any-database")
    assert demo.returncode == 0 and demo.stdout.rstrip().endswith("demo finished"), demo.stderr
