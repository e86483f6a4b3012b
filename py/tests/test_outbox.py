"""The outbox end to end (issue 17): concurrent senders drain the queue exactly once in the database and at least once
in the sink, a killed sender loses nothing, and the CLI works.

The concurrency test asserts outcomes only (never timing): 8 senders with their own connections drain 10,000
messages; one of them is killed mid-batch (its backend terminated with pg_terminate_backend after it wrote half of its
claimed batch to the sink: it had reported all but the last message it wrote). Afterwards every message is SENT, each
by exactly one successful report, no secret is left, and the sink holds every id, repeated only for the messages the
killed sender had written and never reported (one: the sender reports each message right after writing it) — each of
those exactly twice. The rest of the victim's batch is claimed again once its 2 s lease expired.
"""

from __future__ import annotations

import json
import threading
from collections import Counter
from pathlib import Path

import psycopg
import pytest
from click.testing import CliRunner
from psycopg.conninfo import make_conninfo

from mercato import outbox
from mercato.cli import cli
from mercato.client import Client

N_MESSAGES = 10_000
WORKERS = 8
VICTIM_WRITES = 50


class Killed(BaseException):
    """Raised in the victim's deliver after its backend was terminated: ends its thread (outbox.work catches only
    Exception, as a provider's failure)."""


def _enqueue(url: str, n: int, channel: str = "SMS") -> list[int]:
    with psycopg.connect(url, autocommit=True) as conn:
        return [r[0] for r in conn.execute(
            "SELECT outbox.enqueue(%s, '+2519' || lpad(g::text, 8, '0'), 'test.otp', jsonb_build_object('n', g),"
            "                      jsonb_build_object('code', lpad((g %% 1000000)::text, 6, '0'))) "
            "  FROM generate_series(1, %s) g", (channel, n))]


def test_eight_senders_drain_ten_thousand_messages_exactly_once_despite_a_killed_one(db_url: str,
                                                                                    tmp_path: Path) -> None:
    ids = set(_enqueue(db_url, N_MESSAGES))
    assert len(ids) == N_MESSAGES
    sink_path = tmp_path / "sink.jsonl"
    stop = threading.Event()
    results: dict[str, outbox.WorkStats] = {}
    errors: list[BaseException] = []
    with sink_path.open("a", encoding="utf-8") as stream:
        sink = outbox.file_sink(stream)

        # the victim: claims a batch under a 2 s lease, writes half of it, then its backend is terminated
        victim_written: list[int] = []
        victim_ready = threading.Event()

        def victim_deliver(message: outbox.Claimed) -> None:
            sink(message)
            victim_written.append(message.id)
            if len(victim_written) == VICTIM_WRITES:
                with psycopg.connect(db_url, autocommit=True) as admin:
                    killed = admin.execute("SELECT count(*) FROM pg_stat_activity, pg_terminate_backend(pid)"
                                           " WHERE application_name = 'outbox-victim'").fetchone()[0]
                assert killed == 1
                victim_ready.set()
                raise Killed()

        def run(name: str, url: str, deliver, lease: int) -> None:  # type: ignore[no-untyped-def]
            client = Client(url, role=outbox.SENDER_ROLE, min_size=1, max_size=1)
            results[name] = outbox.WorkStats()
            try:
                outbox.work(client, "SMS", deliver, batch=100, lease_seconds=lease, worker=name, poll_seconds=0.2,
                            stop=stop, stats=results[name])
            except Killed:
                pass
            except BaseException as exc:  # noqa: BLE001 - reported by the test
                errors.append(exc)
                victim_ready.set()
            finally:
                client.close()

        victim = threading.Thread(target=run, args=("victim", make_conninfo(db_url, application_name="outbox-victim"),
                                                    victim_deliver, 2))
        victim.start()
        assert victim_ready.wait(60), "the victim claimed and wrote its half batch"
        victim.join(30)
        threads = [threading.Thread(target=run, args=(f"w{i}", db_url, sink, 30)) for i in range(1, WORKERS)]
        for t in threads:
            t.start()
        try:
            with psycopg.connect(db_url, autocommit=True) as conn:
                for _ in range(600):   # until drained (the outcome decides, the bound only stops a hung test)
                    if conn.execute("SELECT count(*) FROM outbox.message WHERE state <> 'SENT'").fetchone()[0] == 0:
                        break
                    stop.wait(0.1)
        finally:
            stop.set()
            for t in threads:
                t.join(60)
    assert not errors, errors
    assert len(victim_written) == VICTIM_WRITES
    # the victim reported each message after writing it, but not the last one it wrote before it was killed
    unacked = set(victim_written) - set(results["victim"].acked_ids)
    assert results["victim"].sent == VICTIM_WRITES - 1 and len(unacked) == 1

    with psycopg.connect(db_url) as conn:
        states = dict(conn.execute("SELECT state, count(*) FROM outbox.message GROUP BY state").fetchall())
        secrets_left = conn.execute("SELECT count(*) FROM outbox.message_secret").fetchone()[0]
        reclaimed = {r[0] for r in conn.execute("SELECT id FROM outbox.message WHERE attempts > 1")}
    assert states == {"SENT": N_MESSAGES}, states
    assert secrets_left == 0, "every secret is deleted once its message is SENT"

    acked = [i for stats in results.values() for i in stats.acked_ids]
    assert len(acked) == N_MESSAGES and set(acked) == ids, "exactly one successful report per message"
    assert sum(s.sent for s in results.values()) == N_MESSAGES

    seen = Counter(json.loads(line)["id"] for line in sink_path.read_text().splitlines())
    assert set(seen) == ids, "the sink holds every message"
    duplicated = {i for i, c in seen.items() if c > 1}
    assert duplicated == unacked, "only what the killed sender wrote and never reported is repeated"
    assert all(seen[i] == 2 for i in duplicated), "and each of those exactly twice"
    assert unacked <= reclaimed, "claimed again after the victim's lease expired"


def test_the_cli_sends_lists_and_retries(db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", db_url)
    sms = _enqueue(db_url, 3)
    sink = tmp_path / "out.jsonl"
    runner = CliRunner()
    result = runner.invoke(cli, ["outbox", "work", "--channel", "sms", "--to", str(sink), "--batch", "2", "--once"])
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in sink.read_text().splitlines()]
    assert [m["id"] for m in lines] == sms
    assert all(m["secret"]["code"] and m["channel"] == "SMS" and m["template"] == "test.otp" for m in lines)
    assert "claimed 3, sent 3" in result.stderr

    # stdout carries only the JSON lines
    more = _enqueue(db_url, 1)
    result = runner.invoke(cli, ["outbox", "work", "--channel", "sms", "--to", "-", "--once"])
    assert result.exit_code == 0, result.output
    assert [json.loads(line)["id"] for line in result.stdout.splitlines()] == more

    listed = runner.invoke(cli, ["outbox", "list", "--state", "sent", "--json"])
    assert listed.exit_code == 0, listed.output
    rows = json.loads(listed.stdout)
    assert sorted(r["id"] for r in rows) == sorted(sms + more)
    assert all("secret" not in r and r["has_secret"] is False for r in rows)

    # a permanent failure, then the back office retries it
    (hook,) = _enqueue(db_url, 1, channel="WEBHOOK")
    with Client(db_url, role=outbox.SENDER_ROLE, max_size=1) as sender:
        (claimed,) = sender.outbox.claim("WEBHOOK", 1)
        assert claimed.secret is not None
        assert sender.outbox.report_failed(hook, claimed.lease_token, "HTTP 410", retryable=False) == "DEAD"
    refused = runner.invoke(cli, ["outbox", "retry", str(hook)])
    assert refused.exit_code == 1 and "OUTBOX_INVALID_TRANSITION" in str(refused.exception), "its secret is gone"
    with psycopg.connect(db_url, autocommit=True) as conn:
        (plain,) = [r[0] for r in conn.execute("SELECT outbox.enqueue('WEBHOOK', 'https://m.test/h', 'order.paid')")]
    with Client(db_url, role=outbox.SENDER_ROLE, max_size=1) as sender:
        (claimed,) = sender.outbox.claim("WEBHOOK", 1)
        assert sender.outbox.report_failed(plain, claimed.lease_token, "HTTP 410", retryable=False) == "DEAD"
    retried = runner.invoke(cli, ["outbox", "retry", str(plain)])
    assert retried.exit_code == 0 and f"{plain}: PENDING" in retried.output, retried.output
    dead = runner.invoke(cli, ["outbox", "list", "--state", "DEAD", "--json"])
    assert [r["id"] for r in json.loads(dead.stdout)] == [hook]
