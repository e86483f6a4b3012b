"""``mercato bench marketplace``: the marketplace's heavy operations against a real server.

Three cases, each on its own freshly deployed database (``<prefix>_<case>``):

``otp``
    OTP verifications per second at N clients (pgbench, one correct-code verification with its handover
    per pgbench transaction, each client acting as the business over ``request.jwt.claims`` exactly as
    PostgREST would), as a ratio to pgbench's TPC-B-like run at the same client count in the same
    invocation (target ≥ 0.8 ×). The sessions and their codes are issued beforehand through
    ``delivery.start_session`` (the harness keeps the codes it is given once, in a table of its own).
    With ``rounds`` > 1 the OTP run repeats, a TPC-B run before and after each; the ratio is the median of
    the rounds' ratios. Every round must verify every code it tries (a code that expired would make the
    call cheaper and the figure void), so the runs must fit in OTP_EXPIRY_MINUTES, which the fixture sets
    to its maximum (10).
``tiers``
    ``parties.recalculate_tiers()`` over P providers (default 100,000) with their vehicles and active
    contracts: seconds and providers per second.
``settlement``
    ``settlement.run_period()`` over C active contracts (default 10,000) with escrow holds: seconds and
    contracts per second.

Fixtures (parties, RFQs, awards, vehicles, assignments) are bulk-loaded by the harness as the database
owner — what is measured is the function under test, and contracts are still created and escrowed through
``contracts.create_contract`` / ``contracts.activate_contract`` so that the holds are real. After each case
``ledger.check()`` (and ``contracts.check()`` / ``settlement.check()`` where they apply) must be clean.
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql
from psycopg.conninfo import make_conninfo

from mercato.harness import bench as b

LogFn = Callable[[str], None]
MARKERS = ("<!-- marketplace:start -->", "<!-- marketplace:end -->")


@dataclass
class Result:
    case: str
    value: float | None = None          # tps (otp) or seconds (tiers, settlement)
    unit: str = ""
    items: int = 0                      # providers / contracts / verifications
    per_second: float | None = None
    baseline_tps: list[float] = field(default_factory=list)
    ratio: float | None = None
    target: str = ""
    met: bool | None = None
    checks_ok: bool = True
    failures: list[str] = field(default_factory=list)
    notes: str = ""


def _recreate(admin_url: str, name: str) -> None:
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def _deploy(url: str) -> None:
    from mercato.sqitch import Engine

    Engine.from_project(url).deploy()


def _checks(conn: psycopg.Connection, functions: tuple[str, ...]) -> list[str]:
    failures = []
    for fn in functions:
        for row in conn.execute(f"SELECT check_name, ok, violations FROM {fn}()").fetchall():
            if not row[1]:
                failures.append(f"{fn}: {row[0]} ({row[2]} violations)")
    return failures


# -- fixtures ---------------------------------------------------------------------------------------

FIXTURE_PARTIES = """
-- p_businesses businesses and p_providers providers with funded wallets, tiers at their defaults.
CREATE TEMP TABLE bench_param AS SELECT %(businesses)s::int AS businesses, %(providers)s::int AS providers;
INSERT INTO identity.user_account (auth_subject, user_type, display_name, phone)
SELECT 'bench|b' || g, 'BUSINESS', 'Business ' || g, '+2519' || lpad(g::text, 8, '0') FROM generate_series(1, %(businesses)s) g;
INSERT INTO identity.user_account (auth_subject, user_type, display_name)
SELECT 'bench|p' || g, 'PROVIDER', 'Provider ' || g FROM generate_series(1, %(providers)s) g;
INSERT INTO parties.business (user_id, name, business_type, kyb_status)
SELECT u.id, u.display_name, 'LOGISTICS', 'VERIFIED' FROM identity.user_account u WHERE u.auth_subject LIKE 'bench|b%%';
INSERT INTO parties.provider (user_id, provider_type, name, verification_status, trust_score)
SELECT u.id, 'COMPANY', u.display_name, 'VERIFIED', (u.id * 37) %% 101
  FROM identity.user_account u WHERE u.auth_subject LIKE 'bench|p%%';
"""

FIXTURE_WALLETS = """
UPDATE parties.business b SET wallet_account_id = ledger.open_account('BUSINESS', b.id::text, 'MAIN', 'ETB');
UPDATE parties.provider p SET wallet_account_id = ledger.open_account('PROVIDER', p.id::text, 'MAIN', 'ETB');
"""


def _fund_businesses(conn: psycopg.Connection, amount: str) -> None:
    bank = conn.execute("SELECT ledger.open_account('PLATFORM', 'bank', 'CLEARING', 'ETB', true)").fetchone()[0]
    wallets = [r[0] for r in conn.execute("SELECT wallet_account_id FROM parties.business ORDER BY id").fetchall()]
    for i in range(0, len(wallets), 5000):
        doc = [{"reference": f"bench-fund-{w}", "debit_account_id": bank, "credit_account_id": w, "amount": amount}
               for w in wallets[i:i + 5000]]
        conn.execute("SELECT count(*) FROM ledger.post_batch(%s)", (json.dumps(doc),))


FIXTURE_AWARDED_RFQS = """
SET LOCAL mercato.bulk_load = on;  -- historical bids on awarded RFQs (marketplace.bid_window_trg); this script's transaction only
-- One awarded RFQ per contract to be: business = round robin, one line of %(qty)s SEDAN(s) at 1000.00 a day from
-- %(start)s to %(end)s, one bid by a provider (round robin), awarded in full.
INSERT INTO marketplace.rfq (business_id, title, currency, start_date, end_date, bid_deadline, status, published_at, awarded_at)
SELECT b.id, 'bench rfq ' || g, 'ETB', %(start)s::date, %(end)s::date, %(start)s::date - 2, 'AWARDED',
       %(start)s::date - 5, %(start)s::date - 1
  FROM generate_series(1, %(n)s) g
  JOIN (SELECT id, row_number() OVER (ORDER BY id) - 1 AS k FROM parties.business) b
    ON b.k = (g - 1) %% (SELECT count(*) FROM parties.business);
INSERT INTO marketplace.rfq_line (rfq_id, line_no, vehicle_type, quantity_required)
SELECT r.id, 1, 'SEDAN', %(qty)s FROM marketplace.rfq r;
INSERT INTO marketplace.bid (rfq_id, provider_id, status)
SELECT r.id, p.id, 'AWARDED'
  FROM (SELECT id, row_number() OVER (ORDER BY id) - 1 AS k FROM marketplace.rfq) r
  JOIN (SELECT id, row_number() OVER (ORDER BY id) - 1 AS k FROM parties.provider) p
    ON p.k = r.k %% (SELECT count(*) FROM parties.provider);
INSERT INTO marketplace.bid_line (bid_id, rfq_line_id, unit_price, quantity_offered)
SELECT bd.id, l.id, 1000.00, %(qty)s FROM marketplace.bid bd JOIN marketplace.rfq_line l ON l.rfq_id = bd.rfq_id;
INSERT INTO marketplace.award (rfq_id, rfq_line_id, bid_id, provider_id, quantity_awarded, unit_price, awarded_at)
SELECT bd.rfq_id, l.id, bd.id, bd.provider_id, %(award_qty)s, 1000.00, %(start)s::date - 1
  FROM marketplace.bid bd JOIN marketplace.rfq_line l ON l.rfq_id = bd.rfq_id;
"""

FIXTURE_VEHICLES_AND_ASSIGNMENTS = """
-- One SEDAN per vehicle of each contract line, delivered on the contract's first day (the harness marks the handover).
WITH v AS (
    INSERT INTO fleet.vehicle (provider_id, plate_number, vehicle_type, engine_type, seat_count, status)
    SELECT l.provider_id, 'BX' || l.id || '-' || q, 'SEDAN', 'PETROL', 4, 'ACTIVE'
      FROM contracts.contract_line l, generate_series(1, l.quantity) q
    RETURNING id, plate_number)
INSERT INTO contracts.assignment (contract_line_id, contract_id, provider_id, vehicle_id, period, status, started_on)
SELECT l.id, l.contract_id, l.provider_id, v.id, daterange(k.start_date, k.end_date, '[]'), 'ACTIVE', k.start_date
  FROM contracts.contract_line l
  JOIN contracts.contract k ON k.id = l.contract_id
  CROSS JOIN generate_series(1, l.quantity) q
  JOIN v ON v.plate_number = 'BX' || l.id || '-' || q;
"""


class MarketplaceBench:
    def __init__(self, server_url: str, *, prefix: str = "mercato_bench_mp", log: LogFn | None = None) -> None:
        self.server_url = server_url
        self.admin_url = make_conninfo(server_url, dbname="postgres")
        self.prefix = prefix
        self.log: LogFn = log or (lambda _line: None)

    def url(self, case: str) -> str:
        return make_conninfo(self.server_url, dbname=f"{self.prefix}_{case}")

    def _fresh(self, case: str) -> str:
        url = self.url(case)
        _recreate(self.admin_url, f"{self.prefix}_{case}")
        self.log(f"[setup] {self.prefix}_{case}: deploying the Sqitch plan")
        _deploy(url)
        return url

    # settlement ----------------------------------------------------------------------------------
    def settlement(self, contracts: int = 10_000) -> Result:
        url = self._fresh("settlement")
        today = dt.date.today()
        start, end = today - dt.timedelta(days=30), today + dt.timedelta(days=29)
        t0 = time.monotonic()
        with psycopg.connect(url, autocommit=True) as conn:
            businesses, providers = max(1, contracts // 20), max(1, contracts // 5)
            conn.execute(FIXTURE_PARTIES % {"businesses": businesses, "providers": providers})
            conn.execute(FIXTURE_WALLETS)
            # each contract: 1 vehicle x 1000.00 x 60 days = 60,000.00 ETB, 20 contracts per business
            _fund_businesses(conn, str(60_000 * 20 + 1000))
            conn.execute(FIXTURE_AWARDED_RFQS % {"n": contracts, "qty": 1, "award_qty": 1, "start": f"'{start}'", "end": f"'{end}'"})
            self.log(f"[setup] {contracts:,} awarded RFQs; creating and activating the contracts through the functions")
            conn.execute("""
                DO $$ DECLARE r record; c contracts.contract; BEGIN
                  FOR r IN SELECT id FROM marketplace.rfq ORDER BY id LOOP
                    c := contracts.create_contract(r.id);
                    PERFORM contracts.activate_contract(c.id);
                  END LOOP;
                END $$""")
            conn.execute(FIXTURE_VEHICLES_AND_ASSIGNMENTS)
            conn.execute("VACUUM ANALYZE")
            setup_s = time.monotonic() - t0
            self.log(f"[setup] done in {setup_s:.1f} s; settling {start}..{today - dt.timedelta(days=1)}")
            t1 = time.monotonic()
            # The back office's path: one committed transaction per provider (settlement.run_period_in_steps).
            made, skipped = conn.execute("CALL settlement.run_period_in_steps(%s, %s)",
                                         (start, today - dt.timedelta(days=1))).fetchone()
            seconds = time.monotonic() - t1
            cycles, lines, gross = conn.execute(
                "SELECT count(DISTINCT c.id), count(l.*), coalesce(sum(l.gross), 0) FROM settlement.cycle c "
                "JOIN settlement.cycle_line l ON l.cycle_id = c.id").fetchone()
            failures = _checks(conn, ("ledger.check", "contracts.check", "settlement.check"))
        self.log(f"      {seconds:.1f} s for {lines:,} contract lines in {cycles:,} provider cycles"
                 + (f"; CHECK FAILED: {failures}" if failures else ""))
        return Result("settlement", round(seconds, 2), "s", contracts, round(lines / seconds, 1) if seconds else None,
                      target="(no target: seconds)", checks_ok=not failures, failures=failures,
                      notes=f"CALL settlement.run_period_in_steps (one committed transaction per provider): {cycles:,} "
                            f"provider cycles, {lines:,} lines, gross {gross:,} ETB; fixture set-up {setup_s:.0f} s")

    # tiers ---------------------------------------------------------------------------------------
    def tiers(self, providers: int = 100_000) -> Result:
        url = self._fresh("tiers")
        today = dt.date.today()
        t0 = time.monotonic()
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(FIXTURE_PARTIES % {"businesses": max(1, providers // 100), "providers": providers})
            # A third of the providers have vehicles in one active contract (bulk-loaded ACTIVE; no escrow needed here).
            active = providers // 3
            # Fleet sizes 1..5 for most, 15..19 for every 10th, 30..39 for every 50th: every threshold is crossed.
            conn.execute(FIXTURE_AWARDED_RFQS % {
                "n": active, "qty": 40, "start": f"'{today - dt.timedelta(days=10)}'", "end": f"'{today + dt.timedelta(days=50)}'",
                "award_qty": "CASE WHEN bd.provider_id % 50 = 0 THEN 30 + bd.provider_id % 10 "
                             "WHEN bd.provider_id % 10 = 0 THEN 15 + bd.provider_id % 5 ELSE 1 + bd.provider_id % 5 END"})
            conn.execute("""
                INSERT INTO contracts.contract (contract_number, rfq_id, business_id, currency, start_date, end_date,
                                                total_amount, status, commission_policy_version_id,
                                                business_wallet_account_id, activated_at)
                SELECT 'BT-' || r.id, r.id, r.business_id, 'ETB', r.start_date, r.end_date,
                       a.quantity_awarded * 1000 * (r.end_date - r.start_date + 1), 'ACTIVE',
                       (SELECT id FROM masterdata.policy_version WHERE policy_code = 'COMMISSION_STRATEGY' AND version = 1),
                       ledger.open_account('BUSINESS', r.business_id::text, 'MAIN', 'ETB'), now()
                  FROM marketplace.rfq r JOIN marketplace.award a ON a.rfq_id = r.id""")
            conn.execute("""
                INSERT INTO contracts.party_provider (contract_id, provider_id, name, provider_type, tier_code, trust_score,
                                                      commission_rate, commission_min, commission_max, wallet_account_id, snapshot)
                SELECT k.id, p.id, p.name, p.provider_type, p.tier_code, p.trust_score, 0.1, 0, NULL,
                       ledger.open_account('PROVIDER', p.id::text, 'MAIN', 'ETB'), '{}'
                  FROM contracts.contract k JOIN marketplace.award a ON a.rfq_id = k.rfq_id
                  JOIN parties.provider p ON p.id = a.provider_id""")
            conn.execute("""
                INSERT INTO contracts.contract_line (contract_id, award_id, rfq_line_id, provider_id, vehicle_type, engine_type,
                                                     with_driver, quantity, unit_price, days, total_amount)
                SELECT k.id, a.id, a.rfq_line_id, a.provider_id, 'SEDAN', NULL, false, a.quantity_awarded, 1000,
                       k.end_date - k.start_date + 1, a.quantity_awarded * 1000 * (k.end_date - k.start_date + 1)
                  FROM contracts.contract k JOIN marketplace.award a ON a.rfq_id = k.rfq_id""")
            conn.execute(FIXTURE_VEHICLES_AND_ASSIGNMENTS)
            conn.execute("VACUUM ANALYZE")
            setup_s = time.monotonic() - t0
            counts = conn.execute("SELECT (SELECT count(*) FROM parties.provider), (SELECT count(*) FROM fleet.vehicle),"
                                  " (SELECT count(*) FROM contracts.assignment)").fetchone()
            self.log(f"[setup] {counts[0]:,} providers, {counts[1]:,} vehicles, {counts[2]:,} active assignments "
                     f"in {setup_s:.1f} s; recalculating tiers")
            t1 = time.monotonic()
            summary = conn.execute("SELECT * FROM parties.recalculate_tiers()").fetchall()
            seconds = time.monotonic() - t1
            again = time.monotonic()
            conn.execute("SELECT * FROM parties.recalculate_tiers()").fetchall()
            second_s = time.monotonic() - again
            spread = conn.execute("SELECT tier_code, count(*) FROM parties.provider GROUP BY 1 ORDER BY 1").fetchall()
        self.log(f"      {seconds:.1f} s ({providers / seconds:,.0f} providers/s); again, nothing to change: {second_s:.1f} s")
        return Result("tiers", round(seconds, 2), "s", providers, round(providers / seconds, 1) if seconds else None,
                      target="(no target: seconds)",
                      notes=f"{counts[1]:,} vehicles, {counts[2]:,} active assignments; result {summary}; tiers after: "
                            + ", ".join(f"{t} {n:,}" for t, n in spread)
                            + f"; a second run with nothing to change: {second_s:.1f} s; fixture set-up {setup_s:.0f} s")

    # otp -----------------------------------------------------------------------------------------
    OTP_SCRIPT = """-- mercato bench marketplace: one OTP verification (right code, with its handover) per transaction, as the
-- business of the session (claims set exactly as PostgREST sets them, then the mercato_user role).
BEGIN;
SELECT set_config('request.jwt.claims', o.claims, true) AS claims, o.session_id AS sid, o.code AS code
  FROM bench_otp o WHERE o.n = (SELECT nextval('bench_otp_seq')) \\gset
SET LOCAL ROLE mercato_user;
SELECT verified FROM api.verify_code(:sid, lpad((:code)::text, 6, '0'), '{"fuel_level": "FULL", "odometer_km": 1000}');
END;
"""

    #: Codes live at most OTP_EXPIRY_MINUTES (at most 10): set-up of the baseline plus every run must fit in that.
    OTP_CODE_LIFETIME_S = 600
    #: Codes issued per second of OTP run: more than the machine verifies, so that no run runs out.
    OTP_CODES_PER_RUN_SECOND = 2500

    @classmethod
    def otp_plan_seconds(cls, seconds: int, rounds: int) -> int:
        """A generous estimate of the time from issuing the first code to the last OTP run: issuing the codes (2,500
        per run-second, ≈ 2,000 a second), the baseline's set-up (≈ 60 s at scale 50) and 2 × rounds + 1 runs with
        their CHECKPOINTs."""
        return cls.OTP_CODES_PER_RUN_SECOND * seconds * rounds // 2000 + 90 + (2 * rounds + 1) * (seconds + 10)

    def otp(self, clients: int = 8, seconds: int = 30, sessions: int | None = None, scale: int = 50,
            rounds: int = 1) -> Result:
        if self.otp_plan_seconds(seconds, rounds) > self.OTP_CODE_LIFETIME_S:
            raise ValueError(f"{rounds} rounds of {seconds} s do not fit in the codes' lifetime "
                             f"({self.OTP_CODE_LIFETIME_S // 60} minutes): fewer rounds or shorter runs")
        url = self._fresh("otp")
        today = dt.date.today()
        # Enough issued codes for the run (each is verified once), spread over 100 providers and 10 businesses as real
        # traffic would be (a verification writes no provider or business row: its trust outcome is a pending event).
        sessions = sessions or max(2000, self.OTP_CODES_PER_RUN_SECOND * seconds * rounds)
        providers = 100
        per = -(-sessions // providers)
        t0 = time.monotonic()
        with psycopg.connect(url, autocommit=True) as conn:
            # The longest lifetime a code may have (the verification does the same work whatever it is); set as the
            # owner, like the rest of the fixture.
            conn.execute("UPDATE masterdata.setting SET value = '10' WHERE key = 'OTP_EXPIRY_MINUTES'")
            conn.execute(FIXTURE_PARTIES % {"businesses": 10, "providers": providers})
            conn.execute(FIXTURE_WALLETS)
            _fund_businesses(conn, str(1000 * per * 30 * 20))
            conn.execute(FIXTURE_AWARDED_RFQS % {"n": providers, "qty": per, "award_qty": per, "start": f"'{today + dt.timedelta(days=1)}'",
                                                 "end": f"'{today + dt.timedelta(days=30)}'"})
            conn.execute("""
                DO $$ DECLARE r record; c contracts.contract; BEGIN
                  FOR r IN SELECT id FROM marketplace.rfq ORDER BY id LOOP
                    c := contracts.create_contract(r.id);
                    PERFORM contracts.activate_contract(c.id);
                  END LOOP;
                END $$""")
            conn.execute(FIXTURE_VEHICLES_AND_ASSIGNMENTS.replace("'ACTIVE', k.start_date", "'PENDING_DELIVERY', NULL"))
            self.log(f"[setup] {sessions:,} assignments pending delivery; issuing their codes through delivery.start_session")
            conn.execute("CREATE TABLE bench_otp (n bigint PRIMARY KEY, session_id bigint, code text, claims text)")
            conn.execute("CREATE SEQUENCE bench_otp_seq")
            conn.execute("""
                DO $$ DECLARE a record; s record; i bigint := 0; BEGIN
                  -- Codes are numbered round-robin over the providers, so that concurrent clients verify handovers
                  -- of different providers, as real traffic would.
                  FOR a IN SELECT x.id, u.auth_subject AS provider_sub, bu.auth_subject AS business_sub
                             FROM contracts.assignment x
                             JOIN parties.provider p ON p.id = x.provider_id JOIN identity.user_account u ON u.id = p.user_id
                             JOIN contracts.contract k ON k.id = x.contract_id JOIN parties.business b ON b.id = k.business_id
                             JOIN identity.user_account bu ON bu.id = b.user_id
                            ORDER BY row_number() OVER (PARTITION BY x.provider_id ORDER BY x.id), x.provider_id LOOP
                    PERFORM set_config('request.jwt.claims', json_build_object('sub', a.provider_sub, 'role', 'mercato_user')::text, true);
                    SELECT * INTO s FROM delivery.start_session(a.id, 'DELIVERY');
                    i := i + 1;
                    -- the code as the business's phone receives it: the outbox message's secret (read as the owner)
                    INSERT INTO bench_otp VALUES (i, s.session_id,
                                                  (SELECT ms.secret ->> 'code' FROM outbox.message_secret ms WHERE ms.message_id = s.message_id),
                                                  json_build_object('sub', a.business_sub, 'role', 'mercato_user')::text);
                  END LOOP;
                END $$""")
            conn.execute("VACUUM ANALYZE")
        setup_s = time.monotonic() - t0
        inner = b.Bench(b.Settings(url=self.server_url, seconds=seconds, clients=(clients,), accounts=2, scale=scale,
                                   db_prefix=f"{self.prefix}_otpbase"), Path("."), log=self.log)
        inner.setup_tpcb()
        with tempfile.NamedTemporaryFile("w", suffix=".sql", delete=False) as f:
            f.write(self.OTP_SCRIPT)
            script = Path(f.name)
        bases = [inner.run_tpcb(clients).tps]
        runs: list[b.PgbenchResult] = []
        failures: list[str] = []
        ratios: list[float | None] = []
        try:
            with psycopg.connect(url, autocommit=True) as conn:
                count = "SELECT count(*) FROM delivery.session WHERE status = 'VERIFIED'"
                for round_ in range(1, rounds + 1):
                    self.log(f"[run] OTP verifications, {clients} clients, {seconds} s"
                             + (f", round {round_} of {rounds}" if rounds > 1 else ""))
                    before = conn.execute(count).fetchone()[0]
                    res = inner._pgbench(url, clients, script)
                    done = conn.execute(count).fetchone()[0] - before
                    runs.append(res)
                    if res.error or res.failed:
                        failures.append(f"pgbench: {res.error or ''} failed {res.failed}")
                    if res.transactions is not None and done != res.transactions:
                        failures.append(f"round {round_}: {res.transactions:,} calls verified {done:,} codes "
                                        "(codes expired or were used up: the figure is void)")
                    bases.append(inner.run_tpcb(clients).tps)
                    basis = [x for x in bases[-2:] if x]
                    ratios.append(res.tps / (sum(basis) / len(basis)) if res.tps and len(basis) == 2 else None)
                    self.log(f"      {res.tps or 0:,.1f} verifications/s, {done:,} verified; TPC-B around it "
                             + ", ".join(f"{x or 0:,.1f}" for x in bases[-2:]) + f" → {ratios[-1] or 0:.2f}")
                verified = conn.execute(count).fetchone()[0]
                failures += _checks(conn, ("ledger.check", "contracts.check"))
        finally:
            script.unlink()
            inner.drop_databases()
        ratio = b.median_of(ratios)
        tps = b.median_of([r.tps for r in runs])
        known = [x for x in bases if x]
        spread = (f"; ratio by round " + ", ".join(f"{x:.2f}" if x else "—" for x in ratios) + " (median shown)"
                  if rounds > 1 else "")
        return Result("otp", round(tps, 1) if tps else None, "verifications/s", verified, tps,
                      baseline_tps=known, ratio=round(ratio, 2) if ratio else None, target="≥ 0.8 × TPC-B",
                      met=bool(ratio and ratio >= 0.8 and not failures), checks_ok=not failures, failures=failures,
                      notes=f"{clients} clients, {seconds} s" + (f", {rounds} rounds" if rounds > 1 else "")
                            + "; TPC-B runs " + ("before and after" if rounds == 1 else "before, between and after")
                            + ": " + ", ".join(f"{x:,.1f}" for x in known) + spread
                            + f"; {sessions:,} codes issued; set-up {setup_s:.0f} s")


def render_markdown(results: list[Result], *, command: str, machine: dict[str, Any]) -> str:
    when = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    out = ["## Marketplace results", "", f"Generated by `{command}` on {when}.", "",
           f"- Machine: {machine.get('machine', '')}; load average before {machine.get('load', '')}",
           f"- Server: {machine.get('server', '')}", "",
           "| case | result | items | per second | TPC-B tps (same run) | ratio | target | met? | checks |",
           "|---|---:|---:|---:|---:|---:|---|---|---|"]
    for r in results:
        base = ", ".join(f"{x:,.1f}" for x in r.baseline_tps) or "—"
        out.append(f"| {r.case} | {r.value if r.value is not None else '—'} {r.unit} | {r.items:,} | "
                   f"{f'{r.per_second:,.1f}' if r.per_second else '—'} | {base} | {r.ratio if r.ratio is not None else '—'} | "
                   f"{r.target} | {'yes' if r.met else ('**no**' if r.met is False else '—')} | "
                   f"{'ok' if r.checks_ok else 'FAILED: ' + '; '.join(r.failures)} |")
    out.append("")
    for r in results:
        out.append(f"- **{r.case}**: {r.notes}")
    return "\n".join(out) + "\n"


def update_markdown(path: Path, section: str) -> None:
    start_marker, end_marker = MARKERS
    block = f"{start_marker}\n{section.rstrip()}\n{end_marker}"
    text = path.read_text() if path.exists() else "# Benchmarks\n"
    start, end = text.find(start_marker), text.find(end_marker)
    if start != -1 and end != -1 and end > start:
        text = text[:start] + block + text[end + len(end_marker):]
    else:
        text = text.rstrip() + "\n\n" + block + "\n"
    path.write_text(text if text.endswith("\n") else text + "\n")
