"""The payments product's operations in the torture run (issue 19), and the invariants checked after it.

Set-up (:func:`setup_payments`, through the functions, as the back office would): the signed rail KCB ACTIVE with an
HMAC key, a PAYMENT fee of 1.5 % and a WITHDRAWAL fee of 10.00 KES on KCB in the catalog, two merchants (their owners
refund), and one payer per client at KYC level 2 with a KES wallet funded with 10,000.00.

Operations, each one call (or a short sequence) as PostgREST makes it, by the client's payer, the merchant's owner, or
the HTTP edge receiving the bank's calls (the back office):

- ``pay_intent``: an intent of 1–50 KES to one of the merchants from the payer's wallet, created and then confirmed,
  each with its idempotency key: a replay (same keys) must answer the same intent and status;
- ``refund_intent``: the merchant's owner refunds part of one of the client's succeeded intents, with an idempotency key;
- ``top_up`` / ``withdraw``: a KCB funding session (10–500 KES) or withdrawal (10–200 KES + the fee, held) of the
  payer's wallet; not idempotent (a lost answer's retry may leave a second PENDING session or withdrawal, which
  nothing completes: harmless, and counted);
- ``bank_callback``: the bank's signed answer to one of the client's pending sessions or withdrawals (90 % SUCCEEDED,
  10 % FAILED), deduplicated by its event id: a replay must leave the same final state; one in twenty is sent with a
  signature off by one character first, which must be refused and change nothing;
- ``payments_jobs``: the rails' sweeper, the funding expiry and the intent expiry through ``jobs.run``.

Refusals the rules make (LEDGER_INSUFFICIENT_FUNDS, PAYMENTS_LIMIT_EXCEEDED, PAYMENTS_INSUFFICIENT_FUNDS,
PAYMENTS_REFUND_EXCEEDS, …) are answers. ``verify_payments`` then checks, across every crash-restart: each payer's
wallet balance equals 10,000 + completed top-ups (amount − fee) − completed withdrawals (amount + fee) − what its
intent shares captured + what was refunded to them; each merchant's wallet equals its intents' captured − fees −
refunded; the platform's revenue account equals the fee charges; no pending session or failed withdrawal moved money;
no provider event applied twice; every acknowledged intent, refund, session and withdrawal is there as answered.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Callable

import psycopg

from mercato.harness.torture import Refused
from mercato.harness.torture_auth import _call, refusal_code

KEY = "torture-kcb-hmac-key-0123456789abcdef012345"
START = Decimal("10000.00")


@dataclass
class ClientPay:
    sub: str
    user_id: int
    wallet: int
    intents: list[int] = field(default_factory=list)           # succeeded intents of this client
    sessions: list[int] = field(default_factory=list)          # pending funding sessions
    withdrawals: list[int] = field(default_factory=list)       # pending withdrawals


@dataclass
class PayWorld:
    user_settings: tuple[tuple[str, str], ...]
    service_settings: tuple[tuple[str, str], ...]
    merchants: list[tuple[int, str, int]]                       # (organization id, owner's sub, wallet)
    clients: dict[int, ClientPay]
    revenue: int
    problems: list[str] = field(default_factory=list)
    summary: dict[str, Any] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def problem(self, text: str) -> None:
        with self.lock:
            self.problems.append(text)


def setup_payments(url: str, clients: int) -> PayWorld:
    """The rail, the fees, two merchants and one funded payer per client (module docstring)."""
    from mercato.client import role_settings

    with psycopg.connect(url, autocommit=True) as conn:
        with conn.transaction():
            conn.execute("SELECT payments.set_rail('KCB', p_status => 'ACTIVE')")
            conn.execute("SELECT payments.add_rail_hmac_secret('KCB', %s)", (KEY,))
            conn.execute("SELECT payments.set_fee_rule(NULL, 'PAYMENT', NULL, 'KES', 1.5)")
            conn.execute("SELECT payments.set_fee_rule(NULL, 'WITHDRAWAL', 'KCB', 'KES', 0, 10)")
            merchants = []
            for i in range(2):
                sub = f"tt|pay-merchant-{i}"
                owner = conn.execute("SELECT identity.register_user(%s, 'MERCHANT', %s)",
                                     (sub, f"Torture merchant {i}")).fetchone()[0]
                org = conn.execute("SELECT identity.open_organization('MERCHANT', NULL, %s, %s)",
                                   (f"Torture shop {i}", owner)).fetchone()[0]
                wallet = conn.execute("SELECT payments.wallet_for('ORG', %s, 'KES')", (org,)).fetchone()[0]
                merchants.append((org, sub, wallet))
            people: dict[int, ClientPay] = {}
            for i in range(clients):
                sub = f"tt|payer-{i}"
                uid = conn.execute("SELECT identity.register_user(%s, 'CUSTOMER', %s)", (sub, f"Torture payer {i}")).fetchone()[0]
                conn.execute("SELECT payments.set_kyc_level('USER', %s, 2)", (uid,))
                wallet = conn.execute("SELECT payments.wallet_for('USER', %s, 'KES')", (uid,)).fetchone()[0]
                conn.execute("SELECT ledger.transfer(%s, ledger.open_account('PLATFORM', 'torture', 'EXTERNAL', 'KES', true), "
                             "%s, %s)", (f"tt-payfund-{i}", wallet, START))
                people[i] = ClientPay(sub, uid, wallet)
            revenue = conn.execute("SELECT payments.revenue_account('KES')").fetchone()[0]
        user_settings = role_settings(conn, "mercato_user")
        service_settings = role_settings(conn, "mercato_service")
    return PayWorld(user_settings, service_settings, merchants, people, revenue)


def _state(world: Any, st: Any) -> tuple[PayWorld, ClientPay]:
    w: PayWorld = world.payments
    return w, w.clients[st.client]


def _as(w: PayWorld, conn: psycopg.Connection, sub: str, query: str, params: tuple = ()) -> list[tuple]:
    return _call(conn, "mercato_user", {"sub": sub, "role": "mercato_user"}, w.user_settings, query, params)


def _edge(w: PayWorld, conn: psycopg.Connection, query: str, params: tuple = ()) -> list[tuple]:
    return _call(conn, "mercato_service", {"role": "mercato_service"}, w.service_settings, query, params)


def _amount(st: Any, lo: int, hi: int) -> Decimal:
    return Decimal(st.rng.randint(lo * 100, hi * 100)) / 100


# -- operations ------------------------------------------------------------------------------------

def op_pay_intent(world: Any, st: Any) -> tuple[str, str, Callable]:
    w, me = _state(world, st)
    ref = st.ref("pi")
    merchant = st.rng.choice(w.merchants)[0]
    amount = _amount(st, 1, 50)
    sources = json.dumps([{"wallet_id": me.wallet, "amount": str(amount)}])

    def call(conn: psycopg.Connection) -> tuple:
        try:
            made = _as(w, conn, me.sub, "SELECT api.create_payment_intent(p_merchant_id => %s, p_amount => %s, "
                       "p_currency => 'KES', p_sources => %s::jsonb, p_idempotency_key => %s)",
                       (merchant, amount, sources, f"{ref}-c"))[0][0]
            done = _as(w, conn, me.sub, "SELECT api.confirm_payment_intent(p_intent_id => %s, p_idempotency_key => %s)",
                       (made["id"], f"{ref}-f"))[0][0]
        except psycopg.Error as exc:
            code = refusal_code(exc)
            if code is None:
                raise
            raise Refused(code) from None
        return (made["id"], done["status"], done["amount_captured"])

    def after(result: tuple, _conn: psycopg.Connection) -> None:
        if result[1] == "SUCCEEDED" and result[0] not in me.intents:
            me.intents.append(result[0])
    st.after = after
    return "pay_intent", ref, call


def op_refund_intent(world: Any, st: Any) -> tuple[str, str, Callable] | None:
    w, me = _state(world, st)
    if not me.intents:
        return None
    intent = st.rng.choice(me.intents)
    ref = st.ref("rf")
    amount = _amount(st, 0, 5) + Decimal("0.01")

    def call(conn: psycopg.Connection) -> tuple:
        try:
            owner = _as(w, conn, me.sub, "SELECT (api.get_payment_intent(p_intent_id => %s)) ->> 'merchant_id'",
                        (intent,))[0][0]
            sub = next(s for o, s, _ in w.merchants if str(o) == str(owner))
            doc = _as(w, conn, sub, "SELECT api.refund_payment_intent(p_intent_id => %s, p_amount => %s, "
                      "p_idempotency_key => %s)", (intent, amount, ref))[0][0]
        except psycopg.Error as exc:
            code = refusal_code(exc)
            if code is None:
                raise
            raise Refused(code) from None
        return (intent, json.dumps(doc, sort_keys=True))
    return "refund_intent", ref, call


def op_top_up(world: Any, st: Any) -> tuple[str, str, Callable]:
    w, me = _state(world, st)
    amount = _amount(st, 10, 500).quantize(Decimal("1"))

    def call(conn: psycopg.Connection) -> tuple:
        try:
            doc = _as(w, conn, me.sub, "SELECT api.create_funding_session(p_wallet_id => %s, p_rail => 'KCB', "
                      "p_amount => %s, p_payer => %s)", (me.wallet, amount, f"ACC-{st.client}"))[0][0]
        except psycopg.Error as exc:
            code = refusal_code(exc)
            if code is None:
                raise
            raise Refused(code) from None
        return ("FUNDING", doc["id"], doc["status"])

    def after(result: tuple, _conn: psycopg.Connection) -> None:
        me.sessions.append(result[1])
    st.after = after
    return "top_up", "", call


def op_withdraw(world: Any, st: Any) -> tuple[str, str, Callable]:
    w, me = _state(world, st)
    amount = _amount(st, 10, 200).quantize(Decimal("1"))

    def call(conn: psycopg.Connection) -> tuple:
        try:
            doc = _as(w, conn, me.sub, "SELECT api.request_withdrawal(p_wallet_id => %s, p_rail => 'KCB', "
                      "p_amount => %s, p_destination => %s)", (me.wallet, amount, f"ACC-{st.client}"))[0][0]
        except psycopg.Error as exc:
            code = refusal_code(exc)
            if code is None:
                raise
            raise Refused(code) from None
        return ("WITHDRAWAL", doc["id"], doc["status"])

    def after(result: tuple, _conn: psycopg.Connection) -> None:
        me.withdrawals.append(result[1])
    st.after = after
    return "withdraw", "", call


def _instruction(conn: psycopg.Connection, subject: str, subject_id: int) -> tuple[str, str, str]:
    """What the bank's side knows of our instruction (its adapter received it from the outbox): reference, amount,
    account. Read as the session's own (owner) role: the bank is not an API caller."""
    with conn.transaction():
        conn.execute("SET LOCAL ROLE NONE")
        row = conn.execute("SELECT reference, amount::text, account FROM payments.rail_instruction "
                           "WHERE subject_type = %s AND subject_id = %s", (subject, subject_id)).fetchone()
    return row


def _final(conn: psycopg.Connection, subject: str, subject_id: int) -> str:
    table = "payments.funding_session" if subject == "FUNDING" else "payments.withdrawal"
    with conn.transaction():
        conn.execute("SET LOCAL ROLE NONE")
        return conn.execute(f"SELECT status FROM {table} WHERE id = %s", (subject_id,)).fetchone()[0]


def op_bank_callback(world: Any, st: Any) -> tuple[str, str, Callable] | None:
    w, me = _state(world, st)
    pending = [("FUNDING", s) for s in me.sessions] + [("WITHDRAWAL", x) for x in me.withdrawals]
    if not pending:
        return None
    subject, subject_id = st.rng.choice(pending)
    (me.sessions if subject == "FUNDING" else me.withdrawals).remove(subject_id)
    status = "SUCCEEDED" if st.rng.random() < 0.9 else "FAILED"
    forged_first = st.rng.random() < 0.05
    ref = f"tt-evt-{subject.lower()}-{subject_id}"

    def call(conn: psycopg.Connection) -> tuple:
        reference, amount, account = _instruction(conn, subject, subject_id)
        body = json.dumps({"event_id": ref, "reference": reference, "status": status, "amount": amount,
                           "currency": "KES", "account": account, "transaction_id": f"KCB-{ref}",
                           **({"reason_code": "R01", "reason": "declined"} if status == "FAILED" else {})})
        ts = str(int(time.time()))
        import hashlib
        import hmac

        sig = hmac.new(KEY.encode(), f"{ts}.{body}".encode(), hashlib.sha256).hexdigest()
        if forged_first:
            before = _final(conn, subject, subject_id)
            bad = sig[:-1] + ("0" if sig[-1] != "0" else "1")
            answer = _edge(w, conn, "SELECT api.ingest_webhook(p_provider => 'KCB', p_headers => %s::jsonb, "
                           "p_body => %s)", (json.dumps({"x-mercato-timestamp": ts, "x-mercato-signature": bad}), body))[0][0]
            if answer.get("state") != "REFUSED" or _final(conn, subject, subject_id) != before:
                w.problem(f"a callback with a bad signature for {subject} {subject_id} was answered {answer}")
        _edge(w, conn, "SELECT api.ingest_webhook(p_provider => 'KCB', p_headers => %s::jsonb, p_body => %s)",
              (json.dumps({"x-mercato-timestamp": ts, "x-mercato-signature": sig}), body))
        return (subject, subject_id, _final(conn, subject, subject_id))
    return "bank_callback", ref, call


def op_payments_jobs(world: Any, st: Any) -> tuple[str, str, Callable]:
    w, _me = _state(world, st)
    job = st.rng.choice(("payments.sweep_rail_instructions", "payments.expire_funding_sessions", "payments.intent_expiry"))

    def call(conn: psycopg.Connection) -> tuple:
        with conn.transaction():
            conn.execute("SET LOCAL ROLE NONE")
            conn.execute("SELECT jobs.run(%s, true)", (job,))
        return (job,)
    return "payments_jobs", "", call


OPERATIONS: dict[str, tuple[int, Callable]] = {
    "pay_intent": (10, op_pay_intent),
    "refund_intent": (3, op_refund_intent),
    "top_up": (5, op_top_up),
    "withdraw": (3, op_withdraw),
    "bank_callback": (8, op_bank_callback),
    "payments_jobs": (1, op_payments_jobs),
}


# -- the invariants --------------------------------------------------------------------------------

INVARIANTS = {
    "a payer's wallet other than its top-ups, withdrawals, payments and refunds": """
        SELECT w.account_id, b.balance, x.expected FROM payments.wallet w
          CROSS JOIN LATERAL ledger.account_balance(w.account_id) b
          CROSS JOIN LATERAL (SELECT %(start)s::numeric
                 + coalesce((SELECT sum(f.amount - f.fee) FROM payments.funding_session f
                              WHERE f.wallet_id = w.account_id AND f.status = 'COMPLETED'), 0)
                 - coalesce((SELECT sum(d.amount + d.fee) FROM payments.withdrawal d
                              WHERE d.wallet_id = w.account_id AND d.status = 'COMPLETED'), 0)
                 - coalesce((SELECT sum(s.captured - s.refunded) FROM payments.intent_share s
                              WHERE s.wallet_id = w.account_id), 0) AS expected) x
         WHERE w.user_id = ANY(%(payers)s) AND b.balance <> x.expected""",
    "a merchant's wallet other than its intents' captured - fees - refunded": """
        SELECT w.account_id, b.balance, x.expected FROM payments.wallet w
          CROSS JOIN LATERAL ledger.account_balance(w.account_id) b
          CROSS JOIN LATERAL (SELECT coalesce(sum(i.amount_captured - coalesce(i.fee, 0) - i.amount_refunded), 0) AS expected
                                FROM payments.payment_intent i WHERE i.merchant_id = w.organization_id) x
         WHERE w.organization_id = ANY(%(merchants)s) AND b.balance <> x.expected""",
    "the platform's revenue other than its fee charges": """
        SELECT b.balance, x.fees FROM ledger.account_balance(%(revenue)s) b,
               (SELECT coalesce(sum(fee), 0) AS fees FROM payments.fee_charge WHERE currency = 'KES') x
         WHERE b.balance <> x.fees""",
    "a withdrawal's hold not resolved as its status says": """
        SELECT d.id, d.status, h.status FROM payments.withdrawal d
          JOIN ledger.hold h ON h.reference = 'payments:withdrawal:' || d.id || ':hold'
         WHERE (d.status = 'PENDING' AND h.status <> 'OPEN') OR (d.status = 'COMPLETED' AND h.status <> 'CAPTURED')
            OR (d.status = 'FAILED' AND h.status <> 'RELEASED')""",
    "a provider event applied twice": """
        SELECT provider, dedupe_key, count(*) FROM payments.webhook_event
         WHERE processing_state = 'PROCESSED' AND dedupe_key IS NOT NULL
         GROUP BY 1, 2 HAVING count(*) > 1""",
    "an intent refunded beyond what it captured, or shares not adding up to it": """
        SELECT i.id, i.amount, i.amount_captured, i.amount_refunded, sum(s.captured), sum(s.refunded)
          FROM payments.payment_intent i JOIN payments.intent_share s ON s.intent_id = i.id
         WHERE i.status = 'SUCCEEDED'
         GROUP BY i.id HAVING i.amount_refunded > i.amount_captured OR sum(s.captured) <> i.amount_captured
                            OR sum(s.refunded) <> i.amount_refunded""",
}

SUMMARY = ("intents succeeded", "refunds", "top-ups completed", "top-ups failed", "withdrawals completed",
           "withdrawals failed", "webhook events", "refused webhook events", "fees")
SUMMARY_SQL = """
    SELECT (SELECT count(*) FROM payments.payment_intent WHERE status = 'SUCCEEDED'),
           (SELECT count(*) FROM payments.intent_refund),
           (SELECT count(*) FROM payments.funding_session WHERE status = 'COMPLETED'),
           (SELECT count(*) FROM payments.funding_session WHERE status = 'FAILED'),
           (SELECT count(*) FROM payments.withdrawal WHERE status = 'COMPLETED'),
           (SELECT count(*) FROM payments.withdrawal WHERE status = 'FAILED'),
           (SELECT count(*) FROM payments.webhook_event),
           (SELECT count(*) FROM payments.webhook_event WHERE processing_state = 'REFUSED'),
           (SELECT coalesce(sum(fee), 0)::text FROM payments.fee_charge)"""


def verify_payments(url: str, world: PayWorld, acks: list[Any]) -> list[str]:
    """The payments invariants (module docstring) on the final state, and what the clients were answered."""
    problems = list(world.problems)
    params = {"start": START, "payers": [c.user_id for c in world.clients.values()],
              "merchants": [m[0] for m in world.merchants], "revenue": world.revenue}
    with psycopg.connect(url, autocommit=True) as conn:
        for label, query in INVARIANTS.items():
            try:
                rows = conn.execute(query, params).fetchall()
            except psycopg.Error as exc:
                problems.append(f"{label}: the check itself failed: {exc}")
                continue
            if rows:
                problems.append(f"{label}: {len(rows)} violations, e.g. {rows[:3]}")
        intents = dict(conn.execute("SELECT id, status FROM payments.payment_intent").fetchall())
        sessions = dict(conn.execute("SELECT id, status FROM payments.funding_session").fetchall())
        withdrawals = dict(conn.execute("SELECT id, status FROM payments.withdrawal").fetchall())
        for ack in acks:
            if ack.kind == "pay_intent" and intents.get(ack.result[0]) is None:
                problems.append(f"acknowledged intent {ack.result[0]} ({ack.reference}) is missing")
            elif ack.kind == "pay_intent" and ack.result[1] == "SUCCEEDED" and intents[ack.result[0]] != "SUCCEEDED":
                problems.append(f"acknowledged intent {ack.result[0]} SUCCEEDED is {intents[ack.result[0]]}")
            elif ack.kind in ("top_up", "withdraw"):
                table = sessions if ack.result[0] == "FUNDING" else withdrawals
                if ack.result[1] not in table:
                    problems.append(f"acknowledged {ack.kind} {ack.result[1]} is missing")
            elif ack.kind == "bank_callback":
                subject, sid, final = ack.result
                found = (sessions if subject == "FUNDING" else withdrawals).get(sid)
                if found != final:
                    problems.append(f"{subject} {sid} was answered {final} after its callback, is {found}")
        world.summary = dict(zip(SUMMARY, conn.execute(SUMMARY_SQL).fetchone()))
    return problems


__all__ = ["OPERATIONS", "PayWorld", "setup_payments", "verify_payments"]
