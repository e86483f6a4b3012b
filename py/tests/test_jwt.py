"""The emulator authenticates as PostgREST 12 does (issue 17): it takes a JWT, verifies it, and only then sets the role
and ``request.jwt.claims``; every refusal is PostgREST's status, error code and ``WWW-Authenticate`` header.

What PostgREST does and where it says so is summarised in docs/security.md ("Authentication: what PostgREST verifies").
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time

import psycopg
import pytest
from psycopg.conninfo import make_conninfo

from mercato.harness.postgrest import PostgREST, bearer, sign_token
from jwt_helper import TEST_JWT_SECRET, rest_as_authenticator, sign

PROBE = """
CREATE FUNCTION api.jwt_probe() RETURNS json LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp
AS $$ SELECT json_build_object('user', current_user, 'claims', current_setting('request.jwt.claims')::json,
                               'headers', current_setting('request.headers')::json) $$;
GRANT EXECUTE ON FUNCTION api.jwt_probe() TO mercato_anon, mercato_user, mercato_service;
"""


@pytest.fixture
def db(db_url: str) -> str:
    """The test database with one registered user (kc|jwt) and ``api.jwt_probe()``, which shows the request's role,
    claims and headers as the database sees them (test database only)."""
    with psycopg.connect(db_url, autocommit=True) as conn:
        conn.execute("SELECT identity.register_user('kc|jwt', 'BUSINESS', 'Jwt Tester')")
        conn.execute(PROBE)
    return db_url


@pytest.fixture
def rest(db: str):
    with rest_as_authenticator(db) as client:
        yield client


USER = {"sub": "kc|jwt", "role": "mercato_user"}


def rest_conninfo(db: str) -> str:
    return make_conninfo(db, user="mercato_authenticator")


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def forge(header: dict, payload: dict, signature: bytes = b"") -> str:
    return f"{b64(json.dumps(header).encode())}.{b64(json.dumps(payload).encode())}.{b64(signature)}"


def refused(response, status: int = 401, code: str = "PGRST301", message: str | None = None) -> bool:
    """The response is PostgREST's JWT refusal: status, code, and for 401 its WWW-Authenticate header."""
    assert response.status == status, response.body
    assert response.body["code"] == code, response.body
    if message is not None:
        assert response.body["message"] == message, response.body
    if code == "PGRST301":
        assert response.headers["WWW-Authenticate"] == \
            f'Bearer error="invalid_token", error_description={json.dumps(response.body["message"])}'
    elif status == 401:
        assert response.headers["WWW-Authenticate"] == "Bearer"
    return True


# -- what a valid token becomes ------------------------------------------------------------------------------------

def test_a_signed_token_becomes_the_role_and_the_claims_unchanged(rest: PostgREST) -> None:
    token = sign({**USER, "org": 7, "exp": int(time.time()) + 600})
    seen = rest.rpc("jwt_probe", token=token, method="GET", headers={"X-Trace": "t1"})
    assert seen.status == 200
    assert seen.body["user"] == "mercato_user"
    assert seen.body["claims"] == {**USER, "org": 7, "exp": seen.body["claims"]["exp"]}
    assert seen.body["headers"] == {"authorization": f"Bearer {token}", "x-trace": "t1"}
    assert rest.rpc("me", token=sign(USER), method="GET").body[0]["subject"] == "kc|jwt"
    # the same through the Authorization header itself, any case of the scheme, and through GET on a view
    assert rest.rpc("jwt_probe", headers={"authorization": f"bearer {token}"}, method="GET").body["user"] == "mercato_user"
    assert rest.get("rfqs", token=sign(USER)).status == 200
    with pytest.raises(ValueError):
        rest.rpc("jwt_probe", token=token, headers=bearer(token), method="GET")


@pytest.mark.parametrize("algorithm", ["HS256", "HS384", "HS512"])
def test_every_hmac_algorithm_verifies_with_the_secret(rest: PostgREST, algorithm: str) -> None:
    assert rest.rpc("jwt_probe", token=sign(USER, algorithm=algorithm), method="GET").body["user"] == "mercato_user"


def test_a_token_signed_in_the_database_with_the_same_secret_verifies(rest: PostgREST, db: str) -> None:
    """Mercato's own sign-in will sign in the database: plain HS256 over base64url, nothing the emulator special-cases."""
    with psycopg.connect(db, autocommit=True) as conn:
        conn.execute("CREATE EXTENSION IF NOT EXISTS pgcrypto")
        token = conn.execute("""
            WITH parts AS (
              SELECT translate(rtrim(encode(convert_to(h, 'utf8'), 'base64'), '='), E'+/\\n', '-_') || '.' ||
                     translate(rtrim(encode(convert_to(p, 'utf8'), 'base64'), '='), E'+/\\n', '-_') AS signing_input
                FROM (VALUES ('{"alg":"HS256","typ":"JWT"}',
                              json_build_object('sub', 'kc|jwt', 'role', 'mercato_user',
                                                'exp', extract(epoch FROM now() + interval '5 minutes')::bigint)::text)) v(h, p))
            SELECT signing_input || '.' ||
                   translate(rtrim(encode(hmac(signing_input, %s, 'sha256'), 'base64'), '='), E'+/\\n', '-_')
              FROM parts""", (TEST_JWT_SECRET,)).fetchone()[0]
    assert rest.rpc("me", token=token, method="GET").body[0]["subject"] == "kc|jwt"


# -- refusals: signature and algorithm -----------------------------------------------------------------------------

def test_a_tampered_payload_fails_its_signature(rest: PostgREST) -> None:
    header, _, signature = sign(USER).split(".")
    tampered = f"{header}.{b64(json.dumps({'sub': 'kc|jwt', 'role': 'mercato_service'}).encode())}.{signature}"
    assert refused(rest.rpc("jwt_probe", token=tampered, method="GET"), message="JWSError JWSInvalidSignature")


def test_a_token_signed_with_another_secret_is_refused(rest: PostgREST) -> None:
    other = sign_token(USER, "another-secret-of-the-same-length-0123456789abcdef0123456789abcd")
    assert refused(rest.rpc("jwt_probe", token=other, method="GET"), message="JWSError JWSInvalidSignature")


@pytest.mark.parametrize("alg", ["none", "None", "NONE", "", "HS1"])
def test_alg_none_and_unknown_algorithms_are_refused(rest: PostgREST, alg: str) -> None:
    payload = {"sub": "kc|jwt", "role": "mercato_service"}
    assert refused(rest.rpc("jwt_probe", token=forge({"alg": alg, "typ": "JWT"}, payload), method="GET"),
                   message="JWSError JWSNoSignatures")
    # also with a signature that is right for HS256: the header decides the algorithm, and it is not allowed
    honest = sign(payload)
    signing_input = honest.rsplit(".", 1)[0]
    _, body = signing_input.split(".")
    forged = f"{b64(json.dumps({'alg': alg}).encode())}.{body}.{honest.rsplit('.', 1)[1]}"
    assert refused(rest.rpc("jwt_probe", token=forged, method="GET"))


@pytest.mark.parametrize("alg", ["RS256", "ES256", "PS512", "EdDSA"])
def test_asymmetric_algorithm_with_the_secret_as_key_is_refused(rest: PostgREST, alg: str) -> None:
    """Key confusion: an attacker who knows a public key signs HMAC with it and labels the token RS256. Here the secret
    itself is used (the strongest case): a shared secret verifies HMAC only, so the signature check fails."""
    signing_input = f"{b64(json.dumps({'alg': alg, 'typ': 'JWT'}).encode())}.{b64(json.dumps(USER).encode())}"
    mac = hmac.new(TEST_JWT_SECRET.encode(), signing_input.encode(), hashlib.sha256).digest()
    assert refused(rest.rpc("jwt_probe", token=f"{signing_input}.{b64(mac)}", method="GET"),
                   message="JWSError JWSInvalidSignature")


def test_an_asymmetric_or_short_key_is_refused_when_the_emulator_is_configured() -> None:
    rsa = {"keys": [{"kty": "RSA", "n": "sXch", "e": "AQAB"}]}
    with pytest.raises(ValueError, match="oct"):
        PostgREST("", jwt_secret=json.dumps(rsa))   # refused before it connects
    with pytest.raises(ValueError, match="32"):
        PostgREST("", jwt_secret="short")


@pytest.mark.parametrize("token", ["garbage", "a.b", "a.b.c", "....", "eyJhbGciOiJIUzI1NiJ9.bm90IGpzb24.x"])
def test_garbage_is_401(rest: PostgREST, token: str) -> None:
    assert refused(rest.rpc("jwt_probe", token=token, method="GET"))
    assert refused(rest.rpc("currencies", token=token, method="GET")), "even where anonymous callers may read"
    assert refused(rest.rpc("no_such_function", token=token)), "authentication comes before the schema cache"
    assert refused(rest.get("currencies", token=token))


# -- refusals: time and audience -----------------------------------------------------------------------------------

def test_an_expired_token_is_refused_after_30_seconds_of_skew(rest: PostgREST) -> None:
    now = int(time.time())
    assert refused(rest.rpc("jwt_probe", token=sign({**USER, "exp": now - 60}), method="GET"), message="JWT expired")
    assert rest.rpc("jwt_probe", token=sign({**USER, "exp": now - 10}), method="GET").status == 200


def test_nbf_and_iat_in_the_future_are_refused_after_30_seconds_of_skew(rest: PostgREST) -> None:
    now = int(time.time())
    assert refused(rest.rpc("jwt_probe", token=sign({**USER, "nbf": now + 120}), method="GET"), message="JWTNotYetValid")
    assert refused(rest.rpc("jwt_probe", token=sign({**USER, "iat": now + 120}), method="GET"),
                   message="JWTIssuedAtFuture")
    assert rest.rpc("jwt_probe", token=sign({**USER, "nbf": now + 10, "iat": now + 10}), method="GET").status == 200
    assert refused(rest.rpc("jwt_probe", token=sign({**USER, "exp": "tomorrow"}), method="GET"))


def test_the_audience_is_checked_only_when_configured_and_present(db: str) -> None:
    with rest_as_authenticator(db, jwt_aud="mercato") as rest:
        assert refused(rest.rpc("jwt_probe", token=sign({**USER, "aud": "elsewhere"}), method="GET"),
                       message="JWTNotInAudience")
        assert rest.rpc("jwt_probe", token=sign({**USER, "aud": ["x", "mercato"]}), method="GET").status == 200
        assert rest.rpc("jwt_probe", token=sign({**USER, "aud": "mercato"}), method="GET").status == 200
        assert rest.rpc("jwt_probe", token=sign(USER), method="GET").status == 200, "PostgREST accepts a token without aud"
    with rest_as_authenticator(db) as rest:
        assert rest.rpc("jwt_probe", token=sign({**USER, "aud": "elsewhere"}), method="GET").status == 200


# -- the role ------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("role", ["mercato_owner", "superuser", "mercato_authenticator_member_of_nothing"])
def test_a_role_the_authenticator_may_not_become_is_refused(rest: PostgREST, db: str, role: str) -> None:
    if role == "superuser":
        with psycopg.connect(db) as conn:
            role = conn.execute("SELECT current_user").fetchone()[0]
    response = rest.rpc("jwt_probe", token=sign({"sub": "kc|jwt", "role": role}), method="GET")
    if role == "mercato_authenticator_member_of_nothing":   # no such role: PostgreSQL says so, PostgREST answers 400
        assert (response.status, response.body["code"]) == (400, "22023"), response.body
    else:   # SET ROLE is refused: 42501, and 403 since the request is not anonymous
        assert (response.status, response.body["code"]) == (403, "42501"), response.body
        assert "permission denied to set role" in response.body["message"]


def test_a_token_without_a_role_is_the_anonymous_role(rest: PostgREST) -> None:
    token = sign({"sub": "kc|jwt"})
    seen = rest.rpc("jwt_probe", token=token, method="GET").body
    assert seen["user"] == "mercato_anon"
    assert seen["claims"] == {"sub": "kc|jwt", "role": "mercato_anon"}, "PostgREST puts the role it chose in the claims"
    me = rest.rpc("me", token=token, method="GET")
    assert (me.status, me.body["code"], me.headers.get("WWW-Authenticate")) == (401, "42501", "Bearer")
    assert rest.rpc("currencies", token=token, method="GET").status == 200


def test_no_authorization_header_is_the_anonymous_role(rest: PostgREST) -> None:
    for headers in (None, {"Authorization": "Basic dXNlcjpwdw=="}, {"Authorization": "Bearer "}):
        seen = rest.rpc("jwt_probe", headers=headers, method="GET").body
        assert seen["user"] == "mercato_anon" and seen["claims"] == {"role": "mercato_anon"}, headers


def test_without_an_anonymous_role_a_request_needs_a_role(db: str) -> None:
    with rest_as_authenticator(db, anon_role=None) as rest:
        assert refused(rest.rpc("currencies", method="GET"), code="PGRST302", message="Anonymous access is disabled")
        assert refused(rest.rpc("currencies", token=sign({"sub": "kc|jwt"}), method="GET"), code="PGRST302")
        assert rest.rpc("jwt_probe", token=sign(USER), method="GET").status == 200


def test_the_role_claim_key_is_a_path(db: str) -> None:
    with rest_as_authenticator(db, jwt_role_claim_key='.app."mercato role"[1]') as rest:
        claims = {"sub": "kc|jwt", "role": "mercato_service", "app": {"mercato role": ["x", "mercato_user"]}}
        seen = rest.rpc("jwt_probe", token=sign(claims), method="GET").body
        assert seen["user"] == "mercato_user"
        assert seen["claims"] == {**claims, "role": "mercato_user"}
        assert rest.rpc("jwt_probe", token=sign({"role": "mercato_service"}), method="GET").body["user"] == "mercato_anon"


def test_without_a_secret_a_token_is_a_server_error_and_anonymous_still_works(db: str) -> None:
    with PostgREST(rest_conninfo(db)) as rest:
        assert refused(rest.rpc("jwt_probe", token=sign(USER), method="GET"), status=500, code="PGRST300",
                       message="Server lacks JWT secret")
        assert rest.rpc("jwt_probe", method="GET").body["user"] == "mercato_anon"


def test_a_jwk_set_of_shared_secrets_verifies_with_any_of_its_keys(db: str) -> None:
    keys = {"keys": [{"kty": "oct", "k": b64(b"an-older-secret-still-accepted-0123456789abcdef0123456789abcdefgh")},
                     {"kty": "oct", "k": b64(TEST_JWT_SECRET.encode()), "alg": "HS256"}]}
    with PostgREST(rest_conninfo(db), jwt_secret=json.dumps(keys)) as rest:
        assert rest.rpc("jwt_probe", token=sign(USER), method="GET").body["user"] == "mercato_user"
        older = sign_token(USER, b"an-older-secret-still-accepted-0123456789abcdef0123456789abcdefgh", algorithm="HS512")
        assert rest.rpc("jwt_probe", token=older, method="GET").body["user"] == "mercato_user"
        assert refused(rest.rpc("jwt_probe", token=sign_token(USER, "x" * 64), method="GET"))

