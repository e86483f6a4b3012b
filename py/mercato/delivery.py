"""``client.delivery``: one method per ``api`` wrapper of a ``delivery`` function — handover and return of a vehicle
confirmed with a one-time code.

A code is never returned: issuing it enqueues an outbox message to the business (SMS to its user's phone, or e-mail),
with the code as the message's secret, in the same transaction; the provider gets the session, the expiry and the
message id. The business reads the code on its phone (in tests and the demo: :class:`mercato.outbox.Inbox`, a stand-in
SMS provider). The database keeps only the code's keyed hash. A wrong code is an answer
(``Verification.verified`` false), not an exception; refusals (expired, locked, not yours) are.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from mercato.module import ModuleClient, json_doc


@dataclass(frozen=True)
class IssuedCode:
    """A one-time code as issued, without the code: it went to the business through the outbox (``message_id``)."""

    session_id: int
    expires_at: dt.datetime
    message_id: int


@dataclass(frozen=True)
class Verification:
    """The answer to a code: a wrong code is an answer (``verified`` false), not an exception."""

    verified: bool
    outcome: str
    attempts_left: int
    session_status: str


class DeliveryClient(ModuleClient):
    """``client.delivery``: the provider starts a DELIVERY or RETURN session for an assignment (the code goes to the
    business), resends or cancels it; the business verifies the code with the handover record, which starts or ends
    the assignment; the back office expires stale codes."""

    module = "delivery"

    def start_session(self, assignment_id: int, session_type: str, channel: str = "SMS") -> IssuedCode:
        return IssuedCode(**self._call_one("api.start_delivery_session", assignment_id=assignment_id,
                                           session_type=session_type, channel=channel))

    def resend_code(self, session_id: int, channel: str = "SMS") -> IssuedCode:
        return IssuedCode(**self._call_one("api.resend_code", session_id=session_id, channel=channel))

    def verify_code(self, session_id: int, code: str, handover: dict[str, Any] | None = None) -> Verification:
        return Verification(**self._call_one("api.verify_code", session_id=session_id, code=code,
                                             handover=json_doc(handover or {})))

    def cancel_session(self, session_id: int) -> None:
        self._call("api.cancel_delivery_session", session_id=session_id)

    def session_status(self, session_id: int) -> dict[str, Any]:
        return self._call_one("api.delivery_session", session_id=session_id)

    def expire_codes(self) -> int:
        return self._call_value("api.expire_codes")
