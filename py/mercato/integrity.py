"""Integrity checks of every module at once: each ``<module>.check()`` the database has (ledger, contracts,
settlement, ...), run in one snapshot.

A module's ``check()`` is a full scan returning one row per invariant (check_name, ok, violations, sample). The same
checks run daily as the jobs ``<module>.integrity`` (docs/jobs.md), whose runs fail with ``<MODULE>_INTEGRITY_VIOLATION``;
this is the on-demand form behind ``mercato db check``. The modules come from the plan
(:func:`mercato.config.plan_modules`) and are kept when their schema has a ``check()``, so a module that adds one is
covered without a change here. Back office only: the connection's role (the owner) calls the module functions
directly, as ``mercato jobs`` does; no API role may.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import psycopg
from psycopg import sql
from psycopg.rows import dict_row

from mercato.errors import from_psycopg
from mercato.jobs import connect

__all__ = ["CheckResult", "check_all", "check_modules", "connect"]


@dataclass(frozen=True)
class CheckResult:
    """One invariant of one module: ``violations`` offending rows, up to 20 of them in ``sample``."""

    module: str
    check_name: str
    ok: bool
    violations: int
    sample: list[Any] | None


def check_modules(conn: psycopg.Connection, modules: list[str] | None = None) -> list[str]:
    """The modules (default: the plan's, in plan order) whose schema has a ``check()`` callable without arguments."""
    from mercato.config import plan_modules

    names = plan_modules() if modules is None else modules
    try:
        rows = conn.execute(
            "SELECT m FROM unnest(%s::text[]) WITH ORDINALITY AS u(m, n)"
            " WHERE to_regprocedure(quote_ident(m) || '.check()') IS NOT NULL ORDER BY n", (names,)).fetchall()
    except psycopg.Error as exc:
        raise from_psycopg(exc) from exc
    return [r[0] for r in rows]


def check_all(conn: psycopg.Connection, modules: list[str] | None = None) -> list[CheckResult]:
    """Run every module's ``check()`` (see :func:`check_modules`) in one read-only REPEATABLE READ transaction, so the
    modules are checked against the same snapshot (contracts' escrow and the ledger's holds agree or disagree as of
    one instant). Returns every check, passed or not, in plan order; the caller decides what a violation means."""
    results: list[CheckResult] = []
    try:
        with conn.transaction():
            conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            for module in check_modules(conn, modules):
                with conn.cursor(row_factory=dict_row) as cur:
                    cur.execute(sql.SQL("SELECT check_name, ok, violations, sample FROM {}.check()")
                                .format(sql.Identifier(module)))
                    results += [CheckResult(module=module, **row) for row in cur.fetchall()]
    except psycopg.Error as exc:
        raise from_psycopg(exc) from exc
    return results
