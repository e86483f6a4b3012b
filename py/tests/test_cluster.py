"""The embedded cluster is created with data checksums and logs lock waits (docs/operations.md, "The embedded cluster")."""

from __future__ import annotations

from collections.abc import Callable

import psycopg

from mercato.cluster import Cluster


def test_a_new_embedded_cluster_has_data_checksums_and_logs_lock_waits(new_cluster: Callable[[str], Cluster]) -> None:
    cluster = new_cluster("cluster")
    cluster.up()
    with psycopg.connect(cluster.url("postgres")) as conn:
        settings = dict(conn.execute(
            "SELECT lower(name), setting FROM pg_settings WHERE lower(name) IN ('data_checksums', 'log_lock_waits',"
            " 'timezone', 'listen_addresses')").fetchall())
    assert settings == {"data_checksums": "on", "log_lock_waits": "on", "timezone": "UTC",
                        "listen_addresses": "127.0.0.1"}
