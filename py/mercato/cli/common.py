"""Shared CLI helpers: error handling, output as tables or JSON."""

from __future__ import annotations

import datetime as dt
import decimal
import json
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import click
import psycopg

from mercato.errors import MercatoError, from_psycopg

if TYPE_CHECKING:
    from mercato.client import Client


class LazyChoice(click.Choice):
    """A :class:`click.Choice` whose choices are loaded when first needed (parsing the option, or the command's
    help), so that the harness module defining them is imported by the command that uses it, not by the CLI."""

    def __init__(self, load: Callable[[], Iterable[str]], case_sensitive: bool = True) -> None:
        self._load = load
        self._loaded: tuple[str, ...] | None = None
        super().__init__((), case_sensitive)

    @property  # type: ignore[override]
    def choices(self) -> tuple[str, ...]:
        if self._loaded is None:
            self._loaded = tuple(self._load())
        return self._loaded

    @choices.setter
    def choices(self, _placeholder: Iterable[str]) -> None:
        """click.Choice.__init__ assigns its (empty) choices; the real ones are loaded on first use."""


def caller_option(func: Callable[..., Any]) -> Callable[..., Any]:
    """``--as SUBJECT``: call as that registered user (claims {"sub": SUBJECT, "role": "mercato_user"}, role
    mercato_user), exactly as PostgREST would for their JWT. Without it the CLI is the trusted back-office caller
    (the database URL's role)."""
    return click.option("--as", "as_subject", metavar="SUBJECT", default=None,
                        help="Act as this user (their JWT subject) instead of the back office.")(func)


def client_for(as_subject: str | None) -> "Client":
    """A client for the CLI: the back office, or the user named by --as."""
    from mercato.client import Client

    if as_subject is None:
        return Client(max_size=2)
    return Client(max_size=2, claims={"sub": as_subject, "role": "mercato_user"}, role="mercato_user")


def run_guarded(cli: Callable[..., Any]) -> None:
    """Run a click command; known failures become one line on stderr and exit status 1."""
    try:
        cli(standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        sys.exit(1)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except MercatoError as exc:
        click.echo(f"error: {exc.one_line()}", err=True)
        sys.exit(1)
    except psycopg.Error as exc:
        click.echo(f"error: {from_psycopg(exc).one_line()}", err=True)
        sys.exit(1)
    except Exception as exc:  # known library failures (SqitchError, ClusterError, ...)
        if type(exc).__module__.startswith("mercato") or isinstance(exc, (OSError, RuntimeError)):
            click.echo(f"error: {' '.join(str(exc).split())}", err=True)
            sys.exit(1)
        raise
    sys.exit(0)


def _plain(value: Any) -> Any:
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    if hasattr(value, "__dataclass_fields__"):
        return {k: _plain(getattr(value, k)) for k in value.__dataclass_fields__}
    if isinstance(value, Mapping):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def emit(rows: Any, *, as_json: bool, columns: Sequence[str] | None = None, title: str | None = None) -> None:
    """Print rows (dicts or dataclasses) as a table, or as JSON for scripts."""
    data = _plain(rows)
    if as_json:
        click.echo(json.dumps(data, indent=2, ensure_ascii=False))
        return
    if isinstance(data, Mapping):
        data = [data]
    if title:
        click.echo(title)
    click.echo(table(data, columns))


def table(rows: Iterable[Mapping[str, Any]], columns: Sequence[str] | None = None) -> str:
    rows = list(rows)
    if not rows:
        return "(no rows)"
    cols = list(columns or rows[0].keys())
    cells = [[("" if r.get(c) is None else json.dumps(r[c]) if isinstance(r.get(c), (dict, list)) else str(r[c]))
              for c in cols] for r in rows]
    widths = [max(len(c), *(len(row[i]) for row in cells)) for i, c in enumerate(cols)]
    line = "  ".join(c.ljust(w) for c, w in zip(cols, widths))
    sep = "  ".join("-" * w for w in widths)
    body = ["  ".join(v.rjust(w) if _numeric(v) else v.ljust(w) for v, w in zip(row, widths)) for row in cells]
    return "\n".join([line, sep, *body])


def _numeric(text: str) -> bool:
    try:
        decimal.Decimal(text)
        return True
    except decimal.InvalidOperation:
        return False
