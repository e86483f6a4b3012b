"""The embedded PostgreSQL cluster used when no ``DATABASE_URL`` is given.

It lives in ``<project>/.mercato/`` (git-ignored): ``pgdata/`` for the cluster, ``run/`` for the
Unix socket and ``postgres.log``. initdb and pg_ctl refuse to run as root, so when Mercato runs as
root the directory is handed to an unprivileged OS user (``MERCATO_PG_USER``, default ``postgres``)
and every server command runs through ``runuser``. The server listens on loopback only.

Where pg_cron's library is installed (Debian ``postgresql-15-cron``), the cluster loads it
(``shared_preload_libraries``, ``cron.database_name = 'mercato'``), also a cluster created before: ``up`` adds the
settings to its ``postgresql.conf`` and restarts a server that runs without them. ``mercato jobs schedule`` then
registers the jobs with pg_cron; nothing else needs it.
"""

from __future__ import annotations

import os
import pwd
import re
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

DEFAULT_PORT = 54329
DB_NAME = "mercato"


class ClusterError(RuntimeError):
    """The embedded cluster could not be created, started or stopped."""


#: The pg_cron library and what the cluster sets to load it (see :meth:`Cluster.ensure_cron_conf`).
CRON_LIBRARY = "pg_cron"


def _pg_bindir() -> Path:
    env = os.environ.get("PG_BINDIR")
    if env:
        return Path(env)
    pg_config = shutil.which("pg_config")
    if pg_config:
        out = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True, check=False)
        bindir = Path(out.stdout.strip())
        if (bindir / "initdb").exists():
            return bindir
    for version in ("17", "16", "15"):
        bindir = Path(f"/usr/lib/postgresql/{version}/bin")
        if (bindir / "initdb").exists():
            return bindir
    raise ClusterError("PostgreSQL server binaries not found (install postgresql-15 or set PG_BINDIR)")


def cron_library_present() -> bool:
    """pg_cron's shared library is installed for this server version (Debian: postgresql-15-cron)."""
    try:
        libdir = _pg_bindir().parent / "lib"
    except ClusterError:
        return False
    return (libdir / f"{CRON_LIBRARY}.so").exists()


def _conf_settings(*paths: Path) -> dict[str, str]:
    """The settings the given configuration files set (``name = value``, later lines win), values unquoted."""
    found: dict[str, str] = {}
    for path in paths:
        if not path.exists():
            continue
        for line in path.read_text().splitlines():
            m = re.match(r"^\s*([A-Za-z_][\w.]*)\s*=?\s*('(?:[^']|'')*'|[^\s#]+)", line)
            if m:
                value = m.group(2)
                found[m.group(1).lower()] = value[1:-1].replace("''", "'") if value.startswith("'") else value
    return found


@dataclass
class Cluster:
    """A local PostgreSQL cluster owned by this project checkout."""

    home: Path
    port: int

    @classmethod
    def default(cls) -> "Cluster":
        from mercato.config import project_root

        home = Path(os.environ.get("MERCATO_HOME") or project_root() / ".mercato")
        return cls(home=home, port=_choose_port(home))

    # -- paths -------------------------------------------------------------------------------
    @property
    def pgdata(self) -> Path:
        return self.home / "pgdata"

    @property
    def rundir(self) -> Path:
        return self.home / "run"

    @property
    def logfile(self) -> Path:
        return self.home / "postgres.log"

    # -- who runs the server -------------------------------------------------------------------
    @property
    def os_user(self) -> str | None:
        """The unprivileged user that runs the server when we are root (else None: ourselves)."""
        if os.geteuid() != 0:
            return None
        return os.environ.get("MERCATO_PG_USER", "postgres")

    @property
    def db_superuser(self) -> str:
        """The database superuser created by initdb (named after the OS user that ran it)."""
        return self.os_user or pwd.getpwuid(os.geteuid()).pw_name

    def _run(self, args: list[str], *, check: bool = True) -> subprocess.CompletedProcess:
        cmd = [str(_pg_bindir() / args[0]), *args[1:]]
        if self.os_user:
            cmd = ["runuser", "-u", self.os_user, "--", *cmd]
        proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
        if check and proc.returncode != 0:
            msg = (proc.stderr or proc.stdout).strip().splitlines()
            raise ClusterError(f"{args[0]} failed: {msg[-1] if msg else proc.returncode}")
        return proc

    def _chown(self, path: Path) -> None:
        if self.os_user:
            entry = pwd.getpwnam(self.os_user)
            os.chown(path, entry.pw_uid, entry.pw_gid)

    # -- lifecycle ---------------------------------------------------------------------------------
    def initialized(self) -> bool:
        return (self.pgdata / "PG_VERSION").exists()

    def running(self) -> bool:
        if not self.initialized():
            return False
        return self._run(["pg_ctl", "status", "-D", str(self.pgdata)], check=False).returncode == 0

    def init(self) -> None:
        """Create the cluster (UTF8, UTC, data checksums, trust auth on loopback and the private socket only)."""
        for path in (self.home, self.rundir):
            path.mkdir(parents=True, exist_ok=True)
            self._chown(path)
        if self.os_user:
            # the unprivileged user must be able to reach the project directory
            for parent in self.home.parents:
                mode = parent.stat().st_mode
                if not mode & 0o001:
                    os.chmod(parent, mode | 0o001)
                if parent == Path("/"):
                    break
        # --data-checksums: a torn or corrupted page is reported on read instead of being served (docs/operations.md).
        self._run([
            "initdb", "-D", str(self.pgdata), "--encoding=UTF8", "--locale=C.UTF-8", "--data-checksums",
            "--auth=trust", f"--username={self.db_superuser}",
        ])
        (self.home / "port").write_text(f"{self.port}\n")
        conf = self.pgdata / "postgresql.conf"
        with conf.open("a") as fh:
            fh.write(
                "\n# --- mercato embedded cluster ---\n"
                "listen_addresses = '127.0.0.1'\n"
                f"port = {self.port}\n"
                f"unix_socket_directories = '{self.rundir}'\n"
                "timezone = 'UTC'\n"
                "log_timezone = 'UTC'\n"
                "max_connections = 200\n"
                "shared_buffers = 512MB\n"
                "max_wal_size = 4GB\n"
                "checkpoint_timeout = 15min\n"
                "# time WAL writes and flushes (pg_stat_wal), which mercato bench reports per call\n"
                "track_wal_io_timing = on\n"
                "# a lock wait longer than deadlock_timeout (1 s) is logged with who holds the lock\n"
                "log_lock_waits = on\n"
            )

    def ensure_cron_conf(self) -> bool:
        """Load pg_cron when its library is installed: add ``shared_preload_libraries`` (keeping libraries already
        listed), ``cron.database_name`` (the ``mercato`` database: pg_cron keeps its extension and job table in one
        database per cluster) and ``cron.host`` (pg_cron connects over loopback, which the cluster trusts) to
        ``postgresql.conf`` where missing. Returns True when the file changed. Without the library, nothing."""
        if not cron_library_present():
            return False
        conf = self.pgdata / "postgresql.conf"
        settings = _conf_settings(conf, self.pgdata / "postgresql.auto.conf")
        libraries = [lib.strip() for lib in settings.get("shared_preload_libraries", "").split(",") if lib.strip()]
        wanted = {}
        if CRON_LIBRARY not in libraries:
            wanted["shared_preload_libraries"] = ",".join([*libraries, CRON_LIBRARY])
        if "cron.database_name" not in settings:
            wanted["cron.database_name"] = DB_NAME
        if "cron.host" not in settings:
            wanted["cron.host"] = "127.0.0.1"
        if not wanted:
            return False
        with conf.open("a") as fh:
            fh.write("\n# --- pg_cron, for mercato jobs schedule (added by mercato db up) ---\n")
            fh.writelines(f"{name} = '{value}'\n" for name, value in wanted.items())
        return True

    def _preload_outdated(self) -> bool:
        """The running server was started before postgresql.conf last changed and does not load pg_cron."""
        pid = self.pgdata / "postmaster.pid"
        conf = self.pgdata / "postgresql.conf"
        if not cron_library_present() or not pid.exists() or conf.stat().st_mtime <= pid.stat().st_mtime:
            return False
        import psycopg

        try:
            with psycopg.connect(self.url("postgres"), autocommit=True, connect_timeout=10) as conn:
                loaded = conn.execute("SELECT setting FROM pg_settings "
                                      "WHERE name = 'shared_preload_libraries'").fetchone()
        except psycopg.OperationalError:
            return False
        return CRON_LIBRARY not in [lib.strip() for lib in (loaded[0] if loaded else "").split(",")]

    def up(self) -> None:
        """Create if needed, start if stopped (restart if it runs without pg_cron, which is installed), and make sure
        the ``mercato`` database exists."""
        if not self.initialized():
            self.init()
        self.ensure_cron_conf()
        if not self.running():
            if _port_in_use(self.port):
                raise ClusterError(
                    f"port {self.port} on 127.0.0.1 is taken by another server; set MERCATO_PORT"
                )
            self._run([
                "pg_ctl", "start", "-w", "-t", "60", "-D", str(self.pgdata), "-l", str(self.logfile),
            ])
        elif self._preload_outdated():
            self._run([
                "pg_ctl", "restart", "-w", "-t", "60", "-m", "fast", "-D", str(self.pgdata), "-l", str(self.logfile),
            ])
        self._ensure_database()

    def down(self) -> None:
        if self.running():
            self._run(["pg_ctl", "stop", "-w", "-m", "fast", "-D", str(self.pgdata)])

    def crash(self) -> None:
        """Kill the server the hard way (``pg_ctl stop -m immediate``: no checkpoint, like a power cut for the
        database; recovery replays the WAL at the next start). For crash-restart testing."""
        self._run(["pg_ctl", "stop", "-w", "-m", "immediate", "-D", str(self.pgdata)])

    def _ensure_database(self) -> None:
        import psycopg

        deadline = time.monotonic() + 30
        while True:
            try:
                with psycopg.connect(self.url("postgres"), autocommit=True) as conn:
                    if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (DB_NAME,)).fetchone():
                        conn.execute(f'CREATE DATABASE "{DB_NAME}"')
                return
            except psycopg.OperationalError as exc:
                if time.monotonic() > deadline:
                    raise ClusterError(f"embedded server does not answer: {exc}") from exc
                time.sleep(0.2)

    def url(self, dbname: str = DB_NAME) -> str:
        return f"postgresql://{self.db_superuser}@127.0.0.1:{self.port}/{dbname}"


def _choose_port(home: Path) -> int:
    """MERCATO_PORT if set; else the port this cluster was created with (``.mercato/port``);
    else the first free loopback port from 54329 up (remembered at init)."""
    if os.environ.get("MERCATO_PORT"):
        return int(os.environ["MERCATO_PORT"])
    remembered = home / "port"
    if remembered.exists():
        return int(remembered.read_text().strip())
    for port in range(DEFAULT_PORT, DEFAULT_PORT + 100):
        if not _port_in_use(port):
            return port
    raise ClusterError("no free port between 54329 and 54428 on 127.0.0.1; set MERCATO_PORT")


def _port_in_use(port: int) -> bool:
    """Something listens there, or the port cannot be bound the way PostgreSQL binds it (SO_REUSEADDR): ports
    from 54329 up lie in Linux's ephemeral range, so an outgoing connection may hold one without listening."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.5)
        if sock.connect_ex(("127.0.0.1", port)) == 0:
            return True
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return True
    return False
