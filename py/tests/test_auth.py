"""Mercato's own credentials (issue 17), exercised as PostgREST does it: the NOINHERIT authenticator switches to
mercato_anon / mercato_user and sets the claims of the JWT the database signed. Superuser connections only arrange
the world (bcrypt cost, the signing secret) and play the clock (locks and revocations moved into the past)."""

from __future__ import annotations

import statistics
import time
from collections.abc import Iterator

import jwt
import psycopg
import pytest
from click.testing import CliRunner
from psycopg import sql
from psycopg.conninfo import make_conninfo

from mercato.client import Client
from mercato.errors import MercatoError

SECRET = "test-secret-of-at-least-32-bytes-0123456789"
PASSWORD = "Zebra-Quartz-Lantern-91"


@pytest.fixture
def world(db_url: str) -> Iterator[tuple[Client, str]]:
    """An anonymous client through the authenticator, a tenant ``shop`` open to sign-up, fast hashes, a secret."""
    with psycopg.connect(db_url, autocommit=True) as conn:
        conn.execute("UPDATE masterdata.setting SET value = '4' WHERE key = 'AUTH_BCRYPT_COST'")
        conn.execute("SELECT identity.set_jwt_secret(%s)", (SECRET,))
        conn.execute("""INSERT INTO identity.tenant (code, name, metadata) VALUES ('shop', 'Shop', '{"self_sign_up": true}')""")
    with Client(make_conninfo(db_url, user="mercato_authenticator")) as app:
        yield app.as_caller({"role": "mercato_anon"}, role="mercato_anon"), db_url


def as_user(anon: Client, access_token: str) -> Client:
    """A client carrying the claims of a JWT, as PostgREST sets them after checking its signature."""
    claims = jwt.decode(access_token, SECRET, algorithms=["HS256"])
    return anon.as_caller(claims, role=claims["role"])


def test_the_jwt_verifies_with_pyjwt_as_postgrest_would(world) -> None:
    anon, _ = world
    uid = anon.identity.sign_up("shop", "alice@example.com", PASSWORD, "Alice")
    tokens = anon.identity.sign_in("Alice@Example.com", PASSWORD, "shop")
    claims = jwt.decode(tokens.access_token, SECRET, algorithms=["HS256"], options={"require": ["exp", "iat", "sub", "jti"]})
    assert jwt.get_unverified_header(tokens.access_token) == {"alg": "HS256", "typ": "JWT"}
    assert claims["role"] == "mercato_user" and claims["sid"] == tokens.session_id and claims["exp"] - claims["iat"] == 900
    assert abs(claims["iat"] - time.time()) < 60 and int(tokens.expires_at.timestamp()) == claims["exp"]
    with pytest.raises(jwt.InvalidSignatureError):
        jwt.decode(tokens.access_token, SECRET + "x", algorithms=["HS256"])
    with pytest.raises(jwt.ExpiredSignatureError):   # 15 minutes and a second later
        jwt.decode(tokens.access_token, SECRET, algorithms=["HS256"], leeway=-901, options={"verify_iat": False})
    with pytest.raises(jwt.ImmatureSignatureError):  # issued "in the future" for a clock 2 minutes behind
        jwt.decode(tokens.access_token, SECRET, algorithms=["HS256"], leeway=-120, options={"verify_exp": False})
    me = as_user(anon, tokens.access_token).identity.current_actor()
    assert (me.user_id, me.tenant_id) == (uid, claims["tenant"])


def test_an_unknown_login_and_a_wrong_password_look_the_same(world) -> None:
    anon, db_url = world
    with psycopg.connect(db_url, autocommit=True) as conn:   # a realistic cost, so that skipping bcrypt would show
        conn.execute("UPDATE masterdata.setting SET value = '9' WHERE key = 'AUTH_BCRYPT_COST'")
    anon.identity.sign_up("shop", "kebede", PASSWORD, "Kebede")

    def attempt(login: str) -> tuple[float, tuple]:
        start = time.perf_counter()
        with pytest.raises(MercatoError) as info:
            anon.identity.sign_in(login, "not-the-password", "shop")
        return time.perf_counter() - start, (info.value.code, info.value.message, info.value.http_status)

    wrong, unknown = [], []
    for i in range(4):   # under the lock threshold (5) for each login
        wrong.append(attempt("kebede"))
        unknown.append(attempt(f"nobody{i}"))
    assert {w[1] for w in wrong} == {u[1] for u in unknown} == {
        ("IDENTITY_SIGN_IN_FAILED", "the login or the password is wrong", 401)}
    ratio = statistics.median(t for t, _ in wrong) / statistics.median(t for t, _ in unknown)
    assert 1 / 3 < ratio < 3, f"a wrong password takes {ratio:.2f} times as long as an unknown login"


def test_repeated_failures_lock_the_login_and_the_lock_expires(world) -> None:
    anon, db_url = world
    anon.identity.sign_up("shop", "+251911000111", PASSWORD, "Almaz")
    for _ in range(5):
        with pytest.raises(MercatoError) as info:
            anon.identity.sign_in("+251911000111", "guess", "shop")
        assert info.value.code == "IDENTITY_SIGN_IN_FAILED"
    with pytest.raises(MercatoError) as info:
        anon.identity.sign_in("+251911000111", PASSWORD, "shop")
    assert (info.value.code, info.value.http_status) == ("IDENTITY_SIGN_IN_LOCKED", 429)
    assert info.value.detail == "retry after 60 s"
    with psycopg.connect(db_url, autocommit=True) as conn:   # the minute has passed
        conn.execute("UPDATE identity.sign_in_throttle SET locked_until = now() - interval '1 second' "
                     "WHERE login = '+251911000111'")
    assert anon.identity.sign_in("+251911000111", PASSWORD, "shop").access_token
    with psycopg.connect(db_url) as conn:
        assert conn.execute("SELECT failures, locked_until FROM identity.sign_in_throttle "
                            "WHERE login = '+251911000111'").fetchone() == (0, None)


def test_a_reused_refresh_token_revokes_the_whole_family(world) -> None:
    anon, _ = world
    anon.identity.sign_up("shop", "dawit", PASSWORD, "Dawit")
    first = anon.identity.sign_in("dawit", PASSWORD, "shop")
    second = anon.identity.refresh(first.refresh_token)
    assert second.session_id == first.session_id and second.refresh_token != first.refresh_token
    third = anon.identity.refresh(second.refresh_token)
    with pytest.raises(MercatoError) as info:   # a thief replays the first token
        anon.identity.refresh(first.refresh_token)
    assert (info.value.code, info.value.http_status) == ("IDENTITY_REFRESH_INVALID", 401)
    with pytest.raises(MercatoError):           # the legitimate holder's newest token died with the family
        anon.identity.refresh(third.refresh_token)
    with pytest.raises(MercatoError) as info:   # and so did its access token
        as_user(anon, third.access_token).identity.current_actor()
    assert info.value.code == "IDENTITY_TOKEN_REVOKED"


def test_a_deactivated_user_s_valid_looking_jwt_is_refused_at_once(world) -> None:
    anon, db_url = world
    uid = anon.identity.sign_up("shop", "selam@example.com", PASSWORD, "Selam")
    tokens = anon.identity.sign_in("selam@example.com", PASSWORD, "shop")
    selam = as_user(anon, tokens.access_token)
    assert selam.identity.current_actor().user_id == uid
    with Client(db_url) as service:
        service.identity.set_user_status(uid, "SUSPENDED")
    jwt.decode(tokens.access_token, SECRET, algorithms=["HS256"])   # still well signed and unexpired
    with pytest.raises(MercatoError) as info:
        selam.identity.current_actor()
    assert (info.value.code, info.value.http_status) == ("IDENTITY_TOKEN_REVOKED", 401)
    with pytest.raises(MercatoError):
        anon.identity.refresh(tokens.refresh_token)


def test_revoke_all_sessions_and_a_password_change_end_every_token(world) -> None:
    anon, _ = world
    anon.identity.sign_up("shop", "hana", PASSWORD, "Hana")
    a, b = (anon.identity.sign_in("hana", PASSWORD, "shop") for _ in range(2))
    hana_a, hana_b = as_user(anon, a.access_token), as_user(anon, b.access_token)
    assert [s["current"] for s in hana_a.identity.my_sessions()] == [False, True]
    hana_a.identity.revoke_session(b.session_id)
    with pytest.raises(MercatoError):
        hana_b.identity.current_actor()
    assert hana_a.identity.revoke_all_sessions() == 1
    with pytest.raises(MercatoError):
        hana_a.identity.current_actor()
    c = anon.identity.sign_in("hana", PASSWORD, "shop")
    as_user(anon, c.access_token).identity.change_password(PASSWORD, "Another-Long-Passphrase-7")
    with pytest.raises(MercatoError) as info:
        as_user(anon, c.access_token).identity.my_sessions()
    assert info.value.code == "IDENTITY_TOKEN_REVOKED"
    with pytest.raises(MercatoError):
        anon.identity.sign_in("hana", PASSWORD, "shop")
    assert anon.identity.sign_in("hana", "Another-Long-Passphrase-7", "shop").access_token


def test_no_clear_password_or_token_is_stored_anywhere(world) -> None:
    """Every text, jsonb and bytea column of every table, audit.event included, scanned as superuser for the clear
    password, the refresh tokens and the access tokens of a whole flow (and the signing secret outside its table)."""
    anon, db_url = world
    anon.identity.sign_up("shop", "meron@example.com", PASSWORD, "Meron")
    with pytest.raises(MercatoError):
        anon.identity.sign_in("meron@example.com", PASSWORD + "!", "shop")
    first = anon.identity.sign_in("meron@example.com", PASSWORD, "shop")
    second = anon.identity.refresh(first.refresh_token)
    as_user(anon, second.access_token).identity.change_password(PASSWORD, PASSWORD + "-new")
    needles = {"password": PASSWORD, "new password": PASSWORD + "-new", "wrong password": PASSWORD + "!",
               "refresh 1": first.refresh_token, "refresh 2": second.refresh_token,
               "access 1": first.access_token, "access 2": second.access_token}
    found = []
    with psycopg.connect(db_url) as conn:
        columns = conn.execute("""
            SELECT n.nspname, c.relname, a.attname, t.typname
              FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
              JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
              JOIN pg_type t ON t.oid = a.atttypid
             WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition
               AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')
               AND t.typname IN ('text', 'varchar', 'jsonb', 'json', 'bytea', 'bpchar')""").fetchall()
        assert len(columns) > 100, "scanned the schema"
        for schema, table, column, typ in columns:
            as_text = (sql.SQL("encode({}, 'escape')") if typ == "bytea" else sql.SQL("{}::text")).format(sql.Identifier(column))
            for label, value in needles.items():
                hit = conn.execute(sql.SQL("SELECT EXISTS (SELECT 1 FROM {}.{} WHERE strpos({}, %s) > 0)").format(
                    sql.Identifier(schema), sql.Identifier(table), as_text), (value,)).fetchone()[0]
                if hit:
                    found.append((f"{schema}.{table}.{column}", label))
            if (schema, table) != ("identity", "jwt_secret"):
                if conn.execute(sql.SQL("SELECT EXISTS (SELECT 1 FROM {}.{} WHERE strpos({}, %s) > 0)").format(
                        sql.Identifier(schema), sql.Identifier(table), as_text), (SECRET,)).fetchone()[0]:
                    found.append((f"{schema}.{table}.{column}", "signing secret"))
        assert conn.execute("SELECT count(*) FROM audit.event WHERE entity_type IN ('identity.session', 'identity.password')"
                            ).fetchone()[0] >= 4, "the flow was audited (and scanned)"
    assert not found, f"clear secrets stored: {found}"


def test_the_cli_reads_passwords_and_secrets_from_stdin(world, monkeypatch: pytest.MonkeyPatch) -> None:
    from mercato.cli import cli

    _, db_url = world
    monkeypatch.setenv("DATABASE_URL", db_url)
    runner = CliRunner()
    r = runner.invoke(cli, ["auth", "set-secret"], input=SECRET + "\n", catch_exceptions=False, standalone_mode=False)
    assert r.exit_code == 0 and "JWT secret set" in r.output
    r = runner.invoke(cli, ["auth", "sign-up", "--tenant", "shop", "--login", "tsion", "--name", "Tsion", "--password-stdin"],
                      input=PASSWORD + "\n", standalone_mode=False)
    assert r.exit_code == 0, r.output
    r = runner.invoke(cli, ["auth", "sign-in", "--tenant", "shop", "--login", "tsion", "--password-stdin", "--json"],
                      input=PASSWORD + "\n", standalone_mode=False)
    assert r.exit_code == 0, r.output
    import json

    tokens = json.loads(r.output)
    assert jwt.decode(tokens["access_token"], SECRET, algorithms=["HS256"])["role"] == "mercato_user"
    monkeypatch.setenv("MERCATO_ACCESS_TOKEN", tokens["access_token"])
    r = runner.invoke(cli, ["auth", "sessions", "--json"], standalone_mode=False)
    assert r.exit_code == 0 and json.loads(r.output)[0]["current"] is True, r.output
    r = runner.invoke(cli, ["auth", "refresh", "--token-stdin", "--json"], input=tokens["refresh_token"] + "\n",
                      standalone_mode=False)
    assert r.exit_code == 0 and json.loads(r.output)["session_id"] == tokens["session_id"], r.output
    r = runner.invoke(cli, ["auth", "sign-out"], standalone_mode=False)
    assert r.exit_code == 0 and "signed out" in r.output
