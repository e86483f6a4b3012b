"""The embedded cluster is created with data checksums and logs lock waits (docs/operations.md, "The embedded cluster")."""

from __future__ import annotations

import socket
from pathlib import Path

import psycopg

from mercato.cluster import Cluster


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_a_new_embedded_cluster_has_data_checksums_and_logs_lock_waits(tmp_path: Path) -> None:
    cluster = Cluster(home=tmp_path / "cluster", port=_free_port())
    cluster.up()
    try:
        with psycopg.connect(cluster.url("postgres")) as conn:
            settings = dict(conn.execute(
                "SELECT lower(name), setting FROM pg_settings WHERE lower(name) IN ('data_checksums', 'log_lock_waits', 'timezone',"
                " 'listen_addresses')").fetchall())
        assert settings == {"data_checksums": "on", "log_lock_waits": "on", "timezone": "UTC",
                            "listen_addresses": "127.0.0.1"}
    finally:
        cluster.down()
