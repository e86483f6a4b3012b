"""``mercato db deploy|revert|verify|status|log``: Sqitch-compatible schema management.

The ``db`` click group lives in :mod:`mercato.cli.db`; it calls :func:`register` to add these
subcommands. Every command targets :func:`mercato.config.database_url` and the project found by
:func:`mercato.config.project_root`. Any :class:`~mercato.sqitch.SqitchError` is reported as a
single ``error: ...`` line on stderr with exit code 1.
"""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable
from typing import Any, TypeVar

import click

from mercato.sqitch import Engine, SqitchError

F = TypeVar("F", bound=Callable[..., Any])


def _fail(message: str) -> None:
    click.echo(f"error: {message}", err=True)
    sys.exit(1)


def _errors_to_exit(func: F) -> F:
    """Turn SqitchError (and project/config lookup errors) into ``error: ...`` + exit code 1."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except SqitchError as exc:
            _fail(str(exc))
        except RuntimeError as exc:  # e.g. project root not found, cluster failed to start
            _fail(" ".join(str(exc).split()))

    return wrapper  # type: ignore[return-value]


def _engine(quiet: bool = False) -> Engine:
    from mercato.config import database_url, project_root

    log = (lambda _line: None) if quiet else click.echo
    return Engine.from_project(database_url(), project_root(), log=log)


def register(group: click.Group) -> None:
    """Add ``deploy``, ``revert``, ``verify``, ``status`` and ``log`` to ``group``."""

    @group.command("deploy")
    @click.option("--to", "to", metavar="CHANGE", help="Deploy up to and including this change or @tag.")
    @_errors_to_exit
    def deploy(to: str | None) -> None:
        """Deploy pending changes of sqitch.plan to the database."""
        _engine().deploy(to)

    @group.command("revert")
    @click.option("--to", "to", metavar="CHANGE", help="Revert changes after this one (it stays deployed).")
    @click.option("-y", "yes", is_flag=True, help="Do not ask for confirmation.")
    @_errors_to_exit
    def revert(to: str | None, yes: bool) -> None:
        """Revert deployed changes (all of them, or those after --to)."""

        def ask(question: str) -> bool:
            try:
                return click.confirm(question, default=True)
            except click.Abort:
                return False

        _engine().revert(to, confirm=None if yes else ask)

    @group.command("verify")
    @_errors_to_exit
    def verify() -> None:
        """Run the verify script of every deployed change."""
        _engine().verify()

    @group.command("status")
    @click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
    @_errors_to_exit
    def status(as_json: bool) -> None:
        """Show the last deployed change and what is left to deploy."""
        st = _engine(quiet=True).status()
        if as_json:
            click.echo(json.dumps(st.to_dict(), indent=2, ensure_ascii=False))
            return
        click.echo(f"# On database {st.destination}")
        last = st.last_change
        if last is None:
            click.echo("# No changes deployed")
        else:
            click.echo(f"# Project:  {st.project}")
            click.echo(f"# Change:   {last.change_id}")
            click.echo(f"# Name:     {last.change}")
            if last.tags:
                click.echo(f"# Tag{'s' if len(last.tags) > 1 else ''}:      {', '.join(last.tags)}")
            click.echo(f"# Deployed: {last.committed_at.isoformat()}")
            click.echo(f"# By:       {last.committer_name} <{last.committer_email}>")
            click.echo(f"# Count:    {st.deployed_count} change(s) deployed")
        click.echo("#")
        if st.up_to_date:
            click.echo("Nothing to deploy (up-to-date)")
        elif st.pending:
            click.echo("Undeployed change:" if len(st.pending) == 1 else "Undeployed changes:")
            for name in st.pending:
                click.echo(f"  * {name}")

    @group.command("log")
    @click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
    @click.option("-n", "--max-count", "limit", type=int, default=None, help="Show at most N events.")
    @_errors_to_exit
    def log(as_json: bool, limit: int | None) -> None:
        """Show the deployment history (newest first)."""
        events = _engine(quiet=True).log(limit)
        if as_json:
            click.echo(json.dumps([e.to_dict() for e in events], indent=2, ensure_ascii=False))
            return
        for i, ev in enumerate(events):
            if i:
                click.echo("")
            click.echo(f"{ev.event.capitalize()} {ev.change_id}")
            click.echo(f"Name:      {ev.change}{' ' + ' '.join(ev.tags) if ev.tags else ''}")
            click.echo(f"Project:   {ev.project}")
            click.echo(f"Committer: {ev.committer_name} <{ev.committer_email}>")
            click.echo(f"Date:      {ev.committed_at.isoformat()}")
            if ev.note:
                click.echo("")
                for line in ev.note.splitlines():
                    click.echo(f"    {line}")
