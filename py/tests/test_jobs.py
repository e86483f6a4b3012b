"""The jobs module end to end: a failing job is recorded and the others still run (each in its own transaction:
``jobs.run_all``, the library and ``mercato jobs run``); runs by name; an unknown job is a clear error that changes
nothing; closing lapsed RFQs closes only those, is idempotent and races ``award_rfq`` without a raw error (outcomes,
not timing); ``mercato jobs schedule`` registers the jobs with pg_cron on the embedded cluster."""

from __future__ import annotations

import datetime as dt
import json
import os
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psycopg
import pytest
from click.testing import CliRunner
from psycopg.conninfo import make_conninfo

from mercato import jobs
from mercato.cli import cli
from mercato.cluster import Cluster, cron_library_present
from mercato.config import database_url
from mercato.errors import MercatoError, from_psycopg

# A job function that fails after writing, one that writes and succeeds (schema tests: test databases only).
JOB_FIXTURES = """
CREATE TABLE tests.job_effect (note text);
CREATE FUNCTION tests.job_write() RETURNS integer LANGUAGE sql VOLATILE SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC INSERT INTO tests.job_effect VALUES ('written'); SELECT 1; END;
CREATE FUNCTION tests.job_fail() RETURNS integer LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    INSERT INTO tests.job_effect VALUES ('failed');
    PERFORM core.raise('CORE_INVALID_ARGUMENT', 'this job always fails');
    RETURN 0;
END $$;
SELECT jobs.register('tests.b_fails', '* * * * *', 'tests.job_fail()', 'fails, in the middle of the list');
SELECT jobs.register('tests.c_writes', '* * * * *', 'tests.job_write()', 'writes, after the failing one');
"""


def _connect(db_url: str) -> psycopg.Connection:
    return psycopg.connect(db_url, autocommit=True)


@pytest.fixture
def failing(db_url: str) -> str:
    with _connect(db_url) as conn:
        conn.execute(JOB_FIXTURES)
    return db_url


def _runs(conn: psycopg.Connection) -> dict[str, list[tuple[str, str | None]]]:
    found: dict[str, list[tuple[str, str | None]]] = {}
    for name, outcome, code in conn.execute(
            "SELECT j.name, r.outcome, r.error_code FROM jobs.job_run r JOIN jobs.job j ON j.id = r.job_id ORDER BY r.id"):
        found.setdefault(name, []).append((outcome, code))
    return found


def _assert_one_round(conn: psycopg.Connection, rounds: int = 1) -> None:
    """Every enabled job ran ``rounds`` times: the failing one FAILED with its code, every other OK; the writing job's
    work committed although the job before it failed, the failing job's rolled back."""
    runs = _runs(conn)
    enabled = [r[0] for r in conn.execute("SELECT name FROM jobs.job WHERE enabled ORDER BY name")]
    assert sorted(runs) == enabled
    assert runs["tests.b_fails"] == [("FAILED", "CORE_INVALID_ARGUMENT")] * rounds
    assert all(outcomes == [("OK", None)] * rounds for name, outcomes in runs.items() if name != "tests.b_fails"), runs
    assert conn.execute("SELECT note, count(*) FROM tests.job_effect GROUP BY note").fetchall() == [("written", rounds)]


def test_run_all_procedure_records_the_failure_and_runs_the_others(failing: str) -> None:
    with _connect(failing) as conn:
        conn.execute("CALL jobs.run_all()")
        _assert_one_round(conn)
        error = conn.execute("SELECT error_sqlstate, error_message, error_detail FROM jobs.job_run r "
                             "JOIN jobs.job j ON j.id = r.job_id WHERE j.name = 'tests.b_fails'").fetchone()
        assert error == ("PT400", "CORE_INVALID_ARGUMENT: an argument is missing or malformed", "this job always fails")


def test_library_run_all_each_job_in_its_own_transaction(failing: str) -> None:
    started, finished = [], []
    with jobs.connect(failing) as conn:
        runs = jobs.run_all(conn, on_start=started.append, on_run=finished.append)
    assert [r.job for r in runs] == started == [r.job for r in finished]
    assert [r.job for r in runs if not r.ok] == ["tests.b_fails"]
    failed = next(r for r in runs if not r.ok)
    assert (failed.error_code, failed.error_sqlstate, failed.result) == ("CORE_INVALID_ARGUMENT", "PT400", None)
    assert all(r.id is not None and r.seconds is not None and r.seconds >= 0 for r in runs)
    with _connect(failing) as conn:
        _assert_one_round(conn)


def test_cli_run_prints_each_job_and_exits_1_when_one_failed(failing: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", failing)
    result = CliRunner().invoke(cli, ["jobs", "run"])
    assert result.exit_code == 1, result.output
    lines = result.output.splitlines()
    assert any(line.startswith("tests.b_fails ... FAILED") and "CORE_INVALID_ARGUMENT" in line for line in lines)
    assert any(line.startswith("tests.c_writes ... OK") for line in lines)
    assert any(line.startswith("ledger.expire_holds ... OK") for line in lines)
    assert "failed: tests.b_fails" in lines[-1]
    with _connect(failing) as conn:
        _assert_one_round(conn)
    history = CliRunner().invoke(cli, ["jobs", "history", "tests.b_fails", "--json"])
    assert history.exit_code == 0, history.output
    assert [(r["outcome"], r["error_code"]) for r in json.loads(history.output)] == [("FAILED", "CORE_INVALID_ARGUMENT")]


def test_run_by_name(db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", db_url)
    result = CliRunner().invoke(cli, ["jobs", "run", "ledger.expire_holds"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("ledger.expire_holds ... OK")
    with jobs.connect(db_url) as conn:
        run = jobs.run_job(conn, "audit.partitions_ahead")
        assert run.ok and isinstance(run.result, int)
        assert sorted(_runs(conn)) == ["audit.partitions_ahead", "ledger.expire_holds"], "only the jobs named ran"
        listed = {j.name: j for j in jobs.list_jobs(conn)}
    assert listed["ledger.expire_holds"].last_outcome == "OK"
    assert listed["marketplace.close_lapsed_rfqs"].last_outcome is None


def test_unknown_job_is_a_clear_error_and_changes_nothing(db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", db_url)
    with _connect(db_url) as conn:
        before = conn.execute("SELECT (SELECT count(*) FROM jobs.job_run), (SELECT count(*) FROM audit.event)").fetchone()
    result = CliRunner().invoke(cli, ["jobs", "run", "ledger.no_such_job"])
    assert result.exit_code == 1
    assert isinstance(result.exception, MercatoError) and result.exception.code == "JOBS_UNKNOWN_JOB"
    with jobs.connect(db_url) as conn:
        with pytest.raises(MercatoError) as info:
            jobs.run_job(conn, "ledger.no_such_job")
        assert (info.value.code, info.value.http_status) == ("JOBS_UNKNOWN_JOB", 404)
        with pytest.raises(MercatoError, match="JOBS_UNKNOWN_JOB"):
            jobs.history(conn, "ledger.no_such_job")
    with _connect(db_url) as conn:
        after = conn.execute("SELECT (SELECT count(*) FROM jobs.job_run), (SELECT count(*) FROM audit.event)").fetchone()
    assert after == before, "nothing was run, recorded or audited"


def test_disabled_jobs_are_skipped(db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", db_url)
    assert CliRunner().invoke(cli, ["jobs", "disable", "parties.recalculate_tiers"]).exit_code == 0
    result = CliRunner().invoke(cli, ["jobs", "run"])
    assert result.exit_code == 0, result.output
    with psycopg.connect(db_url) as conn:
        enabled = conn.execute("SELECT count(*) FROM jobs.job WHERE enabled").fetchone()[0]
    assert "parties.recalculate_tiers" not in result.output and f"{enabled} of {enabled} jobs ok" in result.output
    refused = CliRunner().invoke(cli, ["jobs", "run", "parties.recalculate_tiers"])
    assert refused.exit_code == 1 and refused.exception.code == "JOBS_DISABLED"
    forced = CliRunner().invoke(cli, ["jobs", "run", "parties.recalculate_tiers", "--even-if-disabled"])
    assert forced.exit_code == 0, forced.output
    assert CliRunner().invoke(cli, ["jobs", "enable", "parties.recalculate_tiers"]).exit_code == 0


# -- closing lapsed RFQs ----------------------------------------------------------------------------------------------

class Market:
    """A verified business and provider; RFQs published with one bid each, their deadlines moved by the owner."""

    def __init__(self, db_url: str) -> None:
        self.url = db_url
        self.owner = _connect(db_url)
        for sub, kind in (("kc|jobs-biz", "BUSINESS"), ("kc|jobs-prov", "PROVIDER")):
            self.owner.execute("SELECT identity.register_user(%s, %s, %s)", (sub, kind, sub))
        self.business = self.call("kc|jobs-biz", "SELECT api.register_business('Jobs plc', 'LOGISTICS')")
        self.provider = self.call("kc|jobs-prov", "SELECT api.register_provider('COMPANY', 'Jobs Cars')")
        self.owner.execute("SELECT parties.set_business_kyb(%s, 'VERIFIED'), parties.set_provider_verification(%s, "
                           "'VERIFIED')", (self.business, self.provider))

    @staticmethod
    def act_as(conn: psycopg.Connection, sub: str) -> None:
        """For the rest of ``conn``'s transaction, call as user ``sub``, exactly as PostgREST sets the caller."""
        conn.execute("SELECT set_config('request.jwt.claims', %s, true), set_config('role', 'mercato_user', true)",
                     (json.dumps({"sub": sub, "role": "mercato_user"}),))

    def call(self, sub: str, query: str, params: tuple = (), conn: psycopg.Connection | None = None) -> Any:
        """One statement as user ``sub``, in its own transaction."""
        conn = conn or self.owner
        with conn.transaction():
            self.act_as(conn, sub)
            row = conn.execute(query, params).fetchone()
        return row[0] if row else None

    def rfq(self) -> tuple[int, int]:
        """A published RFQ with one SUBMITTED bid, its deadline then moved 100 hours into the past."""
        start = dt.date.today() + dt.timedelta(days=1)
        rfq = self.call("kc|jobs-biz", "SELECT api.create_rfq('Cars', %s, %s, now() + interval '2 hours', "
                        "'[{\"vehicle_type\": \"SEDAN\", \"quantity\": 1}]')", (start, start + dt.timedelta(days=5)))
        self.call("kc|jobs-biz", "SELECT 1 FROM api.publish_rfq(%s)", (rfq,))
        self.owner.execute("UPDATE marketplace.rfq_quota SET used = 0")   # many RFQs this month
        line = self.owner.execute("SELECT id FROM marketplace.rfq_line WHERE rfq_id = %s", (rfq,)).fetchone()[0]
        self.call("kc|jobs-prov", "SELECT api.submit_bid(%s, %s)",
                  (rfq, json.dumps([{"rfq_line_id": line, "unit_price": "900", "quantity": 1}])))
        return rfq, line

    def lapse(self, *rfqs: int, hours: int = 100) -> None:
        self.owner.execute("UPDATE marketplace.rfq SET bid_deadline = now() - make_interval(hours => %s) "
                           "WHERE id = ANY(%s)", (hours, list(rfqs)))

    def awards(self, rfq: int) -> str:
        bidder = self.call("kc|jobs-biz", "SELECT bidder FROM api.rfq_bids(%s)", (rfq,))
        line = self.owner.execute("SELECT id FROM marketplace.rfq_line WHERE rfq_id = %s", (rfq,)).fetchone()[0]
        return json.dumps([{"rfq_line_id": line, "bidder": bidder, "quantity": 1}])

    def state(self, rfq: int) -> tuple[str, list[str], int]:
        status = self.owner.execute("SELECT status FROM marketplace.rfq WHERE id = %s", (rfq,)).fetchone()[0]
        bids = [r[0] for r in self.owner.execute("SELECT status FROM marketplace.bid WHERE rfq_id = %s ORDER BY id", (rfq,))]
        awards = self.owner.execute("SELECT count(*) FROM marketplace.award WHERE rfq_id = %s", (rfq,)).fetchone()[0]
        return status, bids, awards

    def close_job(self, conn: psycopg.Connection | None = None) -> Any:
        """Run the job as pg_cron would: jobs.run in a transaction of its own (the caller's, when conn is given)."""
        row = (conn or self.owner).execute(
            "SELECT outcome, result, error_code FROM jobs.run('marketplace.close_lapsed_rfqs')").fetchone()
        assert row[0] == "OK", row
        return row[1]


@pytest.fixture
def market(db_url: str) -> Any:
    m = Market(db_url)
    try:
        yield m
    finally:
        m.owner.close()


def test_closing_lapsed_rfqs_closes_only_those_and_is_idempotent(market: Market) -> None:
    lapsed, _ = market.rfq()
    in_grace, _ = market.rfq()
    still_open, _ = market.rfq()
    awarded, _ = market.rfq()
    market.lapse(lapsed, awarded)
    market.lapse(in_grace, hours=70)          # the default grace is 72 hours
    market.call("kc|jobs-biz", "SELECT api.award_rfq(%s, %s)", (awarded, market.awards(awarded)))

    assert market.close_job() == 1
    assert market.state(lapsed) == ("CLOSED", ["LOST"], 0)
    assert market.state(in_grace) == ("PUBLISHED", ["SUBMITTED"], 0)
    assert market.state(still_open) == ("PUBLISHED", ["SUBMITTED"], 0)
    assert market.state(awarded) == ("AWARDED", ["AWARDED"], 1)
    assert market.close_job() == 0, "idempotent"
    assert market.owner.execute("SELECT count(*) FROM audit.event WHERE module = 'marketplace' AND entity_type = 'rfq' "
                                "AND action = 'CLOSED'").fetchone()[0] == 1


def _wait_until_blocked(observer: psycopg.Connection, pid: int, timeout: float = 30) -> None:
    """Until backend ``pid`` waits for a lock (an ordering condition, not a timing assumption)."""
    deadline = time.monotonic() + timeout
    while not observer.execute("SELECT cardinality(pg_blocking_pids(%s)) > 0", (pid,)).fetchone()[0]:
        assert time.monotonic() < deadline, f"backend {pid} never waited for the lock"
        time.sleep(0.02)


def _in_thread(action: Callable[[], Any]) -> Callable[[], Any]:
    """Start ``action`` in a thread; the returned function joins it and returns its result or raised exception."""
    out: dict[str, Any] = {}

    def target() -> None:
        try:
            out["value"] = action()
        except Exception as exc:  # judged by the caller
            out["value"] = exc
    thread = threading.Thread(target=target)
    thread.start()

    def join() -> Any:
        thread.join(60)
        assert not thread.is_alive()
        return out["value"]
    return join


def _award(market: Market, conn: psycopg.Connection, rfq: int, awards: str) -> Any:
    try:
        return market.call("kc|jobs-biz", "SELECT api.award_rfq(%s, %s)", (rfq, awards), conn=conn)
    except psycopg.Error as exc:
        return from_psycopg(exc)


def test_award_that_locks_first_wins_and_the_closing_skips_the_rfq(market: Market) -> None:
    rfq, _ = market.rfq()
    market.lapse(rfq)
    awards = market.awards(rfq)
    with _connect(market.url) as awarder, _connect(market.url) as closer:
        closer_pid = closer.info.backend_pid
        with awarder.transaction():
            market.act_as(awarder, "kc|jobs-biz")
            assert awarder.execute("SELECT api.award_rfq(%s, %s)", (rfq, awards)).fetchone()[0] == 1
            join = _in_thread(lambda: market.close_job(closer))
            _wait_until_blocked(market.owner, closer_pid)
        assert join() == 0, "the closing waited for the award's lock, then found the RFQ awarded"
    assert market.state(rfq) == ("AWARDED", ["AWARDED"], 1)


def test_closing_that_locks_first_wins_and_the_award_is_refused(market: Market) -> None:
    rfq, _ = market.rfq()
    market.lapse(rfq)
    awards = market.awards(rfq)
    with _connect(market.url) as awarder, _connect(market.url) as closer:
        awarder_pid = awarder.info.backend_pid
        with closer.transaction():
            assert market.close_job(closer) == 1
            join = _in_thread(lambda: _award(market, awarder, rfq, awards))
            _wait_until_blocked(market.owner, awarder_pid)
        refused = join()
    assert isinstance(refused, MercatoError) and refused.code == "MARKETPLACE_INVALID_STATE", refused
    assert market.state(rfq) == ("CLOSED", ["LOST"], 0)


def test_closing_races_awards_without_error(market: Market) -> None:
    """Free races, both sides released together: each RFQ ends either awarded (the award won) or closed (the award is
    refused with MARKETPLACE_INVALID_STATE); never a deadlock, a raw error, or a mixed state."""
    rfqs = [market.rfq()[0] for _ in range(6)]
    outcomes = []
    with _connect(market.url) as awarder, _connect(market.url) as closer:
        for rfq in rfqs:
            market.lapse(rfq)   # one RFQ at a time, so that each closing can only close the one raced
            awards = market.awards(rfq)
            gate = threading.Barrier(2)

            def award(rfq: int = rfq, awards: str = awards) -> Any:
                gate.wait()
                return _award(market, awarder, rfq, awards)

            def close() -> Any:
                gate.wait()
                with closer.transaction():
                    return market.close_job(closer)
            joins = [_in_thread(award), _in_thread(close)]
            awarded, closed = (join() for join in joins)
            assert not isinstance(closed, Exception), closed
            state = market.state(rfq)
            if awarded == 1:
                assert closed == 0 and state == ("AWARDED", ["AWARDED"], 1)
            else:
                assert isinstance(awarded, MercatoError) and awarded.code == "MARKETPLACE_INVALID_STATE", awarded
                assert closed == 1 and state == ("CLOSED", ["LOST"], 0)
            outcomes.append(state[0])
    assert set(outcomes) <= {"AWARDED", "CLOSED"} and len(outcomes) == len(rfqs)


# -- pg_cron ----------------------------------------------------------------------------------------------------------

def test_cron_unavailable_is_said_clearly() -> None:
    with pytest.raises(jobs.CronUnavailable, match="pg_cron is not available"):
        jobs.check_cron_loaded("mercato", "auto_explain", None)
    assert jobs.check_cron_loaded("mercato", "auto_explain, pg_cron", "mercato") is None


@pytest.mark.skipif(not cron_library_present(), reason="pg_cron's library is not installed (postgresql-15-cron)")
def test_schedule_registers_the_jobs_with_pg_cron(db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", db_url)
    with _connect(db_url) as conn:
        database = conn.execute("SELECT current_database()").fetchone()[0]
        enabled = [r[0] for r in conn.execute("SELECT name FROM jobs.job WHERE enabled ORDER BY name")]
    try:
        result = CliRunner().invoke(cli, ["jobs", "schedule"])
        assert result.exit_code == 0, result.output
        entries = jobs.cron_entries(db_url)
        assert [(e["jobname"], e["command"], e["database"], e["active"]) for e in entries] == [
            (f"mercato:{database}:{name}", f"SELECT jobs.run('{name}')", database, True) for name in enabled]
        with _connect(db_url) as conn:
            schedules = dict(conn.execute("SELECT name, schedule FROM jobs.job"))
        assert all(e["schedule"] == schedules[e["jobname"].rsplit(":", 1)[1]] for e in entries)

        again = jobs.schedule(db_url)
        assert {e.action for e in again.entries} == {"unchanged"}, "idempotent"

        with _connect(db_url) as conn:
            conn.execute("SELECT jobs.set_enabled('parties.recalculate_tiers', false)")
            conn.execute("SELECT jobs.register('ledger.expire_holds', '*/2 * * * *', 'ledger.expire_holds(integer)', "
                         "'swept more often')")
        actions = {e.job: e.action for e in jobs.schedule(db_url).entries}
        assert actions["parties.recalculate_tiers"] == "unscheduled" and actions["ledger.expire_holds"] == "updated"
        entries = {e["jobname"].rsplit(":", 1)[1]: e for e in jobs.cron_entries(db_url)}
        assert "parties.recalculate_tiers" not in entries and entries["ledger.expire_holds"]["schedule"] == "*/2 * * * *"
    finally:
        jobs.schedule(db_url, remove=True)
    assert jobs.cron_entries(db_url) == [], "--remove leaves none of this database's entries"


@pytest.mark.skipif(not cron_library_present(), reason="pg_cron's library is not installed (postgresql-15-cron)")
def test_embedded_cluster_loads_pg_cron_also_when_created_before(tmp_path: Path) -> None:
    """``up`` adds what pg_cron needs to a cluster's postgresql.conf once, keeping libraries already preloaded (the
    running embedded cluster shows the result: the schedule test above uses it)."""
    cluster = Cluster(home=tmp_path, port=5999)
    cluster.pgdata.mkdir()
    conf = cluster.pgdata / "postgresql.conf"
    conf.write_text("#shared_preload_libraries = ''\nshared_preload_libraries = 'auto_explain'   # for plans\n")
    assert cluster.ensure_cron_conf() is True
    assert cluster.ensure_cron_conf() is False, "once"
    text = conf.read_text()
    assert "shared_preload_libraries = 'auto_explain,pg_cron'" in text
    assert "cron.database_name = 'mercato'" in text and "cron.host = '127.0.0.1'" in text
    if not os.environ.get("DATABASE_URL"):
        with psycopg.connect(make_conninfo(database_url(), dbname="postgres")) as conn:
            loaded = conn.execute("SELECT setting FROM pg_settings WHERE name = 'shared_preload_libraries'").fetchone()
        assert "pg_cron" in loaded[0], "the embedded cluster runs with pg_cron loaded"
