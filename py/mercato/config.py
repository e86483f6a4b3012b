"""Where things are: the project root and the database Mercato talks to.

With ``DATABASE_URL`` set, everything targets that server. Without it, Mercato uses the
embedded cluster under ``<project>/.mercato`` (see :mod:`mercato.cluster`), starting it on demand.
"""

from __future__ import annotations

import os
import re
from pathlib import Path


def project_root() -> Path:
    """The directory holding ``sqitch.plan`` (``MERCATO_ROOT`` overrides the search)."""
    env = os.environ.get("MERCATO_ROOT")
    if env:
        return Path(env).resolve()
    for start in (Path.cwd(), Path(__file__).resolve().parent):
        for candidate in (start, *start.parents):
            if (candidate / "sqitch.plan").is_file() and (candidate / "db").is_dir():
                return candidate
    raise RuntimeError("cannot find the Mercato project root (no sqitch.plan); set MERCATO_ROOT")


def plan_modules(root: Path | None = None) -> list[str]:
    """The modules the plan creates, in plan order: one PostgreSQL schema each, created by the change named
    ``schemas/<module>`` (CONVENTIONS.md, Layout; later parts ``schemas/<module>/<part>`` add to it).

    Tests, the harness and the CLI take their module and schema lists from here, never from a list of their own, so a
    module added to sqitch.plan is covered everywhere at once.
    """
    from mercato.sqitch import Plan, ProjectConfig

    config = ProjectConfig.load(root or project_root())
    names = (change.name for change in Plan.load(config.plan_file).changes)
    return list(dict.fromkeys(name.split("/")[1] for name in names if re.fullmatch(r"schemas/[a-z_][a-z0-9_]*", name)))


def database_url(*, start: bool = True) -> str:
    """The connection string for the target database.

    ``DATABASE_URL`` if set; otherwise the embedded cluster's URL (started first when ``start``).
    """
    url = os.environ.get("DATABASE_URL")
    if url:
        return url
    from mercato.cluster import Cluster

    cluster = Cluster.default()
    if start:
        cluster.up()
    return cluster.url()


def prepare_threshold() -> int | None:
    """psycopg's ``prepare_threshold`` for the library's connections: ``MERCATO_PREPARE_THRESHOLD`` (an integer, e.g. 5,
    psycopg's own default; 0 prepares every query) or, unset or ``none``, None: never prepare server-side.

    A server-side prepared statement outlives its transaction on the backend, so behind pgbouncer in transaction mode
    the next client on that backend sees it (``pg_prepared_statements``) and the client that prepared it fails when it
    is routed to another backend. The default therefore keeps no statement on the server; set the variable only for
    direct connections.
    """
    value = os.environ.get("MERCATO_PREPARE_THRESHOLD", "").strip().lower()
    return None if value in ("", "none") else int(value)
