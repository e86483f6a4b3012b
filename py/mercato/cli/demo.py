"""``mercato demo``: the guided tour of :mod:`mercato.harness.demo` (imported only when the command runs)."""

from __future__ import annotations

import click


@click.command(name="demo")
def command() -> None:
    """Tell the Mercato story on the embedded (or DATABASE_URL) database."""
    from mercato.harness.demo import tell

    tell()
