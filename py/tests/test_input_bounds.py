"""Input bounds of the HTTP API (issue 14, "Input bounds"), generated from the catalog so that the next api function is
covered without anyone remembering to add it here:

- no api function takes plain text, jsonb, json, date, timestamptz or an array: every such parameter is one of the bounded
  domains of schema core, whose COMMENT states the limit (and this file checks the enforced limit is the stated one);
- every date/timestamptz parameter refuses ±infinity (and years outside 1-9999) with CORE_DATE_OUT_OF_RANGE (400),
  every text/jsonb/array parameter refuses a value one past its limit with CORE_INPUT_TOO_LARGE (413), called as
  PostgREST calls it (named arguments converted from JSON) and as psycopg calls it, by a role allowed to call it;
- a JSON null anywhere inside a JSON document an api function parses is refused with a documented code or accepted,
  never a raw SQLSTATE (every api function taking a document must have a template below);
- regressions for the findings of issue 14 item 7.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import time
import uuid
from collections.abc import Callable
from typing import Any

import psycopg
import pytest
from psycopg import sql
from psycopg.types.json import Jsonb

from mercato.harness.postgrest import PostgREST
from jwt_helper import rest_as_authenticator, sign

#: The callers of api functions: the API roles, then the outbox's senders (mercato_sender, not an API role: it calls
#: through psycopg, never over HTTP, so its functions are probed directly only).
ROLES = ("mercato_user", "mercato_service", "mercato_anon", "mercato_sender")
NOT_HTTP = "not served over HTTP"
#: Parameter types an api function may take as they are: fixed-size, or bounded by the function itself (numeric).
PLAIN_OK = {"bigint", "integer", "smallint", "boolean", "numeric", "uuid"}
TEXT_TOO_LARGE, DATE_OUT_OF_RANGE = "CORE_INPUT_TOO_LARGE", "CORE_DATE_OUT_OF_RANGE"


# -- the catalog ------------------------------------------------------------------------------------------------------

def api_parameters(conn: psycopg.Connection) -> list[dict[str, Any]]:
    """Every input parameter of every api function: its type, the domain's base type and schema, its default."""
    rows = conn.execute("""
        SELECT p.oid::regprocedure::text AS signature, p.proname AS function, a.n, a.name,
               format_type(a.t, NULL) AS type, t.typtype = 'd' AS is_domain, tn.nspname AS type_schema,
               format_type(CASE WHEN t.typtype = 'd' THEN t.typbasetype ELSE a.t END, NULL) AS base,
               a.n > p.pronargs - p.pronargdefaults AS has_default,
               pg_get_function_arg_default(p.oid, a.n_all::int) AS default_expr,
               ARRAY(SELECT r FROM unnest(%s::text[]) r WHERE has_function_privilege(r, p.oid, 'EXECUTE')) AS roles
          FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
          CROSS JOIN LATERAL (   -- the input arguments (OUT and TABLE columns are not), numbered among all and among inputs
                SELECT x.t, x.name, x.n_all, row_number() OVER (ORDER BY x.n_all) AS n
                  FROM unnest(coalesce(p.proallargtypes, p.proargtypes::oid[]),
                              coalesce(p.proargmodes, array_fill('i'::"char", ARRAY[p.pronargs])),
                              coalesce(p.proargnames, array_fill(NULL::text, ARRAY[p.pronargs])))
                       WITH ORDINALITY AS x(t, mode, name, n_all)
                 WHERE x.mode IN ('i', 'b', 'v')) a
          JOIN pg_type t ON t.oid = a.t JOIN pg_namespace tn ON tn.oid = t.typnamespace
         WHERE n.nspname = 'api' AND p.prokind = 'f'
           AND p.prorettype NOT IN ('trigger'::regtype, 'event_trigger'::regtype)
         ORDER BY p.proname, a.n""", (list(ROLES),)).fetchall()
    cols = ("signature", "function", "n", "name", "type", "is_domain", "type_schema", "base", "has_default", "default_expr",
            "roles")
    return [dict(zip(cols, r)) for r in rows]


def core_domains(conn: psycopg.Connection) -> dict[str, dict[str, Any]]:
    """The domains of schema core with their base type and the limits their COMMENT states."""
    found = {}
    for name, base, comment in conn.execute("""
            SELECT format_type(t.oid, NULL), format_type(t.typbasetype, NULL), coalesce(obj_description(t.oid, 'pg_type'), '')
              FROM pg_type t WHERE t.typnamespace = 'core'::regnamespace AND t.typtype = 'd' ORDER BY 1"""):
        limits = {unit: int(n.replace(",", "")) for n, unit in
                  re.findall(r"at most ([0-9][0-9,]*) (characters|bytes|elements)", comment)}
        found[name] = {"base": base, "comment": comment, "limits": limits}
    return found


def filler(p: dict[str, Any]) -> Any:
    """A value of the right type and within bounds for a parameter (the other arguments of a probing call)."""
    base = p["base"]
    if base in ("bigint", "integer", "smallint"):
        return 1
    if base == "numeric":
        return "1"
    if base == "boolean":
        return False
    if base == "uuid":
        return str(uuid.uuid4())
    if base == "date":
        return str(dt.date.today())
    if base.startswith("timestamp"):
        return dt.datetime.now(dt.timezone.utc).isoformat()
    if base in ("jsonb", "json"):
        return {}
    if base.endswith("[]"):
        return []
    return "https://example.test/x" if "url" in p["type"] else "x"


def oversized(domain: dict[str, Any]) -> Any:
    """A value one past the domain's stated limit."""
    limits, base = domain["limits"], domain["base"]
    if base in ("jsonb", "json"):
        n = limits["bytes"] + 1
        return {"k": "x" * (n - len('{"k": ""}'))}   # jsonb::text is exactly n bytes
    if base.endswith("[]"):
        return ["x"] * (limits["elements"] + 1)
    return "x" * (limits["characters"] + 1)


def caller_for(p: dict[str, Any]) -> tuple[str, dict | None]:
    role = next(r for r in ROLES if r in p["roles"])
    return role, ({"sub": f"kc|bounds-{uuid.uuid4().hex[:6]}", "role": role} if role == "mercato_user"
                  else {"role": role} if role == "mercato_service" else None)


@pytest.fixture
def rest(db_url: str):
    with rest_as_authenticator(db_url) as client:
        yield client


def direct_call(db_url: str, params: list[dict[str, Any]], args: dict[str, Any], role: str, claims: dict | None) -> str | None:
    """The same call through psycopg as the API role (named arguments, Python values): the error code or None."""
    fn = params[0]["function"]
    call = sql.SQL("SELECT api.{}({})").format(sql.Identifier(fn), sql.SQL(", ").join(
        sql.SQL("{} := %s").format(sql.Identifier(k)) for k in args))
    values = [Jsonb(v) if isinstance(v, (dict, list)) and next(p for p in params if p["name"] == k)["base"] == "jsonb"
              else v for k, v in args.items()]
    with psycopg.connect(db_url) as conn:
        conn.execute("SELECT set_config('role', %s, true), set_config('request.jwt.claims', %s, true)",
                     (role, json.dumps(claims or {"role": role})))
        try:
            conn.execute(call, values)
        except psycopg.Error as exc:
            return (exc.diag.message_primary or "").split(":")[0] + f" ({exc.sqlstate})"
        finally:
            conn.rollback()
    return None


# -- every parameter is bounded ---------------------------------------------------------------------------------------

def test_no_api_function_takes_an_unbounded_type(postgresql: psycopg.Connection) -> None:
    params = api_parameters(postgresql)
    assert len({p["function"] for p in params}) >= 50, "the scan must see the api functions"
    domains = core_domains(postgresql)
    unbounded = [f"{p['signature']} {p['name']} {p['type']}" for p in params
                 if p["type"] not in PLAIN_OK and not (p["is_domain"] and p["type"] in domains)]
    assert not unbounded, ("api parameters must use a bounded core domain (core.name_text, core.long_text, core.url_text, "
                           "core.text_list, core.json_doc, core.json_batch, core.finite_date, core.finite_timestamptz):\n"
                           + "\n".join(unbounded))


def test_every_core_domain_documents_its_limit(postgresql: psycopg.Connection) -> None:
    domains = core_domains(postgresql)
    assert domains, "schema core defines the input domains"
    for name, d in domains.items():
        if d["base"] in ("date", "timestamp with time zone"):
            assert "infinity" in d["comment"] and DATE_OUT_OF_RANGE in d["comment"], (name, d["comment"])
        else:
            assert d["limits"] and TEXT_TOO_LARGE in d["comment"], (name, d["comment"])


def test_the_error_catalogue_states_the_same_limits(postgresql: psycopg.Connection) -> None:
    """docs/errors.md (core.error) lists each domain's maximum: it must be the one the domain states."""
    def human(n: int, unit: str) -> str:
        if unit == "bytes":
            return f"{n >> 20} MiB" if n % (1 << 20) == 0 else f"{n >> 10} KiB" if n % 1024 == 0 else f"{n:,} bytes"
        return f"{n:,}"

    describe = dict(postgresql.execute("SELECT code, description FROM core.error WHERE code IN (%s, %s)",
                                       (TEXT_TOO_LARGE, DATE_OUT_OF_RANGE)).fetchall())
    for name, d in core_domains(postgresql).items():
        if d["base"] in ("date", "timestamp with time zone"):
            assert name in describe[DATE_OUT_OF_RANGE], name
            continue
        unit = "bytes" if "bytes" in d["limits"] else "elements" if "elements" in d["limits"] else "characters"
        assert f"{name} {human(d['limits'][unit], unit)}" in describe[TEXT_TOO_LARGE], (name, d["limits"], describe[TEXT_TOO_LARGE])


def test_no_api_default_is_infinite_or_outside_its_domain(postgresql: psycopg.Connection) -> None:
    bad = []
    for p in api_parameters(postgresql):
        if not p["has_default"] or p["default_expr"] is None:
            continue
        if "infinity" in p["default_expr"]:
            bad.append(f"{p['signature']} {p['name']} DEFAULT {p['default_expr']}")
            continue
        try:
            with postgresql.transaction():
                postgresql.execute(f"SELECT ({p['default_expr']})::{p['type']}")
        except psycopg.Error as exc:
            bad.append(f"{p['signature']} {p['name']} DEFAULT {p['default_expr']}: {exc.diag.message_primary}")
    assert not bad, "defaults must be finite values of their domain (NULL means unbounded):\n" + "\n".join(bad)


def test_domain_limits_are_the_documented_ones(postgresql: psycopg.Connection) -> None:
    """The limit in each domain's COMMENT is exactly the enforced one: at the limit accepted, one past refused."""
    def refused(value: str, domain: str) -> tuple[str, str] | None:
        try:
            with postgresql.transaction():
                postgresql.execute(f"SELECT %s::{domain}", (value,))
        except psycopg.Error as exc:
            return exc.sqlstate, (exc.diag.message_primary or "").split(":")[0]
        return None

    domains = core_domains(postgresql)
    assert len(domains) >= 8, "schema core defines the input domains"
    for name, d in domains.items():
        base, limits = d["base"], d["limits"]
        assert refused(None, name) is None, f"{name}: NULL is the function's business, not the domain's"
        if base in ("date", "timestamp with time zone"):
            for ok in ("0001-01-01", "2026-06-30", "9999-12-31"):
                assert refused(ok, name) is None, (name, ok)
            for bad in ("infinity", "-infinity", "10000-01-01", "0001-12-31 BC"):
                assert refused(bad, name) == ("PT400", DATE_OUT_OF_RANGE), (name, bad)
        elif base in ("jsonb", "json"):
            n = limits["bytes"]
            at_limit = json.dumps({"k": "é" * ((n - 9) // 2) + "x" * ((n - 9) % 2)}, ensure_ascii=False)
            assert refused(at_limit, name) is None, (name, "at the limit")
            assert refused(json.dumps(oversized(d)), name) == ("PT413", TEXT_TOO_LARGE), name
        elif base.endswith("[]"):
            elements, chars = limits["elements"], limits["characters"]
            assert refused("{" + ",".join(["x"] * elements) + "}", name) is None, name
            assert refused("{" + ",".join(["x"] * (elements + 1)) + "}", name) == ("PT413", TEXT_TOO_LARGE), name
            assert refused("{" + "é" * chars + "}", name) is None, name
            assert refused("{" + "é" * (chars + 1) + "}", name) == ("PT413", TEXT_TOO_LARGE), name
        else:
            n = limits["characters"]
            assert refused("é" * n, name) is None, (name, "characters, not bytes")
            assert refused("x" * (n + 1), name) == ("PT413", TEXT_TOO_LARGE), name


def test_named_calls_with_base_typed_values_still_resolve(postgresql: psycopg.Connection) -> None:
    """A caller that types its values with the base type (``p_x := $1::text``, ``$2::jsonb``, ``$3::date``: PostgREST
    and psycopg calls alike) still finds every api function: a domain parameter takes a value of its base type."""
    by_function: dict[str, list[dict]] = {}
    for p in api_parameters(postgresql):
        by_function.setdefault(p["signature"], []).append(p)
    unresolved = []
    for signature, params in by_function.items():
        call = sql.SQL("PREPARE bounds_probe AS SELECT * FROM api.{}({})").format(
            sql.Identifier(params[0]["function"]),
            sql.SQL(", ").join(sql.SQL("{} := ${}::{}").format(sql.Identifier(p["name"]), sql.SQL(str(i)), sql.SQL(p["base"]))
                               for i, p in enumerate(params, 1)))
        try:
            with postgresql.transaction():
                postgresql.execute(call)
                postgresql.execute("DEALLOCATE bounds_probe")
        except psycopg.Error as exc:
            unresolved.append(f"{signature}: {exc.sqlstate} {exc.diag.message_primary}")
    assert len(by_function) >= 50 and not unresolved, "\n".join(unresolved)


# -- every api function refuses infinity and oversized input, as its callers call it ----------------------------------

def _probe(db_url: str, rest: PostgREST, params: list[dict[str, Any]], target: dict[str, Any], value: Any) -> list[str]:
    """Call the function with ``value`` in ``target`` (fillers elsewhere) through the emulator and psycopg: the answers."""
    role, claims = caller_for(target)
    args = {p["name"]: filler(p) for p in params}
    args[target["name"]] = value
    if role == "mercato_sender":
        return [NOT_HTTP, direct_call(db_url, params, args, role, claims) or "ok"]
    response = rest.rpc(target["function"], args, token=sign(claims))
    via_http = "ok" if response.ok else f"{response.status} {response.code or response.body.get('code')}"
    return [via_http, direct_call(db_url, params, args, role, claims) or "ok"]


def test_every_date_parameter_refuses_infinity(db_url: str, postgresql: psycopg.Connection, rest: PostgREST) -> None:
    params = api_parameters(postgresql)
    by_function: dict[str, list[dict]] = {}
    for p in params:
        by_function.setdefault(p["function"], []).append(p)
    targets = [p for p in params if p["base"] in ("date", "timestamp with time zone", "timestamp without time zone")]
    assert len(targets) >= 15, "the scan must find the date and timestamp parameters"
    wrong = []
    for p in targets:
        for value in ("infinity", "-infinity"):
            answers = _probe(db_url, rest, by_function[p["function"]], p, value)
            if answers not in ([f"400 {DATE_OUT_OF_RANGE}", f"{DATE_OUT_OF_RANGE} (PT400)"],
                               [NOT_HTTP, f"{DATE_OUT_OF_RANGE} (PT400)"]):
                wrong.append(f"api.{p['function']}({p['name']} := {value}): {answers}")
    assert not wrong, "every date/timestamp input refuses ±infinity with CORE_DATE_OUT_OF_RANGE:\n" + "\n".join(wrong)


def test_every_text_and_json_parameter_refuses_oversized_input(db_url: str, postgresql: psycopg.Connection,
                                                              rest: PostgREST) -> None:
    params = api_parameters(postgresql)
    domains = core_domains(postgresql)
    by_function: dict[str, list[dict]] = {}
    for p in params:
        by_function.setdefault(p["function"], []).append(p)
    targets = [p for p in params if p["base"] not in PLAIN_OK and p["base"] not in
               ("date", "timestamp with time zone", "timestamp without time zone")]
    assert len(targets) >= 80, "the scan must find the text and json parameters"
    wrong = []
    for p in targets:
        domain = domains.get(p["type"])
        if domain is None:
            wrong.append(f"api.{p['function']}({p['name']} {p['type']}): not a bounded core domain")
            continue
        answers = _probe(db_url, rest, by_function[p["function"]], p, oversized(domain))
        if answers not in ([f"413 {TEXT_TOO_LARGE}", f"{TEXT_TOO_LARGE} (PT413)"], [NOT_HTTP, f"{TEXT_TOO_LARGE} (PT413)"]):
            wrong.append(f"api.{p['function']}({p['name']} {p['type']}): {answers}")
    assert not wrong, "every text/jsonb input has a documented maximum (CORE_INPUT_TOO_LARGE, 413):\n" + "\n".join(wrong)


# -- a world to call the workflows in ---------------------------------------------------------------------------------

class World:
    """Tenants, a business with money, verified providers with an active insured vehicle, an admin, the back office,
    all called through the PostgREST emulator (set-up shortcuts as the superuser only where noted)."""

    def __init__(self, db_url: str, rest: PostgREST) -> None:
        self.db_url, self.rest = db_url, rest
        self.tag = uuid.uuid4().hex[:6]
        self.n = 0
        self.subs = {k: f"kc|{k}-{self.tag}" for k in ("biz", "prov", "prov2", "admin")}
        with psycopg.connect(db_url, autocommit=True) as conn:   # users exist before anyone can call
            for k, kind in (("biz", "BUSINESS"), ("prov", "PROVIDER"), ("prov2", "PROVIDER"), ("admin", "ADMIN")):
                uid = conn.execute("SELECT identity.register_user(%s, %s, %s, NULL, NULL, %s)",
                                   (self.subs[k], kind, k, "+251911000003" if k == "biz" else None)).fetchone()[0]
                if k == "admin":
                    conn.execute("SELECT identity.assign_role(%s, 'PLATFORM_ADMIN')", (uid,))
        self.business = self.ok("register_business", {"p_name": "Biz", "p_business_type": "RETAIL"}, "biz")
        self.ok("set_business_kyb", {"p_business_id": self.business, "p_status": "VERIFIED"}, "admin")
        self.ok("top_up_business", {"p_business_id": self.business, "p_amount": "1000000", "p_reference": f"top-{self.tag}"},
                "service")
        self.providers = {}
        for k in ("prov", "prov2"):
            pid = self.ok("register_provider", {"p_provider_type": "COMPANY", "p_name": k}, k)
            self.ok("set_provider_verification", {"p_provider_id": pid, "p_status": "VERIFIED"}, "admin")
            self.providers[k] = pid
        self.bank = self.ok("open_account", {"p_owner_type": "PLATFORM", "p_owner_id": f"bank-{self.tag}",
                                             "p_purpose": "CLEARING", "p_currency": "ETB", "p_allow_negative": True},
                            "service")
        with psycopg.connect(db_url) as conn:
            self.tiers = [r[0] for r in conn.execute("SELECT code FROM masterdata.provider_tier ORDER BY code")]
        self.wallet, self.wallet2 = (self.ok("open_account", {"p_owner_type": "PLATFORM", "p_owner_id": f"{w}-{self.tag}",
                                                              "p_purpose": "MAIN", "p_currency": "ETB"}, "service")
                                     for w in ("w1", "w2"))

    def claims(self, who: str) -> dict:
        return {"role": "mercato_service"} if who == "service" else {"sub": self.subs[who], "role": "mercato_user"}

    def call(self, fn: str, args: dict, who: str):
        return self.rest.rpc(fn, args, token=sign(self.claims(who)))

    def ok(self, fn: str, args: dict, who: str):
        r = self.call(fn, args, who)
        assert r.ok, (fn, args, r.status, r.body)
        return r.body

    def unique(self, prefix: str) -> str:
        self.n += 1
        return f"{prefix}-{self.tag}-{self.n}"

    def vehicle(self, who: str = "prov") -> int:
        today = dt.date.today()
        vid = self.ok("add_vehicle", {"p_plate_number": f"B{self.tag[:4]} {self.n}{who[-1]}", "p_vehicle_type": "SEDAN",
                                      "p_seat_count": 4}, who)
        self.n += 1
        ins = self.ok("add_vehicle_insurance", {"p_vehicle_id": vid, "p_insurance_type": "COMPREHENSIVE",
                                                "p_company_name": "Nyala", "p_coverage_start": str(today),
                                                "p_coverage_end": str(today + dt.timedelta(days=90)),
                                                "p_certificate_url": "https://docs.example/p.pdf"}, who)
        self.ok("set_vehicle_status", {"p_vehicle_id": vid, "p_status": "ACTIVE"}, "admin")
        self.ok("verify_insurance", {"p_insurance_id": ins, "p_status": "VERIFIED"}, "admin")
        return vid

    def rfq(self, quantity: int = 1) -> tuple[int, int]:
        start = dt.date.today() + dt.timedelta(days=1)
        rfq = self.ok("create_rfq", {"p_title": "cars", "p_start_date": str(start), "p_end_date": str(start + dt.timedelta(days=4)),
                                     "p_bid_deadline": (dt.datetime.now(dt.timezone.utc) + dt.timedelta(hours=2)).isoformat(),
                                     "p_lines": [{"vehicle_type": "SEDAN", "quantity": quantity}]}, "biz")
        self.ok("publish_rfq", {"p_rfq_id": rfq}, "biz")
        return rfq, self.ok("rfq", {"p_rfq_id": rfq}, "biz")["lines"][0]["rfq_line_id"]

    def close_bidding(self, rfq: int) -> None:
        """Set-up shortcut (superuser): the deadline passes now instead of in an hour."""
        with psycopg.connect(self.db_url, autocommit=True) as conn:
            conn.execute("UPDATE marketplace.rfq SET bid_deadline = clock_timestamp() WHERE id = %s", (rfq,))

    def bid_closed_rfq(self) -> tuple[int, int, str]:
        rfq, line = self.rfq()
        self.ok("submit_bid", {"p_rfq_id": rfq, "p_lines": [{"rfq_line_id": line, "unit_price": "100", "quantity": 1}]}, "prov")
        self.close_bidding(rfq)
        return rfq, line, self.ok("rfq_bids", {"p_rfq_id": rfq}, "biz")[0]["bidder"]

    def delivery_session(self) -> tuple[int, str]:
        rfq, line, bidder = self.bid_closed_rfq()
        self.ok("award_rfq", {"p_rfq_id": rfq, "p_awards": [{"rfq_line_id": line, "bidder": bidder, "quantity": 1}]}, "biz")
        contract = self.ok("create_contract", {"p_rfq_id": rfq}, "biz")["id"]
        self.ok("activate_contract", {"p_contract_id": contract}, "biz")
        cline = self.ok("contract", {"p_contract_id": contract}, "biz")["lines"][0]["id"]
        assignment = self.ok("assign_vehicle", {"p_contract_line_id": cline, "p_vehicle_id": self.vehicle()}, "prov")["id"]
        issued = self.ok("start_delivery_session", {"p_assignment_id": assignment, "p_session_type": "DELIVERY"}, "prov")[0]
        with psycopg.connect(self.db_url, autocommit=True) as conn:   # the business's phone: read as the database owner
            code = conn.execute("SELECT secret ->> 'code' FROM outbox.message_secret WHERE message_id = %s",
                                (issued["message_id"],)).fetchone()[0]
        return issued["session_id"], code


@pytest.fixture
def world(db_url: str, rest: PostgREST) -> World:
    return World(db_url, rest)


# -- nulls inside JSON documents --------------------------------------------------------------------------------------

#: For every (api function, document parameter): who calls it and a builder of valid arguments (fresh state per call
#: where a success consumes it). Each must succeed as built; every variant with one JSON null inside must succeed or be
#: refused with a catalogued code.
Template = tuple[str, Callable[[World], dict[str, Any]]]


def _open_rfq(w: World) -> dict:
    if not hasattr(w, "_open"):
        w._open = w.rfq(quantity=3)
    rfq, line = w._open
    return {"p_rfq_id": rfq, "p_lines": [{"rfq_line_id": line, "unit_price": "120.50", "quantity": 2}]}


def _draft(w: World) -> dict:
    if not hasattr(w, "_draft"):
        start = dt.date.today() + dt.timedelta(days=2)
        w._draft = w.ok("create_rfq", {"p_title": "draft", "p_start_date": str(start), "p_end_date": str(start + dt.timedelta(days=3)),
                                       "p_bid_deadline": (dt.datetime.now(dt.timezone.utc) + dt.timedelta(hours=3)).isoformat(),
                                       "p_lines": [{"vehicle_type": "SEDAN", "quantity": 1}]}, "biz")
    return {"p_rfq_id": w._draft, "p_lines": [{"vehicle_type": "SUV", "engine_type": "DIESEL", "quantity": 2, "with_driver": True,
                                               "notes": "n"}]}


def _award(w: World) -> dict:
    rfq, line, bidder = w.bid_closed_rfq()
    return {"p_rfq_id": rfq, "p_awards": [{"rfq_line_id": line, "bidder": bidder, "quantity": 1}]}


def _capture(w: World) -> dict:
    hold = w.ok("create_hold", {"p_reference": w.unique("hold"), "p_account_id": w.bank, "p_amount": "5"}, "service")
    return {"p_reference": w.unique("cap"), "p_hold_id": hold,
            "p_destinations": [{"account_id": w.wallet, "amount": "3"}, {"account_id": w.wallet2, "amount": "2"}]}


def _handover(w: World) -> dict:
    if not hasattr(w, "_session"):
        w._session = w.delivery_session()
    session, code = w._session
    return {"p_session_id": session, "p_code": code,
            "p_handover": {"photos": {"front": "https://x.test/f.jpg"}, "odometer_km": 1200, "fuel_level": "FULL",
                           "notes": "clean"}}


def _commission(w: World) -> dict:
    w.n += 1   # versions only move forward: each call starts later than the last
    return {"p_effective_from": (dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=1, minutes=w.n)).isoformat(),
            "p_rules": [{"tier_code": t, "currency": "ETB", "rate": "0.05", "minimum_amount": "1", "maximum_amount": "100"}
                        for t in w.tiers]}


def _shop(w: World) -> tuple[int, int, int]:
    """A tenant in USD with one product and one variant, made by the back office (which names the tenant)."""
    if not hasattr(w, "_shop"):
        tenant = w.ok("create_tenant", {"p_code": f"shop-{w.tag}", "p_name": "Shop"}, "admin")
        w.ok("set_tenant_currency", {"p_tenant_id": tenant, "p_currency": "USD"}, "service")
        product = w.ok("create_product", {"p_product": {"title": "Card"}, "p_tenant_id": tenant}, "service")
        variant = w.ok("add_variant", {"p_product_id": product, "p_variant": {"sku": f"SKU-{w.tag}", "price": "1"},
                                       "p_tenant_id": tenant}, "service")
        w._shop = (tenant, product, variant)
    return w._shop


def _reserve(w: World) -> dict:
    """A tenant with a variant of ample stock at one location (set up once, as the back office in SQL)."""
    if not hasattr(w, "_stock"):
        with psycopg.connect(w.db_url) as conn:
            conn.execute("SELECT set_config('request.jwt.claims', '{\"role\": \"mercato_service\"}', true)")
            tenant = conn.execute("SELECT identity.create_tenant(%s, 'Inventory bounds')",
                                  (w.unique("inv").replace("|", "-"),)).fetchone()[0]
            variant = conn.execute("SELECT tests.catalog_variant(%s, 'BOUNDS-1')", (tenant,)).fetchone()[0]
            location = conn.execute("SELECT inventory.create_location('WH', 'Warehouse', 'WAREHOUSE', 10, true, %s)",
                                    (tenant,)).fetchone()[0]
            conn.execute("SELECT inventory.receive(%s, %s, 100000, p_tenant_id => %s)", (variant, location, tenant))
        w._stock = (tenant, variant, location)
    tenant, variant, location = w._stock
    return {"p_lines": [{"variant_id": variant, "location_id": location, "quantity": 1, "ref_id": "line-1"}],
            "p_ref_module": "orders", "p_ref_entity": "order", "p_ref_id": w.unique("o"), "p_tenant_id": tenant}


def _card(w: World) -> dict:
    """A fresh catalog product of a card shop (written by the superuser: the catalog has no writing api yet) that the
    back office makes a card of (api.add_card consumes the product)."""
    with psycopg.connect(w.db_url, autocommit=True) as conn:
        if not hasattr(w, "_card_shop"):
            w._card_shop = conn.execute("SELECT identity.create_tenant(%s, 'Card shop')",
                                   (w.unique("shop").lower().replace("|", "-"),)).fetchone()[0]
        product = conn.execute("INSERT INTO catalog.product (tenant_id, title) VALUES (%s, 'Black Lotus') RETURNING id",
                               (w._card_shop,)).fetchone()[0]
    return {"p_product_id": product, "p_game": "MTG", "p_set_code": "LEA", "p_tenant_id": w._card_shop,
            "p_legalities": {"vintage": "restricted", "legacy": "banned"}, "p_metadata": {"artist": "Christopher Rush", "n": 1}}


def _new_card(w: World) -> dict:
    """api.create_card in the USD shop of _shop: a catalog product document and the card's open documents."""
    return {"p_tenant_id": _shop(w)[0], "p_game": "MTG", "p_set_code": "LEA",
            "p_product": {"title": "Mox", "vendor": "v", "tags": ["a"], "metadata": {"k": "v"}},
            "p_legalities": {"vintage": "restricted"}, "p_metadata": {"artist": "Dan Frazier", "n": 1}}


def _shop_card(w: World) -> int:
    """A card of _shop's tenant (created once through api.create_card) that api.create_card_variant adds units to."""
    if not hasattr(w, "_shop_card"):
        w._shop_card = w.ok("create_card", {"p_tenant_id": _shop(w)[0], "p_game": "MTG", "p_set_code": "LEB",
                                             "p_product": {"title": "Ancestral Recall"}}, "service")
    return w._shop_card


def _purchasing(w: World) -> tuple[int, int, int, int, int]:
    """_shop's tenant with a warehouse and a distributor supplying two variants (the back office, through the api)."""
    if not hasattr(w, "_purch"):
        tenant, product, variant = _shop(w)
        second = w.ok("add_variant", {"p_product_id": product, "p_variant": {"sku": f"SKU2-{w.tag}", "price": "1",
                                                                              "option1": "second"},
                                      "p_tenant_id": tenant}, "service")
        location = w.ok("create_inventory_location", {"p_code": "PWH", "p_name": "Purchasing", "p_tenant_id": tenant},
                        "service")
        distributor = w.ok("create_store_distributor", {"p_code": "BOUNDS", "p_name": "Bounds", "p_tenant_id": tenant},
                           "service")
        for v in (variant, second):
            w.ok("set_store_distributor_item", {"p_distributor_id": distributor, "p_variant_id": v, "p_unit_cost": "1.50",
                                                "p_is_preferred": True, "p_tenant_id": tenant}, "service")
        w._purch = (tenant, variant, second, location, distributor)
    return w._purch


def _new_po(w: World, submit: bool) -> int:
    """A fresh purchase order of one line (5 of the second variant: the first may become one-of-a-kind through
    update_variant's template), submitted when asked."""
    tenant, _, variant, location, distributor = _purchasing(w)
    body = w.ok("create_purchase_order", {"p_distributor_id": distributor, "p_ship_to_location_id": location,
                                          "p_lines": [{"variant_id": variant, "quantity": 5}], "p_tenant_id": tenant},
                "service")
    po = (body[0] if isinstance(body, list) else body)["id"]
    if submit:
        w.ok("submit_purchase_order", {"p_purchase_order_id": po, "p_tenant_id": tenant}, "service")
    return po


def _shopper(w: World, with_customer: bool) -> str:
    """A user of _shop's tenant, registered as the superuser, as caller "shopper" (fresh each call unless it is the one
    with a customer row, made once for api.update_my_customer)."""
    if with_customer and hasattr(w, "_shopper"):
        w.subs["shopper"] = w._shopper
        return "shopper"
    sub = f"kc|{w.unique('shopper')}"
    with psycopg.connect(w.db_url, autocommit=True) as conn:
        user = conn.execute("SELECT identity.register_user(%s, 'STAFF', 'Shopper', %s)", (sub, _shop(w)[0])).fetchone()[0]
        if with_customer:
            conn.execute("INSERT INTO orders.customer (tenant_id, user_id) VALUES (%s, %s)", (_shop(w)[0], user))
            w._shopper = sub
    w.subs["shopper"] = sub
    return "shopper"


def _customer(w: World) -> int:
    """A customer of _shop's tenant (made once by the back office)."""
    if not hasattr(w, "_customer"):
        w._customer = w.ok("create_customer", {"p_tenant_id": _shop(w)[0],
                                               "p_customer": {"email": f"bounds-{w.tag}@example.com"}}, "service")["id"]
    return w._customer


def _merchant(w: World) -> int:
    """A merchant (payments) the platform admin registered once; the back office invoices for it."""
    if not hasattr(w, "_merchant"):
        w._merchant = w.ok("register_merchant", {"p_name": f"Bounds merchant {w.tag}"}, "admin")[0]["organization_id"]
    return w._merchant


def _invoice_args(w: World) -> dict:
    return {"p_organization_id": _merchant(w), "p_currency": "KES",
            "p_due_date": str(dt.date.today() + dt.timedelta(days=7)), "p_customer_email": "bounds@example.com",
            "p_items": [{"description": "d", "quantity": "1", "unit_price": "2.50", "tax_rate": "16"}]}


def _paid_order_line(w: World) -> tuple[int, int]:
    """A fresh order of _shop's customer for one unit, paid on its channel (written as place_order and an import would),
    and its line: api.refund_order refunds it."""
    with psycopg.connect(w.db_url, autocommit=True) as conn:
        order = conn.execute("SELECT tests.order_for(%s, %s, %s)", (_shop(w)[0], _customer(w), Jsonb([
            {"variant_id": _shop(w)[2], "quantity": 1, "price": "1.00"}]))).fetchone()[0]
        conn.execute("SELECT tests.fund_order_external(%s, 1, %s)", (order, w.unique("ext")))
        line = conn.execute("SELECT id FROM orders.line WHERE order_id = %s", (order,)).fetchone()[0]
    return order, line


def _order(w: World, external: bool = False) -> dict:
    """An order document of _reserve's tenant (a variant of ample stock): every field placement reads, with the
    expected totals it computes (no tax rate: 2.00 + 1.00 shipping)."""
    _reserve(w)
    tenant, variant, location = w._stock
    doc = {"p_tenant_id": tenant, "p_expected": {"subtotal": "2", "total_price": "3.00", "total_tax": 0},
           "p_order": {"source": "MANUAL", "shipping": "1.00", "shipping_address": {"city": "Nairobi"},
                       "billing_address": {"city": "Nairobi"}, "shipping_method": "post", "tags": ["a"], "note": "n",
                       "reserve_minutes": 30, "channel_data": {"k": "v"},
                       "lines": [{"variant_id": variant, "quantity": 1, "location_id": location, "price": "2",
                                  "discount": "0", "properties": {"gift": True}}]}}
    if external:
        doc["p_order"].pop("source")
        doc["p_order"]["payment"] = {"amount": "3.00", "reference": w.unique("pay")}
        doc.update({"p_source": "EBAY", "p_external_id": w.unique("eb")})
    return doc


def _fulfil(w: World) -> dict:
    """A fresh POS order of _reserve's tenant (POS orders may ship unpaid) and the line to fulfil."""
    args = _order(w)
    placed = w.ok("place_order", {"p_order": {**args["p_order"], "source": "POS"}, "p_tenant_id": args["p_tenant_id"]},
                  "service")
    return {"p_order_id": placed["id"], "p_tenant_id": args["p_tenant_id"],
            "p_lines": [{"line_id": placed["lines"][0]["id"], "quantity": 1}]}


def _batch_order(w: World) -> tuple[int, int, int]:
    """A fresh MANUAL order of _reserve's tenant with its line reserved at the tenant's location: (tenant, location,
    order id), placed by the back office."""
    args = _order(w)
    tenant = args["p_tenant_id"]
    location = w._stock[2]
    placed = w.ok("place_order", {"p_order": {"source": "MANUAL", "lines": args["p_order"]["lines"]},
                                  "p_tenant_id": tenant}, "service")
    return tenant, location, placed["id"]


def _new_batch(w: World) -> dict:
    """A fresh fulfilment batch's arguments: its location and one order reserved there."""
    tenant, location, order = _batch_order(w)
    return {"p_location_id": location, "p_order_ids": [order], "p_tenant_id": tenant}


def _add_to_batch(w: World) -> dict:
    """An empty CREATED batch and an order to add to it."""
    tenant, location, order = _batch_order(w)
    batch = w.ok("create_fulfilment_batch", {"p_location_id": location, "p_tenant_id": tenant}, "service")
    return {"p_batch_id": batch["id"], "p_order_ids": [order], "p_tenant_id": tenant}


def _ship_batch(w: World) -> dict:
    """A batch of one order brought to PACKING, and tracking numbers for its order."""
    tenant, location, order = _batch_order(w)
    batch = w.ok("create_fulfilment_batch", {"p_location_id": location, "p_order_ids": [order], "p_tenant_id": tenant},
                 "service")
    for status in ("PICKING", "PICKED", "PACKING"):
        w.ok("advance_fulfilment_batch", {"p_batch_id": batch["id"], "p_status": status, "p_tenant_id": tenant}, "service")
    return {"p_batch_id": batch["id"], "p_tracking": {str(order): ["1Z-BOUNDS"]}, "p_tenant_id": tenant}


def _shop_order(w: World) -> dict:
    """A payments shop (tests.escrow_world: a merchant's shop in KES with a stocked, published variant at 10.00) and a
    shop order document of every field a buyer may send, with the totals it computes; its buyer is caller "shopbuyer"."""
    if not hasattr(w, "_escrow"):
        prefix = w.unique("esc").replace("|", "-").replace("_", "-").lower()
        with psycopg.connect(w.db_url, autocommit=True) as conn:
            w._escrow = conn.execute("SELECT tests.escrow_world(%s)", (prefix,)).fetchone()[0]
        w.subs["shopbuyer"] = f"{prefix}-payer"
    e = w._escrow
    return {"p_shop_id": e["shop_id"], "p_expected": {"subtotal": "10.00", "total_price": "10.00", "total_tax": 0},
            "p_order": {"shipping_address": {"city": "Nairobi"}, "billing_address": {"city": "Nairobi"},
                        "shipping_method": "post", "tags": ["a"], "note": "n", "reserve_minutes": 30,
                        "lines": [{"variant_id": e["variant"], "quantity": 1, "location_id": e["location"],
                                   "properties": {"gift": True}}]}}
def _pay(w: World) -> tuple[int, int]:
    """A merchant (tests.payments_world) and the business user's KES wallet, funded (superuser set-up)."""
    if not hasattr(w, "_pay_world"):
        with psycopg.connect(w.db_url, autocommit=True) as conn:
            merchant = conn.execute("SELECT tests.payments_world(%s)", (f"ib{w.tag}",)).fetchone()[0]["merchant"]
            uid = conn.execute("SELECT id FROM identity.user_account WHERE auth_subject = %s", (w.subs["biz"],)).fetchone()[0]
            wallet = conn.execute("SELECT payments.wallet_for('USER', %s, 'KES')", (uid,)).fetchone()[0]
            conn.execute("SELECT tests.fund_wallet(%s, 100000, %s)", (wallet, f"test:ib{w.tag}"))
        w._pay_world = (merchant, wallet)  # type: ignore[attr-defined]
    return w._pay_world  # type: ignore[attr-defined]


def _merchant_intent(w: World) -> dict:
    """A merchant's intent of 5 KES (created by the back office) for the business user to confirm from its wallet."""
    merchant, wallet = _pay(w)
    intent = w.ok("create_payment_intent", {"p_merchant_id": merchant, "p_amount": "5", "p_currency": "KES"}, "service")
    return {"p_intent_id": intent["id"], "p_sources": [{"wallet_id": wallet, "amount": "5"}],
            "p_client_secret": intent["client_secret"]}


def _credit_retailer(w: World) -> int:
    """A retailer of the credit product (tests.credit_world; superuser set-up), scored by the back office in tests."""
    if not hasattr(w, "_credit_world"):
        with psycopg.connect(w.db_url, autocommit=True) as conn:
            w._credit_world = conn.execute("SELECT tests.credit_world(%s)", (f"ibc{w.tag}".lower(),)).fetchone()[0]
    return int(w._credit_world["retailer"])  # type: ignore[attr-defined]


TEMPLATES: dict[tuple[str, str], Template] = {
    ("set_retailer_score", "p_inputs"): ("service", lambda w: {
        "p_retailer_id": _credit_retailer(w), "p_score": 700, "p_inputs": {"utilisation": "0.4", "n": [1, 2]}}),
    ("create_payment_intent", "p_metadata"): ("service", lambda w: {
        "p_merchant_id": _pay(w)[0], "p_amount": "3", "p_currency": "KES", "p_metadata": {"order": "A-1", "n": [1, 2]}}),
    ("create_payment_intent", "p_sources"): ("biz", lambda w: {
        "p_merchant_id": _pay(w)[0], "p_amount": "4", "p_currency": "KES",
        "p_sources": [{"wallet_id": _pay(w)[1], "amount": "1.50"}, {"wallet_id": _pay(w)[1], "amount": "2.50"}]}),
    ("confirm_payment_intent", "p_sources"): ("biz", _merchant_intent),
    ("create_product", "p_product"): ("service", lambda w: {
        "p_tenant_id": _shop(w)[0],
        "p_product": {"title": "T", "description": "d", "vendor": "v", "tags": ["a", "b"], "metadata": {"k": "v"}}}),
    ("update_product", "p_changes"): ("service", lambda w: {
        "p_tenant_id": _shop(w)[0], "p_product_id": _shop(w)[1],
        "p_changes": {"title": "T2", "category": "c", "tags": ["x"], "metadata": {"k": [1, 2]}}}),
    ("add_variant", "p_variant"): ("service", lambda w: {
        "p_tenant_id": _shop(w)[0], "p_product_id": _shop(w)[1],
        "p_variant": {"sku": w.unique("sku"), "price": "1.50", "cost": 1, "option1": w.unique("o"), "metadata": {"a": 1}}}),
    ("update_variant", "p_changes"): ("service", lambda w: {
        "p_tenant_id": _shop(w)[0], "p_variant_id": _shop(w)[2],
        "p_changes": {"price": "2.00", "barcode": "123", "max_quantity": 1, "metadata": {"a": {"b": 1}}}}),
    ("search_catalog", "p_filters"): ("service", lambda w: {
        "p_tenant_id": _shop(w)[0], "p_query": "card",
        "p_filters": {"category": "c", "tags": ["a"], "status": ["ACTIVE", "DRAFT"], "price_min": "1",
                      "metadata": {"k": "v"}}}),
    ("create_tenant", "p_metadata"): ("admin", lambda w: {"p_code": w.unique("t").replace("|", "-"), "p_name": "T",
                                                           "p_metadata": {"region": "east", "size": 3}}),
    ("add_policy_version", "p_body"): ("admin", lambda w: {
        "p_policy_code": f"BOUNDS_{w.tag.upper()}_{w.unique('p').split('-')[-1]}",
        "p_effective_from": (dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=1)).isoformat(),
        "p_body": {"limit": 5, "label": "x"}}),
    ("open_account", "p_metadata"): ("service", lambda w: {"p_owner_type": "PLATFORM", "p_owner_id": w.unique("acc"),
                                                           "p_purpose": "MAIN", "p_currency": "ETB",
                                                           "p_metadata": {"note": "x", "n": 1}}),
    ("transfer", "p_metadata"): ("service", lambda w: {"p_reference": w.unique("tr"), "p_debit_account_id": w.bank,
                                                       "p_credit_account_id": w.wallet, "p_amount": "1",
                                                       "p_metadata": {"order": "o-1", "n": 2}}),
    ("post_transaction", "p_legs"): ("service", lambda w: {
        "p_reference": w.unique("post"),
        "p_legs": [{"account_id": w.bank, "amount": "2.00", "side": "DEBIT"},
                   {"account_id": w.wallet, "amount": "2.00", "side": "CREDIT"}]}),
    ("post_transaction", "p_metadata"): ("service", lambda w: {
        "p_reference": w.unique("postm"),
        "p_legs": [{"account_id": w.bank, "amount": "2.00", "side": "DEBIT"},
                   {"account_id": w.wallet, "amount": "2.00", "side": "CREDIT"}], "p_metadata": {"k": "v"}}),
    ("post_batch", "p_transfers"): ("service", lambda w: {"p_transfers": [
        {"reference": w.unique("b"), "debit_account_id": w.bank, "credit_account_id": w.wallet, "amount": "1", "memo": "m"}]}),
    ("capture_hold", "p_destinations"): ("service", _capture),
    ("add_vehicle", "p_images"): ("prov", lambda w: {"p_plate_number": f"I{w.tag[:4]} {w.unique('v').split('-')[-1]}",
                                                     "p_vehicle_type": "SEDAN", "p_seat_count": 4,
                                                     "p_images": {"front": "https://x.test/f.jpg", "back": "https://x.test/b.jpg"}}),
    ("update_rfq", "p_lines"): ("biz", _draft),
    ("create_rfq", "p_lines"): ("biz", lambda w: {
        "p_title": "vans", "p_start_date": str(dt.date.today() + dt.timedelta(days=2)),
        "p_end_date": str(dt.date.today() + dt.timedelta(days=5)),
        "p_bid_deadline": (dt.datetime.now(dt.timezone.utc) + dt.timedelta(hours=3)).isoformat(),
        "p_lines": [{"vehicle_type": "SEDAN", "engine_type": "HYBRID", "quantity": 2, "with_driver": True, "notes": "n"}]}),
    ("submit_bid", "p_lines"): ("prov", _open_rfq),
    ("award_rfq", "p_awards"): ("biz", _award),
    ("verify_code", "p_handover"): ("biz", _handover),
    ("add_commission_strategy", "p_rules"): ("admin", _commission),
    ("reserve_stock", "p_lines"): ("service", _reserve),
    ("place_order", "p_order"): ("service", _order),
    ("place_order", "p_expected"): ("service", _order),
    ("place_shop_order", "p_order"): ("shopbuyer", _shop_order),
    ("place_shop_order", "p_expected"): ("shopbuyer", _shop_order),
    ("import_order", "p_order"): ("service", lambda w: _order(w, external=True)),
    ("import_order", "p_expected"): ("service", lambda w: _order(w, external=True)),
    ("fulfil_order", "p_lines"): ("service", _fulfil),
    ("create_fulfilment_batch", "p_order_ids"): ("service", _new_batch),
    ("add_batch_orders", "p_order_ids"): ("service", _add_to_batch),
    ("ship_fulfilment_batch", "p_tracking"): ("service", _ship_batch),


    ("add_card", "p_legalities"): ("service", _card),
    ("add_card", "p_metadata"): ("service", _card),
    ("create_card", "p_product"): ("service", lambda w: _new_card(w)),
    ("create_card", "p_legalities"): ("service", lambda w: _new_card(w)),
    ("create_card", "p_metadata"): ("service", lambda w: _new_card(w)),
    ("create_store_distributor", "p_contact_info"): ("service", lambda w: {
        "p_tenant_id": _shop(w)[0], "p_code": w.unique("d"), "p_name": "D",
        "p_contact_info": {"email": "po@d.test", "phones": ["+1 555 0100"], "rep": {"name": "Ann"}}}),
    ("update_store_distributor", "p_contact_info"): ("service", lambda w: {
        "p_tenant_id": _purchasing(w)[0], "p_distributor_id": _purchasing(w)[4],
        "p_contact_info": {"email": "po@d.test", "phones": ["+1 555 0101"]}}),
    ("create_purchase_order", "p_lines"): ("service", lambda w: {
        "p_tenant_id": _purchasing(w)[0], "p_distributor_id": _purchasing(w)[4], "p_ship_to_location_id": _purchasing(w)[3],
        "p_lines": [{"variant_id": _purchasing(w)[1], "quantity": 2, "unit_cost": "1.25", "distributor_sku": "S-1"}]}),
    ("add_purchase_order_lines", "p_lines"): ("service", lambda w: {
        "p_tenant_id": _purchasing(w)[0], "p_purchase_order_id": _new_po(w, False),
        "p_lines": [{"variant_id": _purchasing(w)[1], "quantity": 3, "unit_cost": "2.00", "distributor_sku": "S-2"}]}),
    ("receive_purchase_order", "p_lines"): ("service", lambda w: {
        "p_tenant_id": _purchasing(w)[0], "p_purchase_order_id": _new_po(w, True),
        "p_lines": [{"variant_id": _purchasing(w)[2], "quantity": 2, "allow_over_receipt": False}]}),
    ("create_card_variant", "p_variant"): ("service", lambda w: {
        "p_tenant_id": _shop(w)[0], "p_product_id": _shop_card(w), "p_printing": "NONFOIL", "p_grading_company": "PSA",
        "p_grade": 9, "p_cert_number": w.unique("cert"),   # a slab: a fresh certificate per call (units would repeat)
        "p_variant": {"sku": w.unique("csku"), "price": "1.50", "option1": w.unique("co"), "metadata": {"a": 1}}}),
    ("create_customer", "p_customer"): ("service", lambda w: {
        "p_tenant_id": _shop(w)[0],
        "p_customer": {"email": f"{w.unique('c')}@example.com", "first_name": "A", "last_name": "B",
                       "phone": "+14155550123", "default_address": {"city": "Boston"}, "tags": ["a"],
                       "accepts_marketing": True, "note": "n", "metadata": {"k": "v"}}}),
    ("update_customer", "p_changes"): ("service", lambda w: {
        "p_tenant_id": _shop(w)[0], "p_customer_id": _customer(w),
        "p_changes": {"first_name": "Z", "tags": ["b"], "default_address": {"a": 1}, "metadata": {"k": [1]},
                      "accepts_marketing": False}}),
    ("create_my_customer", "p_customer"): ("shopper", lambda w: {
        "p_customer": {"email": f"{w.unique('m')}@example.com", "first_name": "M", "default_address": {"city": "x"},
                       "accepts_marketing": True}} if _shopper(w, False) else {}),
    ("update_my_customer", "p_changes"): ("shopper", lambda w: {
        "p_changes": {"last_name": "Q", "default_address": {"city": "y"}, "accepts_marketing": True}}
        if _shopper(w, True) else {}),
    ("ingest_webhook", "p_headers"): ("service", lambda w: {
        "p_provider": "KCB", "p_headers": {"X-Mercato-Timestamp": "1", "X-Mercato-Signature": "sha256=00"}, "p_body": "{}"}),
    ("refund_order", "p_lines"): ("service", lambda w: (lambda o: {
        "p_tenant_id": _shop(w)[0], "p_order_id": o[0], "p_amount": "1.00", "p_reason": "bounds",
        "p_lines": [{"line_id": o[1], "quantity": 1, "restock": False}]})(_paid_order_line(w))),
    ("create_invoice", "p_items"): ("service", _invoice_args),
    ("add_invoice_items", "p_items"): ("service", lambda w: {
        "p_invoice_id": w.ok("create_invoice", _invoice_args(w), "service")["id"],
        "p_items": [{"description": "more", "quantity": "2", "unit_price": "1.25", "tax_rate": "0"}]}),
}


def null_variants(doc: Any, path: tuple = ()) -> list[tuple[tuple, Any]]:
    """Copies of ``doc`` with one JSON null inside: each object member (at any depth) and each array element in turn."""
    out = []
    if isinstance(doc, dict):
        for k, v in doc.items():
            out.append((path + (k,), {**doc, k: None}))
            out += [(p, {**doc, k: sub}) for p, sub in null_variants(v, path + (k,))]
    elif isinstance(doc, list):
        for i, v in enumerate(doc):
            out.append((path + (i,), doc[:i] + [None] + doc[i + 1:]))
            out += [(p, doc[:i] + [sub] + doc[i + 1:]) for p, sub in null_variants(v, path + (i,))]
    return out


def test_every_api_document_parameter_has_a_null_template(postgresql: psycopg.Connection) -> None:
    documents = {(p["function"], p["name"]) for p in api_parameters(postgresql) if p["base"] in ("jsonb", "json")}
    assert documents, "the scan must find the api functions that take JSON documents"
    assert documents <= set(TEMPLATES), f"add a template for: {sorted(documents - set(TEMPLATES))}"


def test_a_null_inside_any_json_document_is_refused_or_accepted_never_raw(world: World, postgresql: psycopg.Connection) -> None:
    codes = {r[0] for r in postgresql.execute("SELECT code FROM core.error")}
    raw = []
    for (fn, param), (who, build) in TEMPLATES.items():
        probes = 0
        while True:
            args = build(world)   # fresh arguments (and state) for each variant: a success may consume them
            variants = null_variants(args[param])
            if probes == len(variants):
                break
            path, args[param] = variants[probes]
            r = world.call(fn, args, who)
            probes += 1
            if not r.ok and not (str(r.body.get("code", "")).startswith("PT") and r.code in codes):
                raw.append(f"api.{fn}({param} with null at {'.'.join(map(str, path))}): {r.status} {r.body}")
        assert probes, (fn, param)
        r = world.call(fn, args, who)
        assert r.ok, f"the template of api.{fn}({param}) must be a valid call: {r.status} {r.body}"
    assert not raw, "a JSON null inside a document must be refused with a documented code:\n" + "\n".join(raw)


# -- regressions: issue 14, item 7 ------------------------------------------------------------------------------------

def test_create_rfq_refuses_infinite_dates_so_no_rfq_gets_stuck(world: World) -> None:
    start = dt.date.today() + dt.timedelta(days=1)
    good = {"p_title": "inf", "p_start_date": str(start), "p_end_date": str(start + dt.timedelta(days=2)),
            "p_bid_deadline": (dt.datetime.now(dt.timezone.utc) + dt.timedelta(hours=1)).isoformat(),
            "p_lines": [{"vehicle_type": "SEDAN", "quantity": 1}]}
    for change in ({"p_start_date": "infinity", "p_end_date": "infinity"}, {"p_end_date": "infinity"},
                   {"p_bid_deadline": "infinity"}, {"p_start_date": "-infinity"}, {"p_end_date": "10000-01-01"}):
        r = world.call("create_rfq", {**good, **change}, "biz")
        assert (r.status, r.code) == (400, DATE_OUT_OF_RANGE), (change, r.status, r.body)
    # And the module function itself (for callers inside the database) refuses an infinite period.
    with psycopg.connect(world.db_url) as conn:
        conn.execute("SELECT set_config('request.jwt.claims', %s, true)",
                     (json.dumps({"sub": world.subs["biz"], "role": "mercato_user"}),))
        with pytest.raises(psycopg.Error) as info:
            conn.execute("SELECT marketplace.create_rfq('inf', 'infinity', 'infinity', now() + interval '1 hour', "
                         "'[{\"vehicle_type\": \"SEDAN\", \"quantity\": 1}]')")
        assert info.value.diag.message_primary.startswith("MARKETPLACE_INVALID_RFQ:"), info.value.diag.message_primary


def test_add_vehicle_insurance_refuses_infinite_coverage(world: World) -> None:
    vid = world.ok("add_vehicle", {"p_plate_number": f"INF {world.tag[:4]}", "p_vehicle_type": "SEDAN", "p_seat_count": 4},
                   "prov")
    base = {"p_vehicle_id": vid, "p_insurance_type": "COMPREHENSIVE", "p_company_name": "Nyala",
            "p_certificate_url": "https://docs.example/p.pdf"}
    for start, end in (("-infinity", "infinity"), (str(dt.date.today()), "infinity"), ("-infinity", str(dt.date.today()))):
        r = world.call("add_vehicle_insurance", {**base, "p_coverage_start": start, "p_coverage_end": end}, "prov")
        assert (r.status, r.code) == (400, DATE_OUT_OF_RANGE), (start, end, r.status, r.body)
    with psycopg.connect(world.db_url) as conn:
        conn.execute("SELECT set_config('request.jwt.claims', %s, true)",
                     (json.dumps({"sub": world.subs["prov"], "role": "mercato_user"}),))
        with pytest.raises(psycopg.Error) as info:
            conn.execute("SELECT fleet.add_vehicle_insurance(%s, 'COMPREHENSIVE', 'Nyala', '-infinity', 'infinity', "
                         "'https://docs.example/p.pdf')", (vid,))
        assert info.value.diag.message_primary.startswith("IDENTITY_PARTY_INVALID:"), info.value.diag.message_primary


def test_submit_bid_with_a_null_quantity_is_refused_with_a_documented_code(world: World) -> None:
    rfq, line = world.rfq(quantity=2)
    for line_doc in ({"rfq_line_id": line, "unit_price": "100", "quantity": None},
                     {"rfq_line_id": line, "unit_price": None, "quantity": 1},
                     {"rfq_line_id": None, "unit_price": "100", "quantity": 1}):
        r = world.call("submit_bid", {"p_rfq_id": rfq, "p_lines": [line_doc]}, "prov")
        assert (r.status, r.code) == (400, "MARKETPLACE_INVALID_BID"), (line_doc, r.status, r.body)
        assert "failing row" not in json.dumps(r.body), "the answer must not show the row"


def test_a_20_mb_image_map_is_refused(world: World) -> None:
    images = {f"view{i}": "https://cdn.example/" + "x" * 1000 for i in range(20_000)}   # ~20 MB
    started = time.monotonic()
    r = world.call("add_vehicle", {"p_plate_number": f"BIG {world.tag[:4]}", "p_vehicle_type": "SEDAN", "p_seat_count": 4,
                                   "p_images": images}, "prov")
    elapsed = time.monotonic() - started
    assert (r.status, r.code) == (413, TEXT_TOO_LARGE), (r.status, r.body)
    assert elapsed < 60, f"refusing 20 MB took {elapsed:.1f} s"   # generous: a refusal, not a benchmark


def test_statements_take_null_for_unbounded_not_infinity(world: World) -> None:
    world.ok("transfer", {"p_reference": world.unique("st"), "p_debit_account_id": world.bank,
                          "p_credit_account_id": world.wallet, "p_amount": "1"}, "service")
    r = world.call("account_statement", {"p_account_id": world.bank}, "service")
    assert r.ok, r.body
    r = world.call("account_statement", {"p_account_id": world.bank, "p_from": None, "p_to": None}, "service")
    assert r.ok and len(r.body) >= 1, r.body
    r = world.call("account_statement", {"p_account_id": world.bank, "p_from": "-infinity"}, "service")
    assert (r.status, r.code) == (400, DATE_OUT_OF_RANGE), r.body


def test_a_tenant_admin_cannot_assign_roles_to_users_of_another_tenant(world: World) -> None:
    with psycopg.connect(world.db_url, autocommit=True) as conn:
        ta, tb = (conn.execute("INSERT INTO identity.tenant (code, name) VALUES (%s, %s) RETURNING id",
                               (f"{c}-{world.tag}", c)).fetchone()[0] for c in ("ta", "tb"))
        users = {}
        for k, tenant in (("admin_a", ta), ("user_a", ta), ("user_b", tb), ("loner", None)):
            users[k] = conn.execute("SELECT identity.register_user(%s, 'STAFF', %s, %s)",
                                    (f"kc|{k}-{world.tag}", k, tenant)).fetchone()[0]
        conn.execute("SELECT identity.assign_role(%s, 'TENANT_ADMIN', %s)", (users["admin_a"], ta))
    admin_a = {"sub": f"kc|admin_a-{world.tag}", "role": "mercato_user"}
    r = world.rest.rpc("assign_role", {"p_user_id": users["user_b"], "p_role_code": "TENANT_ADMIN", "p_tenant_id": ta},
                       token=sign(admin_a))
    assert (r.status, r.code) == (403, "IDENTITY_TENANT_MISMATCH"), (r.status, r.body)
    # Nor the platform admin or the back office: a tenant's role goes to that tenant's users (or platform users) only.
    for claims in (world.claims("admin"), world.claims("service")):
        r = world.rest.rpc("assign_role", {"p_user_id": users["user_b"], "p_role_code": "SUPPORT", "p_tenant_id": ta},
                           token=sign(claims))
        assert (r.status, r.code) == (403, "IDENTITY_TENANT_MISMATCH"), (claims, r.status, r.body)
    for user in ("user_a", "loner"):
        r = world.rest.rpc("assign_role", {"p_user_id": users[user], "p_role_code": "SUPPORT", "p_tenant_id": ta}, token=sign(admin_a))
        assert r.ok, (user, r.status, r.body)
    with psycopg.connect(world.db_url) as conn:
        assert conn.execute("SELECT count(*) FROM identity.role_assignment WHERE user_id = %s",
                            (users["user_b"],)).fetchone()[0] == 0
