"""The ``mercato`` command line: a thin click layer over :mod:mercato.client and friends.

Output is a readable table by default and JSON with ``--json``. Any refusal prints one line
``error: <CODE>: <message>`` on stderr and exits with status 1 (2 for usage errors) — never a traceback.
"""

from __future__ import annotations

import importlib
import pkgutil

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

# Every other module of this package that exports ``command`` is a sub-command (mercato ledger, mercato rfq, ...).
for _info in sorted(pkgutil.iter_modules(__path__), key=lambda i: i.name):
    if _info.name in ("common", "db", "db_sqitch"):
        continue
    _mod = importlib.import_module(f"mercato.cli.{_info.name}")
    if hasattr(_mod, "command"):
        cli.add_command(_mod.command)


def main() -> None:
    run_guarded(cli)
