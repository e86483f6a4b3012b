"""The CI-sized bad-input fuzz: every api function, every kind of caller, hypothesis-drawn arguments.
Every call must succeed or fail with a documented code, and a failed call must change nothing."""

from __future__ import annotations

from mercato.fuzz import classify, run, seed_parties


def test_bad_input_never_breaks_the_api(db_url: str) -> None:
    callers, ids = seed_parties(db_url)
    report = run(db_url, examples=12, callers=callers, known_ids=ids)
    assert report.calls >= 12 * 20
    assert report.failed_as_documented > report.calls // 2, "most fuzzed calls are refused"
    assert not report.violations, "\n".join(
        f"{v.function}({v.args}) as {v.caller}: {v.status} {v.body} — {v.reason}" for v in report.violations[:10])


def test_the_classifier_rejects_what_it_must() -> None:
    codes = {"LEDGER_UNKNOWN_ACCOUNT"}
    assert classify(200, 1, codes) is None
    assert classify(404, {"code": "PT404", "message": "LEDGER_UNKNOWN_ACCOUNT: no such account"}, codes) is None
    assert classify(404, {"code": "PT404", "message": "LEDGER_NOPE: x"}, codes) is not None
    assert classify(400, {"code": "P0001", "message": "oops"}, codes) is not None
    assert classify(500, {"code": "XX000", "message": "cache lookup failed"}, codes) is not None
    assert classify(400, {"code": "22P02", "message": "invalid input syntax"}, codes) is None
