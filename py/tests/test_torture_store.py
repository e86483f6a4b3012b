"""CI-sized torture of the store part (issue 18): clients place orders (staff and customer-users), import channel orders
(and import them again), pay them (external, store credit), fulfil, cancel and refund them, race for the last scarce
units and the one graded slab, sweep expired reservations through the jobs path, run fulfilment batches and receive
purchase orders, while the server is killed (pg_ctl stop -m immediate) and restarted once; every acknowledged step must
be there, every refusal must carry a documented code, and every store, inventory and ledger invariant must hold
(mercato.harness.torture_store.verify_store). The long run is `mercato torture` (docs/reliability.md)."""

from __future__ import annotations

import shutil
import socket

from mercato.harness.torture import dedicated_cluster, run


def _free_port() -> int:
    """A port the system says is free, so that the test's cluster never takes MERCATO_PORT (the project's, which the
    session's other tests use) nor a port from the range other clusters are given."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_the_store_under_crash_restart_loses_nothing_and_breaks_no_invariant() -> None:
    from mercato.config import project_root

    shutil.rmtree(project_root() / ".mercato" / "torture-store-ci", ignore_errors=True)   # its port is chosen afresh
    cluster, url = dedicated_cluster("torture-store-ci", port=_free_port())
    try:
        report = run(url, clients=3, seconds=10, crashes=1, crash=cluster.crash, restart=cluster.up, accounts=20,
                     seed=11, market=False, auth=False, store=True)
    finally:
        cluster.down()
        shutil.rmtree(cluster.home, ignore_errors=True)   # a fresh cluster (and a free port) every run
    assert report.crashes == 1
    assert not report.violations, report.violations[:10]
    assert set(report.by_kind) >= {"place", "place_mine", "import", "pay_external", "fulfil", "refund",
                                   "fulfil_batch", "purchase"}, report.by_kind
    # the shop did something: orders placed, paid, shipped and refunded, not only refusals
    assert report.store["orders"] > 20 and report.store["payments"] > 5 and report.store["refunds"] > 0, report.store
