"""The Mercato client: one method per ``api`` function (the surface PostgREST serves), over a psycopg connection pool.

Every call is one transaction, exactly like a PostgREST request: ``set_config('request.jwt.claims', …,
true)`` and ``set_config('role', …, true)`` (the client's database role, or the connection's own login role for the
back office), then a call with **named arguments**, then COMMIT (ROLLBACK on error). Nothing is set for the session
and no statement is prepared on the server (:func:`mercato.config.prepare_threshold`), so a connection carries no
caller's identity from one transaction to the next and the library works behind pgbouncer in transaction mode.
Results come back as typed dataclasses; refusals as :class:`mercato.errors.MercatoError` with the stable code.
Amounts travel as :class:`decimal.Decimal` or strings and are never computed on in Python.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any

import psycopg
from psycopg import sql
from psycopg.rows import dict_row
from psycopg.types.json import Jsonb
from psycopg_pool import ConnectionPool

from mercato.contracts import ContractsMixin
from mercato.marketplace import MarketplaceMixin
from mercato.errors import from_psycopg
from mercato.ledger import LedgerMixin


@dataclass(frozen=True)
class Actor:
    """Who the database thinks is calling (identity.current_actor())."""

    subject: str | None
    user_id: int | None
    user_type: str | None
    tenant_id: int | None
    status: str | None
    role: str | None
    claims: dict[str, Any]


@dataclass(frozen=True)
class PolicyVersion:
    """One version of a versioned policy (masterdata.policy_version), as ``api.policy_in_force`` answers it."""

    id: int
    policy_code: str
    version: int
    effective_from: datetime
    effective_to: datetime | None
    body: dict[str, Any]


class Client(LedgerMixin, ContractsMixin, MarketplaceMixin):
    """Access to Mercato as one caller (JWT claims and optional database role)."""

    def __init__(self, dsn: str | None = None, *, claims: dict[str, Any] | None = None,
                 role: str | None = None, pool: ConnectionPool | None = None,
                 min_size: int = 1, max_size: int = 8) -> None:
        if pool is None:
            if dsn is None:
                from mercato.config import database_url

                dsn = database_url()
            from mercato.config import prepare_threshold

            pool = ConnectionPool(dsn, min_size=min_size, max_size=max_size, open=False,
                                  kwargs={"autocommit": False, "prepare_threshold": prepare_threshold()})
            try:
                pool.open(wait=True, timeout=15)
            except psycopg.errors.Error as exc:  # pragma: no cover - exercised via CLI tests
                raise from_psycopg(exc) from exc
            except Exception as exc:  # PoolTimeout
                pool.close()
                from mercato.errors import ConnectionFailed

                raise ConnectionFailed("CONNECTION_FAILED", f"cannot connect to the database: {exc}") from exc
            self._owns_pool = True
        else:
            self._owns_pool = False
        self.pool = pool
        self.claims = dict(claims or {})
        self.role = role

    # -- identity ---------------------------------------------------------------------------------
    def as_caller(self, claims: dict[str, Any] | None = None, role: str | None = None) -> "Client":
        """A client sharing this pool that calls as someone else (like another JWT)."""
        return Client(pool=self.pool, claims=claims, role=role)

    def close(self) -> None:
        if self._owns_pool:
            self.pool.close()

    def __enter__(self) -> "Client":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- plumbing ---------------------------------------------------------------------------------
    @contextmanager
    def transaction(self) -> Iterator[psycopg.Connection]:
        """One request: a transaction with this caller's claims and role set locally (``true``: they end with it).

        Both are always set, so a session-level leftover on a shared backend (another pooled client's ``SET``) can
        never become this caller's identity: without a role the call runs as the connection's login role (NONE)."""
        with self.pool.connection() as conn:
            try:
                with conn.transaction():
                    conn.execute(
                        "SELECT set_config('request.jwt.claims', %s, true), "
                        "set_config('role', coalesce(%s, 'none'), true)",
                        (json.dumps(self.claims), self.role),
                    )
                    yield conn
            except psycopg.Error as exc:
                raise from_psycopg(exc) from exc

    def call(self, function: str, **params: Any) -> list[dict[str, Any]]:
        """Call ``schema.function(p_name := value, …)`` and return its rows as dicts."""
        schema, _, name = function.rpartition(".")
        args = sql.SQL(", ").join(
            sql.SQL("{} := {}").format(sql.Identifier(f"p_{key}"), sql.Placeholder(key)) for key in params
        )
        query = sql.SQL("SELECT * FROM {}.{}({})").format(sql.Identifier(schema), sql.Identifier(name), args)
        with self.transaction() as conn:
            with conn.cursor(row_factory=dict_row) as cur:
                cur.execute(query, params)
                return cur.fetchall() if cur.description else []

    def call_one(self, function: str, **params: Any) -> dict[str, Any] | None:
        rows = self.call(function, **params)
        return rows[0] if rows else None

    def call_value(self, function: str, **params: Any) -> Any:
        """Call a scalar function and return its value."""
        row = self.call_one(function, **params)
        return None if row is None else next(iter(row.values()))

    # -- identity -----------------------------------------------------------------------------------
    def create_tenant(self, code: str, name: str, metadata: dict | None = None) -> int:
        return self.call_value("api.create_tenant", code=code, name=name,
                               metadata=Jsonb(metadata or {}))

    def register_user(self, auth_subject: str, user_type: str, display_name: str, *,
                      tenant_id: int | None = None, email: str | None = None, phone: str | None = None) -> int:
        return self.call_value("api.register_user", auth_subject=auth_subject, user_type=user_type,
                               display_name=display_name, tenant_id=tenant_id, email=email, phone=phone)

    def assign_role(self, user_id: int, role_code: str, tenant_id: int | None = None) -> int:
        return self.call_value("api.assign_role", user_id=user_id, role_code=role_code, tenant_id=tenant_id)

    def revoke_role(self, user_id: int, role_code: str, tenant_id: int | None = None) -> bool:
        return self.call_value("api.revoke_role", user_id=user_id, role_code=role_code, tenant_id=tenant_id)

    def set_user_status(self, user_id: int, status: str) -> None:
        self.call("api.set_user_status", user_id=user_id, status=status)

    def current_actor(self) -> Actor:
        return _typed(Actor, self.call_one("api.current_actor"))

    # -- masterdata ---------------------------------------------------------------------------------
    def setting(self, key: str, value_type: str = "NUMBER") -> Any:
        """A setting's value, read as ``value_type`` by the database's typed reader (another type is refused there):
        NUMBER as Decimal, BOOLEAN as bool, JSON decoded, STRING as str."""
        fn = {"NUMBER": "setting_number", "STRING": "setting_text", "BOOLEAN": "setting_bool",
              "JSON": "setting_json"}[value_type]
        return self.call_value(f"api.{fn}", key=key)

    def set_setting(self, key: str, value: str) -> None:
        self.call("api.set_setting", key=key, value=value)

    def add_policy_version(self, policy_code: str, effective_from: Any, body: dict, note: str = "") -> int:
        return self.call_value("api.add_policy_version", policy_code=policy_code,
                               effective_from=effective_from, body=Jsonb(body), note=note)

    def policy_in_force(self, policy_code: str, at: datetime | None = None) -> PolicyVersion:
        params: dict[str, Any] = {"policy_code": policy_code}
        if at is not None:
            params["at"] = at
        return _typed(PolicyVersion, self.call_one("api.policy_in_force", **params))


def _typed(cls: type, row: dict[str, Any] | None) -> Any:
    """Build a result dataclass from a row, keeping only the dataclass's fields."""
    if row is None:
        raise LookupError(f"no {cls.__name__} returned")
    return cls(**{f.name: row.get(f.name) for f in fields(cls)})
