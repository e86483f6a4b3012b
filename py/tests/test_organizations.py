"""Organizations and their members (issue 15), exactly as PostgREST serves them: the NOINHERIT authenticator, one READ
COMMITTED transaction per request, role mercato_user, and the JWT claims — a custom claim "org" included, which
PostgREST passes through request.jwt.claims — set locally (mercato.postgrest).

A business is an organization; its members act for it within their role (docs/identity.md): STAFF does the day-to-day
work (an RFQ), ADMIN also manages STAFF, OWNER also manages owners and admins. A user in two businesses picks one with
"org"; a claim naming someone else's organization is refused; the last OWNER stays, also when two owners demote each
other at the same instant; members never cross tenants; row-level security shows members their organizations and their
co-members only."""

from __future__ import annotations

import datetime as dt
import json
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import psycopg
import pytest
from psycopg.conninfo import make_conninfo

from mercato.harness.postgrest import PostgREST, Response
from jwt_helper import rest_as_authenticator, sign

SERVICE = {"role": "mercato_service"}


@dataclass
class World:
    url: str
    rest: PostgREST
    sub: dict[str, str]         # key -> JWT subject
    uid: dict[str, int]         # key -> user id
    biz: dict[str, int]         # business key -> business id
    org: dict[str, int]         # business key -> organization id

    def claims(self, who: str, org: int | str | None = None) -> dict[str, Any]:
        claims: dict[str, Any] = {"sub": self.sub[who], "role": "mercato_user"}
        if org is not None:
            claims["org"] = org
        return claims

    def call(self, fn: str, args: dict[str, Any] | None = None, who: str | None = None, org: int | str | None = None,
             claims: dict[str, Any] | None = None) -> Response:
        return self.rest.rpc(fn, args or {}, token=sign(claims or self.claims(who, org)))

    def ok(self, fn: str, args: dict[str, Any] | None = None, who: str | None = None, org: int | str | None = None) -> Any:
        r = self.call(fn, args, who, org)
        assert r.ok, (fn, who, r.status, r.body)
        return r.body

    def owners(self, key: str) -> list[int]:
        with psycopg.connect(self.url) as conn:
            rows = conn.execute("SELECT user_id FROM identity.membership WHERE organization_id = %s AND role = 'OWNER' "
                                "AND status = 'ACTIVE' ORDER BY user_id", (self.org[key],)).fetchall()
            count = conn.execute("SELECT owner_count FROM identity.organization WHERE id = %s", (self.org[key],)).fetchone()[0]
        assert count == len(rows), "owner_count counts the active OWNERs"
        return [r[0] for r in rows]


def rfq_args(title: str) -> dict[str, Any]:
    start = dt.date.today() + dt.timedelta(days=3)
    return {"p_title": title, "p_start_date": str(start), "p_end_date": str(start + dt.timedelta(days=4)),
            "p_bid_deadline": (dt.datetime.now(dt.timezone.utc) + dt.timedelta(hours=2)).isoformat(),
            "p_lines": [{"vehicle_type": "SEDAN", "quantity": 1}]}


@pytest.fixture
def world(db_url: str) -> Iterator[World]:
    """Tenant one: businesses A (owner) and B (owner_b); staff (STAFF of A), multi (STAFF of A and of B), co (a second
    OWNER of A and of B). Tenant two: alien. Both businesses KYB-verified."""
    tag = uuid.uuid4().hex[:6]
    users = {"owner": ("BUSINESS", 1), "owner_b": ("BUSINESS", 1), "staff": ("STAFF", 1), "multi": ("STAFF", 1),
             "co": ("STAFF", 1), "outsider": ("STAFF", 1), "alien": ("STAFF", 2), "admin": ("ADMIN", None)}
    sub = {k: f"kc|org-{k}-{tag}" for k in users}
    uid: dict[str, int] = {}
    with psycopg.connect(db_url, autocommit=True) as conn:
        tenants = {n: conn.execute("SELECT identity.create_tenant(%s, %s)", (f"org-t{n}-{tag}", f"T{n}")).fetchone()[0]
                   for n in (1, 2)}
        for k, (kind, t) in users.items():
            uid[k] = conn.execute("SELECT identity.register_user(%s, %s, %s, %s)",
                                  (sub[k], kind, k, tenants.get(t))).fetchone()[0]
        conn.execute("SELECT identity.assign_role(%s, 'PLATFORM_ADMIN')", (uid["admin"],))
    rest = rest_as_authenticator(db_url)
    w = World(db_url, rest, sub, uid, {}, {})
    for key, who in (("A", "owner"), ("B", "owner_b")):
        w.biz[key] = w.ok("register_business", {"p_name": f"Business {key}", "p_business_type": "RETAIL"}, who)
        w.org[key] = w.ok("me", {}, who)[0]["organizations"][0]["organization_id"]
        w.ok("set_business_kyb", {"p_business_id": w.biz[key], "p_status": "VERIFIED"}, "admin")
    w.ok("add_member", {"p_organization_id": w.org["A"], "p_subject": sub["staff"]}, "owner")
    w.ok("add_member", {"p_organization_id": w.org["A"], "p_user_id": uid["multi"]}, "owner")
    w.ok("add_member", {"p_organization_id": w.org["B"], "p_user_id": uid["multi"]}, "owner_b")
    w.ok("add_member", {"p_organization_id": w.org["A"], "p_user_id": uid["co"], "p_role": "OWNER"}, "owner")
    w.ok("add_member", {"p_organization_id": w.org["B"], "p_user_id": uid["co"], "p_role": "OWNER"}, "owner_b")
    yield w
    rest.close()


def rfq_business(w: World, rfq: int) -> int:
    with psycopg.connect(w.url) as conn:
        return conn.execute("SELECT business_id FROM marketplace.rfq WHERE id = %s", (rfq,)).fetchone()[0]


def test_a_staff_member_creates_an_rfq_for_its_business_but_cannot_do_an_admin_action(world: World) -> None:
    w = world
    rfq = w.ok("create_rfq", rfq_args("shuttles"), "staff")
    assert rfq_business(w, rfq) == w.biz["A"], "the RFQ is the business's, created by its STAFF member"
    assert [r["rfq_id"] for r in w.ok("my_rfqs", {}, "owner")] == [rfq], "its OWNER sees it as the business's"
    refused = w.call("add_member", {"p_organization_id": w.org["A"], "p_user_id": w.uid["outsider"]}, "staff")
    assert (refused.status, refused.code) == (403, "IDENTITY_ORG_ROLE_REQUIRED"), refused.body
    promoted = w.call("set_member_role", {"p_organization_id": w.org["A"], "p_user_id": w.uid["staff"], "p_role": "ADMIN"}, "staff")
    assert (promoted.status, promoted.code) == (403, "IDENTITY_ORG_ROLE_REQUIRED"), "STAFF cannot promote itself"
    w.ok("set_member_role", {"p_organization_id": w.org["A"], "p_user_id": w.uid["staff"], "p_role": "ADMIN"}, "owner")
    assert w.call("add_member", {"p_organization_id": w.org["A"], "p_user_id": w.uid["outsider"]}, "staff").ok, \
        "as ADMIN it adds STAFF"
    assert w.ok("me", {}, "staff")[0]["business_id"] == w.biz["A"]


def test_staff_work_on_the_business_s_rfqs_and_awarding_needs_an_admin(world: World) -> None:
    """The business's objects name it, so any member acts on them without an org claim, within its role: STAFF reads,
    edits and publishes the business's RFQ; awarding (money follows) needs an ADMIN or OWNER."""
    w = world
    rfq = w.ok("create_rfq", rfq_args("vans"), "owner")
    assert w.ok("rfq", {"p_rfq_id": rfq}, "staff")["id"] == rfq, "STAFF reads the RFQ its OWNER created"
    w.ok("update_rfq", {"p_rfq_id": rfq, "p_title": "vans, edited"}, "staff")
    w.ok("publish_rfq", {"p_rfq_id": rfq}, "staff")
    award = w.call("award_rfq", {"p_rfq_id": rfq, "p_awards": []}, "staff")
    assert (award.status, award.code) == (403, "IDENTITY_ORG_ROLE_REQUIRED"), award.body
    outsider = w.call("rfq", {"p_rfq_id": rfq}, "owner_b")
    assert (outsider.status, outsider.code) == (404, "MARKETPLACE_UNKNOWN_RFQ"), "another business sees nothing"
    with psycopg.connect(w.url) as conn:
        assert conn.execute("SELECT title, status FROM marketplace.rfq WHERE id = %s", (rfq,)).fetchone() == (
            "vans, edited", "PUBLISHED")


def test_a_member_of_two_businesses_picks_one_with_the_org_claim(world: World) -> None:
    w = world
    ambiguous = w.call("create_rfq", rfq_args("which one?"), "multi")
    assert (ambiguous.status, ambiguous.code) == (400, "IDENTITY_ORG_AMBIGUOUS"), ambiguous.body
    assert "org" in ambiguous.body["hint"]
    me = w.ok("me", {}, "multi")[0]
    assert me["business_id"] is None and {o["organization_id"] for o in me["organizations"]} == {w.org["A"], w.org["B"]}
    for key, org in (("A", w.org["A"]), ("B", str(w.org["B"]))):     # a JSON number or a string of digits
        rfq = w.ok("create_rfq", rfq_args(f"for {key}"), "multi", org=org)
        assert rfq_business(w, rfq) == w.biz[key]
        assert [r["rfq_id"] for r in w.ok("my_rfqs", {}, "multi", org=org)] == [rfq], "reads follow the claim too"
    assert w.ok("me", {}, "multi", org=w.org["B"])[0]["business_id"] == w.biz["B"]


def test_a_forged_org_claim_is_refused(world: World) -> None:
    w = world
    for forged in (w.org["B"], 999_999_999):        # someone else's organization, or none at all
        r = w.call("create_rfq", rfq_args("forged"), "staff", org=forged)
        assert (r.status, r.code) == (403, "IDENTITY_NOT_A_MEMBER"), r.body
    r = w.call("create_rfq", rfq_args("malformed"), "staff", org="A; DROP")
    assert (r.status, r.code) == (400, "IDENTITY_ORG_CLAIM_INVALID"), r.body
    with psycopg.connect(make_conninfo(w.url, user="mercato_authenticator"), autocommit=True) as app:
        assert read_as(app, w.claims("staff", org=w.org["B"]), "SELECT count(*) FROM parties.business b "
                       "WHERE b.id = parties.my_business_id()") == [(0,)], "row-level security: no business, no error"


def test_the_last_owner_can_be_neither_removed_nor_demoted(world: World) -> None:
    w = world
    w.ok("remove_member", {"p_organization_id": w.org["A"], "p_user_id": w.uid["co"]}, "co")     # an OWNER may leave
    assert w.owners("A") == [w.uid["owner"]]
    for fn, args in (("remove_member", {}), ("set_member_role", {"p_role": "ADMIN"}), ("set_member_role", {"p_role": "STAFF"})):
        r = w.call(fn, {"p_organization_id": w.org["A"], "p_user_id": w.uid["owner"], **args}, "owner")
        assert (r.status, r.code) == (409, "IDENTITY_LAST_OWNER"), (fn, r.body)
    r = w.call("remove_member", {"p_organization_id": w.org["A"], "p_user_id": w.uid["owner"]}, claims=SERVICE)
    assert (r.status, r.code) == (409, "IDENTITY_LAST_OWNER"), "not even the back office"
    assert w.owners("A") == [w.uid["owner"]]


def _wait_for_lock_waiters(url: str, n: int, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    with psycopg.connect(url, autocommit=True) as conn:
        while time.monotonic() < deadline:
            waiting = conn.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                                   "AND wait_event_type = 'Lock'").fetchone()[0]
            if waiting >= n:
                return
            time.sleep(0.02)
    raise AssertionError(f"{n} transactions never waited on the lock")


def test_two_owners_demoting_each_other_at_once_leave_one_owner(world: World) -> None:
    """Both requests are in flight at the same time: they queue on the organization's row (held here until both wait),
    then run one after the other; the second finds its caller demoted already."""
    w = world
    assert w.owners("A") == sorted([w.uid["owner"], w.uid["co"]])
    calls = {"owner": w.uid["co"], "co": w.uid["owner"]}          # each demotes the other
    results: dict[str, Response] = {}
    rests = {who: rest_as_authenticator(w.url) for who in calls}

    def demote(who: str) -> None:
        results[who] = rests[who].rpc("set_member_role", {"p_organization_id": w.org["A"], "p_user_id": calls[who],
                                                          "p_role": "ADMIN"}, token=sign(w.claims(who)))

    try:
        with psycopg.connect(w.url) as holder:
            holder.execute("SELECT 1 FROM identity.organization WHERE id = %s FOR UPDATE", (w.org["A"],))
            threads = [threading.Thread(target=demote, args=(who,)) for who in calls]
            for t in threads:
                t.start()
            _wait_for_lock_waiters(w.url, 2)
        for t in threads:          # the holder committed when its block ended
            t.join(30)
    finally:
        for rest in rests.values():
            rest.close()
    outcomes = sorted((r.status, r.code) for r in results.values())
    assert outcomes == [(204, None), (403, "IDENTITY_ORG_ROLE_REQUIRED")], outcomes
    assert len(w.owners("A")) == 1, "one OWNER is left"


def test_two_direct_demotions_at_once_are_refused_by_the_database(world: World) -> None:
    """The rule does not depend on the functions: two transactions of the tables' owner demote the two OWNERs of B at
    the same time; the second waits for the first on the organization's row and is refused."""
    w = world
    assert w.owners("B") == sorted([w.uid["owner_b"], w.uid["co"]])
    sql = "UPDATE identity.membership SET role = 'ADMIN' WHERE organization_id = %s AND user_id = %s"
    outcome: list[Any] = []
    with psycopg.connect(w.url) as first:
        first.execute(sql, (w.org["B"], w.uid["owner_b"]))

        def second() -> None:
            try:
                with psycopg.connect(w.url) as conn:
                    conn.execute(sql, (w.org["B"], w.uid["co"]))
                outcome.append("committed")
            except psycopg.Error as exc:
                outcome.append(exc)

        thread = threading.Thread(target=second)
        thread.start()
        _wait_for_lock_waiters(w.url, 1)
    thread.join(30)
    assert len(outcome) == 1 and isinstance(outcome[0], psycopg.Error), outcome
    assert (outcome[0].sqlstate, str(outcome[0]).split(":")[0]) == ("PT409", "IDENTITY_LAST_OWNER")
    assert w.owners("B") == [w.uid["co"]]


def test_another_tenants_user_cannot_be_added(world: World) -> None:
    w = world
    for args in ({"p_user_id": w.uid["alien"]}, {"p_subject": w.sub["alien"]}):
        r = w.call("add_member", {"p_organization_id": w.org["A"], **args}, "owner")
        assert (r.status, r.code) == (404, "IDENTITY_UNKNOWN_USER"), r.body
    r = w.call("add_member", {"p_organization_id": w.org["A"], "p_user_id": w.uid["alien"]}, claims=SERVICE)
    assert (r.status, r.code) == (404, "IDENTITY_UNKNOWN_USER"), "not even by the back office"
    with psycopg.connect(w.url) as conn, pytest.raises(psycopg.errors.ForeignKeyViolation):
        conn.execute("INSERT INTO identity.membership (organization_id, user_id, tenant_key, role) "
                     "SELECT %s, u.id, u.tenant_key, 'STAFF' FROM identity.user_account u WHERE u.id = %s",
                     (w.org["A"], w.uid["alien"]))


def read_as(app: psycopg.Connection, claims: dict[str, Any], query: str) -> list[tuple]:
    """A query as PostgREST runs a request: READ COMMITTED READ ONLY, role and claims set locally."""
    with app.transaction():
        app.execute("SET TRANSACTION ISOLATION LEVEL READ COMMITTED READ ONLY")
        app.execute("SELECT set_config('role', %s, true), set_config('request.jwt.claims', %s, true)",
                    (claims["role"], json.dumps(claims)))
        return app.execute(query).fetchall()


def test_members_see_their_organizations_and_co_members_only(world: World) -> None:
    w = world
    w.ok("remove_member", {"p_organization_id": w.org["A"], "p_user_id": w.uid["multi"]}, "owner")
    orgs = "SELECT id FROM identity.organization ORDER BY id"
    members = "SELECT organization_id, user_id, role FROM identity.membership ORDER BY organization_id, user_id"
    a, b = w.org["A"], w.org["B"]
    u = w.uid
    with psycopg.connect(make_conninfo(w.url, user="mercato_authenticator"), autocommit=True) as app:
        assert read_as(app, w.claims("staff"), orgs) == [(a,)]
        assert read_as(app, w.claims("staff"), members) == sorted(
            [(a, u["owner"], "OWNER"), (a, u["co"], "OWNER"), (a, u["staff"], "STAFF")]), "co-members, not B's, not removed ones"
        assert read_as(app, w.claims("multi"), orgs) == [(b,)], "a removed member no longer sees A"
        assert read_as(app, w.claims("co", org=b), orgs) == [(a,), (b,)], "whatever the org claim picks for acting"
        assert read_as(app, w.claims("outsider"), orgs) == [] and read_as(app, w.claims("outsider"), members) == []
        assert read_as(app, w.claims("alien"), members) == []
        assert read_as(app, w.claims("staff"), "SELECT id FROM parties.business ORDER BY id") == [(w.biz["A"],)]
        assert read_as(app, SERVICE, f"SELECT count(*) FROM identity.membership WHERE organization_id IN ({a}, {b})") == [(7,)], \
            "the back office sees every membership"
    listed = w.call("organization_members", {"p_organization_id": a}, "outsider")
    assert (listed.status, listed.code) == (404, "IDENTITY_UNKNOWN_ORGANIZATION"), "a non-member gets no member list"
    assert [m["user_id"] for m in w.ok("organization_members", {"p_organization_id": a}, "staff")] == \
        sorted([u["owner"], u["co"]]) + [u["staff"]], "OWNERs first"
