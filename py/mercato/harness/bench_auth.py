"""The sign-in benchmark (``mercato bench auth``): sign-ins, refreshes, access-token checks and the outbox against a real
server, each as a ratio to pgbench's TPC-B-like run at the same client count in the same invocation.

One invocation (:meth:`AuthBench.run`):

1. creates ``<prefix>`` (the whole plan deployed; a tenant ``bench`` open to sign-up, a fresh JWT secret, one user per
   client at each bcrypt cost, signed up through ``api.sign_up`` with ``AUTH_BCRYPT_COST`` set to that cost),
   ``<prefix>_tpcb`` (``pgbench -i``) and ``<prefix>_outbox`` (the plan deployed);
2. per round: TPC-B, then each case, then TPC-B again (with ``rounds`` > 1 the runs alternate as in the ledger
   benchmark); each round's case is compared with the mean of the TPC-B runs just before and after it, and the figure
   reported is the median over rounds;
3. the cases, each a pgbench script making the calls PostgREST would make (one transaction: the claims, the role and
   the role's own settings set with ``set_config(…, true)`` as :class:`mercato.client.Client` does, then the ``api``
   call with named arguments, then COMMIT), every client as its own user:

   ``sign_in``      ``api.sign_in`` at the production cost (``AUTH_BCRYPT_COST``, 12 by default), as ``mercato_anon``
   ``sign_in_low``  the same at a low cost (4 by default: tests only), to show what bcrypt takes and what is left
   ``refresh``      ``api.refresh`` as ``mercato_anon``, each client rotating its own session's chain (the token each
                    call returns is the one the next call presents, kept in a pgbench variable as a client keeps it)
   ``me``           ``api.me()`` as ``mercato_user`` with the claims of a JWT the database signed (verified here with
                    the secret, as PostgREST verifies it), so ``identity.current_actor()`` checks its ``sid`` and
                    ``iat`` against the session and ``tokens_valid_after``
   ``outbox``       ``workers`` senders drain ``messages`` SMS messages (:func:`mercato.harness.bench_outbox.drain`):
                    messages claimed and acknowledged per second

   Every run reports CPU per call (pgbench, the server's processes, and for ``outbox`` this Python process, whose
   threads are the senders) and WAL per call (``pg_stat_wal``), as ``mercato bench ledger`` does;
4. checks the outcome of every run: each sign-in made its session and no sign-in failed, each refresh used up exactly
   one token and left its session ACTIVE with one live token, no ``me`` call failed, every message SENT without its
   secret. A failed check voids the figure and fails the command; speed never does.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql
from psycopg.conninfo import make_conninfo

from mercato.harness import bench as b
from mercato.harness import bench_outbox

LogFn = Callable[[str], None]
MARKERS = ("<!-- auth:start -->", "<!-- auth:end -->")
TENANT = "bench"
PASSWORD = "Bench-Quartz-Lantern-2026"

#: name -> what one call is
CASES: dict[str, str] = {
    "sign_in": "api.sign_in at the production bcrypt cost, as mercato_anon",
    "sign_in_low": "api.sign_in at a low bcrypt cost (tests only), as mercato_anon",
    "refresh": "api.refresh rotating the client's own session chain, as mercato_anon",
    "me": "api.me() with a database-signed JWT (current_actor checks sid and tokens_valid_after), as mercato_user",
    "outbox": "one message claimed (a share of a batch) and acknowledged by one of the senders",
}
CASE_NAMES = tuple(CASES)


@dataclass
class AuthSettings:
    url: str
    seconds: int = 30
    clients: int = 8
    rounds: int = 1
    scale: int = 50
    cost: int = 12
    low_cost: int = 4
    workers: int = 8
    messages: int = 20_000
    batch: int = 100
    db_prefix: str = "mercato_bench_auth"
    keep: bool = False
    cases: tuple[str, ...] = CASE_NAMES
    command: str = ""


@dataclass
class CaseRow:
    """One line of the results: a case's median rate over rounds and its ratio to TPC-B."""

    case: str
    cost: int | None
    per_second: float | None
    tpcb_tps: float | None
    ratio: float | None
    ratios: list[float | None]
    cpu_ms_per_call: float | None
    cpu_times_tpcb: float | None
    wal_bytes_per_call: float | None
    fpi_per_call: float | None
    calls_per_flush: float | None
    checks_ok: bool
    failures: list[str] = field(default_factory=list)


@dataclass
class AuthReport:
    report: b.Report                                   # every run (TPC-B and the cases), as the ledger bench keeps them
    costs: dict[str, int]                              # case -> bcrypt cost
    failures: dict[str, list[str]]                     # "case/round" -> what its check found
    settings: dict[str, Any]

    @property
    def checks_ok(self) -> bool:
        return not any(self.failures.values()) and all(not r.error and not r.failed for r in self.report.runs)

    def rows(self) -> list[CaseRow]:
        rep, clients = self.report, self.settings["clients"]
        tpcb, _ = rep.baseline(clients)
        tpcb_cpu, _ = rep.baseline(clients, "cpu_ms_per_call")
        rows = []
        for case in CASE_NAMES:
            runs = rep.runs_of(case, clients)
            if not runs:
                continue
            ratios = [b._ratio(r.tps, rep.round_baseline(clients, r.round)) for r in runs]
            cpu = b.median_of([r.cpu_ms_per_call for r in runs])
            wal = [r.wal_per_call for r in runs]
            fails = [f for r in runs for f in self.failures.get(f"{case}/{r.round}", [])]
            fails += [f"round {r.round}: {r.error or ''} {r.failed or ''} failed".strip() for r in runs if r.error or r.failed]
            rows.append(CaseRow(
                case=case, cost=self.costs.get(case), per_second=b.median_of([r.tps for r in runs]), tpcb_tps=tpcb,
                ratio=b.median_of(ratios), ratios=ratios, cpu_ms_per_call=cpu, cpu_times_tpcb=b._ratio(cpu, tpcb_cpu),
                wal_bytes_per_call=b.median_of([w["bytes"] if w else None for w in wal]),
                fpi_per_call=b.median_of([w["fpi"] if w else None for w in wal]),
                calls_per_flush=b.median_of([w["calls_per_flush"] if w else None for w in wal]),
                checks_ok=not fails, failures=fails))
        return rows

    def as_dict(self) -> dict[str, Any]:
        return {"settings": self.settings, "machine": self.report.machine, "setup_seconds": self.report.setup_seconds,
                "results": [asdict(r) for r in self.rows()],
                "tpcb": [r.as_dict() for r in self.report.runs if r.case == b.TPCB],
                "runs": [r.as_dict() for r in self.report.runs if r.case != b.TPCB],
                "checks_ok": self.checks_ok}


# -- JWTs ------------------------------------------------------------------------------------------

def _b64url_decode(part: str) -> bytes:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def verified_claims(token: str, secret: str) -> dict[str, Any]:
    """The claims of an HS256 JWT whose signature verifies with ``secret`` (what PostgREST checks before it sets
    ``request.jwt.claims``); ValueError otherwise. Expiry is the caller's business."""
    header, payload, signature = token.split(".")
    if json.loads(_b64url_decode(header)).get("alg") != "HS256":
        raise ValueError("not HS256")
    expected = hmac.new(secret.encode(), f"{header}.{payload}".encode(), hashlib.sha256).digest()
    if not hmac.compare_digest(expected, _b64url_decode(signature)):
        raise ValueError("bad signature")
    return json.loads(_b64url_decode(payload))


# -- the scripts -----------------------------------------------------------------------------------

def _prelude(claims: str, role: str, settings: Sequence[tuple[str, str]]) -> str:
    """What the library (and PostgREST) sets at the start of a request's transaction."""
    return (f"SELECT set_config('request.jwt.claims', '{claims}', true), set_config('role', '{role}', true)"
            + "".join(f", set_config('{n}', '{v}', true)" for n, v in settings) + ";")


SIGN_IN_SCRIPT = """-- mercato bench auth: one sign-in per transaction, each client its own user, as mercato_anon
BEGIN;
{prelude}
SELECT session_id, error FROM api.sign_in(p_login => '{login}' || :client_id, p_password => '{password}', p_tenant_code => '{tenant}');
END;
"""

REFRESH_SCRIPT = """-- mercato bench auth: one refresh per transaction, each client rotating its own session's chain, as mercato_anon.
-- The first transaction of a client fetches the token its session was signed in with; then the variable carries the
-- token each answer returned, as a client keeps it.
\\if :first
SELECT token AS rt FROM bench_chain WHERE round = :round AND client = :client_id \\gset
\\set first 0
\\endif
BEGIN;
{prelude}
SELECT coalesce(refresh_token, 'refused') AS rt FROM api.refresh(p_refresh_token => ':rt') \\gset
END;
"""

ME_SCRIPT = """-- mercato bench auth: api.me() per transaction with the claims of a database-signed JWT, as mercato_user
\\if :first
SELECT claims FROM bench_me WHERE round = :round AND client = :client_id \\gset
\\set first 0
\\endif
BEGIN;
SELECT set_config('request.jwt.claims', ':claims', true), set_config('role', 'mercato_user', true){settings};
SELECT user_id FROM api.me();
END;
"""


_WRITTEN = ("identity.session", "identity.token", "identity.sign_in_throttle", "identity.password")


def _login(cost: int) -> str:
    return f"c{cost}-user-"


# -- the harness -----------------------------------------------------------------------------------

class AuthBench:
    def __init__(self, settings: AuthSettings, root: Path | None = None, *, log: LogFn | None = None) -> None:
        if root is None:
            from mercato.config import project_root

            root = project_root()
        self.s = settings
        self.root = root
        self.log: LogFn = log or (lambda _line: None)
        self.admin_url = make_conninfo(settings.url, dbname="postgres")
        self.url = make_conninfo(settings.url, dbname=settings.db_prefix)
        self.outbox_url = make_conninfo(settings.url, dbname=f"{settings.db_prefix}_outbox")
        # The ledger bench's machinery: TPC-B database and runs, pgbench with CPU and WAL measured. Its "ledger" database
        # is ours, so that the interference sampler does not count our own calls as another database's.
        self.inner = b.Bench(b.Settings(url=settings.url, seconds=settings.seconds, clients=(settings.clients,),
                                        accounts=2, scale=settings.scale, db_prefix=settings.db_prefix), root, log=self.log)
        self.secret = secrets.token_urlsafe(48)
        self.failures: dict[str, list[str]] = {}
        self.setup_seconds: dict[str, float] = {}

    # set-up --------------------------------------------------------------------------------------
    def _recreate(self, url: str) -> None:
        name = b._dbname(url)
        with psycopg.connect(self.admin_url, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))

    def drop_databases(self) -> None:
        with psycopg.connect(self.admin_url, autocommit=True) as conn:
            for url in (self.url, self.inner.tpcb_url, self.outbox_url):
                conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(b._dbname(url))))

    @staticmethod
    def _set_cost(conn: psycopg.Connection, cost: int) -> None:
        # The owner arranges the world, as the tests do (masterdata.set_setting needs a back-office caller's permission).
        conn.execute("UPDATE masterdata.setting SET value = %s WHERE key = 'AUTH_BCRYPT_COST'", (str(cost),))

    def setup(self) -> None:
        from mercato.client import role_settings
        from mercato.sqitch import Engine

        t0 = time.monotonic()
        self.log(f"[setup] {b._dbname(self.url)}: deploying the Sqitch plan")
        self._recreate(self.url)
        Engine.from_project(self.url, self.root).deploy()
        self.setup_seconds["deploy"] = round(time.monotonic() - t0, 1)
        t0 = time.monotonic()
        with psycopg.connect(self.url, autocommit=True) as conn:
            conn.execute("SELECT identity.set_jwt_secret(%s)", (self.secret,))
            conn.execute("INSERT INTO identity.tenant (code, name, metadata) VALUES (%s, 'Bench', '{\"self_sign_up\": true}')",
                         (TENANT,))
            for cost in sorted({self.s.cost, self.s.low_cost}):
                self._set_cost(conn, cost)
                self.log(f"[setup] signing up {self.s.clients} users at bcrypt cost {cost} through api.sign_up")
                conn.execute("SELECT count(api.sign_up(%s, %s || g, %s, 'Bench user ' || g)) FROM generate_series(0, %s) g",
                             (TENANT, _login(cost), PASSWORD, self.s.clients - 1))
            conn.execute("CREATE TABLE bench_chain (round int, client int, session_id bigint, token text, PRIMARY KEY (round, client))")
            conn.execute("CREATE TABLE bench_me (round int, client int, claims text, PRIMARY KEY (round, client))")
            # The harness VACUUMs the tables the cases write between runs; no autovacuum worker wakes up mid-run.
            for table in _WRITTEN:
                conn.execute(f"ALTER TABLE {table} SET (autovacuum_enabled = false)")
            self.anon_settings = role_settings(conn, "mercato_anon")
            self.user_settings = role_settings(conn, "mercato_user")
            conn.execute("VACUUM ANALYZE")
        self.setup_seconds["users"] = round(time.monotonic() - t0, 1)
        if "outbox" in self.s.cases:
            t0 = time.monotonic()
            self.log(f"[setup] {b._dbname(self.outbox_url)}: deploying the Sqitch plan")
            self._recreate(self.outbox_url)
            Engine.from_project(self.outbox_url, self.root).deploy()
            self.setup_seconds["outbox_deploy"] = round(time.monotonic() - t0, 1)

    def _sign_in_as_owner(self, conn: psycopg.Connection, client: int) -> tuple[int, str, str]:
        """A session of client ``client``'s low-cost user: (session id, refresh token, access token)."""
        row = conn.execute("SELECT session_id, refresh_token, access_token, error FROM api.sign_in(%s, %s, %s)",
                           (f"{_login(self.s.low_cost)}{client}", PASSWORD, TENANT)).fetchone()
        if row[3]:
            raise RuntimeError(f"set-up sign-in refused: {row[3]}")
        return row[0], row[1], row[2]

    # runs ----------------------------------------------------------------------------------------
    def _script(self, text: str) -> Path:
        with tempfile.NamedTemporaryFile("w", suffix=".sql", delete=False) as f:
            f.write(text)
        return Path(f.name)

    def _pgbench(self, case: str, round_: int, script_text: str, extra_vars: dict[str, Any]) -> b.Run:
        script = self._script(script_text)
        saved = dict(self.inner.vars)
        self.inner.vars = {**extra_vars}
        try:
            self.log(f"[run] {case}, {self.s.clients} clients, {self.s.seconds} s"
                     + (f", round {round_} of {self.s.rounds}" if self.s.rounds > 1 else ""))
            load = b._loadavg()
            res = self.inner._pgbench(self.url, self.s.clients, script)
        finally:
            self.inner.vars = saved
            script.unlink()
        return b.Run(case, self.s.clients, self.s.seconds, res.tps, 1, res.transactions, res.failed, res.latency_ms,
                     res.error, load_before=load, foreign_active=res.foreign_active, foreign_cpu=res.foreign_cpu,
                     cpu_seconds=res.cpu_seconds, wal=res.wal, round=round_)

    def _fail(self, case: str, round_: int, message: str) -> None:
        self.failures.setdefault(f"{case}/{round_}", []).append(message)

    def run_sign_in(self, case: str, cost: int, round_: int) -> b.Run:
        with psycopg.connect(self.url, autocommit=True) as conn:
            self._set_cost(conn, cost)
            count = ("SELECT (SELECT count(*) FROM identity.session),"
                     " (SELECT coalesce(sum(failures), 0) FROM identity.sign_in_throttle)")
            before = conn.execute(count).fetchone()
            text = SIGN_IN_SCRIPT.format(prelude=_prelude('{"role": "mercato_anon"}', "mercato_anon", self.anon_settings),
                                         login=_login(cost), password=PASSWORD, tenant=TENANT)
            run = self._pgbench(case, round_, text, {"round": round_})
            after = conn.execute(count).fetchone()
            conn.execute(f"VACUUM {', '.join(_WRITTEN)}")
        made, failures = after[0] - before[0], after[1] - before[1]
        if run.transactions is not None and made != run.transactions:
            self._fail(case, round_, f"{run.transactions:,} sign-ins made {made:,} sessions")
        if failures:
            self._fail(case, round_, f"{failures} sign-ins failed")
        self._log_run(run)
        return run

    def run_refresh(self, round_: int) -> b.Run:
        case = "refresh"
        with psycopg.connect(self.url, autocommit=True) as conn:
            self._set_cost(conn, self.s.low_cost)
            for client in range(self.s.clients):
                sid, refresh, _ = self._sign_in_as_owner(conn, client)
                conn.execute("INSERT INTO bench_chain VALUES (%s, %s, %s, %s)", (round_, client, sid, refresh))
            used = "SELECT count(*) FROM identity.token WHERE purpose = 'REFRESH' AND used_at IS NOT NULL"
            before = conn.execute(used).fetchone()[0]
            text = REFRESH_SCRIPT.format(prelude=_prelude('{"role": "mercato_anon"}', "mercato_anon", self.anon_settings))
            run = self._pgbench(case, round_, text, {"round": round_, "first": 1})
            done = conn.execute(used).fetchone()[0] - before
            bad = conn.execute(
                "SELECT c.client, s.status, count(t.id) FILTER (WHERE t.used_at IS NULL)"
                "  FROM bench_chain c JOIN identity.session s ON s.id = c.session_id"
                "  JOIN identity.token t ON t.session_id = s.id AND t.purpose = 'REFRESH'"
                " WHERE c.round = %s GROUP BY c.client, s.status"
                " HAVING s.status <> 'ACTIVE' OR count(t.id) FILTER (WHERE t.used_at IS NULL) <> 1", (round_,)).fetchall()
            conn.execute("VACUUM identity.session, identity.token")
        if run.transactions is not None and done != run.transactions:
            self._fail(case, round_, f"{run.transactions:,} refreshes used up {done:,} tokens")
        if bad:
            self._fail(case, round_, f"sessions not ACTIVE with one live token after the run: {bad[:3]}")
        self._log_run(run)
        return run

    def run_me(self, round_: int) -> b.Run:
        case = "me"
        with psycopg.connect(self.url, autocommit=True) as conn:
            self._set_cost(conn, self.s.low_cost)
            for client in range(self.s.clients):
                _, _, access = self._sign_in_as_owner(conn, client)
                claims = verified_claims(access, self.secret)   # what PostgREST does with the Authorization header
                conn.execute("INSERT INTO bench_me VALUES (%s, %s, %s)", (round_, client, json.dumps(claims)))
        settings = "".join(f", set_config('{n}', '{v}', true)" for n, v in self.user_settings)
        run = self._pgbench(case, round_, ME_SCRIPT.format(settings=settings), {"round": round_, "first": 1})
        self._log_run(run)
        return run

    def run_outbox(self, round_: int) -> b.Run:
        """The outbox drain measured like a pgbench run: a CHECKPOINT first, pg_stat_wal around it, the CPU of this
        process (the senders) and of the server's own processes, and other processes' share as interference."""
        case = "outbox"
        self.log(f"[setup] enqueueing {self.s.messages:,} messages")
        bench_outbox.enqueue(self.outbox_url, self.s.messages)
        self.log(f"[run] outbox, {self.s.workers} senders, batches of {self.s.batch}"
                 + (f", round {round_} of {self.s.rounds}" if self.s.rounds > 1 else ""))
        load = b._loadavg()
        ours = [b._dbname(u) for u in (self.url, self.inner.tpcb_url, self.outbox_url)]
        with psycopg.connect(self.admin_url, autocommit=True) as conn:
            conn.execute("CHECKPOINT")
            wal0 = b._wal_stats(conn)
            meter = b.CpuMeter(b.CpuMeter.available(conn.info.backend_pid))
            done, samples = threading.Event(), []

            def sample() -> None:
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
                        meter.sample([os.getpid()], foreign)

            meter.begin()
            sampler = threading.Thread(target=sample, daemon=True)
            sampler.start()
            error = None
            elapsed = None
            try:
                elapsed = bench_outbox.drain(self.outbox_url, self.s.workers, self.s.batch)
            except RuntimeError as exc:
                error = str(exc)[:2000]
            finally:
                done.set()
                sampler.join()
            meter.sample([os.getpid()])   # the senders' last fraction of a second
            meter.end()
            deadline = time.monotonic() + 5   # backends add their WAL counters when they exit
            while time.monotonic() < deadline and conn.execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = %s", (ours[2],)).fetchone()[0]:
                time.sleep(0.05)
            wal = b._wal_delta(wal0, b._wal_stats(conn))
        sent, secrets_left = bench_outbox.outcome(self.outbox_url)
        with psycopg.connect(self.outbox_url, autocommit=True) as conn:
            total = conn.execute("SELECT count(*) FROM outbox.message").fetchone()[0]
            conn.execute("VACUUM ANALYZE outbox.message")
        if sent != total:
            self._fail(case, round_, f"{total - sent:,} of {total:,} messages not SENT")
        if secrets_left:
            self._fail(case, round_, f"{secrets_left} secrets left after the drain")
        run = b.Run(case, self.s.clients, round(elapsed or 0), self.s.messages / elapsed if elapsed else None, 1,
                    self.s.messages, 0, None, error, load_before=load,
                    foreign_active=round(sum(samples) / len(samples), 2) if samples else 0.0,
                    foreign_cpu=meter.result, cpu_seconds=meter.ours_seconds, wal=wal, round=round_)
        self._log_run(run)
        return run

    def _log_run(self, run: b.Run) -> None:
        fails = self.failures.get(f"{run.case}/{run.round}")
        self.log(f"      {b._fmt(run.tps)} calls/s" + b._cpu(run) + b._interference(run)
                 + (f"  CHECK FAILED: {'; '.join(fails)}" if fails else "") + (f"  ERROR {run.error}" if run.error else ""))

    def run(self) -> AuthReport:
        machine = b.machine_info(self.admin_url)
        self.log(f"[info] {machine['cpus']} CPUs, {machine['memory_gb']} GB, {machine['postgresql']}, "
                 f"load average {machine['load_average']}")
        runs: list[b.Run] = []
        try:
            t0 = time.monotonic()
            self.inner.setup_tpcb()
            self.setup_seconds["tpcb_init"] = round(time.monotonic() - t0, 1)
            self.setup()
            clients = self.s.clients
            runs.append(self.inner.run_tpcb(clients, 0))
            for round_ in range(1, self.s.rounds + 1):
                for case in CASE_NAMES:
                    if case not in self.s.cases:
                        continue
                    if case == "sign_in":
                        runs.append(self.run_sign_in(case, self.s.cost, round_))
                    elif case == "sign_in_low":
                        runs.append(self.run_sign_in(case, self.s.low_cost, round_))
                    elif case == "refresh":
                        runs.append(self.run_refresh(round_))
                    elif case == "me":
                        runs.append(self.run_me(round_))
                    else:
                        runs.append(self.run_outbox(round_))
                runs.append(self.inner.run_tpcb(clients, round_))
        finally:
            if not self.s.keep:
                self.drop_databases()
        machine["load_average_after"] = b._loadavg()
        settings = {k: v for k, v in asdict(self.s).items() if k != "url"}
        settings["cases"] = list(self.s.cases)
        settings["pgbench"] = f"pgbench -n -c {self.s.clients} -j {min(2, self.s.clients)} -T {self.s.seconds} (query mode simple)"
        report = b.Report(machine, settings, runs, self.setup_seconds)
        return AuthReport(report, {"sign_in": self.s.cost, "sign_in_low": self.s.low_cost}, self.failures, settings)


def run(settings: AuthSettings, *, root: Path | None = None, log: LogFn | None = None) -> AuthReport:
    """Run the sign-in benchmark once (see the module docstring)."""
    return AuthBench(settings, root, log=log).run()


# -- rendering -------------------------------------------------------------------------------------

def _ratio_cell(row: CaseRow, digits: int = 3) -> str:
    cell = b._fmt(row.ratio, digits)
    known = [x for x in row.ratios if x is not None]
    if len(row.ratios) > 1 and known:
        cell += f" ({b._fmt(min(known), digits)}–{b._fmt(max(known), digits)})"
    return cell


def render_text(rep: AuthReport) -> str:
    from mercato.cli.common import table

    rows = [{"case": r.case, "bcrypt cost": r.cost if r.cost is not None else "", "calls/s": b._fmt(r.per_second),
             "TPC-B tps": b._fmt(r.tpcb_tps), "ratio": _ratio_cell(r), "CPU ms/call": b._fmt(r.cpu_ms_per_call, 3),
             "x TPC-B CPU": b._fmt(r.cpu_times_tpcb, 1), "WAL bytes/call": b._fmt(r.wal_bytes_per_call, 0),
             "calls/flush": b._fmt(r.calls_per_flush, 1), "checks": "ok" if r.checks_ok else "FAILED: " + "; ".join(r.failures)}
            for r in rep.rows()]
    out = [table(rows), ""]
    for r in b.noisy_runs(rep.report):
        out.append(f"interference during {r.case} round {r.round}: {b._interference(r).strip()}")
    out.append(f"checks: {'ok' if rep.checks_ok else 'FAILED (see above)'}")
    return "\n".join(out)


def _fmt_share(value: float | None) -> str:
    return "—" if value is None else f"{value:.0%}"


def render_markdown(rep: AuthReport) -> str:
    """The generated results section (without the markers)."""
    m, s, report = rep.report.machine, rep.settings, rep.report
    clients = s["clients"]
    _, each = report.baseline(clients)
    lines = [
        "## Sign-in results",
        "",
        f"Generated by `{s.get('command') or 'mercato bench auth'}` on {m['date']}.",
        "",
        f"- Machine: {m['cpus']} CPUs ({m.get('cpu_model') or 'unknown'}), {m['memory_gb']} GB RAM; load average before "
        f"{m['load_average']}, after {m.get('load_average_after', '?')}",
        f"- Server: {m['postgresql']}; " + ", ".join(f"{k}={v}" for k, v in sorted(m.get("server_settings", {}).items())),
        f"- Load: `{s['pgbench']}`; TPC-B-like baseline at scale {s['scale']}: "
        + ", ".join(b._fmt(x) for x in each) + " tps (before" + (", between" if s["rounds"] > 1 else "") + " and after the cases)"
        + (f"; {s['rounds']} rounds, each case against the TPC-B runs around it, medians shown with the range" if s["rounds"] > 1 else "")
        + f"; outbox: {s['workers']} senders, {s['messages']:,} messages per round, batches of {s['batch']}",
        f"- Setup: " + ", ".join(f"{k.replace('_', ' ')} {v} s" for k, v in report.setup_seconds.items()),
        "",
        "| case | bcrypt cost | calls/s | TPC-B tps | ratio to TPC-B | CPU ms per call | × TPC-B's CPU | WAL bytes per call "
        "| full-page images per call | calls per WAL flush | checks |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for r in rep.rows():
        lines.append(f"| {r.case} | {r.cost if r.cost is not None else '—'} | {b._fmt(r.per_second)} | {b._fmt(r.tpcb_tps)} "
                     f"| {_ratio_cell(r)} | {b._fmt(r.cpu_ms_per_call, 3)} | {b._fmt(r.cpu_times_tpcb, 1)} "
                     f"| {b._fmt(r.wal_bytes_per_call, 0)} | {b._fmt(r.fpi_per_call, 2)} | {b._fmt(r.calls_per_flush, 1)} "
                     f"| {'ok' if r.checks_ok else '**FAILED**: ' + '; '.join(r.failures)} |")
    tpcb_cpu = report.baseline(clients, "cpu_ms_per_call")[0]
    tpcb_wal = b.median_of([(r.wal_per_call or {}).get("bytes") for r in report.runs if r.case == b.TPCB])
    lines += ["", f"TPC-B itself: {b._fmt(tpcb_cpu, 3)} ms CPU and {b._fmt(tpcb_wal, 0)} WAL bytes per transaction. "
              "One call is: " + "; ".join(f"`{k}` {v}" for k, v in CASES.items() if k in s["cases"]) + "."]
    noisy = b.noisy_runs(report)
    lines += ["", ("Interference (CPU used by other processes on the machine, sampled every 0.5 s): "
                   + ", ".join(f"{r.case} round {r.round} {_fmt_share(r.foreign_cpu)}"
                               + (f" and {r.foreign_active} other-database queries" if r.foreign_active else "")
                               for r in noisy)
                   + f" — above {b.NOISY_CPU:.0%} the figures are less trustworthy.") if noisy else
              f"Interference: nothing else used more than {b.NOISY_CPU:.0%} of the CPUs during any run."]
    return "\n".join(lines) + "\n"


def update_markdown(path: Path, section: str) -> None:
    """Replace this bench's section of ``path`` between its markers (appended when absent), keeping the rest."""
    start_marker, end_marker = MARKERS
    block = f"{start_marker}\n{section.rstrip()}\n{end_marker}"
    text = path.read_text() if path.exists() else "# Benchmarks\n"
    start, end = text.find(start_marker), text.find(end_marker)
    if start != -1 and end != -1 and end > start:
        text = text[:start] + block + text[end + len(end_marker):]
    else:
        text = text.rstrip() + "\n\n" + block + "\n"
    path.write_text(text if text.endswith("\n") else text + "\n")


__all__ = ["AuthBench", "AuthReport", "AuthSettings", "CASES", "CASE_NAMES", "render_markdown", "render_text", "run",
           "update_markdown", "verified_claims"]
