"""``client.identity``: one method per ``api`` wrapper of an ``identity`` function — tenants, users and roles, who is
calling. Movello's parties are ``client.parties`` (:mod:`mercato.parties`), their vehicles ``client.fleet``
(:mod:`mercato.fleet`).

Who is calling comes from the client's claims (``Client.as_caller``), never from a parameter; every rule is decided in
the database. Amounts travel as ``str``/``Decimal`` and are never computed on here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from psycopg.types.json import Jsonb

from mercato.module import ModuleClient, typed


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
