"""``mercato auth``: sign-up, sign-in, refresh, sign-out and sessions of Mercato's own credentials, login verification
and password reset, and the JWT secret.

Secrets never travel in argv (where ``ps`` and shell history show them): passwords are prompted for (hidden) or read
from stdin with ``--password-stdin``; refresh, access, verification and reset tokens come from stdin or
``MERCATO_REFRESH_TOKEN`` / ``MERCATO_ACCESS_TOKEN`` / ``MERCATO_VERIFY_TOKEN`` / ``MERCATO_RESET_TOKEN``; the signing
secret from stdin or ``MERCATO_JWT_SECRET``.
"""

from __future__ import annotations

import base64
import json
import os
import sys
from typing import Any

import click

from mercato.cli.common import emit


def _secret(env: str, what: str, stdin: bool) -> str:
    """A secret from the environment variable, else the first line of stdin (prompted for, hidden, on a terminal)."""
    value = None if stdin else os.environ.get(env)
    if value is None:
        if sys.stdin.isatty():
            value = click.prompt(what, hide_input=True)
        else:
            value = sys.stdin.readline().rstrip("\r\n")
    if not value:
        raise click.UsageError(f"no {what.lower()}: give it on stdin or in {env}")
    return value


def _password(stdin: bool, confirm: bool = False) -> str:
    if stdin or not sys.stdin.isatty():
        value = sys.stdin.readline().rstrip("\r\n")
    else:
        value = click.prompt("Password", hide_input=True, confirmation_prompt=confirm)
    if not value:
        raise click.UsageError("no password given")
    return value


def _claims(access_token: str) -> dict[str, Any]:
    """The claims of an access JWT (its payload). The CLI's own connection is trusted, as with ``--as``: the database
    checks the session ("sid") and tokens_valid_after, PostgREST checks signatures."""
    try:
        payload = access_token.split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except (IndexError, ValueError) as exc:
        raise click.UsageError(f"not a JWT: {exc}") from exc
    if not isinstance(claims, dict):
        raise click.UsageError("not a JWT: its payload is not an object")
    return claims


def _user_client(token_stdin: bool):
    from mercato.client import Client

    claims = _claims(_secret("MERCATO_ACCESS_TOKEN", "Access token", token_stdin))
    return Client(max_size=2, claims=claims, role=str(claims.get("role", "mercato_user")))


def _anonymous_client():
    from mercato.client import Client

    return Client(max_size=2, claims={"role": "mercato_anon"}, role="mercato_anon")


def _emit_tokens(tokens: Any, as_json: bool) -> None:
    emit({"access_token": tokens.access_token, "token_type": tokens.token_type, "expires_at": tokens.expires_at,
          "refresh_token": tokens.refresh_token, "refresh_expires_at": tokens.refresh_expires_at,
          "session_id": tokens.session_id}, as_json=as_json)


@click.group(name="auth")
def command() -> None:
    """Mercato's own credentials: sign-up, sign-in, refresh, sign-out, sessions; the JWT signing secret."""


@command.command(name="sign-up")
@click.option("--tenant", "tenant_code", required=True, help="The tenant's code (it must accept sign-ups).")
@click.option("--login", required=True, help="An e-mail, an E.164 phone or a username.")
@click.option("--name", "display_name", required=True)
@click.option("--type", "user_type", type=click.Choice(["CUSTOMER", "BUSINESS", "PROVIDER", "MERCHANT"]), default="CUSTOMER")
@click.option("--password-stdin", is_flag=True, help="Read the password from stdin instead of prompting.")
def sign_up(tenant_code: str, login: str, display_name: str, user_type: str, password_stdin: bool) -> None:
    """Create a user with a login and a password (prompted for, or from stdin); prints its id."""
    password = _password(password_stdin, confirm=True)
    with _anonymous_client() as client:
        click.echo(client.identity.sign_up(tenant_code, login, password, display_name, user_type))


@command.command(name="sign-in")
@click.option("--login", required=True)
@click.option("--tenant", "tenant_code", default=None, help="The tenant's code (none: a platform user).")
@click.option("--password-stdin", is_flag=True, help="Read the password from stdin instead of prompting.")
@click.option("--json", "as_json", is_flag=True)
def sign_in(login: str, tenant_code: str | None, password_stdin: bool, as_json: bool) -> None:
    """Sign in: prints the access JWT and the refresh token (shown once)."""
    password = _password(password_stdin)
    with _anonymous_client() as client:
        _emit_tokens(client.identity.sign_in(login, password, tenant_code), as_json)


@command.command()
@click.option("--token-stdin", is_flag=True, help="Read the refresh token from stdin, not MERCATO_REFRESH_TOKEN.")
@click.option("--json", "as_json", is_flag=True)
def refresh(token_stdin: bool, as_json: bool) -> None:
    """Rotate a refresh token: prints the new pair (the old token is used up)."""
    token = _secret("MERCATO_REFRESH_TOKEN", "Refresh token", token_stdin)
    with _anonymous_client() as client:
        _emit_tokens(client.identity.refresh(token), as_json)


@command.command(name="sign-out")
@click.option("--token-stdin", is_flag=True, help="Read the access token from stdin, not MERCATO_ACCESS_TOKEN.")
def sign_out(token_stdin: bool) -> None:
    """End the session of an access token."""
    with _user_client(token_stdin) as client:
        client.identity.sign_out()
    click.echo("signed out")


@command.command()
@click.option("--token-stdin", is_flag=True, help="Read the access token from stdin, not MERCATO_ACCESS_TOKEN.")
@click.option("--revoke", "revoke_id", type=int, default=None, help="Revoke this session instead of listing.")
@click.option("--revoke-all", is_flag=True, help="Revoke every session of the user.")
@click.option("--json", "as_json", is_flag=True)
def sessions(token_stdin: bool, revoke_id: int | None, revoke_all: bool, as_json: bool) -> None:
    """The sessions of the access token's user (device, IP, status); or revoke one, or all."""
    with _user_client(token_stdin) as client:
        if revoke_all:
            click.echo(f"revoked {client.identity.revoke_all_sessions()} session(s)")
        elif revoke_id is not None:
            client.identity.revoke_session(revoke_id)
            click.echo(f"session {revoke_id}: revoked")
        else:
            emit(client.identity.my_sessions(), as_json=as_json)


@command.command()
@click.option("--request", "request_login", default=None, metavar="LOGIN",
              help="Send a verification token to this login of the access token's user (e-mail or phone).")
@click.option("--token-stdin", is_flag=True,
              help="Read the token from stdin: the access token with --request (else MERCATO_ACCESS_TOKEN), the "
                   "verification token without it (else MERCATO_VERIFY_TOKEN).")
@click.option("--json", "as_json", is_flag=True)
def verify(request_login: str | None, token_stdin: bool, as_json: bool) -> None:
    """Verify a login: with --request, send a token to one of your e-mail or phone logins (through the outbox);
    without it, verify the login with the token it received (from MERCATO_VERIFY_TOKEN or stdin, never argv)."""
    if request_login is not None:
        with _user_client(token_stdin) as client:
            sent = client.identity.request_verification(request_login)
        emit({"login": sent.login, "expires_at": sent.expires_at, "message_id": sent.message_id}, as_json=as_json)
        return
    token = _secret("MERCATO_VERIFY_TOKEN", "Verification token", token_stdin)
    with _anonymous_client() as client:
        login = client.identity.verify_login(token)
    emit({"verified": login}, as_json=as_json)


@command.command(name="reset-password")
@click.option("--request", "request", is_flag=True, help="Ask for a reset token sent to --login (e-mail or phone).")
@click.option("--login", default=None, help="With --request: the login to send the token to.")
@click.option("--tenant", "tenant_code", default=None, help="With --request: the tenant's code (none: a platform user).")
@click.option("--token-stdin", is_flag=True, help="Read the reset token from stdin, not MERCATO_RESET_TOKEN.")
@click.option("--password-stdin", is_flag=True,
              help="Read the new password from stdin (after the token, when both come from stdin) instead of prompting.")
def reset_password(request: bool, login: str | None, tenant_code: str | None, token_stdin: bool,
                   password_stdin: bool) -> None:
    """Reset a forgotten password: with --request, ask for a token sent to the login; without it, set a new password
    with the token (from MERCATO_RESET_TOKEN or stdin) — every session of the user ends. Neither ever on argv."""
    if request:
        if not login:
            raise click.UsageError("--request needs --login")
        with _anonymous_client() as client:
            client.identity.request_password_reset(login, tenant_code)
        click.echo("if this login exists and can receive messages, a reset token is on its way")
        return
    if login or tenant_code:
        raise click.UsageError("--login and --tenant go with --request; the token names the account")
    token = _secret("MERCATO_RESET_TOKEN", "Password reset token", token_stdin)
    password = _password(password_stdin, confirm=True)
    with _anonymous_client() as client:
        client.identity.reset_password(token, password)
    click.echo("password reset: every session of the user has ended; sign in again")


@command.command(name="set-secret")
def set_secret() -> None:
    """DBA: set the JWT signing secret (at least 32 bytes; the same as PostgREST's jwt-secret), from
    MERCATO_JWT_SECRET or stdin, never argv. Runs as the database URL's role (the owner or a superuser)."""
    import psycopg

    from mercato.config import database_url

    secret = _secret("MERCATO_JWT_SECRET", "JWT secret", False)
    with psycopg.connect(database_url()) as conn:
        conn.execute("SELECT identity.set_jwt_secret(%s)", (secret,))
    click.echo("JWT secret set")
