"""OAuth accounts (issue 17, the payments seed's auth_accounts), exactly as PostgREST serves them: the app server that
completed a provider's flow calls as mercato_service with a signed JWT; the user calls with the access token the
database signed, which the emulator (configured with the same jwt-secret) must accept. Superuser connections only
arrange the world and read what the database kept."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import psycopg
import pytest
from psycopg.conninfo import make_conninfo

from mercato.client import Client
from mercato.errors import MercatoError
from mercato.harness.postgrest import PostgREST, Response
from jwt_helper import TEST_JWT_SECRET, rest_as_authenticator, sign

SERVICE = {"role": "mercato_service"}


@dataclass
class World:
    url: str
    rest: PostgREST
    tenant_code: str
    sub: dict[str, str]
    uid: dict[str, int]

    def service(self, fn: str, args: dict[str, Any]) -> Response:
        return self.rest.rpc(fn, args, token=sign(SERVICE))

    def user(self, fn: str, args: dict[str, Any], who: str) -> Response:
        return self.rest.rpc(fn, args, token=sign({"sub": self.sub[who], "role": "mercato_user"}))


@pytest.fixture
def world(db_url: str) -> Iterator[World]:
    """A tenant with two customers; the database signs with the emulator's secret; fast hashes."""
    tag = uuid.uuid4().hex[:6]
    code = f"oauth-{tag}"
    sub = {k: f"kc|oauth-{k}-{tag}" for k in ("ana", "ben")}
    with psycopg.connect(db_url, autocommit=True) as conn:
        conn.execute("UPDATE masterdata.setting SET value = '4' WHERE key = 'AUTH_BCRYPT_COST'")
        conn.execute("SELECT identity.set_jwt_secret(%s)", (TEST_JWT_SECRET,))
        tenant = conn.execute("SELECT identity.create_tenant(%s, 'OAuth shop')", (code,)).fetchone()[0]
        uid = {k: conn.execute("SELECT identity.register_user(%s, 'CUSTOMER', %s, %s)", (s, k, tenant)).fetchone()[0]
               for k, s in sub.items()}
    rest = rest_as_authenticator(db_url)
    yield World(db_url, rest, code, sub, uid)
    rest.close()


def _link(w: World, who: str, account: str, email: str | None = None) -> Response:
    return w.service("link_oauth_account", {"p_user_id": w.uid[who], "p_provider": "google",
                                            "p_provider_account_id": account, "p_email": email})


def test_a_linked_account_signs_in_through_the_app_server_with_tokens_the_api_accepts(world: World) -> None:
    w = world
    link = _link(w, "ana", "google-sub-001", "Ana@Example.com")
    assert link.ok, link.body
    answer = w.service("sign_in_oauth", {"p_tenant_code": w.tenant_code, "p_provider": "google",
                                         "p_provider_account_id": "google-sub-001"})
    assert answer.ok and answer.body["error"] is None, answer.body   # a composite: one JSON object, as PostgREST answers
    tokens = answer.body
    # the access token the database signed is accepted by PostgREST (the emulator verifies it with its jwt-secret)
    me = w.rest.rpc("me", {}, token=tokens["access_token"])
    assert me.ok and me.body[0]["user_id"] == w.uid["ana"], me.body
    accounts = w.rest.rpc("my_oauth_accounts", {}, token=tokens["access_token"])
    assert [(a["provider"], a["provider_account_id"], a["email"]) for a in accounts.body] == \
        [("google", "google-sub-001", "ana@example.com")]
    assert accounts.body[0]["last_used_at"] is not None, "the sign-in is recorded"
    # a session like a password sign-in's: listed, refreshable
    assert [s["session_id"] for s in w.rest.rpc("my_sessions", {}, token=tokens["access_token"]).body] == [tokens["session_id"]]
    refreshed = w.rest.rpc("refresh", {"p_refresh_token": tokens["refresh_token"]})
    assert refreshed.ok and refreshed.body["session_id"] == tokens["session_id"], refreshed.body
    with psycopg.connect(w.url) as conn:   # audited, without the provider's secrets (none reach the database)
        events = conn.execute("SELECT action, new_values FROM audit.event WHERE entity_type = 'identity.oauth_account' "
                              "ORDER BY id").fetchall()
    assert [a for a, _ in events] == ["INSERT", "UPDATE"]
    assert set(events[0][1]) == {"id", "user_id", "tenant_key", "provider", "provider_account_id", "email", "linked_at",
                                 "last_used_at", "unlinked_at"}


def test_one_provider_account_links_to_one_user(world: World) -> None:
    w = world
    assert _link(w, "ana", "google-sub-002").ok
    taken = _link(w, "ben", "google-sub-002")
    assert (taken.status, taken.code) == (409, "IDENTITY_OAUTH_ACCOUNT_TAKEN"), taken.body
    assert _link(w, "ana", "google-sub-002").body == _link(w, "ana", "google-sub-002").body, "linking again: the same link"
    with psycopg.connect(w.url) as conn:   # the constraint, whoever writes
        with pytest.raises(psycopg.errors.UniqueViolation):
            conn.execute("INSERT INTO identity.oauth_account (user_id, tenant_key, provider, provider_account_id) "
                         "SELECT id, tenant_key, 'google', 'google-sub-002' FROM identity.user_account WHERE id = %s",
                         (w.uid["ben"],))
    # once its user unlinks it, it may be linked to another
    link_id = w.user("my_oauth_accounts", {}, "ana").body[0]["oauth_account_id"]
    refused = w.user("unlink_oauth_account", {"p_oauth_account_id": link_id}, "ben")
    assert (refused.status, refused.code) == (404, "IDENTITY_OAUTH_UNKNOWN_ACCOUNT"), "another user's link is as if absent"
    assert w.user("unlink_oauth_account", {"p_oauth_account_id": link_id}, "ana").ok
    assert _link(w, "ben", "google-sub-002").ok
    answer = w.service("sign_in_oauth", {"p_tenant_code": w.tenant_code, "p_provider": "google",
                                         "p_provider_account_id": "google-sub-002"})
    assert w.rest.rpc("me", {}, token=answer.body["access_token"]).body[0]["user_id"] == w.uid["ben"]


def test_refusals_an_inactive_user_an_unknown_account_and_anyone_but_the_app_server(world: World) -> None:
    w = world
    assert _link(w, "ben", "google-sub-003").ok
    args = {"p_tenant_code": w.tenant_code, "p_provider": "google", "p_provider_account_id": "google-sub-003"}
    unknown = w.service("sign_in_oauth", {**args, "p_provider_account_id": "google-sub-404"})
    assert (unknown.status, unknown.code) == (404, "IDENTITY_OAUTH_UNKNOWN_ACCOUNT"), unknown.body
    other_tenant = w.service("sign_in_oauth", {**args, "p_tenant_code": None})
    assert other_tenant.code == "IDENTITY_OAUTH_UNKNOWN_ACCOUNT", "a tenant's link signs in no platform user"
    for token in (sign({"sub": w.sub["ben"], "role": "mercato_user"}), None):   # a user, an anonymous caller
        refused = w.rest.rpc("sign_in_oauth", args, token=token)
        assert not refused.ok and refused.status in (401, 403, 404), refused.body
        refused = w.rest.rpc("link_oauth_account", {"p_user_id": w.uid["ben"], "p_provider": "google",
                                                    "p_provider_account_id": "mine"}, token=token)
        assert not refused.ok, refused.body
    with psycopg.connect(w.url, autocommit=True) as conn:
        conn.execute("SELECT identity.set_user_status(%s, 'SUSPENDED')", (w.uid["ben"],))
    suspended = w.service("sign_in_oauth", args)
    assert (suspended.status, suspended.code) == (401, "IDENTITY_SIGN_IN_FAILED"), "as a password sign-in answers"
    with psycopg.connect(w.url) as conn:
        assert conn.execute("SELECT count(*) FROM identity.session WHERE user_id = %s", (w.uid["ben"],)).fetchone()[0] == 0


def test_the_library_signs_in_through_oauth(world: World) -> None:
    w = world
    with Client(make_conninfo(w.url, user="mercato_authenticator")) as app:
        service = app.as_caller(SERVICE, role="mercato_service")
        link = service.identity.link_oauth_account(w.uid["ana"], "apple", "apple-001", "ana@example.com")
        tokens = service.identity.sign_in_oauth(w.tenant_code, "apple", "apple-001")
        assert tokens.access_token and tokens.refresh_token
        with pytest.raises(MercatoError) as info:
            service.identity.sign_in_oauth(w.tenant_code, "apple", "apple-404")
        assert (info.value.code, info.value.http_status) == ("IDENTITY_OAUTH_UNKNOWN_ACCOUNT", 404)
        ana = app.as_caller({"sub": w.sub["ana"], "role": "mercato_user"}, role="mercato_user")
        assert [a["oauth_account_id"] for a in ana.identity.my_oauth_accounts()] == [link]
        ana.identity.unlink_oauth_account(link)
        assert ana.identity.my_oauth_accounts() == []
