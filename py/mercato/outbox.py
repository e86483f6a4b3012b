"""``client.outbox``: the outbox's ``api`` wrappers — senders claim and report messages, the back office lists and
retries them — and :func:`work`, the sender loop ``mercato outbox work`` runs.

Messages are enqueued only inside the database, by other modules' functions in the transaction of the fact that
causes them (``outbox.enqueue``); there is no client method for it. A sender is a client whose role is
``mercato_sender`` (``Client(role="mercato_sender")``; its login role must be granted it). Delivery is at least once:
:func:`work` writes a message to its sink before it reports it sent, so a sender that dies between the two leaves the
message SENDING until its lease expires, and the next claim delivers it again. The message id is the idempotency key a
provider (or the recipient) uses to drop such a repeat (docs/outbox.md, "The sender contract").
"""

from __future__ import annotations

import datetime as dt
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from mercato.errors import MercatoError
from mercato.module import ModuleClient, json_doc, typed

SENDER_ROLE = "mercato_sender"


@dataclass(frozen=True)
class Claimed:
    """A message a sender holds under its lease, with its secret (an OTP code, a token) if it has one."""

    id: int
    tenant_id: int | None
    channel: str
    recipient: str
    template: str
    params: dict[str, Any]
    secret: dict[str, Any] | None
    attempts: int
    lease_token: uuid.UUID
    lease_until: dt.datetime


@dataclass(frozen=True)
class Message:
    """A message as the back office sees it: everything but its secret and lease token."""

    id: int
    tenant_id: int | None
    channel: str
    recipient: str
    template: str
    params: dict[str, Any]
    dedupe_key: str | None
    state: str
    attempts: int
    next_attempt_at: dt.datetime
    last_error: str | None
    lease_worker: str | None
    lease_until: dt.datetime | None
    created_at: dt.datetime
    sent_at: dt.datetime | None
    has_secret: bool


class OutboxClient(ModuleClient):
    """``client.outbox``: claim and report messages (a sender, role mercato_sender), list and retry them (the back
    office)."""

    module = "outbox"

    def claim(self, channel: str, limit: int = 10, lease_seconds: int = 60, worker: str | None = None) -> list[Claimed]:
        """Claim up to ``limit`` due messages of ``channel`` for ``lease_seconds`` (SENDING under one new lease)."""
        rows = self._call("api.outbox_claim", channel=channel, limit=limit, lease_seconds=lease_seconds, worker=worker)
        return [typed(Claimed, r) for r in rows]

    def report_sent(self, message_id: int, lease_token: uuid.UUID) -> bool:
        """The provider accepted the message: SENT (True), or already reported under this lease (False).
        Raises OUTBOX_LEASE_LOST when the lease expired and another claim owns the message."""
        return bool(self._call_value("api.outbox_report_sent", id=message_id, lease=lease_token))

    def report_failed(self, message_id: int, lease_token: uuid.UUID, error: str, retryable: bool = True) -> str:
        """Sending failed: FAILED (retried after the backoff) or DEAD; returns the new state."""
        return str(self._call_value("api.outbox_report_failed", id=message_id, lease=lease_token, error=error,
                                    retryable=retryable))

    def list_messages(self, state: str | None = None, channel: str | None = None, limit: int = 100) -> list[Message]:
        """The latest messages, newest first (the back office)."""
        return [typed(Message, r) for r in self._call("api.outbox_list", state=state, channel=channel, limit=limit)]

    def retry(self, message_id: int) -> str:
        """Send a FAILED or DEAD message again (the back office); returns its new state, PENDING."""
        return str(self._call_value("api.outbox_retry", id=message_id))


def delivery_line(message: Claimed) -> str:
    """The JSON line :func:`work` writes for a message (the file sink's format; docs/outbox.md)."""
    return json_doc({"id": message.id, "channel": message.channel, "recipient": message.recipient,
                     "template": message.template, "params": message.params, "secret": message.secret,
                     "attempt": message.attempts, "tenant_id": message.tenant_id})


@dataclass
class WorkStats:
    """What one sender loop did."""

    claimed: int = 0
    sent: int = 0
    lost: int = 0          # reports refused with OUTBOX_LEASE_LOST (the lease expired first)
    failed: int = 0
    batches: int = 0
    acked_ids: list[int] = field(default_factory=list)


def work(client: Any, channel: str, deliver: Callable[[Claimed], None], *, batch: int = 100, lease_seconds: int = 60,
         worker: str | None = None, once: bool = False, poll_seconds: float = 1.0,
         stop: threading.Event | None = None, progress: Callable[[str], None] | None = None,
         stats: WorkStats | None = None) -> WorkStats:
    """Claim batches of ``channel`` and deliver each message with ``deliver``, then report it: sent when ``deliver``
    returned, failed (retryable) when it raised. ``client`` is a :class:`mercato.client.Client` whose role is
    mercato_sender. With ``once``, return when a claim finds nothing due; otherwise poll every ``poll_seconds`` until
    ``stop`` is set. Every message is delivered before it is reported (at least once), one message at a time, so a
    sender that dies repeats at most the one message it delivered and had not reported. ``stats`` (updated as it goes)
    lets a caller see the progress of a loop that ended by an exception."""
    stats = stats if stats is not None else WorkStats()
    worker = worker or f"sender-{uuid.uuid4().hex[:8]}"
    while stop is None or not stop.is_set():
        messages = client.outbox.claim(channel, batch, lease_seconds, worker)
        if not messages:
            if once:
                break
            if stop is not None:
                stop.wait(poll_seconds)
            else:
                time.sleep(poll_seconds)
            continue
        stats.batches += 1
        stats.claimed += len(messages)
        for message in messages:
            try:
                deliver(message)
            except Exception as exc:  # the provider refused or failed: retried after the backoff
                client.outbox.report_failed(message.id, message.lease_token, f"{type(exc).__name__}: {exc}")
                stats.failed += 1
                continue
            try:
                if client.outbox.report_sent(message.id, message.lease_token):
                    stats.sent += 1
                    stats.acked_ids.append(message.id)
            except MercatoError as exc:
                if exc.code != "OUTBOX_LEASE_LOST":
                    raise
                stats.lost += 1
        if progress is not None:
            progress(f"{worker}: batch of {len(messages)}, {stats.sent} sent, {stats.failed} failed, {stats.lost} lost")
    return stats


def file_sink(stream: Any) -> Callable[[Claimed], None]:
    """A ``deliver`` for :func:`work` that appends one JSON line per message to ``stream`` and flushes it (thread-safe),
    the stand-in for a provider in tests and demos."""
    lock = threading.Lock()

    def deliver(message: Claimed) -> None:
        line = delivery_line(message) + "\n"
        with lock:
            stream.write(line)
            stream.flush()

    return deliver


class Inbox:
    """A stand-in SMS / e-mail provider for tests, the demo and the torture market: :meth:`poll` drains the due
    messages of a channel as a sender (``sender`` is a client whose role is mercato_sender), keeping each one as the
    recipient's phone would, and reports it sent (its secret is then deleted in the database); :meth:`code` returns the
    latest delivery code a recipient received for a session. Thread-safe: threads share one inbox, so a message one
    thread's poll drained is still found by another. Never for production: it keeps the secrets in memory."""

    def __init__(self, sender: Any) -> None:
        self.sender = sender
        self.received: list[Claimed] = []
        self._lock = threading.Lock()

    def poll(self, channel: str = "SMS") -> int:
        """Drain ``channel`` once (every due message, reported SENT); how many were received."""
        with self._lock:
            before = len(self.received)
            work(self.sender, channel, self.received.append, batch=100, once=True)
            return len(self.received) - before

    def latest(self, recipient: str | None = None, template: str | None = None, **params: Any) -> Claimed | None:
        """The newest received message to ``recipient`` with ``template`` whose params contain ``params``."""
        with self._lock:
            for m in reversed(self.received):
                if ((recipient is None or m.recipient == recipient) and (template is None or m.template == template)
                        and all(m.params.get(k) == v for k, v in params.items())):
                    return m
        return None

    def code(self, session_id: int, recipient: str | None = None, channel: str = "SMS") -> str:
        """The code of the latest ``delivery.otp`` message of the session (polling ``channel`` first): what the
        business reads on its phone. Raises LookupError when none arrived."""
        self.poll(channel)
        message = self.latest(recipient, "delivery.otp", session_id=session_id)
        if message is None or not message.secret:
            raise LookupError(f"no delivery code received for session {session_id}")
        return str(message.secret["code"])


__all__ = ["Claimed", "Inbox", "Message", "OutboxClient", "SENDER_ROLE", "WorkStats", "delivery_line", "file_sink", "work"]
