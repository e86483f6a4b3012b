"""Login verification and password reset (issue 17, second half), exercised over HTTP as PostgREST runs it (the
emulator, verifying the database-signed JWTs with the same secret) and through the library and the CLI. Tokens are read
where their owner would read them: from the outbox, drained by a stand-in provider (:class:`mercato.outbox.Inbox`, a
sender). Superuser connections only arrange the world (bcrypt cost, the signing secret, a tenant) and play the clock
(an expiry moved into the past)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass

import jwt
import psycopg
import pytest
from click.testing import CliRunner
from psycopg import sql
from psycopg.conninfo import make_conninfo

from mercato.client import Client
from mercato.errors import MercatoError
from mercato.harness.postgrest import PostgREST
from mercato.outbox import SENDER_ROLE, Inbox

SECRET = "test-secret-of-at-least-32-bytes-0123456789"
PASSWORD = "Zebra-Quartz-Lantern-91"
NEW_PASSWORD = "Harbour-Violet-Compass-42"


@dataclass
class World:
    rest: PostgREST     # PostgREST, configured with the database's signing secret
    anon: Client        # the library through the authenticator, as an anonymous caller
    inbox: Inbox        # the users' mailboxes and phones: a sender draining the outbox
    db_url: str

    def sign_up(self, login: str, name: str) -> None:
        r = self.rest.rpc("sign_up", {"p_tenant_code": "shop", "p_login": login, "p_password": PASSWORD,
                                      "p_display_name": name})
        assert r.status == 200, r.body

    def sign_in(self, login: str, password: str = PASSWORD) -> dict:
        r = self.rest.rpc("sign_in", {"p_login": login, "p_password": password, "p_tenant_code": "shop"})
        assert r.status == 200 and not r.body["error"], r.body
        return r.body

    def token(self, recipient: str, template: str) -> str:
        """The token of the latest message of ``template`` to ``recipient``, as its owner reads it."""
        self.inbox.poll("EMAIL")
        self.inbox.poll("SMS")
        message = self.inbox.latest(recipient, template)
        assert message is not None and message.secret, f"no {template} message to {recipient}"
        assert "token" not in message.params and message.secret["token"] not in json.dumps(message.params)
        return str(message.secret["token"])


@pytest.fixture
def world(db_url: str) -> Iterator[World]:
    with psycopg.connect(db_url, autocommit=True) as conn:
        conn.execute("UPDATE masterdata.setting SET value = '4' WHERE key = 'AUTH_BCRYPT_COST'")
        conn.execute("SELECT identity.set_jwt_secret(%s)", (SECRET,))
        conn.execute("""INSERT INTO identity.tenant (code, name, metadata) VALUES ('shop', 'Shop', '{"self_sign_up": true}')""")
    with PostgREST(make_conninfo(db_url, user="mercato_authenticator"), jwt_secret=SECRET) as rest, \
            Client(make_conninfo(db_url, user="mercato_authenticator")) as app, \
            Client(db_url, role=SENDER_ROLE, max_size=1) as sender:
        yield World(rest, app.as_caller({"role": "mercato_anon"}, role="mercato_anon"), Inbox(sender), db_url)


def as_user(anon: Client, access_token: str) -> Client:
    claims = jwt.decode(access_token, SECRET, algorithms=["HS256"])
    return anon.as_caller(claims, role=claims["role"])


def test_a_login_is_verified_with_the_token_its_message_carries(world: World) -> None:
    world.sign_up("liya@example.com", "Liya")
    access = world.sign_in("liya@example.com")["access_token"]
    assert world.rest.rpc("add_login", {"p_login": "+251911000777"}, token=access).status == 200

    r = world.rest.rpc("request_verification", {"p_login": "Liya@Example.com"}, token=access)
    assert r.status == 200 and r.body[0]["login"] == "liya@example.com" and r.body[0]["message_id"] > 0, r.body
    assert "token" not in r.body[0]
    r = world.rest.rpc("request_verification", {"p_login": "liya@example.com"}, token=access)
    assert (r.status, r.code) == (429, "IDENTITY_TOKEN_COOLDOWN"), "asking again at once is refused"
    assert world.rest.rpc("request_verification", {"p_login": "liya@example.com"}).status == 401, "anonymous: no"

    token = world.token("liya@example.com", "identity.verify_login")
    r = world.rest.rpc("verify_login", {"p_token": token})           # the link in the e-mail: no JWT needed
    assert (r.status, r.body) == (200, "liya@example.com")
    r = world.rest.rpc("verify_login", {"p_token": token})
    assert (r.status, r.code) == (400, "IDENTITY_TOKEN_INVALID"), "a used token is refused"
    r = world.rest.rpc("request_verification", {"p_login": "liya@example.com"}, token=access)
    assert (r.status, r.code) == (409, "IDENTITY_LOGIN_VERIFIED")

    # the phone gets an SMS; the library's methods say the same
    liya = as_user(world.anon, access)
    sent = liya.identity.request_verification("+251911000777")
    assert sent.login == "+251911000777"
    sms = world.token("+251911000777", "identity.verify_login")
    assert world.inbox.latest("+251911000777", "identity.verify_login").channel == "SMS"
    assert world.anon.identity.verify_login(sms) == "+251911000777"
    with psycopg.connect(world.db_url) as conn:
        assert conn.execute("SELECT count(*) FROM identity.login_identifier WHERE value IN "
                            "('liya@example.com', '+251911000777') AND verified_at IS NOT NULL").fetchone()[0] == 2


def test_a_reset_ends_every_session_and_its_token_works_once(world: World) -> None:
    world.sign_up("+251911000888", "Bekele")
    first, second = world.sign_in("+251911000888"), world.sign_in("+251911000888")
    assert world.rest.rpc("current_actor", token=first["access_token"]).status == 200

    r = world.rest.rpc("request_password_reset", {"p_login": "+251911000888", "p_tenant_code": "shop"})
    assert r.status == 204
    token = world.token("+251911000888", "identity.reset_password")
    r = world.rest.rpc("reset_password", {"p_token": token, "p_new_password": "password1"})
    assert (r.status, r.code) == (400, "IDENTITY_PASSWORD_WEAK"), "the password rules apply; the token survives"
    assert world.rest.rpc("reset_password", {"p_token": token, "p_new_password": NEW_PASSWORD}).status == 204

    for old in (first, second):   # every session and access token of the user is gone
        r = world.rest.rpc("current_actor", token=old["access_token"])
        assert (r.status, r.code) == (401, "IDENTITY_TOKEN_REVOKED"), r.body
        r = world.rest.rpc("refresh", {"p_refresh_token": old["refresh_token"]})
        assert r.body["error"] == "IDENTITY_REFRESH_INVALID" and r.body["access_token"] is None
    r = world.rest.rpc("reset_password", {"p_token": token, "p_new_password": "Yet-Another-Passphrase-3"})
    assert (r.status, r.code) == (400, "IDENTITY_TOKEN_INVALID"), "a reset token used twice is refused"
    r = world.rest.rpc("sign_in", {"p_login": "+251911000888", "p_password": "Yet-Another-Passphrase-3",
                                   "p_tenant_code": "shop"})
    assert r.body["error"] == "IDENTITY_SIGN_IN_FAILED", "and the refusal changed nothing"
    r = world.rest.rpc("sign_in", {"p_login": "+251911000888", "p_password": PASSWORD, "p_tenant_code": "shop"})
    assert r.body["error"] == "IDENTITY_SIGN_IN_FAILED", "the old password is gone"
    assert world.sign_in("+251911000888", NEW_PASSWORD)["access_token"]
    with psycopg.connect(world.db_url) as conn:
        assert conn.execute("SELECT verified_at IS NOT NULL FROM identity.login_identifier WHERE value = '+251911000888'"
                            ).fetchone()[0], "the reset proved control of the phone"
        assert conn.execute("SELECT count(*) FROM audit.event WHERE action = 'PASSWORD_RESET' AND new_values IS NULL"
                            ).fetchone()[0] == 1


def test_one_reset_token_presented_twice_at_once_resets_once(world: World) -> None:
    """Two requests race with the same reset token and different passwords: exactly one wins, the other is refused
    with IDENTITY_TOKEN_INVALID, and the password is the winner's (outcomes only, no timing)."""
    world.sign_up("race@example.com", "Race")
    world.anon.identity.request_password_reset("race@example.com", "shop")
    token = world.token("race@example.com", "identity.reset_password")
    passwords = ["Winner-Candidate-One-11", "Winner-Candidate-Two-22"]
    barrier = threading.Barrier(2)
    outcomes: dict[str, str] = {}

    def attempt(password: str) -> None:
        with Client(make_conninfo(world.db_url, user="mercato_authenticator"), max_size=1) as app:
            anon = app.as_caller({"role": "mercato_anon"}, role="mercato_anon")
            barrier.wait()
            try:
                anon.identity.reset_password(token, password)
                outcomes[password] = "ok"
            except MercatoError as exc:
                outcomes[password] = exc.code

    threads = [threading.Thread(target=attempt, args=(p,)) for p in passwords]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes.values()) == ["IDENTITY_TOKEN_INVALID", "ok"], outcomes
    winner = next(p for p, o in outcomes.items() if o == "ok")
    loser = next(p for p in passwords if p != winner)
    assert world.sign_in("race@example.com", winner)["access_token"]
    r = world.rest.rpc("sign_in", {"p_login": "race@example.com", "p_password": loser, "p_tenant_code": "shop"})
    assert r.body["error"] == "IDENTITY_SIGN_IN_FAILED"


def test_an_expired_reset_token_is_refused(world: World) -> None:
    world.sign_up("hirut@example.com", "Hirut")
    world.anon.identity.request_password_reset("hirut@example.com", "shop")
    token = world.token("hirut@example.com", "identity.reset_password")
    with psycopg.connect(world.db_url, autocommit=True) as conn:   # 30 minutes have passed
        conn.execute("UPDATE identity.token SET expires_at = now() - interval '1 second' WHERE purpose = 'RESET_PASSWORD'")
    with pytest.raises(MercatoError) as info:
        world.anon.identity.reset_password(token, NEW_PASSWORD)
    assert (info.value.code, info.value.http_status) == ("IDENTITY_TOKEN_INVALID", 400)
    assert world.sign_in("hirut@example.com")["access_token"], "the password is unchanged"


def test_a_reset_request_answers_the_same_for_a_known_and_an_unknown_login(world: World) -> None:
    world.sign_up("known@example.com", "Known")
    world.sign_up("+251911000999", "Phone")
    with psycopg.connect(world.db_url) as conn:
        before = conn.execute("SELECT count(*) FROM outbox.message").fetchone()[0]
    answers = {login: world.rest.rpc("request_password_reset", {"p_login": login, "p_tenant_code": tenant})
               for login, tenant in (("known@example.com", "shop"), ("unknown@example.com", "shop"),
                                     ("+251911000999", "shop"), ("+251911000000", "shop"),
                                     ("known@example.com", "no-such-tenant"))}
    assert {(r.status, json.dumps(r.body), json.dumps(r.headers, sort_keys=True)) for r in answers.values()} == {
        (204, "null", "{}")}, "one answer whether the login exists or not"
    assert world.anon.identity.request_password_reset("unknown@example.com", "shop") is None
    assert world.anon.identity.request_password_reset("known@example.com", "shop") is None   # within the cooldown
    with psycopg.connect(world.db_url) as conn:
        sent = conn.execute("SELECT recipient FROM outbox.message WHERE template = 'identity.reset_password'").fetchall()
        assert conn.execute("SELECT count(*) FROM outbox.message").fetchone()[0] == before + 2
    assert sorted(r for (r,) in sent) == ["+251911000999", "known@example.com"], \
        "only the known logins got a message, once each (the repeat fell within the cooldown)"


def _clear_values_in_tables(db_url: str, needles: dict[str, str]) -> list[tuple[str, str]]:
    """Every text, jsonb and bytea column of every table scanned, as superuser, for each needle."""
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
                if conn.execute(sql.SQL("SELECT EXISTS (SELECT 1 FROM {}.{} WHERE strpos({}, %s) > 0)").format(
                        sql.Identifier(schema), sql.Identifier(table), as_text), (value,)).fetchone()[0]:
                    found.append((f"{schema}.{table}.{column}", label))
    return found


def test_no_clear_verification_or_reset_token_is_stored_anywhere(world: World) -> None:
    """Before the messages are sent, each clear token is in one place only: its outbox message's secret. Once sent,
    in none: identity.token keeps hashes, the audit log and the message's params never had them."""
    world.sign_up("meron@example.com", "Meron")
    meron = as_user(world.anon, world.sign_in("meron@example.com")["access_token"])
    meron.identity.request_verification("meron@example.com")
    world.anon.identity.request_password_reset("meron@example.com", "shop")
    with psycopg.connect(world.db_url) as conn:
        pending = dict(conn.execute("""SELECT m.template, s.secret ->> 'token' FROM outbox.message m
                                         JOIN outbox.message_secret s ON s.message_id = m.id""").fetchall())
    needles = {"verify_token": pending["identity.verify_login"], "reset_token": pending["identity.reset_password"]}
    assert sorted(_clear_values_in_tables(world.db_url, needles)) == [
        ("outbox.message_secret.secret", "reset_token"), ("outbox.message_secret.secret", "verify_token")]

    verify_token = world.token("meron@example.com", "identity.verify_login")
    reset_token = world.token("meron@example.com", "identity.reset_password")
    assert (verify_token, reset_token) == (needles["verify_token"], needles["reset_token"])
    world.anon.identity.verify_login(verify_token)
    world.anon.identity.reset_password(reset_token, NEW_PASSWORD)
    needles["new password"] = NEW_PASSWORD
    assert _clear_values_in_tables(world.db_url, needles) == [], "a clear token or password is stored"
    with psycopg.connect(world.db_url) as conn:
        assert conn.execute("SELECT count(*) FROM audit.event WHERE action IN ('VERIFICATION_REQUESTED', "
                            "'PASSWORD_RESET_REQUESTED', 'PASSWORD_RESET')").fetchone()[0] == 3, "audited (and scanned)"
        assert conn.execute("SELECT count(*) FROM outbox.message_secret").fetchone()[0] == 0


def test_the_cli_verifies_a_login_and_resets_a_password_from_stdin(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    from mercato.cli import cli

    monkeypatch.setenv("DATABASE_URL", world.db_url)
    world.sign_up("tsion@example.com", "Tsion")
    access = world.sign_in("tsion@example.com")["access_token"]
    runner = CliRunner()
    r = runner.invoke(cli, ["auth", "verify", "--request", "tsion@example.com", "--token-stdin", "--json"],
                      input=access + "\n", standalone_mode=False)
    assert r.exit_code == 0 and json.loads(r.output)["login"] == "tsion@example.com", r.output
    token = world.token("tsion@example.com", "identity.verify_login")
    r = runner.invoke(cli, ["auth", "verify", "--token-stdin"], input=token + "\n", standalone_mode=False)
    assert r.exit_code == 0 and "tsion@example.com" in r.output, r.output

    r = runner.invoke(cli, ["auth", "reset-password", "--request", "--tenant", "shop", "--login", "tsion@example.com"],
                      standalone_mode=False)
    assert r.exit_code == 0 and "on its way" in r.output, r.output
    r = runner.invoke(cli, ["auth", "reset-password", "--request", "--tenant", "shop", "--login", "nobody@example.com"],
                      standalone_mode=False)
    assert r.exit_code == 0 and "on its way" in r.output, "the same answer for an unknown login"
    reset = world.token("tsion@example.com", "identity.reset_password")
    monkeypatch.setenv("MERCATO_RESET_TOKEN", reset)
    r = runner.invoke(cli, ["auth", "reset-password", "--password-stdin"], input=NEW_PASSWORD + "\n", standalone_mode=False)
    assert r.exit_code == 0 and "every session" in r.output, r.output
    monkeypatch.delenv("MERCATO_RESET_TOKEN")
    r = runner.invoke(cli, ["auth", "reset-password", "--token-stdin", "--password-stdin"],
                      input=f"{reset}\nOther-Fine-Passphrase-5\n", standalone_mode=False)
    assert isinstance(r.exception, MercatoError) and r.exception.code == "IDENTITY_TOKEN_INVALID", r.output
    assert world.rest.rpc("current_actor", token=access).code == "IDENTITY_TOKEN_REVOKED"
    assert world.sign_in("tsion@example.com", NEW_PASSWORD)["access_token"]
