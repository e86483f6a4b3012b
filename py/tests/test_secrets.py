"""Secrets are declared once (core.secret) and these tests hold every declared one to its promise, across the whole
schema: a new secret column or sealed table is covered the moment its module registers it.

SECRET columns (keys, code hashes): no API role may select them, no api view reads them, no api function's result type
includes them, and no api answer contains one. SEALED data (bids, other parties' prices): no API role holds any privilege
on it, so a psql session with an API role cannot read it, filter it or EXPLAIN it; the api reads it only through
SECURITY DEFINER functions that pick the caller's rows first. test_side_channels.py runs the EXPLAIN probes.
"""

from __future__ import annotations

import base64
import json

import psycopg

from sealed_world import build
from jwt_helper import sign

API_ROLES = ("mercato_anon", "mercato_user", "mercato_service", "mercato_authenticator")
TABLE_PRIVILEGES = ("SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE", "REFERENCES", "TRIGGER")
COLUMN_PRIVILEGES = ("SELECT", "INSERT", "UPDATE", "REFERENCES")


def declared(conn: psycopg.Connection, kind: str) -> list[tuple[str, str, str | None]]:
    return conn.execute("SELECT table_schema, table_name, column_name FROM core.secret WHERE kind = %s ORDER BY 1, 2, 3",
                        (kind,)).fetchall()


def test_every_declared_secret_exists_and_the_known_ones_are_declared(db_url: str) -> None:
    with psycopg.connect(db_url) as conn:
        rows = conn.execute("""SELECT s.table_schema, s.table_name, s.column_name, s.kind,
                                      to_regclass(format('%I.%I', s.table_schema, s.table_name)) IS NOT NULL,
                                      s.column_name IS NULL OR EXISTS (
                                          SELECT 1 FROM pg_attribute a
                                           WHERE a.attrelid = to_regclass(format('%I.%I', s.table_schema, s.table_name))
                                             AND a.attname = s.column_name AND NOT a.attisdropped)
                                 FROM core.secret s""").fetchall()
    missing = [r[:3] for r in rows if not (r[4] and r[5])]
    assert not missing, f"core.secret names objects that do not exist: {missing}"
    have = {(r[0], r[1], r[2], r[3]) for r in rows}
    for known in (("marketplace", "rfq", "alias_key", "SECRET"), ("delivery", "otp", "code_hmac", "SECRET"),
                  ("delivery", "otp_key", "secret", "SECRET"), ("marketplace", "bid", None, "SEALED"),
                  ("marketplace", "bid_line", None, "SEALED"), ("contracts", "contract_line", None, "SEALED"),
                  ("contracts", "contract", "total_amount", "SEALED")):
        assert known in have, f"{known} must be declared in core.secret"


def test_no_api_role_holds_a_privilege_on_secret_columns_or_sealed_data(db_url: str) -> None:
    leaks = []
    with psycopg.connect(db_url) as conn:
        for kind in ("SECRET", "SEALED"):
            for schema, table, column in declared(conn, kind):
                rel = f'"{schema}"."{table}"'
                for role in API_ROLES:
                    if column is None:
                        for priv in TABLE_PRIVILEGES:
                            if conn.execute("SELECT has_table_privilege(%s, %s, %s)", (role, rel, priv)).fetchone()[0]:
                                leaks.append((role, priv, rel))
                        for priv in COLUMN_PRIVILEGES:
                            if conn.execute("SELECT has_any_column_privilege(%s, %s, %s)", (role, rel, priv)).fetchone()[0]:
                                leaks.append((role, priv, rel, "some column"))
                    else:
                        for priv in COLUMN_PRIVILEGES:
                            if conn.execute("SELECT has_column_privilege(%s, %s, %s, %s)", (role, rel, column, priv)).fetchone()[0]:
                                leaks.append((role, priv, rel, column))
    assert not leaks, leaks


def test_no_view_reads_a_secret_column_or_sealed_data_directly(db_url: str) -> None:
    """A view (security_invoker or not) over a secret column would hand it to whoever may read the view; views over
    sealed data must go through the sealed-read functions instead of naming the table."""
    with psycopg.connect(db_url) as conn:
        rows = conn.execute("""
            SELECT DISTINCT v.oid::regclass::text, s.table_schema, s.table_name, s.column_name
              FROM core.secret s
              JOIN pg_depend d ON d.refclassid = 'pg_class'::regclass
                              AND d.refobjid = to_regclass(format('%I.%I', s.table_schema, s.table_name))
                              AND (s.column_name IS NULL OR d.refobjsubid = (
                                       SELECT a.attnum FROM pg_attribute a
                                        WHERE a.attrelid = d.refobjid AND a.attname = s.column_name))
              JOIN pg_rewrite rw ON d.classid = 'pg_rewrite'::regclass AND rw.oid = d.objid
              JOIN pg_class v ON v.oid = rw.ev_class
             WHERE v.oid <> d.refobjid""").fetchall()
    assert not rows, f"views reading secret or sealed data: {rows}"


def test_no_api_function_returns_a_row_type_that_carries_a_secret(db_url: str) -> None:
    """The result type of every api function (its return type, OUT/TABLE columns, arrays and nested composites) never
    includes a table row type with a SECRET column: api.publish_rfq once returned marketplace.rfq with alias_key."""
    with psycopg.connect(db_url) as conn:
        offenders = conn.execute("""
            WITH RECURSIVE fn AS (
                SELECT p.oid, p.oid::regprocedure::text AS name, t AS type_oid
                  FROM pg_proc p
                  CROSS JOIN LATERAL unnest(array_append(
                      coalesce((SELECT array_agg(x.t) FROM unnest(p.proallargtypes, p.proargmodes) x(t, m) WHERE x.m IN ('o', 'b', 't')),
                               '{}'::oid[]), p.prorettype)) t
                 WHERE p.pronamespace = 'api'::regnamespace
            ), reach(name, type_oid) AS (
                SELECT name, type_oid FROM fn
                UNION
                SELECT r.name, nxt.t
                  FROM reach r JOIN pg_type ty ON ty.oid = r.type_oid
                  CROSS JOIN LATERAL (
                      SELECT ty.typelem AS t WHERE ty.typelem <> 0
                      UNION ALL SELECT ty.typbasetype WHERE ty.typbasetype <> 0
                      UNION ALL SELECT a.atttypid FROM pg_attribute a
                                 WHERE ty.typrelid <> 0 AND a.attrelid = ty.typrelid AND a.attnum > 0 AND NOT a.attisdropped
                  ) nxt
            )
            SELECT DISTINCT r.name, s.table_schema || '.' || s.table_name || '.' || s.column_name
              FROM reach r JOIN pg_type ty ON ty.oid = r.type_oid AND ty.typrelid <> 0
              JOIN core.secret s ON s.kind = 'SECRET'
                                AND to_regclass(format('%I.%I', s.table_schema, s.table_name)) = ty.typrelid
             ORDER BY 1""").fetchall()
    assert not offenders, f"api functions whose result carries a secret column: {offenders}"


def _secret_values(db_url: str) -> list[tuple[str, str]]:
    """Every value of every SECRET column, as the strings an HTTP answer could carry it in (hex, bytea escape, base64,
    text)."""
    out = []
    with psycopg.connect(db_url) as conn:
        for schema, table, column in declared(conn, "SECRET"):
            values = conn.execute(f'SELECT "{column}" FROM "{schema}"."{table}" WHERE "{column}" IS NOT NULL').fetchall()
            for (v,) in values:
                label = f"{schema}.{table}.{column}"
                if isinstance(v, (bytes, memoryview)):
                    raw = bytes(v)
                    out += [(label, raw.hex()), (label, base64.b64encode(raw).decode())]
                elif str(v):
                    out.append((label, str(v)))
    return out


#: The world's id for each id parameter of the api: the sweep calls every read whose required parameters are all here.
ID_ARGS = {"p_rfq_id": "open_rfq", "p_contract_id": "cheap", "p_session_id": "session", "p_assignment_id": "assignment",
           "p_contract_line_id": "p1_line", "p_provider_id": "p1", "p_business_id": "biz", "p_vehicle_id": "car_p1"}


def test_no_api_answer_contains_a_secret_value(db_url: str) -> None:
    """Call every api function a caller can reach with the world's ids (reads through GET, plus the writes that answer
    with a row), as every kind of caller, and look for every secret value in every JSON answer."""
    w = build(db_url)
    answers: list[tuple[str, str, str]] = []
    try:
        # writes that answer with a row: a fresh draft published, then cancelled
        rfq, _ = w.new_rfq("for publish and cancel")
        for fn in ("publish_rfq", "cancel_rfq"):
            r = w.rest.rpc(fn, {"p_rfq_id": rfq}, token=sign(w.claims("biz")))
            assert r.status == 200, (fn, r.body)
            answers.append((fn, "biz", json.dumps(r.body)))
        with psycopg.connect(db_url) as conn:
            functions = conn.execute("""
                SELECT p.proname, p.provolatile, coalesce(p.proargnames[1:p.pronargs], '{}'), p.pronargdefaults, p.pronargs
                  FROM pg_proc p WHERE p.pronamespace = 'api'::regnamespace AND p.prokind = 'f' ORDER BY 1""").fetchall()
        reached = 0
        for name, volatility, argnames, ndefaults, nargs in functions:
            required = list(argnames[: nargs - ndefaults])
            if volatility == "v" or any(a not in ID_ARGS for a in required):
                continue
            args = {a: w.ids[ID_ARGS[a]] for a in argnames if a in ID_ARGS}
            for who in ("anon", "biz", "p1", "p2", "admin", "service"):
                r = w.rest.rpc(name, args, token=sign(w.claims(who)), method="GET")
                if r.ok:
                    reached += 1
                answers.append((name, who, json.dumps(r.body)))
        assert reached >= 20, f"the sweep reached only {reached} answers: it proves little"
        for view in ("rfqs", "bids", "awards", "contracts", "contract_lines", "delivery_sessions"):
            for who in ("biz", "p1", "p2", "admin", "service"):
                answers.append((f"GET /{view}", who, json.dumps(w.rest.get(view, token=sign(w.claims(who))).body)))
    finally:
        w.rest.close()
    secrets = _secret_values(db_url)
    assert any(label == "marketplace.rfq.alias_key" for label, _ in secrets) and any(
        label == "delivery.otp.code_hmac" for label, _ in secrets), "the world must hold the secrets it checks"
    found = [(fn, who, label) for fn, who, text in answers for label, value in secrets
             if value in text or value.lower() in text.lower()]
    assert not found, f"secret values in api answers: {found}"

