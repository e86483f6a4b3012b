"""Signed JWTs for the tests: the emulator (mercato.harness.postgrest) takes a token, never bare claims.

``TEST_JWT_SECRET`` plays ``jwt-secret`` of postgrest.conf in every test that goes through the emulator; ``sign``
turns the claims a test means into the token a client would send, ``rest_as_authenticator`` builds the emulator
configured with that secret.
"""

from __future__ import annotations

from typing import Any

from psycopg.conninfo import make_conninfo

from mercato.harness.postgrest import PostgREST, sign_token

#: The tests' ``jwt-secret`` (64 characters: long enough for HS512 too).
TEST_JWT_SECRET = "mercato-tests-jwt-secret-not-for-production-0123456789abcdef0123"


def sign(claims: dict[str, Any] | None, *, secret: str = TEST_JWT_SECRET, algorithm: str = "HS256") -> str | None:
    """The JWT of ``claims`` signed with the test secret; ``None`` for ``None`` (an anonymous request: no header)."""
    return None if claims is None else sign_token(claims, secret, algorithm=algorithm)


def rest_as_authenticator(url: str, **config: Any) -> PostgREST:
    """The emulator on ``url``'s database, logged in as ``mercato_authenticator``, verifying with the test secret."""
    return PostgREST(make_conninfo(url, user="mercato_authenticator"), jwt_secret=TEST_JWT_SECRET, **config)
