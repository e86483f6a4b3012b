"""``mercato jobs``: the periodic jobs of the ``jobs`` schema — list, run, history, enable/disable, pg_cron schedule.

Back office only (the database URL's role): no API role may touch the jobs. ``run`` runs each job in its own
transaction, prints one line per job as it goes, and exits 1 when any job failed (the others still ran).
"""

from __future__ import annotations

import json
import sys

import click

from mercato import jobs as lib
from mercato.cli.common import emit

json_option = click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
JOB_COLUMNS = ["name", "schedule", "function", "enabled", "last_started_at", "last_outcome"]


@click.group(name="jobs")
def command() -> None:
    """Periodic jobs: list, run, history; schedule them with pg_cron."""


@command.command("list")
@json_option
def list_(as_json: bool) -> None:
    """Every registered job: schedule (cron, UTC), function, enabled, latest run."""
    with lib.connect() as conn:
        emit(lib.list_jobs(conn), as_json=as_json, columns=None if as_json else JOB_COLUMNS)


def _summary(run: lib.Run) -> str:
    """The result (shortened) or the error of a run, on one line."""
    if run.ok:
        return "" if run.result is None else json.dumps(run.result)[:100]
    where = "" if run.id is not None else " (not recorded: the transaction failed)"
    return f"{run.error_code or run.error_sqlstate}: {run.error_message}{where}"


@command.command()
@click.argument("name", required=False)
@click.option("--even-if-disabled", is_flag=True, help="Run NAME although it is disabled.")
@json_option
def run(name: str | None, even_if_disabled: bool, as_json: bool) -> None:
    """Run every enabled job once (or only NAME), each in its own transaction; exit 1 if any failed.

    A failing job is recorded with its error (mercato jobs history) and does not stop the others."""
    def started(job: str) -> None:
        if not as_json:
            click.echo(f"{job} ... ", nl=False)

    def finished(r: lib.Run) -> None:
        if not as_json:
            seconds = "" if r.seconds is None else f" {r.seconds:.3f} s"
            click.echo(f"{r.outcome}{seconds} {_summary(r)}".rstrip())

    if even_if_disabled and name is None:
        raise click.UsageError("--even-if-disabled runs one job: name it")
    with lib.connect() as conn:
        if name is None:
            runs = lib.run_all(conn, on_start=started, on_run=finished)
        else:
            started(name)
            try:
                runs = [lib.run_job(conn, name, even_if_disabled=even_if_disabled)]
            except Exception:
                if not as_json:
                    click.echo("refused")
                raise
            finished(runs[0])
    failed = [r for r in runs if not r.ok]
    if as_json:
        emit(runs, as_json=True)
    else:
        names = ", ".join(r.job for r in failed)
        click.echo(f"{len(runs) - len(failed)} of {len(runs)} jobs ok" + (f", failed: {names}" if failed else ""))
    if failed:
        sys.exit(1)


@command.command()
@click.argument("name", required=False)
@click.option("--limit", type=click.IntRange(1, 10000), default=20, show_default=True)
@json_option
def history(name: str | None, limit: int, as_json: bool) -> None:
    """The latest runs, newest first (of NAME, or of every job)."""
    with lib.connect() as conn:
        runs = lib.history(conn, name, limit)
    if as_json:
        emit(runs, as_json=True)
        return
    emit([{"id": r.id, "job": r.job, "started_at": r.started_at, "seconds": r.seconds, "outcome": r.outcome,
           "summary": _summary(r)} for r in runs], as_json=False)


@command.command()
@click.argument("name")
@json_option
def enable(name: str, as_json: bool) -> None:
    """Enable a job (mercato jobs schedule then adds it to pg_cron)."""
    with lib.connect() as conn:
        emit(lib.set_enabled(conn, name, True), as_json=as_json, columns=None if as_json else JOB_COLUMNS)


@command.command()
@click.argument("name")
@json_option
def disable(name: str, as_json: bool) -> None:
    """Disable a job: not run by `run` without NAME, left out of pg_cron by the next `schedule`."""
    with lib.connect() as conn:
        emit(lib.set_enabled(conn, name, False), as_json=as_json, columns=None if as_json else JOB_COLUMNS)


@command.command("schedule")
@click.option("--remove", is_flag=True, help="Unschedule every pg_cron entry of this database instead.")
@json_option
def schedule_(remove: bool, as_json: bool) -> None:
    """Register every enabled job with pg_cron (idempotent; entries of jobs gone or disabled are unscheduled).

    pg_cron must be loaded by the server (the embedded cluster loads it when postgresql-15-cron is installed); the
    extension is created in pg_cron's database (cron.database_name) if missing, and each job runs there as
    `SELECT jobs.run('<name>')` in this database, as the role that scheduled it."""
    report = lib.schedule(remove=remove)
    if as_json:
        emit(report, as_json=True)
        return
    if report.extension_created:
        click.echo(f"created the pg_cron extension in database {report.cron_database}")
    emit(report.entries, as_json=False, columns=["cron_name", "job", "schedule", "action"],
         title=f"pg_cron (in {report.cron_database}) for database {report.database}:")
