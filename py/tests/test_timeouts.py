"""Timeouts per API role (schemas/core/timeouts, docs/operations.md "Timeouts").

PostgreSQL applies ``ALTER ROLE … SET`` at login only, never on ``SET ROLE``; PostgREST (≥ 11.1, "impersonated role
settings") applies the impersonated role's settings with ``set_config(…, true)`` per request, and so do the library's
``Client`` and the PostgREST emulator. These tests show the deployed values reaching a request, a runaway call cut off
by ``statement_timeout`` (57014) and a lock wait cut off by ``lock_timeout`` (55P03), both HTTP 500, and nothing left
on the connection afterwards. To stay fast they lower the values for the test's own database only
(``ALTER ROLE … IN DATABASE``, which PostgreSQL, PostgREST and the clients apply over the cluster-wide values).
"""

from __future__ import annotations

import threading

import psycopg
import pytest

from mercato.client import Client
from mercato.errors import MercatoError
from jwt_helper import rest_as_authenticator, sign

USER = {"sub": "kc|timeouts", "role": "mercato_user"}
EXPECTED = {
    "mercato_anon": {"statement_timeout": "3s", "lock_timeout": "1s", "idle_in_transaction_session_timeout": "10s"},
    "mercato_user": {"statement_timeout": "10s", "lock_timeout": "4s", "idle_in_transaction_session_timeout": "20s"},
    "mercato_service": {"statement_timeout": "5min", "lock_timeout": "15s",
                        "idle_in_transaction_session_timeout": "1min"},
    "mercato_authenticator": {"idle_in_transaction_session_timeout": "1min"},
}


@pytest.fixture
def probe(postgresql: psycopg.Connection, db_url: str) -> str:
    """api.timeouts_probe_sleep / api.timeouts_probe_lock in this test's database: api-like calls that run away."""
    postgresql.execute("""
        CREATE TABLE public.timeouts_probe (id int PRIMARY KEY);
        INSERT INTO public.timeouts_probe VALUES (1);
        CREATE FUNCTION api.timeouts_probe_sleep(p_seconds double precision) RETURNS boolean
            LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
            BEGIN ATOMIC SELECT pg_catalog.pg_sleep(p_seconds); SELECT true; END;
        COMMENT ON FUNCTION api.timeouts_probe_sleep(double precision) IS 'Test only: sleep p_seconds.';
        CREATE FUNCTION api.timeouts_probe_lock() RETURNS integer
            LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
            BEGIN ATOMIC UPDATE public.timeouts_probe SET id = id WHERE id = 1 RETURNING id; END;
        COMMENT ON FUNCTION api.timeouts_probe_lock() IS 'Test only: lock the probe row.';
        GRANT EXECUTE ON FUNCTION api.timeouts_probe_sleep(double precision), api.timeouts_probe_lock()
            TO mercato_user, mercato_anon;
    """)
    postgresql.commit()
    return db_url


def lower_for_this_database(conn: psycopg.Connection, role: str, **settings: str) -> None:
    dbname = conn.info.dbname
    for name, value in settings.items():
        conn.execute(f'ALTER ROLE {role} IN DATABASE "{dbname}" SET {name} = \'{value}\'')
    conn.commit()


def test_every_api_role_has_its_timeouts_and_lock_timeout_is_below_statement_timeout(
        postgresql: psycopg.Connection) -> None:
    rows = postgresql.execute("""
        SELECT s.setrole::regrole::text, split_part(c, '=', 1), substr(c, strpos(c, '=') + 1)
          FROM pg_db_role_setting s, unnest(s.setconfig) c
         WHERE s.setdatabase = 0 AND s.setrole::regrole::text LIKE 'mercato\\_%'""").fetchall()
    found: dict[str, dict[str, str]] = {}
    for role, name, value in rows:
        found.setdefault(role, {})[name] = value
    assert {r: {k: v for k, v in s.items() if k in EXPECTED.get(r, {})} for r, s in found.items()} == EXPECTED
    for role in ("mercato_anon", "mercato_user", "mercato_service"):
        lock, statement = postgresql.execute(
            "SELECT %s::interval, %s::interval",
            (EXPECTED[role]["lock_timeout"], EXPECTED[role]["statement_timeout"])).fetchone()
        assert lock < statement, role


def test_the_client_applies_the_role_settings_per_transaction_and_leaves_nothing(db_url: str) -> None:
    with Client(db_url, max_size=1) as backoffice:
        user = backoffice.as_caller(USER, role="mercato_user")
        with user.transaction() as conn:
            got = conn.execute("SELECT current_setting('statement_timeout'), current_setting('lock_timeout'), "
                               "current_setting('idle_in_transaction_session_timeout')").fetchone()
        assert got == ("10s", "4s", "20s")
        service = backoffice.as_caller({"role": "mercato_service"}, role="mercato_service")
        with service.transaction() as conn:
            assert conn.execute("SHOW statement_timeout").fetchone()[0] == "5min"
        # the same (only) backend, as the login role: the settings ended with the transactions
        with backoffice.transaction() as conn:
            assert conn.execute("SHOW statement_timeout").fetchone()[0] == "0"
            assert conn.execute("SHOW lock_timeout").fetchone()[0] == "0"


def test_a_runaway_call_through_the_client_is_cut_off_by_statement_timeout(
        postgresql: psycopg.Connection, probe: str) -> None:
    lower_for_this_database(postgresql, "mercato_user", statement_timeout="300ms")
    with Client(probe) as backoffice:  # a new pool: the settings are read once per pool
        user = backoffice.as_caller(USER, role="mercato_user")
        assert user.call_value("api.timeouts_probe_sleep", seconds=0.01) is True
        with pytest.raises(MercatoError) as caught:
            user.call_value("api.timeouts_probe_sleep", seconds=5)
        assert caught.value.sqlstate == "57014" and caught.value.code == "57014"
        assert caught.value.http_status == 500
        # the back office logs in without a timeout: the user's limit is not its limit
        assert backoffice.call_value("api.timeouts_probe_sleep", seconds=0.5) is True


def test_a_runaway_request_through_postgrest_is_cut_off(postgresql: psycopg.Connection, probe: str) -> None:
    lower_for_this_database(postgresql, "mercato_user", statement_timeout="300ms")
    with rest_as_authenticator(probe) as rest:
        response = rest.rpc("timeouts_probe_sleep", {"p_seconds": 5}, token=sign(USER))
        assert response.status == 500 and response.body["code"] == "57014"
        assert rest.rpc("timeouts_probe_sleep", {"p_seconds": 0.01}, token=sign(USER)).status == 200
        # outside the requests, the authenticator's session keeps none of the role's settings
        assert rest.conn.execute("SHOW statement_timeout").fetchone()[0] == "0"


def test_a_lock_wait_beyond_lock_timeout_fails_with_55p03(postgresql: psycopg.Connection, probe: str) -> None:
    lower_for_this_database(postgresql, "mercato_user", lock_timeout="200ms")
    holder = psycopg.connect(probe)
    try:
        holder.execute("SELECT FROM public.timeouts_probe WHERE id = 1 FOR UPDATE")  # held until rollback
        with Client(probe) as backoffice:
            user = backoffice.as_caller(USER, role="mercato_user")
            with pytest.raises(MercatoError) as caught:
                user.call_value("api.timeouts_probe_lock")
            assert caught.value.sqlstate == "55P03" and caught.value.http_status == 500
            with rest_as_authenticator(probe) as rest:
                response = rest.rpc("timeouts_probe_lock", {}, token=sign(USER))
                assert response.status == 500 and response.body["code"] == "55P03"
        holder.rollback()
        with Client(probe) as backoffice:
            assert backoffice.as_caller(USER, role="mercato_user").call_value("api.timeouts_probe_lock") == 1
    finally:
        holder.close()
