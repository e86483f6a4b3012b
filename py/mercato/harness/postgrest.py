"""A faithful stand-in for PostgREST's RPC path, for tests, the fuzzer and scripts.

PostgREST is not installable on this machine, so this module reproduces what PostgREST 12 does for
``POST /rpc/<fn>``, ``GET /rpc/<fn>`` and ``GET /<view>`` (its documented authentication, transaction and error rules):

0. authenticate the request as PostgREST's JWT middleware does (:meth:`PostgREST.authenticate`), configured like
   ``postgrest.conf``: ``jwt_secret`` (``jwt-secret``: a text secret, or a JWK / JWK set of ``oct`` keys),
   ``jwt_aud`` (``jwt-aud``), ``jwt_role_claim_key`` (``jwt-role-claim-key``, default ``.role``) and ``anon_role``
   (``db-anon-role``). No ``Authorization: Bearer`` header (or another scheme) is the anonymous role; otherwise the
   token is verified with PyJWT: its signature (HS256, HS384 or HS512 with the secret; ``none`` and every other
   algorithm are refused), ``exp``, ``nbf`` and ``iat`` with PostgREST's 30 seconds of clock skew, ``aud`` when
   ``jwt_aud`` is set (a token without ``aud`` passes, as in PostgREST), then the role is read at the role claim key
   (absent: the anonymous role). A failure answers 401 ``PGRST301`` with a ``WWW-Authenticate: Bearer
   error="invalid_token", …`` header (``JWT expired`` for an expired token, jose's error names otherwise), a token
   without a configured secret 500 ``PGRST300``, and a request without a role when there is no anonymous role 401
   ``PGRST302``. There is no other way in: the emulator never takes claims it has not verified;
1. connect as the authenticator (a ``LOGIN NOINHERIT`` role that can do nothing by itself);
2. ``BEGIN ISOLATION LEVEL READ COMMITTED``, ``READ ONLY`` for GET (only STABLE/IMMUTABLE
   functions may be called with GET; a VOLATILE one answers 405);
3. ``set_config(..., true)`` of ``search_path``, ``role`` (from the verified token, the anonymous role without one; a
   role the authenticator may not become fails there with 42501, HTTP 403), ``request.jwt.claims`` (the verified
   payload, with ``role`` set to the role chosen), ``request.method``, ``request.path``,
   ``request.headers`` (every request header, lower-cased, ``authorization`` included), and the role's own settings
   ("impersonated role settings", PostgREST ≥ 11.1: what
   ``ALTER ROLE … SET`` gave it, read once from ``pg_db_role_setting`` like PostgREST's schema cache, so its
   ``statement_timeout`` and ``lock_timeout`` cut a runaway request off: 57014 and 55P03, HTTP 500);
4. one call with **named arguments**, the JSON body converted with ``json_to_record`` to the
   function's parameter types (so a wrong type fails in the database, as it does under PostgREST);
5. COMMIT on success, ROLLBACK on error; errors become a JSON body ``{code, message, details,
   hint}`` with the HTTP status PostgREST would give (``PTxyz`` -> ``xyz``, ``42501`` -> 401 for
   the anonymous role and 403 otherwise, …; see :func:`status_for`); a 401 carries ``WWW-Authenticate: Bearer``.

The function to call is chosen like PostgREST does: in the exposed schema, by name and by the set
of argument names supplied (parameters with defaults may be omitted).

Tokens for tests and scripts come from :func:`sign_token` (HS256 by default), or from anything else that signs with the
same secret (an identity provider, or the database itself): the emulator cannot tell them apart, as PostgREST cannot.
Asymmetric keys (RS*, ES*, PS*, EdDSA in a JWK set) would need the ``cryptography`` distribution and are not supported:
the constructor refuses such a key rather than accept tokens it cannot check.
"""

from __future__ import annotations

import base64
import json
import re
from dataclasses import dataclass, field
from typing import Any

import jwt
import psycopg
from psycopg import sql

from mercato.client import role_settings
from mercato.errors import http_status

ANON_ROLE = "mercato_anon"
SCHEMA = "api"

#: The algorithms a shared secret verifies (PostgREST turns a text secret into an ``oct`` JWK).
HMAC_ALGORITHMS = ("HS256", "HS384", "HS512")
#: The algorithms PostgREST's JOSE library considers at all (``none`` is not one): a token signed with one of the
#: others cannot be verified by a shared secret, so it fails its signature check.
ASYMMETRIC_ALGORITHMS = ("RS256", "RS384", "RS512", "ES256", "ES384", "ES512", "PS256", "PS384", "PS512", "EdDSA")
#: PostgREST's fixed allowance for clock skew on ``exp``, ``nbf`` and ``iat``, in seconds.
CLOCK_SKEW = 30
#: PostgREST's documentation requires a text ``jwt-secret`` of at least this many characters; the emulator enforces it.
MIN_SECRET_LENGTH = 32


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


def sign_token(claims: dict[str, Any], secret: str | bytes, *, algorithm: str = "HS256",
               headers: dict[str, Any] | None = None) -> str:
    """A JWT of ``claims`` signed with ``secret`` (what an identity provider hands a client): for tests and scripts."""
    return jwt.encode(claims, secret, algorithm=algorithm, headers=headers)


def bearer(token: str | None) -> dict[str, str]:
    """The request header that carries ``token`` (none for ``None``: an anonymous request)."""
    return {} if token is None else {"Authorization": f"Bearer {token}"}


class AuthError(Exception):
    """A request PostgREST refuses before it reaches the database (its ``PGRST30x`` errors)."""

    def __init__(self, status: int, code: str, message: str, www_authenticate: str | None) -> None:
        super().__init__(message)
        self.response = Response(status, {"code": code, "message": message, "details": None, "hint": None},
                                 {"WWW-Authenticate": www_authenticate} if www_authenticate else {})


def _invalid(message: str) -> AuthError:
    """PostgREST's ``JwtTokenInvalid``: 401, PGRST301, the reason in the message and in WWW-Authenticate."""
    return AuthError(401, "PGRST301", message, f'Bearer error="invalid_token", error_description={json.dumps(message)}')


_JSPATH = re.compile(r'\.(?:"((?:[^"\\]|\\.)*)"|([A-Za-z0-9_$@]+))|\[(\d+)\]')


def parse_role_claim_key(path: str) -> list[str | int]:
    """``jwt-role-claim-key``'s small JSPath (``.role``, ``.realm_access.roles[0]``, ``."https://x/role"``) as steps."""
    steps: list[str | int] = []
    pos = 0
    while pos < len(path):
        m = _JSPATH.match(path, pos)
        if not m:
            raise ValueError(f"jwt_role_claim_key {path!r}: cannot parse at {path[pos:]!r}")
        if m.group(3) is not None:
            steps.append(int(m.group(3)))
        else:
            steps.append(m.group(2) if m.group(2) is not None else re.sub(r"\\(.)", r"\1", m.group(1)))
        pos = m.end()
    if not steps:
        raise ValueError("jwt_role_claim_key is empty")
    return steps


def _walk(value: Any, steps: list[str | int]) -> Any:
    for step in steps:
        if isinstance(step, int) and isinstance(value, list) and step < len(value):
            value = value[step]
        elif isinstance(step, str) and isinstance(value, dict) and step in value:
            value = value[step]
        else:
            return None
    return value


def _keys(secret: str | bytes) -> list[bytes]:
    """``jwt-secret`` as PostgREST reads it: a JWK set, a single JWK, else the text itself as an HMAC key."""
    text = secret.decode(errors="replace") if isinstance(secret, bytes) else secret
    try:
        doc = json.loads(text)
    except ValueError:
        doc = None
    if isinstance(doc, dict) and ("keys" in doc or "kty" in doc):
        jwks = doc["keys"] if "keys" in doc else [doc]
        keys = []
        for jwk in jwks:
            if jwk.get("kty") != "oct" or not isinstance(jwk.get("k"), str):
                raise ValueError("the emulator verifies shared-secret keys only (JWK kty \"oct\"); "
                                 f"a {jwk.get('kty')!r} key would need the cryptography distribution")
            keys.append(base64.urlsafe_b64decode(jwk["k"] + "=" * (-len(jwk["k"]) % 4)))
        if not keys:
            raise ValueError("jwt_secret is an empty JWK set")
        return keys
    if len(text) < MIN_SECRET_LENGTH:
        raise ValueError(f"jwt_secret must be at least {MIN_SECRET_LENGTH} characters long (PostgREST's documented minimum)")
    return [secret if isinstance(secret, bytes) else secret.encode()]


def status_for(sqlstate: str, role: str) -> int:
    """PostgREST's SQLSTATE -> HTTP status, including 401 vs 403 for 42501."""
    if sqlstate == "42501":
        return 401 if role == ANON_ROLE else 403
    return http_status(sqlstate)


def _failure(exc: psycopg.Error, role: str) -> Response:
    """PostgREST's error response: the SQLSTATE as code, with its HTTP status (status_for)."""
    diag = exc.diag
    sqlstate = diag.sqlstate or "XX000"
    status = status_for(sqlstate, role)
    return Response(status, {"code": sqlstate, "message": diag.message_primary, "details": diag.message_detail,
                             "hint": diag.message_hint}, {"WWW-Authenticate": "Bearer"} if status == 401 else {},
                    context=diag.context)


class PostgREST:
    """Send RPC requests to a Mercato database exactly as PostgREST would.

    ``conninfo`` must connect as the authenticator role (``mercato_authenticator``), never as a
    superuser: superusers bypass row-level security and role membership, which would hide bugs.
    The keyword arguments are ``postgrest.conf``'s: ``jwt_secret`` (``jwt-secret``; without it every request with a
    token answers 500 PGRST300, as PostgREST does), ``jwt_aud``, ``jwt_role_claim_key``, ``anon_role``
    (``db-anon-role``; ``None``: anonymous access is disabled) and ``schema`` (``db-schemas``).
    """

    def __init__(self, conninfo: str, *, jwt_secret: str | bytes | None = None, jwt_aud: str | None = None,
                 jwt_role_claim_key: str = ".role", schema: str = SCHEMA, anon_role: str | None = ANON_ROLE) -> None:
        self._keys = _keys(jwt_secret) if jwt_secret is not None else None
        self._aud = jwt_aud
        self._role_path = parse_role_claim_key(jwt_role_claim_key)
        self.schema = schema
        self.anon_role = anon_role
        self.conn = psycopg.connect(conninfo, autocommit=True)
        user = self.conn.execute("SELECT current_user, (SELECT rolsuper FROM pg_roles WHERE rolname = current_user)").fetchone()
        if user and user[1]:
            self.conn.close()
            raise ValueError("connect as the authenticator, not a superuser (superusers bypass RLS and grants)")
        self._signatures: dict[str, list[_Signature]] = {}
        self._role_settings: dict[str, tuple[tuple[str, str], ...]] = {}

    # -- authentication (PostgREST's JWT middleware) ---------------------------------------------
    def authenticate(self, headers: dict[str, str] | None) -> tuple[str, dict[str, Any]]:
        """The role and the ``request.jwt.claims`` of a request with these HTTP headers; :class:`AuthError` if refused.

        Only ``Authorization: Bearer <token>`` counts (the scheme in any case); without it the request is anonymous.
        """
        value = next((v for k, v in (headers or {}).items() if k.lower() == "authorization"), "")
        scheme, _, rest = value.strip().partition(" ")
        token = rest.strip() if scheme.lower() == "bearer" else ""
        payload = self._verify(token) if token else {}
        found = _walk(payload, self._role_path)
        if found is not None:
            role = found if isinstance(found, str) else json.dumps(found)
        elif self.anon_role is not None:
            role = self.anon_role
        else:
            raise AuthError(401, "PGRST302", "Anonymous access is disabled", "Bearer")
        return role, {**payload, "role": role}

    def _verify(self, token: str) -> dict[str, Any]:
        if self._keys is None:
            raise AuthError(500, "PGRST300", "Server lacks JWT secret", None)
        try:
            header = jwt.get_unverified_header(token)
        except jwt.DecodeError as exc:
            raise _invalid(f"JWSError (CompactDecodeError {exc})") from None
        alg = header.get("alg")
        if alg in ASYMMETRIC_ALGORITHMS:
            raise _invalid("JWSError JWSInvalidSignature")   # a shared secret cannot verify it
        if alg not in HMAC_ALGORITHMS:
            raise _invalid("JWSError JWSNoSignatures")        # "none" and unknown algorithms are never considered
        for key in self._keys:
            try:
                payload = jwt.decode(token, key, algorithms=[alg], leeway=CLOCK_SKEW,
                                     options={"verify_aud": False, "require": []})
                break
            except jwt.InvalidSignatureError:
                continue
            except jwt.ExpiredSignatureError:
                raise _invalid("JWT expired") from None
            except jwt.ImmatureSignatureError as exc:
                raise _invalid("JWTIssuedAtFuture" if "iat" in str(exc) else "JWTNotYetValid") from None
            except jwt.InvalidTokenError as exc:
                raise _invalid(f"JWTClaimsSetDecodeError {exc}") from None
        else:
            raise _invalid("JWSError JWSInvalidSignature")
        if self._aud is not None and "aud" in payload:
            auds = payload["aud"] if isinstance(payload["aud"], list) else [payload["aud"]]
            if self._aud not in auds:
                raise _invalid("JWTNotInAudience")
        return payload

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> "PostgREST":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- the request -----------------------------------------------------------------------------
    def rpc(self, function: str, args: dict[str, Any] | None = None, *, token: str | None = None,
            method: str = "POST", headers: dict[str, str] | None = None) -> Response:
        """``POST /rpc/<function>`` (or GET) with ``args`` as the JSON body (or query string).

        ``token`` is the JWT sent as ``Authorization: Bearer`` (``None``: no header, the anonymous role, unless
        ``headers`` carries one); ``headers`` are the other request headers. Argument
        names are given without the ``p_`` prefix or with it, as the API documents them.
        """
        args = dict(args or {})
        headers = _with_token(headers, token)
        try:
            role, claims = self.authenticate(headers)
        except AuthError as exc:
            return exc.response
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

    def get(self, relation: str, filters: dict[str, str] | None = None, *, token: str | None = None,
            order: str | None = None, limit: int | None = None, headers: dict[str, str] | None = None) -> Response:
        """``GET /<relation>?col=op.value&order=col.desc&limit=n`` on a view of the exposed schema.

        Filters use PostgREST's horizontal-filter syntax for the plain comparison operators
        (``eq``, ``neq``, ``lt``, ``lte``, ``gt``, ``gte``). The view runs with the caller's role, so
        row-level security decides the rows, as under PostgREST. ``token`` and ``headers`` as for :meth:`rpc`.
        """
        headers = _with_token(headers, token)
        try:
            role, claims = self.authenticate(headers)
        except AuthError as exc:
            return exc.response
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
                self._set_request(role, claims, "GET", f"/{relation}", headers)
                row = self.conn.execute(query, params).fetchone()
        except psycopg.Error as exc:
            return _failure(exc, role)
        return Response(200, row[0] if row else [])

    def _set_request(self, role: str, claims: dict[str, Any], method: str, path: str,
                     headers: dict[str, str] | None) -> None:
        settings = {
            "search_path": self.schema,
            "role": role,
            "request.jwt.claims": json.dumps(claims),
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


def _with_token(headers: dict[str, str] | None, token: str | None) -> dict[str, str]:
    headers = dict(headers or {})
    if token is not None:
        if any(k.lower() == "authorization" for k in headers):
            raise ValueError("give the token either as token= or in an Authorization header, not both")
        headers.update(bearer(token))
    return headers


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
