"""The story ``mercato demo`` tells: a short guided tour on the target database, printed as readable tables.

Every step calls the same SQL functions an app would call through PostgREST, as the caller the
step names (JWT claims set exactly like PostgREST sets them). Each run uses fresh names, so the demo
can be repeated on the same database.
"""

from __future__ import annotations

import datetime as dt
import secrets
from decimal import Decimal

import click

from mercato.cli.common import table
from mercato.client import Client
from mercato.errors import MercatoError
from mercato.harness.timeshift import shift_into_past
from mercato.outbox import SENDER_ROLE, Inbox


def _step(title: str) -> None:
    click.echo("")
    click.secho(f"== {title}", bold=True)


def tell() -> None:
    """Tell the Mercato story on the embedded (or DATABASE_URL) database, with fresh names on every run."""
    run = secrets.token_hex(3)
    with Client() as service:
        _step("Who is calling? identity.current_actor() reads request.jwt.claims")
        tenant = service.identity.create_tenant(f"movello-{run}", "Movello (demo)")
        admin = service.identity.register_user(f"kc|admin-{run}", "ADMIN", "Abebe Admin", tenant_id=tenant,
                                      email="abebe@movello.example")
        service.identity.assign_role(admin, "PLATFORM_ADMIN")
        business = service.identity.register_user(f"kc|biz-{run}", "BUSINESS", "Selam Logistics PLC", tenant_id=tenant,
                                         phone="+251911000001")
        as_admin = service.as_caller({"sub": f"kc|admin-{run}", "role": "mercato_user"}, role="mercato_user")
        as_business = service.as_caller({"sub": f"kc|biz-{run}", "role": "mercato_user"}, role="mercato_user")
        click.echo(table([{"caller": caller, "sub": a.subject, "user_id": a.user_id, "user_type": a.user_type,
                           "tenant_id": a.tenant_id}
                          for caller, a in (("admin JWT", as_admin.identity.current_actor()),
                                            ("business JWT", as_business.identity.current_actor()))]))

        _step("Typed settings, validated on write")
        click.echo(table([{"setting": "OTP_EXPIRY_MINUTES", "value": service.masterdata.setting("OTP_EXPIRY_MINUTES")}]))
        for caller, who, value in ((as_business, "business user", "6"), (as_admin, "platform admin", "11"),
                                   (as_admin, "platform admin", "6")):
            try:
                caller.masterdata.set_setting("OTP_EXPIRY_MINUTES", value)
                click.echo(f"{who} sets OTP_EXPIRY_MINUTES={value}: ok")
            except MercatoError as exc:
                click.echo(f"{who} sets OTP_EXPIRY_MINUTES={value}: refused, HTTP {exc.http_status}: {exc.one_line()}")
        service.masterdata.set_setting("OTP_EXPIRY_MINUTES", "5")

        _step("A versioned policy: a new version never edits the one in force")
        code = f"DEMO_COMMISSION_{run.upper()}"
        now = dt.datetime.now(dt.timezone.utc)
        as_admin.masterdata.add_policy_version(code, now + dt.timedelta(seconds=1), {"BRONZE": "0.10", "GOLD": "0.06"}, "launch")
        as_admin.masterdata.add_policy_version(code, now + dt.timedelta(days=30), {"BRONZE": "0.09", "GOLD": "0.05"}, "promo")
        rows = [service.masterdata.policy_in_force(code, at) for at in (now + dt.timedelta(seconds=2), now + dt.timedelta(days=31))]
        click.echo(table([{"policy": r.policy_code, "version": r.version, "effective_from": r.effective_from,
                           "effective_to": r.effective_to, "body": r.body} for r in rows]))

        movello(service, run, as_admin)

        _step("Every change above is in the append-only audit log (latest events)")
        click.echo(table(_recent_audit(service)))
    click.echo("")
    click.echo("demo finished")


def _recent_audit(client: Client) -> list[dict]:
    with client.transaction() as conn:
        cur = conn.execute(
            "SELECT occurred_at, actor_subject, entity_type, entity_id, action FROM audit.event "
            "ORDER BY id DESC LIMIT 8")
        cols = [c.name for c in cur.description]
        return [dict(zip(cols, r)) for r in cur.fetchall()]


# -- Movello, end to end -------------------------------------------------------------------------------

SHIFT_DAYS = 31


def movello(service: Client, run: str, as_admin: Client) -> None:
    """RFQ -> blind bids -> split award -> escrow -> OTP handover -> a month of use -> settlement -> return -> tiers."""
    today = dt.date.today()
    user = {"role": "mercato_user"}

    def caller(sub: str) -> Client:
        return service.as_caller({**user, "sub": sub}, role="mercato_user")

    _step("Movello: a business and three providers register themselves; the platform verifies them")
    biz_sub = f"kc|selam-{run}"
    biz_phone = "+251911000002"
    service.identity.register_user(biz_sub, "BUSINESS", "Selam Logistics PLC", phone=biz_phone)
    business = caller(biz_sub)
    business_id = business.parties.register_business("Selam Logistics PLC", "LOGISTICS", "TIN-0001")
    as_admin.parties.set_business_kyb(business_id, "VERIFIED")
    service.parties.top_up_business(business_id, "2000000.00", f"demo-topup-{run}")
    providers: dict[str, dict] = {}
    fleet = {"Abebe Cars": 2, "Tana Fleet": 5, "Lucy Rides": 3}
    for name, cars in fleet.items():
        sub = f"kc|{name.split()[0].lower()}-{run}"
        service.identity.register_user(sub, "PROVIDER", name)
        me = caller(sub)
        pid = me.parties.register_provider("COMPANY", name)
        as_admin.parties.set_provider_verification(pid, "VERIFIED")
        vehicles = []
        for n in range(cars):
            vid = me.fleet.add_vehicle(f"{name[:2].upper()} {run.upper()} {n + 1}", "SEDAN", 4, "HYBRID", "Toyota", "Corolla")
            ins = me.fleet.add_vehicle_insurance(vid, "COMPREHENSIVE", "Nyala Insurance", today, today + dt.timedelta(days=120),
                                           f"https://docs.movello.example/{run}/{vid}.pdf")
            as_admin.fleet.set_vehicle_status(vid, "ACTIVE")
            as_admin.fleet.verify_insurance(ins)
            vehicles.append(vid)
        providers[name] = {"sub": sub, "client": me, "id": pid, "vehicles": vehicles}
    click.echo(table([{"party": "business", "name": "Selam Logistics PLC", "id": business_id, "status": "KYB VERIFIED",
                       "wallet": _wallet(business)}] +
                     [{"party": "provider", "name": n, "id": p["id"], "status": "VERIFIED", "wallet": _wallet(p["client"]),
                       "vehicles": len(p["vehicles"])} for n, p in providers.items()]))

    _step("The business posts an RFQ: 6 hybrid sedans for 30 days; providers bid blind")
    start = today + dt.timedelta(days=1)
    rfq = business.marketplace.create_rfq("Staff shuttles, Addis Ababa", start, start + dt.timedelta(days=29),
                              dt.datetime.now(dt.timezone.utc) + dt.timedelta(minutes=61),
                              [{"vehicle_type": "SEDAN", "engine_type": "HYBRID", "quantity": 6, "with_driver": True}])
    business.marketplace.publish_rfq(rfq)
    line = business.marketplace.get_rfq(rfq)["lines"][0]["rfq_line_id"]
    for name, price, qty in (("Abebe Cars", "1500.00", 2), ("Tana Fleet", "1450.00", 5), ("Lucy Rides", "1600.00", 3)):
        providers[name]["client"].marketplace.submit_bid(rfq, [{"rfq_line_id": line, "unit_price": price, "quantity": qty}])
        click.echo(f"{name} bids {qty} x {price} ETB per vehicle per day")
    try:
        business.marketplace.rfq_bids(rfq)
    except MercatoError as exc:
        click.echo(f"the business asks for the bids before the deadline: refused, HTTP {exc.http_status}: {exc.one_line()}")
    click.echo(f"bid count shown to the business before the deadline: {business.marketplace.get_rfq(rfq)['bids']}")

    _step("Fast-forward to the deadline (the demo moves this RFQ's bid deadline to now, as the database owner)")
    with service.transaction() as conn:
        conn.execute("UPDATE marketplace.rfq SET bid_deadline = clock_timestamp() - interval '1 second' WHERE id = %s", (rfq,))
    bids = business.marketplace.rfq_bids(rfq)
    click.echo(table([{"rank": b.rank, "bidder (per-RFQ alias)": b.bidder, "unit price": b.unit_price,
                       "vehicles offered": b.quantity_offered} for b in bids]))
    cheapest, second = bids[0], bids[1]
    awards = business.marketplace.award_rfq(rfq, [{"rfq_line_id": line, "bidder": cheapest.bidder, "quantity": 5},
                                      {"rfq_line_id": line, "bidder": second.bidder, "quantity": 1}])
    click.echo(f"award split across the two best bids: {awards} awards (5 + 1 vehicles)")

    _step("Contract with immutable snapshots; activation locks the full amount in escrow")
    contract = business.contracts.create_contract(rfq)
    business.contracts.activate_contract(contract.id)
    detail = business.contracts.get_contract(contract.id)
    click.echo(table([{"contract": contract.contract_number, "total": contract.total_amount, "currency": contract.currency,
                       "period": f"{contract.start_date}..{contract.end_date}"}]))
    click.echo(table([{"provider": p["name"], "tier at award": p["tier_code"], "commission rate": p["commission_rate"]}
                      for p in detail["providers"]]))
    click.echo(f"business wallet: {_wallet(business)}")

    _step("Providers assign vehicles; each handover is confirmed with a one-time code")
    assignments = []
    for cl in detail["lines"]:
        owner = next(p for p in providers.values() if p["id"] == cl["provider_id"])
        for vid in owner["vehicles"][: cl["quantity"]]:
            assignments.append((owner, owner["client"].contracts.assign_vehicle(cl["id"], vid)))
    # the SMS provider: a sender (role mercato_sender) drains the outbox into the business's phone
    phone = Inbox(service.as_caller(None, role=SENDER_ROLE))
    first = True
    for owner, a in assignments:
        issued = owner["client"].delivery.start_session(a.id, "DELIVERY")
        code = phone.code(issued.session_id, biz_phone)
        if first:
            wrong = f"{(int(code) + 1) % 1_000_000:06d}"
            v = business.delivery.verify_code(issued.session_id, wrong)
            click.echo(f"the provider gets session {issued.session_id} and outbox message {issued.message_id}, never "
                       f"the code; the outbox sends it by SMS to {biz_phone}")
            click.echo(f"the business types {wrong}: verified={v.verified}, {v.outcome}, {v.attempts_left} tries left")
            first = False
        v = business.delivery.verify_code(issued.session_id, code,
                                 {"odometer_km": 12000 + a.id, "fuel_level": "FULL", "photos": {"front": "https://x/f.jpg"}})
        click.echo(f"vehicle {a.vehicle_id}: right code -> verified={v.verified}; assignment {a.id} is now in use")

    _step("Tiers follow the active fleet and the trust score (on-time handovers raise trust)")
    for r in service.parties.recalculate_tiers():
        click.echo(f"{r.party_type}: evaluated {r.evaluated}, promoted {r.promoted}, demoted {r.demoted}")
    click.echo(table(_tiers(service, [p["id"] for p in providers.values()])))

    _step(f"A month of use: the demo moves this contract's calendar {SHIFT_DAYS} days into the past "
          "(dates only, as the database owner; no money moves)")
    _shift_story(service, rfq, contract.id, SHIFT_DAYS)
    period_start = start - dt.timedelta(days=SHIFT_DAYS)
    period_end = today - dt.timedelta(days=1)
    settled = []
    for name, p in providers.items():
        try:
            c = service.settlement.settle_provider(p["id"], period_start, period_end, f"demo-settle-{run}-{p['id']}")
        except MercatoError as exc:
            settled.append({"provider": name, "period": f"{period_start}..{period_end}", "gross": "", "commission": "",
                            "net": exc.code})
            continue
        settled.append({"provider": name, "period": f"{c.period_start}..{c.period_end}", "gross": c.gross,
                        "commission": c.commission, "net": c.net})
    click.echo(table(settled))

    _step("Return: each vehicle goes back with a RETURN code; the contract completes")
    for owner, a in assignments:
        issued = owner["client"].delivery.start_session(a.id, "RETURN")
        business.delivery.verify_code(issued.session_id, phone.code(issued.session_id, biz_phone), {"fuel_level": "HALF", "notes": "returned on time"})
    done = business.contracts.complete_contract(contract.id)
    click.echo(f"contract {done.contract_number}: {done.status}")
    click.echo(table([{"party": n, "wallet": _wallet(p["client"])} for n, p in providers.items()] +
                     [{"party": "Selam Logistics PLC", "wallet": _wallet(business)}]))

    _step("The ledger's trial balance and invariants (ledger.check, contracts.check, settlement.check)")
    checks = service.ledger.check() + service.contracts.check() + service.settlement.check()
    click.echo(table([{"check": c.check_name, "ok": c.ok, "violations": c.violations} for c in checks]))


def _wallet(client: Client) -> str:
    with client.transaction() as conn:
        row = conn.execute("SELECT balance, held, available FROM api.my_accounts() LIMIT 1").fetchone()
    return "-" if row is None else f"balance {row[0]}, held {row[1]}, available {row[2]}"


def _tiers(service: Client, provider_ids: list[int]) -> list[dict]:
    with service.transaction() as conn:
        cur = conn.execute("SELECT p.name, p.trust_score, p.tier_code, "
                           "(SELECT string_agg(c.old_tier || '->' || c.new_tier, ', ' ORDER BY c.id) FROM parties.tier_change c "
                           " WHERE c.party_type = 'PROVIDER' AND c.party_id = p.id) AS changes "
                           "FROM parties.provider p WHERE p.id = ANY(%s) ORDER BY p.id", (provider_ids,))
        return [{"provider": n, "trust score": t, "tier": tier, "tier changes": ch or ""} for n, t, tier, ch in cur.fetchall()]


def _shift_story(service: Client, rfq: int, contract: int, days: int) -> None:
    """Demo only: move one RFQ's and contract's dates into the past (mercato.harness.timeshift; dates only)."""
    with service.transaction() as conn:
        shift_into_past(conn, rfq, contract, days)
