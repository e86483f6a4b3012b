"""The api schema, called exactly as PostgREST calls it (mercato.harness.postgrest): as the NOINHERIT
authenticator, one READ COMMITTED transaction per request, role and claims set locally, named
arguments converted from JSON by the database. Also: docs/api.md cannot drift from the database."""

from __future__ import annotations

import psycopg
import pytest

from mercato.config import project_root
from mercato.harness.docs import api_markdown, documented_codes, fetch_api
from mercato.harness.postgrest import PostgREST
from jwt_helper import rest_as_authenticator, sign


@pytest.fixture
def rest(db_url: str):
    with rest_as_authenticator(db_url) as client:
        yield client


@pytest.fixture
def parties(db_url: str) -> dict:
    """Two businesses with wallets, funded 250.00 ETB and 0 (set up by the superuser: fixtures only)."""
    with psycopg.connect(db_url, autocommit=True) as conn:
        ids = {}
        for n in (1, 2):
            uid = conn.execute("SELECT identity.register_user(%s, 'BUSINESS', %s)", (f"kc|b{n}", f"B{n}")).fetchone()[0]
            bid = conn.execute("INSERT INTO parties.business (user_id, name, business_type) VALUES (%s, %s, 'RETAIL') "
                               "RETURNING id", (uid, f"B{n} plc")).fetchone()[0]
            ids[f"b{n}"] = conn.execute("SELECT ledger.open_account('BUSINESS', %s, 'MAIN', 'ETB')", (str(bid),)).fetchone()[0]
        bank = conn.execute("SELECT ledger.open_account('PLATFORM', 'bank', 'CLEARING', 'ETB', true)").fetchone()[0]
        conn.execute("SELECT ledger.transfer('fund-b1', %s, %s, 250)", (bank, ids["b1"]))
        ids["bank"] = bank
    return ids


def user(sub: str) -> dict:
    return {"sub": sub, "role": "mercato_user"}


SERVICE = {"role": "mercato_service", "sub": "svc|settlement"}


def test_the_emulator_refuses_a_superuser_connection(db_url: str) -> None:
    with pytest.raises(ValueError):
        PostgREST(db_url)


def test_anonymous_callers_get_401_except_on_public_reads(rest: PostgREST) -> None:
    assert rest.rpc("me", method="GET").status == 401
    assert rest.rpc("my_accounts", method="GET").status == 401
    assert rest.rpc("transfer", {"p_reference": "x", "p_debit_account_id": 1, "p_credit_account_id": 2,
                                 "p_amount": "1"}).status == 401
    currencies = rest.rpc("currencies", method="GET")
    assert currencies.status == 200 and {"code": "ETB", "name": "Ethiopian birr", "minor_units": 2} in currencies.body


def test_authenticated_but_unprivileged_gets_403(rest: PostgREST, parties: dict) -> None:
    response = rest.rpc("transfer", {"p_reference": "steal", "p_debit_account_id": parties["b1"],
                                     "p_credit_account_id": parties["b2"], "p_amount": "1"}, token=sign(user("kc|b2")))
    assert response.status == 403 and response.body["code"] == "42501"


def test_a_party_sees_only_its_own_wallet(rest: PostgREST, parties: dict) -> None:
    mine = rest.rpc("my_accounts", token=sign(user("kc|b1")), method="GET")
    assert mine.status == 200 and [(a["account_id"], a["balance"]) for a in mine.body] == [(parties["b1"], 250)]
    other = rest.rpc("my_statement", {"p_account_id": parties["b2"]}, token=sign(user("kc|b1")), method="GET")
    missing = rest.rpc("my_statement", {"p_account_id": 10**12}, token=sign(user("kc|b1")), method="GET")
    assert (other.status, other.code) == (missing.status, missing.code) == (404, "LEDGER_UNKNOWN_ACCOUNT")


def test_domain_errors_map_to_the_documented_status(rest: PostgREST, parties: dict) -> None:
    args = {"p_reference": "t-1", "p_debit_account_id": parties["b1"], "p_credit_account_id": parties["b2"]}
    assert rest.rpc("transfer", {**args, "p_amount": "1000"}, token=sign(SERVICE)).status == 402
    ok = rest.rpc("transfer", {**args, "p_amount": "10"}, token=sign(SERVICE))
    assert ok.status == 200 and isinstance(ok.body, int)
    replay = rest.rpc("transfer", {**args, "p_amount": "10.00"}, token=sign(SERVICE))
    assert replay.status == 200 and replay.body == ok.body, "an idempotent replay returns the original"
    conflict = rest.rpc("transfer", {**args, "p_amount": "11"}, token=sign(SERVICE))
    assert (conflict.status, conflict.code) == (422, "LEDGER_IDEMPOTENCY_CONFLICT")
    assert rest.rpc("transfer", {**args, "p_reference": "t-2", "p_amount": "abc"}, token=sign(SERVICE)).status == 400


def test_get_is_refused_for_writes_and_reads_run_read_only(rest: PostgREST, parties: dict) -> None:
    response = rest.rpc("transfer", {"p_reference": "g", "p_debit_account_id": parties["b1"],
                                     "p_credit_account_id": parties["b2"], "p_amount": "1"}, token=sign(SERVICE), method="GET")
    assert response.status == 405
    assert rest.rpc("ledger_check", token=sign(SERVICE), method="GET").status == 200


def test_unknown_functions_and_argument_names_are_404(rest: PostgREST) -> None:
    assert rest.rpc("no_such_function", token=sign(SERVICE)).status == 404
    assert rest.rpc("transfer", {"p_nonsense": 1}, token=sign(SERVICE)).status == 404


def test_a_rule_set_version_without_its_rules_is_refused_when_it_commits(rest: PostgREST, db_url: str) -> None:
    """Issue 15: api.add_policy_version accepted a COMMISSION_STRATEGY (or tier-rule) version without rule rows, and every
    later contract failed. The product's deferred constraint triggers refuse it at commit, over HTTP as a 400."""
    def versions() -> int:
        with psycopg.connect(db_url) as conn:
            return conn.execute("SELECT count(*) FROM masterdata.policy_version").fetchone()[0]
    before = versions()
    for code in ("COMMISSION_STRATEGY", "PROVIDER_TIER_RULES", "BUSINESS_TIER_RULES"):
        r = rest.rpc("add_policy_version", {"p_policy_code": code, "p_effective_from": "2099-01-01T00:00:00Z",
                                            "p_body": {"rows": "rules"}}, token=sign(SERVICE))
        assert (r.status, r.code) == (400, "MASTERDATA_RULES_REQUIRED"), (code, r.status, r.body)
    assert versions() == before, "nothing is kept"
    kernel = rest.rpc("add_policy_version", {"p_policy_code": "API_TEST_POLICY", "p_effective_from": "2099-01-01T00:00:00Z",
                                             "p_body": {"rate": "0.1"}}, token=sign(SERVICE))
    assert kernel.status == 200 and versions() == before + 1, "other policies need no rule rows"


def test_every_documented_error_code_exists(db_url: str) -> None:
    functions, _, errors = fetch_api(db_url)
    unknown = {f["name"]: c for f in functions for c in documented_codes(f["comment"]) if c not in errors}
    assert not unknown, f"api comments promise codes missing from core.error: {unknown}"


def test_every_api_function_is_callable_by_someone_and_documented(db_url: str) -> None:
    functions, views, _ = fetch_api(db_url)
    assert functions, "the api schema exposes functions"
    assert all(f["roles"] for f in functions), [f["name"] for f in functions if not f["roles"]]
    assert all(f["comment"].strip() for f in functions + views)


def test_docs_api_md_matches_the_database(db_url: str) -> None:
    path = project_root() / "docs" / "api.md"
    assert path.read_text() == api_markdown(db_url), "docs/api.md is stale: run `mercato docs api`"
