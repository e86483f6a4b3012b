"""A throwaway pgbouncer in front of a PostgreSQL server, for tests and CI.

Mercato promises that its library and CLI leave no session state on a server connection, so they work behind
pgbouncer in ``pool_mode = transaction``, where consecutive transactions of one client may run on different backends
and one backend serves many clients (py/tests/test_pgbouncer_session_state.py proves it with this helper).

:func:`running` starts a real pgbouncer (the Debian ``pgbouncer`` package) on a free loopback port with a config in a
temporary directory, ``auth_type = trust`` for the server's user (loopback tests only: never expose it) and a small
pool, so clients really share backends; it stops it afterwards. pgbouncer refuses to run as root, so when we are root
it runs as the embedded cluster's OS user (``MERCATO_PG_USER``, default ``postgres``) through ``runuser``, like
:mod:`mercato.cluster`.
"""

from __future__ import annotations

import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg
from psycopg.conninfo import conninfo_to_dict, make_conninfo
from psycopg.rows import dict_row


class PgBouncerError(RuntimeError):
    """pgbouncer is not installed, or could not be started."""


@dataclass
class PgBouncer:
    """A running pgbouncer: connect clients with :meth:`url`, read its state with :meth:`show`."""

    port: int
    user: str
    workdir: Path
    pool_mode: str
    pool_size: int
    process: subprocess.Popen = field(repr=False)

    def url(self, dbname: str) -> str:
        """Conninfo of ``dbname`` through the pooler (as the server URL's user)."""
        return make_conninfo(host="127.0.0.1", port=self.port, user=self.user, dbname=dbname)

    def admin_url(self) -> str:
        return self.url("pgbouncer")

    def show(self, what: str) -> list[dict[str, Any]]:
        """``SHOW <what>`` on the admin console (CLIENTS, SERVERS, POOLS, ...) as dicts."""
        if not what.replace("_", "").isalpha():
            raise ValueError(f"not a SHOW command: {what!r}")
        with psycopg.connect(self.admin_url(), autocommit=True, prepare_threshold=None) as conn:
            with conn.cursor(row_factory=dict_row) as cur:
                cur.execute(f"SHOW {what}")
                return cur.fetchall()

    @property
    def logfile(self) -> Path:
        return self.workdir / "pgbouncer.log"

    def stop(self) -> None:
        """Stop this pgbouncer (SIGTERM: immediate shutdown) and remove its directory."""
        pidfile = self.workdir / "pgbouncer.pid"
        if self.process.poll() is None:
            try:
                os.kill(int(pidfile.read_text().strip()), signal.SIGTERM)
            except (OSError, ValueError):
                self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        shutil.rmtree(self.workdir, ignore_errors=True)


def available() -> bool:
    """Whether the pgbouncer binary is installed."""
    return _binary() is not None


def _binary() -> str | None:
    return shutil.which("pgbouncer") or next((p for p in ("/usr/sbin/pgbouncer", "/usr/bin/pgbouncer")
                                              if os.access(p, os.X_OK)), None)


def _os_user() -> str | None:
    """The unprivileged user pgbouncer runs as when we are root (else None: ourselves)."""
    if os.geteuid() != 0:
        return None
    return os.environ.get("MERCATO_PG_USER", "postgres")


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start(server_url: str, *, pool_size: int = 1, pool_mode: str = "transaction", timeout: float = 15,
          server_login_retry: int = 1) -> PgBouncer:
    """Start pgbouncer in front of the server of ``server_url`` (its host, port, user and password); every database
    of that server is reachable by name. ``pool_size`` server connections per database and user at most. After a
    failed login to the server (it is down or starting up: a crash-restart test) pgbouncer tries again after
    ``server_login_retry`` seconds (its default, 15, would stall such a test); clients wait for it meanwhile."""
    binary = _binary()
    if binary is None:
        raise PgBouncerError("pgbouncer is not installed (apt-get install pgbouncer)")
    info = conninfo_to_dict(server_url)
    user = info.get("user") or pwd.getpwuid(os.geteuid()).pw_name
    target = f"host={info.get('host') or '127.0.0.1'} port={info.get('port') or 5432}"
    if info.get("password"):
        target += f" user={user} password={info['password']}"
    os_user = _os_user()
    workdir = Path(tempfile.mkdtemp(prefix="mercato-pgbouncer-"))
    if os_user:
        entry = pwd.getpwnam(os_user)
        os.chown(workdir, entry.pw_uid, entry.pw_gid)
    (workdir / "userlist.txt").write_text(f'"{user}" ""\n')
    os.chmod(workdir / "userlist.txt", 0o644)
    last_error = "did not start"
    for _attempt in range(3):  # a free port can be taken between choosing it and pgbouncer binding it
        port = _free_port()
        (workdir / "pgbouncer.ini").write_text(
            "[databases]\n"
            f"* = {target}\n"
            "\n[pgbouncer]\n"
            "listen_addr = 127.0.0.1\n"
            f"listen_port = {port}\n"
            "unix_socket_dir =\n"
            "auth_type = trust\n"
            f"auth_file = {workdir / 'userlist.txt'}\n"
            f"admin_users = {user}\n"
            f"pool_mode = {pool_mode}\n"
            f"default_pool_size = {pool_size}\n"
            "min_pool_size = 0\n"
            "reserve_pool_size = 0\n"
            f"server_login_retry = {server_login_retry}\n"
            "max_client_conn = 500\n"
            "ignore_startup_parameters = extra_float_digits\n"
            f"logfile = {workdir / 'pgbouncer.log'}\n"
            f"pidfile = {workdir / 'pgbouncer.pid'}\n"
        )
        os.chmod(workdir / "pgbouncer.ini", 0o644)
        cmd = [binary, str(workdir / "pgbouncer.ini")]
        if os_user:
            cmd = ["runuser", "-u", os_user, "--", *cmd]
        process = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL)
        bouncer = PgBouncer(port=port, user=user, workdir=workdir, pool_mode=pool_mode, pool_size=pool_size,
                            process=process)
        deadline = time.monotonic() + timeout
        while process.poll() is None and time.monotonic() < deadline:
            try:
                with psycopg.connect(bouncer.admin_url(), autocommit=True, connect_timeout=2, prepare_threshold=None):
                    return bouncer
            except psycopg.OperationalError as exc:
                last_error = str(exc).strip()
                time.sleep(0.05)
        log = bouncer.logfile.read_text(errors="replace") if bouncer.logfile.exists() else ""
        last_error = (log.strip().splitlines() or [last_error])[-1]
        if process.poll() is None:
            process.terminate()
            process.wait(timeout=10)
    shutil.rmtree(workdir, ignore_errors=True)
    raise PgBouncerError(f"pgbouncer failed to start: {last_error}")


@contextmanager
def running(server_url: str, **options: Any) -> Iterator[PgBouncer]:
    """A pgbouncer for the duration of the ``with`` block (see :func:`start`)."""
    bouncer = start(server_url, **options)
    try:
        yield bouncer
    finally:
        bouncer.stop()
