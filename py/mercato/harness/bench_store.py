"""The store benchmark (``mercato bench store``): stock reservations, shipping and catalog search against a real server,
each as a ratio to pgbench's TPC-B-like run at the same client count in the same invocation (issue 18).

One invocation (:func:`run`):

1. creates ``<prefix>`` (the whole plan deployed) and ``<prefix>_tpcb`` (``pgbench -i``), and seeds, as the superuser
   and set-based: one shop tenant in USD, ``products`` catalog products with one variant each (titles, descriptions,
   vendors, categories and tags of a trading-card store, so that full-text search has something to rank), two ACTIVE
   online locations made through ``api.create_inventory_location`` by the shop's administrator, and stock for every
   variant at both, received as RECEIPT movements through ``inventory.add_movement`` (the movement writer), so that on
   hand is the sum of the movements from the start. One variant in the middle of the id range is the hot one, with
   stock enough for every run;
2. per client count (``--clients``, 8 and 32) and round: TPC-B, each case, TPC-B; each case against the mean of the
   TPC-B runs just before and after it, medians over rounds;
3. every case is a pgbench script making the calls PostgREST makes: one transaction with the claims of the shop's
   TENANT_ADMIN (``{"sub", "role": "mercato_user"}``), the role and the role's own settings set with
   ``set_config(…, true)`` as :class:`mercato.client.Client` does, then the ``api`` call(s) with named arguments,
   then COMMIT. The cases are a registry (:data:`CASES`): a case is a function returning its script plus one line;
4. after every case run: ``inventory.check()`` must return no violation and no pgbench transaction may have failed
   (a case whose check fails fails the command, whatever its speed);
5. measures where the time goes, as the other benches do: CPU per call (pgbench and the server's own processes, from
   /proc), WAL per call (``pg_stat_wal``), and what the case's backends wait on (``pg_stat_activity`` sampled every
   0.1 s: row and transaction locks, WAL flushes, CPU), optionally the per-function self time (``--profile``).

A benchmark is not a test: nothing here asserts on speed.
"""

from __future__ import annotations

import json
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql
from psycopg.conninfo import make_conninfo

from mercato.harness import bench as b

LogFn = Callable[[str], None]
MARKERS = ("<!-- store:start -->", "<!-- store:end -->")
TENANT = "bench-store"
ADMIN_SUB = "bench|store-admin"
#: on hand of every variant at each location, and of the hot variant (never runs out in a bench)
STOCK = 1_000
HOT_STOCK = 50_000_000

# -- the catalog's vocabulary ---------------------------------------------------------------------------------------
#: 15 names per category, in category order: a product's name decides its category (CATEGORIES[(name - 1) // 15])
NAMES = (
    "charizard pikachu blastoise venusaur mewtwo gengar eevee snorlax lugia rayquaza gyarados dragonite umbreon "
    "lucario greninja "
    "jace liliana teferi ugin emrakul sheoldred tarmogoyf thoughtseize ragavan brainstorm counterspell bolas "
    "griselbrand karn narset "
    "exodia kuriboh jinzo slifer obelisk kaiba pegasus magician raigeki dragonmaid nibiru ashblossom tearlaments "
    "labrynth kashtira "
    "jordan lebron kobe brady mahomes ohtani trout judge messi ronaldo gretzky crosby curry wembanyama griffey").split()
CATEGORIES = ("Pokemon", "Magic", "YuGiOh", "Sports")
SETS = ("base jungle fossil rocket neo gym legends origins eclipse chrome prizm optic select mosaic alpha beta "
        "unlimited revised modern heritage").split()
RARITIES = ("Holo Rare", "Rare", "Common", "Uncommon", "Promo", "Secret Rare", "Full Art")
VENDORS = ("The Pokemon Company", "Wizards of the Coast", "Konami", "Topps", "Panini", "Upper Deck", "Bandai",
           "Local Consignor", "Estate Collection", "Card Kingdom Trade-in")
TYPES = ("Single", "Graded slab", "Booster pack", "Sealed box")
CONDITIONS = ("near mint", "lightly played", "moderately played", "heavily played", "damaged")
GRADERS = ("PSA", "BGS", "CGC", "SGC")


def _arr(values: Sequence[str]) -> str:
    """A text[] literal of SQL (values without quotes or backslashes)."""
    return "ARRAY[" + ", ".join("'" + v.replace("'", "''") + "'" for v in values) + "]"


SEED_PRODUCTS = f"""
INSERT INTO catalog.product (tenant_id, title, description, vendor, product_type, category, tags, status, published_at)
SELECT %(tenant)s,
       initcap(nm) || ' ' || initcap(st) || ' ' || (1 + g % 150) || '/' || (150 + g % 50) || ' ' || rar
           || CASE WHEN ty = 'Graded slab' THEN ' ' || gr || ' ' || (1 + (g / 7) % 10) ELSE '' END,
       initcap(cond) || ' ' || initcap(nm) || ' from the ' || initcap(st) || ' set, ' || lower(rar) || ' print. '
           || CASE WHEN ty = 'Graded slab' THEN 'Graded ' || gr || ' ' || (1 + (g / 7) % 10) || ', sealed in its slab. '
                   ELSE 'Ships in a penny sleeve and a top loader. ' END
           || 'Pairs well with ' || initcap(other) || '. Stock photo; the card you receive is the one described.',
       (({_arr(VENDORS)})::text[])[1 + (g * 7) % {len(VENDORS)}],
       ty, (({_arr(CATEGORIES)})::text[])[1 + (g % {len(NAMES)}) / 15],
       ARRAY[lower(split_part(rar, ' ', 1)), st, CASE WHEN ty = 'Graded slab' THEN lower(gr) ELSE 'raw' END,
             (1995 + g % 30)::text],
       CASE WHEN g % 50 = 0 THEN 'DRAFT' ELSE 'ACTIVE' END,
       CASE WHEN g % 50 = 0 THEN NULL ELSE now() END
  FROM (SELECT g,
               (({_arr(NAMES)})::text[])[1 + g % {len(NAMES)}] AS nm,
               (({_arr(NAMES)})::text[])[1 + (g * 13 + 5) % {len(NAMES)}] AS other,
               (({_arr(SETS)})::text[])[1 + (g / {len(NAMES)}) % {len(SETS)}] AS st,
               (({_arr(RARITIES)})::text[])[1 + (g * 31) % {len(RARITIES)}] AS rar,
               (({_arr(TYPES)})::text[])[1 + (g * 17) % {len(TYPES)}] AS ty,
               (({_arr(CONDITIONS)})::text[])[1 + (g * 11) % {len(CONDITIONS)}] AS cond,
               (({_arr(GRADERS)})::text[])[1 + (g * 3) % {len(GRADERS)}] AS gr
          FROM generate_series(0, %(n)s - 1) AS g) x
 ORDER BY g
"""

SEED_VARIANTS = """
INSERT INTO catalog.variant (tenant_id, product_id, sku, barcode, currency, price, cost, inventory_policy, track_inventory)
SELECT p.tenant_id, p.id, 'BS-' || lpad(p.id::text, 7, '0'), '0' || (400000000000 + p.id)::text, 'USD',
       round((0.25 + (p.id * 7919 % 500000) / 100.0)::numeric, 2), round((0.10 + (p.id * 7919 % 500000) / 200.0)::numeric, 2),
       'DENY', true
  FROM catalog.product p WHERE p.tenant_id = %(tenant)s ORDER BY p.id
"""
# modulo in SQL passed with parameters
SEED_PRODUCTS, SEED_VARIANTS = (q.replace(" % ", " %% ") for q in (SEED_PRODUCTS, SEED_VARIANTS))


# -- the cases ---------------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class StoreCase:
    """A store workload: a function writing its pgbench script, what one call is, and its target."""

    name: str
    script: Callable[[StoreBench], str]   # the bench (its prelude, world, variables) -> the pgbench script of one call
    description: str
    basis: str | None                 # b.TPCB, another case's name, or None (no target)
    factor: float | None
    label: str
    reservations: int | None = None   # reservations each call must leave (checked after the run); None: not checked
    setup: Callable[[StoreBench, psycopg.Connection], None] | None = None   # once, after the seed (as the superuser)


def _lines(ids: Sequence[str]) -> str:
    return "[" + ", ".join(f'{{"variant_id": {i}, "quantity": 1}}' for i in ids) + "]"


_RESERVE = ("SELECT count(*) FROM api.reserve_stock(p_lines => '{lines}', p_ref_module => 'bench', "
            "p_ref_entity => 'order', p_ref_id => 'c:client_id-:r');")


def reserve3_script(bench: StoreBench) -> str:
    """Three random variants, one unit each, placed at the online locations by priority (the demand-summing path)."""
    return ("-- mercato bench store reserve3: api.reserve_stock of 3 random lines, as the shop's TENANT_ADMIN\n"
            "\\set a :lo + random(0, :n - 1)\n\\set b :lo + random(0, :n - 1)\n\\set c :lo + random(0, :n - 1)\n"
            "\\set r random(1, 2000000000)\nBEGIN;\n" + bench.prelude + "\n"
            + _RESERVE.format(lines=_lines([":a", ":b", ":c"])) + "\nEND;\n")


def hot_script(bench: StoreBench) -> str:
    """The same with the hot variant as one of the three lines."""
    return ("-- mercato bench store hot: api.reserve_stock of the hot variant + 2 random lines\n"
            "\\set b :lo + random(0, :n - 1)\n\\set c :lo + random(0, :n - 1)\n"
            "\\set r random(1, 2000000000)\nBEGIN;\n" + bench.prelude + "\n"
            + _RESERVE.format(lines=_lines([":hot", ":b", ":c"])) + "\nEND;\n")


def ship_script(bench: StoreBench) -> str:
    """Reserve one unit of a random variant, then ship that reservation, in one transaction."""
    return ("-- mercato bench store ship: api.reserve_stock of 1 random line, then api.ship_reservation of it\n"
            "\\set a :lo + random(0, :n - 1)\n\\set r random(1, 2000000000)\nBEGIN;\n" + bench.prelude + "\n"
            "SELECT reservation_id AS rid FROM api.reserve_stock(p_lines => '" + _lines([":a"]) + "', "
            "p_ref_module => 'bench', p_ref_entity => 'order', p_ref_id => 's:client_id-:r') \\gset\n"
            "SELECT (api.ship_reservation(p_reservation_id => :rid)).state;\nEND;\n")


def search_script(bench: StoreBench) -> str:
    """A name and a set word (full text; ~1/1,200 of the catalog matches both) and the name's category as a filter."""
    return ("-- mercato bench store search: api.search_catalog, two words and a category, the first page of 20\n"
            f"\\set w random(1, {len(NAMES)})\n\\set s random(1, {len(SETS)})\nBEGIN;\n" + bench.prelude + "\n"
            f"SELECT count(*) FROM api.search_catalog(p_query => ({_arr(NAMES)})[:w] || ' ' || ({_arr(SETS)})[:s], "
            f"p_filters => jsonb_build_object('category', ({_arr(CATEGORIES)})[1 + (:w - 1) / 15]), p_limit => 20);\n"
            "END;\n")


_PLACE = ("SELECT (api.place_order(p_order => '{{\"source\": \"POS\", \"lines\": {lines}}}')) IS NOT NULL;")


def order_script(bench: StoreBench) -> str:
    """A POS order of 3 random lines through the orders module: snapshots, tax, totals, the order number, one
    reservation call for the three lines, the deferred totals check at commit."""
    return ("-- mercato bench store order: api.place_order of 3 random lines (POS), as the shop's TENANT_ADMIN\n"
            "\\set a :lo + random(0, :n - 1)\n\\set b :lo + random(0, :n - 1)\n\\set c :lo + random(0, :n - 1)\n"
            "BEGIN;\n" + bench.prelude + "\n" + _PLACE.format(lines=_lines([":a", ":b", ":c"])) + "\nEND;\n")


def order_hot_script(bench: StoreBench) -> str:
    """The same with the hot variant as one of the three lines."""
    return ("-- mercato bench store order_hot: api.place_order of the hot variant + 2 random lines (POS)\n"
            "\\set b :lo + random(0, :n - 1)\n\\set c :lo + random(0, :n - 1)\n"
            "BEGIN;\n" + bench.prelude + "\n" + _PLACE.format(lines=_lines([":hot", ":b", ":c"])) + "\nEND;\n")


#: The cases, in the order they run. A new case (the lead's ``order``, over api.place_order) is one script function and
#: one line here: the function gets the bench (``bench.prelude`` acts as the shop's TENANT_ADMIN,
#: ``bench.prelude_for(claims)`` as any other caller, ``bench.world`` holds the seeded ids, the pgbench variables are
#: ``:lo``, ``:n`` and ``:hot``); a case that needs more of a world (customers, prices) names a ``setup`` function.
CASES: tuple[StoreCase, ...] = (
    StoreCase("reserve3", reserve3_script, "api.reserve_stock of 3 random lines (1 unit each, no location named)",
              None, None, "(basis of hot; the order case carries ≥ 0.4 × TPC-B)", 3),
    StoreCase("hot", hot_script, "api.reserve_stock of the hot variant + 2 random lines",
              "reserve3", 0.5, "≥ 0.5 × reserve3", 3),
    StoreCase("ship", ship_script, "api.reserve_stock of 1 random line + api.ship_reservation of it, one transaction",
              b.TPCB, 0.5, "≥ 0.5 × TPC-B", 1),
    StoreCase("order", order_script, "api.place_order of 3 random lines (POS: snapshots, tax, totals, number, "
              "one reservation call)", b.TPCB, 0.4, "≥ 0.4 × TPC-B", 3),
    StoreCase("order_hot", order_hot_script, "api.place_order of the hot variant + 2 random lines",
              "order", 0.5, "≥ 0.5 × order", 3),
    StoreCase("search", search_script, "api.search_catalog: two words (name, set) + category filter, first page of 20",
              b.TPCB, 2.0, "≥ 2 × TPC-B"),
)
CASE_NAMES = tuple(c.name for c in CASES)


@dataclass
class StoreSettings:
    url: str
    seconds: int = 30
    clients: tuple[int, ...] = (8, 32)
    rounds: int = 1
    products: int = 100_000
    scale: int = 50
    db_prefix: str = "mercato_bench_store"
    keep: bool = False
    profile: bool = False
    cases: tuple[str, ...] = CASE_NAMES
    command: str = ""


# -- wait sampling -----------------------------------------------------------------------------------------------------

class WaitSampler:
    """What the backends of one database do while a run is measured: ``pg_stat_activity`` every 0.1 s, counting active
    backends by wait (``Lock:transactionid`` / ``Lock:tuple`` = queued behind another transaction's row lock,
    ``LWLock:LockManager`` = contending for the shared lock table itself, ``IO:WALSync`` / ``LWLock:WALWrite`` = a
    commit's flush, ``CPU`` = no wait event)."""

    def __init__(self, admin_url: str, dbname: str, interval: float = 0.1) -> None:
        self.admin_url, self.dbname, self.interval = admin_url, dbname, interval
        self.counts: dict[str, int] = {}
        self.samples = 0
        self._done = threading.Event()
        self._thread: threading.Thread | None = None

    def __enter__(self) -> WaitSampler:
        self._thread = threading.Thread(target=self._loop, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._done.set()
        if self._thread is not None:
            self._thread.join()

    def _loop(self) -> None:
        with psycopg.connect(self.admin_url, autocommit=True) as conn:
            while not self._done.wait(self.interval):
                rows = conn.execute(
                    "SELECT coalesce(wait_event_type || ':' || wait_event, 'CPU'), count(*) FROM pg_stat_activity"
                    " WHERE datname = %s AND state = 'active' AND pid <> pg_backend_pid()"
                    "   AND backend_type = 'client backend' GROUP BY 1", (self.dbname,)).fetchall()
                self.samples += 1
                for what, n in rows:
                    self.counts[what] = self.counts.get(what, 0) + n

    def summary(self) -> dict[str, Any]:
        """Mean active backends, and the share of them waiting on locks, on the WAL, on other things, or running."""
        if not self.samples:
            return {}
        active = sum(self.counts.values())
        locks = sum(n for k, n in self.counts.items() if k.startswith("Lock:"))
        wal = sum(n for k, n in self.counts.items() if k in ("IO:WALSync", "IO:WALWrite", "LWLock:WALWrite",
                                                               "LWLock:WALInsert", "IO:WALInitSync"))
        cpu = self.counts.get("CPU", 0)
        lockmgr = self.counts.get("LWLock:LockManager", 0)
        top = sorted(self.counts.items(), key=lambda kv: -kv[1])[:5]
        return {"samples": self.samples, "active": round(active / self.samples, 2),
                "lock": round(locks / active, 3) if active else 0.0, "wal": round(wal / active, 3) if active else 0.0,
                "cpu": round(cpu / active, 3) if active else 0.0,
                "lock_manager": round(lockmgr / active, 3) if active else 0.0,
                "other": round((active - locks - wal - cpu - lockmgr) / active, 3) if active else 0.0,
                "top": {k: round(n / self.samples, 2) for k, n in top}}


# -- report -------------------------------------------------------------------------------------------------------------

@dataclass
class CaseRow:
    """One line of the results: a case at one client count, medians over rounds."""

    case: str
    clients: int
    tps: float | None
    tpcb_tps: float | None
    ratio_tpcb: float | None
    ratios_tpcb: list[float | None]
    target: str
    basis_ratio: float | None            # against the target's basis (TPC-B or another case); None without a target
    met: bool | None                     # None: no target
    cpu_ms_per_call: float | None
    cpu_times_tpcb: float | None
    wal_bytes_per_call: float | None
    fpi_per_call: float | None
    calls_per_flush: float | None
    waits: dict[str, Any]
    checks_ok: bool
    failures: list[str] = field(default_factory=list)


@dataclass
class StoreReport:
    report: b.Report
    waits: dict[str, dict[str, Any]]         # "case/clients/round" -> WaitSampler.summary()
    failures: dict[str, list[str]]           # "case/clients/round" -> what its check found
    settings: dict[str, Any]
    world: dict[str, Any]
    #: what the report is of: its cases, the case whose scaling from the lowest to the highest client count is judged
    #: (None: none), and the invariant check run after every case (the payments bench reuses this report)
    case_defs: tuple[StoreCase, ...] = ()
    hot_case: str | None = "hot"
    check_name: str = "inventory.check()"

    def __post_init__(self) -> None:
        if not self.case_defs:
            self.case_defs = CASES

    @property
    def checks_ok(self) -> bool:
        return not any(self.failures.values()) and all(not r.error and not r.failed for r in self.report.runs)

    def rows(self) -> list[CaseRow]:
        rep = self.report
        cases = {c.name: c for c in self.case_defs}
        out = []
        for clients in rep.client_counts:
            tpcb, _ = rep.baseline(clients)
            tpcb_cpu, _ = rep.baseline(clients, "cpu_ms_per_call")
            for case in cases:
                runs = rep.runs_of(case, clients)
                if not runs:
                    continue
                c = cases[case]
                ratios = [b._ratio(r.tps, rep.round_baseline(clients, r.round)) for r in runs]
                basis_ratio = met = None
                if c.basis == b.TPCB:
                    basis_ratio = b.median_of(ratios)
                elif c.basis is not None:
                    pairs = [(r, next((x for x in rep.runs_of(c.basis, clients) if x.round == r.round), None)) for r in runs]
                    basis_ratio = b.median_of([b._ratio(r.tps, x.tps if x else None) for r, x in pairs])
                if c.factor is not None:
                    met = basis_ratio is not None and basis_ratio >= c.factor and all(r.ok for r in runs)
                wal = [r.wal_per_call for r in runs]
                fails = [f for r in runs for f in self.failures.get(f"{case}/{clients}/{r.round}", [])]
                fails += [f"round {r.round}: {r.error or ''} {r.failed or ''} failed".strip()
                          for r in runs if r.error or r.failed]
                cpu = b.median_of([r.cpu_ms_per_call for r in runs])
                out.append(CaseRow(
                    case=case, clients=clients, tps=b.median_of([r.tps for r in runs]), tpcb_tps=tpcb,
                    ratio_tpcb=b.median_of(ratios), ratios_tpcb=ratios, target=c.label, basis_ratio=basis_ratio,
                    met=met, cpu_ms_per_call=cpu, cpu_times_tpcb=b._ratio(cpu, tpcb_cpu),
                    wal_bytes_per_call=b.median_of([w["bytes"] if w else None for w in wal]),
                    fpi_per_call=b.median_of([w["fpi"] if w else None for w in wal]),
                    calls_per_flush=b.median_of([w["calls_per_flush"] if w else None for w in wal]),
                    waits=self.waits.get(f"{case}/{clients}/{runs[-1].round}", {}),
                    checks_ok=not fails, failures=fails))
        return out

    def hot_scaling(self) -> dict[str, Any] | None:
        """The hot case at the highest client count against the lowest (target: no drop, ≥ 0.95 ×)."""
        counts = self.report.client_counts
        if len(counts) < 2 or self.hot_case is None:
            return None
        lo = self.report.runs_of(self.hot_case, counts[0])
        hi = self.report.runs_of(self.hot_case, counts[-1])
        pairs = [(x, y) for x in lo for y in hi if x.round == y.round]
        if not pairs:
            return None
        ratio = b.median_of([b._ratio(y.tps, x.tps) for x, y in pairs])
        return {"from": counts[0], "to": counts[-1], "ratio": ratio,
                "met": ratio is not None and ratio >= b.HOT_SCALING_FACTOR,
                "target": f"no drop: ≥ {b.HOT_SCALING_FACTOR:g} × hot at {counts[0]} clients"}

    @property
    def all_met(self) -> bool:
        scaling = self.hot_scaling()
        return all(r.met is not False for r in self.rows()) and (scaling is None or scaling["met"])

    def as_dict(self) -> dict[str, Any]:
        return {"settings": self.settings, "machine": self.report.machine, "setup_seconds": self.report.setup_seconds,
                "world": self.world, "results": [asdict(r) for r in self.rows()], "hot_scaling": self.hot_scaling(),
                "tpcb": [r.as_dict() for r in self.report.runs if r.case == b.TPCB],
                "runs": [r.as_dict() for r in self.report.runs if r.case != b.TPCB],
                "all_targets_met": self.all_met, "checks_ok": self.checks_ok}


# -- the harness --------------------------------------------------------------------------------------------------------

class StoreBench:
    #: the cases this bench runs, the invariant check after each (``_check``), the rows a call must leave
    #: (``count_sql``, compared with ``StoreCase.reservations``) and the tables VACUUMed between runs
    cases_all: tuple[StoreCase, ...] = ()
    check_name = "inventory.check()"
    count_sql = "SELECT count(*) FROM inventory.reservation"
    hot_case: str | None = "hot"

    def __init__(self, settings: StoreSettings, root: Path | None = None, *, log: LogFn | None = None) -> None:
        if root is None:
            from mercato.config import project_root

            root = project_root()
        self.s = settings
        self.root = root
        self.log: LogFn = log or (lambda _line: None)
        self.admin_url = make_conninfo(settings.url, dbname="postgres")
        self.url = make_conninfo(settings.url, dbname=settings.db_prefix)
        # The ledger bench's machinery (TPC-B database and runs, pgbench with CPU and WAL measured); its "ledger"
        # database is ours, so that the interference sampler does not count our calls as another database's.
        self.inner = b.Bench(b.Settings(url=settings.url, seconds=settings.seconds, clients=settings.clients,
                                        accounts=2, scale=settings.scale, db_prefix=settings.db_prefix,
                                        profile=settings.profile), root, log=self.log)
        self.failures: dict[str, list[str]] = {}
        self.waits: dict[str, dict[str, Any]] = {}
        self.world: dict[str, Any] = {}
        self.role_settings: dict[str, tuple[tuple[str, str], ...]] = {}
        self.prelude = ""   # the shop's TENANT_ADMIN (prelude_for)

    # set-up ---------------------------------------------------------------------------------------------------------
    def prelude_for(self, claims: dict[str, Any]) -> str:
        """The statement PostgREST (and mercato.client) runs first in a request's transaction: the claims, the role and
        the role's own settings, all local to the transaction."""
        role = claims["role"]
        return (f"SELECT set_config('request.jwt.claims', '{json.dumps(claims)}', true), "
                f"set_config('role', '{role}', true)"
                + "".join(f", set_config('{k}', '{v}', true)" for k, v in self.role_settings[role]) + ";")

    def drop_databases(self) -> None:
        self.inner.drop_databases()

    def setup(self) -> None:
        from mercato.client import role_settings
        from mercato.sqitch import Engine

        t0 = time.monotonic()
        self.log(f"[setup] {b._dbname(self.url)}: deploying the Sqitch plan")
        self.inner._recreate(self.url)
        Engine.from_project(self.url, self.root).deploy()
        self.inner.setup_seconds["deploy"] = round(time.monotonic() - t0, 1)
        n = self.s.products
        claims = json.dumps({"sub": ADMIN_SUB, "role": "mercato_user"})
        with psycopg.connect(self.url, autocommit=True) as conn:
            t0 = time.monotonic()
            # the world's owner arranges the shop, as the tests' fixtures do (tests.shop, tests.catalog_variant)
            tenant = conn.execute("SELECT identity.create_tenant(%s, 'Bench card store')", (TENANT,)).fetchone()[0]
            conn.execute("UPDATE identity.tenant SET currency = 'USD' WHERE id = %s", (tenant,))
            admin = conn.execute("SELECT identity.register_user(%s, 'ADMIN', 'Bench store admin', %s)",
                                 (ADMIN_SUB, tenant)).fetchone()[0]
            conn.execute("SELECT identity.assign_role(%s, 'TENANT_ADMIN', %s)", (admin, tenant))
            self.role_settings = {role: role_settings(conn, role) for role in ("mercato_user", "mercato_service")}
            self.prelude = self.prelude_for({"sub": ADMIN_SUB, "role": "mercato_user"})
            # two locations, made by the shop's administrator through the api (claims and role as PostgREST sets them)
            with conn.transaction():
                conn.execute("SELECT set_config('request.jwt.claims', %s, true), set_config('role', 'mercato_user', true)",
                             (claims,))
                wh = conn.execute("SELECT api.create_inventory_location(p_code => 'WH', p_name => 'Warehouse', "
                                  "p_kind => 'WAREHOUSE', p_priority => 10)").fetchone()[0]
                store = conn.execute("SELECT api.create_inventory_location(p_code => 'STORE', p_name => 'Shop floor', "
                                     "p_kind => 'STORE', p_priority => 20)").fetchone()[0]
            self.log(f"[setup] {n:,} products with one variant each (set-based)")
            conn.execute(SEED_PRODUCTS, {"tenant": tenant, "n": n})
            conn.execute(SEED_VARIANTS, {"tenant": tenant})
            lo, hi, count = conn.execute("SELECT min(id), max(id), count(*) FROM catalog.variant WHERE tenant_id = %s",
                                         (tenant,)).fetchone()
            if count != n or hi - lo + 1 != n:
                raise RuntimeError(f"variant ids are not contiguous ({lo}..{hi} for {count})")
            hot = lo + n // 2
            self.inner.setup_seconds["catalog"] = round(time.monotonic() - t0, 1)
            t0 = time.monotonic()
            self.log(f"[setup] stock at both locations, {STOCK:,} each ({HOT_STOCK:,} for the hot variant {hot}), "
                     "received through inventory.add_movement")
            with conn.transaction():
                conn.execute(
                    "INSERT INTO inventory.stock (tenant_id, variant_id, location_id, on_hand, avg_cost, last_cost)"
                    " SELECT v.tenant_id, v.id, l.id, CASE WHEN v.id = %(hot)s THEN %(big)s ELSE %(q)s END, v.cost, v.cost"
                    "   FROM catalog.variant v CROSS JOIN (VALUES (%(wh)s::bigint), (%(st)s::bigint)) AS l(id)"
                    "  WHERE v.tenant_id = %(t)s ORDER BY v.id, l.id",
                    {"hot": hot, "big": HOT_STOCK, "q": STOCK, "wh": wh, "st": store, "t": tenant})
                conn.execute(
                    "SELECT count(inventory.add_movement(s.tenant_id, s.id, 'RECEIPT', s.on_hand, s.on_hand, s.avg_cost,"
                    " 'bench', 'receipt', 'seed', 'bench seed stock')) FROM inventory.stock s WHERE s.tenant_id = %s",
                    (tenant,))
            self.inner.setup_seconds["stock"] = round(time.monotonic() - t0, 1)
            t0 = time.monotonic()
            # The harness VACUUMs the tables the cases write between runs; no autovacuum worker wakes up mid-run.
            partitions = [r[0] for r in conn.execute(
                "SELECT inhrelid::regclass::text FROM pg_inherits WHERE inhparent = 'inventory.movement'::regclass")]
            for table in [t for t in _WRITTEN if t != "inventory.movement"] + partitions:
                conn.execute(f"ALTER TABLE {table} SET (autovacuum_enabled = false)")
            conn.execute("VACUUM ANALYZE")
            self.inner.setup_seconds["vacuum"] = round(time.monotonic() - t0, 1)
            bad = self._check(conn)
            if bad:
                raise RuntimeError(f"inventory.check() reports violations after the seed: {bad}")
        self.inner.vars = {"lo": lo, "n": n, "hot": hot}
        self.world = {"tenant_id": tenant, "admin_user_id": admin, "locations": [wh, store], "variants": n,
                      "variant_ids": [lo, hi], "hot_variant": hot, "stock_per_location": STOCK, "hot_stock": HOT_STOCK}
        with psycopg.connect(self.url, autocommit=True) as conn:
            for case in CASES:
                if case.setup is not None and case.name in self.s.cases:
                    case.setup(self, conn)

    # runs -----------------------------------------------------------------------------------------------------------
    @staticmethod
    def _check(conn: psycopg.Connection) -> list[str]:
        rows = conn.execute("SELECT check_name, ok, violations, sample FROM inventory.check()").fetchall()
        if not rows:
            return ["inventory.check() returned nothing"]
        return [f"{name}: {violations} violations, e.g. {json.dumps(sample)[:300]}"
                for name, ok, violations, sample in rows if not ok]

    def run_case(self, case: StoreCase, clients: int, round_: int) -> b.Run:
        key = f"{case.name}/{clients}/{round_}"
        with tempfile.NamedTemporaryFile("w", suffix=".sql", delete=False) as f:
            f.write(case.script(self))
        script = Path(f.name)
        try:
            with psycopg.connect(self.url, autocommit=True) as conn:
                if self.s.profile:
                    conn.execute("SELECT pg_stat_reset()")
                before = conn.execute(self.count_sql).fetchone()[0]
                self.log(f"[run] {case.name}, {clients} clients, {self.s.seconds} s"
                         + (f", round {round_} of {self.s.rounds}" if self.s.rounds > 1 else ""))
                load = b._loadavg()
                with WaitSampler(self.admin_url, b._dbname(self.url)) as waits:
                    res = self.inner._pgbench(self.url, clients, script)
                run = b.Run(case.name, clients, self.s.seconds, res.tps, 1, res.transactions, res.failed,
                            res.latency_ms, res.error, load_before=load, foreign_active=res.foreign_active,
                            foreign_cpu=res.foreign_cpu, cpu_seconds=res.cpu_seconds, wal=res.wal, round=round_)
                self.waits[key] = waits.summary()
                if self.s.profile:
                    run.functions = self.inner._functions(conn)
                made = conn.execute(self.count_sql).fetchone()[0] - before
                t0 = time.monotonic()
                bad = self._check(conn)
                run.check_seconds = round(time.monotonic() - t0, 2)
                run.check_ok = not bad
                conn.execute(f"VACUUM {', '.join(self.written)}")
        finally:
            script.unlink()
        for message in bad:
            self._fail(key, f"{self.check_name}: {message}")
        # each call leaves its rows (the store: ample stock at the first location, one reservation per line)
        expected = case.reservations
        if expected is not None and run.transactions is not None and made < run.transactions * expected:
            self._fail(key, f"{run.transactions:,} calls made {made:,} rows of `{self.count_sql}` (expected {expected} each)")
        self._log_run(run, key)
        return run

    def _fail(self, key: str, message: str) -> None:
        self.failures.setdefault(key, []).append(message)

    def _log_run(self, run: b.Run, key: str) -> None:
        fails = self.failures.get(key)
        w = self.waits.get(key) or {}
        self.log(f"      {b._fmt(run.tps)} calls/s" + b._cpu(run)
                 + (f", waits: lock {w['lock']:.0%} wal {w['wal']:.0%} cpu {w['cpu']:.0%} of {w['active']} active"
                    if w else "")
                 + f", {self.check_name} {'ok' if run.check_ok else 'FAILED'}" + b._interference(run)
                 + (f"  CHECK FAILED: {'; '.join(fails)}" if fails else "") + (f"  ERROR {run.error}" if run.error else ""))

    def run(self) -> StoreReport:
        machine = b.machine_info(self.admin_url)
        self.log(f"[info] {machine['cpus']} CPUs, {machine['memory_gb']} GB, {machine['postgresql']}, "
                 f"load average {machine['load_average']}")
        runs: list[b.Run] = []
        cases = [c for c in (self.cases_all or CASES) if c.name in self.s.cases]
        try:
            self.inner.setup_tpcb()
            self.setup()
            for clients in self.s.clients:
                runs.append(self.inner.run_tpcb(clients, 0))
                for round_ in range(1, self.s.rounds + 1):
                    for case in cases:
                        runs.append(self.run_case(case, clients, round_))
                    runs.append(self.inner.run_tpcb(clients, round_))
        finally:
            if not self.s.keep:
                self.drop_databases()
        machine["load_average_after"] = b._loadavg()
        settings = {k: v for k, v in asdict(self.s).items() if k != "url"}
        settings["clients"] = list(self.s.clients)
        settings["cases"] = list(self.s.cases)
        settings["pgbench"] = f"pgbench -n -c <clients> -j 2 -T {self.s.seconds} (query mode simple)"
        return StoreReport(b.Report(machine, settings, runs, self.inner.setup_seconds), self.waits, self.failures,
                           settings, self.world, self.cases_all or CASES, self.hot_case, self.check_name)


_WRITTEN = ("inventory.stock", "inventory.reservation", "inventory.movement", "orders.sales_order", "orders.line",
            "core.counter")
StoreBench.written = _WRITTEN


def run(settings: StoreSettings, *, root: Path | None = None, log: LogFn | None = None) -> StoreReport:
    """Run the store benchmark once (see the module docstring)."""
    return StoreBench(settings, root, log=log).run()


# -- rendering ----------------------------------------------------------------------------------------------------------

def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.0%}"


def _met(value: bool | None) -> str:
    return "—" if value is None else ("yes" if value else "**no**")


def render_text(rep: StoreReport) -> str:
    from mercato.cli.common import table

    rows = [{"case": r.case, "clients": r.clients, "calls/s": b._fmt(r.tps), "TPC-B tps": b._fmt(r.tpcb_tps),
             "x TPC-B": b._fmt(r.ratio_tpcb, 2), "target": r.target, "vs basis": b._fmt(r.basis_ratio, 2),
             "met": _met(r.met).replace("*", ""), "CPU ms/call": b._fmt(r.cpu_ms_per_call, 3),
             "WAL B/call": b._fmt(r.wal_bytes_per_call, 0), "lock wait": _pct(r.waits.get("lock")),
             "checks": "ok" if r.checks_ok else "FAILED: " + "; ".join(r.failures)} for r in rep.rows()]
    out = [table(rows), ""]
    scaling = rep.hot_scaling()
    if scaling:
        out.append(f"{rep.hot_case} {scaling['to']} vs {scaling['from']} clients: {b._fmt(scaling['ratio'], 2)} "
                   f"({scaling['target']}: {'met' if scaling['met'] else 'NOT met'})")
    for r in b.noisy_runs(rep.report):
        out.append(f"interference during {r.case} @ {r.clients} round {r.round}: {b._interference(r).strip()}")
    out.append(f"{rep.check_name}: {'ok after every case' if rep.checks_ok else 'FAILED (see above)'}")
    out.append(f"targets: {'all met' if rep.all_met else 'NOT all met'}")
    return "\n".join(out)


def render_markdown(rep: StoreReport, *, title: str = "Store results", command: str = "mercato bench store",
                    load: str | None = None) -> str:
    """The generated results section (without the markers); ``load`` describes the world (the store's by default)."""
    m, s, report = rep.report.machine, rep.settings, rep.report
    if load is None:
        load = (f"{s['products']:,} products with one variant each, 2 locations, hot variant "
                f"{rep.world.get('hot_variant')}")
    lines = [
        f"## {title}",
        "",
        f"Generated by `{s.get('command') or command}` on {m['date']}.",
        "",
        f"- Machine: {m['cpus']} CPUs ({m.get('cpu_model') or 'unknown'}), {m['memory_gb']} GB RAM, "
        + ("**shared with other work during the run** (see Interference below)" if b.noisy_runs(report)
           else "nothing else busy during the run")
        + f"; load average before {m['load_average']}, after {m.get('load_average_after', '?')}",
        f"- Server: {m['postgresql']}; " + ", ".join(f"{k}={v}" for k, v in sorted(m.get("server_settings", {}).items())),
        f"- Load: `{s['pgbench']}`; TPC-B-like baseline at scale {s['scale']}; {load}"
        + (f"; {s['rounds']} rounds per client count, medians shown" if s["rounds"] > 1 else ""),
        "- Setup: " + ", ".join(f"{k.replace('_', ' ')} {v} s" for k, v in report.setup_seconds.items()),
        "",
        "| case | clients | calls/s | TPC-B tps | × TPC-B | target | ratio to basis | met? | CPU ms per call "
        "| × TPC-B's CPU | WAL bytes per call | calls per WAL flush | lock wait | lock table | WAL wait | checks |",
        "|---|---:|---:|---:|---:|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for r in rep.rows():
        lines.append(f"| {r.case} | {r.clients} | {b._fmt(r.tps)} | {b._fmt(r.tpcb_tps)} | {b._fmt(r.ratio_tpcb, 2)} "
                     f"| {r.target} | {b._fmt(r.basis_ratio, 2)} | {_met(r.met)} | {b._fmt(r.cpu_ms_per_call, 3)} "
                     f"| {b._fmt(r.cpu_times_tpcb, 1)} | {b._fmt(r.wal_bytes_per_call, 0)} "
                     f"| {b._fmt(r.calls_per_flush, 1)} | {_pct(r.waits.get('lock'))} "
                     f"| {_pct(r.waits.get('lock_manager'))} | {_pct(r.waits.get('wal'))} "
                     f"| {'ok' if r.checks_ok else '**FAILED**: ' + '; '.join(r.failures)} |")
    scaling = rep.hot_scaling()
    if scaling:
        lines += ["", f"Case {rep.hot_case} from {scaling['from']} to {scaling['to']} clients: {b._fmt(scaling['ratio'], 2)} × "
                  f"({scaling['target']}: {'met' if scaling['met'] else '**not met**'})."]
    tpcb = [r for r in report.runs if r.case == b.TPCB]
    lines += ["", "TPC-B runs: " + ", ".join(f"{r.clients} clients {b._fmt(r.tps)} tps "
                                             f"({b._fmt(r.cpu_ms_per_call, 3)} ms CPU)" for r in tpcb) + "."]
    lines += ["", "Waits (share of the case's active backends, sampled every 0.1 s from `pg_stat_activity`: *lock wait* "
              "on a row or transaction lock, *lock table* on `LWLock:LockManager`, *WAL wait* on a commit's flush; "
              "the most frequent events, mean backends per sample, in the last round): "
              + "; ".join(f"{r.case} @ {r.clients}: " + ", ".join(f"{k} {v}" for k, v in r.waits.get("top", {}).items())
                          for r in rep.rows() if r.waits) + "."]
    profiled = [r for r in report.runs if r.functions]
    if profiled:
        lines += ["", "| case | clients | function | calls | self µs per call |", "|---|---:|---|---:|---:|"]
        for r in profiled:
            for f in r.functions[:6]:
                lines.append(f"| {r.case} | {r.clients} | {f['function']} | {f['calls']} | {f['self_us_per_call']} |")
    noisy = b.noisy_runs(report)
    lines += ["", ("Interference (CPU used by other processes on the machine, sampled every 0.5 s): "
                   + ", ".join(f"{r.case} @ {r.clients} {_pct(r.foreign_cpu)}"
                               + (f" and {r.foreign_active} other-database queries" if r.foreign_active else "")
                               for r in noisy)
                   + f" — above {b.NOISY_CPU:.0%} the figures are less trustworthy.") if noisy else
              f"Interference: nothing else used more than {b.NOISY_CPU:.0%} of the CPUs during any run."]
    lines += ["", "One call is: " + "; ".join(f"`{c.name}` {c.description}" for c in rep.case_defs
                                              if c.name in s["cases"]) + "."]
    return "\n".join(lines) + "\n"


def update_markdown(path: Path, section: str, markers: tuple[str, str] = MARKERS) -> None:
    """Replace this bench's section of ``path`` between its markers (appended when absent), keeping the rest."""
    start_marker, end_marker = markers
    block = f"{start_marker}\n{section.rstrip()}\n{end_marker}"
    text = path.read_text() if path.exists() else "# Benchmarks\n"
    start, end = text.find(start_marker), text.find(end_marker)
    if start != -1 and end != -1 and end > start:
        text = text[:start] + block + text[end + len(end_marker):]
    else:
        text = text.rstrip() + "\n\n" + block + "\n"
    path.write_text(text if text.endswith("\n") else text + "\n")


__all__ = ["CASES", "CASE_NAMES", "StoreBench", "StoreCase", "StoreReport", "StoreSettings", "WaitSampler",
           "render_markdown", "render_text", "run", "update_markdown"]
