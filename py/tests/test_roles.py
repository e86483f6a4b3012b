"""Custom roles of a tenant (issue 17, the logistics seed's roles / permissions / user_roles), exactly as PostgREST
serves them: the NOINHERIT authenticator, one transaction per request, the claims of a signed JWT (mercato.harness
.postgrest). Superuser connections only arrange the world and read the audit trail, or play a non-superuser writing
directly (mercato_owner, the tables' owner, which the database's guards hold too).

A tenant admin creates a role with permissions and assigns it; its holder then passes the permission checks in that
tenant and nowhere else, until the role is retired. Another tenant's admin neither sees nor reaches it; nobody grants a
platform permission or edits a system role; a custom role is never assigned outside its tenant, whoever writes; every
change leaves an audit event."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import psycopg
import pytest
from click.testing import CliRunner
from psycopg.conninfo import make_conninfo

from mercato.client import Client
from mercato.errors import MercatoError
from mercato.harness.postgrest import PostgREST, Response
from jwt_helper import rest_as_authenticator, sign


@dataclass
class World:
    url: str
    rest: PostgREST
    tenant: dict[str, int]      # "A" / "B" -> tenant id
    sub: dict[str, str]
    uid: dict[str, int]

    def call(self, fn: str, args: dict[str, Any] | None = None, who: str | None = None) -> Response:
        claims = {"role": "mercato_service"} if who is None else {"sub": self.sub[who], "role": "mercato_user"}
        return self.rest.rpc(fn, args or {}, token=sign(claims))

    def ok(self, fn: str, args: dict[str, Any] | None = None, who: str | None = None) -> Any:
        r = self.call(fn, args, who)
        assert r.ok, (fn, who, r.status, r.body)
        return r.body

    def refused(self, fn: str, args: dict[str, Any], who: str | None, status: int, code: str) -> None:
        r = self.call(fn, args, who)
        assert (r.status, r.code) == (status, code), (fn, who, r.status, r.body)


@pytest.fixture
def world(db_url: str) -> Iterator[World]:
    """Tenants A and B, an admin of each (TENANT_ADMIN), two staff users of A, one of B, a platform admin."""
    tag = uuid.uuid4().hex[:6]
    users = {"a_admin": "A", "b_admin": "B", "clerk": "A", "other": "A", "b_staff": "B", "padmin": None}
    sub = {k: f"kc|roles-{k}-{tag}" for k in users}
    with psycopg.connect(db_url, autocommit=True) as conn:
        tenant = {t: conn.execute("SELECT identity.create_tenant(%s, %s)", (f"roles-{t.lower()}-{tag}", t)).fetchone()[0]
                  for t in ("A", "B")}
        uid = {k: conn.execute("SELECT identity.register_user(%s, 'STAFF', %s, %s)",
                               (sub[k], k, tenant.get(t) if t else None)).fetchone()[0] for k, t in users.items()}
        for k in ("a_admin", "b_admin"):
            conn.execute("SELECT identity.assign_role(%s, 'TENANT_ADMIN', %s)", (uid[k], tenant[users[k]]))
        conn.execute("SELECT identity.assign_role(%s, 'PLATFORM_ADMIN')", (uid["padmin"],))
    rest = rest_as_authenticator(db_url)
    yield World(db_url, rest, tenant, sub, uid)
    rest.close()


def _audit(w: World, entity_type: str, entity_id: int, action: str) -> list[dict[str, Any]]:
    with psycopg.connect(w.url) as conn:
        rows = conn.execute("SELECT actor_user_id, old_values, new_values FROM audit.event "
                            "WHERE entity_type = %s AND entity_id = %s AND action = %s ORDER BY id",
                            (entity_type, str(entity_id), action)).fetchall()
    return [{"actor": a, "old": o, "new": n} for a, o, n in rows]


def test_a_tenant_admin_s_custom_role_grants_its_permission_in_the_tenant_until_retired(world: World) -> None:
    w, a = world, world.tenant["A"]
    role_id = w.ok("create_role", {"p_code": "USER_CLERK", "p_name": "User clerk", "p_description": "Keeps users",
                                   "p_permissions": ["identity.manage_users"]}, "a_admin")
    listed = {r["code"]: r for r in w.ok("list_roles", {}, "a_admin")}
    assert set(listed) == {"PLATFORM_ADMIN", "TENANT_ADMIN", "SUPPORT", "CREDIT_OPERATOR", "USER_CLERK"}
    assert (listed["USER_CLERK"]["tenant_id"], listed["USER_CLERK"]["is_system"], listed["USER_CLERK"]["permissions"]) \
        == (a, False, ["identity.manage_users"])

    # before the role: the clerk cannot change a user's status
    w.refused("set_user_status", {"p_user_id": w.uid["other"], "p_status": "SUSPENDED"}, "clerk", 403,
              "IDENTITY_PERMISSION_DENIED")
    assignment = w.ok("assign_role", {"p_user_id": w.uid["clerk"], "p_role_code": "USER_CLERK", "p_tenant_id": a}, "a_admin")
    assert "identity.manage_users" in w.ok("me", {}, "clerk")[0]["permissions"]
    # has_permission / require_permission in the tenant: identity.set_user_status asks for manage_users in A
    w.ok("set_user_status", {"p_user_id": w.uid["other"], "p_status": "SUSPENDED"}, "clerk")
    w.ok("set_user_status", {"p_user_id": w.uid["other"], "p_status": "ACTIVE"}, "clerk")
    # but not in B, nor platform-wide
    w.refused("set_user_status", {"p_user_id": w.uid["b_staff"], "p_status": "SUSPENDED"}, "clerk", 403,
              "IDENTITY_PERMISSION_DENIED")
    w.refused("register_user", {"p_auth_subject": "kc|nobody", "p_user_type": "STAFF", "p_display_name": "X"}, "clerk",
              403, "IDENTITY_PERMISSION_DENIED")
    history = w.ok("user_roles", {"p_user_id": w.uid["clerk"]}, "clerk")
    assert [(h["role_code"], h["granted_by"], h["revoked_at"]) for h in history] == [("USER_CLERK", w.uid["a_admin"], None)]

    assert w.ok("retire_role", {"p_code": "USER_CLERK"}, "a_admin") == 1
    w.refused("set_user_status", {"p_user_id": w.uid["other"], "p_status": "SUSPENDED"}, "clerk", 403,
              "IDENTITY_PERMISSION_DENIED")
    assert "identity.manage_users" not in w.ok("me", {}, "clerk")[0]["permissions"]
    w.refused("assign_role", {"p_user_id": w.uid["clerk"], "p_role_code": "USER_CLERK", "p_tenant_id": a}, "a_admin", 409,
              "IDENTITY_ROLE_RETIRED")
    assert [r["status"] for r in w.ok("list_roles", {}, "a_admin") if r["code"] == "USER_CLERK"] == ["RETIRED"]

    # each change left an audit event, with its actor
    assert _audit(w, "identity.role", role_id, "INSERT")[0]["actor"] == w.uid["a_admin"]
    assert _audit(w, "identity.role_permission", role_id, "INSERT")[0]["new"]["role_id"] == role_id
    assert _audit(w, "identity.role", role_id, "UPDATE")[-1]["new"]["status"] == "RETIRED"
    assert _audit(w, "identity.role_assignment", assignment, "INSERT")[0]["actor"] == w.uid["a_admin"]
    revoked = _audit(w, "identity.role_assignment", assignment, "UPDATE")
    assert revoked and revoked[-1]["new"]["revoked_at"] is not None and revoked[-1]["actor"] == w.uid["a_admin"]


def test_another_tenant_s_admin_can_neither_see_nor_reach_the_role(world: World) -> None:
    w, a, b = world, world.tenant["A"], world.tenant["B"]
    w.ok("create_role", {"p_code": "PACKER", "p_name": "Packer", "p_permissions": ["identity.manage_users"]}, "a_admin")
    assert "PACKER" not in {r["code"] for r in w.ok("list_roles", {}, "b_admin")}
    w.refused("list_roles", {"p_tenant_id": a}, "b_admin", 403, "IDENTITY_TENANT_MISMATCH")
    w.refused("set_role_permissions", {"p_code": "PACKER", "p_permissions": []}, "b_admin", 404, "IDENTITY_UNKNOWN_ROLE")
    w.refused("set_role_permissions", {"p_code": "PACKER", "p_permissions": [], "p_tenant_id": a}, "b_admin", 403,
              "IDENTITY_TENANT_MISMATCH")
    w.refused("retire_role", {"p_code": "PACKER"}, "b_admin", 404, "IDENTITY_UNKNOWN_ROLE")
    w.refused("assign_role", {"p_user_id": w.uid["b_staff"], "p_role_code": "PACKER", "p_tenant_id": b}, "b_admin", 404,
              "IDENTITY_UNKNOWN_ROLE")
    w.refused("assign_role", {"p_user_id": w.uid["clerk"], "p_role_code": "PACKER", "p_tenant_id": a}, "b_admin", 403,
              "IDENTITY_PERMISSION_DENIED")
    w.refused("user_roles", {"p_user_id": w.uid["clerk"]}, "b_admin", 403, "IDENTITY_PERMISSION_DENIED")
    # the code is B's to use for a role of its own
    assert w.ok("create_role", {"p_code": "PACKER", "p_name": "B packer"}, "b_admin") > 0
    assert [r["tenant_id"] for r in w.ok("list_roles", {}, "b_admin") if r["code"] == "PACKER"] == [b]
    # a user of A with no admin permission lists nothing
    w.refused("list_roles", {}, "other", 403, "IDENTITY_PERMISSION_DENIED")


def test_no_platform_permission_is_granted_and_no_system_role_edited(world: World) -> None:
    w = world
    for permission in ("masterdata.manage", "audit.read", "marketplace.admin"):
        w.refused("create_role", {"p_code": "TOO_MUCH", "p_name": "Too much", "p_permissions": [permission]}, "a_admin",
                  403, "IDENTITY_PERMISSION_NOT_GRANTABLE")
    grantable = {p["code"] for p in w.ok("list_permissions", {}, "a_admin") if p["tenant_grantable"]}
    # identity's own; the shared modules add theirs (catalog.manage, …), none of them a platform permission
    assert {c for c in grantable if c.startswith("identity.")} == {"identity.manage_users", "identity.manage_roles"}
    assert not grantable & {"masterdata.manage", "audit.read", "marketplace.admin"}
    w.refused("create_role", {"p_code": "WHAT", "p_name": "What", "p_permissions": ["identity.fly"]}, "a_admin", 404,
              "IDENTITY_UNKNOWN_PERMISSION")
    w.refused("create_role", {"p_code": "SUPPORT", "p_name": "Mine"}, "a_admin", 409, "IDENTITY_ROLE_CODE_TAKEN")
    w.refused("set_role_permissions", {"p_code": "TENANT_ADMIN", "p_permissions": ["identity.manage_roles"]}, "a_admin",
              403, "IDENTITY_ROLE_NOT_EDITABLE")
    w.refused("retire_role", {"p_code": "SUPPORT"}, "a_admin", 403, "IDENTITY_ROLE_NOT_EDITABLE")
    # a role maker without manage_users cannot hand manage_users out
    w.ok("create_role", {"p_code": "ROLE_MAKER", "p_name": "Role maker", "p_permissions": ["identity.manage_roles"]}, "a_admin")
    w.ok("assign_role", {"p_user_id": w.uid["clerk"], "p_role_code": "ROLE_MAKER", "p_tenant_id": w.tenant["A"]}, "a_admin")
    w.refused("create_role", {"p_code": "SHADOW_ADMIN", "p_name": "Shadow", "p_permissions": ["identity.manage_users"]},
              "clerk", 403, "IDENTITY_PERMISSION_NOT_GRANTABLE")
    with psycopg.connect(w.url) as conn:
        # TENANT_ADMIN still holds identity's two (the shared modules add their own permissions to it)
        assert conn.execute("SELECT count(*) FROM identity.role_permission rp JOIN identity.role r ON r.id = rp.role_id "
                            "JOIN identity.permission p ON p.id = rp.permission_id "
                            "WHERE r.code = 'TENANT_ADMIN' AND r.tenant_id IS NULL AND p.code LIKE 'identity.%'"
                            ).fetchone()[0] == 2


def test_a_custom_role_is_never_assigned_outside_its_tenant_whoever_writes(world: World) -> None:
    w, a, b = world, world.tenant["A"], world.tenant["B"]
    role_id = w.ok("create_role", {"p_code": "DRIVER_LEAD", "p_name": "Driver lead"}, "a_admin")
    # the platform admin through the API: in B the code names no role
    w.refused("assign_role", {"p_user_id": w.uid["b_staff"], "p_role_code": "DRIVER_LEAD", "p_tenant_id": b}, "padmin", 404,
              "IDENTITY_UNKNOWN_ROLE")
    w.refused("assign_role", {"p_user_id": w.uid["padmin"], "p_role_code": "DRIVER_LEAD"}, "padmin", 404,
              "IDENTITY_UNKNOWN_ROLE")
    # a direct INSERT by a non-superuser (the tables' owner): the database's own guard
    with psycopg.connect(w.url) as conn:
        conn.execute("SET LOCAL ROLE mercato_owner")   # this transaction only
        for user, tenant in ((w.uid["b_staff"], b), (w.uid["padmin"], None), (w.uid["b_staff"], a)):
            with pytest.raises(psycopg.Error) as info, conn.transaction():
                conn.execute("INSERT INTO identity.role_assignment (user_id, role_id, tenant_id) VALUES (%s, %s, %s)",
                             (user, role_id, tenant))
            assert info.value.sqlstate == "PT403" and str(info.value).startswith("IDENTITY_ROLE_TENANT_MISMATCH:"), \
                (user, tenant, info.value)
        with conn.transaction():   # in its tenant, to a user of it, the same write goes through
            conn.execute("INSERT INTO identity.role_assignment (user_id, role_id, tenant_id) VALUES (%s, %s, %s)",
                         (w.uid["clerk"], role_id, a))
    # API roles hold no privilege to write at all
    with psycopg.connect(make_conninfo(w.url, user="mercato_authenticator")) as conn:
        conn.execute("SET LOCAL ROLE mercato_service")
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("INSERT INTO identity.role_assignment (user_id, role_id, tenant_id) VALUES (%s, %s, %s)",
                         (w.uid["b_staff"], role_id, b))


def test_the_library_and_the_cli_manage_roles(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    w, a = world, world.tenant["A"]
    with Client(make_conninfo(w.url, user="mercato_authenticator")) as app:
        admin = app.as_caller({"sub": w.sub["a_admin"], "role": "mercato_user"}, role="mercato_user")
        admin.identity.create_role("COUNTER", "Counter", permissions=[])
        assert admin.identity.set_role_permissions("COUNTER", ["identity.manage_users"]) == ["identity.manage_users"]
        admin.identity.assign_role(w.uid["other"], "COUNTER", a)
        assert [r["role_code"] for r in admin.identity.user_roles(w.uid["other"])] == ["COUNTER"]
        with pytest.raises(MercatoError) as info:
            admin.identity.create_role("COUNTER", "Again")
        assert (info.value.code, info.value.http_status) == ("IDENTITY_ROLE_CODE_TAKEN", 409)
        assert admin.identity.retire_role("COUNTER") == 1

    from mercato.cli import cli

    monkeypatch.setenv("DATABASE_URL", w.url)
    runner = CliRunner()

    def run(*args: str) -> str:
        r = runner.invoke(cli, list(args), catch_exceptions=False, standalone_mode=False)
        assert r.exit_code == 0, r.output
        return r.output

    as_admin = ("--as", w.sub["a_admin"])
    assert int(run("roles", "create", "LOADER", "--name", "Loader", *as_admin)) > 0
    assert "identity.manage_users" in run("roles", "grant-permissions", "LOADER", "identity.manage_users", *as_admin)
    assert int(run("roles", "assign", str(w.uid["other"]), "LOADER", "--tenant", str(a), *as_admin)) > 0
    assert "LOADER" in run("roles", "list", *as_admin)
    assert "LOADER" in run("roles", "user", str(w.uid["other"]), *as_admin)
    assert "revoked" in run("roles", "revoke", str(w.uid["other"]), "LOADER", "--tenant", str(a), *as_admin)
    assert "retired, 0 assignment(s) revoked" in run("roles", "retire", "LOADER", "--tenant", str(a))   # the back office
    assert "identity.manage_roles" in run("roles", "permissions")


def _wait_for_lock_waiters(url: str, n: int, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    with psycopg.connect(url, autocommit=True) as conn:
        while time.monotonic() < deadline:
            if conn.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                            "AND wait_event_type = 'Lock'").fetchone()[0] >= n:
                return
            time.sleep(0.02)
    raise AssertionError(f"{n} transactions never waited on the lock")


def _in_thread(url: str, query: str, params: tuple) -> tuple[threading.Thread, list[Any]]:
    outcome: list[Any] = []

    def run() -> None:
        try:
            with psycopg.connect(url) as conn:
                outcome.append(conn.execute(query, params).fetchone()[0])
        except psycopg.Error as exc:
            outcome.append(exc)

    thread = threading.Thread(target=run)
    thread.start()
    return thread, outcome


def test_an_assignment_and_the_role_s_retirement_at_once_leave_no_active_assignment(world: World) -> None:
    """Two transactions of the back office at the same time, in both orders: the assignment locks the role FOR SHARE,
    the retirement FOR UPDATE, so the second waits for the first. Assigned first: the retirement then revokes it.
    Retired first: the assignment is then refused. Either way no active assignment of a retired role remains."""
    w, a = world, world.tenant["A"]
    assign = "SELECT identity.assign_role(%s, %s, %s)"
    retire = "SELECT identity.retire_role(%s, %s)"
    for code in ("FIRST_ASSIGNED", "FIRST_RETIRED"):
        w.ok("create_role", {"p_code": code, "p_name": code.title()}, "a_admin")
    with psycopg.connect(w.url) as first:            # assigned first, retired meanwhile
        first.execute(assign, (w.uid["clerk"], "FIRST_ASSIGNED", a))
        thread, outcome = _in_thread(w.url, retire, ("FIRST_ASSIGNED", a))
        _wait_for_lock_waiters(w.url, 1)
    thread.join(30)
    assert outcome == [1], "the retirement waited for the assignment, then revoked it"
    with psycopg.connect(w.url) as first:            # retired first, assigned meanwhile
        first.execute(retire, ("FIRST_RETIRED", a))
        thread, outcome = _in_thread(w.url, assign, (w.uid["clerk"], "FIRST_RETIRED", a))
        _wait_for_lock_waiters(w.url, 1)
    thread.join(30)
    assert len(outcome) == 1 and isinstance(outcome[0], psycopg.Error), outcome
    assert (outcome[0].sqlstate, str(outcome[0]).split(":")[0]) == ("PT409", "IDENTITY_ROLE_RETIRED")
    with psycopg.connect(w.url) as conn:
        assert conn.execute("SELECT count(*) FROM identity.role_assignment ra JOIN identity.role r ON r.id = ra.role_id "
                            "WHERE r.status = 'RETIRED' AND ra.revoked_at IS NULL").fetchone()[0] == 0
