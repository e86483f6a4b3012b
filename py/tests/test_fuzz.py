"""The CI-sized bad-input fuzz: every api function, every kind of caller, hypothesis-drawn arguments.
Every call must succeed or fail with a documented code, and a failed call must change nothing. The fuzzer draws
±infinity, JSON nulls inside documents and values past each input type's maximum, and calls a raw PostgreSQL error from
inside a function a violation; the canary below proves it catches one."""

from __future__ import annotations

import psycopg
import pytest
from hypothesis import find, settings

from mercato.harness.fuzz import brief, classify, oversized, run, seed_parties, shapes, value_for


def test_bad_input_never_breaks_the_api(db_url: str) -> None:
    callers, ids, texts = seed_parties(db_url)
    report = run(db_url, examples=12, callers=callers, known_ids=ids, known_texts=texts)
    assert report.calls >= 12 * 20
    assert report.failed_as_documented > report.calls // 2, "most fuzzed calls are refused"
    assert not report.violations, "\n".join(
        f"{v.function}({brief(v.args)}) as {v.caller}: {v.status} {brief(v.body)} — {v.reason}" for v in report.violations[:10])


def test_the_fuzzer_catches_a_raw_error_inside_a_function(db_url: str) -> None:
    """A canary api function that trusts a member of its document: a JSON null (22004) or a non-number (22P02, 22003)
    inside it escapes as a raw SQLSTATE; the fuzzer must report both kinds."""
    with psycopg.connect(db_url, autocommit=True) as conn:
        conn.execute("""
            CREATE FUNCTION api.fuzz_canary(p_lines core.json_doc) RETURNS integer LANGUAGE plpgsql VOLATILE
            SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
            DECLARE
                v integer NOT NULL := 0;
            BEGIN
                IF jsonb_typeof(p_lines) = 'array' AND jsonb_typeof(p_lines -> 0) = 'object' AND p_lines -> 0 ? 'quantity' THEN
                    v := (p_lines -> 0 ->> 'quantity')::integer;
                END IF;
                RETURN v;
            END
            $$""")
        conn.execute("GRANT EXECUTE ON FUNCTION api.fuzz_canary(core.json_doc) TO mercato_user")
    callers, ids, texts = seed_parties(db_url)
    report = run(db_url, examples=80, callers={"business": callers["business"]}, known_ids=ids, known_texts=texts,
                 functions=["fuzz_canary"])
    reasons = {v.reason for v in report.violations}
    assert any("22004" in r for r in reasons), f"a JSON null inside the document was never drawn: {reasons}"
    assert any(r.startswith("raw SQLSTATE 22") and "fuzz_canary" in r for r in reasons), \
        f"a listed SQLSTATE from inside a function must be a violation: {reasons}"


def _find(strategy, predicate):   # noqa: ANN001, ANN202 - each search bounded, nothing stored
    return find(strategy, predicate, settings=settings(database=None, max_examples=2000))


@pytest.mark.filterwarnings("ignore::hypothesis.errors.HypothesisWarning")   # the oversized values have large reprs
def test_the_fuzzer_draws_infinities_nulls_inside_documents_and_oversized_values() -> None:
    date = {"name": "core.finite_date", "base": "date", "limits": {}}
    instant = {"name": "core.finite_timestamptz", "base": "timestamp with time zone", "limits": {}}
    name = {"name": "core.name_text", "base": "text", "limits": {"characters": 256}}
    doc = {"name": "core.json_doc", "base": "jsonb", "limits": {"bytes": 65536}}
    tags = {"name": "core.text_list", "base": "text[]", "limits": {"elements": 100, "characters": 256}}
    for domain in (date, instant):
        for inf in ("infinity", "-infinity"):
            assert _find(value_for(domain["name"], [1], base=domain["base"], domain=domain), lambda v, i=inf: v == i) == inf
    assert len(_find(value_for("core.name_text", [1], base="text", domain=name), lambda v: isinstance(v, str) and len(v) > 256)) > 256
    big = _find(value_for("core.json_doc", [1], base="jsonb", name="p_metadata", domain=doc,
                          shaped=shapes([1], ["Bidder 1"])), lambda v: len(repr(v)) > 65536)
    assert len(repr(big)) > 65536
    assert len(_find(oversized(tags), lambda v: len(v) > 100 or len(v[0]) > 256)) >= 1
    line = _find(shapes([7], ["Bidder 1"])["p_lines"],
                 lambda d: any(isinstance(x, dict) and "quantity" in x and x["quantity"] is None for x in d))
    assert any(isinstance(x, dict) and x.get("quantity", 0) is None for x in line)


def test_the_classifier_rejects_what_it_must() -> None:
    codes = {"LEDGER_UNKNOWN_ACCOUNT"}
    assert classify(200, 1, codes) is None
    assert classify(404, {"code": "PT404", "message": "LEDGER_UNKNOWN_ACCOUNT: no such account"}, codes) is None
    assert classify(404, {"code": "PT404", "message": "LEDGER_NOPE: x"}, codes) is not None
    assert classify(400, {"code": "P0001", "message": "oops"}, codes) is not None
    assert classify(500, {"code": "XX000", "message": "cache lookup failed"}, codes) is not None
    assert classify(400, {"code": "22P02", "message": "invalid input syntax"}, codes) is None
    # A listed SQLSTATE is fine from converting an argument, a violation from inside a function.
    inside = "PL/pgSQL function marketplace.submit_bid(bigint,jsonb) line 60 at SQL statement"
    assert classify(400, {"code": "23502", "message": "null value in column"}, codes, inside) is not None
    assert classify(400, {"code": "22008", "message": "date out of range"}, codes,
                    'SQL function "create_contract" statement 1') is not None
    assert classify(400, {"code": "22P02", "message": "invalid input syntax"}, codes, inside) is not None
    assert classify(400, {"code": "40001", "message": "could not serialize"}, codes, inside) is None
