"""The merchant webhook sender (docs/payments.md, "The merchant webhook sender") against a local https server playing
the merchant: a 2xx answer is delivered once, a 500 is retried after the outbox's backoff and then delivered, a slow
endpoint times out and is retried, and the merchant verifies every request with its secret — and with the old secret
during a rotation. The superuser connection only arranges the world and reads the outcome; assertions are on outcomes
(what the server received, the messages' states), never on timing."""

from __future__ import annotations

import hashlib
import hmac
import http.server
import json
import shutil
import ssl
import subprocess
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from click.testing import CliRunner

from mercato.client import Client
from mercato.webhook_sender import deliver_webhooks

pytestmark = pytest.mark.skipif(shutil.which("openssl") is None, reason="openssl makes the test server's certificate")


class Merchant:
    """A merchant's https endpoint: answers each request with the next planned (status, delay), 200 once the plan is
    used up, and keeps what it received."""

    def __init__(self, cert: Path, key: Path) -> None:
        self.received: list[dict[str, Any]] = []
        self.plan: list[tuple[int, float]] = []
        merchant = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's name)
                body = self.rfile.read(int(self.headers.get("Content-Length", "0"))).decode("utf-8")
                status, delay = merchant.plan.pop(0) if merchant.plan else (200, 0.0)
                merchant.received.append({"path": self.path, "headers": dict(self.headers), "body": body,
                                          "status": status})
                if delay:
                    time.sleep(delay)
                try:
                    self.send_response(status)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                except OSError:   # the sender gave up (timeout) and closed the connection
                    pass

            def log_message(self, *args: Any) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(cert, key)
        self.server.socket = context.wrap_socket(self.server.socket, server_side=True)
        self.url = f"https://localhost:{self.server.server_address[1]}/hooks"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def verifies(request: dict[str, Any], secret: str, tolerance: int = 300) -> bool:
    """What the merchant's receiver does: Mercato-Signature is "t=<unix>,v1=<hex>[,v1=<hex>]"; accept when the
    timestamp is recent and one v1 is HMAC-SHA256(secret, "<t>.<raw body>")."""
    header = request["headers"]["Mercato-Signature"]
    parts = header.split(",")
    t = parts[0].removeprefix("t=")
    expected = hmac.new(secret.encode(), f"{t}.{request['body']}".encode(), hashlib.sha256).hexdigest()
    return abs(time.time() - int(t)) <= tolerance and any(
        hmac.compare_digest(expected, p.removeprefix("v1=")) for p in parts[1:] if p.startswith("v1="))


@pytest.fixture
def tls(tmp_path: Path) -> tuple[Path, Path]:
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(cert),
                    "-days", "1", "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"],
                   check=True, capture_output=True)
    return cert, key


@pytest.fixture
def merchant(tls: tuple[Path, Path]) -> Iterator[Merchant]:
    m = Merchant(*tls)
    yield m
    m.close()


@pytest.fixture
def world(db_url: str, merchant: Merchant) -> dict[str, Any]:
    """A MERCHANT organization with one endpoint (every event type) at the local server, and its secret."""
    with psycopg.connect(db_url, autocommit=True) as conn:
        owner = conn.execute("SELECT identity.register_user(%s, 'MERCHANT', 'Hook owner')",
                             (f"kc|hooks-{uuid.uuid4().hex[:6]}",)).fetchone()[0]
        org = conn.execute("SELECT identity.open_organization('MERCHANT', NULL, 'Hook shop', %s)", (owner,)).fetchone()[0]
        endpoint, secret = conn.execute("SELECT endpoint_id, secret FROM payments.create_webhook_endpoint(%s, %s, '{*}')",
                                        (org, merchant.url)).fetchone()
    return {"org": org, "endpoint": endpoint, "secret": secret}


def _emit(db_url: str, world: dict[str, Any], object_id: int) -> int:
    with psycopg.connect(db_url, autocommit=True) as conn:
        event = conn.execute("SELECT payments.emit_merchant_event(%s, 'invoice', %s, 'invoice.paid', '{\"amount\": \"10.00\"}')",
                             (world["org"], object_id)).fetchone()[0]
        return conn.execute("SELECT message_id FROM payments.webhook_delivery WHERE event_id = %s", (event,)).fetchone()[0]


def _message(db_url: str, message_id: int) -> dict[str, Any]:
    with psycopg.connect(db_url, autocommit=True) as conn:
        row = conn.execute("SELECT state, attempts, last_error, next_attempt_at > now() + interval '10 seconds'"
                           " FROM outbox.message WHERE id = %s", (message_id,)).fetchone()
    return {"state": row[0], "attempts": row[1], "last_error": row[2], "backed_off": row[3]}


def _make_due(db_url: str, message_id: int) -> None:
    """The backoff has passed (the test does not wait 30 s): the failed message is due now, its attempts kept."""
    with psycopg.connect(db_url, autocommit=True) as conn:
        conn.execute("UPDATE outbox.message SET next_attempt_at = now() WHERE id = %s AND state = 'FAILED'", (message_id,))


def test_a_2xx_is_delivered_once_and_the_merchant_verifies_it(db_url: str, world: dict[str, Any], merchant: Merchant,
                                                              tls: tuple[Path, Path]) -> None:
    message = _emit(db_url, world, 1)
    with Client(db_url, max_size=1, role="mercato_sender") as sender:
        stats = deliver_webhooks(sender, once=True, timeout=5, cafile=str(tls[0]))
        again = deliver_webhooks(sender, once=True, timeout=5, cafile=str(tls[0]))
    assert (stats.claimed, stats.sent, stats.failed) == (1, 1, 0)
    assert again.claimed == 0, "a delivered message is not sent again"
    assert _message(db_url, message)["state"] == "SENT"
    [request] = merchant.received
    body = json.loads(request["body"])
    assert (body["type"], body["object"], body["object_id"], body["sequence"]) == ("invoice.paid", "invoice", 1, 1)
    assert request["headers"]["Mercato-Event-Id"] == body["id"]
    assert request["headers"]["Idempotency-Key"] == f"msg_{message}"
    assert verifies(request, world["secret"]), "the merchant verifies the signature with its secret"
    assert not verifies(request, "whsec_" + "0" * 64), "and another secret does not"
    tampered = dict(request, body=request["body"].replace("10.00", "10.01"))
    assert not verifies(tampered, world["secret"]), "nor does a changed body"


def test_during_a_rotation_both_secrets_verify(db_url: str, world: dict[str, Any], merchant: Merchant,
                                               tls: tuple[Path, Path]) -> None:
    with psycopg.connect(db_url, autocommit=True) as conn:
        new_secret = conn.execute("SELECT secret FROM payments.rotate_webhook_secret(%s, 3600)",
                                  (world["endpoint"],)).fetchone()[0]
    _emit(db_url, world, 2)
    with Client(db_url, max_size=1, role="mercato_sender") as sender:
        assert deliver_webhooks(sender, once=True, timeout=5, cafile=str(tls[0])).sent == 1
    [request] = merchant.received
    assert verifies(request, world["secret"]), "a merchant still on the old secret accepts it"
    assert verifies(request, new_secret), "and one already on the new secret too"


def test_a_500_is_retried_after_the_backoff_then_delivered(db_url: str, world: dict[str, Any], merchant: Merchant,
                                                           tls: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    from mercato.cli import cli

    message = _emit(db_url, world, 3)
    merchant.plan = [(500, 0.0)]
    monkeypatch.setenv("DATABASE_URL", db_url)
    args = ["pay", "webhooks", "deliver", "--once", "--timeout", "5", "--cafile", str(tls[0])]
    first = CliRunner().invoke(cli, args)
    assert first.exit_code == 0, first.output
    assert f"message {message} -> {merchant.url}: failed (HTTP 500), retried later" in first.output
    assert "claimed 1, delivered 0, failed 1" in first.output
    got = _message(db_url, message)
    assert (got["state"], got["attempts"], got["backed_off"]) == ("FAILED", 1, True), got
    assert "HTTP 500" in got["last_error"]

    second = CliRunner().invoke(cli, args)
    assert "claimed 0" in second.output, "not due before its backoff"
    _make_due(db_url, message)
    third = CliRunner().invoke(cli, args)
    assert "claimed 1, delivered 1, failed 0" in third.output, third.output
    assert (_message(db_url, message)["state"], _message(db_url, message)["attempts"]) == ("SENT", 2)
    assert [r["status"] for r in merchant.received] == [500, 200]
    assert all(verifies(r, world["secret"]) for r in merchant.received), "each attempt is signed"
    assert merchant.received[0]["body"] == merchant.received[1]["body"], "the same event, the same body"


def test_no_answer_in_time_is_a_failure_retried_later(db_url: str, world: dict[str, Any], merchant: Merchant,
                                                      tls: tuple[Path, Path]) -> None:
    message = _emit(db_url, world, 4)
    merchant.plan = [(200, 3.0)]
    with Client(db_url, max_size=1, role="mercato_sender") as sender:
        stats = deliver_webhooks(sender, once=True, timeout=0.5, cafile=str(tls[0]))
        assert (stats.claimed, stats.sent, stats.failed) == (1, 0, 1)
        got = _message(db_url, message)
        assert (got["state"], got["backed_off"]) == ("FAILED", True), got
        assert "timed out" in got["last_error"], got
        _make_due(db_url, message)
        assert deliver_webhooks(sender, once=True, timeout=5, cafile=str(tls[0])).sent == 1
    assert _message(db_url, message)["state"] == "SENT"


def test_a_refused_connection_is_a_failure(db_url: str, world: dict[str, Any]) -> None:
    with psycopg.connect(db_url, autocommit=True) as conn:
        conn.execute("SELECT payments.update_webhook_endpoint(%s, 'https://127.0.0.1:1/hooks')", (world["endpoint"],))
    message = _emit(db_url, world, 5)
    with Client(db_url, max_size=1, role="mercato_sender") as sender:
        stats = deliver_webhooks(sender, once=True, timeout=2)
    assert (stats.claimed, stats.failed) == (1, 1)
    got = _message(db_url, message)
    assert got["state"] == "FAILED" and "no answer" in got["last_error"], got
