"""The ledger benchmark: real load with ``pgbench`` against a real server, reported as ratios.

One invocation (:func:`run`) does everything on the server :func:`mercato.config.database_url`
points at (the embedded cluster by default):

1. creates two fresh databases: ``<prefix>`` with the whole Sqitch plan deployed, and
   ``<prefix>_tpcb`` initialised by ``pgbench -i`` (the baseline);
2. opens and funds the bench accounts through the ledger functions only (``ledger.open_account``,
   ``ledger.post_batch``; never an INSERT into a ledger table);
3. for every client count: runs pgbench's built-in TPC-B-like script on the baseline database, then
   each ledger case (``bench/<case>.sql``) with the same pgbench settings, then TPC-B again; with
   ``rounds`` > 1 the cases and a TPC-B run after them repeat, so that the runs alternate
   (TPC-B, cases, TPC-B, cases, ..., TPC-B). After every ledger case it ``VACUUM``s the ledger tables
   (bytes per transfer) and runs ``ledger.check()``;
4. evaluates the targets as ratios measured in this same invocation (never against numbers from
   another run or another machine): each round's case against the TPC-B runs just before and after it,
   and the verdict on the median over rounds (on a small shared machine one 30-second run can move by
   15 %); renders them as a table, JSON or a Markdown section.

A benchmark is not a test: nothing here asserts on speed. A case whose ``ledger.check()`` reports a
violation, or whose pgbench run aborts, fails regardless of its speed.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import re
import shlex
import shutil
import statistics
import subprocess
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict, make_conninfo

LogFn = Callable[[str], None]

RESULTS_START = "<!-- results:start -->"
RESULTS_END = "<!-- results:end -->"

#: The baseline: pgbench's built-in TPC-B-like script.
TPCB = "tpcb"


@dataclass(frozen=True)
class Case:
    """A ledger workload: one pgbench script and what one pgbench transaction of it means."""

    name: str
    script: str  # file under bench/
    transfers_per_call: int | str  # an int, or "batch" (the --batch setting)
    description: str


CASES: tuple[Case, ...] = (
    Case("transfer_random", "transfer_random.sql", 1,
         "one ledger.transfer per call between two random accounts"),
    Case("transfer_hot", "transfer_hot.sql", 1,
         "one ledger.transfer per call, every one crediting the hot COMMISSION account (p_slots=64 by default, --slots)"),
    Case("post_batch", "post_batch.sql", "batch",
         "one ledger.post_batch per call of <batch> transfers between random accounts"),
    Case("hold_capture", "hold_capture.sql", 1,
         "ledger.create_hold + ledger.capture_hold to provider and commission (two statements per call)"),
)
CASE_NAMES = tuple(c.name for c in CASES)


@dataclass(frozen=True)
class Target:
    """``case`` must reach ``factor`` times ``basis`` (TPC-B tps or another case) at the same client count."""

    case: str
    basis: str  # TPCB or a case name
    factor: float
    label: str


TARGETS: tuple[Target, ...] = (
    Target("transfer_random", TPCB, 1.2, "≥ 1.2 × TPC-B"),
    Target("transfer_hot", "transfer_random", 0.8, "≥ 0.8 × transfer_random"),
    Target("post_batch", TPCB, 4.0, "≥ 4 × TPC-B (in transfers)"),
    Target("hold_capture", TPCB, 0.6, "≥ 0.6 × TPC-B (pairs)"),
)
#: "No drop from the lowest to the highest client count" for the hot account, with a noise allowance.
HOT_SCALING_FACTOR = 0.95


@dataclass
class Settings:
    url: str
    seconds: int = 30
    clients: tuple[int, ...] = (8, 32)
    accounts: int = 100_000
    scale: int = 50
    batch: int = 100
    threads: int = 2
    slots: int = 64
    db_prefix: str = "mercato_bench"
    quick: bool = False
    keep: bool = True
    profile: bool = False  # track_functions=all during the ledger runs (slightly slower; diagnosis only)
    rounds: int = 1  # the cases repeat this often per client count, TPC-B between rounds; verdicts on the median
    command: str = ""


@dataclass
class PgbenchResult:
    tps: float | None
    transactions: int | None
    failed: int | None
    latency_ms: float | None
    aborted: bool
    error: str | None = None
    foreign_active: float | None = None  # mean active backends of other databases during the run
    foreign_cpu: float | None = None  # share of the machine's CPU used by processes not part of this run
    cpu_seconds: float | None = None  # CPU time of pgbench and this server's own processes during the run
    wal: WalDelta | None = None  # what the server's WAL did during the run (pg_stat_wal)


@dataclass
class WalDelta:
    """The change in the server's ``pg_stat_wal`` over one run: every process of the cluster, background writers
    included (the runs are the only activity of a bench). ``sync_ms`` needs ``track_wal_io_timing`` (None without)."""

    records: int
    fpi: int
    bytes: int
    syncs: int
    sync_ms: float | None


@dataclass
class Run:
    """One pgbench run of one case (or of the TPC-B baseline) at one client count."""

    case: str
    clients: int
    seconds: int
    tps: float | None
    transfers_per_call: int
    transactions: int | None = None
    failed: int | None = None
    latency_ms: float | None = None
    error: str | None = None
    check_ok: bool | None = None  # None for the baseline
    check_failures: list[dict[str, Any]] = field(default_factory=list)
    check_seconds: float | None = None
    transfers_posted: int | None = None
    bytes_growth: int | None = None
    functions: list[dict[str, Any]] = field(default_factory=list)  # with --profile
    load_before: str | None = None  # 1/5/15-minute load average just before the run
    foreign_active: float | None = None  # mean active other-database queries + autovacuum workers (interference)
    foreign_cpu: float | None = None  # share of all CPUs used by other processes on this machine (None: remote server)
    cpu_seconds: float | None = None  # CPU time (user + system) of pgbench and the server's own processes (local only)
    wal: WalDelta | None = None  # the server's WAL during the run: records, full-page images, bytes, flushes
    # Cases: the round (1, 2, ...). TPC-B: the round it follows (0 = before the first). Round r is measured against
    # the TPC-B runs of rounds r - 1 and r, the ones just before and after it.
    round: int = 0

    @property
    def cpu_ms_per_call(self) -> float | None:
        """CPU milliseconds one pgbench transaction cost, client and server together (None: remote server)."""
        if self.cpu_seconds is None or not self.transactions:
            return None
        return self.cpu_seconds * 1000 / self.transactions

    @property
    def wal_per_call(self) -> dict[str, float | None] | None:
        """WAL bytes, full-page images and records per pgbench transaction, pgbench transactions per WAL flush
        (fdatasync: a flush makes every commit before it durable, so this is how many share one), and milliseconds
        per flush (with track_wal_io_timing)."""
        w = self.wal
        if w is None or not self.transactions:
            return None
        n = self.transactions
        return {"bytes": w.bytes / n, "fpi": w.fpi / n, "records": w.records / n,
                "calls_per_flush": n / w.syncs if w.syncs else None,
                "ms_per_flush": w.sync_ms / w.syncs if w.sync_ms is not None and w.syncs else None,
                "flush_busy": w.sync_ms / 1000 / self.seconds if w.sync_ms is not None and self.seconds else None}

    @property
    def transfers_per_s(self) -> float | None:
        return None if self.tps is None else self.tps * self.transfers_per_call

    @property
    def bytes_per_transfer(self) -> float | None:
        if not self.transfers_posted or self.bytes_growth is None:
            return None
        return self.bytes_growth / self.transfers_posted

    @property
    def ok(self) -> bool:
        return self.tps is not None and not self.error and not self.failed and self.check_ok is not False

    def as_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["transfers_per_s"] = self.transfers_per_s
        d["bytes_per_transfer"] = self.bytes_per_transfer
        d["cpu_ms_per_call"] = self.cpu_ms_per_call
        d["wal_per_call"] = self.wal_per_call
        d["ok"] = self.ok
        return d


@dataclass
class Row:
    """One line of the results table."""

    case: str
    clients: int | str
    tps: float | None
    transfers_per_s: float | None
    tpcb_tps: float | None
    ratio: float | None
    target: str
    met: bool
    ratios: list[float | None] = field(default_factory=list)  # one per round; ratio is their median


@dataclass
class Report:
    machine: dict[str, Any]
    settings: dict[str, Any]
    runs: list[Run]
    setup_seconds: dict[str, float] = field(default_factory=dict)
    relations: list[dict[str, Any]] = field(default_factory=list)  # ledger relation sizes at the end

    def run_of(self, case: str, clients: int) -> Run | None:
        return next((r for r in self.runs if r.case == case and r.clients == clients), None)

    def runs_of(self, case: str, clients: int) -> list[Run]:
        """Every run of ``case`` at ``clients``, in round order."""
        return sorted((r for r in self.runs if r.case == case and r.clients == clients), key=lambda r: r.round)

    def round_baseline(self, clients: int, round_: int) -> float | None:
        """TPC-B tps for round ``round_``: the mean of the TPC-B runs just before and after it (None unless all have
        a figure)."""
        return self.baseline(clients, rounds=(round_ - 1, round_))[0]

    @property
    def rounds(self) -> int:
        return max((r.round for r in self.runs if r.case != TPCB), default=0) or 1

    def baseline(self, clients: int, figure: str = "tps",
                 rounds: Sequence[int] | None = None) -> tuple[float | None, list[float | None]]:
        """A TPC-B figure at ``clients`` (tps, or another Run attribute such as cpu_ms_per_call): the mean of its runs
        (all of them, or those following the given rounds), None unless every run has it, and each run's."""
        values = [getattr(r, figure) for r in self.runs if r.case == TPCB and r.clients == clients
                  and (rounds is None or r.round in rounds)]
        ok = [v for v in values if v is not None]
        return (sum(ok) / len(ok) if ok and len(ok) == len(values) else None), values

    @property
    def client_counts(self) -> list[int]:
        return sorted({r.clients for r in self.runs})

    def rows(self) -> list[Row]:
        return evaluate(self)

    @property
    def all_met(self) -> bool:
        return all(r.met for r in self.rows())

    @property
    def checks_ok(self) -> bool:
        return all(r.check_ok is not False and not r.error for r in self.runs)

    def as_dict(self) -> dict[str, Any]:
        return {
            "machine": self.machine,
            "settings": self.settings,
            "setup_seconds": self.setup_seconds,
            "runs": [r.as_dict() for r in self.runs],
            "results": [asdict(r) for r in self.rows()],
            "bytes_per_transfer": bytes_summary(self),
            "bytes_per_transfer_overall": overall_bytes(self),
            "cpu_per_call": cpu_summary(self),
            "wal_per_call": wal_summary(self),
            "relations": self.relations,
            "all_targets_met": self.all_met,
            "checks_ok": self.checks_ok,
        }


# -- pgbench ----------------------------------------------------------------------------------------

_TPS = re.compile(r"^tps = ([0-9.]+) \((?:without initial connection time|excluding connections establishing)\)",
                  re.M)
_PROCESSED = re.compile(r"^number of transactions actually processed: (\d+)", re.M)
_FAILED = re.compile(r"^number of failed transactions: (\d+)", re.M)
_LATENCY = re.compile(r"^latency average = ([0-9.]+) ms", re.M)


def parse_pgbench(stdout: str, stderr: str = "", returncode: int = 0) -> PgbenchResult:
    """The figures of one pgbench run; ``error`` holds the reason when the run aborted or failed."""

    def grab(rx: re.Pattern[str], conv: Callable[[str], Any]) -> Any:
        m = rx.search(stdout)
        return conv(m.group(1)) if m else None

    aborted = "Run was aborted" in stdout or "aborted in command" in stderr
    errors = [line.strip() for line in stderr.splitlines()
              if "error" in line.lower() or "aborted" in line.lower() or "fatal" in line.lower()]
    tps = grab(_TPS, float)
    error = None
    if aborted or returncode != 0 or tps is None:
        error = "; ".join(dict.fromkeys(errors)) or (stderr.strip().splitlines() or [f"pgbench exit {returncode}"])[-1]
        if aborted and "aborted" not in error:
            error = f"run aborted: {error}"
    return PgbenchResult(
        tps=tps,
        transactions=grab(_PROCESSED, int),
        failed=grab(_FAILED, int),
        latency_ms=grab(_LATENCY, float),
        aborted=aborted,
        error=error[:2000] if error else None,
    )


def pgbench_binary() -> str:
    """pgbench of the server's major version: PG_BINDIR, the cluster's bindir, then PATH."""
    candidates = []
    if os.environ.get("PG_BINDIR"):
        candidates.append(Path(os.environ["PG_BINDIR"]) / "pgbench")
    try:
        from mercato.cluster import _pg_bindir

        candidates.append(_pg_bindir() / "pgbench")
    except Exception:  # noqa: BLE001 - no server binaries: fall back to PATH
        pass
    for c in candidates:
        if c.exists():
            return str(c)
    found = shutil.which("pgbench")
    if not found:
        raise RuntimeError("pgbench not found (install postgresql-client-15 or set PG_BINDIR)")
    return found


def _pg_args_env(conninfo: str) -> tuple[list[str], dict[str, str]]:
    info = conninfo_to_dict(conninfo)
    args: list[str] = []
    for key, flag in (("host", "-h"), ("port", "-p"), ("user", "-U")):
        if info.get(key):
            args += [flag, str(info[key])]
    env = dict(os.environ)
    if info.get("password"):
        env["PGPASSWORD"] = str(info["password"])
    return args, env


_LEDGER_TABLES = ("ledger.account", "ledger.account_slot", "ledger.transaction", "ledger.entry", "ledger.hold")
_TPCB_TABLES = ("pgbench_accounts", "pgbench_branches", "pgbench_tellers", "pgbench_history")


class CpuMeter:
    """How much of this machine's CPU *other* processes use while a run is measured.

    "Ours" are pgbench and every process of the local PostgreSQL server except backends of other
    databases; everything else (other servers, test suites, compilers, ...) is interference. Read from
    /proc (Linux, local server only): total busy time from /proc/stat, per-process utime + stime from
    /proc/<pid>/stat, sampled every 0.5 s. Processes that exit between samples lose their last fraction of
    a second, so the figure errs slightly towards more interference, never less.
    """

    def __init__(self, postmaster: int | None) -> None:
        self.postmaster = postmaster
        self.start: dict[int, int] = {}
        self.last: dict[int, int] = {}
        self.busy0 = self.total0 = 0
        self.result: float | None = None
        self.ours_seconds: float | None = None

    @staticmethod
    def available(backend_pid: int) -> int | None:
        """The postmaster's pid when the server runs on this machine (its backend is visible), else None."""
        try:
            stat = Path(f"/proc/{backend_pid}/stat").read_text()
            if "postgres" not in Path(f"/proc/{backend_pid}/cmdline").read_text():
                return None
            return int(stat.rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            return None

    @staticmethod
    def _machine() -> tuple[int, int]:
        fields = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:9]]
        user, nice, system, idle, iowait, irq, softirq, steal = fields
        busy = user + nice + system + irq + softirq + steal
        return busy, busy + idle + iowait

    def _ours(self, extra: Sequence[int], foreign: set[int]) -> dict[int, int]:
        out: dict[int, int] = {}
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            pid, ppid = int(entry.name), int(fields[1])
            if pid in extra or (ppid == self.postmaster and pid not in foreign) or pid == self.postmaster:
                out[pid] = int(fields[11]) + int(fields[12])
        return out

    def begin(self) -> None:
        if self.postmaster is None:
            return
        self.busy0, self.total0 = self._machine()
        self.start = self._ours((), set())

    def sample(self, extra: Sequence[int] = (), foreign: set[int] | None = None) -> None:
        if self.postmaster is None:
            return
        for pid, cpu in self._ours(extra, foreign or set()).items():
            self.start.setdefault(pid, 0)  # a process born during the run counts from zero
            self.last[pid] = cpu

    def end(self) -> float | None:
        if self.postmaster is None:
            return None
        busy, total = self._machine()
        ours = sum(cpu - self.start.get(pid, 0) for pid, cpu in self.last.items())
        self.ours_seconds = ours / os.sysconf("SC_CLK_TCK")
        if total <= self.total0:
            return None
        self.result = round(max(0.0, (busy - self.busy0 - ours) / (total - self.total0)), 3)
        return self.result


def _dbname(conninfo: str) -> str:
    return str(conninfo_to_dict(conninfo).get("dbname") or "postgres")


# -- the harness ------------------------------------------------------------------------------------


class Bench:
    """Runs the whole benchmark once; see the module docstring."""

    def __init__(self, settings: Settings, root: Path, *, log: LogFn | None = None) -> None:
        self.s = settings
        self.root = root
        self.log: LogFn = log or (lambda _line: None)
        self.admin_url = make_conninfo(settings.url, dbname="postgres")
        self.ledger_url = make_conninfo(settings.url, dbname=settings.db_prefix)
        self.tpcb_url = make_conninfo(settings.url, dbname=f"{settings.db_prefix}_tpcb")
        self.pgbench = pgbench_binary()
        self.vars: dict[str, int] = {}
        self.setup_seconds: dict[str, float] = {}

    # databases ------------------------------------------------------------------------------------
    def _recreate(self, url: str) -> None:
        name = _dbname(url)
        with psycopg.connect(self.admin_url, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))

    def drop_databases(self) -> None:
        with psycopg.connect(self.admin_url, autocommit=True) as conn:
            for url in (self.ledger_url, self.tpcb_url):
                conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                    sql.Identifier(_dbname(url))))

    def setup_tpcb(self) -> None:
        t0 = time.monotonic()
        self.log(f"[setup] {_dbname(self.tpcb_url)}: pgbench -i -s {self.s.scale} (TPC-B-like baseline)")
        self._recreate(self.tpcb_url)
        args, env = _pg_args_env(self.tpcb_url)
        proc = subprocess.run([self.pgbench, "-i", "-q", "-s", str(self.s.scale), *args, _dbname(self.tpcb_url)],
                              capture_output=True, text=True, env=env)
        if proc.returncode != 0:
            raise RuntimeError(f"pgbench -i failed: {proc.stderr.strip()[-500:]}")
        with psycopg.connect(self.tpcb_url, autocommit=True) as conn:
            for table in _TPCB_TABLES:
                conn.execute(f"ALTER TABLE {table} SET (autovacuum_enabled = false)")
        self.setup_seconds["tpcb_init"] = round(time.monotonic() - t0, 1)

    def setup_ledger(self) -> None:
        from mercato.sqitch import Engine

        t0 = time.monotonic()
        self.log(f"[setup] {_dbname(self.ledger_url)}: deploying the Sqitch plan")
        self._recreate(self.ledger_url)
        Engine.from_project(self.ledger_url, self.root).deploy()
        self.setup_seconds["deploy"] = round(time.monotonic() - t0, 1)
        n = self.s.accounts
        with psycopg.connect(self.ledger_url, autocommit=True) as conn:
            has = conn.execute("SELECT to_regprocedure('ledger.transfer(text,bigint,bigint,numeric,text,jsonb)')"
                               " IS NOT NULL").fetchone()[0]
            if not has:
                raise RuntimeError("the deployed plan has no ledger.transfer (is functions/ledger/transfers planned?)")
            t1 = time.monotonic()
            self.log(f"[setup] opening {n:,} accounts with ledger.open_account")
            lo, hi, count = conn.execute(
                "SELECT min(id), max(id), count(*) FROM ("
                " SELECT ledger.open_account('BENCH', g::text, 'MAIN', 'ETB') AS id"
                " FROM generate_series(1, %s::int) AS g) AS opened", (n,)).fetchone()
            if count != n or hi - lo + 1 != n:
                raise RuntimeError(f"account ids are not contiguous ({lo}..{hi} for {count})")
            source = conn.execute(
                "SELECT ledger.open_account('BENCH', 'source', 'CLEARING', 'ETB', p_allow_negative => true)"
            ).fetchone()[0]
            hot = conn.execute(
                "SELECT ledger.open_account('PLATFORM', 'mercato', 'COMMISSION', 'ETB', p_slots => %s::int)",
                (self.s.slots,)).fetchone()[0]
            self.setup_seconds["open_accounts"] = round(time.monotonic() - t1, 1)
            t1 = time.monotonic()
            chunk = 10_000  # one ledger.post_batch call per 10,000 accounts
            step = max(1, (n + chunk - 1) // chunk // 10)
            for i, start in enumerate(range(0, n, chunk)):
                conn.execute(
                    "SELECT count(*) FROM ledger.post_batch(("
                    " SELECT jsonb_agg(jsonb_build_object('reference', 'fund-' || g, 'debit_account_id', %(src)s,"
                    "   'credit_account_id', %(lo)s::bigint + g, 'amount', '1000000.00'))"
                    " FROM generate_series(%(a)s::int, %(b)s::int) AS g))",
                    {"src": source, "lo": lo, "a": start, "b": min(start + chunk, n) - 1})
                done = min(start + chunk, n)
                if (i + 1) % step == 0 or done == n:
                    self.log(f"[setup] funded {done:,}/{n:,} accounts with ledger.post_batch "
                             f"({time.monotonic() - t1:.1f} s)")
            self.setup_seconds["fund_accounts"] = round(time.monotonic() - t1, 1)
            # An escrow history, as a running ledger has: holds created and captured through the functions. Without
            # it ledger.hold is empty when the cases start, every pgbench session caches sequential-scan plans for
            # its hold lookups, and with autovacuum off (below) nothing ANALYZEs the table and re-plans them: one
            # 30-second run read 271 million hold rows in 36,618 sequential scans and halved hold_capture.
            t1 = time.monotonic()
            holds = max(1, min(n // 10, 10_000))
            seed = ("SELECT count(ledger.capture_hold('seed-c-' || g, ledger.create_hold('seed-h-' || g, %(lo)s::bigint + g, 1.00),"
                    " jsonb_build_array(jsonb_build_object('account_id', %(lo)s::bigint + (g + 1) %% %(n)s, 'amount', '1.00'))))"
                    " FROM generate_series(%(a)s, %(b)s - 1) AS g")
            first = min(holds, 500)
            conn.execute(seed, {"lo": lo, "n": n, "a": 0, "b": first})
            # The rest is then not planned against an empty table either (the VACUUM ANALYZE below covers the end).
            conn.execute("ANALYZE ledger.hold, ledger.transaction")
            conn.execute(seed, {"lo": lo, "n": n, "a": first, "b": holds})
            self.setup_seconds["escrow_history"] = round(time.monotonic() - t1, 1)
            self.log(f"[setup] escrow history: {holds:,} holds created and captured ({time.monotonic() - t1:.1f} s)")
            # Autovacuum off on the bench tables (both databases): the harness VACUUMs them itself between
            # runs, so a worker waking up in the middle of a later run cannot skew that run.
            for table in _LEDGER_TABLES:
                conn.execute(f"ALTER TABLE {table} SET (autovacuum_enabled = false)")
            conn.execute("VACUUM ANALYZE")
        self.vars = {"lo": lo, "n": n, "hot": hot, "source": source, "batch": self.s.batch}

    # measuring ------------------------------------------------------------------------------------
    def _pgbench(self, url: str, clients: int, script: Path | None) -> PgbenchResult:
        args, env = _pg_args_env(url)
        if self.s.profile and script is not None:
            env["PGOPTIONS"] = (env.get("PGOPTIONS", "") + " -c track_functions=all").strip()
        cmd = [self.pgbench, "-n", "-c", str(clients), "-j", str(min(self.s.threads, clients)),
               "-T", str(self.s.seconds), *args]
        if script is not None:
            cmd += ["-f", str(script)] + [f"-D{k}={v}" for k, v in self.vars.items()]
        cmd.append(_dbname(url))
        with psycopg.connect(self.admin_url, autocommit=True) as conn:
            conn.execute("CHECKPOINT")
            wal0 = _wal_stats(conn)
            samples: list[int] = []
            done = threading.Event()
            meter = CpuMeter(CpuMeter.available(conn.info.backend_pid))
            ours = [_dbname(self.ledger_url), _dbname(self.tpcb_url)]
            pgbench_pid: list[int] = []

            def sample() -> None:  # other people's queries and processes, while we measure
                while not done.wait(0.5):
                    samples.append(conn.execute(
                        "SELECT count(*) FROM pg_stat_activity WHERE pid <> pg_backend_pid()"
                        " AND ((backend_type = 'client backend' AND state = 'active' AND datname <> ALL (%s))"
                        "      OR backend_type = 'autovacuum worker')", (ours,)).fetchone()[0])
                    if meter.postmaster is not None:
                        foreign = {r[0] for r in conn.execute(
                            "SELECT pid FROM pg_stat_activity WHERE (backend_type = 'client backend'"
                            " AND datname <> ALL (%s) AND pid <> pg_backend_pid())"
                            " OR backend_type = 'autovacuum worker'", (ours,)).fetchall()}
                        meter.sample(pgbench_pid, foreign)

            meter.begin()
            sampler = threading.Thread(target=sample, daemon=True)
            sampler.start()
            try:
                with subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env) as p:
                    pgbench_pid.append(p.pid)
                    stdout, stderr = p.communicate()
                    returncode = p.returncode
            finally:
                done.set()
                sampler.join()
            meter.end()
            wal = _wal_delta(wal0, _wal_stats(conn, wait_for=_dbname(url)))
        result = parse_pgbench(stdout, stderr, returncode)
        result.wal = wal
        result.foreign_active = round(sum(samples) / len(samples), 2) if samples else 0.0
        result.foreign_cpu = meter.result
        result.cpu_seconds = meter.ours_seconds
        return result

    def _ledger_size(self, conn: psycopg.Connection) -> tuple[int, int]:
        """(bytes of the ledger tables + indexes after VACUUM, posted transactions)."""
        conn.execute(f"VACUUM {', '.join(_LEDGER_TABLES)}")
        size, txns = conn.execute(
            "SELECT (SELECT sum(pg_total_relation_size(c.oid)) FROM pg_class c"
            "         WHERE c.relnamespace = 'ledger'::regnamespace AND c.relkind IN ('r', 'p')),"
            "       (SELECT count(*) FROM ledger.transaction)").fetchone()
        return int(size), int(txns)

    def _functions(self, conn: psycopg.Connection) -> list[dict[str, Any]]:
        """Per-function call counts and self time of the last run (pg_stat_user_functions)."""
        time.sleep(1.0)  # backends flush their function statistics when pgbench disconnects them
        conn.execute("SELECT pg_stat_clear_snapshot()")
        rows = conn.execute(
            "SELECT schemaname || '.' || funcname, calls, round(total_time::numeric, 1), round(self_time::numeric, 1),"
            "       round((self_time * 1000 / nullif(calls, 0))::numeric, 1)"
            "  FROM pg_stat_user_functions WHERE calls > 0 ORDER BY self_time DESC LIMIT 10").fetchall()
        return [{"function": f, "calls": c, "total_ms": float(t), "self_ms": float(st),
                 "self_us_per_call": float(u) if u is not None else None} for f, c, t, st, u in rows]

    def _check(self, conn: psycopg.Connection) -> tuple[bool, list[dict[str, Any]], float]:
        t0 = time.monotonic()
        rows = conn.execute("SELECT check_name, ok, violations, sample FROM ledger.check()").fetchall()
        bad = [{"check_name": n, "violations": v, "sample": s} for n, ok, v, s in rows if not ok]
        return (not bad and bool(rows)), bad, round(time.monotonic() - t0, 2)

    def _round(self, round_: int) -> str:
        return f", round {round_} of {self.s.rounds}" if self.s.rounds > 1 else ""

    def run_tpcb(self, clients: int, round_: int = 0) -> Run:
        self.log(f"[run] TPC-B-like baseline, {clients} clients, {self.s.seconds} s"
                 + (f", after round {round_} of {self.s.rounds}" if self.s.rounds > 1 and round_ else ""))
        with psycopg.connect(self.tpcb_url, autocommit=True) as conn:  # what pgbench does without -n
            conn.execute("VACUUM pgbench_branches, pgbench_tellers, pgbench_history")
        load = _loadavg()
        res = self._pgbench(self.tpcb_url, clients, None)
        run = Run(TPCB, clients, self.s.seconds, res.tps, 1, res.transactions, res.failed, res.latency_ms, res.error,
                  load_before=load, foreign_active=res.foreign_active, foreign_cpu=res.foreign_cpu,
                  cpu_seconds=res.cpu_seconds, wal=res.wal, round=round_)
        self.log(f"      tps {_fmt(run.tps)}" + _cpu(run) + _interference(run) + (f"  ERROR {run.error}" if run.error else ""))
        return run

    def run_case(self, case: Case, clients: int, round_: int = 1) -> Run:
        per_call = self.s.batch if case.transfers_per_call == "batch" else int(case.transfers_per_call)
        with psycopg.connect(self.ledger_url, autocommit=True) as conn:
            size0, txns0 = self._ledger_size(conn)
            if self.s.profile:
                conn.execute("SELECT pg_stat_reset()")
            self.log(f"[run] {case.name}, {clients} clients, {self.s.seconds} s{self._round(round_)}")
            load = _loadavg()
            res = self._pgbench(self.ledger_url, clients, self.root / "bench" / case.script)
            run = Run(case.name, clients, self.s.seconds, res.tps, per_call, res.transactions, res.failed,
                      res.latency_ms, res.error, load_before=load, foreign_active=res.foreign_active,
                      foreign_cpu=res.foreign_cpu, cpu_seconds=res.cpu_seconds, wal=res.wal, round=round_)
            if self.s.profile:
                run.functions = self._functions(conn)
            size1, txns1 = self._ledger_size(conn)
            run.transfers_posted, run.bytes_growth = txns1 - txns0, size1 - size0
            run.check_ok, run.check_failures, run.check_seconds = self._check(conn)
        line = (f"      tps {_fmt(run.tps)}, transfers/s {_fmt(run.transfers_per_s)}, "
                f"bytes/transfer {_fmt(run.bytes_per_transfer, 0)}, "
                f"check() {'ok' if run.check_ok else 'FAILED'} ({run.check_seconds} s)")
        line += _cpu(run) + _interference(run)
        if run.failed:
            line += f", {run.failed} failed transactions"
        if run.error:
            line += f"  ERROR {run.error}"
        self.log(line)
        return run

    def run(self, cases: Sequence[Case] = CASES) -> Report:
        machine = machine_info(self.admin_url)
        self.log(f"[info] {machine['cpus']} CPUs, {machine['memory_gb']} GB, {machine['postgresql']}, "
                 f"load average {machine['load_average']}")
        self.setup_tpcb()
        self.setup_ledger()
        runs: list[Run] = []
        try:
            for clients in self.s.clients:
                # The baseline runs before and after each round of the ledger cases; the mean of the two is that
                # round's basis, so that a drift of the machine during the cases shows (and weighs on both sides).
                runs.append(self.run_tpcb(clients, 0))
                for round_ in range(1, self.s.rounds + 1):
                    for case in cases:
                        runs.append(self.run_case(case, clients, round_))
                    runs.append(self.run_tpcb(clients, round_))
            relations = self.relation_sizes()
        finally:
            if not self.s.keep:
                self.drop_databases()
        machine["load_average_after"] = _loadavg()
        settings = {k: v for k, v in asdict(self.s).items() if k != "url"}
        settings["clients"] = list(self.s.clients)
        settings["pgbench"] = f"pgbench -n -c <clients> -j {self.s.threads} -T {self.s.seconds} (query mode simple)"
        return Report(machine, settings, runs, self.setup_seconds, relations)

    def relation_sizes(self) -> list[dict[str, Any]]:
        """Every ledger table and index at the end, with its bytes per posted transaction."""
        with psycopg.connect(self.ledger_url, autocommit=True) as conn:
            txns = conn.execute("SELECT count(*) FROM ledger.transaction").fetchone()[0]
            rows = conn.execute(
                "SELECT c.relname, CASE c.relkind WHEN 'i' THEN 'index' ELSE 'table' END,"
                "       CASE c.relkind WHEN 'i' THEN pg_relation_size(c.oid) ELSE pg_table_size(c.oid) END,"
                "       CASE c.relkind WHEN 'i' THEN NULL ELSE c.reltuples::bigint END"
                "  FROM pg_class c WHERE c.relnamespace = 'ledger'::regnamespace AND c.relkind IN ('r', 'p', 'i')"
                " ORDER BY 3 DESC").fetchall()
        return [{"relation": n, "kind": k, "bytes": int(b), "rows": r,
                 "bytes_per_transaction": round(b / txns, 1) if txns else None} for n, k, b, r in rows]


def run(settings: Settings, *, root: Path | None = None, log: LogFn | None = None,
        cases: Sequence[Case] = CASES) -> Report:
    """Run the ledger benchmark once (see the module docstring)."""
    if root is None:
        from mercato.config import project_root

        root = project_root()
    return Bench(settings, root, log=log).run(cases)


# -- evaluation and rendering -------------------------------------------------------------------------


def median_of(values: Sequence[float | None]) -> float | None:
    """The median, None when any value is missing (a round without a figure cannot be outvoted)."""
    if not values or any(v is None for v in values):
        return None
    return statistics.median(values)  # type: ignore[type-var]


def _baseline_note(each: Sequence[float | None]) -> str:
    if len(each) == 2:
        return f" (mean of {_fmt(each[0])} and {_fmt(each[1])})"
    known = [x for x in each if x is not None]
    if len(each) > 2 and known:
        return f" (mean of {len(each)} runs, {_fmt(min(known))}–{_fmt(max(known))})"
    return ""


def evaluate(report: Report) -> list[Row]:
    """The results table: every case at every client count with its ratio to the basis of its target, measured round
    by round (a case against the TPC-B runs just before and after its round, or against its basis case in the same
    round); the ratio and the verdict are the median over rounds, tps and transfers/s the median too."""
    rows: list[Row] = []
    targets = {t.case: t for t in TARGETS}
    for clients in report.client_counts:
        tpcb_tps, each = report.baseline(clients)
        if each:
            label = "baseline" + _baseline_note(each)
            errors = any(r.error for r in report.runs if r.case == TPCB and r.clients == clients)
            rows.append(Row(TPCB, clients, tpcb_tps, tpcb_tps, tpcb_tps, 1.0 if tpcb_tps else None, label,
                            tpcb_tps is not None and not errors))
        for case in CASE_NAMES:
            runs = report.runs_of(case, clients)
            if not runs:
                continue
            t = targets[case]
            ratios: list[float | None] = []
            for r in runs:
                if t.basis == TPCB:
                    ratios.append(_ratio(r.transfers_per_s, report.round_baseline(clients, r.round)))
                else:
                    basis = next((x for x in report.runs_of(t.basis, clients) if x.round == r.round), None)
                    ratios.append(_ratio(r.transfers_per_s, basis.transfers_per_s if basis else None))
            ratio = median_of(ratios)
            met = ratio is not None and ratio >= t.factor and all(r.ok for r in runs)
            rows.append(Row(case, clients, median_of([r.tps for r in runs]), median_of([r.transfers_per_s for r in runs]),
                            tpcb_tps, ratio, t.label, met, ratios))
    counts = report.client_counts
    if len(counts) >= 2:
        lo_runs, hi_runs = report.runs_of("transfer_hot", counts[0]), report.runs_of("transfer_hot", counts[-1])
        pairs = [(lo, hi) for lo in lo_runs for hi in hi_runs if lo.round == hi.round]
        if pairs:
            ratios = [_ratio(hi.tps, lo.tps) for lo, hi in pairs]
            ratio = median_of(ratios)
            rows.append(Row("transfer_hot scaling", f"{counts[-1]} vs {counts[0]}", median_of([hi.tps for _, hi in pairs]),
                            median_of([hi.transfers_per_s for _, hi in pairs]), None, ratio,
                            f"no drop: ≥ {HOT_SCALING_FACTOR:g} × transfer_hot at {counts[0]} clients",
                            ratio is not None and ratio >= HOT_SCALING_FACTOR and all(lo.ok and hi.ok for lo, hi in pairs),
                            ratios))
    return rows


def bytes_summary(report: Report) -> list[dict[str, Any]]:
    out = []
    for r in report.runs:
        if r.case == TPCB:
            continue
        out.append({"case": r.case, "clients": r.clients, "round": r.round, "transfers_posted": r.transfers_posted,
                    "bytes_growth": r.bytes_growth, "bytes_per_transfer": r.bytes_per_transfer})
    return out


def cpu_summary(report: Report) -> list[dict[str, Any]]:
    """CPU per call of every run (local server only), and per case as a multiple of TPC-B's at the same client count
    (the mean over its runs). Empty when the server is remote."""
    out = []
    for r in report.runs:
        if r.cpu_ms_per_call is None:
            continue
        base_ms = report.baseline(r.clients, "cpu_ms_per_call")[0]
        out.append({"case": r.case, "clients": r.clients, "round": r.round, "cpu_ms_per_call": r.cpu_ms_per_call,
                    "times_tpcb": None if r.case == TPCB else _ratio(r.cpu_ms_per_call, base_ms)})
    return out


def wal_summary(report: Report) -> list[dict[str, Any]]:
    """WAL per call of every run (see Run.wal_per_call). Empty when the server keeps no pg_stat_wal."""
    return [{"case": r.case, "clients": r.clients, "round": r.round, **per_call}
            for r in report.runs if (per_call := r.wal_per_call) is not None]


def _wal_stats(conn: psycopg.Connection, wait_for: str | None = None) -> tuple[Any, ...] | None:
    """The server's pg_stat_wal counters (None when it has none, before PostgreSQL 14). With ``wait_for``, first
    wait (up to 5 s) until the pgbench sessions of that database have gone: a backend adds its WAL counters to
    pg_stat_wal when it exits, and pgbench returns before its server processes have finished exiting."""
    if wait_for is not None:
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and conn.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND application_name = 'pgbench'",
                (wait_for,)).fetchone()[0]:
            time.sleep(0.05)
    try:
        conn.execute("SELECT pg_stat_clear_snapshot()")
        return conn.execute("SELECT wal_records, wal_fpi, wal_bytes, wal_sync, wal_sync_time,"
                            " current_setting('track_wal_io_timing')::boolean FROM pg_stat_wal").fetchone()
    except psycopg.errors.UndefinedTable:
        return None


def _wal_delta(before: tuple[Any, ...] | None, after: tuple[Any, ...] | None) -> WalDelta | None:
    if before is None or after is None:
        return None
    timed = bool(before[5] and after[5])
    return WalDelta(records=int(after[0] - before[0]), fpi=int(after[1] - before[1]), bytes=int(after[2] - before[2]),
                    syncs=int(after[3] - before[3]), sync_ms=round(float(after[4] - before[4]), 1) if timed else None)


def overall_bytes(report: Report) -> float | None:
    """Growth over all ledger cases divided by all the transactions they posted."""
    runs = [r for r in report.runs if r.case != TPCB and r.transfers_posted and r.bytes_growth is not None]
    posted = sum(r.transfers_posted or 0 for r in runs)
    return round(sum(r.bytes_growth or 0 for r in runs) / posted, 1) if posted else None


#: Other processes using more than this share of the machine's CPUs during a run make its figure suspect.
NOISY_CPU = 0.10


def _interference(run: Run) -> str:
    parts = []
    if run.foreign_cpu is not None:
        parts.append(f"other processes used {run.foreign_cpu:.0%} of the CPUs"
                     + (" — interference" if run.foreign_cpu > NOISY_CPU else ""))
    if run.foreign_active:
        parts.append(f"other databases' queries or autovacuum workers: {run.foreign_active} active on average")
    return f"  ({'; '.join(parts)})" if parts else ""


def _cpu(run: Run) -> str:
    return "" if run.cpu_ms_per_call is None else f", {run.cpu_ms_per_call:.3f} ms CPU per call"


def noisy_runs(report: Report) -> list[Run]:
    """Runs measured while something else competed for the machine or the server."""
    return [r for r in report.runs if r.foreign_active or (r.foreign_cpu or 0) > NOISY_CPU]


def _ratio(a: float | None, b: float | None) -> float | None:
    if a is None or not b:
        return None
    return a / b


def _ratio_cell(row: Row) -> str:
    """The median ratio, with the range over rounds when there are several."""
    cell = _fmt(row.ratio, 2)
    known = [x for x in row.ratios if x is not None]
    if len(row.ratios) > 1 and known:
        cell += f" ({_fmt(min(known), 2)}–{_fmt(max(known), 2)})"
    return cell


def _clients_cell(clients: int, round_: int, rounds: int) -> str:
    """A client count, with the round when there are several."""
    return f"{clients}" + (f" r{round_}" if rounds > 1 else "")


def _where(run: Run, rounds: int) -> str:
    """"case @ clients", with the round when there are several."""
    return f"{run.case} @ {_clients_cell(run.clients, run.round, rounds)}"


def _fmt(value: float | None, digits: int = 1) -> str:
    if value is None:
        return "—"
    return f"{value:,.{digits}f}"


def _loadavg() -> str:
    try:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "?"


def machine_info(admin_url: str) -> dict[str, Any]:
    mem_kb = 0
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem_kb = int(line.split()[1])
    except OSError:
        pass
    with psycopg.connect(admin_url, autocommit=True) as conn:
        version = conn.execute("SELECT version()").fetchone()[0]
        settings = dict(conn.execute(
            "SELECT name, current_setting(name) FROM pg_settings WHERE name IN"
            " ('shared_buffers', 'synchronous_commit', 'fsync', 'max_connections', 'wal_level', 'wal_compression',"
            "  'track_wal_io_timing')").fetchall())
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "cpus": os.cpu_count(),
        "cpu_model": cpu or platform.processor(),
        "memory_gb": round(mem_kb / 1024 / 1024, 1),
        "postgresql": version.split(" on ")[0],
        "server_settings": settings,
        "kernel": platform.release(),
        "date": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "load_average": _loadavg(),
    }


def render_text(report: Report) -> str:
    """The results table for a terminal."""
    from mercato.cli.common import table

    def num(value: float | None, digits: int = 1) -> str:
        return "—" if value is None else f"{value:.{digits}f}"

    rows = [{"case": r.case, "clients": r.clients, "tps": num(r.tps), "transfers/s": num(r.transfers_per_s),
             "TPC-B tps": num(r.tpcb_tps), "ratio": _ratio_cell(r), "target": r.target,
             "met": "yes" if r.met else "NO"} for r in report.rows()]
    out = [table(rows)]
    out.append("")
    rounds = report.rounds
    out.append(table([{"case": b["case"], "clients": _clients_cell(b["clients"], b["round"], rounds), "transfers posted": b["transfers_posted"],
                       "growth bytes": b["bytes_growth"], "bytes/transfer": num(b["bytes_per_transfer"], 0)}
                      for b in bytes_summary(report)]))
    out.append("")
    cpu = cpu_summary(report)
    if cpu:
        out.append(table([{"case": c["case"], "clients": _clients_cell(c["clients"], c["round"], rounds), "CPU ms/call": num(c["cpu_ms_per_call"], 3),
                           "x TPC-B": num(c["times_tpcb"], 2)} for c in cpu]))
        out.append("")
    wal = wal_summary(report)
    if wal:
        out.append(table([{"case": w["case"], "clients": _clients_cell(w["clients"], w["round"], rounds),
                           "WAL bytes/call": num(w["bytes"], 0), "FPI/call": num(w["fpi"], 2),
                           "records/call": num(w["records"], 1), "calls/flush": num(w["calls_per_flush"], 1),
                           "ms/flush": num(w["ms_per_flush"], 3), "flushing": _pct(w["flush_busy"])} for w in wal]))
        out.append("")
    for r in report.runs:
        if r.case != TPCB and (r.check_ok is False or r.error or r.failed):
            out.append(f"{_where(r, rounds)}: check() {'ok' if r.check_ok else 'FAILED'}"
                       f"{', failed transactions ' + str(r.failed) if r.failed else ''}"
                       f"{', error: ' + r.error if r.error else ''}"
                       f"{', violations: ' + json.dumps(r.check_failures) if r.check_failures else ''}")
    for r in report.runs:
        if r.functions:
            out.append(f"profile {_where(r, rounds)} (self time per call, µs):  "
                       + ", ".join(f"{f['function']} {f['self_us_per_call']}" for f in r.functions[:6]))
    for r in noisy_runs(report):
        out.append(f"interference during {_where(r, rounds)}: {_interference(r).strip()}")
    out.append(f"ledger.check(): {'ok after every case' if report.checks_ok else 'FAILED (see above)'}")
    out.append(f"targets: {'all met' if report.all_met else 'NOT all met'}")
    return "\n".join(out)


def _cpu_markdown(report: Report) -> list[str]:
    cpu = cpu_summary(report)
    if not cpu:
        return []
    lines = ["### CPU per call", "",
             "CPU time (user + system) of pgbench and of this server's own processes during the run, read from /proc, "
             "divided by the pgbench transactions it made: one call of the case (a create + capture pair for "
             "`hold_capture`, a whole batch for `post_batch`), client and server together. The last column compares it "
             "with TPC-B's at the same client count (mean of its runs). When the machine is CPU-bound, a case's "
             "throughput ratio is about the inverse of that figure.", "",
             "| case | clients | CPU ms per call | × TPC-B's |", "|---|---:|---:|---:|"]
    rounds = report.rounds
    lines += [f"| {c['case']} | {_clients_cell(c['clients'], c['round'], rounds)} | {c['cpu_ms_per_call']:.3f} "
              f"| {_fmt(c['times_tpcb'], 2)} |" for c in cpu]
    return lines + [""]


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.0%}"


def _wal_markdown(report: Report) -> list[str]:
    wal = wal_summary(report)
    if not wal:
        return []
    lines = ["### WAL per call", "",
             "From the server's `pg_stat_wal` around each run (the whole cluster; the run is its only activity), "
             "divided by the pgbench transactions it made: bytes, full-page images (the first change to a page after "
             "the checkpoint every run starts with writes the whole page) and records per call; calls per WAL "
             "flush (each `fdatasync` makes every commit before it durable, so this is how many commits share "
             "one); and, with `track_wal_io_timing`, milliseconds per flush and the share of the run the WAL "
             "spent being flushed. Near 100 %, the disk's flushes, not the CPUs, set the pace.", "",
             "| case | clients | WAL bytes per call | full-page images per call | records per call | calls per flush "
             "| ms per flush | flushing |", "|---|---:|---:|---:|---:|---:|---:|---:|"]
    rounds = report.rounds
    lines += [f"| {w['case']} | {_clients_cell(w['clients'], w['round'], rounds)} | {_fmt(w['bytes'], 0)} "
              f"| {_fmt(w['fpi'], 2)} | {_fmt(w['records'], 1)} | {_fmt(w['calls_per_flush'], 1)} "
              f"| {_fmt(w['ms_per_flush'], 3)} | {_pct(w['flush_busy'])} |" for w in wal]
    return lines + [""]


def render_markdown(report: Report) -> str:
    """The generated results section (without the markers)."""
    m, s = report.machine, report.settings
    rounds = report.rounds
    lines = [
        "## Results",
        "",
        f"Generated by `{s.get('command') or 'mercato bench ledger'}` on {m['date']}.",
        "",
        f"- Machine: {m['cpus']} CPUs ({m.get('cpu_model') or 'unknown'}), {m['memory_gb']} GB RAM, "
        f"Linux {m.get('kernel', '')}; load average before {m['load_average']}, after "
        f"{m.get('load_average_after', '?')}",
        f"- Server: {m['postgresql']}; "
        + ", ".join(f"{k}={v}" for k, v in sorted(m.get("server_settings", {}).items())),
        f"- Load: `{s['pgbench']}`; {s['accounts']:,} funded accounts; TPC-B-like baseline at scale "
        f"{s['scale']}; batch size {s['batch']}; hot account slots {s['slots']}"
        + (f"; {rounds} rounds per client count (TPC-B, the cases, TPC-B, the cases, ..., TPC-B): each round's "
           "ratio against the TPC-B runs just before and after it; the ratio shown is the median over rounds, its "
           "range in brackets, and the verdict is on the median; tps and transfers/s are medians"
           if rounds > 1 else "")
        + ("; **quick mode (smoke test, not representative)**" if s.get("quick") else ""),
        f"- Setup: " + ", ".join(f"{k.replace('_', ' ')} {v} s" for k, v in report.setup_seconds.items()),
        "",
        "| case | clients | tps | transfers/s | TPC-B tps | ratio | target | met? |",
        "|---|---:|---:|---:|---:|---:|---|---|",
    ]
    for r in report.rows():
        lines.append(f"| {r.case} | {r.clients} | {_fmt(r.tps)} | {_fmt(r.transfers_per_s)} | {_fmt(r.tpcb_tps)} "
                     f"| {_ratio_cell(r)} | {r.target} | {'yes' if r.met else '**no**'} |")
    noisy = noisy_runs(report)
    measured = [r for r in report.runs if r.foreign_cpu is not None]
    if measured:
        lines += ["", "CPU used by other processes on the machine during each run (not pgbench, not this server's "
                  "processes for the bench databases; sampled every 0.5 s from /proc): "
                  + ", ".join(f"{_where(r, rounds)} {r.foreign_cpu:.0%}" for r in measured) + "."]
    lines += ["", ("Interference: " + ", ".join(
        f"{_where(r, rounds)} ("
        + "; ".join(x for x in (f"{r.foreign_cpu:.0%} CPU elsewhere" if (r.foreign_cpu or 0) > NOISY_CPU else "",
                                f"{r.foreign_active} other-database queries or autovacuum workers active"
                                if r.foreign_active else "") if x) + ")" for r in noisy)
                   + f" — more than {NOISY_CPU:.0%} of the CPUs busy elsewhere, or the server busy with other "
                   "databases: those figures are less trustworthy.") if noisy else
              "Interference: nothing else used more than "
              f"{NOISY_CPU:.0%} of the CPUs, and no query of another database and no autovacuum worker was "
              "active on the server, during any run (sampled every 0.5 s)."]
    lines += [
        "",
        "Ratios compare figures measured in this same invocation at the same client count; "
        "for `post_batch` tps counts calls and transfers/s counts transfers; for `hold_capture` "
        "one call is one create_hold + capture_hold pair.",
        "",
        *_cpu_markdown(report),
        *_wal_markdown(report),
        "### Bytes per transfer",
        "",
        "Growth of the ledger tables + indexes (after `VACUUM`) during the case, divided by the "
        "ledger transactions it posted.",
        "",
        "| case | clients | transactions posted | growth (bytes) | bytes per transfer |",
        "|---|---:|---:|---:|---:|",
    ]
    for b in bytes_summary(report):
        lines.append(f"| {b['case']} | {_clients_cell(b['clients'], b['round'], rounds)} | {b['transfers_posted'] if b['transfers_posted'] is not None else '—'}"
                     f" | {b['bytes_growth'] if b['bytes_growth'] is not None else '—'}"
                     f" | {_fmt(b['bytes_per_transfer'], 0)} |")
    overall = overall_bytes(report)
    if overall is not None:
        lines += ["", f"Over all cases: **{overall:,.0f} bytes per transfer**."]
    if report.relations:
        lines += ["", "Ledger relations at the end of the run (bytes per posted transaction, over every "
                  "transaction in the database, funding included):", "",
                  "| relation | kind | size | rows | bytes per transaction |", "|---|---|---:|---:|---:|"]
        for rel in report.relations:
            lines.append(f"| {rel['relation']} | {rel['kind']} | {rel['bytes'] / 1024 / 1024:,.1f} MB "
                         f"| {rel['rows'] if rel['rows'] is not None else ''} | {_fmt(rel['bytes_per_transaction'], 0)} |")
    lines += ["", "### ledger.check()", ""]
    for r in report.runs:
        if r.case == TPCB:
            continue
        status = "ok" if r.check_ok else "**FAILED**"
        extra = ""
        if r.check_failures:
            extra = "; violations: " + ", ".join(f"{f['check_name']} ({f['violations']})" for f in r.check_failures)
        if r.failed:
            extra += f"; {r.failed} failed pgbench transactions"
        if r.error:
            extra += f"; pgbench: {r.error}"
        lines.append(f"- {r.case} @ {r.clients} clients{f', round {r.round}' if rounds > 1 else ''}: {status} "
                     f"({r.check_seconds} s){extra}")
    profiled = [r for r in report.runs if r.functions]
    if profiled:
        lines += ["", "### Function profile (`--profile`: track_functions = all)", "",
                  "| case | clients | function | calls | self ms | self µs/call |", "|---|---:|---|---:|---:|---:|"]
        for r in profiled:
            for f in r.functions[:6]:
                lines.append(f"| {r.case} | {_clients_cell(r.clients, r.round, rounds)} | {f['function']} | {f['calls']} | {f['self_ms']} "
                             f"| {f['self_us_per_call']} |")
    lines.append("")
    return "\n".join(lines)


DEFAULT_HEADER = """# Benchmarks

`mercato bench ledger` drives real load with pgbench against a real PostgreSQL server and reports
ratios against pgbench's own TPC-B-like run in the same invocation.
"""


def update_markdown(path: Path, section: str) -> None:
    """Replace the generated part of ``path`` between the result markers, keeping the rest intact.

    A missing file gets a short header; a file without markers gets the section appended.
    """
    block = f"{RESULTS_START}\n{section.rstrip()}\n{RESULTS_END}"
    text = path.read_text() if path.exists() else DEFAULT_HEADER
    start, end = text.find(RESULTS_START), text.find(RESULTS_END)
    if start != -1 and end != -1 and end > start:
        text = text[:start] + block + text[end + len(RESULTS_END):]
    else:
        text = text.rstrip() + "\n\n" + block + "\n"
    if not text.endswith("\n"):
        text += "\n"
    path.write_text(text)


def command_line(argv: Sequence[str]) -> str:
    return "mercato " + " ".join(shlex.quote(a) for a in argv)
