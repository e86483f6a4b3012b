"""``mercato db deploy|revert|verify|status|log|check-drift``: Sqitch-compatible schema management.

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

from mercato.sqitch import Drift, Engine, SqitchError

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


#: What to do about drift: the registry records what was deployed, so the fix is a new change, never an edited one.
DRIFT_ADVICE = ("a deployed change is changed only by `sqitch rework` or a new change: put the deploy script of "
                "each change above back as it was deployed and move the edit into a rework or a new change")


def _drift_lines(drift: list[Drift]) -> list[str]:
    """One line per drifted change: its name, why, and the registry's and the file's hashes."""
    lines = []
    for d in drift:
        where = f" ({d.script})" if d.script else ""
        hashes = f"registry {d.deployed_hash[:12]}, file {d.current_hash[:12] if d.current_hash else 'none'}"
        lines.append(f"  * {d.change}{where}: {d.reason} [{hashes}]")
    return lines


def register(group: click.Group) -> None:
    """Add ``deploy``, ``revert``, ``verify``, ``status``, ``log`` and ``check-drift`` to ``group``."""

    @group.command("deploy")
    @click.option("--to", "to", metavar="CHANGE", help="Deploy up to and including this change or @tag.")
    @_errors_to_exit
    def deploy(to: str | None) -> None:
        """Deploy pending changes of sqitch.plan to the database.

        Warns on stderr when deployed changes have drifted (their deploy script changed since): deploy cannot fix
        that, see ``mercato db check-drift``.
        """
        _engine().deploy(to)
        try:
            drift = _engine(quiet=True).drift()
        except SqitchError:
            return
        if drift:
            click.echo(f"warning: {len(drift)} deployed change(s) have drifted from sqitch.plan's scripts:", err=True)
            for line in _drift_lines(drift):
                click.echo(line, err=True)
            click.echo(f"warning: {DRIFT_ADVICE}", err=True)

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
        """Show the last deployed change, what is left to deploy and which deployed changes have drifted."""
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
        if st.drift:
            click.echo("Drifted change:" if len(st.drift) == 1 else "Drifted changes:")
            for line in _drift_lines(st.drift):
                click.echo(line)
            click.echo(f"# {DRIFT_ADVICE}")
        elif last is not None:
            click.echo("No drift: every deployed change's deploy script matches the registry")

    @group.command("check-drift")
    @click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
    @_errors_to_exit
    def check_drift(as_json: bool) -> None:
        """Exit 1 when a deployed change's deploy script differs from the one the registry recorded.

        Compares every deployed change's registry script_hash with the deploy script sqitch.plan names for it now
        (a reworked change's name@tag copy); revert and verify scripts are not compared.
        """
        drift = _engine(quiet=True).drift()
        if as_json:
            from dataclasses import asdict

            click.echo(json.dumps({"drift": [asdict(d) for d in drift]}, indent=2, ensure_ascii=False))
        elif drift:
            click.echo(f"Drift: {len(drift)} deployed change(s) differ from sqitch.plan's scripts:")
            for line in _drift_lines(drift):
                click.echo(line)
            click.echo(DRIFT_ADVICE[0].upper() + DRIFT_ADVICE[1:] + ".")
        else:
            click.echo("No drift: every deployed change's deploy script matches the registry")
        if drift:
            sys.exit(1)

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
