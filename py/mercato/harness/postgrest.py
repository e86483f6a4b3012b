"""A faithful stand-in for PostgREST's RPC path, for tests, the fuzzer and scripts.

PostgREST is not installable on this machine, so this module reproduces what it does for
``POST /rpc/<fn>`` and ``GET /rpc/<fn>`` (its documented transaction and error rules):

1. connect as the authenticator (a ``LOGIN NOINHERIT`` role that can do nothing by itself);
2. ``BEGIN ISOLATION LEVEL READ COMMITTED``, ``READ ONLY`` for GET (only STABLE/IMMUTABLE
   functions may be called with GET; a VOLATILE one answers 405);
3. ``set_config(..., true)`` of ``search_path``, ``role`` (from the JWT ``role`` claim, the
   anonymous role without a JWT), ``request.jwt.claims``, ``request.method``, ``request.path``,
   ``request.headers``, and the role's own settings ("impersonated role settings", PostgREST ≥ 11.1: what
   ``ALTER ROLE … SET`` gave it, read once from ``pg_db_role_setting`` like PostgREST's schema cache, so its
   ``statement_timeout`` and ``lock_timeout`` cut a runaway request off: 57014 and 55P03, HTTP 500);
4. one call with **named arguments**, the JSON body converted with ``json_to_record`` to the
   function's parameter types (so a wrong type fails in the database, as it does under PostgREST);
5. COMMIT on success, ROLLBACK on error; errors become a JSON body ``{code, message, details,
   hint}`` with the HTTP status PostgREST would give (``PTxyz`` -> ``xyz``, ``42501`` -> 401 for
   the anonymous role and 403 otherwise, …; see :func:`status_for`).

The function to call is chosen like PostgREST does: in the exposed schema, by name and by the set
of argument names supplied (parameters with defaults may be omitted).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import psycopg
from psycopg import sql

from mercato.client import role_settings
from mercato.errors import http_status

ANON_ROLE = "mercato_anon"
SCHEMA = "api"


@dataclass
class Response:
    """What an HTTP client of PostgREST would receive."""

    status: int
    body: Any
    headers: dict[str, str] = field(default_factory=dict)
    #: The server's error CONTEXT (which function and line raised it). Not in the body: PostgREST does not send it; the
    #: fuzzer uses it to tell an argument PostgREST could not convert from a raw error inside a function.
    context: str | None = None

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    @property
    def code(self) -> str | None:
        """The stable Mercato error code (``LEDGER_…``) when the body is an error from core.raise."""
        if self.ok or not isinstance(self.body, dict):
            return None
        message = self.body.get("message") or ""
        head, sep, _ = message.partition(":")
        return head if sep and head.isupper() and " " not in head else None


def status_for(sqlstate: str, role: str) -> int:
    """PostgREST's SQLSTATE -> HTTP status, including 401 vs 403 for 42501."""
    if sqlstate == "42501":
        return 401 if role == ANON_ROLE else 403
    return http_status(sqlstate)


def _failure(exc: psycopg.Error, role: str) -> Response:
    """PostgREST's error response: the SQLSTATE as code, with its HTTP status (status_for)."""
    diag = exc.diag
    sqlstate = diag.sqlstate or "XX000"
    return Response(status_for(sqlstate, role), {"code": sqlstate, "message": diag.message_primary, "details": diag.message_detail,
                             "hint": diag.message_hint}, context=diag.context)


class PostgREST:
    """Send RPC requests to a Mercato database exactly as PostgREST would.

    ``conninfo`` must connect as the authenticator role (``mercato_authenticator``), never as a
    superuser: superusers bypass row-level security and role membership, which would hide bugs.
    """

    def __init__(self, conninfo: str, *, schema: str = SCHEMA, anon_role: str = ANON_ROLE) -> None:
        self.conn = psycopg.connect(conninfo, autocommit=True)
        self.schema = schema
        self.anon_role = anon_role
        user = self.conn.execute("SELECT current_user, (SELECT rolsuper FROM pg_roles WHERE rolname = current_user)").fetchone()
        if user and user[1]:
            raise ValueError("connect as the authenticator, not a superuser (superusers bypass RLS and grants)")
        self._signatures: dict[str, list[_Signature]] = {}
        self._role_settings: dict[str, tuple[tuple[str, str], ...]] = {}

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> "PostgREST":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- the request -----------------------------------------------------------------------------
    def rpc(self, function: str, args: dict[str, Any] | None = None, *, claims: dict[str, Any] | None = None,
            method: str = "POST", headers: dict[str, str] | None = None) -> Response:
        """``POST /rpc/<function>`` (or GET) with ``args`` as the JSON body (or query string).

        ``claims`` is the verified JWT payload (``None`` = no JWT: the anonymous role). Argument
        names are given without the ``p_`` prefix or with it, as the API documents them.
        """
        args = dict(args or {})
        role = (claims or {}).get("role") or self.anon_role
        path = f"/rpc/{function}"
        signature = self._resolve(function, set(args))
        if signature is None:
            return Response(404, {"code": "PGRST202", "message": f"Could not find the function {self.schema}.{function}"
                                  f"({', '.join(sorted(args))}) in the schema cache", "details": None, "hint": None})
        if method == "GET" and signature.volatile:
            return Response(405, {"code": "PGRST101", "message": "Cannot use the GET method on RPC to a volatile function",
                                  "details": None, "hint": None})
        access = " READ ONLY" if method == "GET" else ""
        named = sql.SQL(", ").join(
            sql.SQL("{} := _.{}").format(sql.Identifier(name), sql.Identifier(name)) for name in args)
        record = sql.SQL(", ").join(
            sql.SQL("{} {}").format(sql.Identifier(name), sql.SQL(signature.types[name])) for name in args)
        call = sql.SQL("{}.{}({})").format(sql.Identifier(self.schema), sql.Identifier(function), named)
        if args:
            query = sql.SQL("SELECT coalesce(json_agg(_r), '[]') FROM (SELECT {} AS _v FROM json_to_record(%s::json) AS _({})) _r") \
                if not signature.returns_set else \
                sql.SQL("SELECT coalesce(json_agg(_r), '[]') FROM (SELECT _f.* FROM json_to_record(%s::json) AS _({}), LATERAL {} AS _f) _r")
            if signature.returns_set:
                query = query.format(record, call)
            else:
                query = query.format(call, record)
            params: tuple = (json.dumps(args, default=str),)
        else:
            query = (sql.SQL("SELECT coalesce(json_agg(_r), '[]') FROM (SELECT _f.* FROM {} AS _f) _r") if signature.returns_set
                     else sql.SQL("SELECT coalesce(json_agg(_r), '[]') FROM (SELECT {} AS _v) _r")).format(call)
            params = ()
        try:
            with self.conn.transaction():
                self.conn.execute(f"SET TRANSACTION ISOLATION LEVEL READ COMMITTED{access}")
                self._set_request(role, claims, method, path, headers)
                row = self.conn.execute(query, params).fetchone()
        except psycopg.Error as exc:
            return _failure(exc, role)
        result = row[0] if row else []
        if signature.returns_set:
            return Response(200, result)
        value = result[0]["_v"] if result else None
        if signature.returns_void:
            return Response(204, None)
        return Response(200, value)

    _OPERATORS = {"eq": "=", "neq": "<>", "lt": "<", "lte": "<=", "gt": ">", "gte": ">="}

    def get(self, relation: str, filters: dict[str, str] | None = None, *, claims: dict[str, Any] | None = None,
            order: str | None = None, limit: int | None = None) -> Response:
        """``GET /<relation>?col=op.value&order=col.desc&limit=n`` on a view of the exposed schema.

        Filters use PostgREST's horizontal-filter syntax for the plain comparison operators
        (``eq``, ``neq``, ``lt``, ``lte``, ``gt``, ``gte``). The view runs with the caller's role, so
        row-level security decides the rows, as under PostgREST.
        """
        role = (claims or {}).get("role") or self.anon_role
        where, params = [], []
        for column, expr in (filters or {}).items():
            op, _, value = expr.partition(".")
            if op not in self._OPERATORS:
                return Response(400, {"code": "PGRST100", "message": f"unsupported operator {op!r} in this emulator",
                                      "details": None, "hint": None})
            where.append(sql.SQL("{} {} %s").format(sql.Identifier(column), sql.SQL(self._OPERATORS[op])))
            params.append(value)
        query = sql.SQL("SELECT * FROM {}.{}").format(sql.Identifier(self.schema), sql.Identifier(relation))
        if where:
            query += sql.SQL(" WHERE ") + sql.SQL(" AND ").join(where)
        if order:
            column, _, direction = order.partition(".")
            query += sql.SQL(" ORDER BY {} {}").format(sql.Identifier(column),
                                                      sql.SQL("DESC" if direction == "desc" else "ASC"))
        if limit is not None:
            query += sql.SQL(" LIMIT {}").format(sql.Literal(int(limit)))
        query = sql.SQL("SELECT coalesce(json_agg(_r), '[]') FROM ({}) _r").format(query)
        try:
            with self.conn.transaction():
                self.conn.execute("SET TRANSACTION ISOLATION LEVEL READ COMMITTED READ ONLY")
                self._set_request(role, claims, "GET", f"/{relation}", None)
                row = self.conn.execute(query, params).fetchone()
        except psycopg.Error as exc:
            return _failure(exc, role)
        return Response(200, row[0] if row else [])

    def _set_request(self, role: str, claims: dict[str, Any] | None, method: str, path: str,
                     headers: dict[str, str] | None) -> None:
        settings = {
            "search_path": self.schema,
            "role": role,
            "request.jwt.claims": json.dumps(claims or {"role": role}),
            "request.method": method,
            "request.path": path,
            "request.headers": json.dumps({k.lower(): v for k, v in (headers or {}).items()}),
        }
        if role not in self._role_settings:
            self._role_settings[role] = role_settings(self.conn, role)
        settings.update(self._role_settings[role])
        self.conn.execute("SELECT " + ", ".join("set_config(%s, %s, true)" for _ in settings),
                          [v for item in settings.items() for v in item])

    # -- overload resolution (PostgREST's schema cache, in small) --------------------------------
    def _resolve(self, function: str, names: set[str]) -> "_Signature | None":
        if function not in self._signatures:
            self._signatures[function] = _signatures(self.conn, self.schema, function)
        for candidate in self._signatures[function]:
            if candidate.required <= names <= set(candidate.types):
                return candidate
        return None


@dataclass
class _Signature:
    types: dict[str, str]
    required: set[str]
    volatile: bool
    returns_set: bool
    returns_void: bool


def _signatures(conn: psycopg.Connection, schema: str, function: str) -> list[_Signature]:
    rows = conn.execute("""
        SELECT p.proargnames, p.proargmodes, p.pronargs, p.pronargdefaults, p.provolatile, p.proretset,
               p.prorettype = 'void'::regtype,
               ARRAY(SELECT format_type(t, NULL) FROM unnest(p.proallargtypes) t) AS all_types,
               ARRAY(SELECT format_type(t, NULL) FROM unnest(p.proargtypes::oid[]) t) AS in_types
          FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
         WHERE n.nspname = %s AND p.proname = %s
         ORDER BY p.pronargs""", (schema, function)).fetchall()
    found = []
    for names, modes, nargs, ndefaults, volatility, retset, retvoid, all_types, in_types in rows:
        names = names or []
        if modes:  # OUT/TABLE parameters are not arguments
            in_names = [n for n, m in zip(names, modes) if m in ("i", "b", "v")]
        else:
            in_names = names[:nargs]
        types = dict(zip(in_names, in_types))
        required = set(in_names[: nargs - ndefaults])
        found.append(_Signature(types, required, volatility == "v", retset, retvoid))
    return found
