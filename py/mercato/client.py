"""The Mercato client: a caller's connection to the ``api`` functions (the surface PostgREST serves), over a psycopg
connection pool, with one sub-client per module.

``client.identity``, ``client.masterdata``, ``client.ledger``, ``client.parties``, ``client.fleet``,
``client.marketplace``, ``client.contracts``, ``client.delivery``, ``client.settlement``, ``client.outbox``, ``client.catalog``, ``client.inventory``, ``client.store``, ``client.purchasing`` (the store's
purchasing), ``client.orders``, ``client.customers``, ``client.payments`` and ``client.credit`` each hold one method per ``api`` wrapper of that module's functions
(:mod:`mercato.identity`, …); :class:`Client` itself only carries the caller and the transport.

Every call is one transaction, exactly like a PostgREST request: ``set_config('request.jwt.claims', …,
true)`` and ``set_config('role', …, true)`` (the client's database role, or the connection's own login role for the
back office), the role's own settings with ``set_config(…, true)`` as PostgREST applies "impersonated role settings"
(its ``statement_timeout``, ``lock_timeout``, ``idle_in_transaction_session_timeout``: PostgreSQL applies them at
login only, never on a role switch; :func:`role_settings`), then a call with **named arguments**, then COMMIT
(ROLLBACK on error). Nothing is set for the session
and no statement is prepared on the server (:func:`mercato.config.prepare_threshold`), so a connection carries no
caller's identity from one transaction to the next and the library works behind pgbouncer in transaction mode.
Results come back as typed dataclasses; refusals as :class:`mercato.errors.MercatoError` with the stable code.
Amounts travel as :class:`decimal.Decimal` or strings and are never computed on in Python.
"""

from __future__ import annotations

import json
import threading
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
from psycopg import sql
from psycopg.rows import dict_row
from psycopg_pool import ConnectionPool

from mercato.catalog import CatalogClient
from mercato.contracts import ContractsClient
from mercato.credit import CreditClient
from mercato.customers import CustomersClient
from mercato.delivery import DeliveryClient
from mercato.errors import from_psycopg
from mercato.fleet import FleetClient
from mercato.identity import IdentityClient
from mercato.inventory import InventoryClient
from mercato.ledger import LedgerClient
from mercato.marketplace import MarketplaceClient
from mercato.masterdata import MasterdataClient
from mercato.module import ModuleClient
from mercato.orders import OrdersClient
from mercato.outbox import OutboxClient
from mercato.parties import PartiesClient
from mercato.payments import PaymentsClient
from mercato.purchasing import PurchasingClient
from mercato.settlement import SettlementClient
from mercato.store import StoreClient

#: The settings of each role, read once per pool (PostgREST reads them once per schema-cache load): pool -> role ->
#: ((name, value), …). A DBA who changes a role's settings restarts the service, as PostgREST needs a reload.
_ROLE_SETTINGS: "weakref.WeakKeyDictionary[ConnectionPool, dict[str, tuple[tuple[str, str], ...]]]" = \
    weakref.WeakKeyDictionary()
_ROLE_SETTINGS_LOCK = threading.Lock()

#: The settings ``ALTER ROLE … SET`` gave a role, for the connection's database: cluster-wide ones, then the
#: database-specific ones that override them (PostgreSQL's order at login). Only settings a session may change (context
#: ``user``, or a custom ``x.y`` setting), as PostgREST applies only those without GRANT SET ON PARAMETER.
ROLE_SETTINGS_SQL = """
SELECT DISTINCT ON (name) name, value
  FROM (SELECT split_part(c, '=', 1) AS name, substr(c, strpos(c, '=') + 1) AS value, s.setdatabase
          FROM pg_catalog.pg_db_role_setting s, unnest(s.setconfig) AS c
         WHERE s.setrole = (SELECT oid FROM pg_catalog.pg_roles WHERE rolname = %s)
           AND s.setdatabase IN (0, (SELECT oid FROM pg_catalog.pg_database WHERE datname = current_database()))) AS r
 WHERE r.name LIKE '%%.%%'
    OR EXISTS (SELECT FROM pg_catalog.pg_settings g WHERE g.name = r.name AND g.context = 'user')
 ORDER BY name, setdatabase DESC"""


def role_settings(conn: psycopg.Connection, role: str) -> tuple[tuple[str, str], ...]:
    """The (name, value) settings of ``role`` PostgreSQL would apply at its login to this database."""
    return tuple((name, value) for name, value in conn.execute(ROLE_SETTINGS_SQL, (role,)).fetchall())


#: The sub-clients of every :class:`Client`, by attribute (each named after the module its api wrappers call).
SUB_CLIENTS: tuple[type[ModuleClient], ...] = (IdentityClient, MasterdataClient, LedgerClient, PartiesClient,
                                               FleetClient, MarketplaceClient, ContractsClient, DeliveryClient,
                                               SettlementClient, OutboxClient, CatalogClient, InventoryClient,
                                               StoreClient, PurchasingClient, CustomersClient, OrdersClient,
                                               PaymentsClient, CreditClient)


class Client:
    """Access to Mercato as one caller (JWT claims and optional database role): ``client.<module>.<method>(…)``.

    The client holds the caller and the connection pool and runs each call as one transaction (:meth:`call`); the
    methods over the ``api`` functions are on its sub-clients, one per module."""

    identity: IdentityClient
    masterdata: MasterdataClient
    ledger: LedgerClient
    parties: PartiesClient
    fleet: FleetClient
    marketplace: MarketplaceClient
    contracts: ContractsClient
    delivery: DeliveryClient
    settlement: SettlementClient
    outbox: OutboxClient
    catalog: CatalogClient
    inventory: InventoryClient
    orders: OrdersClient
    store: StoreClient
    purchasing: PurchasingClient
    customers: CustomersClient
    payments: PaymentsClient
    credit: CreditClient

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
        for sub_client in SUB_CLIENTS:
            setattr(self, sub_client.module, sub_client(self))

    # -- callers ----------------------------------------------------------------------------------
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
        never become this caller's identity: without a role the call runs as the connection's login role (NONE), whose
        own settings PostgreSQL applied at login. With a role, that role's settings (its timeouts) are set locally too,
        as PostgREST does, read once per pool (:func:`role_settings`)."""
        with self.pool.connection() as conn:
            try:
                with conn.transaction():
                    settings = self._role_settings(conn)
                    conn.execute(
                        "SELECT set_config('request.jwt.claims', %s, true), "
                        "set_config('role', coalesce(%s, 'none'), true)"
                        + "".join(", set_config(%s, %s, true)" for _ in settings),
                        (json.dumps(self.claims), self.role, *(v for item in settings for v in item)),
                    )
                    yield conn
            except psycopg.Error as exc:
                raise from_psycopg(exc) from exc

    def _role_settings(self, conn: psycopg.Connection) -> tuple[tuple[str, str], ...]:
        """This client's role's settings, from the pool's cache (read on this connection the first time)."""
        if self.role is None:
            return ()
        with _ROLE_SETTINGS_LOCK:
            cached = _ROLE_SETTINGS.setdefault(self.pool, {}).get(self.role)
        if cached is None:
            cached = role_settings(conn, self.role)
            with _ROLE_SETTINGS_LOCK:
                _ROLE_SETTINGS[self.pool][self.role] = cached
        return cached

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
        """Call a function and return its first row (None when it returns none)."""
        rows = self.call(function, **params)
        return rows[0] if rows else None

    def call_value(self, function: str, **params: Any) -> Any:
        """Call a scalar function and return its value."""
        row = self.call_one(function, **params)
        return None if row is None else next(iter(row.values()))
