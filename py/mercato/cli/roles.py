"""``mercato roles``: a tenant's custom roles and their permissions (issue 17; docs/auth.md, "Roles and permissions").

A tenant's admin acts with ``--as SUBJECT`` and manages its own tenant (the database takes the tenant from who it is);
the back office (no ``--as``) or a platform admin names the tenant with ``--tenant``. Assign and revoke take a system
role's code or one of the tenant's custom roles'.
"""

from __future__ import annotations

import click

from mercato.cli.common import caller_option, client_for, emit

_tenant_option = click.option("--tenant", "tenant_id", type=int, default=None,
                              help="The tenant's id (the back office and platform users; a tenant's admin acts in its own).")
_json_option = click.option("--json", "as_json", is_flag=True)


@click.group(name="roles")
def command() -> None:
    """Roles and permissions: list, create, grant permissions, retire, assign, revoke."""


@command.command(name="list")
@_tenant_option
@caller_option
@_json_option
def list_roles(tenant_id: int | None, as_subject: str | None, as_json: bool) -> None:
    """The system roles and the tenant's custom roles, with their permissions."""
    with client_for(as_subject) as client:
        emit(client.identity.list_roles(tenant_id), as_json=as_json,
             columns=None if as_json else ["code", "name", "is_system", "status", "permissions", "active_assignments"])


@command.command()
@caller_option
@_json_option
def permissions(as_subject: str | None, as_json: bool) -> None:
    """The catalogue of permissions and whether a tenant's custom role may hold each."""
    with client_for(as_subject) as client:
        emit(client.identity.list_permissions(), as_json=as_json)


@command.command()
@click.argument("code")
@click.option("--name", required=True)
@click.option("--description", default="")
@click.option("--permission", "permissions", multiple=True, help="A permission code (repeat for several).")
@_tenant_option
@caller_option
def create(code: str, name: str, description: str, permissions: tuple[str, ...], tenant_id: int | None,
           as_subject: str | None) -> None:
    """Create the custom role CODE with its permissions; prints its id."""
    with client_for(as_subject) as client:
        click.echo(client.identity.create_role(code, name, description, list(permissions), tenant_id))


@command.command(name="grant-permissions")
@click.argument("code")
@click.argument("permissions", nargs=-1)
@_tenant_option
@caller_option
def grant_permissions(code: str, permissions: tuple[str, ...], tenant_id: int | None, as_subject: str | None) -> None:
    """Make PERMISSIONS exactly the permissions of the custom role CODE (none: it grants nothing)."""
    with client_for(as_subject) as client:
        granted = client.identity.set_role_permissions(code, list(permissions), tenant_id)
    click.echo(f"{code}: {', '.join(granted) or '(no permissions)'}")


@command.command()
@click.argument("code")
@_tenant_option
@caller_option
def retire(code: str, tenant_id: int | None, as_subject: str | None) -> None:
    """Retire the custom role CODE (final): its assignments are revoked."""
    with client_for(as_subject) as client:
        revoked = client.identity.retire_role(code, tenant_id)
    click.echo(f"{code}: retired, {revoked} assignment(s) revoked")


@command.command()
@click.argument("user_id", type=int)
@click.argument("code")
@_tenant_option
@caller_option
def assign(user_id: int, code: str, tenant_id: int | None, as_subject: str | None) -> None:
    """Give user USER_ID the role CODE in the tenant (no --tenant: platform-wide); prints the assignment id."""
    with client_for(as_subject) as client:
        click.echo(client.identity.assign_role(user_id, code, tenant_id))


@command.command()
@click.argument("user_id", type=int)
@click.argument("code")
@_tenant_option
@caller_option
def revoke(user_id: int, code: str, tenant_id: int | None, as_subject: str | None) -> None:
    """Revoke role CODE of user USER_ID in the tenant."""
    with client_for(as_subject) as client:
        done = client.identity.revoke_role(user_id, code, tenant_id)
    click.echo(f"user {user_id}: {code} {'revoked' if done else 'was not assigned'}")


@command.command()
@click.argument("user_id", type=int)
@caller_option
@_json_option
def user(user_id: int, as_subject: str | None, as_json: bool) -> None:
    """The role assignments of user USER_ID: who granted which role when, and revocations."""
    with client_for(as_subject) as client:
        emit(client.identity.user_roles(user_id), as_json=as_json)
