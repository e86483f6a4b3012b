"""The merchant webhook sender: an outbox sender of channel WEBHOOK that POSTs merchant events to their endpoints
(docs/payments.md, "The merchant webhook sender").

It is built on the outbox's own loop (:func:`mercato.outbox.work`: claim a batch under a lease, deliver each message,
report it sent or failed), so the retries are the outbox's: a failed attempt is FAILED and claimed again after the
outbox's exponential backoff, DEAD after ``OUTBOX_MAX_ATTEMPTS``. For each claimed message it asks the database for
the request to make (``api.merchant_webhook_request``: the endpoint's URL, the body as enqueued, and the headers with a
``Mercato-Signature`` made at that instant under every secret valid then), so no secret and no signing happen here.
A 2xx answer is delivered; any other status (redirects are not followed), a refused connection or a timeout is a
failure. Delivery is at least once: the ``Mercato-Event-Id`` and ``Idempotency-Key`` headers let the merchant drop a
repeat.

The client must act as ``mercato_sender`` (``Client(role="mercato_sender")``).
"""

from __future__ import annotations

import http.client
import math
import ssl
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from mercato import outbox

CHANNEL = "WEBHOOK"


class DeliveryFailed(Exception):
    """The endpoint did not accept the request (a status outside 2xx, a refused connection, a timeout)."""


@dataclass(frozen=True)
class Attempt:
    """One HTTP attempt, for progress output: the message, where it went, the status (None without an answer), the
    error (None when delivered) and how long it took."""

    message_id: int
    url: str
    status: int | None
    error: str | None
    seconds: float

    @property
    def delivered(self) -> bool:
        return self.error is None


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A redirect is an answer outside 2xx: never followed (a POST must not turn into a GET elsewhere)."""

    def redirect_request(self, req: Any, fp: Any, code: int, msg: str, headers: Any, newurl: str) -> None:
        return None


def http_deliver(client: Any, *, timeout: float = 10.0, cafile: str | None = None,
                 on_attempt: Callable[[Attempt], None] | None = None) -> Callable[[outbox.Claimed], None]:
    """A ``deliver`` for :func:`mercato.outbox.work`: ask the database for the signed request of the claimed message,
    POST it with ``timeout`` seconds for the whole exchange, return on 2xx, raise :class:`DeliveryFailed` otherwise.
    ``cafile``: the certificate authorities to trust for https (the system's by default)."""
    context = ssl.create_default_context(cafile=cafile)
    opener = urllib.request.build_opener(_NoRedirect, urllib.request.HTTPSHandler(context=context))

    def deliver(message: outbox.Claimed) -> None:
        request = client.payments.merchant_webhook_request(message.id, message.lease_token)
        started = time.monotonic()
        status: int | None = None
        error: str | None = None
        try:
            http_request = urllib.request.Request(request["url"], data=request["body"].encode("utf-8"),
                                                  headers=request["headers"], method=request["method"])
            with opener.open(http_request, timeout=timeout) as response:
                status = response.status
                response.read(65536)
        except urllib.error.HTTPError as exc:
            status = exc.code
        except (urllib.error.URLError, http.client.HTTPException, OSError, ValueError) as exc:   # refused, unreachable, timed out, bad URL
            reason = exc.reason if isinstance(exc, urllib.error.URLError) else exc
            error = f"no answer: {type(reason).__name__}: {reason}"
        if error is None and not (status is not None and 200 <= status < 300):
            error = f"HTTP {status}"
        if on_attempt is not None:
            on_attempt(Attempt(message.id, request["url"], status, error, time.monotonic() - started))
        if error is not None:
            raise DeliveryFailed(error)

    return deliver


def deliver_webhooks(client: Any, *, limit: int = 100, timeout: float = 10.0, once: bool = False,
                     cafile: str | None = None, worker: str | None = None, poll_seconds: float = 1.0,
                     stop: threading.Event | None = None, on_attempt: Callable[[Attempt], None] | None = None,
                     progress: Callable[[str], None] | None = None) -> outbox.WorkStats:
    """Drain the WEBHOOK channel: claim up to ``limit`` due messages at a time, POST each (``timeout`` seconds), report
    it sent (2xx) or failed (retried after the outbox's backoff). With ``once`` return when nothing is due; otherwise
    poll until ``stop`` is set. The lease covers a whole batch of timeouts, so a slow batch is never claimed twice
    while it is being sent."""
    lease_seconds = max(60, math.ceil(limit * (timeout + 1)) + 30)
    deliver = http_deliver(client, timeout=timeout, cafile=cafile, on_attempt=on_attempt)
    return outbox.work(client, CHANNEL, deliver, batch=limit, lease_seconds=lease_seconds,
                       worker=worker or "webhook-sender", once=once, poll_seconds=poll_seconds, stop=stop,
                       progress=progress)


__all__ = ["Attempt", "CHANNEL", "DeliveryFailed", "deliver_webhooks", "http_deliver"]
