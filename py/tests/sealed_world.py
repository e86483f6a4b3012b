"""A small marketplace for the secret and side-channel tests, built through the API exactly as PostgREST serves it.

One business (``biz``), three verified providers (``p1``, ``p2``, ``p3``) with a vehicle each, a platform admin, the back
office. ``open_rfq`` is still open for bids (``p1`` bid 100.00 on its one line; the others have not bid yet).
``cheap`` and ``dear`` are two contracts split between ``p1`` (100.00) and ``p2`` (50.00 on ``cheap``, 500.00 on
``dear``): the same for ``p1`` but for its rival's price. ``cheap`` is funded and activated, ``p1``'s vehicle is
assigned, and a delivery session holds a live one-time code. The superuser only closes bidding early (the clock would
take hours).
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from typing import Any

import psycopg

from mercato.harness.postgrest import PostgREST
from jwt_helper import rest_as_authenticator, sign

SERVICE = {"role": "mercato_service"}


def user(sub: str) -> dict[str, str]:
    return {"sub": sub, "role": "mercato_user"}


@dataclass
class SealedWorld:
    rest: PostgREST
    db_url: str
    subjects: dict[str, str]
    ids: dict[str, Any] = field(default_factory=dict)

    def claims(self, who: str) -> dict[str, Any] | None:
        if who == "anon":
            return None
        if who == "service":
            return SERVICE
        return user(self.subjects[who])

    def ok(self, fn: str, args: dict[str, Any] | None = None, who: str = "biz") -> Any:
        r = self.rest.rpc(fn, args or {}, token=sign(self.claims(who)))
        assert r.ok, (fn, who, r.status, r.body)
        return r.body

    def bid(self, who: str, rfq: int, line: int, price: str, quantity: int = 1) -> None:
        self.ok("submit_bid", {"p_rfq_id": rfq, "p_lines": [{"rfq_line_id": line, "unit_price": price, "quantity": quantity}]}, who)

    def new_rfq(self, title: str, quantity: int = 2) -> tuple[int, int]:
        start = dt.date.today() + dt.timedelta(days=1)
        rfq = self.ok("create_rfq", {"p_title": title, "p_start_date": str(start), "p_end_date": str(start + dt.timedelta(days=4)),
                                     "p_bid_deadline": (dt.datetime.now(dt.timezone.utc) + dt.timedelta(hours=2)).isoformat(),
                                     "p_lines": [{"vehicle_type": "SEDAN", "quantity": quantity}]})
        line = self.ok("rfq", {"p_rfq_id": rfq})["lines"][0]["rfq_line_id"]
        return rfq, line

    def close_bidding(self, rfq: int) -> None:
        with psycopg.connect(self.db_url, autocommit=True) as conn:
            conn.execute("UPDATE marketplace.rfq SET bid_deadline = clock_timestamp() - interval '1 second' WHERE id = %s", (rfq,))

    def split_contract(self, title: str, rival_price: str) -> int:
        """An RFQ for two vehicles, awarded one to p1 at 100.00 and one to p2 at ``rival_price``; returns the contract."""
        rfq, line = self.new_rfq(title)
        self.ok("publish_rfq", {"p_rfq_id": rfq})
        self.bid("p1", rfq, line, "100.00")
        self.bid("p2", rfq, line, rival_price)
        self.close_bidding(rfq)
        ranked = self.ok("rfq_bids", {"p_rfq_id": rfq})
        self.ok("award_rfq", {"p_rfq_id": rfq, "p_awards": [{"rfq_line_id": line, "bidder": b["bidder"], "quantity": 1} for b in ranked]})
        return self.ok("create_contract", {"p_rfq_id": rfq})["id"]


def build(db_url: str) -> SealedWorld:
    tag = uuid.uuid4().hex[:6]
    subjects = {k: f"kc|{k}-{tag}" for k in ("biz", "p1", "p2", "p3", "admin")}
    with psycopg.connect(db_url, autocommit=True) as conn:
        for k, kind in (("biz", "BUSINESS"), ("p1", "PROVIDER"), ("p2", "PROVIDER"), ("p3", "PROVIDER"), ("admin", "ADMIN")):
            uid = conn.execute("SELECT identity.register_user(%s, %s, %s, NULL, NULL, %s)",
                               (subjects[k], kind, k, "+251911000004" if k == "biz" else None)).fetchone()[0]
            if k == "admin":
                conn.execute("SELECT identity.assign_role(%s, 'PLATFORM_ADMIN')", (uid,))
    w = SealedWorld(rest_as_authenticator(db_url), db_url, subjects)
    w.ids["biz"] = w.ok("register_business", {"p_name": "Biz", "p_business_type": "RETAIL"})
    w.ok("set_business_kyb", {"p_business_id": w.ids["biz"], "p_status": "VERIFIED"}, "admin")
    for p in ("p1", "p2", "p3"):
        w.ids[p] = w.ok("register_provider", {"p_provider_type": "COMPANY", "p_name": p.upper()}, p)
        w.ok("set_provider_verification", {"p_provider_id": w.ids[p], "p_status": "VERIFIED"}, "admin")
        w.ids[f"car_{p}"] = w.ok("add_vehicle", {"p_plate_number": f"{p.upper()} {tag}", "p_vehicle_type": "SEDAN",
                                                 "p_seat_count": 4}, p)
        today = dt.date.today()
        insurance = w.ok("add_vehicle_insurance", {
            "p_vehicle_id": w.ids[f"car_{p}"], "p_insurance_type": "COMPREHENSIVE", "p_company_name": "Nyala",
            "p_coverage_start": str(today - dt.timedelta(days=30)), "p_coverage_end": str(today + dt.timedelta(days=120)),
            "p_certificate_url": "https://docs.example/c.pdf"}, p)
        w.ok("set_vehicle_status", {"p_vehicle_id": w.ids[f"car_{p}"], "p_status": "ACTIVE"}, "admin")
        w.ok("verify_insurance", {"p_insurance_id": insurance, "p_status": "VERIFIED"}, "admin")
    w.ids["open_rfq"], w.ids["open_line"] = w.new_rfq("open")
    w.ok("publish_rfq", {"p_rfq_id": w.ids["open_rfq"]})
    w.bid("p1", w.ids["open_rfq"], w.ids["open_line"], "100.00", 2)
    w.ids["cheap"] = w.split_contract("cheap", "50.00")
    w.ids["dear"] = w.split_contract("dear", "500.00")
    w.ok("top_up_business", {"p_business_id": w.ids["biz"], "p_amount": "100000", "p_reference": f"top-{tag}"}, "service")
    w.ok("activate_contract", {"p_contract_id": w.ids["cheap"]})
    contract = w.ok("contract", {"p_contract_id": w.ids["cheap"]}, "p1")
    w.ids["p1_line"] = contract["lines"][0]["id"]
    w.ids["assignment"] = w.ok("assign_vehicle", {"p_contract_line_id": w.ids["p1_line"], "p_vehicle_id": w.ids["car_p1"]}, "p1")["id"]
    session = w.ok("start_delivery_session", {"p_assignment_id": w.ids["assignment"], "p_session_type": "DELIVERY"}, "p1")
    w.ids["session"] = session[0]["session_id"]
    return w
