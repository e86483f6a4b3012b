"""The marketplace's security promises, checked exactly as PostgREST serves them (mercato.harness.postgrest: the NOINHERIT
authenticator, one READ COMMITTED transaction per request, role and claims set locally, named arguments)."""

from __future__ import annotations

import datetime as dt
import json
import uuid

import psycopg
import pytest
from psycopg.conninfo import make_conninfo

from jwt_helper import rest_as_authenticator, sign


def user(sub: str) -> dict:
    return {"sub": sub, "role": "mercato_user"}


SERVICE = {"role": "mercato_service"}


@pytest.fixture
def market(db_url: str):
    """Two businesses, two providers (one vehicle each), an admin; business A has a published RFQ that provider 1 bid on."""
    tag = uuid.uuid4().hex[:6]
    rest = rest_as_authenticator(db_url)
    s = {k: f"kc|{k}-{tag}" for k in ("bizA", "bizB", "prov1", "prov2", "admin")}
    with psycopg.connect(db_url, autocommit=True) as conn:
        for k, t in (("bizA", "BUSINESS"), ("bizB", "BUSINESS"), ("prov1", "PROVIDER"), ("prov2", "PROVIDER"), ("admin", "ADMIN")):
            uid = conn.execute("SELECT identity.register_user(%s, %s, %s)", (s[k], t, k)).fetchone()[0]
            if k == "admin":
                conn.execute("SELECT identity.assign_role(%s, 'PLATFORM_ADMIN')", (uid,))

    def ok(fn: str, args: dict | None = None, who: str | None = None, claims: dict | None = None):
        r = rest.rpc(fn, args or {}, token=sign(claims or user(s[who])))
        assert r.ok, (fn, r.status, r.body)
        return r.body

    ids = {"bizA": ok("register_business", {"p_name": "A", "p_business_type": "RETAIL"}, "bizA"),
           "bizB": ok("register_business", {"p_name": "B", "p_business_type": "RETAIL"}, "bizB"),
           "prov1": ok("register_provider", {"p_provider_type": "COMPANY", "p_name": "P1"}, "prov1"),
           "prov2": ok("register_provider", {"p_provider_type": "COMPANY", "p_name": "P2"}, "prov2")}
    for k in ("bizA", "bizB"):
        ok("set_business_kyb", {"p_business_id": ids[k], "p_status": "VERIFIED"}, "admin")
    for k in ("prov1", "prov2"):
        ok("set_provider_verification", {"p_provider_id": ids[k], "p_status": "VERIFIED"}, "admin")
        ids[f"car_{k}"] = ok("add_vehicle", {"p_plate_number": f"{k.upper()} {tag}", "p_vehicle_type": "SEDAN", "p_seat_count": 4}, k)
    start = dt.date.today() + dt.timedelta(days=1)
    ids["rfq"] = ok("create_rfq", {"p_title": "cars", "p_start_date": str(start), "p_end_date": str(start + dt.timedelta(days=5)),
                                   "p_bid_deadline": (dt.datetime.now(dt.timezone.utc) + dt.timedelta(hours=2)).isoformat(),
                                   "p_lines": [{"vehicle_type": "SEDAN", "quantity": 2}]}, "bizA")
    ok("publish_rfq", {"p_rfq_id": ids["rfq"]}, "bizA")
    ids["line"] = ok("rfq", {"p_rfq_id": ids["rfq"]}, "bizA")["lines"][0]["rfq_line_id"]
    ok("submit_bid", {"p_rfq_id": ids["rfq"], "p_lines": [{"rfq_line_id": ids["line"], "unit_price": "999", "quantity": 1}]}, "prov1")
    yield rest, s, ids, db_url
    rest.close()


def test_anonymous_callers_get_401_on_every_marketplace_call(market) -> None:
    rest, _, ids, _ = market
    for fn, args in (("rfq", {"p_rfq_id": ids["rfq"]}), ("rfq_bids", {"p_rfq_id": ids["rfq"]}), ("open_rfqs", {}),
                     ("submit_bid", {"p_rfq_id": ids["rfq"], "p_lines": []}), ("my_vehicles", {}), ("my_accounts", {}),
                     ("verify_code", {"p_session_id": 1, "p_code": "123456"}), ("register_business", {"p_name": "x", "p_business_type": "y"})):
        assert rest.rpc(fn, args).status == 401, fn


def test_a_business_learns_nothing_about_bids_before_the_deadline(market) -> None:
    rest, s, ids, _ = market
    sealed = rest.rpc("rfq_bids", {"p_rfq_id": ids["rfq"]}, token=sign(user(s["bizA"])), method="GET")
    assert (sealed.status, sealed.code) == (403, "MARKETPLACE_BIDS_SEALED")
    assert rest.rpc("rfq", {"p_rfq_id": ids["rfq"]}, token=sign(user(s["bizA"])), method="GET").body["bids"] is None
    admin = rest.rpc("rfq_bids", {"p_rfq_id": ids["rfq"]}, token=sign(user(s["admin"])), method="GET")
    assert admin.code == "MARKETPLACE_BIDS_SEALED", "not even an admin"


def test_a_business_cannot_see_another_business_rfq(market) -> None:
    rest, s, ids, _ = market
    for fn in ("rfq", "rfq_bids"):
        r = rest.rpc(fn, {"p_rfq_id": ids["rfq"]}, token=sign(user(s["bizB"])), method="GET")
        assert (r.status, r.code) == (404, "MARKETPLACE_UNKNOWN_RFQ"), fn
    award = rest.rpc("award_rfq", {"p_rfq_id": ids["rfq"], "p_awards": [{"rfq_line_id": ids["line"], "bidder": "x", "quantity": 1}]},
                     token=sign(user(s["bizB"])))
    assert award.code == "MARKETPLACE_UNKNOWN_RFQ"


def test_a_provider_sees_only_its_own_bid_vehicles_and_wallet(market) -> None:
    rest, s, ids, _ = market
    mine = rest.rpc("my_bid", {"p_rfq_id": ids["rfq"]}, token=sign(user(s["prov1"])), method="GET")
    assert mine.status == 200 and len(mine.body) == 1
    other = rest.rpc("my_bid", {"p_rfq_id": ids["rfq"]}, token=sign(user(s["prov2"])), method="GET")
    assert (other.status, other.code) == (404, "MARKETPLACE_NO_BID")
    assert rest.rpc("rfq_bids", {"p_rfq_id": ids["rfq"]}, token=sign(user(s["prov2"])), method="GET").code == "MARKETPLACE_UNKNOWN_RFQ"
    vehicles = rest.rpc("my_vehicles", token=sign(user(s["prov2"])), method="GET").body
    assert [v["id"] for v in vehicles] == [ids["car_prov2"]]
    retire = rest.rpc("set_vehicle_status", {"p_vehicle_id": ids["car_prov1"], "p_status": "RETIRED"}, token=sign(user(s["prov2"])))
    assert (retire.status, retire.code) == (404, "IDENTITY_UNKNOWN_VEHICLE")
    wallets = rest.rpc("my_accounts", token=sign(user(s["prov2"])), method="GET").body
    assert len(wallets) == 1 and wallets[0]["purpose"] == "MAIN"


def test_users_cannot_do_what_only_admins_and_the_back_office_may(market) -> None:
    rest, s, ids, _ = market
    for fn, args in (("set_business_kyb", {"p_business_id": ids["bizB"], "p_status": "VERIFIED"}),
                     ("set_provider_verification", {"p_provider_id": ids["prov2"], "p_status": "VERIFIED"}),
                     ("top_up_business", {"p_business_id": ids["bizA"], "p_amount": "1", "p_reference": "x"}),
                     ("recalculate_tiers", {})):
        r = rest.rpc(fn, args, token=sign(user(s["bizA"])))
        assert (r.status, r.code) == (403, "IDENTITY_PERMISSION_DENIED"), fn
    assert rest.rpc("transfer", {"p_reference": "x", "p_debit_account_id": 1, "p_credit_account_id": 2, "p_amount": "1"},
                    token=sign(user(s["admin"]))).status == 403, "ledger postings are back office only, even for admins"
    assert rest.rpc("recalculate_tiers", token=sign(user(s["admin"]))).status == 200, "an admin may recalculate tiers"
    assert rest.rpc("top_up_business", {"p_business_id": ids["bizA"], "p_amount": "10", "p_reference": f"t-{ids['bizA']}"},
                    token=sign(SERVICE)).status == 200


def test_no_api_role_can_read_secrets_and_tables_show_only_own_rows(market) -> None:
    """Even a psql session with an API role (not through PostgREST) reads no secret, and row-level security limits
    every party table to the caller's rows."""
    _, s, ids, db_url = market
    secrets = ("SELECT code_hmac FROM delivery.otp", "SELECT secret FROM delivery.otp_key",
               "SELECT alias_key FROM marketplace.rfq", "SELECT 1 FROM delivery.otp_attempt")
    with psycopg.connect(make_conninfo(db_url, user="mercato_authenticator")) as conn:
        for role in ("mercato_anon", "mercato_user", "mercato_service"):
            for query in secrets + ("SELECT 1 FROM marketplace.bid_line", "SELECT 1 FROM marketplace.bid"):
                with conn.transaction():
                    conn.execute(f"SET LOCAL ROLE {role}")
                    with pytest.raises(psycopg.errors.InsufficientPrivilege):
                        with conn.transaction():
                            conn.execute(query)
        with conn.transaction():
            conn.execute("SELECT set_config('request.jwt.claims', %s, true)", (json.dumps(user(s["bizA"])),))
            conn.execute("SET LOCAL ROLE mercato_user")
            assert conn.execute("SELECT count(*) FROM api.bids").fetchone()[0] == 0, "sealed: only the sealed read serves bids"
            assert [r[0] for r in conn.execute("SELECT id FROM parties.business").fetchall()] == [ids["bizA"]]
            assert conn.execute("SELECT count(*) FROM parties.provider").fetchone()[0] == 0
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute("UPDATE ledger.account SET balance = balance + 1")


def test_every_domain_error_maps_to_its_documented_status(market) -> None:
    """PTxyz -> HTTP xyz for every code in the catalogue, as PostgREST maps it."""
    rest, _, _, db_url = market
    with psycopg.connect(db_url) as conn:
        rows = conn.execute("SELECT code, sqlstate, core.http_status(sqlstate) FROM core.error").fetchall()
    from mercato.harness.postgrest import status_for

    assert rows
    for code, sqlstate, documented in rows:
        assert status_for(sqlstate, "mercato_user") == documented == int(sqlstate[2:]), code


def test_views_show_each_caller_only_its_rows(market) -> None:
    """GET /<view> under the emulated PostgREST request: row-level security decides, per caller."""
    rest, s, ids, _ = market
    as_ = {k: user(v) for k, v in s.items()}
    # sealed bids: the bidder sees its bid; the business, another provider and an admin see no bid row at all
    assert len(rest.get("bids", {"rfq_id": f"eq.{ids['rfq']}"}, token=sign(as_["prov1"])).body) == 1
    for who in ("bizA", "prov2", "admin"):
        assert rest.get("bids", {"rfq_id": f"eq.{ids['rfq']}"}, token=sign(as_[who])).body == [], who
    assert rest.get("bids", token=sign(SERVICE)).status == 403, "the back office holds no privilege on bids"
    # RFQs: the owner and providers of its tenant; never another business
    assert [r["id"] for r in rest.get("rfqs", {"id": f"eq.{ids['rfq']}"}, token=sign(as_["bizA"])).body] == [ids["rfq"]]
    assert rest.get("rfqs", {"id": f"eq.{ids['rfq']}"}, token=sign(as_["bizB"])).body == []
    assert len(rest.get("rfqs", {"id": f"eq.{ids['rfq']}"}, token=sign(as_["prov2"])).body) == 1
    # vehicles and wallets: one's own only
    assert [v["id"] for v in rest.get("vehicles", token=sign(as_["prov2"])).body] == [ids["car_prov2"]]
    mine = rest.get("accounts", token=sign(as_["prov2"])).body
    assert len(mine) == 1 and mine[0]["owner_type"] == "PROVIDER" and mine[0]["owner_id"] == str(ids["prov2"])
    assert rest.get("accounts", {"owner_id": f"eq.{ids['prov1']}"}, token=sign(as_["prov2"])).body == []
    assert rest.get("accounts", {"owner_type": "eq.BUSINESS", "owner_id": f"eq.{ids['bizA']}"}, token=sign(as_["bizB"])).body == []
    assert len(rest.get("accounts", {"owner_id": f"eq.{ids['bizA']}"}, token=sign(as_["bizA"])).body) == 1
    assert rest.get("businesses", token=sign(as_["bizB"])).body[0]["id"] == ids["bizB"]
    assert len(rest.get("businesses", token=sign(as_["bizB"])).body) == 1
    # settlements: a provider's own (none yet), never another's
    assert rest.get("settlements", token=sign(as_["prov2"])).body == []
    # anonymous callers: 401 on every view
    for view in ("bids", "rfqs", "vehicles", "accounts", "settlements", "contracts", "delivery_sessions"):
        assert rest.get(view).status == 401, view
    assert rest.get("no_such_view", token=sign(as_["bizA"])).status == 404


def test_tenant_scoped_data_never_crosses_tenants(market) -> None:
    rest, s, ids, db_url = market
    tag = uuid.uuid4().hex[:6]
    sub = f"kc|tenant-prov-{tag}"
    with psycopg.connect(db_url, autocommit=True) as conn:
        tenant = conn.execute("SELECT identity.create_tenant(%s, 'Elsewhere')", (f"t-{tag}",)).fetchone()[0]
        conn.execute("SELECT identity.register_user(%s, 'PROVIDER', 'x', %s)", (sub, tenant))
    pid = rest.rpc("register_provider", {"p_provider_type": "COMPANY", "p_name": "Elsewhere"}, token=sign(user(sub))).body
    assert rest.rpc("set_provider_verification", {"p_provider_id": pid, "p_status": "VERIFIED"}, token=sign(user(s["admin"]))).ok
    other = user(sub)
    assert all(r["rfq_id"] != ids["rfq"] for r in rest.rpc("open_rfqs", token=sign(other), method="GET").body)
    assert rest.get("rfqs", {"id": f"eq.{ids['rfq']}"}, token=sign(other)).body == []
    assert rest.rpc("rfq", {"p_rfq_id": ids["rfq"]}, token=sign(other), method="GET").code == "MARKETPLACE_UNKNOWN_RFQ"
    bid = rest.rpc("submit_bid", {"p_rfq_id": ids["rfq"], "p_lines": [{"rfq_line_id": ids["line"], "unit_price": "1", "quantity": 1}]},
                   token=sign(other))
    assert (bid.status, bid.code) == (404, "MARKETPLACE_UNKNOWN_RFQ")
