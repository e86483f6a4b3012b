"""settlement.run_period_in_steps: one committed transaction per provider, resumable, same guarantees."""

from __future__ import annotations

import datetime as dt

import psycopg

from mercato.harness import bench_marketplace as fx
from mercato.client import Client


def test_settling_in_steps_commits_per_provider_and_resumes(db_url: str) -> None:
    today = dt.date.today()
    start, end = today - dt.timedelta(days=30), today + dt.timedelta(days=29)
    with psycopg.connect(db_url, autocommit=True) as conn:
        conn.execute(fx.FIXTURE_PARTIES % {"businesses": 2, "providers": 3})
        conn.execute(fx.FIXTURE_WALLETS)
        fx._fund_businesses(conn, "1000000")
        conn.execute(fx.FIXTURE_AWARDED_RFQS % {"n": 6, "qty": 1, "award_qty": 1, "start": f"'{start}'", "end": f"'{end}'"})
        conn.execute("""DO $$ DECLARE r record; c contracts.contract; BEGIN
                          FOR r IN SELECT id FROM marketplace.rfq ORDER BY id LOOP
                            c := contracts.create_contract(r.id); PERFORM contracts.activate_contract(c.id);
                          END LOOP; END $$""")
        conn.execute(fx.FIXTURE_VEHICLES_AND_ASSIGNMENTS)
    with Client(db_url, max_size=1) as service:
        assert service.settlement.run_in_steps(start, today - dt.timedelta(days=1)) == (3, 0)
        assert service.settlement.run_in_steps(start, today - dt.timedelta(days=1)) == (0, 3), "a re-run resumes"
        assert all(c.ok for c in service.ledger.check() + service.contracts.check() + service.settlement.check())
        assert service.call_value("identity.claims") == {}, "the session's claims were reset afterwards"
    with psycopg.connect(db_url) as conn:
        cycles, lines, gross = conn.execute("SELECT count(DISTINCT c.id), count(*), sum(l.gross) FROM settlement.cycle c "
                                            "JOIN settlement.cycle_line l ON l.cycle_id = c.id").fetchone()
    assert (cycles, lines, gross) == (3, 6, 6 * 30 * 1000)
