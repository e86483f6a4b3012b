"""The Movello flow through the library as PostgREST would call it (the NOINHERIT authenticator switching to
mercato_user with JWT claims), the CLI, and the races that matter: one code verified by many clients at once, brute
force from many clients, concurrent publishes against the monthly quota, and bids racing the deadline."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import threading
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psycopg
import pytest
from psycopg.conninfo import make_conninfo

from mercato.client import Client
from mercato.config import project_root
from mercato.outbox import SENDER_ROLE, Inbox
from mercato.errors import MercatoError


class World:
    """One business, providers with insured active vehicles, an awarded RFQ turned into an active contract."""

    def __init__(self, db_url: str, providers: int = 2, vehicles: int = 2) -> None:
        self.db_url = db_url
        self.tag = uuid.uuid4().hex[:6]
        self.service = Client(db_url, max_size=4)
        self.app = Client(make_conninfo(db_url, user="mercato_authenticator"), max_size=16)
        admin = f"kc|admin-{self.tag}"
        self.service.identity.assign_role(self.service.identity.register_user(admin, "ADMIN", "Admin"), "PLATFORM_ADMIN")
        self.admin = self.as_(admin)
        self.biz_sub = f"kc|biz-{self.tag}"
        self.biz_phone = f"+2519{int(self.tag, 16) % 10**8:08d}"
        self.service.identity.register_user(self.biz_sub, "BUSINESS", "Biz", phone=self.biz_phone)
        self.phone = Inbox(Client(db_url, role=SENDER_ROLE, max_size=1))   # the SMS provider: the business's phone
        self.business = self.as_(self.biz_sub)
        self.business_id = self.business.parties.register_business("Biz plc", "LOGISTICS")
        self.admin.parties.set_business_kyb(self.business_id, "VERIFIED")
        self.service.parties.top_up_business(self.business_id, "10000000", f"topup-{self.tag}")
        self.providers: list[dict[str, Any]] = []
        today = dt.date.today()
        for p in range(providers):
            sub = f"kc|prov{p}-{self.tag}"
            self.service.identity.register_user(sub, "PROVIDER", f"P{p}")
            me = self.as_(sub)
            pid = me.parties.register_provider("COMPANY", f"P{p}")
            self.admin.parties.set_provider_verification(pid, "VERIFIED")
            cars = []
            for n in range(vehicles):
                vid = me.fleet.add_vehicle(f"T{self.tag[:4]} {p} {n}", "SEDAN", 4)
                ins = me.fleet.add_vehicle_insurance(vid, "COMPREHENSIVE", "Nyala", today, today + dt.timedelta(days=90),
                                               "https://docs.example/p.pdf")
                self.admin.fleet.set_vehicle_status(vid, "ACTIVE")
                self.admin.fleet.verify_insurance(ins)
                cars.append(vid)
            self.providers.append({"sub": sub, "client": me, "id": pid, "vehicles": cars})

    def as_(self, sub: str) -> Client:
        return self.app.as_caller({"sub": sub, "role": "mercato_user"}, role="mercato_user")

    def rfq(self, quantity: int = 2, minutes: int = 90) -> tuple[int, int]:
        start = dt.date.today() + dt.timedelta(days=1)
        rfq = self.business.marketplace.create_rfq("cars", start, start + dt.timedelta(days=9),
                                       dt.datetime.now(dt.timezone.utc) + dt.timedelta(minutes=minutes),
                                       [{"vehicle_type": "SEDAN", "quantity": quantity}])
        self.business.marketplace.publish_rfq(rfq)
        return rfq, self.business.marketplace.get_rfq(rfq)["lines"][0]["rfq_line_id"]

    def close_bidding(self, rfq: int) -> None:
        with psycopg.connect(self.db_url, autocommit=True) as conn:
            conn.execute("UPDATE marketplace.rfq SET bid_deadline = clock_timestamp() WHERE id = %s", (rfq,))

    def assignment(self) -> int:
        """An ACTIVE contract with one vehicle assigned (pending delivery); returns the assignment id."""
        rfq, line = self.rfq(quantity=1)
        provider = self.providers[0]
        provider["client"].marketplace.submit_bid(rfq, [{"rfq_line_id": line, "unit_price": "1000", "quantity": 1}])
        self.close_bidding(rfq)
        bidder = self.business.marketplace.rfq_bids(rfq)[0].bidder
        self.business.marketplace.award_rfq(rfq, [{"rfq_line_id": line, "bidder": bidder, "quantity": 1}])
        contract = self.business.contracts.create_contract(rfq)
        self.business.contracts.activate_contract(contract.id)
        cline = self.business.contracts.get_contract(contract.id)["lines"][0]["id"]
        vehicle = provider["vehicles"].pop(0)
        return provider["client"].contracts.assign_vehicle(cline, vehicle).id

    def close(self) -> None:
        self.phone.sender.close()
        self.app.close()
        self.service.close()


@pytest.fixture
def world(db_url: str):
    w = World(db_url)
    yield w
    w.close()


def race(calls: list[Callable[[], Any]]) -> list[Any]:
    """Run the calls at once (a barrier releases them together); results or the exceptions they raised."""
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)

    def run(i: int) -> None:
        barrier.wait()
        try:
            results[i] = calls[i]()
        except Exception as exc:  # noqa: BLE001 - collected for the assertions
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def test_the_whole_flow_as_postgrest_calls_it(world: World) -> None:
    assignment = world.assignment()
    provider = world.providers[0]["client"]
    issued = provider.delivery.start_session(assignment, "DELIVERY")
    assert not hasattr(issued, "code") and issued.message_id, "the provider gets the outbox message id, never the code"
    code = world.phone.code(issued.session_id, world.biz_phone)
    wrong = world.business.delivery.verify_code(issued.session_id, f"{(int(code) + 1) % 1000000:06d}")
    assert (wrong.verified, wrong.outcome, wrong.attempts_left) == (False, "WRONG_CODE", 4)
    ok = world.business.delivery.verify_code(issued.session_id, code, {"fuel_level": "FULL"})
    assert ok.verified and ok.session_status == "VERIFIED"
    assert world.business.delivery.session_status(issued.session_id)["failures"] == 1, "the failed try was committed"
    with pytest.raises(MercatoError) as info:
        provider.delivery.verify_code(issued.session_id, code)
    assert info.value.code == "DELIVERY_UNKNOWN_SESSION" and info.value.http_status == 404


def test_one_code_verified_by_many_clients_at_once_succeeds_once(world: World) -> None:
    assignment = world.assignment()
    issued = world.providers[0]["client"].delivery.start_session(assignment, "DELIVERY")
    code = world.phone.code(issued.session_id, world.biz_phone)
    results = race([lambda: world.business.delivery.verify_code(issued.session_id, code) for _ in range(8)])
    assert not [r for r in results if isinstance(r, Exception)], results
    assert sum(r.verified for r in results) == 1
    assert sorted({r.outcome for r in results if not r.verified}) == ["SESSION_CLOSED"]


def test_brute_force_from_many_clients_gets_exactly_the_failure_budget(world: World) -> None:
    assignment = world.assignment()
    issued = world.providers[0]["client"].delivery.start_session(assignment, "DELIVERY")
    code = world.phone.code(issued.session_id, world.biz_phone)
    guesses = [f"{(int(code) + k) % 1000000:06d}" for k in range(1, 41)]
    results = race([lambda g=g: world.business.delivery.verify_code(issued.session_id, g) for g in guesses])
    assert not [r for r in results if isinstance(r, Exception)], results
    assert not any(r.verified for r in results)
    with psycopg.connect(world.db_url) as conn:
        tries = conn.execute("SELECT count(*) FROM delivery.otp_attempt WHERE session_id = %s", (issued.session_id,)).fetchone()[0]
        budget = conn.execute("SELECT failure_budget FROM delivery.session WHERE id = %s", (issued.session_id,)).fetchone()[0]
    assert tries == budget == 10, "every wrong guess was counted, and the budget stopped the rest"
    assert world.business.delivery.verify_code(issued.session_id, code).outcome == "LOCKED"


def test_concurrent_publishes_cannot_exceed_the_monthly_quota(world: World) -> None:
    start = dt.date.today() + dt.timedelta(days=1)
    deadline = dt.datetime.now(dt.timezone.utc) + dt.timedelta(hours=2)
    drafts = [world.business.marketplace.create_rfq(f"r{i}", start, start, deadline, [{"vehicle_type": "SUV", "quantity": 1}])
              for i in range(6)]
    with psycopg.connect(world.db_url, autocommit=True) as conn:   # 8 of the STANDARD tier's 10 already used
        conn.execute("INSERT INTO marketplace.rfq_quota (business_id, month, used) "
                     "VALUES (%s, date_trunc('month', now() AT TIME ZONE 'UTC')::date, 8)", (world.business_id,))
    results = race([lambda r=r: world.business.marketplace.publish_rfq(r) for r in drafts])
    published = [r for r in results if not isinstance(r, Exception)]
    refused = [r for r in results if isinstance(r, MercatoError)]
    assert len(published) == 2 and len(refused) == 4, results
    assert {e.code for e in refused} == {"MARKETPLACE_QUOTA_EXCEEDED"} and {e.http_status for e in refused} == {429}


def test_bids_racing_the_deadline_are_either_seen_by_the_award_or_refused(world: World) -> None:
    rfq, line = world.rfq(quantity=2, minutes=90)
    with psycopg.connect(world.db_url, autocommit=True) as conn:   # the deadline falls in about a second
        conn.execute("UPDATE marketplace.rfq SET bid_deadline = clock_timestamp() + interval '1 second' WHERE id = %s", (rfq,))
    stop = threading.Event()
    accepted: list[tuple[str, int]] = []
    refused: list[str] = []

    def bidder(p: dict) -> None:
        price = 2000
        while not stop.is_set():
            price -= 1
            try:
                p["client"].marketplace.submit_bid(rfq, [{"rfq_line_id": line, "unit_price": str(price), "quantity": 1}])
                accepted.append((p["sub"], price))
            except MercatoError as exc:
                refused.append(exc.code)
                if exc.code == "MARKETPLACE_BIDDING_CLOSED":
                    return

    threads = [threading.Thread(target=bidder, args=(p,)) for p in world.providers]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    stop.set()
    assert accepted and set(refused) == {"MARKETPLACE_BIDDING_CLOSED"}
    ranked = world.business.marketplace.rfq_bids(rfq)
    last = {}
    for sub, price in accepted:
        last[sub] = price
    assert sorted(b.unit_price for b in ranked) == sorted(last.values()), "the business sees exactly the last accepted bids"
    with psycopg.connect(world.db_url) as conn:
        late = conn.execute("SELECT count(*) FROM marketplace.bid b JOIN marketplace.rfq r ON r.id = b.rfq_id "
                            "WHERE r.id = %s AND b.submitted_at >= r.bid_deadline", (rfq,)).fetchone()[0]
    assert late == 0, "no bid was written at or after the deadline"


def test_the_cli_speaks_for_a_user_with_as(world: World, db_url: str) -> None:
    exe = Path(sys.executable).parent / "mercato"
    env = {**os.environ, "DATABASE_URL": db_url}

    def cli(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([str(exe), *args], capture_output=True, text=True, cwd=project_root(), env=env, timeout=60)

    start = dt.date.today() + dt.timedelta(days=2)
    made = cli("rfq", "create", "--title", "cli", "--start", f"{start}", "--end", f"{start}", "--deadline",
               (dt.datetime.now(dt.timezone.utc) + dt.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M:%S"),
               "--line", "SEDAN:1", "--publish", "--as", world.biz_sub)
    assert made.returncode == 0, made.stderr
    rfq = int(made.stdout.strip())
    sealed = cli("rfq", "bids", str(rfq), "--as", world.biz_sub)
    assert sealed.returncode == 1 and sealed.stderr.startswith("error: MARKETPLACE_BIDS_SEALED:")
    assert "Traceback" not in sealed.stderr
    other = cli("rfq", "show", str(rfq), "--as", world.providers[0]["sub"])
    assert other.returncode == 0 and '"bids": null' in other.stdout


def test_concurrent_first_bids_of_one_provider_make_one_bid_and_no_raw_error(world: World) -> None:
    """Found by the torture run: two first bids of one provider racing each other made the loser's INSERT fail with a
    raw unique violation (23505). The loser now revises the winner's bid under its lock."""
    provider = world.providers[0]["client"]
    with psycopg.connect(world.db_url, autocommit=True) as conn:   # more RFQs than the STANDARD tier's monthly 10
        conn.execute("UPDATE parties.business SET tier_code = 'ENTERPRISE' WHERE id = %s", (world.business_id,))
    for _ in range(12):   # the window is small: several fresh RFQs, eight first bids each
        rfq, line = world.rfq(quantity=2)
        results = race([lambda p=p: provider.marketplace.submit_bid(rfq, [{"rfq_line_id": line, "unit_price": str(1000 + p), "quantity": 1}])
                        for p in range(8)])
        assert not [r for r in results if isinstance(r, Exception)], results
        assert len(set(results)) == 1, "one bid per provider per RFQ"
        with psycopg.connect(world.db_url) as conn:
            count, revision = conn.execute("SELECT count(*), max(revision) FROM marketplace.bid WHERE rfq_id = %s", (rfq,)).fetchone()
        assert count == 1 and 1 <= revision <= 8


def test_a_draft_is_edited_through_the_client_and_a_published_rfq_is_not(world: World) -> None:
    start = dt.date.today() + dt.timedelta(days=1)
    rfq = world.business.marketplace.create_rfq("draft", start, start + dt.timedelta(days=9),
                                                dt.datetime.now(dt.timezone.utc) + dt.timedelta(hours=2),
                                                [{"vehicle_type": "SEDAN", "quantity": 1}])
    edited = world.business.marketplace.update_rfq(rfq, title="draft, edited",
                                                   lines=[{"vehicle_type": "SEDAN", "quantity": 3}])
    assert edited["title"] == "draft, edited" and [line["quantity"] for line in edited["lines"]] == [3]
    world.business.marketplace.publish_rfq(rfq)
    with pytest.raises(MercatoError) as info:
        world.business.marketplace.update_rfq(rfq, title="too late")
    assert (info.value.code, info.value.http_status) == ("MARKETPLACE_RFQ_NOT_EDITABLE", 409)
    assert world.business.marketplace.get_rfq(rfq)["title"] == "draft, edited", "a refused edit changes nothing"
