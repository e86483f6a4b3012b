"""Shared fixtures.

The database server comes from pytest-postgresql's ``postgresql_noproc`` factory pointed at the
embedded cluster (or at ``DATABASE_URL``'s server). pytest-postgresql's own process fixture calls
pg_ctl directly and fails as root, so the cluster is started by :mod:`mercato.cluster` instead
(``runuser`` to an unprivileged user) before the fixtures connect.
"""

from __future__ import annotations

import os
import socket
import shutil
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import psycopg
import pytest
from psycopg.conninfo import conninfo_to_dict, make_conninfo
from pytest_postgresql import factories

from mercato.cluster import Cluster
from mercato.config import database_url, project_root

#: The SQL helpers every pgTAP file may use (tests.as_user, …): installed with pgTAP, test databases only.
TEST_HELPERS = project_root() / "db" / "test_helpers.sql"


def _server() -> dict:
    info = conninfo_to_dict(database_url(start=True))
    return {
        "host": info.get("host", "127.0.0.1"),
        "port": int(info.get("port", 5432)),
        "user": info.get("user", "postgres"),
        "password": info.get("password"),
    }


SERVER = _server()


def deploy_loader(host, port, user, dbname, password=None, **_: object) -> None:
    """pytest-postgresql loader: deploy the whole plan into the template database."""
    from mercato.sqitch import Engine

    url = make_conninfo(host=host, port=port, user=user, dbname=dbname, password=password)
    Engine.from_project(url).deploy()
    with psycopg.connect(url, autocommit=True) as conn:
        install_test_extensions(conn)


def install_test_extensions(conn: psycopg.Connection) -> None:
    """pgTAP and plpgsql_check for the tests. They live in schema public, which Mercato's revoke-from-PUBLIC event
    trigger leaves alone; the GRANT keeps them callable by the API roles even where the deploying role has
    restrictive default privileges of its own (test databases only). Then the shared SQL test helpers
    (db/test_helpers.sql: tests.as_user, tests.as_service, tests.as_anon)."""
    conn.execute("CREATE EXTENSION IF NOT EXISTS pgtap")
    conn.execute("CREATE EXTENSION IF NOT EXISTS plpgsql_check")
    conn.execute("GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA public TO PUBLIC")
    conn.execute(TEST_HELPERS.read_text())


postgresql_noproc = factories.postgresql_noproc(
    host=SERVER["host"], port=SERVER["port"], user=SERVER["user"], password=SERVER["password"],
    dbname=f"mercato_pytest_{os.getpid()}", load=[deploy_loader],
)
#: A fresh copy of a fully deployed database for each test (cloned from a template).
postgresql = factories.postgresql("postgresql_noproc")


@pytest.fixture(scope="session")
def server_url() -> str:
    """Superuser conninfo to the maintenance database of the test server."""
    return make_conninfo(dbname="postgres", **{k: v for k, v in SERVER.items() if v is not None})


@pytest.fixture
def empty_db(server_url: str) -> Iterator[str]:
    """A brand-new empty database for this test; dropped afterwards. Yields its conninfo."""
    name = f"mercato_empty_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = make_conninfo(server_url, dbname=name)
    try:
        yield url
    finally:
        with psycopg.connect(server_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def db_url(postgresql: psycopg.Connection) -> str:
    """Conninfo (superuser) of this test's freshly deployed database."""
    info = postgresql.info
    return make_conninfo(host=info.host, port=info.port, user=info.user, dbname=info.dbname,
                         password=info.password or None)


@pytest.fixture
def project_copy(tmp_path: Path) -> Path:
    """A copy of the real project (plan, config, scripts, lint configuration) that a test may edit."""
    from mercato.config import project_root

    root = tmp_path / "project"
    shutil.copytree(project_root() / "db", root / "db")
    for name in ("sqitch.plan", "sqitch.conf", ".squawk.toml"):
        shutil.copy2(project_root() / name, root / name)
    return root


@pytest.fixture
def new_cluster() -> Iterator[Callable[[str], Cluster]]:
    """A factory of throwaway clusters (not created or started: ``.up()``, or ``.init()`` first to change the
    configuration), each under ``.mercato/test-clusters/<random>/<name>`` on a free loopback port; every one is stopped
    and removed at the end. Not under pytest's tmp_path: the server runs as the ``postgres`` OS user, and any pytest
    session started meanwhile resets /tmp/pytest-of-<user> to mode 0700, cutting that user off mid-test."""
    from mercato.config import project_root

    base = project_root() / ".mercato" / "test-clusters" / uuid.uuid4().hex[:12]
    made: list[Cluster] = []

    def make(name: str) -> Cluster:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        made.append(Cluster(home=base / name, port=port))
        return made[-1]

    yield make
    for cluster in reversed(made):
        cluster.down()
    shutil.rmtree(base, ignore_errors=True)
