"""Bad-input fuzzing of the HTTP API, through the PostgREST emulator.

Every function of the ``api`` schema is called with arguments drawn by hypothesis — wrong types,
NULLs, zero, negative, huge and over-precise amounts, unknown ids, other parties' ids, unicode and
overlong strings, malformed JSON documents, impossible instants — by every kind of caller
(anonymous, each registered party, the back office). A call passes when it either succeeds or fails
with a code the documentation promises: a Mercato code from ``core.error`` (docs/errors.md) or one
of the PostgreSQL SQLSTATEs docs/errors.md lists. A call that fails must change nothing: a checksum
of every table of every Mercato schema is compared before and after it.

Violations (undocumented codes, internal errors, a failed call with side effects) are collected
with the call that produced them so that each can be replayed and turned into a regression test.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import psycopg
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from psycopg.conninfo import make_conninfo

from mercato.docs import POSTGRES_ERRORS
from mercato.postgrest import PostgREST

SCHEMAS = ("core", "audit", "identity", "masterdata", "ledger", "marketplace", "contracts", "delivery", "settlement")

#: SQLSTATEs a caller may legitimately receive besides Mercato's own PTxyz codes.
ALLOWED_SQLSTATES = {s for s, _ in POSTGRES_ERRORS} | {"PGRST202", "PGRST101"}


@dataclass
class Violation:
    function: str
    args: dict[str, Any]
    caller: str
    status: int
    body: Any
    reason: str


@dataclass
class FuzzReport:
    calls: int = 0
    failed_as_documented: int = 0
    succeeded: int = 0
    by_status: Counter = field(default_factory=Counter)
    by_function: Counter = field(default_factory=Counter)
    violations: list[Violation] = field(default_factory=list)


def checksum(conn: psycopg.Connection) -> str:
    """One digest over the contents of every table of every Mercato schema (sequences excluded)."""
    tables = conn.execute("""
        SELECT format('%%I.%%I', n.nspname, c.relname) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname = ANY(%s) AND c.relkind = 'r' ORDER BY 1""", (list(SCHEMAS),)).fetchall()
    parts = " UNION ALL ".join(
        f"SELECT {i} AS i, coalesce(md5(string_agg(t::text, ',' ORDER BY t::text)), '') AS h FROM {name} t"
        for i, (name,) in enumerate(tables))
    return conn.execute(f"SELECT md5(string_agg(h, '|' ORDER BY i)) FROM ({parts}) x").fetchone()[0]


def api_functions(conn: psycopg.Connection) -> list[dict[str, Any]]:
    """Every callable api function with its input parameters (name, type, has default)."""
    rows = conn.execute("""
        SELECT p.proname, p.proargnames, p.proargmodes, p.pronargs, p.pronargdefaults,
               ARRAY(SELECT format_type(t, NULL) FROM unnest(p.proargtypes::oid[]) t)
          FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
         WHERE n.nspname = 'api' AND p.prorettype NOT IN ('event_trigger'::regtype, 'trigger'::regtype)
         ORDER BY p.proname""").fetchall()
    found = []
    for name, names, modes, nargs, ndefaults, types in rows:
        names = names or []
        in_names = names[:nargs] if modes is None else [n for n, m in zip(names, modes) if m in ("i", "b", "v")]
        params = [(n, t, i >= nargs - ndefaults) for i, (n, t) in enumerate(zip(in_names, types))]
        found.append({"name": name, "params": params})
    return found


def seed_parties(db_url: str) -> tuple[dict[str, dict | None], list[int]]:
    """Callers for a fuzz run, on a freshly deployed database: two businesses and a provider with funded wallets,
    a platform admin, an unknown subject, the back office and anonymous. Returns (callers, ids worth trying)."""
    ids: list[int] = []
    with psycopg.connect(db_url, autocommit=True) as conn:
        bank = conn.execute("SELECT ledger.open_account('PLATFORM', 'bank', 'CLEARING', 'ETB', true)").fetchone()[0]
        ids.append(bank)
        for n, kind in ((1, "BUSINESS"), (2, "BUSINESS"), (3, "PROVIDER")):
            uid = conn.execute("SELECT identity.register_user(%s, %s, %s)", (f"kc|u{n}", kind, f"U{n}")).fetchone()[0]
            table = "business (user_id, name, business_type)" if kind == "BUSINESS" else "provider (user_id, name, provider_type)"
            extra = "RETAIL" if kind == "BUSINESS" else "COMPANY"
            pid = conn.execute(f"INSERT INTO identity.{table} VALUES (%s, %s, %s) RETURNING id", (uid, f"P{n}", extra)).fetchone()[0]
            acc = conn.execute("SELECT ledger.open_account(%s, %s, 'MAIN', 'ETB')", (kind, str(pid))).fetchone()[0]
            conn.execute("SELECT ledger.transfer(%s, %s, %s, 100)", (f"fund-{n}", bank, acc))
            ids += [uid, pid, acc]
        admin = conn.execute("SELECT identity.register_user('kc|admin', 'ADMIN', 'Admin')").fetchone()[0]
        conn.execute("SELECT identity.assign_role(%s, 'PLATFORM_ADMIN')", (admin,))
    callers = {"anonymous": None, "business": {"sub": "kc|u1", "role": "mercato_user"},
               "provider": {"sub": "kc|u3", "role": "mercato_user"}, "admin": {"sub": "kc|admin", "role": "mercato_user"},
               "stranger": {"sub": "kc|nobody", "role": "mercato_user"}, "service": {"role": "mercato_service"}}
    return callers, ids


# -- values ---------------------------------------------------------------------------------------

def _ids(known: list[int]) -> st.SearchStrategy:
    return st.one_of(st.sampled_from(known or [1]), st.sampled_from([0, -1, 2**31, 2**63 - 1, -(2**63)]),
                     st.integers(min_value=-(2**63), max_value=2**63 - 1),
                     st.sampled_from(["1", "x", "1.5", "", "9" * 30]))


AMOUNTS = st.one_of(
    st.sampled_from(["0", "-1", "-0.01", "0.001", "1.005", "1e20", "1e-20", "NaN", "Infinity", "-Infinity",
                     "99999999999999999999.99", "1,00", " 1 ", "", "0x10", "1e309"]),
    st.integers(0, 6).flatmap(lambda places: st.decimals(allow_nan=False, allow_infinity=False, places=places,
                                                         min_value=Decimal("-1e6"), max_value=Decimal("1e6"))).map(str),
    st.integers(min_value=-10**20, max_value=10**20),
    st.floats(allow_nan=True, allow_infinity=True))

TEXTS = st.one_of(
    st.text(max_size=40),
    st.text(alphabet=st.characters(min_codepoint=0x80, max_codepoint=0x10FFFF, blacklist_categories=("Cs",)), max_size=20),
    st.sampled_from(["", " ", "x" * 300, "x" * 10_001, "'; DROP TABLE ledger.entry; --", "\u202e\u0301", "%s%n",
                     "NULL", "null", "MAIN", "ETB", "USD", "ACTIVE", "BUSINESS", "PROVIDER", "ADMIN", "SMS",
                     "kc|b1", "DELIVERY", "RETURN", "EV_SEDAN", "DIESEL", "2026-01-01"]))

JSONS = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(min_value=-10**20, max_value=10**20), st.text(max_size=10),
              st.sampled_from(["1.00", "-5", "abc", "0.001"])),
    lambda children: st.one_of(st.lists(children, max_size=4),
                               st.dictionaries(st.sampled_from(["account_id", "amount", "side", "reference", "debit_account_id",
                                                                "credit_account_id", "rfq_line_id", "quantity", "unit_price",
                                                                "alias", "vehicle_type", "x"]), children, max_size=4)),
    max_leaves=12)

INSTANTS = st.one_of(
    st.sampled_from(["infinity", "-infinity", "1970-01-01T00:00:00Z", "9999-12-31T23:59:59Z", "2026-13-45", "yesterday",
                     "now", "epoch", "", "0"]),
    st.datetimes().map(lambda d: d.isoformat() + "Z"))

DATES = st.one_of(st.dates().map(str), st.sampled_from(["2026-02-30", "", "infinity", "0001-01-01", "today"]))


def value_for(pg_type: str, known_ids: list[int]) -> st.SearchStrategy:
    """Values for one parameter: mostly of roughly the right shape, sometimes anything at all."""
    if pg_type in ("bigint", "integer", "smallint"):
        typed = _ids(known_ids)
    elif pg_type == "numeric":
        typed = AMOUNTS
    elif pg_type in ("text", "character varying", "character"):
        typed = TEXTS
    elif pg_type in ("jsonb", "json"):
        typed = JSONS
    elif pg_type.startswith("timestamp"):
        typed = INSTANTS
    elif pg_type == "date":
        typed = DATES
    elif pg_type == "boolean":
        typed = st.one_of(st.booleans(), st.sampled_from(["yes", "t", 2]))
    elif pg_type.endswith("[]"):
        typed = st.lists(st.one_of(TEXTS, st.integers()), max_size=5)
    else:
        typed = st.one_of(TEXTS, st.integers())
    return st.one_of(typed, typed, typed, st.none(), JSONS)


# -- the run --------------------------------------------------------------------------------------

_CODE = re.compile(r"^([A-Z][A-Z0-9]*_[A-Z0-9_]+): ")


def classify(status: int, body: Any, codes: set[str]) -> str | None:
    """None when the response is acceptable, else why not."""
    if 200 <= status < 300:
        return None
    if not isinstance(body, dict):
        return "error without a body"
    sqlstate = body.get("code") or ""
    if sqlstate.startswith("PT"):
        match = _CODE.match(body.get("message") or "")
        if not match:
            return f"{sqlstate} without a CODE: message"
        if match.group(1) not in codes:
            return f"code {match.group(1)} is not in core.error"
        return None
    if sqlstate in ALLOWED_SQLSTATES:
        return None
    if sqlstate == "XX000":
        return "internal error (XX000)"
    return f"undocumented SQLSTATE {sqlstate}"


def run(db_url: str, *, examples: int = 200, callers: dict[str, dict | None], known_ids: list[int],
        functions: list[str] | None = None, seed: int | None = None, progress=None) -> FuzzReport:
    """Fuzz every api function (or those named) with ``examples`` calls each.

    ``db_url`` is a superuser conninfo of a deployed database (used for checksums only); calls go
    through the authenticator as PostgREST's would. ``callers`` maps a label to JWT claims
    (None = anonymous).
    """
    report = FuzzReport()
    with psycopg.connect(db_url, autocommit=True) as admin:
        targets = [f for f in api_functions(admin) if functions is None or f["name"] in functions]
        codes = {row[0] for row in admin.execute("SELECT code FROM core.error")}
        rest = PostgREST(make_conninfo(db_url, user="mercato_authenticator"))
        try:
            for index, target in enumerate(targets):
                if progress:
                    progress(index, len(targets), target["name"], report)
                _fuzz_one(rest, admin, target, callers, known_ids, codes, examples, seed, report)
        finally:
            rest.close()
    return report


def _fuzz_one(rest: PostgREST, admin: psycopg.Connection, target: dict, callers: dict[str, dict | None],
              known_ids: list[int], codes: set[str], examples: int, seed: int | None, report: FuzzReport) -> None:
    arg_strategies = {}
    for name, pg_type, has_default in target["params"]:
        value = value_for(pg_type, known_ids)
        arg_strategies[name] = st.one_of(value, st.just(_OMIT)) if has_default else value
    args_strategy = st.fixed_dictionaries(arg_strategies).map(lambda d: {k: v for k, v in d.items() if v is not _OMIT})
    caller_strategy = st.sampled_from(sorted(callers))
    state = [checksum(admin)]   # the database as the last call left it

    @settings(max_examples=examples, deadline=None, database=None, derandomize=seed is None,
              suppress_health_check=list(HealthCheck))
    @given(args=args_strategy, caller=caller_strategy)
    def one_call(args: dict, caller: str) -> None:
        before = state[0]
        response = rest.rpc(target["name"], json.loads(json.dumps(args, default=str)), claims=callers[caller])
        report.calls += 1
        report.by_status[response.status] += 1
        report.by_function[target["name"]] += 1
        why = classify(response.status, response.body, codes)
        state[0] = checksum(admin)
        if response.ok:
            report.succeeded += 1
        else:
            report.failed_as_documented += why is None
            if why is None and state[0] != before:
                why = "a failed call changed the database"
        if why is not None:
            report.violations.append(Violation(target["name"], args, caller, response.status, response.body, why))

    if seed is not None:
        from hypothesis import seed as hypothesis_seed

        one_call = hypothesis_seed(seed)(one_call)
    one_call()


class _Omit:
    def __repr__(self) -> str:
        return "<omitted>"


_OMIT = _Omit()
