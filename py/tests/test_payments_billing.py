"""Merchants, invoices and merchant webhooks (issue 19, docs/payments.md) as PostgREST serves them, through the library
and the CLI, and under concurrency: 8 clients opening invoices of one merchant at once get the numbers 1..8 without a gap
(a 9th that rolls back its opening takes none), and 8 payers paying one invoice at once never pay above its total while
its events stay numbered without a gap. Superuser connections only arrange the world (tests.payments_world, funded
wallets) and read outcomes."""

from __future__ import annotations

import datetime as dt
import json
import threading
import uuid
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

import psycopg
import pytest
from click.testing import CliRunner

from mercato.client import Client
from mercato.errors import MercatoError
from mercato.harness.postgrest import PostgREST
from jwt_helper import rest_as_authenticator, sign

ITEMS = [{"description": "Consulting", "quantity": "2", "unit_price": "150.00", "tax_rate": "16"}]


@pytest.fixture
def world(db_url: str) -> Iterator[dict[str, Any]]:
    prefix = f"pb{uuid.uuid4().hex[:6]}"
    with psycopg.connect(db_url, autocommit=True) as conn:
        ids = conn.execute("SELECT tests.payments_world(%s)", (prefix,)).fetchone()[0]
        wallet = conn.execute("SELECT payments.wallet_for('USER', %s, 'KES')", (ids["payer"],)).fetchone()[0]
        conn.execute("SELECT tests.fund_wallet(%s, 1000, %s)", (wallet, f"test:{prefix}:fund"))
    rest = rest_as_authenticator(db_url)
    yield {**ids, "prefix": prefix, "wallet": wallet, "rest": rest}
    rest.close()


def _user(sub: str) -> dict[str, str]:
    return {"sub": sub, "role": "mercato_user"}


def _in_threads(actions: list[Callable[[], Any]]) -> list[Any]:
    """Run the actions at once (released together by a barrier); their results or exceptions, in order."""
    barrier = threading.Barrier(len(actions))
    results: list[Any] = [None] * len(actions)

    def run(i: int) -> None:
        barrier.wait()
        try:
            results[i] = actions[i]()
        except Exception as exc:  # noqa: BLE001 - judged by the caller
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(actions))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not any(t.is_alive() for t in threads)
    return results


def test_merchant_invoice_and_webhook_over_http(world: dict[str, Any]) -> None:
    rest: PostgREST = world["rest"]
    p = world["prefix"]
    payer, clerk, owner = sign(_user(f"{p}-payer")), sign(_user(f"{p}-clerk")), sign(_user(f"{p}-merchant"))
    registered = rest.rpc("register_merchant", {"p_name": "HTTP Duka"}, token=payer)
    assert registered.ok and registered.body[0]["wallet_id"], registered.body
    endpoint = rest.rpc("create_webhook_endpoint", {"p_organization_id": world["merchant"],
                                                    "p_url": "https://merchant.example/hooks", "p_event_types": ["*"]},
                        token=owner)
    assert endpoint.ok and endpoint.body[0]["secret"].startswith("whsec_"), endpoint.body
    due = (dt.date.today() + dt.timedelta(days=14)).isoformat()
    draft = rest.rpc("create_invoice", {"p_organization_id": world["merchant"], "p_currency": "KES", "p_due_date": due,
                                        "p_items": ITEMS, "p_customer_user_id": world["payer"]}, token=clerk)
    assert draft.ok and draft.body["total"] == "348.00", draft.body
    wrong = rest.rpc("create_invoice", {"p_organization_id": world["merchant"], "p_currency": "KES", "p_due_date": due,
                                        "p_items": ITEMS, "p_customer_user_id": world["payer"],
                                        "p_expected_total": "348.01"}, token=clerk)
    assert (wrong.status, wrong.code) == (409, "PAYMENTS_INVOICE_TOTALS_MISMATCH"), wrong.body
    invoice = draft.body["id"]
    assert rest.rpc("get_invoice", {"p_invoice_id": invoice}, token=payer).code == "PAYMENTS_UNKNOWN_INVOICE"
    opened = rest.rpc("open_invoice", {"p_invoice_id": invoice}, token=clerk)
    assert opened.ok and opened.body["number"] == 1
    assert rest.rpc("get_invoice", {"p_invoice_id": invoice}, token=payer).body["status"] == "OPEN"
    part = rest.rpc("pay_invoice_from_wallet", {"p_invoice_id": invoice, "p_wallet_id": world["wallet"],
                                                "p_amount": "100", "p_reference": f"{p}-1"}, token=payer)
    assert part.ok and part.body["invoice"]["amount_due"] == "248.00", part.body
    over = rest.rpc("pay_invoice_from_wallet", {"p_invoice_id": invoice, "p_wallet_id": world["wallet"],
                                                "p_amount": "248.01", "p_reference": f"{p}-2"}, token=payer)
    assert (over.status, over.code) == (409, "PAYMENTS_INVOICE_OVERPAID"), over.body
    rest_paid = rest.rpc("pay_invoice_from_wallet", {"p_invoice_id": invoice, "p_wallet_id": world["wallet"],
                                                     "p_amount": "248.00", "p_reference": f"{p}-3"}, token=payer)
    assert rest_paid.ok and rest_paid.body["invoice"]["status"] == "PAID"
    deliveries = rest.rpc("merchant_deliveries", {"p_organization_id": world["merchant"]}, token=owner)
    assert deliveries.ok
    assert [(d["event_type"], d["sequence"]) for d in reversed(deliveries.body)] == [
        ("invoice.created", 1), ("invoice.opened", 2), ("invoice.payment_applied", 3), ("invoice.payment_applied", 4),
        ("invoice.paid", 5)]
    assert rest.rpc("merchant_deliveries", {"p_organization_id": world["merchant"]}, token=clerk).status == 404
    assert rest.rpc("my_invoices", {}).status in (401, 403), "not anonymously"


def test_eight_clients_opening_invoices_of_one_merchant_get_gapless_numbers(db_url: str, world: dict[str, Any]) -> None:
    p = world["prefix"]
    due = dt.date.today() + dt.timedelta(days=7)
    with Client(db_url, claims=_user(f"{p}-clerk"), role="mercato_user") as clerk:
        drafts = [clerk.payments.create_invoice(world["merchant"], "KES", due, ITEMS, customer_user_id=world["payer"])["id"]
                  for _ in range(9)]

    def opener(invoice: int) -> Callable[[], Any]:
        def run() -> Any:
            with Client(db_url, max_size=1, claims=_user(f"{p}-clerk"), role="mercato_user") as client:
                return client.payments.open_invoice(invoice)["number"]
        return run

    def rolled_back(invoice: int) -> Callable[[], Any]:
        def run() -> Any:   # opens, then its transaction rolls back: the number it drew goes back
            with psycopg.connect(db_url) as conn:
                conn.execute("SELECT set_config('request.jwt.claims', %s, true)", (json.dumps(_user(f"{p}-clerk")),))
                conn.execute("SET LOCAL ROLE mercato_user")
                conn.execute("SELECT api.open_invoice(%s)", (invoice,))
                conn.rollback()
            return None
        return run

    results = _in_threads([opener(i) for i in drafts[:8]] + [rolled_back(drafts[8])])
    assert not [r for r in results if isinstance(r, Exception)], results
    assert sorted(results[:8]) == list(range(1, 9)), results
    with psycopg.connect(db_url) as conn:
        numbers = [r[0] for r in conn.execute("SELECT number FROM payments.invoice WHERE organization_id = %s "
                                              "AND number IS NOT NULL ORDER BY number", (world["merchant"],))]
        assert numbers == list(range(1, 9))
        assert conn.execute("SELECT status FROM payments.invoice WHERE id = %s", (drafts[8],)).fetchone()[0] == "DRAFT"
    with Client(db_url, claims=_user(f"{p}-clerk"), role="mercato_user") as clerk:
        assert clerk.payments.open_invoice(drafts[8])["number"] == 9, "the rolled-back opening left no gap"


def test_eight_payers_at_once_never_pay_above_the_total(db_url: str, world: dict[str, Any]) -> None:
    p = world["prefix"]
    payers = [f"{p}-c{i}" for i in range(8)]
    with psycopg.connect(db_url, autocommit=True) as conn:
        wallets = {}
        for sub in payers:
            user = conn.execute("SELECT identity.register_user(%s, 'CUSTOMER', %s)", (sub, sub)).fetchone()[0]
            wallets[sub] = conn.execute("SELECT payments.wallet_for('USER', %s, 'KES')", (user,)).fetchone()[0]
            conn.execute("SELECT tests.fund_wallet(%s, 50, %s)", (wallets[sub], f"test:{sub}"))
    with Client(db_url, claims=_user(f"{p}-clerk"), role="mercato_user") as clerk:
        invoice = clerk.payments.create_invoice(world["merchant"], "KES", dt.date.today(),
                                                [{"description": "Shared bill", "quantity": "1", "unit_price": "100"}],
                                                customer_email="table7@example.com")["id"]
        clerk.payments.open_invoice(invoice)

    def payer(sub: str) -> Callable[[], Any]:
        def run() -> Any:
            with Client(db_url, max_size=1, claims=_user(sub), role="mercato_user") as client:
                return client.payments.pay_invoice_from_wallet(invoice, wallets[sub], "30", f"{sub}-share")
        return run

    results = _in_threads([payer(sub) for sub in payers])
    paid = [r for r in results if isinstance(r, dict)]
    refused = [r for r in results if isinstance(r, Exception)]
    assert len(paid) == 3 and len(refused) == 5, results
    assert all(isinstance(r, MercatoError) and r.code in ("PAYMENTS_INVOICE_OVERPAID", "PAYMENTS_INVOICE_STATE")
               for r in refused), refused
    with psycopg.connect(db_url) as conn:
        amount_paid, status = conn.execute("SELECT amount_paid, status FROM payments.invoice WHERE id = %s",
                                           (invoice,)).fetchone()
        assert (amount_paid, status) == (Decimal("90"), "OPEN")
        debited = conn.execute("SELECT count(*) FROM ledger.transaction WHERE reference LIKE "
                               "'payments:invoice_payment:%%' AND (metadata ->> 'invoice_id')::bigint = %s",
                               (invoice,)).fetchone()[0]
        assert debited == 3, "only the applied payments moved money"
        sequences = [r[0] for r in conn.execute("SELECT sequence FROM payments.merchant_event WHERE object_type = "
                                                "'invoice' AND object_id = %s ORDER BY sequence", (invoice,))]
        assert sequences == list(range(1, len(sequences) + 1)) and len(sequences) == 2 + 3, sequences


def test_the_library_and_the_cli(db_url: str, world: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    from mercato.cli import cli

    p = world["prefix"]
    with Client(db_url, claims=_user(f"{p}-payer"), role="mercato_user") as payer:
        shop = payer.payments.register_merchant("Library Duka")
        assert shop["wallet_id"] and shop["organization_id"]
    with Client(db_url, claims=_user(f"{p}-merchant"), role="mercato_user") as owner:
        hook = owner.payments.create_webhook_endpoint(world["merchant"], "https://lib.example/h", ["invoice.paid"])
        rotated = owner.payments.rotate_webhook_secret(hook["endpoint_id"], 60)
        assert rotated["secret"] != hook["secret"]
        assert [e["valid_secrets"] for e in owner.payments.webhook_endpoints(world["merchant"])] == [2]
        doc = owner.payments.create_invoice(world["merchant"], "KES", dt.date.today(), ITEMS,
                                            customer_email="lib@example.com", customer_name="Lib")
        doc = owner.payments.add_invoice_items(doc["id"], [{"description": "Extra", "quantity": "1", "unit_price": "2"}])
        doc = owner.payments.remove_invoice_item(doc["id"], 2)
        assert owner.payments.open_invoice(doc["id"])["total"] == "348.00"
        assert owner.payments.mark_invoice_uncollectible(doc["id"])["status"] == "UNCOLLECTIBLE"
        assert [i["status"] for i in owner.payments.list_invoices(world["merchant"])] == ["UNCOLLECTIBLE"]
        with pytest.raises(MercatoError) as info:
            owner.payments.open_invoice(doc["id"])
        assert info.value.code == "PAYMENTS_INVOICE_STATE"
    with Client(db_url, claims=_user(f"{p}-payer"), role="mercato_user") as payer:
        paid = payer.payments.pay_invoice_from_wallet(doc["id"], world["wallet"], "348.00", f"{p}-lib")
        assert paid["invoice"]["status"] == "PAID" and payer.payments.my_invoices() == []   # to an e-mail, not to it
    with Client(db_url, claims=_user(f"{p}-merchant"), role="mercato_user") as owner:
        paid_events = owner.payments.merchant_deliveries(world["merchant"], state="PENDING")
        assert [d["event_type"] for d in paid_events] == ["invoice.paid"]
        assert owner.payments.replay_merchant_event(paid_events[0]["event_id"]) == 1
        owner.payments.update_webhook_endpoint(hook["endpoint_id"], status="DISABLED")
        assert owner.payments.replay_merchant_event(paid_events[0]["event_id"]) == 0, "no enabled endpoint takes it"

    monkeypatch.setenv("DATABASE_URL", db_url)
    runner = CliRunner()

    def run(*args: str) -> str:
        r = runner.invoke(cli, list(args))
        assert r.exit_code == 0, (args, r.output, r.exception)
        return r.output

    clerk, owner_as, payer_as = ["--as", f"{p}-clerk"], ["--as", f"{p}-merchant"], ["--as", f"{p}-payer"]
    due = (dt.date.today() + dt.timedelta(days=3)).isoformat()
    out = run("pay", "invoice", "create", str(world["merchant"]), "--due", due, "--item", "2:150.00:16:Consulting",
              "--customer-user", str(world["payer"]), "--open", "--json", *clerk)
    cli_invoice = json.loads(out)
    assert (cli_invoice["status"], cli_invoice["total"]) == ("OPEN", "348.00")
    assert "348.00" in run("pay", "invoice", "mine", *payer_as)
    assert "PAID" in run("pay", "invoice", "pay", str(cli_invoice["id"]), str(world["wallet"]), "348",
                         "--reference", f"{p}-cli", *payer_as)
    assert "Consulting" in run("pay", "invoice", "show", str(cli_invoice["id"]), *payer_as)
    assert "whsec_" in run("pay", "webhook", "create", str(world["merchant"]), "https://cli.example/h", *owner_as)
    assert "invoice.paid" in run("pay", "webhook", "deliveries", str(world["merchant"]), "--object-id",
                                 str(cli_invoice["id"]), *owner_as)
    assert run("pay", "merchant", "register", "CLI Duka", *payer_as).startswith("merchant ")
    r = runner.invoke(cli, ["pay", "invoice", "create", str(world["merchant"]), "--due", due, "--item", "2:1:0:x",
                            "--email", "x@example.com", "--expect", "3", *clerk])
    assert isinstance(r.exception, MercatoError) and r.exception.code == "PAYMENTS_INVOICE_TOTALS_MISMATCH"
