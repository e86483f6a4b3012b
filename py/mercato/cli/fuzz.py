"""``mercato fuzz``: bad-input fuzzing of every api function through the PostgREST emulator."""

from __future__ import annotations

import sys

import click


@click.command(name="fuzz")
@click.option("--examples", type=click.IntRange(1, 100_000), default=200, show_default=True,
              help="Calls per api function.")
@click.option("--seed", type=int, default=None, help="Random seed (default: derandomized, reproducible).")
@click.option("--function", "functions", multiple=True, help="Only these api functions (repeatable).")
@click.option("--db-name", default="mercato_fuzz", show_default=True, help="Scratch database (re-created).")
def command(examples: int, seed: int | None, functions: tuple[str, ...], db_name: str) -> None:
    """Call every api function with hypothesis-drawn bad input as every kind of caller.

    Creates a fresh database on the target server, deploys the plan, adds a few parties and things for
    them to act on, then reports calls, statuses and every violation (an undocumented code, a raw
    PostgreSQL error from inside a function, an internal error, or a failed call that changed a table).
    Draws ±infinity and out-of-range dates, JSON nulls inside documents and values one past each
    input type's maximum. Exit status 1 when there is any violation.
    """
    import psycopg
    from psycopg.conninfo import make_conninfo

    from mercato.config import database_url
    try:
        from mercato.harness.fuzz import brief, run, seed_parties
    except ImportError as exc:   # hypothesis is a test/fuzz dependency (py/requirements.txt, extra "fuzz")
        raise click.ClickException(f"mercato fuzz needs hypothesis: pip install 'mercato[fuzz]' ({exc})") from None
    from mercato.sqitch import Engine

    server = database_url()
    with psycopg.connect(make_conninfo(server, dbname="postgres"), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{db_name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{db_name}"')
    url = make_conninfo(server, dbname=db_name)
    Engine.from_project(url).deploy()
    callers, ids, texts = seed_parties(url)

    def progress(index: int, total: int, name: str, report) -> None:  # type: ignore[no-untyped-def]
        click.echo(f"[{index + 1}/{total}] {name:<28} calls so far {report.calls:>7}, violations {len(report.violations)}",
                   err=True)

    report = run(url, examples=examples, callers=callers, known_ids=ids, known_texts=texts,
                 functions=list(functions) or None, seed=seed, progress=progress)
    click.echo(f"calls {report.calls}, succeeded {report.succeeded}, refused with a documented code "
               f"{report.failed_as_documented}, violations {len(report.violations)}")
    click.echo("statuses: " + ", ".join(f"{k}: {v}" for k, v in sorted(report.by_status.items())))
    for v in report.violations[:50]:
        click.echo(f"VIOLATION {v.function} as {v.caller}: {v.status} {brief(v.body)} — {v.reason}; args {brief(v.args)}")
    if report.violations:
        sys.exit(1)
