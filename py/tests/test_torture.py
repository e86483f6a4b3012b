"""CI-sized torture and crash-restart: clients keep posting, running the marketplace, signing in, refreshing (a reused
token too), signing out, moving outbox messages and running the store (orders, payments, refunds, stock, fulfilment
batches, purchase orders) while the server is killed (pg_ctl stop -m immediate) and
restarted; every acknowledged operation must be there exactly once, every refusal must carry a documented code, and
every ledger, marketplace, sign-in, outbox and store invariant must hold. The long run is `make torture`."""

from __future__ import annotations

import shutil
import socket

from mercato.harness.torture import dedicated_cluster, run


def _free_port() -> int:
    """A port the system says is free: the test's cluster never takes MERCATO_PORT, the project's cluster's."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_crash_restart_loses_nothing_and_applies_nothing_twice() -> None:
    from mercato.config import project_root

    shutil.rmtree(project_root() / ".mercato" / "torture-ci", ignore_errors=True)   # its port is chosen afresh
    cluster, url = dedicated_cluster("torture-ci", port=_free_port())
    try:
        report = run(url, clients=4, seconds=18, crashes=2, crash=cluster.crash, restart=cluster.up, accounts=50, seed=7)
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
    # and the store (mercato.harness.torture_store): verify_store found its orders, money and stock invariants intact
    assert set(report.by_kind) >= {"place", "place_mine", "import", "pay_external", "fulfil", "refund"}, report.by_kind
