"""The ``mercato`` command line: a thin click layer over :mod:mercato.client and friends.

Output is a readable table by default and JSON with ``--json``. Any refusal prints one line
``error: <CODE>: <message>`` on stderr and exits with status 1 (2 for usage errors) — never a traceback.
"""

from __future__ import annotations

import importlib

import click

from mercato.cli.common import run_guarded
from mercato.cli.db import db


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="mercato")
def cli() -> None:
    """Mercato: a PostgreSQL-native platform for marketplaces that move money.

    Targets DATABASE_URL when set, otherwise the embedded cluster in .mercato/.
    """


cli.add_command(db)

for _module in ("ledger", "bench", "demo", "docs"):
    try:
        _mod = importlib.import_module(f"mercato.cli.{_module}")
    except ModuleNotFoundError as _exc:  # a module not written yet
        if _exc.name != f"mercato.cli.{_module}":
            raise
        continue
    cli.add_command(_mod.command)


def main() -> None:
    run_guarded(cli)
