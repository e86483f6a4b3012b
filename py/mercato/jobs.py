"""Periodic jobs (schema ``jobs``): list them, run them, read their history, schedule them with pg_cron.

A job is a function the database runs periodically (``jobs.register`` in the owning module's own change; see
docs/jobs.md). Running one is ``jobs.run(name)`` in its own transaction: a job that fails is recorded with its error and
does not stop the others. Everything here is the back office's (the database URL's owner role): no API role may touch
the ``jobs`` schema.

pg_cron keeps its job table in one database of the cluster (``cron.database_name``); :func:`schedule` connects there
when the target database is another one and registers ``SELECT jobs.run('<name>')`` for the target with
``cron.schedule_in_database``. Its cron job names are ``mercato:<database>:<job>``, which is how it recognises (and
removes) the entries it made for a database. No session state is left on a connection (no SET, nothing prepared when
:func:`mercato.config.prepare_threshold` says so), so everything but :func:`schedule` works behind pgbouncer.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import psycopg
from psycopg.conninfo import make_conninfo
from psycopg.rows import dict_row

from mercato.errors import MercatoError, from_psycopg

#: pg_cron's job names are of type name: at most 63 bytes.
CRON_NAME_MAX = 63


class CronUnavailable(RuntimeError):
    """pg_cron is not loaded by the target server, or not installable there."""


@dataclass(frozen=True)
class Job:
    """A registered job (jobs.job) with its latest run."""

    name: str
    schedule: str
    function: str
    description: str
    enabled: bool
    last_started_at: dt.datetime | None
    last_outcome: str | None


@dataclass(frozen=True)
class Run:
    """One run of a job (jobs.job_run). ``id`` is None for a run whose transaction failed to commit (not recorded)."""

    id: int | None
    job: str
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    seconds: float | None
    outcome: str
    result: Any
    error_sqlstate: str | None
    error_code: str | None
    error_message: str | None
    error_detail: str | None

    @property
    def ok(self) -> bool:
        return self.outcome == "OK"


@dataclass(frozen=True)
class CronEntry:
    """What :func:`schedule` did with one pg_cron entry: scheduled, updated, unchanged or unscheduled."""

    cron_name: str
    job: str
    schedule: str | None
    action: str


@dataclass(frozen=True)
class ScheduleReport:
    database: str
    cron_database: str
    extension_created: bool
    entries: list[CronEntry]


@contextmanager
def connect(url: str | None = None) -> Iterator[psycopg.Connection]:
    """An autocommit connection to ``url`` (default: DATABASE_URL or the embedded cluster); each call below opens its
    own transaction."""
    from mercato.config import database_url, prepare_threshold

    try:
        conn = psycopg.connect(url or database_url(), autocommit=True, prepare_threshold=prepare_threshold())
    except psycopg.Error as exc:
        raise from_psycopg(exc) from exc
    try:
        yield conn
    finally:
        conn.close()


def _rows(conn: psycopg.Connection, query: str, params: Any = None) -> list[dict[str, Any]]:
    try:
        with conn.transaction(), conn.cursor(row_factory=dict_row) as cur:
            cur.execute(query, params)
            return cur.fetchall()
    except psycopg.Error as exc:
        raise from_psycopg(exc) from exc


def _exec(conn: psycopg.Connection, query: str, params: Any = None) -> None:
    try:
        with conn.transaction():
            conn.execute(query, params)
    except psycopg.Error as exc:
        raise from_psycopg(exc) from exc


_RUN_COLUMNS = """r.id, j.name AS job, r.started_at, r.finished_at, extract(epoch FROM r.duration)::float8 AS seconds,
                  r.outcome, r.result, r.error_sqlstate, r.error_code, r.error_message, r.error_detail"""


def list_jobs(conn: psycopg.Connection) -> list[Job]:
    """Every registered job, by name, with the start and outcome of its latest run."""
    rows = _rows(conn, """
        SELECT j.name, j.schedule, j.function_name AS function, j.description, j.enabled,
               l.started_at AS last_started_at, l.outcome AS last_outcome
          FROM jobs.job j
          LEFT JOIN LATERAL (SELECT r.started_at, r.outcome FROM jobs.job_run r WHERE r.job_id = j.id
                              ORDER BY r.started_at DESC LIMIT 1) l ON true
         ORDER BY j.name""")
    return [Job(**r) for r in rows]


def run_job(conn: psycopg.Connection, name: str, *, even_if_disabled: bool = False) -> Run:
    """Run one job now, in its own transaction, and return its recorded run (OK or FAILED: a failing job does not
    raise). An unknown or disabled job raises MercatoError (JOBS_UNKNOWN_JOB, JOBS_DISABLED) and nothing is run."""
    rows = _rows(conn, f"SELECT {_RUN_COLUMNS} FROM jobs.run(%s, %s) r JOIN jobs.job j ON j.id = r.job_id",
                 (name, even_if_disabled))
    return Run(**rows[0])


def run_all(conn: psycopg.Connection, *, on_start: Callable[[str], None] | None = None,
            on_run: Callable[[Run], None] | None = None) -> list[Run]:
    """Run every enabled job once, by name, each in its own transaction, so one failing job neither stops nor rolls
    back the others. ``on_start(name)`` and ``on_run(run)`` report progress. A job disabled or unregistered in the
    meantime is skipped; a transaction that fails to commit is reported as a FAILED run without id (not recorded)."""
    runs = []
    for name in [r["name"] for r in _rows(conn, "SELECT name FROM jobs.job WHERE enabled ORDER BY name")]:
        if on_start:
            on_start(name)
        try:
            run = run_job(conn, name)
        except MercatoError as exc:
            if exc.code in ("JOBS_DISABLED", "JOBS_UNKNOWN_JOB"):
                continue
            run = Run(None, name, None, None, None, "FAILED", None, exc.sqlstate, exc.code, exc.message, exc.detail)
        runs.append(run)
        if on_run:
            on_run(run)
    return runs


def set_enabled(conn: psycopg.Connection, name: str, enabled: bool) -> Job:
    """Enable or disable a job (idempotent)."""
    _exec(conn, "SELECT jobs.set_enabled(%s, %s)", (name, enabled))
    return next(j for j in list_jobs(conn) if j.name == name)


def history(conn: psycopg.Connection, name: str | None = None, limit: int = 20) -> list[Run]:
    """The latest runs, newest first, of one job (JOBS_UNKNOWN_JOB if there is none of that name) or of all."""
    if name is not None:
        _exec(conn, "SELECT core.raise('JOBS_UNKNOWN_JOB', format('job %%s', %s::text)) "
                    "WHERE NOT EXISTS (SELECT 1 FROM jobs.job WHERE name = %s)", (name, name))
    rows = _rows(conn, f"""
        SELECT {_RUN_COLUMNS} FROM jobs.job_run r JOIN jobs.job j ON j.id = r.job_id
         WHERE %(name)s::text IS NULL OR j.name = %(name)s
         ORDER BY r.started_at DESC, r.id DESC LIMIT %(limit)s""", {"name": name, "limit": limit})
    return [Run(**r) for r in rows]


# -- pg_cron ---------------------------------------------------------------------------------------------------------

def cron_name(database: str, job: str) -> str:
    """The pg_cron job name of ``job`` of ``database``."""
    return f"mercato:{database}:{job}"


@dataclass(frozen=True)
class _CronTarget:
    database: str          # the database whose jobs are scheduled
    cron_database: str     # where pg_cron keeps its jobs (cron.database_name)
    cron_url: str          # a connection string to it


def check_cron_loaded(database: str, libraries: str | None, cron_database: str | None) -> None:
    """Raise :class:`CronUnavailable`, saying what to do, unless the server's ``shared_preload_libraries`` lists
    pg_cron and ``cron.database_name`` is set."""
    if "pg_cron" not in [lib.strip() for lib in (libraries or "").split(",")] or not cron_database:
        raise CronUnavailable(
            f"pg_cron is not available: the server of database {database} does not load it "
            "(shared_preload_libraries). Install postgresql-15-cron and load it (the embedded cluster does so itself "
            "on `mercato db up`), or have another scheduler call `mercato jobs run`")


def _cron_target(url: str | None) -> _CronTarget:
    """Where pg_cron is for the target database; CronUnavailable when the server does not load it."""
    from mercato.config import database_url

    url = url or database_url()
    with connect(url) as conn:
        row = _rows(conn, """
            SELECT current_database() AS database,
                   (SELECT setting FROM pg_settings WHERE name = 'shared_preload_libraries') AS libraries,
                   (SELECT setting FROM pg_settings WHERE name = 'cron.database_name') AS cron_database""")[0]
    check_cron_loaded(row["database"], row["libraries"], row["cron_database"])
    cron_url = url if row["cron_database"] == row["database"] else make_conninfo(url, dbname=row["cron_database"])
    return _CronTarget(row["database"], row["cron_database"], cron_url)


def _cron_jobs(cron: psycopg.Connection, database: str) -> list[dict[str, Any]]:
    prefix = cron_name(database, "")
    return _rows(cron, """SELECT jobid, jobname, schedule, command, database, active FROM cron.job
                           WHERE left(jobname, length(%s)) = %s ORDER BY jobname""", (prefix, prefix))


def _has_cron_extension(cron: psycopg.Connection) -> bool:
    return bool(_rows(cron, "SELECT 1 AS x FROM pg_extension WHERE extname = 'pg_cron'"))


def schedule(url: str | None = None, *, remove: bool = False) -> ScheduleReport:
    """Register every enabled job of the target database with pg_cron (``SELECT jobs.run('<name>')`` at its schedule),
    update the entries whose schedule or command changed, and unschedule this database's entries whose job is gone or
    disabled (with ``remove``: all of this database's entries). Idempotent. Creates the pg_cron extension in pg_cron's
    database when it is missing. Raises :class:`CronUnavailable` when the server does not load pg_cron."""
    target = _cron_target(url)
    wanted: dict[str, tuple[str, str, str]] = {}
    if not remove:
        with connect(url) as conn:
            for r in _rows(conn, "SELECT name, schedule, format('SELECT jobs.run(%L)', name) AS command "
                                 "FROM jobs.job WHERE enabled ORDER BY name"):
                wanted[cron_name(target.database, r["name"])] = (r["name"], r["schedule"], r["command"])
    too_long = [n for n in wanted if len(n.encode()) > CRON_NAME_MAX]
    if too_long:
        raise CronUnavailable(f"pg_cron job names are at most {CRON_NAME_MAX} bytes: {', '.join(too_long)} "
                              "(a shorter database name helps)")
    with connect(target.cron_url) as cron:
        created = not _has_cron_extension(cron)
        if created:
            if not _rows(cron, "SELECT 1 AS x FROM pg_available_extensions WHERE name = 'pg_cron'"):
                raise CronUnavailable(f"pg_cron is loaded but its extension is not installed in {target.cron_database}")
            _exec(cron, "CREATE EXTENSION IF NOT EXISTS pg_cron")
        existing = {r["jobname"]: r for r in _cron_jobs(cron, target.database)}
        entries = []
        for name, (job, when, command) in wanted.items():
            have = existing.get(name)
            if have is None:
                _exec(cron, "SELECT cron.schedule_in_database(%s, %s, %s, %s)",
                      (name, when, command, target.database))
                action = "scheduled"
            elif (have["schedule"], have["command"], have["database"], have["active"]) != (when, command,
                                                                                            target.database, True):
                # cron.schedule_in_database would keep an existing entry's database: alter it instead
                _exec(cron, "SELECT cron.alter_job(%s, %s, %s, %s, NULL, true)",
                      (have["jobid"], when, command, target.database))
                action = "updated"
            else:
                action = "unchanged"
            entries.append(CronEntry(name, job, when, action))
        for name, have in existing.items():
            if name not in wanted:
                _exec(cron, "SELECT cron.unschedule(%s::bigint)", (have["jobid"],))
                entries.append(CronEntry(name, name[len(cron_name(target.database, "")):], have["schedule"],
                                         "unscheduled"))
    return ScheduleReport(target.database, target.cron_database, created, entries)


def cron_entries(url: str | None = None) -> list[dict[str, Any]]:
    """pg_cron's entries for the target database (``mercato:<database>:<job>``), read from pg_cron's database; empty
    when pg_cron is loaded but its extension not created yet. Raises :class:`CronUnavailable` without pg_cron."""
    target = _cron_target(url)
    with connect(target.cron_url) as cron:
        return _cron_jobs(cron, target.database) if _has_cron_extension(cron) else []
