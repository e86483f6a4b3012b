"""CI-sized torture and crash-restart: clients keep posting, running the marketplace, signing in, refreshing (a reused
token too), signing out and moving outbox messages while the server is killed (pg_ctl stop -m immediate) and
restarted; every acknowledged operation must be there exactly once, every refusal must carry a documented code, and
every ledger, marketplace, sign-in and outbox invariant must hold. The long run is `make torture`."""

from __future__ import annotations

import shutil

from mercato.harness.torture import dedicated_cluster, run


def test_crash_restart_loses_nothing_and_applies_nothing_twice() -> None:
    cluster, url = dedicated_cluster("torture-ci")
    try:
        report = run(url, clients=4, seconds=12, crashes=2, crash=cluster.crash, restart=cluster.up, accounts=50, seed=7)
    finally:
        cluster.down()
        shutil.rmtree(cluster.home, ignore_errors=True)   # a fresh cluster (and a free port) every run
    assert report.crashes == 2
    assert report.operations > 500, report
    assert report.replays > 0, "idempotent replays were exercised"
    assert not report.violations, report.violations[:10]
    assert set(report.by_kind) >= {"transfer", "batch", "hold", "capture", "release", "reverse", "sweep"}
    # the marketplace ran too, through the whole flow, and verify_market found its steps and invariants intact
    assert set(report.by_kind) >= {"rfq", "bid", "award", "contract", "activate", "assign", "deliver", "settle"}, report.by_kind
    # and sign-in with the outbox: verify_auth found every session, token chain and message as the clients expect
    assert set(report.by_kind) >= {"sign_in", "refresh", "refresh_reused", "sign_out", "revoke_all", "me",
                                   "outbox_enqueue", "outbox_claim", "outbox_report"}, report.by_kind
