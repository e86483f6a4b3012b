"""plpgsql_check over every PL/pgSQL function Mercato deploys: zero errors."""

from __future__ import annotations

import psycopg

MERCATO_SCHEMAS = ("core", "audit", "identity", "masterdata", "ledger", "jobs", "marketplace", "contracts",
                   "delivery", "settlement", "api")

QUERY = """
WITH fns AS (
    SELECT p.oid, p.oid::regprocedure AS fn, t.tgrelid AS relid, t.tgnewtable, t.tgoldtable,
           p.prorettype = 'trigger'::regtype AS is_trigger
      FROM pg_proc p
      JOIN pg_namespace n ON n.oid = p.pronamespace
      JOIN pg_language l ON l.oid = p.prolang
      LEFT JOIN LATERAL (SELECT t.tgrelid, t.tgnewtable, t.tgoldtable FROM pg_trigger t
                          WHERE t.tgfoid = p.oid ORDER BY t.oid LIMIT 1) t ON true
     WHERE l.lanname = 'plpgsql' AND n.nspname = ANY(%s)
)
SELECT fns.fn::text, fns.is_trigger, fns.relid IS NULL AS unattached, c.level, c.message, c.lineno
  FROM fns
  LEFT JOIN LATERAL plpgsql_check_function_tb(fns.fn, coalesce(fns.relid, 0),
                                              newtable := fns.tgnewtable, oldtable := fns.tgoldtable,
                                              performance_warnings := false, extra_warnings := false) c
         ON NOT (fns.is_trigger AND fns.relid IS NULL)
 ORDER BY 1
"""


def test_plpgsql_check_has_no_errors(postgresql: psycopg.Connection) -> None:
    rows = postgresql.execute(QUERY, (list(MERCATO_SCHEMAS),)).fetchall()
    checked = {r[0] for r in rows}
    assert len(checked) >= 10, "the check must see Mercato's functions"
    unattached = [r[0] for r in rows if r[1] and r[2]]
    assert not unattached, f"trigger functions attached to no table cannot be checked: {unattached}"
    errors = [f"{fn}:{line}: {msg}" for fn, _, _, level, msg, line in rows if level and level.startswith("error")]
    assert not errors, "\n".join(errors)
