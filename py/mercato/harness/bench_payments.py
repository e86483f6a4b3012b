"""The payments benchmark (``mercato bench payments``): webhook ingestion and payment intents against a real server,
each as a ratio to pgbench's TPC-B-like run at the same client count in the same invocation (issue 19).

It is the store benchmark's machinery (:mod:`mercato.harness.bench_store`: TPC-B runs around every case, CPU and WAL
per call, lock waits sampled, medians over rounds, the Markdown section) with the payments world and cases:

1. the seed, as the superuser and set-based through the payments functions (the superuser counts as the back office):
   ``payers`` users at KYC level 3 with a KES wallet funded from an external test account, ``merchants`` MERCHANT
   organizations with their wallets (one of them the hot merchant), a PAYMENT fee in the catalog (1.5 %), the signed
   rail KCB ACTIVE with an HMAC key the bench knows, and ``sessions`` PENDING KCB funding sessions (their instructions
   queued in the outbox as a real top-up's are); the first tenth of them delivered once already, so that the webhook
   case has earlier events to send again;
2. the cases are pgbench scripts making the calls PostgREST makes (claims, role and the role's settings local to the
   transaction, then the ``api`` call):
   - ``webhook``: ``api.ingest_webhook('KCB', headers, body)`` as the HTTP edge (the back office): 70 % a new signed
     callback completing the next funding session (one transfer from the rail's clearing account to the wallet), 30 % a
     callback sent before again (a duplicate: stored, recognised, applied never). The signature is computed in the
     transaction from the key and the current time, as the bank would;
   - ``intent``: a random payer's ``api.create_payment_intent`` (10.00 KES to a random merchant, its wallet as the
     source) then ``api.confirm_payment_intent``: the hold, the automatic capture to the merchant minus the fee;
   - ``intent_hot``: the same, every payment to the hot merchant;
3. after every case: ``ledger.check()`` must be clean and no pgbench transaction may have failed; the rows each call
   must leave (webhook events, intents) are counted.

A benchmark is not a test: nothing here asserts on speed.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg

from mercato.harness import bench as b
from mercato.harness.bench_store import (
    StoreBench, StoreCase, StoreReport, StoreSettings, render_markdown as _render_markdown, render_text,
    update_markdown as _update_markdown,
)

MARKERS = ("<!-- payments:start -->", "<!-- payments:end -->")
#: the HMAC key of the bench's KCB rail (a bench database only)
KEY = "bench-kcb-hmac-key-0123456789abcdef0123456789"
AMOUNT = "10.00"
TOP_UP = "100.00"
DUPLICATE_SHARE = 30   # per cent of webhook calls that send an earlier event again

_PRELUDE_USER = ("SELECT set_config('request.jwt.claims', '{{\"sub\": \"bench|payer-:p\", \"role\": \"mercato_user\"}}', "
                 "true), set_config('role', 'mercato_user', true){settings};")


def _intent_script(bench: PaymentsBench, merchant: str) -> str:
    return ("\\set p random(1, :payers)\n\\set m random(1, :merchants)\n\\set w :wlo + :p - 1\nBEGIN;\n"
            + bench.user_prelude + "\n"
            f"SELECT (api.create_payment_intent(p_merchant_id => {merchant}, p_amount => {AMOUNT}, "
            f"p_currency => 'KES', p_sources => '[{{\"wallet_id\": :w, \"amount\": \"{AMOUNT}\"}}]')) ->> 'id' AS iid \\gset\n"
            "SELECT (api.confirm_payment_intent(p_intent_id => :iid)) ->> 'status';\nEND;\n")


def intent_script(bench: PaymentsBench) -> str:
    """A random payer pays a random merchant: create (with its wallet as the source), then confirm."""
    return ("-- mercato bench payments intent: api.create_payment_intent + api.confirm_payment_intent, random merchant\n"
            + _intent_script(bench, ":mlo + :m - 1"))


def intent_hot_script(bench: PaymentsBench) -> str:
    """The same, every payment to the hot merchant."""
    return ("-- mercato bench payments intent_hot: the same, every payment to the hot merchant\n"
            + _intent_script(bench, ":hot"))


def webhook_script(bench: PaymentsBench) -> str:
    """A signed KCB callback: 70 % the next session's success, 30 % an earlier event again (duplicate)."""
    return ("-- mercato bench payments webhook: api.ingest_webhook of a signed KCB callback, 30 % duplicates\n"
            f"\\set d random(1, 100)\n\\set old random(1, :delivered)\nBEGIN;\n"
            f"SELECT CASE WHEN :d <= {DUPLICATE_SHARE} THEN :old ELSE nextval('bench.fresh') END AS i \\gset\n"
            + bench.service_prelude + "\n"
            "SELECT (api.ingest_webhook(p_provider => 'KCB', p_headers => jsonb_build_object('x-mercato-timestamp', x.ts, "
            "'x-mercato-signature', encode(public.hmac(convert_to(x.ts || '.' || x.body, 'UTF8'), "
            "convert_to(x.key, 'UTF8'), 'sha256'), 'hex')), p_body => x.body)) ->> 'state'\n"
            "  FROM (SELECT e.body, e.key, extract(epoch FROM now())::bigint::text AS ts FROM bench.event e "
            "WHERE e.i = :i) x;\nEND;\n")


CASES: tuple[StoreCase, ...] = (
    StoreCase("webhook", webhook_script, "api.ingest_webhook of a signed KCB callback (HMAC verified, raw body stored, "
              f"deduplicated; new events complete a funding session with one ledger transfer), {DUPLICATE_SHARE} % "
              "duplicates", b.TPCB, 1.0, "≥ 1.0 × TPC-B", 1),
    StoreCase("intent", intent_script, f"api.create_payment_intent ({AMOUNT} KES, a random payer's wallet as the source, "
              "a random merchant) + api.confirm_payment_intent (hold, automatic capture to the merchant minus the fee)",
              b.TPCB, 0.4, "≥ 0.4 × TPC-B (pairs)", 1),
    StoreCase("intent_hot", intent_hot_script, "the same, every payment to one merchant",
              "intent", 0.8, "≥ 0.8 × intent", 1),
)
CASE_NAMES = tuple(c.name for c in CASES)


@dataclass
class PaymentsSettings(StoreSettings):
    payers: int = 2_000
    merchants: int = 200
    sessions: int = 60_000
    db_prefix: str = "mercato_bench_payments"
    cases: tuple[str, ...] = CASE_NAMES


class PaymentsBench(StoreBench):
    cases_all = CASES
    check_name = "ledger.check()"
    # webhook events (every call stores one) and intents (every intent call creates one): each call leaves one row
    count_sql = ("SELECT (SELECT count(*) FROM payments.webhook_event) + (SELECT count(*) FROM payments.payment_intent)")
    hot_case = None
    written = ("payments.webhook_event", "payments.rail_instruction", "payments.funding_session",
               "payments.payment_intent", "payments.intent_share", "payments.intent_event", "payments.webhook_dedupe", "ledger.account",
               "ledger.hold", "payments.fee_charge")

    def __init__(self, settings: PaymentsSettings, root: Path | None = None, **kw: Any) -> None:
        super().__init__(settings, root, **kw)
        self.s: PaymentsSettings = settings
        self.user_prelude = ""
        self.service_prelude = ""

    @staticmethod
    def _check(conn: psycopg.Connection) -> list[str]:
        rows = conn.execute("SELECT check_name, ok, violations, sample FROM ledger.check()").fetchall()
        if not rows:
            return ["ledger.check() returned nothing"]
        return [f"{name}: {violations} violations, e.g. {json.dumps(sample)[:300]}"
                for name, ok, violations, sample in rows if not ok]

    def setup(self) -> None:
        from mercato.client import role_settings
        from mercato.sqitch import Engine

        s = self.s
        t0 = time.monotonic()
        self.log(f"[setup] {b._dbname(self.url)}: deploying the Sqitch plan")
        self.inner._recreate(self.url)
        Engine.from_project(self.url, self.root).deploy()
        self.inner.setup_seconds["deploy"] = round(time.monotonic() - t0, 1)
        with psycopg.connect(self.url, autocommit=True) as conn:
            self.role_settings = {role: role_settings(conn, role) for role in ("mercato_user", "mercato_service")}
            settings = "".join(f", set_config('{k}', '{v}', true)" for k, v in self.role_settings["mercato_user"])
            self.user_prelude = _PRELUDE_USER.format(settings=settings)
            self.service_prelude = self.prelude_for({"role": "mercato_service"})
            t0 = time.monotonic()
            self.log(f"[setup] {s.payers:,} payers (KYC 3, funded wallets), {s.merchants:,} merchants, the fee catalog")
            with conn.transaction():
                conn.execute("SELECT identity.register_user('bench|payer-' || g, 'CUSTOMER', 'Payer ' || g)"
                             "  FROM generate_series(1, %s) g ORDER BY g", (s.payers,))
                conn.execute("SELECT identity.register_user('bench|merchant-' || g, 'MERCHANT', 'Merchant ' || g)"
                             "  FROM generate_series(1, %s) g ORDER BY g", (s.merchants,))
                conn.execute("SELECT payments.set_kyc_level('USER', u.id, 3, 'bench')"
                             "  FROM identity.user_account u WHERE u.auth_subject LIKE 'bench|payer-%%'")
                wlo, whi = conn.execute(
                    "SELECT min(w), max(w) FROM (SELECT payments.wallet_for('USER', u.id, 'KES') AS w"
                    "  FROM identity.user_account u WHERE u.auth_subject LIKE 'bench|payer-%%'"
                    " ORDER BY substr(u.auth_subject, 13)::int) x").fetchone()
                conn.execute("SELECT ledger.transfer('bench:fund:' || w.account_id, ledger.open_account('PLATFORM', "
                             "'bench', 'EXTERNAL', 'KES', true), w.account_id, 1000000) FROM payments.wallet w "
                             "WHERE w.owner_type = 'USER' ORDER BY w.account_id")
                mlo, mhi = conn.execute(
                    "SELECT min(o), max(o) FROM (SELECT identity.open_organization('MERCHANT', NULL, 'Shop ' || g, u.id) AS o"
                    "  FROM generate_series(1, %s) g JOIN identity.user_account u ON u.auth_subject = 'bench|merchant-' || g"
                    " ORDER BY g) x", (s.merchants,)).fetchone()
                conn.execute("SELECT payments.wallet_for('ORG', o, 'KES') FROM generate_series(%s::bigint, %s) o",
                             (mlo, mhi))
                conn.execute("SELECT payments.set_fee_rule(NULL, 'PAYMENT', NULL, 'KES', 1.5)")
            if whi - wlo + 1 != s.payers or mhi - mlo + 1 != s.merchants:
                raise RuntimeError("payer wallets or merchants are not contiguous ids")
            self.inner.setup_seconds["parties"] = round(time.monotonic() - t0, 1)
            t0 = time.monotonic()
            self.log(f"[setup] the KCB rail and {s.sessions:,} pending funding sessions")
            with conn.transaction():
                conn.execute("SELECT payments.set_rail('KCB', p_status => 'ACTIVE')")
                conn.execute("SELECT payments.add_rail_hmac_secret('KCB', %s)", (KEY,))
                conn.execute("SELECT masterdata.set_setting('PAYMENTS_FUNDING_SESSION_MINUTES', '10080')")
                conn.execute(
                    "SELECT payments.create_funding_session(%s + g %% %s, 'KCB', %s, 'ACC-' || g)"
                    "  FROM generate_series(0, %s - 1) g ORDER BY g", (wlo, s.payers, TOP_UP, s.sessions))
                conn.execute("CREATE SCHEMA bench")
                conn.execute(
                    "CREATE TABLE bench.event AS"
                    " SELECT row_number() OVER (ORDER BY f.id) AS i,"
                    "        json_build_object('event_id', 'evt-' || f.id, 'reference', r.reference, 'status', 'SUCCEEDED',"
                    "                          'amount', r.amount::text, 'currency', 'KES', 'account', r.account,"
                    "                          'transaction_id', 'KCBTX' || f.id)::text AS body, %s::text AS key"
                    "   FROM payments.funding_session f"
                    "   JOIN payments.rail_instruction r ON r.subject_type = 'FUNDING' AND r.subject_id = f.id",
                    (KEY,))
                conn.execute("ALTER TABLE bench.event ADD PRIMARY KEY (i)")
                delivered = max(1, s.sessions // 10)
                conn.execute("CREATE SEQUENCE bench.fresh START %s" % (delivered + 1))
                conn.execute("GRANT USAGE ON SCHEMA bench TO mercato_service")
                conn.execute("GRANT SELECT ON bench.event TO mercato_service")
                conn.execute("GRANT USAGE ON SEQUENCE bench.fresh TO mercato_service")
            with conn.transaction():
                bad = conn.execute(
                    "SELECT count(*) FILTER (WHERE (payments.ingest_webhook('KCB', jsonb_build_object("
                    "'x-mercato-timestamp', ts, 'x-mercato-signature', encode(public.hmac(convert_to(ts || '.' || body, "
                    "'UTF8'), convert_to(key, 'UTF8'), 'sha256'), 'hex')), body)) ->> 'state' <> 'PROCESSED')"
                    "  FROM (SELECT e.*, extract(epoch FROM now())::bigint::text AS ts FROM bench.event e"
                    "         WHERE e.i <= %s ORDER BY e.i) x", (delivered,)).fetchone()[0]
            if bad:
                raise RuntimeError(f"{bad} of the first {delivered} seeded callbacks were not processed")
            self.inner.setup_seconds["sessions"] = round(time.monotonic() - t0, 1)
            conn.execute("VACUUM ANALYZE")
            bad = self._check(conn)
            if bad:
                raise RuntimeError(f"ledger.check() reports violations after the seed: {bad}")
        hot = mlo + s.merchants // 2
        self.inner.vars = {"payers": s.payers, "merchants": s.merchants, "wlo": wlo, "mlo": mlo, "hot": hot,
                           "delivered": delivered}
        self.world = {"payers": s.payers, "payer_wallets": [wlo, whi], "merchants": s.merchants,
                      "merchant_ids": [mlo, mhi], "hot_merchant": hot, "sessions": s.sessions,
                      "delivered_before": delivered}


def run(settings: PaymentsSettings, *, root: Path | None = None, log: Any = None) -> StoreReport:
    """Run the payments benchmark once (see the module docstring)."""
    return PaymentsBench(settings, root, log=log).run()


def render_markdown(rep: StoreReport) -> str:
    s, w = rep.settings, rep.world
    return _render_markdown(
        rep, title="Payments results", command="mercato bench payments",
        load=(f"{w.get('payers', s.get('payers')):,} payers with funded wallets, {w.get('merchants', s.get('merchants')):,} "
              f"merchants (hot merchant {w.get('hot_merchant')}), {w.get('sessions', s.get('sessions')):,} pending KCB "
              f"funding sessions, {DUPLICATE_SHARE} % duplicate callbacks"))


def update_markdown(path: Path, section: str) -> None:
    """Replace the payments section of ``path`` between its markers (appended when absent)."""
    _update_markdown(path, section, MARKERS)


__all__ = ["CASES", "CASE_NAMES", "PaymentsBench", "PaymentsSettings", "render_markdown", "render_text", "run",
           "update_markdown"]
