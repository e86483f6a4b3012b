"""``client.identity``: one method per ``api`` wrapper of an ``identity`` function — tenants, users and roles, who is
calling, credentials: sign-up, sign-in, refresh, sessions, OAuth accounts, and tenants' custom roles (docs/auth.md). Movello's parties are ``client.parties`` (:mod:`mercato.parties`), their vehicles ``client.fleet``
(:mod:`mercato.fleet`).

Who is calling comes from the client's claims (``Client.as_caller``), never from a parameter; every rule is decided in
the database. Amounts travel as ``str``/``Decimal`` and are never computed on here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from psycopg.types.json import Jsonb

from mercato.errors import MercatoError
from mercato.module import ModuleClient, typed

#: The SQLSTATE of the refusals api.sign_in / api.refresh answer with an error row instead of raising (so that the
#: failure is committed); the same as their core.error rows (HTTP 401 / 429).
_ANSWERED_REFUSALS = {"IDENTITY_SIGN_IN_FAILED": "PT401", "IDENTITY_SIGN_IN_LOCKED": "PT429",
                      "IDENTITY_REFRESH_INVALID": "PT401"}


@dataclass(frozen=True)
class Tokens:
    """A signed-in session's token pair (api.sign_in, api.refresh). The refresh token is shown once: keep it safe."""

    access_token: str
    token_type: str
    expires_at: datetime
    refresh_token: str
    refresh_expires_at: datetime
    session_id: int


def _tokens(row: dict[str, Any] | None) -> Tokens:
    """The token pair of an auth answer, or its committed refusal raised as a :class:`MercatoError`."""
    if row is None:  # pragma: no cover - the functions always answer one row
        raise MercatoError("IDENTITY_SIGN_IN_FAILED", "no answer")
    if row.get("error"):
        retry = row.get("retry_after")
        raise MercatoError(row["error"], row.get("message") or row["error"], sqlstate=_ANSWERED_REFUSALS.get(row["error"]),
                           detail=None if retry is None else f"retry after {retry} s")
    return Tokens(row["access_token"], row["token_type"], row["expires_at"], row["refresh_token"],
                  row["refresh_expires_at"], row["session_id"])


@dataclass(frozen=True)
class VerificationSent:
    """A verification token on its way to a login (api.request_verification): the login, when the token expires, and
    the outbox message that carries it. The token itself never comes back: it reaches the login only."""

    login: str
    expires_at: datetime
    message_id: int


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


class IdentityClient(ModuleClient):
    """``client.identity``: who is who. The back office creates tenants, registers users and assigns roles; anyone
    asks who they are (``current_actor``)."""

    module = "identity"

    # -- tenants, users, roles ----------------------------------------------------------------------
    def create_tenant(self, code: str, name: str, metadata: dict | None = None) -> int:
        return self._call_value("api.create_tenant", code=code, name=name, metadata=Jsonb(metadata or {}))

    def set_tenant_currency(self, tenant_id: int, currency: str) -> str:
        """Set a tenant's currency once (platform administrators, the back office); returns the code."""
        return self._call_value("api.set_tenant_currency", tenant_id=tenant_id, currency=currency)

    def register_user(self, auth_subject: str, user_type: str, display_name: str, *,
                      tenant_id: int | None = None, email: str | None = None, phone: str | None = None) -> int:
        return self._call_value("api.register_user", auth_subject=auth_subject, user_type=user_type,
                                display_name=display_name, tenant_id=tenant_id, email=email, phone=phone)

    def assign_role(self, user_id: int, role_code: str, tenant_id: int | None = None) -> int:
        return self._call_value("api.assign_role", user_id=user_id, role_code=role_code, tenant_id=tenant_id)

    def revoke_role(self, user_id: int, role_code: str, tenant_id: int | None = None) -> bool:
        return self._call_value("api.revoke_role", user_id=user_id, role_code=role_code, tenant_id=tenant_id)

    def set_user_status(self, user_id: int, status: str) -> None:
        self._call("api.set_user_status", user_id=user_id, status=status)

    def current_actor(self) -> Actor:
        """Who the database thinks is calling, from this client's claims."""
        return typed(Actor, self._call_one("api.current_actor"))

    # -- organizations and members ------------------------------------------------------------------
    def my_organizations(self) -> list[dict[str, Any]]:
        """The organizations the caller is a member of, with its role in each."""
        return self._call("api.my_organizations")

    def organization_members(self, organization_id: int) -> list[dict[str, Any]]:
        """The members of an organization (members only)."""
        return self._call("api.organization_members", organization_id=organization_id)

    def add_member(self, organization_id: int, *, user_id: int | None = None, subject: str | None = None,
                   role: str = "STAFF") -> int:
        """Add a user of the same tenant (by id or JWT subject) to an organization; OWNER/ADMIN rules in docs/identity.md."""
        return self._call_value("api.add_member", organization_id=organization_id, user_id=user_id, subject=subject,
                                role=role)

    def set_member_role(self, organization_id: int, user_id: int, role: str) -> None:
        self._call("api.set_member_role", organization_id=organization_id, user_id=user_id, role=role)

    def remove_member(self, organization_id: int, user_id: int) -> None:
        self._call("api.remove_member", organization_id=organization_id, user_id=user_id)

    def set_organization_status(self, organization_id: int, status: str) -> None:
        self._call("api.set_organization_status", organization_id=organization_id, status=status)

    # -- custom roles and permissions (issue 17; docs/auth.md, "Roles and permissions") --------------
    # A tenant's admin manages its own tenant's roles (the tenant comes from who it is); a platform user or the back
    # office names ``tenant_id``. Assign and revoke custom roles with assign_role / revoke_role above.
    def list_roles(self, tenant_id: int | None = None) -> list[dict[str, Any]]:
        """The system roles and the tenant's custom roles, with their permissions and active assignments."""
        return self._call("api.list_roles", tenant_id=tenant_id)

    def list_permissions(self) -> list[dict[str, Any]]:
        """The catalogue of permissions and whether a custom role may hold each (``tenant_grantable``)."""
        return self._call("api.list_permissions")

    def create_role(self, code: str, name: str, description: str = "", permissions: list[str] | tuple[str, ...] = (),
                    tenant_id: int | None = None) -> int:
        """Create a custom role of the tenant with these permissions; returns its id."""
        return self._call_value("api.create_role", code=code, name=name, description=description,
                                permissions=list(permissions), tenant_id=tenant_id)

    def set_role_permissions(self, code: str, permissions: list[str] | tuple[str, ...],
                             tenant_id: int | None = None) -> list[str]:
        """Replace a custom role's permissions; returns them, sorted."""
        return self._call_value("api.set_role_permissions", code=code, permissions=list(permissions), tenant_id=tenant_id)

    def retire_role(self, code: str, tenant_id: int | None = None) -> int:
        """Retire a custom role (final); returns how many active assignments were revoked."""
        return self._call_value("api.retire_role", code=code, tenant_id=tenant_id)

    def user_roles(self, user_id: int) -> list[dict[str, Any]]:
        """A user's role assignments, revoked ones too: role, tenant, granted when and by whom."""
        return self._call("api.user_roles", user_id=user_id)

    # -- OAuth accounts (issue 17; docs/auth.md, "OAuth accounts") -----------------------------------
    def link_oauth_account(self, user_id: int, provider: str, provider_account_id: str, email: str | None = None) -> int:
        """The app server (mercato_service) links a provider account it verified to a user; returns the link's id."""
        return self._call_value("api.link_oauth_account", user_id=user_id, provider=provider,
                                provider_account_id=provider_account_id, email=email)

    def unlink_oauth_account(self, oauth_account_id: int) -> None:
        """Unlink one of the caller's OAuth accounts (or any, for the back office)."""
        self._call("api.unlink_oauth_account", oauth_account_id=oauth_account_id)

    def sign_in_oauth(self, tenant_code: str | None, provider: str, provider_account_id: str) -> Tokens:
        """The app server (mercato_service) signs in the user who linked this provider account: a new session and its
        token pair, as :meth:`sign_in` gives. Refusals raise :class:`MercatoError` (``IDENTITY_OAUTH_UNKNOWN_ACCOUNT``,
        ``IDENTITY_SIGN_IN_FAILED`` for a user not ACTIVE)."""
        return _tokens(self._call_one("api.sign_in_oauth", tenant_code=tenant_code, provider=provider,
                                      provider_account_id=provider_account_id))

    def my_oauth_accounts(self) -> list[dict[str, Any]]:
        """The caller's linked OAuth accounts."""
        return self._call("api.my_oauth_accounts")

    # -- credentials and sessions (docs/auth.md) ------------------------------------------------------
    def sign_up(self, tenant_code: str, login: str, password: str, display_name: str, user_type: str = "CUSTOMER") -> int:
        """Create a user of a tenant that accepts sign-ups, with a login (e-mail, phone, username) and a password."""
        return self._call_value("api.sign_up", tenant_code=tenant_code, login=login, password=password,
                                display_name=display_name, user_type=user_type)

    def sign_in(self, login: str, password: str, tenant_code: str | None = None) -> Tokens:
        """A new session: its access JWT and refresh token. A refusal (committed, so that failures count) is raised
        as :class:`MercatoError` ``IDENTITY_SIGN_IN_FAILED`` (401) or ``IDENTITY_SIGN_IN_LOCKED`` (429)."""
        return _tokens(self._call_one("api.sign_in", login=login, password=password, tenant_code=tenant_code))

    def refresh(self, refresh_token: str) -> Tokens:
        """Rotate a refresh token; a reused one revokes its session (``IDENTITY_REFRESH_INVALID``)."""
        return _tokens(self._call_one("api.refresh", refresh_token=refresh_token))

    def sign_out(self) -> None:
        """End the session of this client's JWT (claim ``sid``)."""
        self._call("api.sign_out")

    def my_sessions(self) -> list[dict[str, Any]]:
        """The caller's sessions, newest first, with device, IP and which one is calling."""
        return self._call("api.my_sessions")

    def revoke_session(self, session_id: int) -> None:
        self._call("api.revoke_session", session_id=session_id)

    def revoke_all_sessions(self) -> int:
        """End every session of the caller (this one too); returns how many were active."""
        return self._call_value("api.revoke_all_sessions")

    def change_password(self, current_password: str, new_password: str) -> None:
        """Change the caller's password; every session ends."""
        self._call("api.change_password", current_password=current_password, new_password=new_password)

    def add_login(self, login: str) -> int:
        """Add another login (e-mail, phone, username) to the caller's account."""
        return self._call_value("api.add_login", login=login)

    # -- login verification and password reset (docs/auth.md) ------------------------------------------
    def request_verification(self, login: str) -> VerificationSent:
        """Send a verification token to one of the caller's own e-mail or phone logins, through the outbox."""
        return typed(VerificationSent, self._call_one("api.request_verification", login=login))

    def verify_login(self, token: str) -> str:
        """Verify a login with the token it received (anyone holding it may call); returns the login."""
        return self._call_value("api.verify_login", token=token)

    def request_password_reset(self, login: str, tenant_code: str | None = None) -> None:
        """Ask for a reset token sent to ``login`` (e-mail or phone). The same answer whether or not the login
        exists: nothing tells the caller."""
        self._call("api.request_password_reset", login=login, tenant_code=tenant_code)

    def reset_password(self, token: str, new_password: str) -> None:
        """Set a new password with a reset token; every session and access token of the user ends."""
        self._call("api.reset_password", token=token, new_password=new_password)
