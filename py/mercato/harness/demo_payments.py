"""The story ``mercato demo payments`` tells (issue 19): a Kenyan wallet and payments platform on the kernel, every step
through the ``api`` functions an app calls through PostgREST, as the caller it names, with the rail simulator playing
M-Pesa and the bank (the one adapter Mercato has; a real adapter replaces only it).

An M-Pesa top-up with a duplicate callback, and a spoofed success callback that the status query does not confirm; a
bank top-up whose callback arrives with a bad signature first; a shop order paid 60/40 from the wallet and M-Pesa
through one payment intent, held in goods escrow and released on delivery; an invoice paid by scanning its QR code; an installment plan
with one late payment; a withdrawal with its fee; the fee report and ``ledger.check()``. Each run uses fresh names, so
the story can be told again on the same database.
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
from decimal import Decimal
from typing import Any

import click
import psycopg

from mercato.cli.common import table
from mercato.client import Client
from mercato.harness.rail_simulator import RailSimulator, setup_rails

SOURCE = "196.201.214.10"   # where Safaricom's callbacks come from (the edge reports it; the rail's allowlist has it)


def _step(title: str) -> None:
    click.echo("")
    click.secho(f"== {title}", bold=True)


def _balance(client: Client, wallet: int) -> str:
    return next(w["balance"] for w in client.payments.my_wallets() if w["wallet_id"] == wallet)


def tell() -> None:
    """Tell the payments story with fresh names."""
    from mercato import jobs
    from mercato.config import database_url

    run = secrets.token_hex(3)
    with Client() as service, Client(max_size=1, role="mercato_sender") as sender:
        def caller(sub: str) -> Client:
            return service.as_caller({"sub": sub, "role": "mercato_user"}, role="mercato_user")

        def simulator(scenario: str) -> RailSimulator:
            return RailSimulator(sender, service, tokens=rails["tokens"], keys=rails["keys"], scenario=scenario,
                                 source=SOURCE)

        _step("The platform: the rails M-Pesa (unsigned) and KCB (signed) for the simulator, and the fees")
        rails = setup_rails(service, allowlist=[f"{SOURCE}/32"], signed_rails=("KCB",))
        service.payments.set_fee_rule("PAYMENT", "KES", "1.5")
        service.payments.set_fee_rule("WITHDRAWAL", "KES", "0", rail="MPESA", fixed="30")
        click.echo(table([{"rail": r["code"], "kind": r["kind"], "status": r["status"]} for r in service.payments.rails()
                          if r["code"] in ("MPESA", "KCB")]))
        click.echo("fees: PAYMENT 1.5 % (catalog), WITHDRAWAL by M-Pesa 30.00 KES")

        _step("People: Wanjiku pays, Otieno's duka is a merchant; both have KES wallets")
        subs = {"wanjiku": f"kc|wanjiku-{run}", "otieno": f"kc|otieno-{run}", "amani": f"kc|amani-{run}"}
        ids = {name: service.identity.register_user(sub, "CUSTOMER" if name != "otieno" else "MERCHANT", name.title())
               for name, sub in subs.items()}
        service.payments.set_kyc_level("USER", ids["wanjiku"], 1, "ID checked")
        wanjiku, otieno, amani = caller(subs["wanjiku"]), caller(subs["otieno"]), caller(subs["amani"])
        merchant = otieno.payments.register_merchant(f"Otieno's Duka {run}")
        org, merchant_wallet = merchant["organization_id"], merchant["wallet_id"]
        wallet = wanjiku.payments.open_wallet("KES")
        amani_wallet = amani.payments.open_wallet("KES")
        click.echo(table([{"who": "Wanjiku", "wallet": wallet, "KYC level": 1},
                          {"who": f"Otieno's Duka (merchant {org})", "wallet": merchant_wallet, "KYC level": 0},
                          {"who": "Amani", "wallet": amani_wallet, "KYC level": 0}]))

        _step("An M-Pesa top-up of 5,000: STK push, callback (delivered twice), our status query, credited once")
        s1 = wanjiku.payments.create_funding_session(wallet, "MPESA", "5000", "254712345678")
        simulator("duplicate").run_once()
        events = sorted(service.payments.webhook_events(provider="MPESA", limit=20), key=lambda e: e["id"])[-3:]
        click.echo(table([{"event": e["id"], "kind": e["event_kind"], "state": e["processing_state"]} for e in events]))
        click.echo(f"session {s1['id']}: {wanjiku.payments.funding_session(s1['id'])['status']}; "
                   f"Wanjiku's wallet {_balance(wanjiku, wallet)}")

        _step("A spoofed callback: someone with the path token claims a 20,000 top-up succeeded; the user had cancelled")
        s2 = wanjiku.payments.create_funding_session(wallet, "MPESA", "20000", "254712345678")
        truth_sim = simulator("cancelled")
        for message in sender.outbox.claim("RAIL", 100, 60, "demo"):
            truth_sim.handle(message)
        truth_sim.pending.clear()               # the genuine "cancelled" callback is lost on the way
        t = next(iter(truth_sim.truth.values()))
        forged = json.dumps({"Body": {"stkCallback": {
            "MerchantRequestID": "mr-" + t.provider_id, "CheckoutRequestID": t.provider_id, "ResultCode": 0,
            "ResultDesc": "The service request is processed successfully.",
            "CallbackMetadata": {"Item": [{"Name": "Amount", "Value": 20000.0},
                                          {"Name": "MpesaReceiptNumber", "Value": "SPOOF123"}]}}}})
        answer = service.payments.ingest_webhook("MPESA", truth_sim._headers("MPESA", forged), forged)
        click.echo(f"the spoofed callback: {answer['state']} — a callback alone is no money: we ask M-Pesa")
        truth_sim.run_once()                    # M-Pesa answers our status query: Failed, 1032
        got = wanjiku.payments.funding_session(s2["id"])
        click.echo(f"session {s2['id']}: {got['status']} ({got['failure_code']}); Wanjiku's wallet still "
                   f"{_balance(wanjiku, wallet)}")

        _step("A bank top-up of 1,500 by KCB: its callback arrives first with a bad signature (refused), then signed")
        s3 = amani.payments.create_funding_session(amani_wallet, "KCB", "1500", "ACC-00123456")
        bank = simulator("success")
        for message in sender.outbox.claim("RAIL", 100, 60, "demo"):
            bank.handle(message)
        call = bank.pending[0]
        sig = call.headers["X-Mercato-Signature"]
        bad = dict(call.headers, **{"X-Mercato-Signature": sig[:-1] + ("0" if sig[-1] != "0" else "1")})
        refused = service.payments.ingest_webhook("KCB", bad, call.body)
        click.echo(f"bad signature: {refused['state']} ({refused.get('error_code')}); "
                   f"session {amani.payments.funding_session(s3['id'])['status']}")
        bank.deliver()
        click.echo(f"signed: session {amani.payments.funding_session(s3['id'])['status']}; "
                   f"Amani's wallet {_balance(amani, amani_wallet)}")

        _step("The duka opens a shop (its own tenant of the catalog and orders) and lists a kikoi at 1,200")
        shop = service.payments.open_shop(org, f"duka-{run}", f"Otieno's Duka {run}")
        tenant = shop["tenant_id"]
        product = service.catalog.create_product({"title": "Kikoi, hand-woven", "vendor": "Otieno"}, tenant_id=tenant)
        kikoi = service.catalog.add_variant(product, {"sku": f"KIKOI-{run}", "price": "1200.00"}, tenant_id=tenant)
        service.catalog.publish_product(product, tenant_id=tenant)
        store = service.inventory.create_location("DUKA", "The duka", "STORE", tenant_id=tenant)
        service.inventory.receive(kikoi, store, 10, "500.00", tenant_id=tenant)
        click.echo(f"shop {shop['shop_id']} (tenant {tenant}), kikoi {kikoi}: 10 in stock")

        _step("A shop order of 1,200 paid 60/40: 720 held on the wallet at once, 480 by an M-Pesa top-up, then escrow")
        order = wanjiku.payments.place_shop_order(shop["shop_id"], {"lines": [{"variant_id": kikoi, "quantity": 1}]})
        intent = wanjiku.payments.create_intent(org, order["total_price"], description=f"order {order['number']}",
                                                metadata={"order_id": order["id"]},
                                                sources=[{"wallet_id": wallet, "amount": "720.00"},
                                                         {"rail": "MPESA", "amount": "480.00"}])
        intent = wanjiku.payments.confirm_intent(intent["id"])
        share = next(s for s in intent["shares"] if s["source"] == "EXTERNAL")
        click.echo(f"intent {intent['id']}: {intent['status']}, shares "
                   + ", ".join(f"{s['source'].lower()} {s['amount']} {s['status']}" for s in intent["shares"]))
        wanjiku.payments.create_funding_session(wallet, "MPESA", "480", "254712345678", intent_share_id=share["id"])
        simulator("success").run_once()
        intent = wanjiku.payments.get_intent(intent["id"])
        got = wanjiku.payments.get_shop_order(order["id"])
        escrow = got["escrow"]
        click.echo(f"after the top-up: intent {intent['status']}; order {order['number']} {got['financial_status']}; "
                   f"escrow {escrow['id']} {escrow['status']} {escrow['amount_held']}; the duka's wallet "
                   f"{_balance(otieno, merchant_wallet)}")
        released = wanjiku.payments.confirm_delivery(escrow["id"])
        click.echo(f"delivered: escrow {released['status']}; the duka's wallet {_balance(otieno, merchant_wallet)} "
                   "(1,200 minus the 1.5 % fee, taken once, at release)")

        _step("An invoice paid by QR: the duka invoices 2,000 + 16 % VAT; Wanjiku scans the code at the counter")
        due = dt.date.today() + dt.timedelta(days=14)
        invoice = otieno.payments.create_invoice(org, "KES", due, [
            {"description": "Catering, 40 plates", "quantity": "40", "unit_price": "50.00", "tax_rate": "16"}],
            customer_user_id=ids["wanjiku"])
        invoice = otieno.payments.open_invoice(invoice["id"])
        for_invoice = otieno.payments.create_intent(org, invoice["amount_due"], description=f"invoice {invoice['number']}",
                                                    metadata={"invoice_id": invoice["id"]})
        code = otieno.payments.create_qr_code(org, for_invoice["id"])
        click.echo(f"invoice {invoice['number']}: {invoice['total']} due {invoice['due_date']}; QR {code['payload']}")
        click.echo(f"scanned: {json.dumps(wanjiku.payments.parse_ke_qr(code['payload']), sort_keys=True)}")
        paid_qr = wanjiku.payments.pay_qr(code["payload"], wallet)
        invoice = otieno.payments.get_invoice(invoice["id"])
        click.echo(f"intent {paid_qr['id']} {paid_qr['status']}; invoice {invoice['number']} {invoice['status']} "
                   f"(paid {invoice['amount_paid']})")
        try:
            wanjiku.payments.pay_qr(code["payload"], wallet)
        except Exception as exc:   # noqa: BLE001 - the refusal is the point
            click.echo(f"the same code again: refused ({getattr(exc, 'code', exc)})")

        _step("Lay-away in 3 installments: Amani's first one falls due with too little in the wallet, and is late")
        order2 = amani.payments.place_shop_order(shop["shop_id"], {"lines": [{"variant_id": kikoi, "quantity": 2}]})
        plan = amani.payments.create_installment_plan(order2["id"], 3, 7)
        click.echo(table([{"installment": i["seq"], "amount": i["amount"], "due": str(i["due_at"])[:10]}
                          for i in plan["schedule"]]))
        amani.payments.request_withdrawal(amani_wallet, "MPESA", "1400", "254711000111")   # most of it leaves first
        simulator("success").run_once()
        with jobs.connect(database_url()) as conn:
            jobs.run_job(conn, "payments.installments_auto_debit")
        plan = amani.payments.get_installment_plan(plan["id"])
        first = plan["schedule"][0]
        click.echo(f"the job on the due date: installment 1 {first['status']}, late fee {first.get('late_fee')}")
        amani.payments.create_funding_session(amani_wallet, "KCB", "3000", "ACC-00123456")
        simulator("success").run_once()
        for inst in plan["schedule"]:
            amani.payments.pay_installment(inst["id"])
        plan = amani.payments.get_installment_plan(plan["id"])
        click.echo(f"topped up and paid: plan {plan['status']}; "
                   + ", ".join(f"#{i['seq']} {i['status']}" for i in plan["schedule"]))
        released = amani.payments.confirm_delivery(plan["escrow_id"])
        click.echo(f"the goods leave lay-away: escrow {released['status']}")

        _step("Otieno withdraws 2,000 from the duka's wallet to M-Pesa (B2C): a hold of amount + fee, then captured")
        w = otieno.payments.request_withdrawal(merchant_wallet, "MPESA", "2000", "254722000333")
        click.echo(f"withdrawal {w['id']}: {w['status']}, fee {w['fee']}; the duka's wallet {_balance(otieno, merchant_wallet)}")
        simulator("timeout").run_once()          # the queue times out, then the payout succeeds late: paid once
        w = otieno.payments.withdrawal(w["id"])
        click.echo(f"after a B2C time-out and a late success: {w['status']}; the duka's wallet "
                   f"{_balance(otieno, merchant_wallet)}")

        _step("The fee report of today, and the ledger's own checks")
        start = dt.datetime.now(dt.timezone.utc).replace(hour=0, minute=0, second=0, microsecond=0)
        report = service.payments.fee_report(start, start + dt.timedelta(days=1))
        click.echo(table([{k: r[k] for k in ("organization_id", "operation", "rail", "charges", "base_amount", "fees")}
                          for r in report]))
        with psycopg.connect(database_url(), autocommit=True) as conn:
            bad = conn.execute("SELECT check_name FROM ledger.check() WHERE NOT ok").fetchall()
        click.echo("ledger.check(): " + ("ok" if not bad else "FAILED " + ", ".join(r[0] for r in bad)))
        if bad:
            raise click.ClickException("ledger.check() failed")


__all__ = ["tell"]
