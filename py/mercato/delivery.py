"""``client.delivery``: one method per ``api`` wrapper of a ``delivery`` function — handover and return of a vehicle
confirmed with a one-time code.

A code is shown once, when it is issued; the database keeps only its keyed hash. A wrong code is an answer
(``Verification.verified`` false), not an exception; refusals (expired, locked, not yours) are.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from mercato.module import ModuleClient, json_doc


@dataclass(frozen=True)
class IssuedCode:
    """A one-time code as issued: shown once, to be sent to the business by SMS or e-mail."""

    session_id: int
    code: str
    expires_at: dt.datetime


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
        row = self._call_one("api.resend_code", session_id=session_id, channel=channel)
        return IssuedCode(session_id=session_id, **row)

    def verify_code(self, session_id: int, code: str, handover: dict[str, Any] | None = None) -> Verification:
        return Verification(**self._call_one("api.verify_code", session_id=session_id, code=code,
                                             handover=json_doc(handover or {})))

    def cancel_session(self, session_id: int) -> None:
        self._call("api.cancel_delivery_session", session_id=session_id)

    def session_status(self, session_id: int) -> dict[str, Any]:
        return self._call_one("api.delivery_session", session_id=session_id)

    def expire_codes(self) -> int:
        return self._call_value("api.expire_codes")
