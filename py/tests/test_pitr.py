"""Point-in-time recovery, tested (docs/operations.md, "Backups and point-in-time recovery").

A throwaway cluster archives its WAL (``archive_mode = on``, ``archive_command`` copying each segment). The test
deploys Mercato, takes a base backup with ``pg_basebackup``, posts transfers, notes the time, posts more, and restores
the base backup in a new cluster to that time (``restore_command``, ``recovery_target_time``). The restored ledger holds
exactly the transfers made before the noted time, and ``ledger.check()`` passes on it.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable

import psycopg

from mercato.cluster import Cluster
from mercato.sqitch import Engine


def _transfer(url: str, reference: str, debit: int, credit: int) -> None:
    with psycopg.connect(url) as conn:
        conn.execute("SELECT ledger.transfer(%s, %s, %s, 10)", (reference, debit, credit))


def test_a_base_backup_and_the_wal_archive_restore_the_ledger_to_a_point_in_time(
        new_cluster: Callable[[str], Cluster]) -> None:
    source = new_cluster("source")
    source.init()
    archive = source.home.parent / "archive"   # beside the clusters: the postgres OS user writes and reads it
    archive.mkdir()
    source._chown(archive)
    with (source.pgdata / "postgresql.conf").open("a") as fh:
        fh.write("wal_level = replica\narchive_mode = on\n"
                 f"archive_command = 'test ! -f {archive}/%f && cp %p {archive}/%f'\n")
    source.up()
    restored = new_cluster("restored")
    url = source.url()
    engine = Engine.from_project(url)
    try:
        engine.deploy()
    finally:
        engine.close()
    with psycopg.connect(url) as conn:
        bank = conn.execute("SELECT ledger.open_account('PLATFORM', 'bank', 'CLEARING', 'ETB', true)").fetchone()[0]
        wallet = conn.execute("SELECT ledger.open_account('BUSINESS', '1', 'MAIN', 'ETB')").fetchone()[0]

    backup = source.home.parent / "backup"
    backup.mkdir(mode=0o700)
    source._chown(backup)
    source._run(["pg_basebackup", "-h", "127.0.0.1", "-p", str(source.port), "-U", source.db_superuser,
                 "-D", str(backup), "-X", "none", "-c", "fast"])

    before = [f"pitr-before-{n}" for n in range(3)]
    for ref in before:
        _transfer(url, ref, bank, wallet)
    with psycopg.connect(url) as conn:
        target = conn.execute("SELECT clock_timestamp()").fetchone()[0]
    time.sleep(1.1)   # recovery_target_time is compared with commit timestamps
    for n in range(2):
        _transfer(url, f"pitr-after-{n}", bank, wallet)
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("SELECT pg_switch_wal()")
        segment = conn.execute("SELECT pg_walfile_name(pg_current_wal_lsn())").fetchone()[0]
    deadline = time.monotonic() + 30
    while not any(p.name >= segment for p in archive.iterdir() if len(p.name) == 24):
        assert time.monotonic() < deadline, "the WAL after the noted time was not archived"
        time.sleep(0.2)

    # the new cluster: the base backup, owned by the server's OS user
    shutil.copytree(backup, restored.pgdata)
    (restored.home / "run").mkdir()
    for path in (restored.home, *restored.home.rglob("*")):
        restored._chown(path)
    restored.pgdata.chmod(0o700)
    with (restored.pgdata / "postgresql.conf").open("a") as fh:
        fh.write(f"\nport = {restored.port}\nunix_socket_directories = '{restored.rundir}'\narchive_mode = off\n"
                 f"restore_command = 'cp {archive}/%f %p'\nrecovery_target_time = '{target.isoformat()}'\n"
                 "recovery_target_action = 'promote'\n")
    (restored.pgdata / "recovery.signal").touch()
    restored._chown(restored.pgdata / "recovery.signal")
    restored.up()
    with psycopg.connect(restored.url()) as conn:
        deadline = time.monotonic() + 30
        while conn.execute("SELECT pg_is_in_recovery()").fetchone()[0]:
            assert time.monotonic() < deadline, "recovery did not finish"
            time.sleep(0.2)
        refs = [r[0] for r in conn.execute(
            "SELECT reference FROM ledger.transaction WHERE reference LIKE 'pitr-%' ORDER BY id")]
        failing = conn.execute("SELECT check_name FROM ledger.check() WHERE NOT ok").fetchall()
        balance = conn.execute("SELECT balance FROM ledger.account_balance(%s)", (wallet,)).fetchone()[0]
    assert refs == before, "exactly the transfers committed before the target time"
    assert failing == [] and balance == 30
